import GridMerge
import GridModel
import GridProtocol
import GridStore

/// The daemon's answers to the files laptops offer, send and fetch (gridsync/4): its files,
/// and its replica, whose records say which files exist for whom. A laptop may send a file
/// that a record it may write names, and fetch one that a record it may read names; any
/// other is "unknown", whether or not the daemon holds it.
public struct FileService: Sendable {
    /// The daemon's files.
    public let files: FileStore
    /// The replica whose records name them (the daemon's own, or the mirror of PostgreSQL's log).
    public let replica: any ReplicaStore

    /// Answers from `files`, by the records of `replica`.
    public init(files: FileStore, replica: any ReplicaStore) {
        self.files = files
        self.replica = replica
    }

    /// The answer to `message` (`ASK`, `OFFER`, `CHUNK`, `FETCH` or `STAT`) from a client that may read
    /// `read` and write `write`; a `CHUNK` sent carries at most `chunkBytes`.
    public func answer(_ message: Message, read: [GridScope], write: [GridScope], chunkBytes: Int) async -> Message {
        do {
            switch message {
            case .ask(let asked):
                // Only files a record the client may read names: the answer tells of no other.
                var held: [FileID] = []
                for file in asked where files.size(of: file) != nil {
                    if try await named(file, within: read) { held.append(file) }
                }
                return .held(files: held)
            case .offer(let file, let size):
                if files.size(of: file) != nil { return .have(file: file) }
                try await check(file, size: size, namedWithin: write)
                return .want(file: file, offset: files.partialSize(of: file))
            case .chunk(let file, let size, let offset, let bytes):
                if files.size(of: file) != nil { return .have(file: file) }
                try await check(file, size: size, namedWithin: write)
                switch try files.receive(file, size: size, offset: offset, bytes: bytes) {
                case .kept: return .have(file: file)
                case .partial(let held): return .want(file: file, offset: held)
                case .corrupt:
                    return .error(
                        ProtocolError(
                            .fileCorrupt, "\(file) did not hash to its id as sent: what arrived was dropped"))
                }
            case .stat(let file):
                guard let size = files.size(of: file), try await named(file, within: read) else {
                    return .error(Self.unknown(file))
                }
                return .size(file: file, size: Int64(size))
            case .fetch(let file, let offset):
                guard let size = files.size(of: file), try await named(file, within: read) else {
                    return .error(Self.unknown(file))
                }
                guard offset <= Int64(size) else {
                    return .error(ProtocolError(.fileUnknown, "\(file) has \(size) bytes, not \(offset)"))
                }
                let bytes = try files.read(file, offset: offset, length: chunkBytes)
                return .chunk(file: file, size: Int64(size), offset: offset, bytes: bytes)
            default:
                return .error(ProtocolError(.malformedLine, "not a file message"))
            }
        } catch let refusal as ProtocolError {
            return .error(refusal)
        } catch let error as StoreError where error.code == .fileTooLarge {
            return .error(ProtocolError(.fileTooLarge, error.message))
        } catch let error as StoreError where error.code == .diskFull {
            return .error(ProtocolError(.diskFull, error.message))
        } catch {
            return .error(ProtocolError(.internal, "the server could not handle the file: \(error)"))
        }
    }

    /// The answer about a file this server does not hold, or the client may not read.
    private static func unknown(_ file: FileID) -> ProtocolError {
        ProtocolError(
            .fileUnknown, "\(file) is not held here, or no record you may read names it: it may come with a later sync")
    }

    /// Refuses a file no record in `scopes` names, one over the limit, and one whose records all
    /// name more files than one record may (a token naming thousands of files in a record
    /// gets none of them kept).
    private func check(_ file: FileID, size: Int64, namedWithin scopes: [GridScope]) async throws {
        guard size <= Int64(files.limits.fileBytes) else {
            throw ProtocolError(
                .fileTooLarge,
                "\(file) is \(FileStore.megabytes(Int(size))), over this server's limit of "
                    + "\(FileStore.megabytes(files.limits.fileBytes)) for one file: detach it, and attach a smaller one"
            )
        }
        let records = try await replica.records(naming: file).filter { scopes.covers($0.scope) }
        guard !records.isEmpty else {
            throw ProtocolError(
                .fileUnknown, "no record you may write names \(file): push the record first; nothing was kept")
        }
        guard records.contains(where: { $0.files <= files.limits.filesPerRecord }) else {
            throw ProtocolError(
                .fileTooLarge,
                "the records naming \(file) name more than \(files.limits.filesPerRecord) photos each, this server's "
                    + "limit for one record: detach some")
        }
    }

    private func named(_ file: FileID, within scopes: [GridScope]) async throws -> Bool {
        try await replica.records(naming: file).contains { scopes.covers($0.scope) }
    }
}
