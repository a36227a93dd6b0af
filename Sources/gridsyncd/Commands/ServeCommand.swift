import ArgumentParser
import Foundation
import GridNet
import GridProtocol
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// `gridsyncd serve`: run the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve field clients from the street's replica (the default command).",
        discussion: """
            The first start makes the data folder and the replica in it. Stop with SIGTERM (or Ctrl-C): \
            every connection finishes the message in flight, then closes. Logs go to standard error, one \
            logfmt line per event (with syslog priorities under systemd).

            Examples:
              gridsyncd serve
              gridsyncd serve --listen 0.0.0.0:7420 --metrics 127.0.0.1:9420 --data /var/lib/gridsyncd
              gridsyncd serve --tls-certificate /etc/gridsyncd/cert.pem --tls-key /etc/gridsyncd/key.pem
              GRIDSYNCD_LOG_LEVEL=debug gridsyncd serve
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(help: ArgumentHelp("Where field clients connect (default 0.0.0.0:7420).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("The Prometheus endpoint (default 127.0.0.1:9420), or off.", valueName: "host:port"))
    var metrics: String?

    @Option(help: ArgumentHelp("A PEM certificate chain: serve over TLS.", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key.", valueName: "file"))
    var tlsKey: String?

    @Option(help: ArgumentHelp("trace, debug, info (default), notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        let configuration = try daemon.configuration(flags: [
            "listen": listen, "metrics": metrics, "tls-certificate": tlsCertificate, "tls-key": tlsKey,
            "log-level": logLevel,
        ])
        var logger = Logger(label: "gridsyncd") { LogfmtHandler(label: $0) }
        logger.logLevel = configuration.logLevel
        let folder = try DaemonFolder.open(configuration.data)
        let tls: NIOSSLContext? = try configuration.tlsCertificate.map { certificate in
            try TLSFiles.server(certificate: certificate, key: configuration.tlsKey!)
        }
        let listener: SyncListener
        do {
            listener = try await SyncListener.bind(
                SyncListener.Configuration(
                    host: configuration.listen.host, port: configuration.listen.port, tls: tls,
                    timeouts: ConnectionTimeouts(
                        handshake: .seconds(Int64(configuration.handshakeTimeout)),
                        idle: .seconds(Int64(configuration.idleTimeout))),
                    maxConnections: configuration.maxConnections, messageMemory: configuration.messageMemory))
        } catch {
            throw DaemonError(
                .cannotListen,
                "cannot listen on \(configuration.listen) (\(error)): is another gridsyncd running? "
                    + "Choose another address with --listen")
        }
        for note in configuration.ignored { logger.warning("\(note)") }
        let metrics = DaemonMetrics()
        var services: [any Service] = [
            SyncService(
                listener: listener,
                connection: ServerConnection(
                    store: folder.store, authority: folder.accounts, limits: configuration.limits,
                    compression: configuration.compression),
                limits: configuration.limits, logger: logger,
                observer: DaemonObserver(metrics: metrics, accounts: folder.accounts, logger: logger))
        ]
        var metricsURL = "off"
        if let address = configuration.metrics {
            do {
                let endpoint = try await MetricsEndpoint.bind(host: address.host, port: address.port)
                services.append(MetricsService(endpoint: endpoint, metrics: metrics))
                metricsURL = "http://\(DaemonConfiguration.Endpoint(host: address.host, port: endpoint.port))/metrics"
            } catch {
                listener.shutdown()
                throw DaemonError(
                    .cannotListen,
                    "cannot serve metrics on \(address) (\(error)): choose another address with --metrics, or --metrics off"
                )
            }
        }
        let bound = DaemonConfiguration.Endpoint(host: configuration.listen.host, port: listener.port)
        // Written at once, unbuffered: whoever started the daemon may be waiting for it.
        FileHandle.standardOutput.write(
            Data(
                """
                gridsyncd is serving the replica in \(configuration.data)
                  sync:    \(bound) (\(tls == nil ? "plain TCP" : "TLS"), compression \(configuration.compression ? "on" : "off"))
                  metrics: \(metricsURL)
                Connect a field client:
                  1. here, as the user gridsyncd runs as:
                     gridsyncd worker add w001 --grid c01/g01 \(configuration.file.map { "--config \($0)" } ?? "--data \(configuration.data)")
                  2. on the laptop:
                     gridsync sync --server \(Self.advertised(bound)) --token <the token printed by step 1>\(tls == nil ? "" : " --tls --ca <the office's CA certificate>")

                """.utf8))
        logger.info(
            "serving",
            metadata: [
                "listen": "\(bound)", "data": "\(configuration.data)", "new_replica": "\(folder.isNew)",
                "replica": "\(folder.store.identity.replica)",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }

    /// The address a client should use: this host's name when listening on every address.
    private static func advertised(_ endpoint: DaemonConfiguration.Endpoint) -> String {
        guard endpoint.host == "0.0.0.0" || endpoint.host == "::" else { return "\(endpoint)" }
        return "\(ProcessInfo.processInfo.hostName):\(endpoint.port)"
    }
}
