import Foundation
import GridCommandLine
import GridConsole
import GridStore
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// The office's web console (``Console``) as one of the daemon's services: over HTTPS with
/// the daemon's own certificate (plain HTTP only when the daemon runs `tls = off`), reading
/// the daemon's replica (a folder's, or the mirror of PostgreSQL's op log). When it listens,
/// it writes `console: https://host:port` on standard output.
enum ConsoleService {
    static func make(
        at address: DaemonConfiguration.Endpoint, folder: DaemonFolder, configuration: DaemonConfiguration,
        fingerprint: String?, logger: Logger
    ) throws -> any Service {
        let records: Console.Records
        let files = folder.files(configuration)?.files
        if let mirror = folder.mirror {
            records = Console.Records(
                store: mirror.replica, log: mirror.server, files: files, sendDecisions: { try await mirror.send() })
        } else if let replica = folder.replica {
            records = Console.Records(store: replica, files: files)
        } else {
            throw DaemonError(.badConfiguration, "the console needs the daemon's records, and this store has none")
        }
        var settings = Console.Settings()
        settings.secure = configuration.tls
        settings.timeZone = configuration.timeZone
        settings.fingerprint = fingerprint
        let console = try Console(records: records, accounts: folder.accounts, settings: settings)
        let scheme = configuration.tls ? "https" : "http"
        let onRunning: @Sendable (any Channel) async -> Void = { channel in
            let port = channel.localAddress?.port ?? address.port
            _ = StandardStream.output.write(
                "  console: \(scheme)://\(DaemonConfiguration.Endpoint(host: address.host, port: port))/\n")
            logger.info("console serving", metadata: ["console": "\(address.host):\(port)"])
        }
        let server: HTTPServerBuilder
        if let files = configuration.certificateFiles {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(files.certificate).map {
                    NIOSSLCertificateSource.certificate($0)
                }
                let key = try NIOSSLPrivateKey(file: files.key, format: .pem)
                server = try .tls(
                    .http1(),
                    tlsConfiguration: .makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key)))
            } catch {
                throw DaemonError(
                    .badConfiguration, "the console cannot use the certificate \(files.certificate): \(error)")
            }
        } else {
            server = .http1()
        }
        var consoleLogger = logger
        consoleLogger.logLevel = max(logger.logLevel, .notice)
        return Server(
            application: Application(
                router: console.router(), server: server,
                configuration: .init(address: .hostname(address.host, port: address.port), serverName: "gridsyncd"),
                onServerRunning: onRunning, logger: consoleLogger),
            address: address)
    }

    /// The console's application, whose failure to take its address says what to do.
    private struct Server<Served: Service>: Service {
        let application: Served
        let address: DaemonConfiguration.Endpoint

        func run() async throws {
            do {
                try await application.run()
            } catch let error as IOError where [EADDRINUSE, EADDRNOTAVAIL, EACCES].contains(error.errnoCode) {
                throw DaemonError(
                    .cannotListen,
                    "cannot serve the console on \(address) (\(error)): is another gridsyncd using that port? "
                        + "Choose another address with --console (lan:7422, 0.0.0.0:7421), or --console off")
            }
        }
    }
}
