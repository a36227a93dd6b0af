import Foundation
import Testing

/// A grid worker's laptop in the field-event scenarios: a real `gridsync` replica bound to the daemon with the
/// worker's token, whose clock may be off (through libfaketime) and whose data folder can be backed up, put back
/// or copied to a second laptop, as happens in street offices.
struct FieldLaptop {
    /// The replica's binary and data folder; every run sees the laptop's clock.
    let gridsync: GridsyncBinary
    /// The worker's account key.
    let worker: String
    /// The grid (or, for the office, the community) it records in, as exports spell it.
    let scope: String
    let token: String
    let server: String
    /// How its first sync trusts the daemon (`--fingerprint …`, or `--plain`).
    let trust: [String]
    /// The file the token is kept in, as the worker would save the office's note.
    let tokenFile: URL

    /// A new laptop: an account for `worker` on the daemon, and a replica made with `gridsync init`.
    init(
        daemon: DaemonProcess, worker: String, scope: String, role: String = "worker", clockOffset: String? = nil
    ) throws {
        gridsync = GridsyncBinary(clockOffset: clockOffset)
        self.worker = worker
        self.scope = scope
        token = try daemon.addWorker(worker, scopes: [scope], role: role)
        server = daemon.address
        trust = daemon.trust
        tokenFile = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-token-\(UUID().uuidString)")
        try Data((token + "\n").utf8).write(to: tokenFile)
        try gridsync.succeed("init", "--worker", worker, "--grid", scope)
    }

    private init(_ laptop: FieldLaptop, data: URL, clockOffset: String?) {
        gridsync = GridsyncBinary(data: data, clockOffset: clockOffset)
        worker = laptop.worker
        scope = laptop.scope
        token = laptop.token
        server = laptop.server
        trust = laptop.trust
        tokenFile = laptop.tokenFile
    }

    /// The laptop's name in failure messages: its worker, and its clock if it is off.
    var name: String { worker + (gridsync.clockOffset.map { " (clock \($0))" } ?? "") }

    /// A second laptop made by copying this one's data folder, as a worker setting up a spare laptop does.
    func copy(clockOffset: String? = nil) throws -> FieldLaptop {
        FieldLaptop(self, data: try backUp(), clockOffset: clockOffset)
    }

    /// This laptop after its clock went wrong (a flat CMOS battery, a wrong date typed in the
    /// BIOS): the same data folder, every later run with its clock `clockOffset` off.
    func withClock(_ clockOffset: String) -> FieldLaptop {
        FieldLaptop(self, data: gridsync.data, clockOffset: clockOffset)
    }

    /// Copies the data folder aside, as a backup of the laptop would, and returns where the copy is.
    func backUp() throws -> URL {
        let backup = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-copy-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: gridsync.data, to: backup)
        return backup
    }

    /// Puts a backup back in place of the data folder (the backup stays, to be put back again).
    func restore(_ backup: URL) throws {
        try FileManager.default.removeItem(at: gridsync.data)
        try FileManager.default.copyItem(at: backup, to: gridsync.data)
    }

    /// Syncs with the daemon, with `options` added to `gridsync sync`; the sync must succeed.
    /// Returns its `--json` summary.
    @discardableResult
    func sync(_ options: String..., sourceLocation: SourceLocation = #_sourceLocation) throws -> SyncSummary {
        let result = try gridsync.run(
            ["sync", "--server", server, "--token-file", tokenFile.path, "--json"] + trust + options)
        try #require(
            result.status == 0, "gridsync sync on \(name)'s laptop failed:\n\(result.error)\n\(result.output)",
            sourceLocation: sourceLocation)
        do {
            return try JSONDecoder().decode(SyncSummary.self, from: Data(result.output.utf8))
        } catch {
            Issue.record(
                "the sync summary of \(name)'s laptop: \(error)\n\(result.output)", sourceLocation: sourceLocation)
            throw error
        }
    }

    /// Records a demand; returns its id.
    func addDemand(
        _ title: String, description: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> String {
        var arguments = ["demand", "add", "--title", title, "--category", "消防安全", "--json"]
        if let description { arguments += ["--description", description] }
        let result = try gridsync.run(arguments)
        let document = try? JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
        return try #require(
            document?["id"] as? String, "demand add on \(name)'s laptop failed: \(result.error)",
            sourceLocation: sourceLocation)
    }

    /// Runs `gridsync demand update <id>` with `arguments`; it must succeed.
    func update(_ id: String, _ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try gridsync.run(["demand", "update", id] + arguments)
        #expect(
            result.status == 0,
            "demand update \(arguments.joined(separator: " ")) on \(name)'s laptop failed: \(result.error)",
            sourceLocation: sourceLocation)
    }

    /// The export, one line per record, sorted.
    func export() throws -> [String] {
        try gridsync.succeed("export", "--format", "jsonl").split(separator: "\n").map(String.init).sorted()
    }

    /// `gridsync status --json`.
    func status() throws -> [String: Any] {
        try #require(try gridsync.json("status", "--json") as? [String: Any])
    }

    /// The replica id the laptop writes under now.
    func replica() throws -> String {
        try #require((try status()["identity"] as? [String: Any])?["replica"] as? String)
    }

    /// How many of its own ops the laptop has not sent yet.
    func unsent() throws -> Int {
        try #require(try status()["unsyncedOpCount"] as? Int)
    }

    /// Removes the data folder.
    func cleanUp() {
        gridsync.cleanUp()
        try? FileManager.default.removeItem(at: tokenFile)
    }
}

/// What `gridsync sync --json` prints.
struct SyncSummary: Decodable {
    /// The laptop's clock against the server's, measured in the handshake.
    struct Clock: Decodable {
        /// Milliseconds to add to the laptop's clock to read the server's.
        let offsetMilliseconds: Int64
        let summary: String
    }

    /// The new identity a laptop took after its numbering collided with the server's.
    struct IdentityChange: Decodable {
        let former: String
        let replica: String
        let reissued: Int
    }

    /// A push the server refused.
    struct Refusal: Decodable {
        let code: String
        let message: String
    }

    let pushed: Int
    let pulled: Int
    let compressed: Bool
    let bytesSent: Int
    let bytesReceived: Int
    let clock: Clock
    let recovered: Int
    let restamped: Int
    /// Ops the laptop gave back to a server restored from a backup (the server kept those it lacked).
    let givenBack: Int
    let identity: IdentityChange?
    let refused: Refusal?
    /// The photos the sync moved, and those it left on the server as too large for this laptop.
    struct Photos: Decodable {
        let sent, received, deferred: Int
    }
    let photos: Photos
}
