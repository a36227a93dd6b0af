// swift-tools-version: 6.1
// GridSync: offline-first sync of grid workers' visits, demands and micro-projects.
//
// Modules depend one way, top to bottom (see docs/ARCHITECTURE.md):
//   GridModel  <- GridMerge  <- GridStore  <- gridsync
//                           <- GridProtocol (the op line so far)
//   (GridNet, gridsyncd and gridsync-inspect: later)
//   GridTesting depends on everything it helps test.
import PackageDescription

let package = Package(
    name: "GridSync",
    products: [
        .library(name: "GridModel", targets: ["GridModel"]),
        .library(name: "GridMerge", targets: ["GridMerge"]),
        .library(name: "GridStore", targets: ["GridStore"]),
        .library(name: "GridProtocol", targets: ["GridProtocol"]),
        .library(name: "GridTesting", targets: ["GridTesting"]),
        .executable(name: "gridsync", targets: ["gridsync"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
    ],
    targets: [
        // What is recorded: record types, schemas, merge kinds, labels, validation. Foundation only.
        .target(name: "GridModel"),
        // How concurrent edits merge: the hybrid logical clock, ops and the merge kinds. Pure, no I/O.
        .target(name: "GridMerge", dependencies: ["GridModel"]),
        // The replica: op log, materialized records, heads, conflicts, peer cursors; SQLite through GRDB.
        .target(
            name: "GridStore",
            dependencies: ["GridMerge", .product(name: "GRDB", package: "GRDB.swift")]
        ),
        // The line protocol: the canonical op line (so far), later messages, framing and sessions.
        .target(name: "GridProtocol", dependencies: ["GridMerge"]),
        // The field client for grid workers.
        .executableTarget(
            name: "gridsync",
            dependencies: [
                "GridModel", "GridMerge", "GridStore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Fixtures, an in-memory wall clock and the workload generator, shared by tests and benchmarks.
        .target(name: "GridTesting", dependencies: ["GridModel", "GridMerge", "GridStore"]),

        .testTarget(name: "GridModelTests", dependencies: ["GridModel", "GridTesting"]),
        .testTarget(
            name: "GridMergeTests",
            dependencies: [
                "GridModel", "GridMerge", "GridTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "GridStoreTests",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridTesting", .product(name: "GRDB", package: "GRDB.swift"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "GridProtocolTests",
            dependencies: ["GridModel", "GridMerge", "GridProtocol", "GridStore", "GridTesting"]
        ),
        // Runs the real `gridsync` binary, as a grid worker would.
        .testTarget(name: "gridsyncTests", dependencies: ["GridModel", "GridTesting"]),
    ]
)
