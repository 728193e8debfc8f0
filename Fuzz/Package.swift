// swift-tools-version: 6.1
//
// libFuzzer targets, one per family of decoders that meet bytes from the network, a file or a
// request (README "Fuzzing"). A package of its own, like Benchmarks/, so that `swift build` at
// the top level never builds them. Built with the fuzzer and address sanitizer:
//   make fuzz            (scripts/fuzz.sh: build, then run each target over its corpus)
// Targets reach internal decoders with `@testable import`, which a debug build allows.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .unsafeFlags(["-warnings-as-errors"]),
]

func shoal(_ product: String) -> Target.Dependency { .product(name: product, package: "shoal") }
let agent = shoal("ShoalAgent")
let nio = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let protobuf = Target.Dependency.product(name: "SwiftProtobuf", package: "swift-protobuf")

/// Each target: its name (also its corpus directory, Fuzz/Corpus/NAME) and what it imports.
let targets: [(name: String, dependencies: [Target.Dependency])] = [
    ("fuzz-envelope", [shoal("ShoalWire"), shoal("ShoalCrypto")]),
    ("fuzz-frames", [shoal("ShoalTransport"), shoal("ShoalWire"), nio]),
    ("fuzz-certificate", [shoal("ShoalCrypto")]),
    ("fuzz-handshake", [shoal("ShoalTransport"), shoal("ShoalCrypto")]),
    ("fuzz-datagram", [agent, shoal("ShoalMembership"), shoal("ShoalCrypto"), shoal("ShoalWire"), protobuf]),
    ("fuzz-raft", [agent, "FuzzSamples", shoal("ShoalConsensus"), shoal("ShoalWire"), protobuf]),
    ("fuzz-leader", [agent, "FuzzSamples", shoal("ShoalConsensus"), shoal("ShoalMembership"), shoal("ShoalScheduler"), shoal("ShoalWire"), protobuf]),
    ("fuzz-objects", [agent, shoal("ShoalMembership"), shoal("ShoalObjects"), shoal("ShoalWire"), protobuf]),
    ("fuzz-wal", [agent, shoal("ShoalConsensus")]),
    ("fuzz-config", [agent]),
    ("fuzz-admin-json", [agent, shoal("ShoalScheduler"), nio, .product(name: "Hummingbird", package: "hummingbird")]),
]

let package = Package(
    name: "shoal-fuzz",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "shoal", path: ".."),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // libFuzzer's driver entry (LLVMFuzzerRunDriver), which each target's main calls.
        .target(name: "CLibFuzzer"),
        .target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], swiftSettings: strict),
        // Valid task values the seed generators of fuzz-raft and fuzz-leader share.
        .target(
            name: "FuzzSamples", dependencies: [shoal("ShoalScheduler"), shoal("ShoalMembership"), shoal("ShoalObjects")],
            swiftSettings: strict),
    ] + targets.map { target in
        .executableTarget(name: target.name, dependencies: ["FuzzSupport"] + target.dependencies, swiftSettings: strict)
    }
)
