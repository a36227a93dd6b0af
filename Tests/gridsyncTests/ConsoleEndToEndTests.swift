import Foundation
import Testing

/// The office's console served by the real `gridsyncd` over HTTPS with its own certificate,
/// driven with curl as a browser would be: a wrong password refused, an office account signed
/// in with the password `gridsyncd worker passwd` set, a worker's HTML shown as text, and a
/// conflict settled through the form reaching both laptops at their next `gridsync sync`.
@Suite struct ConsoleEndToEndTests {
    static let password = "桂花巷 十二号 院子"

    @Test func aConflictSettledInTheConsoleReachesEveryLaptop() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_CONSOLE": "127.0.0.1:0"])
        defer { daemon.cleanUp() }
        let first = try FieldLaptop(daemon: daemon, worker: "w001", scope: "c01/g01")
        let second = try FieldLaptop(daemon: daemon, worker: "w002", scope: "c01/g01")
        defer { [first, second].forEach { $0.cleanUp() } }
        _ = try daemon.addWorker("office-1", scopes: ["c01"], role: "office")
        let passwd = try Self.gridsyncd(
            daemon, ["worker", "passwd", "office-1", "--password-stdin"], input: Self.password)
        #expect(passwd.status == 0, "\(passwd.error)")

        let stairs = try first.addDemand("楼道堆物清理")
        _ = try first.addDemand("<script>alert(1)</script>")
        try first.sync()
        try second.sync()
        try first.update(stairs, "--urgency", "urgent")
        try second.update(stairs, "--urgency", "pressing")
        try first.sync()
        try second.sync()

        let browser = try Browser(daemon: daemon)
        defer { browser.cleanUp() }
        let refused = try browser.post("/sign-in", ["worker": "office-1", "password": "not the password"])
        #expect(refused.status == 401 && refused.body.contains("账号或密码不对"), "\(refused.status) \(refused.body)")
        let signedIn = try browser.post("/sign-in", ["worker": "office-1", "password": Self.password])
        #expect(signedIn.status == 303, "\(signedIn.status) \(signedIn.body)")

        let demands = try browser.get("/records/demand")
        #expect(demands.status == 200 && demands.body.contains("楼道堆物清理"))
        #expect(demands.body.contains("&lt;script&gt;alert(1)&lt;/script&gt;") && !demands.body.contains("<script>"))
        let conflicts = try browser.get("/conflicts")
        let token = try #require(conflicts.body.firstMatch(of: /name="csrf" value="([^"]+)"/).map { String($0.1) })
        let pressing = try #require(
            conflicts.body.firstMatch(of: /value="(\d)"[^>]*>\s*<b>较急<\/b>/).map { String($0.1) },
            "no competing value pressing in: \(conflicts.body)")
        let settled = try browser.post(
            "/conflicts/settle",
            ["csrf": token, "record": stairs, "field": "urgency", "pick": pressing, "reason": "以居民意见为准"])
        #expect(settled.status == 200 && settled.body.contains("已决定"), "\(settled.status) \(settled.body)")

        for laptop in [first, second] {
            try laptop.sync()
            #expect(try laptop.status()["conflictCount"] as? Int == 0, "\(laptop.name) still holds the conflict")
            let line = try #require(try laptop.export().first { $0.contains(stairs) })
            #expect(line.contains("\"urgency\":\"pressing\"") && line.contains("以居民意见为准"), "\(line)")
        }
    }

    /// Two daemons on one server cannot both serve the console on the default address: the
    /// second stops at once and says what to change, rather than serving without its console.
    @Test func aSecondDaemonOnTheConsolesAddressSaysWhatToChange() throws {
        let daemon = try DaemonProcess(environment: ["GRIDSYNCD_CONSOLE": "127.0.0.1:0"])
        defer { daemon.cleanUp() }
        let browser = try Browser(daemon: daemon)
        defer { browser.cleanUp() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("gridsyncd-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let second = try GridsyncBinary.run(
            executable: DaemonProcess.executable,
            [
                "serve", "--data", folder.path, "--listen", "127.0.0.1:0", "--metrics", "off", "--console",
                "127.0.0.1:\(browser.port)",
            ], environment: [:])
        #expect(second.status != 0)
        #expect(
            second.error.contains("cannot serve the console on 127.0.0.1:\(browser.port)")
                && second.error.contains("--console off"), "\(second.error)")
    }

    /// Runs `gridsyncd` on the daemon's folder with `input` on standard input.
    static func gridsyncd(_ daemon: DaemonProcess, _ arguments: [String], input: String) throws -> GridsyncBinary.Result
    {
        let process = Process()
        process.executableURL = DaemonProcess.executable
        process.arguments = arguments + ["--data", daemon.data.path]
        let stdin = Pipe()
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        stdin.fileHandleForWriting.write(Data((input + "\n").utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return GridsyncBinary.Result(
            status: process.terminationStatus,
            output: String(decoding: stdout.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self),
            error: String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }
}

/// curl as the office's browser: the daemon's certificate trusted for its host name, and a
/// cookie jar kept between requests.
struct Browser {
    /// `https://<host name>:<port>`, the address the certificate names.
    let base: String
    /// The console's port.
    let port: Int
    let resolve: String
    let certificate: String
    let jar: URL

    /// A browser of `daemon`'s console, whose address its banner gives.
    init(daemon: DaemonProcess) throws {
        let deadline = Date().addingTimeInterval(10)
        var port: String?
        while port == nil, Date() < deadline {
            port = daemon.banner.firstMatch(of: /console: https:\/\/127\.0\.0\.1:(\d+)\//).map { String($0.1) }
            if port == nil { Thread.sleep(forTimeInterval: 0.05) }
        }
        let found = try #require(port, "the daemon did not say where its console is: \(daemon.banner)")
        let host = ProcessInfo.processInfo.hostName
        base = "https://\(host):\(found)"
        self.port = Int(found) ?? 0
        resolve = "\(host):\(found):127.0.0.1"
        certificate = daemon.data.appendingPathComponent("tls/certificate.pem").path
        jar = FileManager.default.temporaryDirectory.appendingPathComponent("gridsync-cookies-\(UUID().uuidString)")
    }

    struct Page {
        let status: Int
        let body: String
    }

    func get(_ path: String) throws -> Page {
        try curl([base + path])
    }

    func post(_ path: String, _ fields: [String: String]) throws -> Page {
        try curl(fields.flatMap { ["--data-urlencode", "\($0.key)=\($0.value)"] } + [base + path])
    }

    private func curl(_ arguments: [String]) throws -> Page {
        let result = try GridsyncBinary.run(
            executable: URL(fileURLWithPath: "/usr/bin/curl"),
            [
                "-sS", "--cacert", certificate, "--resolve", resolve, "-c", jar.path, "-b", jar.path,
                "-w", "\n%{http_code}",
            ] + arguments,
            environment: [:])
        try #require(result.status == 0, "curl failed: \(result.error)")
        var lines = result.output.split(separator: "\n", omittingEmptySubsequences: false)
        let status = Int(lines.popLast() ?? "") ?? 0
        return Page(status: status, body: lines.joined(separator: "\n"))
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: jar)
    }
}
