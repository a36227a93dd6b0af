import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The server's address on the office's local network: where the console is served by
/// default, reachable from the office's desks but not from the internet.
///
/// It is the first IPv4 address of an interface that is up in a private range (10/8,
/// 172.16/12, 192.168/16, as RFC 1918 sets them aside for local networks); a server with
/// none (only public addresses, or no network) gets the loopback address, and the office
/// names the address it wants with `console = host:port`.
enum LANAddress {
    /// The word a setting uses for this address (`console = lan:7421`).
    static let keyword = "lan"

    /// The address, as text (`192.168.1.20`), or `127.0.0.1` when the server has none.
    static func current() -> String {
        var interfaces: UnsafeMutablePointer<ifaddrs>?
        guard getifaddrs(&interfaces) == 0, let first = interfaces else { return "127.0.0.1" }
        defer { freeifaddrs(interfaces) }
        for entry in sequence(first: first, next: { $0.pointee.ifa_next }) {
            let flags = Int32(entry.pointee.ifa_flags)
            guard flags & Int32(IFF_UP) != 0, flags & Int32(IFF_LOOPBACK) == 0,
                let address = entry.pointee.ifa_addr, address.pointee.sa_family == sa_family_t(AF_INET)
            else { continue }
            let ipv4 = address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) {
                UInt32(bigEndian: $0.pointee.sin_addr.s_addr)
            }
            if isPrivate(ipv4) {
                return "\(ipv4 >> 24).\(ipv4 >> 16 & 0xff).\(ipv4 >> 8 & 0xff).\(ipv4 & 0xff)"
            }
        }
        return "127.0.0.1"
    }

    /// Whether an IPv4 address (host order) lies in a range RFC 1918 keeps for local networks.
    static func isPrivate(_ address: UInt32) -> Bool {
        address >> 24 == 10 || address >> 20 == 0xac1 || address >> 16 == 0xc0a8
    }
}
