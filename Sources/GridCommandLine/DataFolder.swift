import Foundation

/// Where a program keeps its data when not told: `$<variable>`, else the XDG data folder.
public enum DataFolder {
    /// `$<variable>` if given and set, else `$XDG_DATA_HOME/<name>`, else `~/.local/share/<name>`.
    public static func standard(variable: String? = nil, name: String) -> String {
        let environment = ProcessInfo.processInfo.environment
        if let variable, let folder = environment[variable], !folder.isEmpty { return folder }
        if let xdg = environment["XDG_DATA_HOME"], !xdg.isEmpty { return xdg + "/" + name }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.local/share/" + name
    }
}
