import Foundation

/// One scrape of the daemon's Prometheus endpoint: every sample, by its name with labels
/// (`gridsync_errors_total{code="unavailable"}`).
struct MetricsReading {
    let samples: [String: Double]

    /// Bytes held by the connections and the messages they are reading (the budget in use).
    var connectionMemory: Int { Int(samples["gridsync_connection_memory_bytes"] ?? 0) }
    /// Connections being served.
    var connectionsOpen: Int { Int(samples["gridsync_connections_open"] ?? 0) }
    /// Connections accepted since the start.
    var connections: Int { Int(samples["gridsync_connections_total"] ?? 0) }

    /// The `ERR` lines the daemon sent, by code, leaving out the codes it never sent.
    var errors: [String: Int] {
        var errors: [String: Int] = [:]
        for (name, value) in samples where value > 0 {
            if let match = name.firstMatch(of: /^gridsync_errors_total\{code="([a-z-]+)"\}$/) {
                errors[String(match.1)] = Int(value)
            }
        }
        return errors
    }

    /// Scrapes `http://127.0.0.1:<port>/metrics` on a blocking socket; `nil` if the endpoint
    /// does not answer whole within `timeout` seconds between two reads.
    static func scrape(port: Int, timeout seconds: Int = 5) -> MetricsReading? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var timeout = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        let request = Array("GET /metrics HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        guard connected == 0, write(fd, request, request.count) == request.count else { return nil }
        var response: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        while true {
            let count = read(fd, &buffer, buffer.count)
            guard count != 0 else { break }
            guard count > 0 else { return nil }
            response += buffer[0..<count]
        }
        let text = String(decoding: response, as: UTF8.self)
        guard text.hasPrefix("HTTP/1.0 200") || text.hasPrefix("HTTP/1.1 200"), let body = text.range(of: "\r\n\r\n")
        else { return nil }
        var samples: [String: Double] = [:]
        for line in text[body.upperBound...].split(separator: "\n") where !line.hasPrefix("#") {
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else {
                continue
            }
            samples[String(line[..<space])] = value
        }
        return MetricsReading(samples: samples)
    }
}
