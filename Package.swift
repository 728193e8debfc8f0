// swift-tools-version: 6.1
//
// Shoal: a peer-to-peer cluster agent. The layers follow ../shared/DESIGN.md:
// C module maps over system libraries, pure protocol cores, one shell (ShoalAgent)
// and one executable (shoal). Benchmarks live in their own package under
// Benchmarks/ so that ordinary builds and CI never resolve the benchmark tooling; the
// libFuzzer targets likewise live in their own package under Fuzz/.
import PackageDescription

let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .unsafeFlags(["-warnings-as-errors"]),
]

let package = Package(
    name: "shoal",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "shoal", targets: ["shoal"]),
        .library(name: "ShoalCrypto", targets: ["ShoalCrypto"]),
        .library(name: "ShoalCompression", targets: ["ShoalCompression"]),
        .library(name: "ShoalWire", targets: ["ShoalWire"]),
        .library(name: "ShoalAgent", targets: ["ShoalAgent"]),
        // For Fuzz/, whose targets reach each decoder's module directly.
        .library(name: "ShoalTransport", targets: ["ShoalTransport"]),
        .library(name: "ShoalMembership", targets: ["ShoalMembership"]),
        .library(name: "ShoalConsensus", targets: ["ShoalConsensus"]),
        .library(name: "ShoalObjects", targets: ["ShoalObjects"]),
        .library(name: "ShoalScheduler", targets: ["ShoalScheduler"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0", traits: ["YAML"]),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/apple/swift-collections", from: "1.6.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-crypto", from: "4.5.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CSodium", path: "Sources/CSodium", pkgConfig: "libsodium",
            providers: [.apt(["libsodium-dev"])]),
        .systemLibrary(
            name: "CZstd", path: "Sources/CZstd", pkgConfig: "libzstd",
            providers: [.apt(["libzstd-dev"])]),
        // glibc's malloc.h, for mallopt (AllocatorTuning).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // syncfs(2), which glibc declares only under _GNU_SOURCE (Sources/CLinux/shim.h).
        .systemLibrary(name: "CLinux", path: "Sources/CLinux"),
        // BoringSSL's AEAD calls, as swift-crypto links them (Sources/CBoringAEAD/shim.h).
        .systemLibrary(name: "CBoringAEAD", path: "Sources/CBoringAEAD"),
        .target(name: "ShoalCrypto", dependencies: ["CSodium"], swiftSettings: strict),
        .target(name: "ShoalCompression", dependencies: ["CZstd"], swiftSettings: strict),
        // The seeded generator every pure core and simulator draws its randomness from.
        .target(name: "ShoalRandom", swiftSettings: strict),
        .target(
            name: "ShoalMembership",
            dependencies: ["ShoalRandom", .product(name: "HeapModule", package: "swift-collections")],
            swiftSettings: strict),
        .target(name: "ShoalConsensus", dependencies: ["ShoalRandom"], swiftSettings: strict),
        .target(
            name: "ShoalSimulation",
            dependencies: [
                "ShoalMembership", "ShoalConsensus", "ShoalRandom", .product(name: "HeapModule", package: "swift-collections"),
            ],
            swiftSettings: strict),
        .executableTarget(name: "shoal-sim-bench", dependencies: ["ShoalSimulation"], swiftSettings: strict),
        .target(name: "ShoalScheduler", dependencies: ["ShoalMembership", "ShoalObjects"], swiftSettings: strict),
        .executableTarget(name: "shoal-scheduler-bench", dependencies: ["ShoalScheduler", "ShoalMembership"], swiftSettings: strict),
        .target(
            name: "ShoalObjects",
            dependencies: ["ShoalMembership", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .executableTarget(
            name: "shoal-objects-bench",
            dependencies: ["ShoalObjects", "ShoalCrypto", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strict),
        .executableTarget(
            name: "shoal-transport-bench",
            dependencies: [
                "ShoalTransport", "ShoalCrypto", "ShoalWire", "CSodium", "CBoringAEAD",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .target(
            name: "ShoalWire",
            dependencies: [
                "ShoalCrypto",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ],
            exclude: ["Proto"],
            swiftSettings: strict),
        .target(
            name: "ShoalTransport",
            dependencies: [
                "ShoalCrypto", "ShoalWire", "CMalloc", "CBoringAEAD",
                // Links BoringSSL, whose AEAD the transport calls through CBoringAEAD.
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
        .target(
            name: "ShoalAgent",
            dependencies: [
                "ShoalCrypto", "ShoalCompression", "ShoalWire", "ShoalMembership", "ShoalTransport", "ShoalConsensus", "ShoalObjects", "ShoalScheduler", "CLinux",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Configuration", package: "swift-configuration"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
            ],
            swiftSettings: strict),
        // Helpers for the Raft log: a writer the kill -9 test kills, and a fsync-rate benchmark.
        .executableTarget(name: "shoal-wal-crash", dependencies: ["ShoalAgent", "ShoalConsensus", "ShoalRandom"], swiftSettings: strict),
        .executableTarget(name: "shoal-wal-bench", dependencies: ["ShoalAgent", "ShoalConsensus"], swiftSettings: strict),
        // Child process of the chunk store's kill -9 test: puts objects until it is killed.
        .executableTarget(name: "shoal-store-crash", dependencies: ["ShoalAgent", "ShoalObjects", "ShoalRandom"], swiftSettings: strict),
        .executableTarget(
            name: "shoal",
            dependencies: [
                "ShoalAgent", "ShoalCrypto",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict),
        .testTarget(name: "ShoalCryptoTests", dependencies: ["ShoalCrypto"], swiftSettings: strict),
        .testTarget(name: "ShoalCompressionTests", dependencies: ["ShoalCompression"], swiftSettings: strict),
        .testTarget(name: "ShoalWireTests", dependencies: ["ShoalWire", "ShoalCrypto", "ShoalRandom"], swiftSettings: strict),
        .testTarget(name: "ShoalMembershipTests", dependencies: ["ShoalMembership"], swiftSettings: strict),
        // What the test targets share: the `.offCooperativePool` trait.
        .target(name: "ShoalTestSupport", path: "Tests/ShoalTestSupport", swiftSettings: strict),
        .testTarget(name: "ShoalConsensusTests", dependencies: ["ShoalConsensus", "ShoalRandom", "ShoalTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ShoalSchedulerTests", dependencies: ["ShoalScheduler", "ShoalMembership", "ShoalObjects", "ShoalRandom", "ShoalTestSupport"],
            swiftSettings: strict),
        .testTarget(name: "ShoalObjectsTests", dependencies: ["ShoalObjects", "ShoalMembership", "ShoalRandom", "ShoalTestSupport"], swiftSettings: strict),
        .testTarget(
            name: "ShoalSimulationTests", dependencies: ["ShoalSimulation", "ShoalMembership", "ShoalConsensus", "ShoalRandom", "ShoalTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "ShoalTransportTests",
            dependencies: [
                "ShoalTransport", "ShoalCrypto", "ShoalWire", "ShoalTestSupport",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "MetricsTestKit", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ShoalAgentTests",
            dependencies: [
                "ShoalAgent", "ShoalCrypto", "ShoalWire", "ShoalTransport", "ShoalConsensus", "ShoalObjects", "ShoalRandom", "ShoalScheduler", "ShoalMembership", "ShoalTestSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
            ],
            swiftSettings: strict),
    ]
)
