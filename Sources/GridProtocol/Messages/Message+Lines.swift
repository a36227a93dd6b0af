import Foundation
import GridMerge
import GridModel

extension Message {
    /// The protocol version this code speaks, as messages write it.
    public static let version = ProtocolVersion.current.rawValue

    /// The message's lines, without line feeds: one, or a header and its op lines, or a
    /// `CHUNK` header and its bytes in base64 (lines of `limits.fileLineBytes`, the last one
    /// shorter if the bytes end there).
    public func lines(within limits: Limits = .standard) -> [String] {
        switch self {
        case .hello(let version, let replica, let token, let deflate):
            return ["HELLO \(version) \(replica) \(token)" + (deflate ? " deflate" : "")]
        case .welcome(
            let version, let replica, let read, let write, let limits, let heldThrough, let serverTime, let lineage,
            let deflate):
            return [
                "WELCOME \(version) \(replica) \(Self.scopes(read)) \(Self.scopes(write)) \(limits.lineBytes) "
                    + "\(limits.opsPerBatch) \(limits.messageBytes) \(heldThrough) \(serverTime) "
                    + (lineage.isEmpty ? "-" : lineage.map(\.description).joined(separator: ","))
                    + (deflate ? " deflate" : "")
            ]
        case .push(let through, let ops):
            return ["PUSH \(ops.count) \(through)"] + ops.map(OpLine.text)
        case .giveBack(let through, let ops):
            return ["RETURN \(ops.count) \(through)"] + ops.map(OpLine.text)
        case .ack(let through):
            return ["ACK \(through)"]
        case .pull(let after, let limit):
            return ["PULL \(after) \(limit)"]
        case .recover(let after, let limit):
            return ["RECOVER \(after) \(limit)"]
        case .batch(let through, let more, let ops):
            return ["BATCH \(ops.count) \(through) \(more ? 1 : 0)"] + ops.map(OpLine.text)
        case .ask(let files):
            return ["ASK \(files.count)"] + files.map(\.rawValue)
        case .held(let files):
            return ["HELD \(files.count)"] + files.map(\.rawValue)
        case .offer(let file, let size):
            return ["OFFER \(file) \(size)"]
        case .want(let file, let offset):
            return ["WANT \(file) \(offset)"]
        case .have(let file):
            return ["HAVE \(file)"]
        case .fetch(let file, let offset):
            return ["FETCH \(file) \(offset)"]
        case .stat(let file):
            return ["STAT \(file)"]
        case .size(let file, let size):
            return ["SIZE \(file) \(size)"]
        case .chunk(let file, let size, let offset, let bytes):
            let lines = stride(from: 0, to: bytes.count, by: limits.fileLineBytes).map { start in
                Data(bytes[start..<min(start + limits.fileLineBytes, bytes.count)]).base64EncodedString()
            }
            return ["CHUNK \(file) \(size) \(offset) \(lines.count)"] + lines
        case .error(let error):
            // Scalar by scalar: "\r\n" is one Character, and neither byte may reach the wire.
            let message = String(
                String.UnicodeScalarView(error.message.unicodeScalars.map { $0 == "\n" || $0 == "\r" ? " " : $0 }))
            return ["ERR \(error.code) \(message)"]
        case .bye:
            return ["BYE"]
        }
    }

    /// The message's lines under the standard limits.
    public var lines: [String] { lines(within: .standard) }

    /// The bytes of the message's lines, line feeds included, before any compression.
    public var textByteCount: Int {
        lines.reduce(0) { $0 + $1.utf8.count + 1 }
    }

    /// Scopes joined by `,`, or `-` for none.
    static func scopes(_ scopes: [GridScope]) -> String {
        scopes.isEmpty ? "-" : scopes.map(\.description).joined(separator: ",")
    }

    /// Whether `token` may appear on a `HELLO` line: 1 to 256 of `A-Z a-z 0-9 . _ ~ + / = -`.
    public static func isValidToken(_ token: some StringProtocol) -> Bool {
        (1...256).contains(token.utf8.count)
            && token.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || "._~+/=-".utf8.contains(byte)
            }
    }
}
