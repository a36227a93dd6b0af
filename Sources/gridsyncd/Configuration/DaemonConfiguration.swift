import Foundation
import GridCommandLine
import GridNet
import GridProtocol
import GridStore
import GridStorePostgres
import Logging

/// Everything `gridsyncd serve` needs, each value from a flag, else the environment
/// (`GRIDSYNCD_<KEY>`), else the configuration file (`key = value`), else its default.
struct DaemonConfiguration: Sendable {
    /// The data folder: the daemon's replica, its accounts, and by default its configuration file.
    var data = DaemonConfiguration.defaultDataFolder()
    /// Where the op log and the accounts are: the data folder's SQLite files (`nil`, the
    /// default), or a PostgreSQL database that several daemons share.
    var store: PostgresAddress?
    /// The most connections to PostgreSQL this daemon holds open at once.
    var storeConnections = 10
    /// Where field clients connect.
    var listen = Endpoint(host: "0.0.0.0", port: 7420)
    /// Where Prometheus scrapes, or `nil` for no metrics endpoint.
    var metrics: Endpoint? = Endpoint(host: "127.0.0.1", port: 9420)
    /// Where the office's web console is served (over TLS with the daemon's certificate
    /// unless `tls = off`), or `nil` for none: by default the server's address on the office's
    /// network (``LANAddress``), port 7421.
    var console: Endpoint? = Endpoint(host: LANAddress.current(), port: 7421)
    /// Whether sync runs over TLS (the default) or plain TCP.
    var tls = true
    /// The PEM certificate chain and key for TLS; both or neither. Neither: the daemon's own,
    /// made in the data folder on first start.
    var tlsCertificate: String?
    var tlsKey: String?
    /// Whether to compress connections whose clients ask.
    var compression = true
    /// The largest file (photo) a laptop may send.
    var files = FileLimits()
    /// Connections at once: in all, from one address, with one worker's token; and wrong
    /// tokens from one address in a minute.
    var gate = ConnectionGate.Limits()
    /// The daemon's memory: 64 MiB for itself, and the rest for its connections and the
    /// messages they are reading.
    var memory = SyncListener.Configuration.defaultMemory
    /// Seconds allowed for the handshake, to wait for a message to start, and for a message
    /// to arrive whole.
    var handshakeTimeout = 10
    var idleTimeout = 60
    var messageTimeout = 120
    /// Seconds that shutting down waits for connections to finish their message in flight.
    var shutdownGrace = 30
    /// The protocol limits.
    var limits = Limits.standard
    /// The office's time zone: the dates the record tables in PostgreSQL write into text
    /// (a project's stages, the dates of log entries), the same on every daemon.
    var timeZone = TimeZone.current
    /// The least important log lines written.
    var logLevel = Logger.Level.info
    /// Where each value came from (`default`, `file <path>`, `environment`, `flag`), by key.
    var sources: [String: String] = [:]
    /// The configuration file read, if any.
    var file: String?
    /// Settings of an older GridSync that this one ignores, with why, for the log and check-config.
    var ignored: [String] = []

    /// Settings an older GridSync had, which configuration files may still name: ignored.
    static let retired = [
        "inflation-ratio": "gridsync/2 has no ratio rule; message-bytes and memory bound memory",
        "message-memory":
            "memory replaces it and bounds the whole daemon, 64 MiB of its own included (256 MiB unless set); "
            + "to keep the connections' share, set memory to message-memory + 67108864",
    ]

    /// A host and port.
    struct Endpoint: Hashable, Sendable, CustomStringConvertible {
        var host: String
        var port: Int

        /// Parses `host:port` (or `[v6]:port`).
        init?(_ text: String) {
            guard let colon = text.lastIndex(of: ":"), let port = Int(text[text.index(after: colon)...]),
                (0...65535).contains(port)
            else { return nil }
            var host = String(text[..<colon])
            if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
            guard !host.isEmpty else { return nil }
            self.init(host: host, port: port)
        }

        init(host: String, port: Int) {
            self.host = host
            self.port = port
        }

        var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
    }

    /// One configurable value.
    struct Setting: Sendable {
        let key: String
        let help: String
        let apply: @Sendable (inout DaemonConfiguration, String) -> String?
        let show: @Sendable (DaemonConfiguration) -> String

        /// The environment variable that sets it.
        var environmentName: String { Self.environmentName(of: key) }

        /// The environment variable that sets the setting `key`: `GRIDSYNCD_MESSAGE_BYTES` for `message-bytes`.
        static func environmentName(of key: String) -> String {
            "GRIDSYNCD_" + key.uppercased().replacingOccurrences(of: "-", with: "_")
        }
    }

    /// Every setting, in the order `check-config` shows them.
    static let settings: [Setting] = [
        Setting(key: "data", help: "the data folder") { c, v in
            c.data = v
            return v.isEmpty ? "give a folder" : nil
        } show: {
            $0.data
        },
        Setting(
            key: "store",
            help: "folder (the data folder's SQLite, the default) or postgres://USER:PASSWORD@HOST:PORT/DATABASE, "
                + "shared by several daemons"
        ) { c, v in
            if v == "folder" {
                c.store = nil
                return nil
            }
            do {
                c.store = try PostgresAddress(v)
                return nil
            } catch {
                return "\(error)"
            }
        } show: {
            $0.store.map(\.description) ?? "folder"
        },
        number("store-connections", "the most connections to PostgreSQL at once", 1...500) {
            $0.storeConnections = $1
        } show: {
            $0.storeConnections
        },
        Setting(key: "listen", help: "host:port where field clients connect") { c, v in
            guard let endpoint = Endpoint(v) else { return "give host:port, for example 0.0.0.0:7420" }
            c.listen = endpoint
            return nil
        } show: {
            "\($0.listen)"
        },
        Setting(key: "metrics", help: "host:port of the Prometheus endpoint, or off") { c, v in
            if v == "off" {
                c.metrics = nil
                return nil
            }
            guard let endpoint = Endpoint(v) else { return "give host:port, for example 127.0.0.1:9420, or off" }
            c.metrics = endpoint
            return nil
        } show: {
            $0.metrics.map(\.description) ?? "off"
        },
        Setting(
            key: "console",
            help:
                "host:port of the office's web console (HTTPS with the daemon's certificate): lan:7421 (the default) "
                + "is the server's address on the office's network (a private one, else 127.0.0.1); or off"
        ) { c, v in
            if v == "off" {
                c.console = nil
                return nil
            }
            guard var endpoint = Endpoint(v) else {
                return "give host:port, for example lan:7421 (the office's network) or 0.0.0.0:7421, or off"
            }
            if endpoint.host == LANAddress.keyword { endpoint.host = LANAddress.current() }
            c.console = endpoint
            return nil
        } show: {
            $0.console.map(\.description) ?? "off"
        },
        Setting(key: "tls", help: "on (default) or off: off serves plain TCP, for laptops told --plain") { c, v in
            guard v == "on" || v == "off" else { return "give on or off" }
            c.tls = v == "on"
            return nil
        } show: {
            $0.tls ? "on" : "off"
        },
        Setting(key: "tls-certificate", help: "PEM certificate chain for TLS (default: the daemon's own)") { c, v in
            c.tlsCertificate = v.isEmpty ? nil : v
            return nil
        } show: {
            $0.tlsCertificate ?? ""
        },
        Setting(key: "tls-key", help: "PEM private key for TLS") { c, v in
            c.tlsKey = v.isEmpty ? nil : v
            return nil
        } show: {
            $0.tlsKey ?? ""
        },
        Setting(key: "compression", help: "on or off: compress when a client asks") { c, v in
            guard v == "on" || v == "off" else { return "give on or off" }
            c.compression = v == "on"
            return nil
        } show: {
            $0.compression ? "on" : "off"
        },
        number(
            "memory",
            "the daemon's memory: 64 MiB for itself, the rest for connections (256 KiB each while open) and the messages they are reading",
            SyncListener.Configuration.ownMemory...(1 << 40)
        ) {
            $0.memory = $1
        } show: {
            $0.memory
        },
        number("max-file-bytes", "the largest photo a laptop may send, in bytes (10 MiB)", 1...(1 << 32)) {
            $0.files.fileBytes = $1
        } show: {
            $0.files.fileBytes
        },
        number("max-photos-per-record", "the most photos of one record the daemon keeps (20)", 1...10_000) {
            $0.files.filesPerRecord = $1
        } show: {
            $0.files.filesPerRecord
        },
        number(
            "max-unfinished-bytes",
            "the most bytes of photos not yet whole (syncs cut while they came) kept at once, in bytes (1 GiB)",
            1...(1 << 40)
        ) {
            $0.files.unfinishedBytes = $1
        } show: {
            $0.files.unfinishedBytes
        },
        number("max-connections", "the most connections at once", 1...100_000) {
            $0.gate.connections = $1
        } show: {
            $0.gate.connections
        },
        number("max-connections-per-address", "the most connections at once from one IP address", 1...100_000) {
            $0.gate.perAddress = $1
        } show: {
            $0.gate.perAddress
        },
        number("max-connections-per-worker", "the most connections at once with one worker's token", 1...1_000) {
            $0.gate.perWorker = $1
        } show: {
            $0.gate.perWorker
        },
        number("token-failures", "wrong tokens from one address in a minute before it must wait", 1...100_000) {
            $0.gate.failures = $1
        } show: {
            $0.gate.failures
        },
        number("handshake-timeout", "seconds allowed to finish the handshake", 1...3_600) {
            $0.handshakeTimeout = $1
        } show: {
            $0.handshakeTimeout
        },
        number("idle-timeout", "seconds to wait for a message to start", 1...86_400) {
            $0.idleTimeout = $1
        } show: {
            $0.idleTimeout
        },
        number("message-timeout", "seconds for a message to arrive whole, once started", 1...86_400) {
            $0.messageTimeout = $1
        } show: {
            $0.messageTimeout
        },
        number("shutdown-grace", "seconds shutting down waits for messages in flight", 1...3_600) {
            $0.shutdownGrace = $1
        } show: {
            $0.shutdownGrace
        },
        number("line-bytes", "the longest line, in bytes", 1_024...16 * 1024 * 1024) {
            $0.limits.lineBytes = $1
        } show: {
            $0.limits.lineBytes
        },
        number("ops-per-batch", "the most ops in one batch", 1...100_000) {
            $0.limits.opsPerBatch = $1
        } show: {
            $0.limits.opsPerBatch
        },
        number("message-bytes", "the most bytes in one message, inflated", 4_096...1024 * 1024 * 1024) {
            $0.limits.messageBytes = $1
        } show: {
            $0.limits.messageBytes
        },
        Setting(
            key: "time-zone",
            help: "the office's time zone, for dates in the record tables on PostgreSQL (default: the system's, or $TZ)"
        ) { c, v in
            guard let zone = TimeZone(identifier: v) else {
                return "not a time zone: give one such as Asia/Shanghai"
            }
            c.timeZone = zone
            return nil
        } show: {
            $0.timeZone.identifier
        },
        Setting(key: "log-level", help: "trace, debug, info, notice, warning, error or critical") { c, v in
            guard let level = Logger.Level(rawValue: v) else {
                return "give trace, debug, info, notice, warning, error or critical"
            }
            c.logLevel = level
            return nil
        } show: {
            $0.logLevel.rawValue
        },
    ]

    private static func number(
        _ key: String, _ help: String, _ range: ClosedRange<Int>,
        _ set: @escaping @Sendable (inout DaemonConfiguration, Int) -> Void,
        show: @escaping @Sendable (DaemonConfiguration) -> Int
    ) -> Setting {
        Setting(key: key, help: help) { c, v in
            guard let value = Int(v), range.contains(value) else {
                return "give a whole number from \(range.lowerBound) to \(range.upperBound)"
            }
            set(&c, value)
            return nil
        } show: {
            "\(show($0))"
        }
    }

    /// The configuration from flags, the environment and a file, checked.
    ///
    /// The file is `file` if given (`--config`, else `$GRIDSYNCD_CONFIG`), else
    /// `gridsyncd.conf` in the data folder if it exists.
    static func resolve(flags: [String: String], file: String?, environment: [String: String]) throws
        -> DaemonConfiguration
    {
        var configuration = DaemonConfiguration()
        var problems: [String] = []
        let explicitFile = file ?? environment["GRIDSYNCD_CONFIG"].flatMap { $0.isEmpty ? nil : $0 }
        // The data folder decides where the default file is, so it is read first.
        let dataFolder =
            flags["data"] ?? environment["GRIDSYNCD_DATA"].flatMap { $0.isEmpty ? nil : $0 } ?? configuration.data
        let path = explicitFile ?? (dataFolder as NSString).appendingPathComponent("gridsyncd.conf")
        if explicitFile != nil || FileManager.default.fileExists(atPath: path) {
            let entries: [ConfigFile.Entry]
            do {
                entries = try ConfigFile.read(path)
            } catch {
                throw DaemonError(.badConfiguration, error.message)
            }
            configuration.file = path
            for (key, value, line) in entries.map({ ($0.key, $0.value, $0.line) }) {
                if let why = retired[key] {
                    configuration.ignored.append("\(path):\(line): \(key) is ignored: \(why); remove the line")
                    continue
                }
                guard let setting = settings.first(where: { $0.key == key }) else {
                    problems.append(
                        "\(path):\(line): unknown setting '\(key)'; known: \(settings.map(\.key).joined(separator: ", "))"
                    )
                    continue
                }
                if let problem = setting.apply(&configuration, value) {
                    problems.append("\(path):\(line): \(key) = \(value): \(problem)")
                }
                configuration.sources[key] = "file \(path)"
            }
        }
        for (key, why) in retired.sorted(by: { $0.key < $1.key }) {
            let name = Setting.environmentName(of: key)
            if environment[name] != nil {
                configuration.ignored.append("\(name) is ignored: \(why); unset it")
            }
        }
        for setting in settings {
            if let value = environment[setting.environmentName] {
                if let problem = setting.apply(&configuration, value) {
                    problems.append("\(setting.environmentName)=\(value): \(problem)")
                }
                configuration.sources[setting.key] = "environment \(setting.environmentName)"
            }
            if let value = flags[setting.key] {
                if let problem = setting.apply(&configuration, value) {
                    problems.append("--\(setting.key) \(value): \(problem)")
                }
                configuration.sources[setting.key] = "flag --\(setting.key)"
            }
        }
        if (configuration.tlsCertificate == nil) != (configuration.tlsKey == nil) {
            problems.append(
                "tls-certificate and tls-key go together: give both, or neither for the daemon's own certificate")
        }
        if !configuration.tls, configuration.tlsCertificate != nil {
            problems.append("tls = off with a tls-certificate: remove one of them")
        }
        let costliest =
            configuration.limits.messageBytes * WireDecoder.budgetBytesPerTextByte + MessageBudget.connectionBytes
            + 2 * configuration.limits.lineBytes + SyncListener.Configuration.ownMemory
        if configuration.memory < costliest {
            problems.append(
                "memory must be at least \(costliest) (the daemon's own 64 MiB, and twice message-bytes, for a "
                    + "message's text and its parsed ops, with its connection's share and buffers): one whole message must fit"
            )
        }
        if configuration.limits.messageBytes <= configuration.limits.lineBytes {
            problems.append("message-bytes must be larger than line-bytes")
        }
        guard problems.isEmpty else {
            throw DaemonError(.badConfiguration, problems.joined(separator: "\n"))
        }
        return configuration
    }

    /// Every setting's key, value and source, for `check-config`.
    var table: [(key: String, value: String, source: String)] {
        Self.settings.map { ($0.key, $0.show(self), sources[$0.key] ?? "default") }
    }

    /// The connection deadlines.
    var timeouts: ConnectionTimeouts {
        ConnectionTimeouts(
            handshake: .seconds(Int64(handshakeTimeout)), idle: .seconds(Int64(idleTimeout)),
            message: .seconds(Int64(messageTimeout)))
    }

    /// The certificate and key that TLS uses: the configured ones, else the daemon's own in
    /// the data folder; `nil` with `tls = off`.
    var certificateFiles: DaemonCertificate.Files? {
        guard tls else { return nil }
        if let tlsCertificate, let tlsKey {
            return DaemonCertificate.Files(certificate: tlsCertificate, key: tlsKey, isOwn: false)
        }
        return DaemonCertificate.Files.own(in: data)
    }

    /// `$XDG_DATA_HOME/gridsyncd`, else `~/.local/share/gridsyncd` (`GRIDSYNCD_DATA` is a setting like the others).
    static func defaultDataFolder() -> String {
        DataFolder.standard(name: "gridsyncd")
    }
}
