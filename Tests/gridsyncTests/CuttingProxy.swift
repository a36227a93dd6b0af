import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP relay on loopback that cuts the connection after a number of bytes from the
/// client, as a mobile link that drops mid-transfer does. It writes with `MSG_NOSIGNAL`: a
/// side that closed first must not end the test process with SIGPIPE.
final class CuttingProxy: @unchecked Sendable {
    /// The port clients connect to.
    let port: Int
    private let listener: Int32
    private let upstreamPort: Int
    private let cutAfter: Int
    private let cutReplyAfter: Int

    /// Listens on a free port and relays one connection to `upstreamPort`, cutting it
    /// after `cutAfter` bytes sent by the client or `cutReplyAfter` bytes sent back.
    init(upstreamPort: Int, cutAfter: Int, cutReplyAfter: Int = .max) throws {
        self.upstreamPort = upstreamPort
        self.cutAfter = cutAfter
        self.cutReplyAfter = cutReplyAfter
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        self.listener = listener
        var address = Self.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(listener, 4) == 0 else { throw DaemonFailure("the proxy cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &length) }
        }
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in relayOne() }
        thread.start()
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    /// Opens a blocking TCP connection to a loopback port.
    static func connectLoopback(port: Int, from source: String? = nil) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        if let source {
            var local = loopback(port: 0)
            inet_pton(AF_INET, source, &local.sin_addr)
            let bound = withUnsafePointer(to: &local) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard bound == 0 else {
                close(fd)
                return nil
            }
        }
        var address = loopback(port: port)
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard connected == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private func relayOne() {
        let client = accept(listener, nil, nil)
        close(listener)
        guard client >= 0, let server = Self.connectLoopback(port: upstreamPort) else { return }
        let done = DispatchGroup()
        done.enter()
        let replyLimit = cutReplyAfter
        Thread {
            // Server to client, until either side closes or the reply limit is reached.
            var buffer = [UInt8](repeating: 0, count: 4096)
            var sent = 0
            while sent < replyLimit {
                let count = read(server, &buffer, min(buffer.count, replyLimit - sent))
                if count <= 0 || send(client, buffer, count, Int32(MSG_NOSIGNAL)) != count { break }
                sent += count
            }
            shutdown(client, Int32(SHUT_RDWR))
            shutdown(server, Int32(SHUT_RDWR))
            done.leave()
        }.start()
        var sent = 0
        var buffer = [UInt8](repeating: 0, count: 512)
        while sent < cutAfter {
            let count = read(client, &buffer, min(buffer.count, cutAfter - sent))
            if count <= 0 || send(server, buffer, count, Int32(MSG_NOSIGNAL)) != count { break }
            sent += count
        }
        // The link drops: both ends see the connection close.
        shutdown(server, Int32(SHUT_RDWR))
        shutdown(client, Int32(SHUT_RDWR))
        done.wait()
        close(server)
        close(client)
    }
}
