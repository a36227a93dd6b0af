// swift-tools-version: 6.1
// GridSync's benchmarks: kept out of the main package so that CI and `swift test` never build them.
// Run from the repository root: swift run -c release --package-path tools/benchmarks gridsync-bench
import PackageDescription

let package = Package(
    name: "GridSyncBenchmarks",
    dependencies: [
        .package(name: "GridSync", path: "../..")
    ],
    targets: [
        .executableTarget(
            name: "gridsync-bench",
            dependencies: [
                .product(name: "GridModel", package: "GridSync"),
                .product(name: "GridMerge", package: "GridSync"),
                .product(name: "GridTesting", package: "GridSync"),
            ]
        )
    ]
)
