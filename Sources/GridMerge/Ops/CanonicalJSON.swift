import GridModel

/// The one JSON spelling of values, entries and payloads that every replica writes: object
/// keys sorted, no spaces, only `"`, `\` and control characters escaped, everything else
/// as UTF-8. Equal values give equal text, which is what stores and the wire compare.
///
/// Written by hand because values are encoded for every op stored: Foundation's
/// `JSONEncoder` was the largest cost of ingesting ops.
public enum CanonicalJSON {
    /// The JSON text of a field value.
    public static func text(_ value: FieldValue) -> String {
        var output = ""
        append(value, to: &output)
        return output
    }

    /// The JSON text of a payload: a one-key object named after the action.
    public static func text(_ payload: OpPayload) -> String {
        var output = "{"
        switch payload {
        case .assign(let value):
            output += "\"assign\":"
            append(value, to: &output)
        case .add(let element):
            output += "\"add\":"
            appendString(element, to: &output)
        case .remove(let element):
            output += "\"remove\":"
            appendString(element, to: &output)
        case .change(let change):
            output += "\"change\":\(change)"
        case .append(let entry):
            output += "\"append\":"
            append(entry, to: &output)
        }
        output += "}"
        return output
    }

    private static func append(_ entry: LogEntry, to output: inout String) {
        output += "{"
        for (index, part) in entry.sortedParts.enumerated() {
            if index > 0 { output += "," }
            appendString(part.name, to: &output)
            output += ":"
            append(part.value, to: &output)
        }
        output += "}"
    }

    private static func append(_ value: FieldValue, to output: inout String) {
        switch value {
        case .text(let text): appendString(text, to: &output)
        case .integer(let integer): output += String(integer)
        case .boolean(let boolean): output += boolean ? "true" : "false"
        case .null: output += "null"
        }
    }

    private static func appendString(_ text: String, to output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
