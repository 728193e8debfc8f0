// swift-tools-version: 6.1
//
// Micro-benchmarks of Shoal's hot paths (ordo-one/benchmark). A package of its own
// so that `swift build` and CI at the top level never resolve or build it.
// Run: make bench   (or: cd Benchmarks && swift package benchmark)
import PackageDescription

let package = Package(
    name: "shoal-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "shoal", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "WireBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "ShoalWire", package: "shoal"),
                .product(name: "ShoalCrypto", package: "shoal"),
                .product(name: "ShoalCompression", package: "shoal"),
            ],
            path: "Benchmarks/WireBenchmarks",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]),
    ]
)
