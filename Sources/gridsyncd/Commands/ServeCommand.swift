import ArgumentParser
import Foundation
import GridCommandLine
import GridNet
import GridProtocol
import GridStore
import GridStorePostgres
import Logging
import NIOCore
import ServiceLifecycle

/// `gridsyncd serve`: run the daemon.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve field clients from the street's replica (the default command).",
        discussion: """
            The first start makes the data folder (readable by its owner only), the replica in it, and the \
            daemon's own TLS certificate (tls/ in the data folder) unless one is configured; it prints the \
            certificate's fingerprint, which laptops pin on their first sync. Stop with SIGTERM (or Ctrl-C): \
            every connection finishes the message in flight, then closes; after shutdown-grace seconds (30) \
            the rest are closed. Logs go to standard error, one logfmt line per event (with syslog priorities \
            under systemd).

            Examples:
              gridsyncd serve
              gridsyncd serve --listen 0.0.0.0:7420 --metrics 127.0.0.1:9420 --data /var/lib/gridsyncd
              gridsyncd serve --tls-certificate /etc/gridsyncd/cert.pem --tls-key /etc/gridsyncd/key.pem
              gridsyncd serve --plain --listen 127.0.0.1:7420
              GRIDSYNCD_LOG_LEVEL=debug gridsyncd serve
            """)

    @OptionGroup var daemon: DaemonOptions

    @Option(help: ArgumentHelp("Where field clients connect (default 0.0.0.0:7420).", valueName: "host:port"))
    var listen: String?

    @Option(help: ArgumentHelp("The Prometheus endpoint (default 127.0.0.1:9420), or off.", valueName: "host:port"))
    var metrics: String?

    @Option(
        help: ArgumentHelp(
            "The office's web console, host:port (HTTPS with the daemon's certificate), or off (the default).",
            valueName: "host:port"))
    var console: String?

    @Option(help: ArgumentHelp("A PEM certificate chain (default: the daemon's own).", valueName: "file"))
    var tlsCertificate: String?

    @Option(help: ArgumentHelp("The certificate's PEM private key.", valueName: "file"))
    var tlsKey: String?

    @Flag(help: "Serve plain TCP, without TLS (laptops must then be told --plain too).")
    var plain = false

    @Option(help: ArgumentHelp("trace, debug, info (default), notice, warning, error or critical.", valueName: "level"))
    var logLevel: String?

    func run() async throws {
        let configuration = try daemon.configuration(flags: [
            "listen": listen, "metrics": metrics, "console": console, "tls-certificate": tlsCertificate,
            "tls-key": tlsKey,
            "log-level": logLevel, "tls": plain ? "off" : nil,
        ])
        var logger = Logger(label: "gridsyncd") { LogfmtHandler(label: $0) }
        logger.logLevel = configuration.logLevel
        let folder = try await DaemonFolder.open(configuration, logger: logger)
        defer { folder.database?.close() }
        let certificate = try configuration.certificateFiles.map(DaemonCertificate.load)
        let gate = ConnectionGate(limits: configuration.gate)
        let listener: SyncListener
        do {
            listener = try await SyncListener.bind(
                SyncListener.Configuration(
                    host: configuration.listen.host, port: configuration.listen.port, tls: certificate?.context,
                    timeouts: configuration.timeouts, memory: configuration.memory))
        } catch {
            throw DaemonError(
                .cannotListen,
                "cannot listen on \(configuration.listen) (\(error)): is another program using that port? "
                    + "Choose another address with --listen")
        }
        for note in configuration.ignored { logger.warning("\(note)") }
        let metrics = DaemonMetrics(budget: listener.budget)
        var services: [any Service] = []
        var metricsURL = "off"
        if let address = configuration.metrics {
            do {
                let endpoint = try await MetricsEndpoint.bind(host: address.host, port: address.port)
                services.append(MetricsService(endpoint: endpoint, metrics: metrics))
                metricsURL = "http://\(DaemonConfiguration.Endpoint(host: address.host, port: endpoint.port))/metrics"
            } catch {
                listener.shutdown(within: .zero, gate: gate)
                throw DaemonError(
                    .cannotListen,
                    "cannot serve metrics on \(address) (\(error)): choose another address with --metrics, or --metrics off"
                )
            }
        }
        // Services stop in reverse order: sync drains first, then the records take in the last
        // pushes, while the metrics can still be read.
        if let replica = folder.replica {
            services.append(DerivationService(loop: DerivationLoop(store: replica), metrics: metrics, logger: logger))
        }
        if let address = configuration.console {
            services.append(
                try ConsoleService.make(
                    at: address, folder: folder, configuration: configuration,
                    fingerprint: certificate.map { "\($0.fingerprint)" }, logger: logger))
        }
        if let mirror = folder.mirror {
            services.append(
                RecordTablesService(
                    publisher: RecordPublisher(mirror: mirror, timeZone: configuration.timeZone), logger: logger))
        }
        let files = folder.files(configuration)
        if let files { services.append(FileCollector(files: files, metrics: metrics, logger: logger)) }
        services.append(
            SyncService(
                listener: listener,
                connection: ServerConnection(
                    store: folder.store, files: files,
                    authority: AccountAuthority(accounts: folder.accounts), gate: gate,
                    limits: configuration.limits, compression: configuration.compression),
                gate: gate, limits: configuration.limits, grace: .seconds(Int64(configuration.shutdownGrace)),
                logger: logger,
                observer: DaemonObserver(
                    metrics: metrics, accounts: folder.accounts, logger: logger, trimmer: MemoryTrimmer())))
        let bound = DaemonConfiguration.Endpoint(host: configuration.listen.host, port: listener.port)
        let transport =
            certificate.map { "TLS, certificate \($0.fingerprint)\($0.isNew ? ", made just now" : "")" } ?? "plain TCP"
        let trust = certificate.map { " --fingerprint \($0.fingerprint)" } ?? " --plain"
        // Written at once, unbuffered: whoever started the daemon may be waiting for it.
        StandardStream.output.write(
            """
            gridsyncd is serving \(folder.location)
              sync:    \(bound) (\(transport), compression \(configuration.compression ? "on" : "off"))
              metrics: \(metricsURL)
            Connect a field client:
              1. here, as the user gridsyncd runs as:
                 gridsyncd worker add w001 --grid c01/g01 \(configuration.file.map { "--config \($0)" } ?? "--data \(configuration.data)")
              2. on the laptop (it asks for the token printed by step 1):
                 gridsync sync --server \(Self.advertised(bound))\(trust)

            """)
        logger.info(
            "serving",
            metadata: [
                "listen": "\(bound)", "data": "\(configuration.data)", "store": "\(folder.location)",
                "new_replica": "\(folder.isNew)",
                "replica": "\(folder.store.identity.replica)",
                "tls": "\(certificate.map { "\($0.fingerprint)" } ?? "off")",
            ])
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        withExtendedLifetime(folder.lock) {}
    }

    /// The address a client should use: this host's name when listening on every address.
    private static func advertised(_ endpoint: DaemonConfiguration.Endpoint) -> String {
        guard endpoint.host == "0.0.0.0" || endpoint.host == "::" else { return "\(endpoint)" }
        return "\(ProcessInfo.processInfo.hostName):\(endpoint.port)"
    }
}
