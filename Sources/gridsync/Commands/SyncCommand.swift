import ArgumentParser
import Foundation
import GridCommandLine
import GridNet
import GridProtocol
import GridStore
import NIOCore
import NIOSSL

/// `gridsync sync`: push this replica's new ops to the daemon, then pull everyone else's.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send this laptop's records to the street office's server and fetch the others' (push, then pull).",
        discussion: """
            The first sync needs --server and --token (from `gridsyncd worker add` at the office); they are \
            kept in the data folder for next time. A sync cut off part-way (a dropped mobile link) loses \
            nothing: run it again and it resumes. Progress goes to standard error; the summary to standard output.

            Examples:
              gridsync sync --server 192.168.1.10:7420 --token gst_…
              gridsync sync
              gridsync sync --server office.example.org:7420 --tls --ca /etc/gridsync/office-ca.pem
              gridsync sync --json
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    @Option(help: ArgumentHelp("The server, host:port (kept for next time).", valueName: "host:port"))
    var server: String?

    @Option(
        help: ArgumentHelp("Your token from the office (kept for next time). Or $GRIDSYNC_TOKEN.", valueName: "token"))
    var token: String?

    @Flag(inversion: .prefixedNo, help: "Connect over TLS, or not (kept for next time; default: not).")
    var tls: Bool?

    @Option(help: ArgumentHelp("For TLS: a PEM file of the certificates to trust.", valueName: "file"))
    var ca: String?

    @Flag(inversion: .prefixedNo, help: "Ask the server to compress, or not (kept for next time; default: compress).")
    var compression: Bool?

    @Flag(help: "Pull every record again (after the office restored the server from a backup).")
    var full = false

    @Option(help: ArgumentHelp("Seconds to wait for the server before giving up (default 30).", valueName: "seconds"))
    var timeout: Int = 30

    func validate() throws {
        if let token, !Message.isValidToken(token) {
            throw ValidationError(
                "the token has characters a token never has: copy it again from `gridsyncd worker add`")
        }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 3600 seconds") }
    }

    func run() async throws {
        let store = try data.openStore()
        let settings = try settings()
        let (host, port) = try settings.endpoint()
        let context: NIOSSLContext?
        do {
            context = settings.tls ? try TLSFiles.client(trusting: settings.certificateAuthority) : nil
        } catch {
            throw SyncError(.tls, "\(error)")
        }
        let before = try await store.status()
        let connector = SyncConnector(
            host: host, port: port, tls: context,
            timeouts: ConnectionTimeouts(handshake: .seconds(Int64(timeout)), idle: .seconds(Int64(timeout))))
        let progress = SyncProgress(toBeSent: before.unsyncedOpCount, quiet: output.json)
        let outcome: ClientSync.Outcome
        do {
            outcome = try await connector.withConnection { connection in
                try await ClientSync(
                    store: store, token: settings.token, deflate: settings.compression, pullFromStart: full
                ).run(over: connection) { progress.update($0) }
            }
        } catch let failure as ClientSync.Failure {
            progress.finish()
            let tlsHint =
                settings.tls && failure.error.message.contains("TLS failed")
                ? "\nCheck --ca, and that the server's certificate names the address in --server." : ""
            throw SyncError(
                SyncError.Code(rawValue: failure.error.code.rawValue),
                "sync stopped: \(failure)\(tlsHint)\n\(failure.summary.pushed) ops sent and \(failure.summary.pulled) "
                    + "received before it stopped are kept; run `gridsync sync` again"
                    + (failure.error.code == .unauthorized ? " with a new --token" : ""))
        } catch let error as StoreError {
            progress.finish()
            throw error
        } catch {
            progress.finish()
            throw SyncError(
                .unreachable,
                "cannot reach the server at \(settings.server) (\(error)): check the address and the network, "
                    + "and that gridsyncd runs there; your records are safe on this laptop")
        }
        progress.finish()
        try settings.save(in: data.folder)
        let after = try await store.status()
        let summary = Summary(
            server: settings.server, serverReplica: outcome.server.description, pushed: outcome.summary.pushed,
            pulled: outcome.summary.pulled, newConflicts: max(0, after.conflictCount - before.conflictCount),
            openConflicts: after.conflictCount, compressed: outcome.compressed, bytesSent: outcome.wireBytesOut,
            bytesReceived: outcome.wireBytesIn, at: after.lastSync ?? "",
            refused: outcome.summary.pushRefusal.map { Summary.Refusal(code: $0.code.rawValue, message: $0.message) })
        if output.json {
            print(try RecordPresenter.json(summary))
        } else {
            print(
                "synced with \(summary.server): sent \(summary.pushed) ops, received \(summary.pulled), "
                    + "\(summary.newConflicts) new conflicts (\(summary.openConflicts) open)")
            print(
                "on the wire: \(summary.bytesSent) bytes out, \(summary.bytesReceived) in"
                    + (summary.compressed ? " (compressed)" : ""))
        }
        if let refusal = outcome.summary.pushRefusal {
            throw SyncError(
                SyncError.Code(rawValue: refusal.code.rawValue),
                "the server refused this laptop's changes: \(refusal.message)\nThey are kept here, unsent; "
                    + "ask the office (for example to add your grids to your account), then sync again")
        }
    }

    /// The saved settings, with this command's options over them.
    private func settings() throws -> SyncSettings {
        let saved = try SyncSettings.load(from: data.folder)
        let environmentToken = ProcessInfo.processInfo.environment["GRIDSYNC_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        guard let server = server ?? saved?.server else {
            throw SyncError(.settings, "no server yet: give --server host:port and --token (ask the office for both)")
        }
        guard let token = token ?? environmentToken ?? saved?.token else {
            throw SyncError(.settings, "no token yet: give --token (the office prints one with `gridsyncd worker add`)")
        }
        // A relative --ca is kept as an absolute path: the next sync may run from elsewhere.
        let authority = ca.map { URL(fileURLWithPath: $0).standardizedFileURL.path } ?? saved?.certificateAuthority
        return SyncSettings(
            server: server, token: token, tls: tls ?? saved?.tls ?? false, certificateAuthority: authority,
            compression: compression ?? saved?.compression ?? true)
    }

    /// What `--json` prints.
    struct Summary: Encodable {
        let server: String
        let serverReplica: String
        let pushed: Int
        let pulled: Int
        let newConflicts: Int
        let openConflicts: Int
        let compressed: Bool
        let bytesSent: Int
        let bytesReceived: Int
        let at: String
        let refused: Refusal?

        /// A push the server refused.
        struct Refusal: Encodable {
            let code: String
            let message: String
        }
    }
}
