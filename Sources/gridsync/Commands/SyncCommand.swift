import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
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

    @Flag(help: "Pull every record again from the start (never needed after `gridsyncd restore`).")
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
        var store = try data.openStore()
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
        // The first sync found what to repair; after a new identity, a second one moves the edits.
        let first = try await sync(store, with: connector, settings: settings, toBeSent: before.unsyncedOpCount)
        var outcome = first
        if let newIdentity = first.summary.newIdentity {
            // This laptop's numbering collided with the server's (a copied or restored data
            // folder): it took a new identity and ended that sync; its unsent edits go out now.
            store = try data.openStore()
            precondition(store.identity.replica == newIdentity, "the replica reopened with its former identity")
            outcome = try await sync(store, with: connector, settings: settings, toBeSent: first.summary.reissued)
        }
        let moved = outcome.summary
        let after = try await store.status()
        let summary = Summary(
            server: settings.server, serverReplica: outcome.server.description, pushed: moved.pushed,
            pulled: moved.pulled, newConflicts: max(0, after.conflictCount - before.conflictCount),
            openConflicts: after.conflictCount, compressed: outcome.compressed, bytesSent: outcome.wireBytesOut,
            bytesReceived: outcome.wireBytesIn, at: after.lastSync ?? "",
            clock: Summary.Clock(offset: outcome.clockOffset),
            recovered: first.summary.recovered, restamped: moved.restamped, givenBack: moved.givenBack,
            identity: first.summary.newIdentity.map {
                Summary.IdentityChange(
                    former: before.identity.replica.description, replica: $0.description,
                    reissued: first.summary.reissued)
            },
            refused: moved.pushRefusal.map { Summary.Refusal(code: $0.code.rawValue, message: $0.message) })
        if output.json {
            print(try RecordPresenter.json(summary))
        } else {
            print(
                "synced with \(summary.server): sent \(summary.pushed) ops, received \(summary.pulled), "
                    + "\(summary.newConflicts) new conflicts (\(summary.openConflicts) open)")
            print(
                "on the wire: \(summary.bytesSent) bytes out, \(summary.bytesReceived) in"
                    + (summary.compressed ? " (compressed)" : ""))
            for line in summary.notes { print(line) }
        }
        if let refusal = moved.giveBackRefusal {
            FileHandle.standardError.write(
                Data(
                    ("the restored server would not take back some edits this laptop held: \(refusal.message) "
                        + "(\(refusal.code)); they are kept on this laptop; tell the office\n").utf8))
        }
        if let refusal = moved.pushRefusal {
            throw SyncError(
                SyncError.Code(rawValue: refusal.code.rawValue),
                "the server refused this laptop's changes: \(refusal.message)\nThey are kept here, unsent; "
                    + "ask the office (for example to add your grids to your account), then sync again")
        }
    }

    /// Runs one sync of `store`; the settings are saved as soon as the server has answered.
    private func sync(
        _ store: SQLiteReplicaStore, with connector: SyncConnector, settings: SyncSettings, toBeSent: Int
    ) async throws -> ClientSync.Outcome {
        let progress = SyncProgress(toBeSent: toBeSent, quiet: output.json)
        defer { progress.finish() }
        do {
            let outcome = try await connector.withConnection { connection in
                try await ClientSync(
                    store: store, token: settings.token, deflate: settings.compression, pullFromStart: full
                ).run(over: connection) { progress.update($0) }
            }
            try settings.attempted(failure: nil).save(in: data.folder)
            return outcome
        } catch let failure as ClientSync.Failure {
            let tlsHint =
                settings.tls && failure.error.message.contains("TLS failed")
                ? "\nCheck --ca, and that the server's certificate names the address in --server." : ""
            // The server answered and took the token: keep it, so that `gridsync sync` alone retries.
            try noteAttempt(failure: failure.description, settings: failure.welcomed ? settings : nil)
            throw SyncError(
                SyncError.Code(rawValue: failure.error.code.rawValue),
                "sync stopped: \(failure)\(tlsHint)\n\(failure.summary.pushed) ops sent and \(failure.summary.pulled) "
                    + "received before it stopped are kept; run `gridsync sync` again"
                    + (failure.error.code == .unauthorized ? " with a new --token" : ""))
        } catch let error as StoreError {
            throw error
        } catch {
            try noteAttempt(failure: "the server could not be reached: \(error)", settings: nil)
            throw SyncError(
                .unreachable,
                "cannot reach the server at \(settings.server) (\(error)): check the address and the network, "
                    + "and that gridsyncd runs there; your records are safe on this laptop")
        }
    }

    /// Notes a failed attempt in the data folder: with `settings` if the server took them,
    /// else with the settings saved before (untried ones are not kept).
    private func noteAttempt(failure: String, settings: SyncSettings?) throws {
        guard let kept = try settings ?? SyncSettings.load(from: data.folder) else { return }
        try kept.attempted(failure: failure).save(in: data.folder)
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
        let clock: Clock
        let recovered: Int
        let restamped: Int
        let givenBack: Int
        let identity: IdentityChange?
        let refused: Refusal?

        /// This laptop's clock against the server's, measured in the handshake.
        struct Clock: Encodable {
            /// Milliseconds to add to this laptop's clock to read the server's.
            let offset: Int64

            /// The offset in words: "this laptop's clock is 7 minutes slow".
            var words: String {
                let words = ClockOffsetWords.describe(offset)
                if offset.magnitude < ClockOffsetWords.agreement { return "this laptop's clock \(words)" }
                return "this laptop's clock \(words) against the server's; its edits are stamped with the server's time"
            }

            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(offset, forKey: .offsetMilliseconds)
                try container.encode(words, forKey: .summary)
            }

            enum CodingKeys: String, CodingKey { case offsetMilliseconds, summary }
        }

        /// The new identity this laptop took after its numbering collided with the server's.
        struct IdentityChange: Encodable {
            let former: String
            let replica: String
            let reissued: Int
        }

        /// What the worker is told besides the counts.
        var notes: [String] {
            var notes = [clock.words]
            if recovered > 0 {
                notes.append(
                    "got back \(recovered) of this laptop's own edits that it no longer held "
                        + "(its data folder was restored from an older backup)")
            }
            if let identity {
                notes.append(
                    "this laptop's data folder was copied or restored after it had written edits the server holds "
                        + "under the same numbers: it is now replica \(identity.replica) (was \(identity.former)), "
                        + "and sent its \(identity.reissued) unsent edits again under that identity; nothing is lost")
            }
            if givenBack > 0 {
                notes.append(
                    "the server was restored from a backup: this laptop gave back \(givenBack) edits it held "
                        + "(the server kept those it lacked) and fetched every record of its grids again")
            }
            if restamped > 0 {
                notes.append(
                    "\(restamped) edits written while this laptop's clock was ahead were given the server's time "
                        + "before they were sent, in the same order")
            }
            return notes
        }

        /// A push the server refused.
        struct Refusal: Encodable {
            let code: String
            let message: String
        }
    }
}
