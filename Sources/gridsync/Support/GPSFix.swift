import Foundation
import GridModel

#if canImport(Glibc)
    import Glibc
#endif

/// A place read from a GPS receiver through gpsd, the Linux GPS daemon (`--place gps`): its
/// JSON protocol on TCP (127.0.0.1:2947, or `$GRIDSYNC_GPSD` as `host:port`), the first fix
/// of two or three dimensions it reports (`TPV`, mode 2 or 3), with its horizontal error as the
/// accuracy. gpsd gives WGS-84, as GridSync stores it.
struct GPSFix {
    /// Where gpsd listens.
    let host: String
    let port: UInt16
    /// How long to wait for a fix, in seconds: a receiver that has just been plugged in may
    /// need a minute to see enough satellites.
    let timeout: Int

    /// gpsd at `$GRIDSYNC_GPSD`, else on this laptop's usual port.
    init(environment: [String: String] = ProcessInfo.processInfo.environment, timeout: Int = 30) {
        let address = environment["GRIDSYNC_GPSD"] ?? "127.0.0.1:2947"
        let parts = address.split(separator: ":")
        host = parts.first.map(String.init) ?? "127.0.0.1"
        port = parts.count > 1 ? UInt16(parts[1]) ?? 2947 : 2947
        self.timeout = timeout
    }

    /// `typed`, or for `gps` the place gpsd reports now.
    static func resolve(_ typed: String?) throws -> String? {
        guard let typed, typed.lowercased() == "gps" else { return typed }
        return try GPSFix().read().description
    }

    /// Waits for a fix and returns it.
    ///
    /// - Throws: ``GPSFailure`` when gpsd is not running, stops answering, or gives no fix in time.
    func read() throws -> Place {
        let socket = try connect()
        defer { close(socket) }
        let watch = #"?WATCH={"enable":true,"json":true};"# + "\n"
        guard write(socket, watch, watch.utf8.count) == watch.utf8.count else {
            throw GPSFailure(
                "gpsd at \(host):\(port) closed the connection: check that it runs (systemctl status gpsd)")
        }
        let deadline = Date().addingTimeInterval(TimeInterval(timeout))
        var pending = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while Date() < deadline {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count == 0 { throw GPSFailure("gpsd at \(host):\(port) closed the connection before giving a fix") }
            if count < 0 { continue }  // the receive timeout: look at the deadline again
            pending.append(contentsOf: buffer[0..<count])
            while let end = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = pending[pending.startIndex..<end]
                pending = Data(pending[pending.index(after: end)...])
                if let place = Self.fix(in: line) { return place }
            }
        }
        throw GPSFailure(
            "no GPS fix from gpsd within \(timeout) s: go where the receiver sees the sky, "
                + "or type the place (--place 39.9042,116.4074)")
    }

    /// The place a gpsd report gives, if it is a fix.
    static func fix(in line: Data) -> Place? {
        guard let report = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
            report["class"] as? String == "TPV", (report["mode"] as? Int ?? 0) >= 2,
            let latitude = report["lat"] as? Double, let longitude = report["lon"] as? Double
        else { return nil }
        let error =
            (report["eph"] as? Double)
            ?? zip([report["epx"] as? Double], [report["epy"] as? Double]).compactMap { x, y in
                x.flatMap { x in y.map { max(x, $0) } }
            }.first
        return Place(latitude: latitude, longitude: longitude, accuracy: error.map { Int($0.rounded()) })
    }

    private func connect() throws -> Int32 {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(host, String(port), &hints, &found) == 0, let address = found else {
            throw GPSFailure("cannot find gpsd's host \(host): check GRIDSYNC_GPSD")
        }
        defer { freeaddrinfo(found) }
        let socket = Glibc.socket(address.pointee.ai_family, address.pointee.ai_socktype, address.pointee.ai_protocol)
        guard socket >= 0 else { throw GPSFailure("cannot open a socket to gpsd") }
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        guard Glibc.connect(socket, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0 else {
            close(socket)
            throw GPSFailure(
                "gpsd is not running at \(host):\(port): plug in the GPS receiver and start gpsd "
                    + "(sudo systemctl start gpsd), or type the place (--place 39.9042,116.4074)")
        }
        return socket
    }
}

/// Why no place came from the GPS receiver.
struct GPSFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
