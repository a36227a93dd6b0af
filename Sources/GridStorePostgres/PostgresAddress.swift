import Foundation
import NIOSSL
import GridStore
import PostgresNIO

/// Where the daemons' database is, as an operator writes it: a `postgres://` URL.
///
///     postgres://gridsync:secret@db.office.lan:5432/gridsync?sslmode=require
///
/// `sslmode` is `disable`, `prefer` (the default: TLS when the server offers it) or `require`
/// (refuse a server without TLS). A password may instead come from the environment
/// (`PGPASSWORD`), so that it stays out of the configuration file.
public struct PostgresAddress: Hashable, Sendable, CustomStringConvertible {
    /// How the connection is protected.
    public enum TLSMode: String, Hashable, Sendable, CaseIterable {
        case disable, prefer, require
    }

    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String
    public var tls: TLSMode

    /// Parses `text`.
    ///
    /// - Throws: ``StoreError/Code/database`` naming what is wrong with it.
    public init(_ text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws {
        func refuse(_ why: String) -> StoreError {
            StoreError(
                .database,
                "the store address \(Self.redacted(text)) \(why): write it as postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )
        }
        guard let url = URLComponents(string: text), ["postgres", "postgresql"].contains(url.scheme ?? "") else {
            throw refuse("is not a postgres:// URL")
        }
        guard let host = url.host, !host.isEmpty else { throw refuse("names no host") }
        guard let user = url.user, !user.isEmpty else { throw refuse("names no user") }
        let database = String(url.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else { throw refuse("names no database") }
        var tls = TLSMode.prefer
        for item in url.queryItems ?? [] {
            switch item.name {
            case "sslmode":
                guard let mode = item.value.flatMap(TLSMode.init(rawValue:)) else {
                    throw refuse("has sslmode=\(item.value ?? ""); use disable, prefer or require")
                }
                tls = mode
            default:
                throw refuse("has the unknown parameter \(item.name); only sslmode is read")
            }
        }
        self.host = host
        self.port = url.port ?? 5432
        self.username = user
        self.password = url.password ?? environment["PGPASSWORD"]
        self.database = database
        self.tls = tls
    }

    /// The address with its password hidden, for logs and messages.
    public var description: String {
        let password = password == nil ? "" : ":***"
        return "postgres://\(username)\(password)@\(host):\(port)/\(database)?sslmode=\(tls.rawValue)"
    }

    /// `text` with any password hidden.
    static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? "(the address)"
    }

    /// The client configuration, with at most `connections` pooled connections.
    public func configuration(connections: Int) -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS =
            switch self.tls {
            case .disable: .disable
            case .prefer: .prefer(.makeClientConfiguration())
            case .require: .require(.makeClientConfiguration())
            }
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = connections
        configuration.options.connectTimeout = .seconds(5)
        return configuration
    }
}
