/// How a `CHUNK` carries a file's bytes after its header line.
public enum ChunkFraming: Hashable, Sendable {
    /// gridsync/4: `CHUNK file size offset lines`, then that many lines of base64 of
    /// ``Limits/fileLineBytes`` bytes each (fewer on the last). A third more bytes on the wire, and
    /// base64 to write and read each way.
    case base64Lines
    /// gridsync/5: `CHUNK file size offset length`, then exactly `length` bytes as they are, then
    /// a line feed. The header says how many bytes follow, so they may hold any byte, line feeds
    /// included; the line feed after them shows the framing still holds.
    case bytes
}
