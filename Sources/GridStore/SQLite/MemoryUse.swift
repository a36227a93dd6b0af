/// How much memory a replica's connections may keep, by what the process that opens it does.
public enum MemoryUse: Sendable {
    /// A sync, or a command that may touch records all over the file: up to 64 MiB of pages
    /// per connection, the rest read through a 256 MiB memory map.
    case sync
    /// A reading tool that reads a few figures and exits (``SQLiteReplicaStore/openReadOnly(in:wallClock:)``):
    /// 16 MiB of pages and no memory map; nothing is written.
    case reading
    /// A process that stays open beside the worker and reads a page at a time (`gridsync ui`):
    /// 2 MiB of pages per connection, two readers, no memory map.
    case lean
}
