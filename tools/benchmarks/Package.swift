// swift-tools-version: 6.1
// GridSync's benchmarks: kept out of the main package so that CI and `swift test` never build them.
// Run from the repository root: swift run -c release --package-path tools/benchmarks gridsync-bench [merge|store|wire|all]
import PackageDescription

let package = Package(
    name: "GridSyncBenchmarks",
    dependencies: [
        .package(name: "GridSync", path: "../.."),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "gridsync-bench",
            dependencies: [
                .product(name: "GridModel", package: "GridSync"),
                .product(name: "GridMerge", package: "GridSync"),
                .product(name: "GridStore", package: "GridSync"),
                .product(name: "GridTesting", package: "GridSync"),
                .product(name: "GridProtocol", package: "GridSync"),
                .product(name: "GridNet", package: "GridSync"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        )
    ]
)
