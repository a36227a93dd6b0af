import Foundation

/// This machine's CPUs shared out between the daemon and the laptops driving it, so that each side's
/// work waits only for its own: the daemon gets the first CPU, the laptops the rest.
struct CPUSplit: CustomStringConvertible {
    let daemon: String
    let laptops: String

    init(cores: Int = ProcessInfo.processInfo.activeProcessorCount) {
        daemon = "0"
        laptops = cores > 2 ? "1-\(cores - 1)" : "1"
    }

    var description: String { " (daemon on CPU \(daemon), laptops on CPU \(laptops))" }
}
