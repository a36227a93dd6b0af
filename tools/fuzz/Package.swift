// swift-tools-version: 6.1
// GridSync's fuzz targets: libFuzzer binaries for the parsers of untrusted input, kept out of
// the main package so that CI's `swift build` and `swift test` never build them with sanitizers.
// Build and run them with tools/fuzz/run (see docs/RELIABILITY.md, "Fuzzing"); each target is
// one executable with an `LLVMFuzzerTestOneInput` function and no `main` of its own: libFuzzer's
// is linked in by `--sanitize fuzzer`.
import PackageDescription

let package = Package(
    name: "GridSyncFuzz",
    dependencies: [
        .package(name: "GridSync", path: "../..")
    ],
    targets: [
        // What every target shares: invariant checks that trap with a message, input slicing.
        .target(name: "FuzzSupport"),
        // What the two protocol targets share: writing a message back and reading it again.
        .target(
            name: "WireFuzzSupport",
            dependencies: ["FuzzSupport", .product(name: "GridProtocol", package: "GridSync")]
        ),
        // Bytes of one direction of a connection, in chunks, through WireDecoder and a MessageBudget.
        .executableTarget(
            name: "fuzz-wire-decoder",
            dependencies: ["FuzzSupport", "WireFuzzSupport", .product(name: "GridProtocol", package: "GridSync")]
        ),
        // Lines through MessageReader; every message read is written back and read again.
        .executableTarget(
            name: "fuzz-message-reader",
            dependencies: [
                "FuzzSupport", "WireFuzzSupport", .product(name: "GridProtocol", package: "GridSync"),
                .product(name: "GridMerge", package: "GridSync"),
            ]
        ),
        // One op line through OpLine.op(from:), then the merge core's validation.
        .executableTarget(
            name: "fuzz-op-line",
            dependencies: [
                "FuzzSupport", .product(name: "GridProtocol", package: "GridSync"),
                .product(name: "GridMerge", package: "GridSync"),
            ]
        ),
        // A stored record state through RecordState(encoded:).
        .executableTarget(
            name: "fuzz-record-state",
            dependencies: ["FuzzSupport", .product(name: "GridMerge", package: "GridSync")]
        ),
        // The daemon's configuration file through ConfigFile.parse(_:path:).
        .executableTarget(
            name: "fuzz-config-file",
            dependencies: ["FuzzSupport", .product(name: "GridCommandLine", package: "GridSync")]
        ),
    ]
)
