import GridModel

extension CanonicalJSON {
    /// Reads a payload written in canonical JSON, or `nil` if the text is not one.
    ///
    /// Every op a replica receives or loads goes through here, so it is written by hand
    /// over the UTF-8 bytes: Foundation's `JSONDecoder` was the largest cost of reading
    /// ops. It reads the canonical spelling only (no spaces, only the escapes
    /// ``text(_:)`` writes); callers that must refuse non-canonical text compare the
    /// payload written back with the text they read.
    public static func payload(from text: some StringProtocol) -> OpPayload? {
        var reader = Reader(bytes: Array(text.utf8))
        guard let payload = reader.payload(), reader.isAtEnd else { return nil }
        return payload
    }

    /// A cursor over the bytes of one payload.
    private struct Reader {
        let bytes: [UInt8]
        var index = 0

        var isAtEnd: Bool { index == bytes.count }

        mutating func payload() -> OpPayload? {
            guard take(UInt8(ascii: "{")), let action = string(), take(UInt8(ascii: ":")) else { return nil }
            let payload: OpPayload?
            switch action {
            case "assign": payload = value().map(OpPayload.assign)
            case "add": payload = string().map(OpPayload.add)
            case "remove": payload = string().map(OpPayload.remove)
            case "change": payload = integer().map(OpPayload.change)
            case "append": payload = entry().map(OpPayload.append)
            default: payload = nil
            }
            guard take(UInt8(ascii: "}")) else { return nil }
            return payload
        }

        mutating func value() -> FieldValue? {
            guard index < bytes.count else { return nil }
            switch bytes[index] {
            case UInt8(ascii: "\""): return string().map(FieldValue.text)
            case UInt8(ascii: "t"): return word("true") ? .boolean(true) : nil
            case UInt8(ascii: "f"): return word("false") ? .boolean(false) : nil
            case UInt8(ascii: "n"): return word("null") ? .null : nil
            default: return integer().map(FieldValue.integer)
            }
        }

        mutating func entry() -> LogEntry? {
            guard take(UInt8(ascii: "{")) else { return nil }
            var parts: [String: FieldValue] = [:]
            if take(UInt8(ascii: "}")) { return LogEntry(parts) }
            repeat {
                guard let name = string(), take(UInt8(ascii: ":")), let value = value(), parts[name] == nil else {
                    return nil
                }
                parts[name] = value
            } while take(UInt8(ascii: ","))
            guard take(UInt8(ascii: "}")) else { return nil }
            return LogEntry(parts)
        }

        /// A decimal integer in Int64, without leading zeros.
        mutating func integer() -> Int64? {
            let start = index
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
            let digits = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) { index += 1 }
            guard index > digits, index - digits == 1 || bytes[digits] != UInt8(ascii: "0") else { return nil }
            return Int64(String(decoding: bytes[start..<index], as: UTF8.self))
        }

        /// A string with the canonical escapes; raw control characters are refused.
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var scalars = String.UnicodeScalarView()
            var runStart = index
            func flush(_ end: Int) -> Bool {
                guard end > runStart else { return true }
                guard let run = String(validating: bytes[runStart..<end], as: UTF8.self) else { return false }
                scalars.append(contentsOf: run.unicodeScalars)
                return true
            }
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    guard flush(index) else { return nil }
                    index += 1
                    return String(scalars)
                }
                guard byte >= 0x20 else { return nil }
                guard byte == UInt8(ascii: "\\") else {
                    index += 1
                    continue
                }
                guard flush(index), index + 1 < bytes.count else { return nil }
                let escaped = bytes[index + 1]
                index += 2
                switch escaped {
                case UInt8(ascii: "\""): scalars.append("\"")
                case UInt8(ascii: "\\"): scalars.append("\\")
                case UInt8(ascii: "n"): scalars.append("\n")
                case UInt8(ascii: "r"): scalars.append("\r")
                case UInt8(ascii: "t"): scalars.append("\t")
                case UInt8(ascii: "u"):
                    guard index + 4 <= bytes.count,
                        let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16),
                        value < 0x20, let scalar = Unicode.Scalar(value)
                    else { return nil }
                    scalars.append(scalar)
                    index += 4
                default: return nil
                }
                runStart = index
            }
            return nil
        }

        mutating func word(_ text: StaticString) -> Bool {
            let count = text.utf8CodeUnitCount
            guard index + count <= bytes.count else { return false }
            let matches = text.withUTF8Buffer { word in bytes[index..<index + count].elementsEqual(word) }
            if matches { index += count }
            return matches
        }

        mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
    }
}
