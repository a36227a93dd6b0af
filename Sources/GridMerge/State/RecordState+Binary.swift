import Foundation
import GridModel

/// A compact binary form of a record's merged state, for stores to keep between ops.
///
/// Little-endian, variable-length integers, strings as length and UTF-8, map entries in
/// key order (so equal states give equal bytes). It starts with a format byte; a store
/// that reads a format it does not know gets an error, never a wrong record.
extension RecordState {
    /// The format this code writes.
    static let binaryFormat: UInt8 = 1

    /// The state's bytes.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.byte(Self.binaryFormat)
        writer.string(type.rawValue)
        writer.bytes(id.uuid.uuid)
        writer.string(scope.description)
        writer.count(registers.count)
        for name in registers.keys.sorted() {
            writer.string(name)
            let heads = registers[name]!.heads
            writer.count(heads.count)
            for version in heads {
                writer.op(version.op)
                writer.integer(version.clock.rawValue)
                writer.string(version.author.rawValue)
                writer.value(version.value)
            }
        }
        writer.count(sets.count)
        for name in sets.keys.sorted() {
            writer.string(name)
            let live = sets[name]!.live
            writer.count(live.count)
            for element in live.keys.sorted() {
                writer.string(element)
                let tags = live[element]!.sorted()
                writer.count(tags.count)
                for tag in tags { writer.op(tag) }
            }
        }
        writer.count(counters.count)
        for name in counters.keys.sorted() {
            writer.string(name)
            let contributions = counters[name]!.contributions
            writer.count(contributions.count)
            for replica in contributions.keys.sorted() {
                writer.integer(replica.rawValue)
                writer.integer(UInt64(bitPattern: contributions[replica]!.increments))
                writer.integer(UInt64(bitPattern: contributions[replica]!.decrements))
            }
        }
        writer.count(logs.count)
        for name in logs.keys.sorted() {
            writer.string(name)
            let items = logs[name]!.items
            writer.count(items.count)
            for item in items {
                writer.op(item.op)
                writer.integer(item.clock.rawValue)
                writer.string(item.author.rawValue)
                let parts = item.entry.sortedParts
                writer.count(parts.count)
                for part in parts {
                    writer.string(part.name)
                    writer.value(part.value)
                }
            }
        }
        return writer.buffer
    }

    /// Reads a state from the bytes ``encoded()`` wrote.
    ///
    /// - Throws: ``MergeError/Code/unreadableState`` if the bytes are not a record state of a known format.
    public init(encoded bytes: [UInt8]) throws(MergeError) {
        var reader = ByteReader(bytes)
        guard try reader.byte() == Self.binaryFormat else {
            throw MergeError(.unreadableState, "a stored record state has an unknown format: upgrade GridSync")
        }
        guard let type = RecordType(rawValue: try reader.string()) else { throw reader.damaged() }
        let uuid = Array(try reader.bytes(16))
        let id = RecordID(
            UUID(
                uuid: (
                    uuid[0], uuid[1], uuid[2], uuid[3], uuid[4], uuid[5], uuid[6], uuid[7], uuid[8], uuid[9], uuid[10],
                    uuid[11], uuid[12], uuid[13], uuid[14], uuid[15]
                )))
        guard let scope = GridScope(try reader.string()) else { throw reader.damaged() }
        self.init(type: type, id: id, scope: scope)
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            var register = RegisterState()
            for _ in 0..<(try reader.count()) {
                let op = try reader.op()
                let clock = HybridTimestamp(rawValue: try reader.integer())
                guard let author = WorkerID(try reader.string()) else { throw reader.damaged() }
                register.heads.append(.init(op: op, clock: clock, author: author, value: try reader.value()))
            }
            registers[name] = register
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            var set = ObservedRemoveSet()
            for _ in 0..<(try reader.count()) {
                let element = try reader.string()
                var tags = Set<OpID>()
                for _ in 0..<(try reader.count()) { tags.insert(try reader.op()) }
                set.live[element] = tags
            }
            sets[name] = set
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            var counter = PNCounter()
            for _ in 0..<(try reader.count()) {
                let replica = ReplicaID(rawValue: try reader.integer())
                counter.contributions[replica] = .init(
                    increments: Int64(bitPattern: try reader.integer()),
                    decrements: Int64(bitPattern: try reader.integer()))
            }
            counters[name] = counter
        }
        for _ in 0..<(try reader.count()) {
            let name = try reader.string()
            var log = AppendLog()
            for _ in 0..<(try reader.count()) {
                let op = try reader.op()
                let clock = HybridTimestamp(rawValue: try reader.integer())
                guard let author = WorkerID(try reader.string()) else { throw reader.damaged() }
                var parts: [String: FieldValue] = [:]
                for _ in 0..<(try reader.count()) {
                    let part = try reader.string()
                    parts[part] = try reader.value()
                }
                log.items.append(.init(op: op, clock: clock, author: author, entry: LogEntry(parts)))
            }
            logs[name] = log
        }
        guard reader.isAtEnd else { throw reader.damaged() }
    }
}

/// Appends the pieces of ``RecordState/encoded()``.
private struct ByteWriter {
    var buffer: [UInt8] = []

    mutating func byte(_ value: UInt8) { buffer.append(value) }

    /// An unsigned LEB128 integer.
    mutating func integer(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            buffer.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        buffer.append(UInt8(value))
    }

    mutating func count(_ value: Int) { integer(UInt64(value)) }

    mutating func string(_ text: String) {
        count(text.utf8.count)
        buffer.append(contentsOf: text.utf8)
    }

    mutating func bytes(_ uuid: uuid_t) {
        withUnsafeBytes(of: uuid) { buffer.append(contentsOf: $0) }
    }

    mutating func op(_ id: OpID) {
        integer(id.replica.rawValue)
        integer(id.sequence)
    }

    mutating func value(_ value: FieldValue) {
        switch value {
        case .null: byte(0)
        case .text(let text):
            byte(1)
            string(text)
        case .integer(let integer):
            byte(2)
            self.integer(UInt64(bitPattern: integer))
        case .boolean(let boolean): byte(boolean ? 4 : 3)
        }
    }
}

/// Reads the pieces of ``RecordState/encoded()``, refusing bytes that run short.
private struct ByteReader {
    let buffer: [UInt8]
    var position = 0

    init(_ buffer: [UInt8]) { self.buffer = buffer }

    var isAtEnd: Bool { position == buffer.count }

    func damaged() -> MergeError {
        MergeError(
            .unreadableState, "a stored record state is damaged at byte \(position): restore the replica from a backup")
    }

    mutating func byte() throws(MergeError) -> UInt8 {
        guard position < buffer.count else { throw damaged() }
        defer { position += 1 }
        return buffer[position]
    }

    mutating func integer() throws(MergeError) -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let byte = try byte()
            guard shift < 64 else { throw damaged() }
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    mutating func count() throws(MergeError) -> Int {
        let value = try integer()
        guard value <= UInt64(buffer.count - position) else { throw damaged() }
        return Int(value)
    }

    mutating func bytes(_ length: Int) throws(MergeError) -> ArraySlice<UInt8> {
        guard length <= buffer.count - position else { throw damaged() }
        defer { position += length }
        return buffer[position..<position + length]
    }

    mutating func string() throws(MergeError) -> String {
        let length = try count()
        return String(decoding: try bytes(length), as: UTF8.self)
    }

    mutating func op() throws(MergeError) -> OpID {
        let replica = ReplicaID(rawValue: try integer())
        let sequence = try integer()
        guard sequence > 0 else { throw damaged() }
        return OpID(replica: replica, sequence: sequence)
    }

    mutating func value() throws(MergeError) -> FieldValue {
        switch try byte() {
        case 0: return .null
        case 1: return .text(try string())
        case 2: return .integer(Int64(bitPattern: try integer()))
        case 3: return .boolean(false)
        case 4: return .boolean(true)
        default: throw damaged()
        }
    }
}
