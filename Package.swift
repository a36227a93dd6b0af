// swift-tools-version: 6.1
// GridSync: offline-first sync of grid workers' visits, demands and micro-projects.
//
// Modules depend one way, top to bottom (see docs/ARCHITECTURE.md):
//   GridModel  <- GridMerge  <- (GridStore, GridProtocol, GridNet, executables: later)
//   GridTesting depends on everything it helps test.
import PackageDescription

let package = Package(
    name: "GridSync",
    products: [
        .library(name: "GridModel", targets: ["GridModel"]),
        .library(name: "GridMerge", targets: ["GridMerge"]),
        .library(name: "GridTesting", targets: ["GridTesting"]),
    ],
    dependencies: [
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1")
    ],
    targets: [
        // What is recorded: record types, schemas, merge kinds, labels, validation. Foundation only.
        .target(name: "GridModel"),
        // How concurrent edits merge: the hybrid logical clock, ops and the merge kinds. Pure, no I/O.
        .target(name: "GridMerge", dependencies: ["GridModel"]),
        // Fixtures, an in-memory wall clock and the workload generator, shared by tests and benchmarks.
        .target(name: "GridTesting", dependencies: ["GridModel", "GridMerge"]),

        .testTarget(name: "GridModelTests", dependencies: ["GridModel", "GridTesting"]),
        .testTarget(
            name: "GridMergeTests",
            dependencies: [
                "GridModel", "GridMerge", "GridTesting",
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
    ]
)
