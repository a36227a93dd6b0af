import GridMerge
import GridModel

/// The client's half of moving files after the ops (gridsync/4), as a state machine with no
/// I/O: ask which of the files it holds (that its records name) the server holds already, in
/// one round trip; offer each of the others, sending what the server wants of it a chunk at a
/// time from where the server's copy ends; then fetch each file its records name
/// that it lacks, from where its own copy ends. A laptop that defers large photos asks the size
/// of each it has none of yet (`STAT`), and leaves those over its limit for a fetch on demand.
/// A refusal of one file (too large, unknown to the server, corrupt) is noted and the next
/// goes on; a fatal error ends the sync.
///
/// The driver (``ClientSession``'s) performs each ``Action`` and feeds back the result.
public struct FileExchange: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message.
        case send(Message)
        /// Read up to `length` bytes of the held file from `offset`, then call ``chunkLoaded(_:)``.
        case loadChunk(file: FileID, offset: Int64, length: Int)
        /// Append these bytes of the file (of `size` bytes) from `offset`, then call ``chunkStored(_:)``.
        case storeChunk(file: FileID, size: Int64, offset: Int64, bytes: [UInt8])
        /// Every file has been offered and fetched.
        case finished(Summary)
        /// Send this error and close the connection.
        case fail(ProtocolError)
        /// The server sent this fatal error: close the connection and report it.
        case refused(ProtocolError)
    }

    /// What a stored chunk did (``FileStore/Received``, seen from here).
    public enum Stored: Hashable, Sendable {
        case partial(held: Int64)
        case kept
        case corrupt
    }

    /// What the exchange moved.
    public struct Summary: Hashable, Sendable {
        /// Files the server did not hold and now does, and their bytes sent.
        public var sent = 0, bytesSent: Int64 = 0
        /// Files this replica now holds, and their bytes received.
        public var received = 0, bytesReceived: Int64 = 0
        /// Files left for later as larger than the laptop's limit, and their bytes.
        public var deferred = 0, deferredBytes: Int64 = 0
        /// Why files were not moved (each a non-fatal error, for the worker to read).
        public var refusals: [ProtocolError] = []

        public init() {}
    }

    private enum State: Hashable, Sendable {
        case start
        case asking(Set<FileID>)
        case offering(FileID, size: Int64)
        case loading(FileID, size: Int64, offset: Int64)
        case sending(FileID, size: Int64)
        case sizing(FileID)
        case fetching(FileID, offset: Int64)
        case storing(FileID, offset: Int64)
        case done
    }

    private var state = State.start
    private var offers: [(file: FileID, size: Int64)]
    private var fetches: [(file: FileID, held: Int64)]
    private let chunkBytes: Int
    private let deferOver: Int64?
    private let exempt: Set<FileID>
    /// What this exchange moved so far.
    public private(set) var summary = Summary()

    /// An exchange that offers `offers` (files held, with their sizes) and fetches `fetches`
    /// (files lacking, with the bytes of each held already), sending at most `chunkBytes` of a
    /// file in one `CHUNK` (the agreed limits' ``Limits/fileChunkBytes``). With `deferOver`,
    /// a file larger than that many bytes is not fetched, unless it is in `exempt` (fetched on
    /// demand) or part of it is held already (a fetch that was cut goes on).
    public init(
        offers: [(file: FileID, size: Int64)], fetches: [(file: FileID, held: Int64)],
        chunkBytes: Int = Limits.standard.fileChunkBytes, deferOver: Int64? = nil, exempt: Set<FileID> = []
    ) {
        self.offers = offers
        self.fetches = fetches
        self.chunkBytes = chunkBytes
        self.deferOver = deferOver
        self.exempt = exempt
    }

    /// Starts with the first file.
    public mutating func start() -> Action {
        guard state == .start else { return unexpected("start") }
        guard !offers.isEmpty else { return next() }
        let asked = offers.prefix(Message.filesPerAsk).map(\.file)
        state = .asking(Set(asked))
        return .send(.ask(files: asked))
    }

    /// Takes a message from the server.
    public mutating func received(_ message: Message) -> Action {
        switch (state, message) {
        case (.asking(let asked), .held(let held)):
            let holds = Set(held)
            guard holds.isSubset(of: asked) else {
                return fail(.malformedLine, "the server says it holds files this laptop did not ask about")
            }
            offers.removeAll { holds.contains($0.file) }
            return next()
        case (.offering(let file, _), .have(let held)) where held == file:
            return next()
        case (.sending(let file, let size), .have(let held)) where held == file:
            summary.sent += 1
            summary.bytesSent += size
            return next()
        case (.offering(let file, let size), .want(let wanted, let offset)),
            (.sending(let file, let size), .want(let wanted, let offset)):
            guard wanted == file, offset < size else {
                return fail(.malformedLine, "the server wants \(wanted) from byte \(offset), not a file being sent")
            }
            state = .loading(file, size: size, offset: offset)
            return .loadChunk(
                file: file, offset: offset, length: Int(min(Int64(chunkBytes), size - offset)))
        case (.sizing(let file), .size(let sized, let size)) where sized == file:
            guard let limit = deferOver, size > limit else {
                state = .fetching(file, offset: 0)
                return .send(.fetch(file: file, offset: 0))
            }
            summary.deferred += 1
            summary.deferredBytes += size
            return next()
        case (.fetching(let file, let offset), .chunk(let sent, let size, let from, let bytes)):
            guard sent == file, from == offset, !bytes.isEmpty || from == size else {
                return fail(.malformedLine, "the server sent \(sent) from byte \(from), not \(file) from \(offset)")
            }
            state = .storing(file, offset: offset)
            summary.bytesReceived += Int64(bytes.count)
            return .storeChunk(file: file, size: size, offset: from, bytes: bytes)
        case (.offering, .error(let error)), (.sending, .error(let error)), (.fetching, .error(let error)),
            (.sizing, .error(let error)), (.asking, .error(let error)):
            guard !error.code.isFatal else {
                state = .done
                return .refused(error)
            }
            summary.refusals.append(error)
            return next()
        case (_, .error(let error)):
            state = .done
            return .refused(error)
        default:
            return unexpected("\(message.lines[0].prefix(20))")
        }
    }

    /// The bytes asked for are read: send them.
    public mutating func chunkLoaded(_ bytes: [UInt8]) -> Action {
        guard case .loading(let file, let size, let offset) = state else { return unexpected("chunkLoaded") }
        guard !bytes.isEmpty else {
            return fail(.internal, "\(file) ends before byte \(size) here: it changed on disk while it was sent")
        }
        state = .sending(file, size: size)
        return .send(.chunk(file: file, size: size, offset: offset, bytes: bytes))
    }

    /// The chunk received is stored: ask for the rest, or go on to the next file.
    public mutating func chunkStored(_ stored: Stored) -> Action {
        guard case .storing(let file, let offset) = state else { return unexpected("chunkStored") }
        switch stored {
        case .kept:
            summary.received += 1
            return next()
        case .corrupt:
            summary.refusals.append(
                ProtocolError(.fileCorrupt, "\(file) did not hash to its id as sent: it will be fetched again"))
            return next()
        case .partial(let held):
            // Each chunk must bring the copy further, or the exchange would never end.
            guard held > offset else { return fail(.malformedLine, "\(file) stopped growing at byte \(held)") }
            state = .fetching(file, offset: held)
            return .send(.fetch(file: file, offset: held))
        }
    }

    private mutating func next() -> Action {
        if !offers.isEmpty {
            let offer = offers.removeFirst()
            state = .offering(offer.file, size: offer.size)
            return .send(.offer(file: offer.file, size: offer.size))
        }
        if !fetches.isEmpty {
            let fetch = fetches.removeFirst()
            if deferOver != nil, fetch.held == 0, !exempt.contains(fetch.file) {
                state = .sizing(fetch.file)
                return .send(.stat(file: fetch.file))
            }
            state = .fetching(fetch.file, offset: fetch.held)
            return .send(.fetch(file: fetch.file, offset: fetch.held))
        }
        state = .done
        return .finished(summary)
    }

    private mutating func fail(_ code: ProtocolError.Code, _ message: String) -> Action {
        state = .done
        return .fail(ProtocolError(code, message))
    }

    private mutating func unexpected(_ what: String) -> Action {
        fail(.malformedLine, "\(what) was not expected by the client's file exchange now (\(state))")
    }
}
