// swift-tools-version: 6.1
// GridSync: offline-first sync of grid workers' visits, demands and micro-projects.
//
// Modules depend one way, top to bottom (see docs/ARCHITECTURE.md):
//   GridModel  <- GridMerge  <- GridStore    <- GridNet      <- gridsyncd, gridsync
//                           <- GridProtocol <-
//                           <- GridAccounts                 <- gridsyncd, gridsync-inspect
//   GridStorePostgres (GridStore, GridAccounts on PostgreSQL)  <- gridsyncd, gridsync-inspect
//   GridConsole (the office's web console: GridStore, GridAccounts, Hummingbird) <- gridsyncd
//   GridCommandLine (running, --json, tables) serves the three programs.
//   GridTesting depends on everything it helps test.
import PackageDescription

let package = Package(
    name: "GridSync",
    products: [
        .library(name: "GridModel", targets: ["GridModel"]),
        .library(name: "GridMerge", targets: ["GridMerge"]),
        .library(name: "GridStore", targets: ["GridStore"]),
        .library(name: "GridStorePostgres", targets: ["GridStorePostgres"]),
        .library(name: "GridProtocol", targets: ["GridProtocol"]),
        .library(name: "GridTesting", targets: ["GridTesting"]),
        .library(name: "GridNet", targets: ["GridNet"]),
        .library(name: "GridCommandLine", targets: ["GridCommandLine"]),
        .library(name: "GridWeb", targets: ["GridWeb"]),
        .library(name: "GridConsole", targets: ["GridConsole"]),
        .executable(name: "gridsync", targets: ["gridsync"]),
        .executable(name: "gridsyncd", targets: ["gridsyncd"]),
        .executable(name: "gridsync-inspect", targets: ["gridsync-inspect"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/x-sheep/swift-property-based.git", from: "2.0.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/adam-fowler/compress-nio.git", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // What is recorded: record types, schemas, merge kinds, labels, validation. Foundation, and
        // swift-crypto's SHA-1 for the name-based ids of reference records.
        .target(name: "GridModel", dependencies: [.product(name: "Crypto", package: "swift-crypto")]),
        // How concurrent edits merge: the hybrid logical clock, ops and the merge kinds. Pure, no I/O.
        .target(name: "GridMerge", dependencies: ["GridModel"]),
        // The replica: op log, materialized records, heads, conflicts, peer cursors; SQLite through GRDB.
        .target(
            name: "GridStore",
            dependencies: [
                "GridMerge", "CZlib", .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // The daemons' op log and accounts on PostgreSQL, shared by several daemons: commit-ordered
        // numbering, admission, pulls by scope. Through postgres-nio.
        .target(
            name: "GridStorePostgres",
            dependencies: [
                "GridMerge", "GridStore", "GridAccounts",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "_ConnectionPoolModule", package: "postgres-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The system's zlib: the sending half of a connection's deflate stream, whose strategy
        // changes between messages (CompressNIO's compressor cannot), and the CRC-32 of ZIP exports.
        .systemLibrary(name: "CZlib", path: "Sources/CZlib"),
        // The line protocol: messages, limits, deflate framing and the sans-I/O sessions.
        .target(
            name: "GridProtocol",
            dependencies: [
                "GridMerge", "CZlib", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
        // SwiftNIO: the daemon's listener, the field client's connector, TLS, timeouts, and the
        // drivers that run the protocol sessions against a replica store.
        .target(
            name: "GridNet",
            dependencies: [
                "GridProtocol", "GridStore",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
            ]
        ),
        // What the command-line programs share: running with JSON refusals, --json, tables.
        .target(
            name: "GridCommandLine",
            dependencies: [
                "GridModel", "GridStore", .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // The field client for grid workers.
        .executableTarget(
            name: "gridsync",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridProtocol", "GridNet", "GridCommandLine", "GridFieldUI",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The daemon's accounts: workers, scopes, hashed tokens, and the replicas that sync.
        .target(
            name: "GridAccounts",
            dependencies: [
                "GridModel", "GridMerge",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
            ]
        ),
        // The sync daemon on the street office's server.
        .executableTarget(
            name: "gridsyncd",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridProtocol", "GridNet", "GridCommandLine", "GridAccounts",
                "GridStorePostgres", "GridConsole",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "X509", package: "swift-certificates"),
            ]
        ),
        // Conflict inspection and resolution for office staff.
        .executableTarget(
            name: "gridsync-inspect",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridStorePostgres", "GridAccounts", "GridCommandLine",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // What the office's console and the worker's own screen share: form bodies, a page's language,
        // the look, and the lists and record pages both show.
        .target(
            name: "GridWeb",
            dependencies: [
                "GridModel", "GridMerge", "GridStore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The office's web console: sign-in, records, conflicts, devices and the report, served
        // by the daemon over HTTPS from either store. Hummingbird and Mustache templates.
        .target(
            name: "GridConsole",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridAccounts", "GridWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // The grid worker's own screen (`gridsync ui`): the laptop's replica as a small web app on
        // the loopback address. Hummingbird and Mustache templates, like the console.
        .target(
            name: "GridFieldUI",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridWeb",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Mustache", package: "swift-mustache"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
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
        // Runs against the PostgreSQL that tools/test starts (GRIDSYNC_TEST_POSTGRES).
        .testTarget(
            name: "GridStorePostgresTests",
            dependencies: [
                "GridModel", "GridMerge", "GridStore", "GridStorePostgres", "GridAccounts", "GridTesting",
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ]
        ),
        .testTarget(
            name: "GridProtocolTests",
            dependencies: [
                "GridModel", "GridMerge", "GridProtocol", "GridStore", "GridNet", "GridTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "PropertyBased", package: "swift-property-based"),
            ]
        ),
        .testTarget(
            name: "GridConsoleTests",
            dependencies: [
                "GridConsole", "GridWeb", "GridStore", "GridAccounts", "GridMerge", "GridModel", "GridTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GridFieldUITests",
            dependencies: [
                "GridFieldUI", "GridWeb", "GridStore", "GridMerge", "GridModel", "GridTesting",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        .testTarget(
            name: "GridAccountsTests",
            dependencies: ["GridAccounts", "GridMerge", "GridModel", .product(name: "GRDB", package: "GRDB.swift")],
            resources: [.copy("Fixtures")]
        ),
        // Runs the real `gridsync` binary, as a grid worker would.
        .testTarget(
            name: "gridsyncTests",
            dependencies: [
                "GridModel", "GridMerge", "GridProtocol", "GridStore", "GridTesting",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "CompressNIO", package: "compress-nio"),
            ]
        ),
    ]
)
