import ArgumentParser
import Foundation
import GridCommandLine
import GridMerge
import GridModel
import GridNet
import GridProtocol
import GridStore
import NIOCore

/// `gridsync sync`: push this replica's new ops to the daemon, then pull everyone else's.
struct SyncCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sync",
        abstract: "Send this laptop's records to the street office's server and fetch the others' (push, then pull).",
        discussion: """
            The first sync needs the server's address, its certificate's fingerprint and your token, all three \
            from the office (`gridsyncd worker add` prints them). It asks for the token (typed or pasted, not \
            shown), or reads it from --token-file (- for standard input) or $GRIDSYNC_TOKEN; a token on the \
            command line is visible to every user of the laptop. They are kept in the data folder, and the \
            fingerprint pinned: a server that shows another certificate later is refused. Sync is encrypted \
            (TLS) unless the office says to use --plain. A sync cut off part-way (a dropped mobile link) loses \
            nothing: run it again and it resumes. A district's daemons on one database may be given as a list, \
            host:port,host:port: each sync tries them in that order and uses the first that answers; any of them \
            continues where the last left off. Progress goes to standard error; the summary to standard output.

            Examples:
              gridsync sync --server 192.168.1.10:7420 --fingerprint sha256:3f2a…
              gridsync sync
              gridsync sync --server 192.168.1.10:7420 --fingerprint sha256:3f2a… --token-file token.txt
              gridsync sync --server office.example.org:7420 --ca /etc/gridsync/office-ca.pem
              gridsync sync --server 10.0.0.11:7420,10.0.0.12:7420,10.0.0.13:7420 --fingerprint sha256:3f2a…
              gridsync sync --json
              gridsync sync --defer-photos-over 2    # photos over 2 MB wait until asked for
              gridsync sync --fetch 5f0e2a1c          # the photos of that record, whatever their size
            """)

    @OptionGroup var data: DataOptions
    @OptionGroup var output: OutputOptions

    @Option(
        help: ArgumentHelp(
            "The server, host:port, or several tried in turn, separated by commas (kept for next time).",
            valueName: "host:port"))
    var server: String?

    @Option(
        help: ArgumentHelp(
            "A file holding your token from the office, or - for standard input (kept for next time).",
            valueName: "file"))
    var tokenFile: String?

    @Option(
        help: ArgumentHelp(
            "Your token (visible to other users: prefer the question, --token-file or $GRIDSYNC_TOKEN).",
            valueName: "token"))
    var token: String?

    @Option(
        help: ArgumentHelp(
            "The fingerprint of the server's certificate, from the office (pinned for next time).",
            valueName: "sha256:…"))
    var fingerprint: String?

    @Option(help: ArgumentHelp("Trust the server's certificate if this PEM authority issued it.", valueName: "file"))
    var ca: String?

    @Flag(help: "Sync over plain TCP, unencrypted, only when the office runs the server so (kept for next time).")
    var plain = false

    @Flag(help: "Sync over TLS again after --plain (the default).")
    var tls = false

    @Flag(inversion: .prefixedNo, help: "Ask the server to compress, or not (kept for next time; default: compress).")
    var compression: Bool?

    @Flag(help: "Pull every record again from the start (never needed after `gridsyncd restore`).")
    var full = false

    @Option(
        help: ArgumentHelp(
            "Leave photos larger than this many MB on the server until asked for with --fetch; 0 fetches every "
                + "photo again (kept for next time; default: every photo comes).",
            valueName: "MB"))
    var deferPhotosOver: Double?

    @Option(
        help: ArgumentHelp(
            "Fetch this record's photos whatever their size (its id, or its first 4 or more characters; repeatable).",
            valueName: "record"))
    var fetch: [String] = []

    @Option(help: ArgumentHelp("Seconds to wait for the server before giving up (default 30).", valueName: "seconds"))
    var timeout: Int = 30

    func validate() throws {
        if let token, !Message.isValidToken(token) {
            throw ValidationError(
                "the token has characters a token never has: copy it again from `gridsyncd worker add`")
        }
        if let fingerprint, CertificateFingerprint(fingerprint) == nil {
            throw ValidationError(
                "'\(fingerprint)' is not a fingerprint: copy it from the office as printed, sha256: and 64 "
                    + "hexadecimal digits")
        }
        if plain, tls || fingerprint != nil || ca != nil {
            throw ValidationError("--plain is without TLS: leave out --tls, --fingerprint and --ca")
        }
        guard (1...3600).contains(timeout) else { throw ValidationError("--timeout must be 1 to 3600 seconds") }
        if let deferPhotosOver, !(0...10_000).contains(deferPhotosOver) {
            throw ValidationError("--defer-photos-over is in MB, from 0 (fetch every photo) to 10000")
        }
    }

    func run() async throws {
        var store = try data.openStore()
        let settings = try settings()
        var wanted: Set<FileID> = []
        for record in fetch { wanted.formUnion(PhotoFiles.photos(of: try await PhotoFiles.record(record, in: store))) }
        let endpoints = try settings.endpoints()
        let transport = try settings.transport()
        let before = try await store.status()
        let timeouts = ConnectionTimeouts(
            handshake: .seconds(Int64(timeout)), idle: .seconds(Int64(timeout)),
            message: .seconds(Int64(max(timeout, 120))))
        // Each server in turn, until one answers: the first sync found what to repair; after a
        // new identity, a second one, with the same server, moves the edits.
        var served: (connector: SyncConnector, address: String, outcome: ClientSync.Outcome)?
        for (index, endpoint) in endpoints.enumerated() {
            let connector = SyncConnector(host: endpoint.host, port: endpoint.port, tls: transport, timeouts: timeouts)
            let address = endpoints.count == 1 ? settings.server : "\(endpoint.host):\(endpoint.port)"
            do {
                let outcome = try await sync(
                    store, with: connector, address: address, settings: settings, toBeSent: before.unsyncedOpCount,
                    wanted: wanted)
                served = (connector, address, outcome)
                break
            } catch let error as SyncError where index + 1 < endpoints.count && error.isWorthAnotherServer {
                // What this one took is stored: the next one goes on from there.
                StandardStream.error.write(
                    "\(address): \(error.message.split(separator: "\n")[0]); trying the next server\n")
            }
        }
        guard let served else { preconditionFailure("the last server's failure is thrown") }
        let first = served.outcome
        var outcome = first
        if let newIdentity = first.summary.newIdentity {
            // This laptop's numbering collided with the server's (a copied or restored data
            // folder): it took a new identity and ended that sync; its unsent edits go out now.
            store = try data.openStore()
            precondition(store.identity.replica == newIdentity, "the replica reopened with its former identity")
            outcome = try await sync(
                store, with: served.connector, address: served.address, settings: settings,
                toBeSent: first.summary.reissued, wanted: wanted)
        }
        let moved = outcome.summary
        // Photos no record names any more (detached here or on another laptop) go a week after
        // they were stored, in case a record gets them back.
        let keptFiles = try await store.namedFiles()
        _ = try? data.files.collect(
            keeping: keptFiles, storedBefore: Date().addingTimeInterval(-FileStore.gracePeriod),
            unfinishedBefore: Date().addingTimeInterval(-FileStore.unfinishedGracePeriod))
        let after = try await store.status()
        let summary = Summary(
            server: served.address, serverReplica: outcome.server.description, pushed: moved.pushed,
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
            refused: moved.pushRefusal.map { Summary.Refusal(code: $0.code.rawValue, message: $0.message) },
            photos: Summary.Photos(
                sent: moved.files.sent, received: moved.files.received, bytesSent: moved.files.bytesSent,
                bytesReceived: moved.files.bytesReceived, deferred: moved.files.deferred,
                bytesDeferred: moved.files.deferredBytes,
                refused: moved.files.refusals.map { Summary.Refusal(code: $0.code.rawValue, message: $0.message) }))
        if output.json {
            print(try RecordPresenter.json(summary))
        } else {
            print(
                "synced with \(summary.server): sent \(summary.pushed) edits, received \(summary.pulled); "
                    + "\(summary.newConflicts) new conflicts (\(summary.openConflicts) open)")
            print(
                "on the wire: \(summary.bytesSent) bytes out, \(summary.bytesReceived) in"
                    + (summary.compressed ? " (compressed)" : ""))
            for line in summary.notes { print(line) }
        }
        if let refusal = moved.giveBackRefusal {
            StandardStream.error.write(
                "the restored server would not take back some edits this laptop held: \(refusal.message) "
                    + "(\(refusal.code)); they are kept on this laptop; tell the office\n")
        }
        if let refusal = moved.pushRefusal {
            let advice =
                refusal.code == .diskFull
                ? "everyone else's records were received; sync again once the office has made room"
                : "ask the office (for example to add your grids to your account), then sync again"
            throw SyncError(
                SyncError.Code(rawValue: refusal.code.rawValue),
                "the server refused this laptop's changes: \(refusal.message)\nThey are kept here, unsent; \(advice)")
        }
    }

    /// Runs one sync of `store`; the settings are saved as soon as the server has answered.
    private func sync(
        _ store: SQLiteReplicaStore, with connector: SyncConnector, address: String, settings: SyncSettings,
        toBeSent: Int, wanted: Set<FileID>
    ) async throws -> ClientSync.Outcome {
        let progress = SyncProgress(toBeSent: toBeSent, quiet: output.json)
        defer { progress.finish() }
        do {
            let outcome = try await connector.withConnection { connection in
                var sync = ClientSync(
                    store: store, files: data.files, token: settings.token, deflate: settings.compression,
                    pullFromStart: full)
                sync.deferPhotosOver = settings.deferPhotosOver
                sync.photosWanted = wanted
                return try await sync.run(over: connection) { progress.update($0) }
            }
            try settings.attempted(failure: nil).save(in: data.folder)
            return outcome
        } catch let failure as ClientSync.Failure {
            if let changed = certificateChange(connector.tls) {
                try noteAttempt(failure: changed.message, settings: nil)
                throw changed
            }
            let tlsHint = Self.transportHint(failure, plain: settings.plain)
            // The server answered and took the token: keep it, so that `gridsync sync` alone retries.
            try noteAttempt(failure: failure.description, settings: failure.welcomed ? settings : nil)
            throw SyncError(
                SyncError.Code(rawValue: failure.error.code.rawValue),
                "sync stopped: \(failure)\(tlsHint)\(Self.versionHint(failure))\n\(failure.summary.pushed) edits sent "
                    + "and \(failure.summary.pulled) received before it stopped are kept; run `gridsync sync` again"
                    + (failure.error.code == .unauthorized
                        ? " with the new token from the office: `gridsync sync --token-file -` and paste it" : ""))
        } catch let error as StoreError {
            throw error
        } catch {
            if let changed = certificateChange(connector.tls) {
                try noteAttempt(failure: changed.message, settings: nil)
                throw changed
            }
            try noteAttempt(failure: "the server could not be reached: \(error)", settings: nil)
            throw SyncError(
                .unreachable,
                "cannot reach the server at \(address) (\(error)): check the address and the network, "
                    + "and that gridsyncd runs there; your records are safe on this laptop")
        }
    }

    /// Notes a failed attempt in the data folder: with `settings` if the server took them,
    /// else with the settings saved before (untried ones are not kept).
    private func noteAttempt(failure: String, settings: SyncSettings?) throws {
        guard let kept = try settings ?? SyncSettings.load(from: data.folder) else { return }
        try kept.attempted(failure: failure).save(in: data.folder)
    }

    /// A refusal of a server whose certificate is not the one pinned, if that is why the
    /// connection failed.
    private func certificateChange(_ tls: ClientTLS?) -> SyncError? {
        guard let tls, case .fingerprint(let pinned) = tls.trust, let presented = tls.presented.fingerprint,
            presented != pinned
        else { return nil }
        return SyncError(
            .certificateChanged,
            """
            the server presented another certificate than the one this laptop trusts:
              trusted:   \(pinned)
              presented: \(presented)
            Nothing was sent. If the office replaced the server's certificate, ask them for the new fingerprint \
            and run `gridsync sync --fingerprint <new fingerprint>`. If they did not, someone may be between this \
            laptop and the office: do not sync, and tell the office.
            """)
    }

    /// What to do when the server and this laptop speak different protocol versions: the
    /// office's daemon is older than this laptop's `gridsync` (the daemon serves older laptops).
    private static func versionHint(_ failure: ClientSync.Failure) -> String {
        guard failure.error.code == .version else { return "" }
        return "\nThis laptop's gridsync speaks \(Message.version); the office's gridsyncd is older and must be "
            + "upgraded first (laptops may follow later). Your records are safe on this laptop"
    }

    /// What to check when a connection fails in a way that a wrong transport explains.
    private static func transportHint(_ failure: ClientSync.Failure, plain: Bool) -> String {
        // A plain server refuses the TLS hello as a malformed line and closes: the laptop sees the
        // handshake fail, or, when the close comes first, its first write fail on the closed channel.
        if !plain, !failure.welcomed,
            failure.error.message.contains("TLS failed") || failure.error.message.contains("closed channel")
        {
            return "\nIf the office runs the server without TLS, they will tell you to sync with --plain; "
                + "with --ca, check that the server's certificate names the address in --server."
        }
        // A TLS server closes on the plain HELLO without a word; a full one says so.
        if plain, !failure.welcomed, !failure.fromServer, failure.error.code == .unavailable {
            return "\nThe server may use TLS (the default): sync without --plain, with --fingerprint from the office."
        }
        return ""
    }

    /// The saved settings, with this command's options over them.
    private func settings() throws -> SyncSettings {
        let saved = try SyncSettings.load(from: data.folder)
        guard let server = server ?? saved?.server else {
            throw SyncError(
                .settings,
                "no server yet: give --server host:port and --fingerprint (the office prints both with your token)")
        }
        guard let token = try givenToken() ?? saved?.token else {
            throw SyncError(
                .settings,
                "no token yet: run this in a terminal to type it, or give --token-file FILE or $GRIDSYNC_TOKEN "
                    + "(the office prints one with `gridsyncd worker add`)")
        }
        var settings = SyncSettings(
            server: server, token: token, plain: saved?.plain ?? false, fingerprint: saved?.fingerprint,
            certificateAuthority: saved?.certificateAuthority, compression: compression ?? saved?.compression ?? true)
        settings.deferPhotosOver = saved?.deferPhotosOver
        if let deferPhotosOver {
            settings.deferPhotosOver = deferPhotosOver > 0 ? Int64(deferPhotosOver * 1_048_576) : nil
        }
        // What this command says replaces how the server was trusted.
        if plain { settings.plain = true }
        if tls { settings.plain = false }
        if let pinned = fingerprint.flatMap(CertificateFingerprint.init) {
            settings.plain = false
            settings.fingerprint = pinned.description
            settings.certificateAuthority = nil
        }
        if let ca {
            settings.plain = false
            // Kept as an absolute path: the next sync may run from elsewhere.
            settings.certificateAuthority = URL(fileURLWithPath: ca).standardizedFileURL.path
            settings.fingerprint = nil
        }
        return settings
    }

    /// The token this command is given: `--token-file`, `--token`, `$GRIDSYNC_TOKEN`, or typed
    /// at a question when there is none saved and a terminal to ask in.
    private func givenToken() throws -> String? {
        let found: String?
        if let tokenFile {
            found = try TokenInput.read(file: tokenFile)
        } else if let token {
            StandardStream.error.write(
                "note: a token given with --token is visible to every user of this laptop while the sync "
                    + "runs; it is kept, so next time leave it out\n")
            found = token
        } else if let environment = ProcessInfo.processInfo.environment["GRIDSYNC_TOKEN"], !environment.isEmpty {
            found = environment
        } else if (try? SyncSettings.load(from: data.folder))??.token == nil, !output.json {
            found = try TokenInput.ask()
        } else {
            found = nil
        }
        guard let found else { return nil }
        let token = found.trimmingCharacters(in: .whitespacesAndNewlines)
        guard Message.isValidToken(token) else {
            throw SyncError(
                .settings, "the token has characters a token never has: copy it again from `gridsyncd worker add`")
        }
        return token
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
        let photos: Photos

        /// The photos moved after the edits, and why some were not.
        struct Photos: Encodable {
            let sent, received: Int
            let bytesSent, bytesReceived: Int64
            /// Photos left on the server as larger than the laptop's limit, and their bytes.
            let deferred: Int
            let bytesDeferred: Int64
            let refused: [Refusal]
        }

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
            if photos.sent > 0 || photos.received > 0 {
                notes.append(
                    "photos: \(photos.sent) sent (\(FileStore.megabytes(Int(photos.bytesSent)))), "
                        + "\(photos.received) received (\(FileStore.megabytes(Int(photos.bytesReceived))))")
            }
            if photos.deferred > 0 {
                notes.append(
                    "\(photos.deferred) photos larger than this laptop's limit were left on the server "
                        + "(\(FileStore.megabytes(Int(photos.bytesDeferred)))): `gridsync sync --fetch RECORD` brings a "
                        + "record's photos, `gridsync sync --defer-photos-over 0` all of them")
            }
            let waiting = photos.refused.filter { $0.code == ProtocolError.Code.fileUnknown.rawValue }.count
            if waiting > 0 {
                notes.append(
                    "\(waiting) photos could not be moved yet (not on the server yet, or their record not yet there): "
                        + "they move at a later sync")
            }
            for refusal in photos.refused where refusal.code != ProtocolError.Code.fileUnknown.rawValue {
                notes.append("a photo was not sent (\(refusal.code)): \(refusal.message)")
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
