import ArgumentParser
import GridAccounts
import GridCommandLine
import GridMerge
import GridModel
import GridStore

/// `gridsync-inspect devices`.
struct DevicesCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "devices",
        abstract:
            "List every replica that has synced with the daemon: its worker, last sync, and how far behind it is.",
        discussion: """
            "sent" is what the laptop pushed at its last sync (what it had not sent before); "behind" counts the \
            ops in its grids that the daemon has received since, which the laptop gets at its next sync. Needs \
            the daemon's data folder.

            Examples:
              gridsync-inspect devices
              gridsync-inspect devices --json
            """)

    @OptionGroup var inspect: InspectOptions
    @OptionGroup var output: OutputOptions

    struct Row: Encodable {
        let device: Device
        let behind: Int
    }

    func run() async throws {
        let inspected = try await inspect.open()
        guard let accounts = inspected.accounts else {
            throw InspectError(
                .needsDaemon, "\(inspect.folder) is a field replica's folder: devices are known to the daemon only")
        }
        let scopes = Dictionary(uniqueKeysWithValues: try await accounts.list().map { ($0.worker, $0.scopes) })
        var rows: [Row] = []
        for device in try await accounts.devices() {
            let scopes = scopes[device.worker] ?? []
            let behind = try await inspected.log.opCount(
                after: device.pulledThrough, scopes: scopes, excluding: device.replica)
            rows.append(Row(device: device, behind: behind))
        }
        if output.json { return print(try OutputOptions.json(rows)) }
        guard !rows.isEmpty else { return print("no replica has synced yet") }
        var table = TextTable(headers: [
            "副本 replica", "网格员 worker", "首次 first seen", "最近同步 last sync", "结果 result", "发送 sent",
            "接收 received", "落后 behind", "恢复 recovery",
        ])
        let names = try await inspected.store.streetNames()
        table.rows = rows.map { row in
            let device = row.device
            return [
                device.replica.description, names.label(.worker, device.worker.rawValue),
                Labels.shortTime(iso: device.firstSeen),
                device.lastSyncAt.map { Labels.shortTime(iso: $0) } ?? "never", Self.result(device.lastEnding),
                "\(device.lastPushed)", "\(device.lastPulled)", "\(row.behind)", Self.recovery(device),
            ]
        }
        print(table.render())
    }

    /// How the device's last sync ended, in words: finished, or stopped with the refusal's code.
    static func result(_ ending: String?) -> String {
        switch ending {
        case nil: "-"
        case "bye": "完成 finished"
        case let code?: "中断 stopped (\(code))"
        }
    }

    /// What the device gave back to a restored daemon, and got back of its own.
    static func recovery(_ device: Device) -> String {
        var parts: [String] = []
        if device.givenBack > 0 { parts.append("gave back \(device.givenBack)") }
        if device.recovered > 0 { parts.append("got back \(device.recovered)") }
        return parts.isEmpty ? "-" : parts.joined(separator: ", ")
    }
}
