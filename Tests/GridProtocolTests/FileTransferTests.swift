import Foundation
import GridMerge
import GridModel
import GridNet
import GridProtocol
import GridStore
import GridTesting
import Testing

/// Photos moving with a sync (gridsync/4), through every message's lines: up to the server
/// and down to the grid's other laptops in chunks, never to another grid's; resumed after a
/// cut at any message without delivering again a byte that arrived; stored once; refused when
/// corrupt, too large, or named by no record the token may read or write.
@Suite struct FileTransferTests {
    typealias S = SyncSessionTests
    static let limits = FileLimits(fileBytes: 200_000)

    /// A photo's bytes: `size` of them, a pattern of `seed`'s.
    static func photo(_ size: Int, seed: UInt8 = 7) -> Data {
        Data([0xFF, 0xD8, 0xFF, 0xE0] + (4..<size).map { UInt8(truncatingIfNeeded: $0 &* Int(seed)) })
    }

    /// The street's server, two laptops of grid 1 and one of grid 2, each with its files.
    struct Street {
        let server, first, second, elsewhere: SQLiteReplicaStore
        let serverFiles, firstFiles, secondFiles, elsewhereFiles: FileStore

        init(_ folder: URL) throws {
            let wall = ManualWallClock()
            server = try S.store(folder, "server", 0x5e, S.community, wall)
            first = try S.store(folder, "first", 0xa1, S.grid1, wall)
            second = try S.store(folder, "second", 0xa2, S.grid1, wall)
            elsewhere = try S.store(folder, "elsewhere", 0xb3, S.grid2, wall)
            func files(_ name: String) -> FileStore {
                FileStore(replicaFolder: folder.appendingPathComponent(name).path, limits: FileTransferTests.limits)
            }
            (serverFiles, firstFiles, secondFiles, elsewhereFiles) =
                (files("server"), files("first"), files("second"), files("elsewhere"))
        }

        /// A sync of `laptop`'s replica and files with the server.
        func sync(
            _ laptop: SQLiteReplicaStore, _ files: FileStore, token: String, cutAfter: Int? = nil,
            deliveries: InProcessSync.Deliveries? = nil, limits: Limits = .standard
        ) async throws -> ClientSession.Summary {
            var sync = InProcessSync(tokens: ["wang-token": [S.grid1], "li-token": [S.grid1], "zhao-token": [S.grid2]])
            sync.limits = limits
            sync.clientFiles = files
            sync.serverFiles = serverFiles
            sync.cutAfterMessages = cutAfter
            sync.deliveries = deliveries
            return try await sync.run(client: laptop, server: server, token: token)
        }
    }

    /// Records a demand with `photo` on `laptop`; returns the photo's id.
    static func demand(with photo: Data, on laptop: SQLiteReplicaStore, _ files: FileStore, in scope: GridScope)
        async throws -> FileID
    {
        let id = try files.add(photo, named: "楼道.jpg").id
        let demand = S.demand(RecordID(), in: scope, "楼道堆物")
        _ = try await laptop.write(
            RecordChange(
                record: demand.record, target: demand.target, edits: demand.edits + [.add("photos", id.rawValue)]))
        return id
    }

    @Test func aPhotoReachesTheGridsLaptopsInChunksAndNoOtherGrids() async throws {
        try await S.withFolder { folder in
            let street = try Street(folder)
            let bytes = Self.photo(100_000)
            let id = try await Self.demand(with: bytes, on: street.first, street.firstFiles, in: S.grid1)
            let sent = try await street.sync(street.first, street.firstFiles, token: "wang-token")
            #expect(sent.files.sent == 1 && sent.files.bytesSent == 100_000, "\(sent.files)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: street.serverFiles.path(of: id))) == bytes)
            let received = try await street.sync(street.second, street.secondFiles, token: "li-token")
            #expect(received.files.received == 1 && received.files.refusals.isEmpty, "\(received.files)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: street.secondFiles.path(of: id))) == bytes)
            _ = try await street.sync(street.elsewhere, street.elsewhereFiles, token: "zhao-token")
            #expect(try street.elsewhereFiles.held().isEmpty, "another grid's laptop received a photo")
        }
    }

    /// A laptop holding a photo the server holds already is answered `HAVE`: nothing is sent.
    @Test func aPhotoTheServerHoldsIsNeverSentAgain() async throws {
        try await S.withFolder { folder in
            let street = try Street(folder)
            let bytes = Self.photo(50_000)
            _ = try await Self.demand(with: bytes, on: street.first, street.firstFiles, in: S.grid1)
            _ = try await street.sync(street.first, street.firstFiles, token: "wang-token")
            _ = try await Self.demand(with: bytes, on: street.second, street.secondFiles, in: S.grid1)
            let deliveries = InProcessSync.Deliveries()
            let again = try await street.sync(
                street.second, street.secondFiles, token: "li-token", deliveries: deliveries)
            #expect(deliveries.toServer == 0 && deliveries.toClient == 0 && again.files.sent == 0, "\(again.files)")
            #expect(try street.serverFiles.held().count == 1)
        }
    }

    /// Cut after every number of messages, each way, then synced again until done: the file
    /// arrives whole, and no byte that had arrived is delivered a second time.
    @Test func aCutAtAnyMessageResumesWithoutDeliveringABytesTwice() async throws {
        // Short lines and messages: 7 lines of 3 KiB a chunk, and a photo of 7 chunks.
        let limits = Limits(lineBytes: 4_096, messageBytes: 64 * 1024)
        let size = 6 * limits.fileChunkBytes + 1_234
        for cut in 1...16 {
            try await S.withFolder { folder in
                let street = try Street(folder)
                let bytes = Self.photo(size, seed: UInt8(cut))
                let id = try await Self.demand(with: bytes, on: street.first, street.firstFiles, in: S.grid1)
                let deliveries = InProcessSync.Deliveries()
                var cuts = 0
                for laptop in [
                    (street.first, street.firstFiles, "wang-token"), (street.second, street.secondFiles, "li-token"),
                ] {
                    var cutAfter: Int? = cut
                    while true {
                        do {
                            _ = try await street.sync(
                                laptop.0, laptop.1, token: laptop.2, cutAfter: cutAfter, deliveries: deliveries,
                                limits: limits)
                            break
                        } catch is InProcessSync.ConnectionCut {
                            cuts += 1
                            // Later syncs are cut at the same message too, until one gets past it.
                            cutAfter = cutAfter.map { $0 + cut }
                        }
                    }
                }
                #expect(cuts > 0 || cut > 12, "cut \(cut) never struck")
                #expect(try Data(contentsOf: URL(fileURLWithPath: street.serverFiles.path(of: id))) == bytes)
                #expect(try Data(contentsOf: URL(fileURLWithPath: street.secondFiles.path(of: id))) == bytes)
                #expect(
                    deliveries.toServer == size, "cut \(cut): \(deliveries.toServer) bytes delivered up for \(size)")
                #expect(
                    deliveries.toClient == size, "cut \(cut): \(deliveries.toClient) bytes delivered down for \(size)")
            }
        }
    }

    /// The file messages' grammar: one way to write each, the bytes in lines of canonical
    /// base64, each full but the last, ending within the file.
    @Test func fileLinesAreReadOneWay() throws {
        let id = FileID(of: Data("楼道照片".utf8))
        let limits = Limits.standard
        func read(_ lines: [String], within limits: Limits = .standard) throws -> Message? {
            var reader = MessageReader(limits: limits)
            var message: Message?
            for line in lines { message = try reader.read(line[...]) }
            return message
        }
        for message in [
            Message.offer(file: id, size: 12), .want(file: id, offset: 4), .have(file: id), .fetch(file: id, offset: 0),
            .stat(file: id), .size(file: id, size: 12), .ask(files: [id, FileID(of: Data("另一张".utf8))]),
            .held(files: [id]), .held(files: []),
            .chunk(file: id, size: 12, offset: 0, bytes: [UInt8]("楼道照片".utf8)),
            .chunk(file: id, size: 0, offset: 0, bytes: []),
            .chunk(file: id, size: 5_000_000, offset: 9, bytes: [UInt8](Self.photo(limits.fileChunkBytes))),
            .chunk(file: id, size: 70_000, offset: 1, bytes: [UInt8](Self.photo(69_999))),
        ] {
            let lines = message.lines(within: limits)
            #expect(try read(lines) == message, "\(lines[0].prefix(60))")
        }
        // A smaller line limit makes shorter lines of bytes, and more of them.
        let narrow = Limits(lineBytes: 4_096)
        let chunk = Message.chunk(file: id, size: 70_000, offset: 0, bytes: [UInt8](Self.photo(60_000)))
        #expect(chunk.lines(within: narrow).count == 1 + (60_000 + 3_071) / 3_072)
        #expect(try read(chunk.lines(within: narrow), within: narrow) == chunk)

        let hex = id.rawValue
        let full = Data(count: limits.fileLineBytes).base64EncodedString()
        for lines in [
            ["OFFER \(hex) 012"], ["OFFER \(hex) -1"], ["OFFER sha256:ABC 12"], ["HAVE \(hex) 1"], ["FETCH \(hex)"],
            ["STAT"], ["STAT \(hex) 12"], ["SIZE \(hex)"], ["SIZE \(hex) 012"],
            ["ASK 0"], ["ASK \(Message.filesPerAsk + 1)"], ["ASK 2", hex, hex], ["ASK 1", "OFFER \(hex) 12"],
            ["HELD"], ["HELD 1", "sha256:12"],
            ["CHUNK \(hex) 12 0 1", "6Zeo5Y+j54Wn54mH="], ["CHUNK \(hex) 12 0 1", "6Zeo5Y+j54Wn54m"],
            ["CHUNK \(hex) 12 8 1", "6Zeo5Y+j54Wn54mH"], ["CHUNK \(hex) 12 13 0"], ["CHUNK \(hex) 12 0 0"],
            ["CHUNK \(hex) 12 0 "], ["CHUNK \(hex) 12 0 1", "6Zeo 5Y+j54Wn54mH"],
            // More lines than the bytes left need, a short line before the last, bits left over.
            ["CHUNK \(hex) 12 0 2", "6Zeo5Y+j", "54Wn54mH"],
            ["CHUNK \(hex) 999999 0 2", "6Zeo5Y+j", full],
            ["CHUNK \(hex) 1 0 1", "QR=="], ["CHUNK \(hex) 2 0 1", "QUF="],
            ["CHUNK \(hex) 99999999 0 33"] + Array(repeating: full, count: 33),
            ["CHUNK \(hex) 99999 0 1", Data(count: limits.fileLineBytes + 3).base64EncodedString()],
        ] {
            #expect(throws: ProtocolError.self, "\(lines[0].prefix(90))") {
                try read(lines, within: Limits(lineBytes: 128 * 1024))
            }
        }
        // What the reader takes for the bits left over is what Foundation writes.
        #expect(try read(["CHUNK \(hex) 1 0 1", "QQ=="]) == .chunk(file: id, size: 1, offset: 0, bytes: [0x41]))
    }

    @Test func aCorruptOrOversizedOrUnnamedFileIsRefusedAndNothingKept() async throws {
        try await S.withFolder { folder in
            let street = try Street(folder)
            let bytes = Self.photo(5_000)
            let id = try await Self.demand(with: bytes, on: street.first, street.firstFiles, in: S.grid1)
            _ = try await street.sync(
                street.first, FileStore(replicaFolder: folder.appendingPathComponent("none").path), token: "wang-token")
            let service = FileService(files: street.serverFiles, replica: street.server)
            func answer(_ message: Message, _ scopes: [GridScope] = [S.grid1]) async -> Message {
                await service.answer(message, read: scopes, write: scopes, chunkBytes: Limits.standard.fileChunkBytes)
            }
            // A byte changed on the way: the whole file does not hash to its id.
            var corrupted = [UInt8](bytes)
            corrupted[2_500] ^= 0x01
            #expect(await answer(.offer(file: id, size: 5_000)) == .want(file: id, offset: 0))
            guard case .error(let corrupt) = await answer(.chunk(file: id, size: 5_000, offset: 0, bytes: corrupted))
            else {
                Issue.record("a corrupted file was taken")
                return
            }
            #expect(corrupt.code == .fileCorrupt && !corrupt.code.isFatal)
            #expect(street.serverFiles.size(of: id) == nil && street.serverFiles.partialSize(of: id) == 0)
            // Over the limit, offered or sent: refused, nothing kept.
            for message in [
                Message.offer(file: id, size: 200_001), .chunk(file: id, size: 200_001, offset: 0, bytes: [1, 2, 3]),
            ] {
                guard case .error(let large) = await answer(message) else {
                    Issue.record("an oversized file was taken: \(message.lines[0])")
                    continue
                }
                #expect(large.code == .fileTooLarge, "\(large)")
            }
            #expect(street.serverFiles.partialSize(of: id) == 0)
            // Named by no record another grid's token may write or read: unknown, whether or not it exists.
            let stranger = FileID(of: Data("别人的照片".utf8))
            for message in [Message.offer(file: stranger, size: 10), .fetch(file: stranger, offset: 0)] {
                guard case .error(let unknown) = await answer(message) else {
                    Issue.record("a file no record names was taken or served: \(message.lines[0])")
                    continue
                }
                #expect(unknown.code == .fileUnknown)
            }
            #expect(await answer(.chunk(file: id, size: 5_000, offset: 0, bytes: [UInt8](bytes))) == .have(file: id))
            guard case .error(let outside) = await answer(.fetch(file: id, offset: 0), [S.grid2]) else {
                Issue.record("a file was served to a token of another grid")
                return
            }
            #expect(outside.code == .fileUnknown)
            #expect(
                await answer(.fetch(file: id, offset: 4_000))
                    == .chunk(file: id, size: 5_000, offset: 4_000, bytes: [UInt8](bytes[4_000...])))
            // Asked which it holds: only files a record the asker may read names, so another grid
            // learns nothing of them.
            #expect(await answer(.ask(files: [stranger, id])) == .held(files: [id]))
            #expect(await answer(.ask(files: [stranger, id]), [S.grid2]) == .held(files: []))
        }
    }

    /// A valid token used badly: it names thousands of files it never sends, or sends parts of
    /// files it never finishes. The daemon keeps none of a record's files if it names more than
    /// one record may, and parts of files only up to its limit for all of them together; the
    /// refusals are not fatal, and an honest file that finishes in one chunk is still taken.
    @Test func aTokenCannotFillTheDaemonsDiskWithPhotosItNeverFinishes() async throws {
        try await S.withFolder { folder in
            let street = try Street(folder)
            let limits = FileLimits(fileBytes: 200_000, filesPerRecord: 20, unfinishedBytes: 300_000)
            let files = FileStore(replicaFolder: folder.appendingPathComponent("daemon").path, limits: limits)
            let service = FileService(files: files, replica: street.server)
            func answer(_ message: Message) async -> Message {
                await service.answer(message, read: [S.grid1], write: [S.grid1], chunkBytes: 1 << 20)
            }
            func fakes(_ count: Int, _ tag: String) -> [FileID] {
                (0..<count).map { FileID(of: Data("\(tag)-\($0)".utf8)) }
            }
            // Records naming files that exist nowhere: 21 in one, 3 in another.
            let crowded = fakes(21, "crowded")
            let unfinished = fakes(3, "unfinished")
            for names in [crowded, unfinished] {
                let demand = S.demand(RecordID(), in: S.grid1, "楼道堆物")
                _ = try await street.first.write(
                    RecordChange(
                        record: demand.record, target: demand.target,
                        edits: demand.edits + names.map { .add("photos", $0.rawValue) }))
            }
            _ = try await street.sync(street.first, street.firstFiles, token: "wang-token")

            guard case .error(let crowdedRefusal) = await answer(.offer(file: crowded[0], size: 1_000)) else {
                Issue.record("a file of a record naming 21 was wanted")
                return
            }
            #expect(crowdedRefusal.code == .fileTooLarge && !crowdedRefusal.code.isFatal, "\(crowdedRefusal)")
            #expect(crowdedRefusal.message.contains("more than 20"))
            let part = [UInt8](repeating: 9, count: 150_000)
            #expect(
                await answer(.chunk(file: unfinished[0], size: 200_000, offset: 0, bytes: part))
                    == .want(file: unfinished[0], offset: 150_000))
            #expect(
                await answer(.chunk(file: unfinished[1], size: 200_000, offset: 0, bytes: part))
                    == .want(file: unfinished[1], offset: 150_000))
            guard
                case .error(let full) = await answer(.chunk(file: unfinished[2], size: 200_000, offset: 0, bytes: part))
            else {
                Issue.record("a third part was taken past the limit of parts")
                return
            }
            #expect(full.code == .diskFull && !full.code.isFatal, "\(full)")
            #expect(files.unfinished().bytes == 300_000 && files.partialSize(of: unfinished[2]) == 0)
            // A photo that is whole in one chunk holds no part: it is taken.
            let photo = Self.photo(50_000)
            let honest = try await Self.demand(with: photo, on: street.first, street.firstFiles, in: S.grid1)
            _ = try await street.sync(street.first, street.firstFiles, token: "wang-token")
            #expect(
                await answer(.chunk(file: honest, size: 50_000, offset: 0, bytes: [UInt8](photo)))
                    == .have(file: honest))
        }
    }

    /// The files a laptop holds are asked about in one round trip; only those the server does
    /// not hold are offered one by one, and an answer naming a file not asked about ends the sync.
    @Test func heldFilesAreAskedAboutOnceAndOnlyTheOthersOffered() {
        let (a, b, c) = (FileID(of: Data("a".utf8)), FileID(of: Data("b".utf8)), FileID(of: Data("c".utf8)))
        var exchange = FileExchange(offers: [(a, 10), (b, 20)], fetches: [])
        #expect(exchange.start() == .send(.ask(files: [a, b])))
        #expect(exchange.received(.held(files: [a])) == .send(.offer(file: b, size: 20)))
        #expect(exchange.received(.have(file: b)) == .finished(exchange.summary))
        var lied = FileExchange(offers: [(a, 10)], fetches: [])
        _ = lied.start()
        guard case .fail(let error) = lied.received(.held(files: [c])) else {
            Issue.record("an answer about a file not asked about was taken")
            return
        }
        #expect(error.code == .malformedLine)
        var none = FileExchange(offers: [], fetches: [(c, 0)])
        #expect(none.start() == .send(.fetch(file: c, offset: 0)), "nothing held: nothing asked")
    }

    /// A file's chunks go out ahead of their answers, two unanswered at most; the server's
    /// answers are taken in turn, and one that says the copy ends elsewhere (another
    /// connection grew it) sends the rest from there once the answer still due is read.
    @Test func chunksAreSentAheadAndAnAnswerFromElsewhereResumesThere() {
        let file = FileID(of: Data("楼道照片".utf8))
        var exchange = FileExchange(offers: [(file, 25)], fetches: [], chunkBytes: 10)
        _ = exchange.start()
        #expect(exchange.received(.held(files: [])) == .send(.offer(file: file, size: 25)))
        #expect(exchange.received(.want(file: file, offset: 0)) == .loadChunk(file: file, offset: 0, length: 10))
        let bytes = [UInt8](repeating: 7, count: 10)
        #expect(exchange.chunkLoaded(bytes) == .sendAhead(.chunk(file: file, size: 25, offset: 0, bytes: bytes)))
        #expect(exchange.sentAhead() == .loadChunk(file: file, offset: 10, length: 10), "a second chunk goes ahead")
        #expect(exchange.chunkLoaded(bytes) == .sendAhead(.chunk(file: file, size: 25, offset: 10, bytes: bytes)))
        #expect(exchange.sentAhead() == .awaitAnswer, "two unanswered: the third waits")
        #expect(exchange.received(.want(file: file, offset: 10)) == .loadChunk(file: file, offset: 20, length: 5))
        let last = [UInt8](repeating: 7, count: 5)
        #expect(exchange.chunkLoaded(last) == .sendAhead(.chunk(file: file, size: 25, offset: 20, bytes: last)))
        #expect(exchange.sentAhead() == .awaitAnswer)
        // The server's copy had grown to 22 bytes meanwhile: the chunk from 10 was not written
        // (it did not start where the copy ended), and the one from 20 was not either.
        #expect(exchange.received(.want(file: file, offset: 22)) == .awaitAnswer, "the last chunk's answer is due")
        #expect(exchange.received(.want(file: file, offset: 22)) == .loadChunk(file: file, offset: 22, length: 3))
        let rest = [UInt8](repeating: 7, count: 3)
        #expect(exchange.chunkLoaded(rest) == .sendAhead(.chunk(file: file, size: 25, offset: 22, bytes: rest)))
        #expect(exchange.sentAhead() == .awaitAnswer)
        guard case .finished(let summary) = exchange.received(.have(file: file)) else {
            Issue.record("the file was kept but the exchange did not finish")
            return
        }
        #expect(summary.sent == 1 && summary.bytesSent == 25 && summary.refusals.isEmpty)
    }

    /// A refusal of a file whose next chunk is on its way: the answer to that chunk is read and
    /// set aside, the refusal is noted once, and the next file goes on. A fatal error ends the
    /// exchange at once.
    @Test func aRefusalWithAChunkOnItsWayIsNotedOnceAndTheNextFileGoesOn() {
        let (a, b) = (FileID(of: Data("a".utf8)), FileID(of: Data("b".utf8)))
        var exchange = FileExchange(offers: [(a, 30), (b, 5)], fetches: [], chunkBytes: 10)
        _ = exchange.start()
        _ = exchange.received(.held(files: []))
        _ = exchange.received(.want(file: a, offset: 0))
        let bytes = [UInt8](repeating: 1, count: 10)
        _ = exchange.chunkLoaded(bytes)
        _ = exchange.sentAhead()
        _ = exchange.chunkLoaded(bytes)
        #expect(exchange.sentAhead() == .awaitAnswer)
        let full = ProtocolError(.diskFull, "the server's disk is full")
        #expect(exchange.received(.error(full)) == .awaitAnswer, "no third chunk after a refusal")
        #expect(exchange.received(.error(full)) == .send(.offer(file: b, size: 5)))
        #expect(exchange.summary.refusals == [full])
        var fatal = FileExchange(offers: [(a, 30)], fetches: [], chunkBytes: 10)
        _ = fatal.start()
        _ = fatal.received(.held(files: []))
        _ = fatal.received(.want(file: a, offset: 0))
        _ = fatal.chunkLoaded(bytes)
        _ = fatal.sentAhead()
        _ = fatal.chunkLoaded(bytes)
        _ = fatal.sentAhead()
        let revoked = ProtocolError(.unauthorized, "the token was revoked")
        #expect(fatal.received(.error(revoked)) == .refused(revoked))
    }

    /// A fetch asks for the first chunk alone (the size is not known before it), then, before
    /// storing each chunk, for the next ones, two unanswered at most; a copy that arrives
    /// corrupt reads the chunks still due, notes the refusal, and goes on.
    @Test func theNextChunksAreAskedForBeforeOneIsStored() {
        let (a, b) = (FileID(of: Data("a".utf8)), FileID(of: Data("b".utf8)))
        var exchange = FileExchange(offers: [], fetches: [(a, 0), (b, 4)], chunkBytes: 10)
        #expect(exchange.start() == .send(.fetch(file: a, offset: 0)))
        let bytes = [UInt8](repeating: 2, count: 10)
        #expect(
            exchange.received(.chunk(file: a, size: 25, offset: 0, bytes: bytes))
                == .sendAhead(.fetch(file: a, offset: 10)))
        #expect(exchange.sentAhead() == .sendAhead(.fetch(file: a, offset: 20)))
        #expect(exchange.sentAhead() == .storeChunk(file: a, size: 25, offset: 0, bytes: bytes))
        #expect(exchange.chunkStored(.partial(held: 10)) == .awaitAnswer)
        #expect(
            exchange.received(.chunk(file: a, size: 25, offset: 10, bytes: bytes))
                == .storeChunk(file: a, size: 25, offset: 10, bytes: bytes), "all of it is asked for")
        #expect(exchange.chunkStored(.partial(held: 20)) == .awaitAnswer)
        let last = [UInt8](repeating: 2, count: 5)
        #expect(
            exchange.received(.chunk(file: a, size: 25, offset: 20, bytes: last))
                == .storeChunk(file: a, size: 25, offset: 20, bytes: last))
        #expect(exchange.chunkStored(.kept) == .send(.fetch(file: b, offset: 4)))
        #expect(
            exchange.received(.chunk(file: b, size: 30, offset: 4, bytes: bytes))
                == .sendAhead(.fetch(file: b, offset: 14)))
        #expect(exchange.sentAhead() == .sendAhead(.fetch(file: b, offset: 24)))
        _ = exchange.sentAhead()
        #expect(exchange.chunkStored(.corrupt) == .awaitAnswer, "two chunks asked for ahead are still due")
        #expect(exchange.received(.chunk(file: b, size: 30, offset: 14, bytes: bytes)) == .awaitAnswer)
        guard case .finished(let summary) = exchange.received(.chunk(file: b, size: 30, offset: 24, bytes: last))
        else {
            Issue.record("the exchange did not go on after a corrupt copy")
            return
        }
        #expect(summary.received == 1 && summary.refusals.map(\.code) == [.fileCorrupt])
    }

    /// A chunk of a file other than the one asked for, or from another byte, ends the sync.
    @Test func aChunkNotAskedForEndsTheSync() {
        let (a, b) = (FileID(of: Data("a".utf8)), FileID(of: Data("b".utf8)))
        var exchange = FileExchange(offers: [], fetches: [(a, 0)], chunkBytes: 10)
        _ = exchange.start()
        let bytes = [UInt8](repeating: 2, count: 10)
        guard case .fail = exchange.received(.chunk(file: b, size: 25, offset: 0, bytes: bytes)) else {
            Issue.record("a chunk of another file was taken")
            return
        }
        var skewed = FileExchange(offers: [], fetches: [(a, 0)], chunkBytes: 10)
        _ = skewed.start()
        guard case .fail = skewed.received(.chunk(file: a, size: 25, offset: 10, bytes: bytes)) else {
            Issue.record("a chunk from another byte was taken")
            return
        }
    }
}
