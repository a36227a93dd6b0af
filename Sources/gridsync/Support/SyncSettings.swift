import Foundation

/// Where this replica syncs: the daemon's address, the worker's token, and TLS; kept in
/// `server.json` in the data folder, readable by its owner only (the token is a credential).
struct SyncSettings: Codable, Hashable {
    /// The daemon, `host:port`.
    var server: String
    /// The worker's bearer token.
    var token: String
    /// Whether to use TLS.
    var tls: Bool = false
    /// A PEM file of the certificates to trust for TLS (else the system's).
    var certificateAuthority: String?
    /// Whether to ask for compression.
    var compression: Bool = true
    /// When the last sync was tried (ISO 8601), whether or not it finished.
    var lastAttempt: String?
    /// Why the last attempt did not finish, or `nil` if it did.
    var lastFailure: String?

    static let fileName = "server.json"

    /// The settings saved in `folder`, if any.
    static func load(from folder: String) throws -> SyncSettings? {
        let path = (folder as NSString).appendingPathComponent(fileName)
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        do {
            return try JSONDecoder().decode(SyncSettings.self, from: data)
        } catch {
            throw SyncError(
                .settings, "\(path) cannot be read (\(error)): give --server and --token again to rewrite it")
        }
    }

    /// Saves the settings in `folder`, readable by the owner only, replacing the file whole.
    func save(in folder: String) throws {
        let path = (folder as NSString).appendingPathComponent(Self.fileName)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = try encoder.encode(self)
        let temporary = path + ".new"
        guard FileManager.default.createFile(atPath: temporary, contents: data, attributes: [.posixPermissions: 0o600]),
            rename(temporary, path) == 0
        else {
            throw SyncError(.settings, "cannot write \(path): check the data folder's permissions")
        }
    }

    /// The host and port of ``server``.
    func endpoint() throws -> (host: String, port: Int) {
        guard let colon = server.lastIndex(of: ":"), let port = Int(server[server.index(after: colon)...]),
            (1...65535).contains(port), colon != server.startIndex
        else {
            throw SyncError(.settings, "'\(server)' is not host:port: give --server like 192.168.1.10:7420")
        }
        var host = String(server[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return (host, port)
    }
}

/// A sync that could not run or did not finish; what was stored before is kept.
struct SyncError: Error, Hashable, CustomStringConvertible {
    /// A stable code: a protocol error code, or one of these.
    struct Code: RawRepresentable, Hashable {
        let rawValue: String

        /// The server or the token are not set, or cannot be read.
        static let settings = Code(rawValue: "settings")
        /// The server cannot be reached.
        static let unreachable = Code(rawValue: "unreachable")
        /// TLS could not be set up.
        static let tls = Code(rawValue: "tls")
    }

    var code: Code
    var message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    var description: String { message }
}

extension SyncSettings {
    /// These settings, noting an attempt to sync now and how it ended (`nil`: it finished).
    func attempted(failure: String?) -> SyncSettings {
        var settings = self
        settings.lastAttempt = Date().formatted(.iso8601)
        settings.lastFailure = failure
        return settings
    }
}
