/// The byte ranges of the lines of `bytes`, each without its line feed, as a line-based
/// reader sees them; an unterminated last line is included when it is not empty.
public func lineRanges(of bytes: [UInt8]) -> [Range<Int>] {
    var ranges: [Range<Int>] = []
    var start = 0
    for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
        ranges.append(start..<index)
        start = index + 1
    }
    if start < bytes.count { ranges.append(start..<bytes.count) }
    return ranges
}
