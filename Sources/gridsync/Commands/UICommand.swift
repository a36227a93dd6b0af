import ArgumentParser
import Foundation
import GridCommandLine
import GridFieldUI
import Hummingbird
import Logging
import NIOCore

/// `gridsync ui`: this laptop's records in the browser, on the loopback address only.
struct UICommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ui",
        abstract: "Open this laptop's records in the browser: today's work, a form to record a demand, the demands.",
        discussion: """
            Serves the replica on 127.0.0.1 only, at an address with a key that only this user is
            given (printed, and opened in the desktop's browser when there is one). Works offline.
            The command line and the page can be used side by side. Stop it with Ctrl-C.

            Examples:
              gridsync ui
              gridsync ui --port 7430 --no-browser
            """)

    @Option(help: "The port on 127.0.0.1 (default: a free one).") var port = 0
    @Flag(help: "Print the address only; do not open a browser.") var noBrowser = false
    @OptionGroup var data: DataOptions

    func run() async throws {
        let key = FieldScreen.newKey()
        let folder = data.folder
        let screen = try FieldScreen(store: try data.openStore(), key: key, sync: { try await Self.sync(folder) })
        let opens = !noBrowser
        var logger = Logger(label: "gridsync-ui")
        logger.logLevel = .warning
        let app = Application(
            router: screen.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: "gridsync"),
            onServerRunning: { channel in
                let address = "http://127.0.0.1:\(channel.localAddress?.port ?? port)/?key=\(key)"
                _ = StandardStream.output.write("gridsync ui: \(address)\n")
                if opens { Self.openBrowser(at: address) }
            }, logger: logger)
        try await app.runService()
    }

    /// Runs `gridsync sync` on the replica in `folder`, as its own process (the server and
    /// token its first sync saved), and returns what it printed; throws what it said if it
    /// failed.
    static func sync(_ folder: String) async throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["sync", "--data", folder]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let printed = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        process.waitUntilExit()
        let text = String(decoding: printed, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw SyncFailure(description: text) }
        return text
    }

    /// What `gridsync sync` said when it failed.
    struct SyncFailure: Error, CustomStringConvertible {
        let description: String
    }

    /// Opens `address` in the desktop's browser, if there is a desktop.
    static func openBrowser(at address: String) {
        let environment = ProcessInfo.processInfo.environment
        guard environment["DISPLAY"] != nil || environment["WAYLAND_DISPLAY"] != nil else { return }
        let opener = Process()
        opener.executableURL = URL(fileURLWithPath: "/usr/bin/xdg-open")
        opener.arguments = [address]
        try? opener.run()
    }
}
