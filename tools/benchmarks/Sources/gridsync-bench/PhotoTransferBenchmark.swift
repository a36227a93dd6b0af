import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Photos through a real sync: 100 photos of 2 MB, attached on one laptop, sent to the real
/// `gridsyncd` by `gridsync sync` (TLS, compression as configured), then received by another
/// laptop of the grid; against the same bytes copied through a plain TCP socket on loopback
/// in the same run (read from their files, written to files on the other side, as a copy is).
enum PhotoTransferBenchmark {
    struct Settings {
        var photos = 100
        var bytes = 2 * 1_048_576
        var compression = true
    }

    static func run(_ settings: Settings, daemon executable: URL) async throws -> [Figure] {
        let gridsync = executable.deletingLastPathComponent().appendingPathComponent("gridsync")
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-photos-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paths = try writePhotos(settings.photos, bytes: settings.bytes, in: folder, named: "photo")
        let total = Double(settings.photos * settings.bytes)

        // Each run starts with nothing waiting to be written: the 200 MB just written, or the last
        // run's, would otherwise be flushed during the next, and every fsync of a sync wait for it.
        sync()
        let baseline = try plainCopy(paths, into: folder.appendingPathComponent("copied").path)
        print(
            String(
                format: "  plain TCP copy of %.0f MB: %.2f s (%.0f MB/s)", total / 1e6, baseline, total / 1e6 / baseline
            ))

        let daemon = try DaemonProcess(
            executable: executable, environment: ["GRIDSYNCD_COMPRESSION": settings.compression ? "on" : "off"])
        defer { daemon.stop() }
        let first = try daemon.addGridWorker("w001", grid: "c01/g01")
        let second = try daemon.addGridWorker("w002", grid: "c01/g01")
        let sender = folder.appendingPathComponent("sender").path
        let receiver = folder.appendingPathComponent("receiver").path
        try CommandRun.timed(gridsync, ["init", "--worker", "w001", "--grid", "c01/g01", "--data", sender])
        try CommandRun.timed(gridsync, ["init", "--worker", "w002", "--grid", "c01/g01", "--data", receiver])
        // Twenty photos a demand, the most one record takes.
        for (index, start) in stride(from: 0, to: paths.count, by: 20).enumerated() {
            try CommandRun.timed(
                gridsync,
                ["demand", "add", "--title", "楼道照片 \(index + 1)", "--category", "消防安全", "--data", sender]
                    + paths[start..<min(start + 20, paths.count)].flatMap { ["--photo", $0] })
        }
        sync()
        let up = try CommandRun.timed(gridsync, try syncArguments(daemon, data: sender, token: first.token))
        sync()
        let down = try CommandRun.timed(gridsync, try syncArguments(daemon, data: receiver, token: second.token))
        let received = (try? FileManager.default.subpathsOfDirectory(atPath: receiver + "/files")) ?? []
        guard received.filter({ $0.count == 67 }).count == settings.photos else {
            throw BenchFailure("the second laptop received \(received.count) photos, not \(settings.photos)")
        }
        let rate = { (seconds: Double) in String(format: "%.2f s, %.0f MB/s", seconds, total / 1e6 / seconds) }
        let mode = settings.compression ? "compression on" : "compression off"
        print(
            "  gridsync sync, \(settings.photos) photos of \(settings.bytes / 1_048_576) MB (TLS, \(mode)): up \(rate(up)), down \(rate(down))"
        )
        return [("up", up), ("down", down)].map { direction, seconds in
            Figure(
                name: "photos \(direction), \(settings.photos) × \(settings.bytes / 1_048_576) MB (TLS, \(mode)), rate",
                measured: rate(seconds), baseline: rate(baseline) + ", plain TCP copy",
                ratio: baseline / seconds, target: "≥ 0.8", met: baseline / seconds >= 0.8)
        }
    }

    /// Writes `count` photos of `bytes` each in `folder` (`<name>-<n>.jpg`), and returns their
    /// paths. Photos are incompressible, as JPEGs are: random bytes behind a JPEG's first four.
    static func writePhotos(_ count: Int, bytes: Int, in folder: URL, named name: String) throws -> [String] {
        var random = SystemRandomNumberGenerator()
        return try (1...count).map { index -> String in
            var photo = [UInt8](repeating: 0, count: bytes)
            photo.withUnsafeMutableBytes { buffer in
                for offset in stride(from: 0, to: bytes - 7, by: 8) {
                    buffer.storeBytes(of: random.next() as UInt64, toByteOffset: offset, as: UInt64.self)
                }
            }
            photo.replaceSubrange(0..<4, with: [0xFF, 0xD8, 0xFF, 0xE0])
            let path = folder.appendingPathComponent("\(name)-\(index).jpg").path
            try Data(photo).write(to: URL(fileURLWithPath: path))
            return path
        }
    }

    /// The arguments of `gridsync sync` for the laptop in `data` with `token`, to `daemon`.
    static func syncArguments(_ daemon: DaemonProcess, data: String, token: String) throws -> [String] {
        let tokenFile = data + "-token.txt"
        try Data((token + "\n").utf8).write(to: URL(fileURLWithPath: tokenFile))
        return ["sync", "--server", "127.0.0.1:\(daemon.port)", "--token-file", tokenFile, "--data", data]
            + (daemon.fingerprint.map { ["--fingerprint", $0] } ?? ["--plain"])
    }

    /// Seconds to send the files through a loopback TCP socket and write them on the other side.
    static func plainCopy(_ paths: [String], into folder: String) throws -> Double {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, length) }
        }
        listen(listener, 1)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        let sizes = try paths.map { try FileManager.default.attributesOfItem(atPath: $0)[.size] as? Int ?? 0 }
        let done = DispatchSemaphore(value: 0)
        let receiver = Thread {
            let connection = accept(listener, nil, nil)
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            for (index, size) in sizes.enumerated() {
                let out = open("\(folder)/\(index)", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
                var left = size
                while left > 0 {
                    let count = recv(connection, &buffer, min(buffer.count, left), 0)
                    if count <= 0 { break }
                    _ = write(out, buffer, count)
                    left -= count
                }
                close(out)
            }
            close(connection)
            done.signal()
        }
        receiver.start()
        let start = ContinuousClock.now
        let sender = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        _ = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(sender, $0, length) }
        }
        for path in paths {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            var sent = 0
            while sent < bytes.count {
                let count = bytes[sent...].withUnsafeBytes { send(sender, $0.baseAddress, $0.count, 0) }
                if count <= 0 { break }
                sent += count
            }
        }
        close(sender)
        done.wait()
        close(listener)
        let elapsed = ContinuousClock.now - start
        return elapsed.seconds
    }
}
