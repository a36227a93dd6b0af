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

    /// Makes `folder` readable by its owner only (0700) if this user owns it and others could
    /// read it: it holds residents' names, households and demands. What is inside is then
    /// out of other users' reach whatever its own mode.
    public static func keepPrivate(_ folder: String) {
        var status = stat()
        guard stat(folder, &status) == 0, status.st_uid == getuid(), status.st_mode & 0o077 != 0 else { return }
        _ = chmod(folder, 0o700)
    }
}
