import FuzzSupport
import Foundation
import GridCommandLine

/// Fuzzes `ConfigFile.parse(_:path:)`, which reads the daemon's configuration file
/// (an operator's file, but also whatever `--config` or `GRIDSYNCD_CONFIG` points at).
///
/// Invariants, from its documentation: it returns entries or throws a `ConfigFileError` of
/// code `malformed-line` that names the file and the line, never traps; every key and value is
/// trimmed of whitespace; no key holds a `=`, no value a `#`, neither any line end (`\n`, `\r`,
/// or another Unicode line end: every kind ends a line); line numbers rise strictly and name a
/// line of the file, counted as the parser counts them (after a leading byte-order mark, at
/// every line end), and not a line that is blank or only a comment. Keys and values are looked
/// at as Characters, as the parser looks at them.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfigFile(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    let entries: [ConfigFile.Entry]
    do {
        entries = try ConfigFile.parse(text, path: "fuzz.conf")
    } catch {
        invariant(error.code == .malformedLine, "parse threw \(error.code)")
        invariant(error.message.hasPrefix("fuzz.conf:"), "an error names the file and line: \(error.message)")
        trace("refused: \(error.message)")
        return 0
    }
    let body = text.hasPrefix("\u{FEFF}") ? Substring(text.dropFirst()) : Substring(text)
    let lines = body.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
    var previous = 0
    for entry in entries {
        invariant(entry.line > previous && entry.line <= lines.count, "line \(entry.line) after \(previous)")
        previous = entry.line
        invariant(isTrimmed(entry.key), "key not trimmed: \(entry.key.debugDescription)")
        invariant(isTrimmed(entry.value), "value not trimmed: \(entry.value.debugDescription)")
        invariant(!entry.key.contains("="), "a key holds '=': \(entry.key.debugDescription)")
        invariant(!entry.value.contains("#"), "a value holds a comment: \(entry.value.debugDescription)")
        invariant(
            !holdsLineEnd(entry.key) && !holdsLineEnd(entry.value),
            "an entry holds a line end: \(entry.key.debugDescription) = \(entry.value.debugDescription)")
        let line = lines[entry.line - 1].trimmingCharacters(in: .whitespaces)
        invariant(!line.isEmpty && !line.hasPrefix("#"), "a blank or comment line gave an entry: \(line.debugDescription)")
        trace("\(entry.line): \(entry.key.debugDescription) = \(entry.value.debugDescription)")
    }
    return 0
}

/// Whether `text` neither starts nor ends with whitespace, as `trimmingCharacters(in: .whitespaces)`
/// leaves it (checked on the two end scalars: trimming in the harness too made it twice as slow).
private func isTrimmed(_ text: String) -> Bool {
    guard let first = text.unicodeScalars.first, let last = text.unicodeScalars.last else { return true }
    return !CharacterSet.whitespaces.contains(first) && !CharacterSet.whitespaces.contains(last)
}

/// Whether `text` holds a line end, in any form: a Character that is one, or a scalar of one.
private func holdsLineEnd(_ text: String) -> Bool {
    text.contains(where: \.isNewline)
        || text.unicodeScalars.contains { [0x0A, 0x0B, 0x0C, 0x0D, 0x85, 0x2028, 0x2029].contains($0.value) }
}
