import GridAccounts
import ArgumentParser
import Foundation
import GridCommandLine
import GridNet
import GridStore
import GridStorePostgres
import Logging

/// `gridsyncd check-config`: show and check the configuration without serving.
struct CheckConfigCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-config",
        abstract: "Show every setting with where it came from, and check that the daemon could start with them.",
        discussion: """
            Checks the values, that the TLS files load, and that the data folder holds a replica the daemon can \
            open (or can be made); with store = postgres://…, that the database answers and holds a schema this \
            gridsyncd can open (or none yet). Writes nothing. Exits with status 1 if anything is wrong, saying what. Settings come from \
            flags, then the environment (GRIDSYNCD_<KEY>, for example GRIDSYNCD_LISTEN), then the file, then \
            the defaults.

            Examples:
              gridsyncd check-config
              gridsyncd check-config --config /etc/gridsyncd/gridsyncd.conf
              gridsyncd check-config --json
            """)

    @OptionGroup var daemon: DaemonOptions
    @OptionGroup var output: OutputOptions

    func run() async throws {
        let configuration = try daemon.configuration()
        var problems: [String] = []
        var fingerprint: CertificateFingerprint?
        if let files = configuration.certificateFiles,
            !files.isOwn || FileManager.default.fileExists(atPath: files.certificate)
        {
            do {
                _ = try TLSFiles.server(certificate: files.certificate, key: files.key)
                fingerprint = try CertificateFingerprint.ofPEMFile(files.certificate)
            } catch {
                problems.append("\(error)")
            }
        }
        let replica = (configuration.data as NSString).appendingPathComponent(SQLiteReplicaStore.fileName)
        var schema: String?
        if let address = configuration.store {
            let database = PostgresConnections(address, connections: 1, logger: Logger(label: "gridsyncd"))
            defer { database.close() }
            do {
                let (found, current) = try await PostgresServerStore.check(client: database.client)
                schema =
                    found == 0
                    ? "none yet: the first daemon to start makes it (version \(current))"
                    : "version \(found)\(found < current ? ", upgraded to \(current) when a daemon starts" : "")"
            } catch {
                problems.append("\(address): \(error)")
            }
        }
        if configuration.store != nil {
            // The op log and the accounts are in PostgreSQL; the folder holds the lock and the certificate.
            if !Self.canMake(configuration.data) {
                problems.append(
                    "the data folder \(configuration.data) cannot be made or written: create it, or choose another with --data"
                )
            }
        } else if FileManager.default.fileExists(atPath: replica) {
            do {
                _ = try SQLiteReplicaStore.check(in: configuration.data)
            } catch {
                problems.append("\(error)")
            }
        } else if !Self.canMake(configuration.data) {
            problems.append(
                "the data folder \(configuration.data) cannot be made or written: create it, or choose another with --data"
            )
        }
        for file in [AccountStore.fileName, SQLiteReplicaStore.fileName] {
            let path = (configuration.data as NSString).appendingPathComponent(file)
            if FileManager.default.fileExists(atPath: path), !FileManager.default.isWritableFile(atPath: path) {
                problems.append(
                    "\(path) is not writable by this user: run gridsyncd as the user that owns it, or fix its owner")
            }
        }
        if output.json {
            let document: [String: Any] = [
                "settings": configuration.table.map { ["key": $0.key, "value": $0.value, "source": $0.source] },
                "problems": problems,
                "ignored": configuration.ignored,
                "fingerprint": fingerprint?.description ?? NSNull(),
                "store_schema": schema ?? NSNull(),
            ]
            let data = try JSONSerialization.data(
                withJSONObject: document, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
            print(String(decoding: data, as: UTF8.self))
        } else {
            let width = configuration.table.map(\.key.count).max() ?? 0
            for row in configuration.table {
                let value = row.value.isEmpty ? "-" : row.value
                print("\(row.key.padding(toLength: width, withPad: " ", startingAt: 0))  \(value)  (\(row.source))")
            }
            if let fingerprint { print("\ncertificate fingerprint: \(fingerprint)") }
            if let schema { print("PostgreSQL schema: \(schema)") }
            if !configuration.ignored.isEmpty {
                print("\nignored:\n  " + configuration.ignored.joined(separator: "\n  "))
            }
            print(
                problems.isEmpty
                    ? "\nthe configuration is good" : "\nproblems:\n  " + problems.joined(separator: "\n  "))
        }
        if !problems.isEmpty { throw ExitCode(1) }
    }

    /// Whether `folder` exists and is writable, or could be made.
    private static func canMake(_ folder: String) -> Bool {
        var path = (folder as NSString).isAbsolutePath ? folder : "./" + folder
        while !FileManager.default.fileExists(atPath: path) {
            let parent = (path as NSString).deletingLastPathComponent
            guard parent != path, !parent.isEmpty else { return false }
            path = parent
        }
        return FileManager.default.isWritableFile(atPath: path)
    }
}
