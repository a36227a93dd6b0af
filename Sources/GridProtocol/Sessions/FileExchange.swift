import GridMerge
import GridModel

/// The client's half of moving files after the ops (gridsync/4 and later), as a state machine
/// with no I/O: ask which of the files it holds (that its records name) the server holds
/// already, in one round trip; offer each of the others, sending what the server wants of it a
/// chunk at a time from where the server's copy ends; then fetch each file its records name
/// that it lacks, from where its own copy ends. A laptop that defers large photos asks the size
/// of each it has none of yet (`STAT`), and leaves those over its limit for a fetch on demand.
/// A refusal of one file (too large, unknown to the server, corrupt) is noted and the next
/// goes on; a fatal error ends the sync.
///
/// A file's chunks are asked for and sent ahead of their answers (gridsync/5), at most
/// ``Message/fileRequestsAhead`` unanswered, so that each side works while the other does: the
/// server stores one chunk while the next is on its way, and the laptop stores one while the
/// server reads the next. The server answers in turn; an answer that stops the file (it is
/// kept, refused, or wanted from elsewhere) leaves the answers still due to be read and set
/// aside before the exchange goes on.
///
/// The driver (``ClientSession``'s) performs each ``Action`` and feeds back the result.
public struct FileExchange: Sendable {
    /// What the driver must do next.
    public enum Action: Hashable, Sendable {
        /// Send this message, then wait for the next message from the server and pass it to ``received(_:)``.
        case send(Message)
        /// Send this message, then call ``sentAhead()`` at once: its answer comes later, in turn.
        case sendAhead(Message)
        /// Wait for the next message from the server and pass it to ``received(_:)``.
        case awaitAnswer
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

    /// What an answer said that ends the sending or fetching of a file, once the answers still
    /// due have been read.
    private enum Outcome: Hashable, Sendable {
        /// The file is whole on the receiving side.
        case kept
        /// Go on from this byte (the receiver's copy ends there, not where the chunks sent do).
        case resume(at: Int64)
        /// The file was refused, or arrived corrupt.
        case refused(ProtocolError)
    }

    /// A file being sent: the next byte to load, the ends of the chunks sent whose answers are
    /// due (in order), and what stops the sending, if anything has.
    private struct Upload: Hashable, Sendable {
        let file: FileID
        let size: Int64
        var next: Int64
        var unanswered: [Int64] = []
        var outcome: Outcome?
    }

    /// A file being fetched: its size once a chunk has told it, the offsets asked for whose
    /// chunks are due (in order), where the next request would start, and what stops the
    /// fetching, if anything has.
    private struct Download: Hashable, Sendable {
        let file: FileID
        var size: Int64?
        var requested: [Int64]
        var next: Int64
        var outcome: Outcome?
    }

    private enum State: Hashable, Sendable {
        case start
        case asking(Set<FileID>)
        case offering(FileID, size: Int64)
        case loading(Upload)
        case sending(Upload)
        case sizing(FileID)
        case fetching(Download)
        /// A chunk has arrived; requests ahead of it go out before it is stored.
        case requestingAhead(Download, arrived: Arrived)
        case storing(Download, offset: Int64)
        case done
    }

    /// Bytes of a file that arrived, from `offset`.
    private struct Arrived: Hashable, Sendable {
        let offset: Int64
        let bytes: [UInt8]
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
        if case .error(let error) = message, error.code.isFatal {
            state = .done
            return .refused(error)
        }
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
        case (.offering(let file, let size), .want(let wanted, let offset)):
            guard wanted == file, offset < size else {
                return fail(.malformedLine, "the server wants \(wanted) from byte \(offset), not a file being offered")
            }
            return load(Upload(file: file, size: size, next: offset))
        case (.sending(var upload), _):
            return answered(&upload, by: message)
        case (.sizing(let file), .size(let sized, let size)) where sized == file:
            guard let limit = deferOver, size > limit else { return fetch(file, from: 0) }
            summary.deferred += 1
            summary.deferredBytes += size
            return next()
        case (.fetching(var download), _):
            return arrived(&download, message)
        case (.offering, .error(let error)), (.sizing, .error(let error)), (.asking, .error(let error)):
            summary.refusals.append(error)
            return next()
        case (_, .error(let error)):
            state = .done
            return .refused(error)
        default:
            return unexpected("\(message.lines[0].prefix(20))")
        }
    }

    /// The bytes asked for are read: send them, ahead of the answers still due.
    public mutating func chunkLoaded(_ bytes: [UInt8]) -> Action {
        guard case .loading(var upload) = state else { return unexpected("chunkLoaded") }
        let offset = upload.next
        guard !bytes.isEmpty, offset + Int64(bytes.count) <= upload.size else {
            return fail(
                .internal,
                "\(upload.file) does not hold \(upload.size) bytes here: it changed on disk while it was sent")
        }
        upload.next += Int64(bytes.count)
        upload.unanswered.append(upload.next)
        state = .sending(upload)
        return .sendAhead(.chunk(file: upload.file, size: upload.size, offset: offset, bytes: bytes))
    }

    /// The message of the last ``Action/sendAhead(_:)`` is sent: send more ahead, store what
    /// arrived, or wait for an answer.
    public mutating func sentAhead() -> Action {
        switch state {
        case .sending(let upload):
            if upload.outcome == nil, upload.next < upload.size, upload.unanswered.count < Message.fileRequestsAhead {
                return load(upload)
            }
            return .awaitAnswer
        case .requestingAhead(var download, let arrived):
            if let size = download.size, download.next < size, download.requested.count < Message.fileRequestsAhead {
                return requestAhead(&download, arrived: arrived)
            }
            state = .storing(download, offset: arrived.offset)
            return .storeChunk(
                file: download.file, size: download.size ?? 0, offset: arrived.offset, bytes: arrived.bytes)
        default:
            return unexpected("sentAhead")
        }
    }

    /// The chunk received is stored: wait for the one asked for ahead, ask for the rest, or go
    /// on to the next file.
    public mutating func chunkStored(_ stored: Stored) -> Action {
        guard case .storing(var download, let offset) = state else { return unexpected("chunkStored") }
        switch stored {
        case .kept:
            summary.received += 1
            download.outcome = .kept
        case .corrupt:
            download.outcome = .refused(
                ProtocolError(.fileCorrupt, "\(download.file) did not hash to its id as sent: it will be fetched again")
            )
        case .partial(let held):
            // Each chunk must bring the copy further, or the exchange would never end.
            guard held > offset else { return fail(.malformedLine, "\(download.file) stopped growing at byte \(held)") }
            if download.requested.first != held { download.outcome = .resume(at: held) }
        }
        return settle(download)
    }

    // MARK: - Sending

    /// Loads the next chunk of `upload`.
    private mutating func load(_ upload: Upload) -> Action {
        state = .loading(upload)
        return .loadChunk(
            file: upload.file, offset: upload.next, length: Int(min(Int64(chunkBytes), upload.size - upload.next)))
    }

    /// Takes the server's answer to the oldest chunk of `upload` still unanswered.
    private mutating func answered(_ upload: inout Upload, by message: Message) -> Action {
        guard !upload.unanswered.isEmpty else { return unexpected("\(message.lines[0].prefix(20))") }
        let expected = upload.unanswered.removeFirst()
        switch message {
        case .have(let file) where file == upload.file:
            upload.outcome = .kept
        case .want(let file, let offset) where file == upload.file && offset < upload.size:
            switch upload.outcome {
            case nil where offset == expected, .kept, .refused: break
            // The latest answer says where the server's copy ends now.
            case nil, .resume: upload.outcome = .resume(at: offset)
            }
        case .error(let error):
            if upload.outcome != .kept { upload.outcome = .refused(error) }
        default:
            return fail(
                .malformedLine, "the server answered a chunk of \(upload.file) with \(message.lines[0].prefix(20))")
        }
        guard upload.unanswered.isEmpty else {
            state = .sending(upload)
            if upload.outcome == nil, upload.next < upload.size, upload.unanswered.count < Message.fileRequestsAhead {
                return load(upload)
            }
            return .awaitAnswer
        }
        switch upload.outcome {
        case nil:
            guard upload.next < upload.size else {
                return fail(.malformedLine, "the server neither kept \(upload.file) nor wanted more of it")
            }
            return load(upload)
        case .kept:
            summary.sent += 1
            summary.bytesSent += upload.size
            return next()
        case .resume(let offset):
            return load(Upload(file: upload.file, size: upload.size, next: offset))
        case .refused(let error):
            summary.refusals.append(error)
            return next()
        }
    }

    // MARK: - Fetching

    /// Asks for `file` from byte `offset`, alone: its size is not known yet.
    private mutating func fetch(_ file: FileID, from offset: Int64) -> Action {
        state = .fetching(Download(file: file, requested: [offset], next: offset))
        return .send(.fetch(file: file, offset: offset))
    }

    /// Takes the server's answer to the oldest request of `download`.
    private mutating func arrived(_ download: inout Download, _ message: Message) -> Action {
        guard let asked = download.requested.first else { return unexpected("\(message.lines[0].prefix(20))") }
        download.requested.removeFirst()
        switch message {
        case .chunk(let file, let size, let from, let bytes)
        where file == download.file && from == asked && (!bytes.isEmpty || from == size)
            && download.size.map({ $0 == size }) != false:
            guard download.outcome == nil else { return settle(download) }
            download.size = size
            download.next = max(download.next, from + Int64(bytes.count))
            summary.bytesReceived += Int64(bytes.count)
            let arrived = Arrived(offset: from, bytes: bytes)
            guard download.next < size, download.requested.count < Message.fileRequestsAhead else {
                state = .storing(download, offset: from)
                return .storeChunk(file: file, size: size, offset: from, bytes: bytes)
            }
            return requestAhead(&download, arrived: arrived)
        case .error(let error):
            if download.outcome == nil { download.outcome = .refused(error) }
            return settle(download)
        default:
            return fail(
                .malformedLine, "the server sent \(message.lines[0].prefix(90)), not \(download.file) from \(asked)")
        }
    }

    /// Asks ahead for the chunk after the last one asked for, then stores `arrived`.
    private mutating func requestAhead(_ download: inout Download, arrived: Arrived) -> Action {
        let offset = download.next
        download.requested.append(offset)
        download.next = min(download.size ?? offset, offset + Int64(chunkBytes))
        state = .requestingAhead(download, arrived: arrived)
        return .sendAhead(.fetch(file: download.file, offset: offset))
    }

    /// Waits for the chunks still due, or, with none due, goes on: from where the copy ends,
    /// or to the next file.
    private mutating func settle(_ download: Download) -> Action {
        guard download.requested.isEmpty else {
            state = .fetching(download)
            return .awaitAnswer
        }
        switch download.outcome {
        case nil:
            return fetch(download.file, from: download.next)
        case .kept:
            return next()
        case .resume(let offset):
            return fetch(download.file, from: offset)
        case .refused(let error):
            summary.refusals.append(error)
            return next()
        }
    }

    // MARK: -

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
            return self.fetch(fetch.file, from: fetch.held)
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
