import Foundation
import GridModel
import GridNet
import GridProtocol

/// Where this replica syncs: the daemon's address, the worker's token, and how the daemon is
/// trusted; kept in `server.json` in the data folder, readable by its owner only (the token
/// is a credential).
struct SyncSettings: Codable, Hashable {
    /// The daemon, `host:port`.
    var server: String
    /// The worker's bearer token.
    var token: String
    /// Whether to sync over plain TCP, as the office said (TLS otherwise).
    var plain = false
    /// The fingerprint of the daemon's certificate, pinned on the first sync.
    var fingerprint: String?
    /// A PEM file of the certificate authorities to trust for TLS, instead of a fingerprint.
    var certificateAuthority: String?
    /// Whether to ask for compression.
    var compression: Bool = true
    /// Photos larger than this many bytes are left on the server until asked for (`nil`:
    /// every photo comes with the sync).
    var deferPhotosOver: Int64?
    /// When the last sync was tried (ISO 8601), whether or not it finished.
    var lastAttempt: String?
    /// Why the last attempt did not finish, or `nil` if it did.
    var lastFailure: String?

    static let fileName = "server.json"

    init(
        server: String, token: String, plain: Bool, fingerprint: String?, certificateAuthority: String?,
        compression: Bool
    ) {
        self.server = server
        self.token = token
        self.plain = plain
        self.fingerprint = fingerprint
        self.certificateAuthority = certificateAuthority
        self.compression = compression
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        server = try container.decode(String.self, forKey: .server)
        token = try container.decode(String.self, forKey: .token)
        fingerprint = try container.decodeIfPresent(String.self, forKey: .fingerprint)
        certificateAuthority = try container.decodeIfPresent(String.self, forKey: .certificateAuthority)
        compression = try container.decodeIfPresent(Bool.self, forKey: .compression) ?? true
        deferPhotosOver = try container.decodeIfPresent(Int64.self, forKey: .deferPhotosOver)
        lastAttempt = try container.decodeIfPresent(String.self, forKey: .lastAttempt)
        lastFailure = try container.decodeIfPresent(String.self, forKey: .lastFailure)
        // Settings saved before TLS was the default say `"tls": false` for plain TCP.
        let legacyTLS = try LegacyKeys.decode(from: decoder)
        plain = try container.decodeIfPresent(Bool.self, forKey: .plain) ?? (legacyTLS == false)
    }

    private enum CodingKeys: String, CodingKey {
        case server, token, plain, fingerprint, certificateAuthority, compression, deferPhotosOver, lastAttempt
        case lastFailure
    }

    /// The `tls` flag of settings saved by an older gridsync.
    private enum LegacyKeys: String, CodingKey {
        case tls

        static func decode(from decoder: any Decoder) throws -> Bool? {
            try decoder.container(keyedBy: LegacyKeys.self).decodeIfPresent(Bool.self, forKey: .tls)
        }
    }

    /// How the daemon is reached: `nil` for plain TCP, else TLS that trusts the pinned
    /// fingerprint or the certificate authorities.
    ///
    /// - Throws: ``SyncError`` when TLS has nothing to trust yet (a first sync without
    ///   `--fingerprint`), or its files cannot be used.
    func transport() throws -> ClientTLS? {
        guard !plain else { return nil }
        let trust: ClientTLS.Trust
        if let fingerprint {
            guard let pinned = CertificateFingerprint(fingerprint) else {
                throw SyncError(
                    .settings, "the pinned fingerprint '\(fingerprint)' cannot be read: give --fingerprint again")
            }
            trust = .fingerprint(pinned)
        } else if let certificateAuthority {
            trust = .authority(certificateAuthority)
        } else {
            throw SyncError(
                .settings,
                "the first sync needs the server's fingerprint: give --fingerprint sha256:… as the office printed it "
                    + "(with your token, by `gridsyncd worker add`), or --ca FILE if the office has its own "
                    + "certificate authority")
        }
        do {
            return try ClientTLS(trust: trust)
        } catch {
            throw SyncError(.tls, "\(error)")
        }
    }

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

    /// The host and port of each server in ``server``: one, or several separated by commas
    /// (the daemons of a district, all on one database), tried in that order.
    func endpoints() throws -> [(host: String, port: Int)] {
        let addresses = server.split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces) }
        return try addresses.map { address in
            guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]),
                (1...65535).contains(port), colon != address.startIndex
            else {
                throw SyncError(
                    .settings,
                    "'\(address)' is not host:port: give --server like 192.168.1.10:7420, or several separated "
                        + "by commas (10.0.0.11:7420,10.0.0.12:7420)")
            }
            var host = String(address[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            return (host, port)
        }
    }
}

/// A sync that could not run or did not finish; what was stored before is kept.
///
/// Its code is a protocol error code (the server's refusal, or the client's own) or one of
/// the codes below.
struct SyncError: CodedError {
    typealias Code = ErrorCode<SyncError>

    var code: Code
    var message: String
    var cause: ErrorCause?

    init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause.map(ErrorCause.init)
    }
}

extension ErrorCode<SyncError> {
    /// The server or the token are not set, or cannot be read.
    static var settings: Self { "settings" }
    /// The server cannot be reached.
    static var unreachable: Self { "unreachable" }
    /// TLS could not be set up.
    static var tls: Self { "tls" }
    /// The server presented another certificate than the one pinned.
    static var certificateChanged: Self { "certificate-changed" }
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

extension SyncError {
    /// Whether another server of a list may do what this one could not: it could not be
    /// reached, or it was busy or without its database for a moment.
    var isWorthAnotherServer: Bool {
        code == .unreachable || code.rawValue == ProtocolError.Code.unavailable.rawValue
    }
}
