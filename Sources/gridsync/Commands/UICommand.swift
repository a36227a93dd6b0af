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
        abstract: "Open this laptop's records in the browser: today's work, forms, lists, and a sync button.",
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
        let screen = try FieldScreen(
            store: try data.openStore(memory: .lean), files: data.files, key: key,
            sync: { progress in try await Self.sync(folder, progress: progress) }
        )
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
    /// token its first sync saved), telling `progress` what its progress lines say, and
    /// returns the summary it printed; throws what it said if it failed.
    static func sync(_ folder: String, progress: @escaping @Sendable (SyncRun.Progress) -> Void) async throws
        -> String
    {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["sync", "--data", folder]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Off a terminal, `gridsync sync` writes a line per batch to standard error:
        // "sent N edits, received M". Anything else there is what it said when it failed.
        let said = Task.detached { () -> String in
            var said = ""
            var pending = ""
            while case let chunk = errors.fileHandleForReading.availableData, !chunk.isEmpty {
                pending += String(decoding: chunk, as: UTF8.self)
                while let end = pending.firstIndex(of: "\n") {
                    let line = String(pending[..<end])
                    pending = String(pending[pending.index(after: end)...])
                    if let match = line.wholeMatch(of: /sent (\d+) edits?, received (\d+)/),
                        let sent = Int(match.1), let received = Int(match.2)
                    {
                        progress(SyncRun.Progress(sent: sent, received: received))
                    } else {
                        said += line + "\n"
                    }
                }
            }
            return said + pending
        }
        let printed = await Task.detached { output.fileHandleForReading.readDataToEndOfFile() }.value
        let complaint = await said.value
        process.waitUntilExit()
        let summary = String(decoding: printed, as: UTF8.self)
        guard process.terminationStatus == 0 else { throw SyncFailure(description: complaint + summary) }
        return summary
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
