import Foundation
import GridMerge
import GridModel
import GridProtocol
import GridStore
import GridTesting
import NIOCore
import Testing

/// The transcripts in `protocol/vectors/`: a whole sync, plain and compressed, replayed
/// against the server side (fed the client's messages, it must answer exactly the
/// server's) and against the client side (the other way round).
///
/// `sync5-plain.txt` and `sync5-deflate.txt` are gridsync/5, which this code speaks; the
/// server also holds a compound of the street's reference data, and a photo and a place of a
/// demand, and the photos' bytes travel as they are after each `CHUNK` header (here they are
/// text, so the plain transcript shows them as a line). `sync4-plain.txt` and
/// `sync4-deflate.txt` are gridsync/4, the same sync with the photos' bytes in base64, kept as
/// that version's code recorded them. `sync3-plain.txt` and `sync3-deflate.txt` are the gridsync/3 transcripts, without
/// the photo and the place, kept as that version's code recorded them. `sync-plain.txt` and
/// `sync-deflate.txt` are the gridsync/2 transcripts as that version's code recorded them,
/// kept as they were: the server still serves gridsync/2 laptops, so it must answer them
/// exactly (it holds no reference data there; ``VersionRulesTests`` checks that it leaves
/// such ops out for them).
///
/// Run with `GRIDSYNC_RECORD_VECTORS=1` to write the gridsync/5 ones anew from the sessions
/// (then read the difference before committing it: the files are part of the specification).
@Suite struct TranscriptTests {
    enum Side: String { case client = "C", server = "S" }

    static let token = "gst_vector-token-w001"
    static let limits = Limits(opsPerBatch: 2)
    static let serverReplica = ReplicaID(rawValue: 0x5e)
    /// The server's clock when the sync runs, which its `WELCOME` announces.
    static let serverTime: UInt64 = 1_793_491_400_000

    /// The client's own ops (w001 on replica a1), and the ops the server holds already (w002 on b2).
    static let clientOps =
        Array(OpLineTests.vectorOps[0...1]) + [
            OpLineTests.op(
                OpLineTests.id(0xa1, 3), 1_793_491_200_000, 2, "w001", field: "urgency", .assign(.text("urgent")),
                parents: [OpLineTests.id(0xa1, 2)])
        ]
    static let serverOps = Array(OpLineTests.vectorOps[2...4])
    /// The compound the office recorded, which the gridsync/3 server holds besides.
    static let referenceOp = OpLineTests.op(
        OpLineTests.id(0x0f, 1), 1_793_491_230_000, 0, "o001", type: .compound,
        record: RecordID(reference: .compound, key: "k001"), field: "name", .assign(.text("纺织厂宿舍")))

    /// A photo and a place w002 gave the demand, which the gridsync/4 server holds besides.
    static let photoAndPlaceOps = [
        OpLineTests.op(
            OpLineTests.id(0xb2, 13), 1_793_491_290_000, 0, "w002", field: "photos",
            .add(FileID(of: Data("楼道照片".utf8)).rawValue)),
        OpLineTests.op(
            OpLineTests.id(0xb2, 14), 1_793_491_290_000, 1, "w002", field: "place",
            .assign(.text("39.904200,116.407400,8"))),
    ]

    /// A transcript: its file, its version, and whether it is compressed.
    struct Vector: Sendable, CustomTestStringConvertible {
        var version: ProtocolVersion
        var deflate: Bool

        var file: String {
            let prefix =
                switch version {
                case .gridsync2: "sync-"
                case .gridsync3: "sync3-"
                case .gridsync4: "sync4-"
                case .gridsync5: "sync5-"
                }
            return prefix + (deflate ? "deflate.txt" : "plain.txt")
        }
        /// The client's own ops in this scenario: from gridsync/4, a photo too.
        var clientOps: [Op] {
            TranscriptTests.clientOps + (version >= .gridsync4 ? [TranscriptTests.clientPhotoOp] : [])
        }
        /// The ops the server holds in this scenario.
        var serverOps: [Op] {
            switch version {
            case .gridsync2: TranscriptTests.serverOps
            case .gridsync3: TranscriptTests.serverOps + [TranscriptTests.referenceOp]
            case .gridsync4, .gridsync5:
                TranscriptTests.serverOps + [TranscriptTests.referenceOp] + TranscriptTests.photoAndPlaceOps
            }
        }
        var testDescription: String { file }

        static let all = [false, true].flatMap { deflate in
            ProtocolVersion.allCases.map { Vector(version: $0, deflate: deflate) }
        }
        static let current = all.filter { $0.version == .current }
    }

    /// The photo the client attached to its demand, which the gridsync/4 scenario adds.
    static let clientPhoto = Data("门口照片".utf8)
    /// The photo of the server's photo op (``photoAndPlaceOps``).
    static let serverPhoto = Data("楼道照片".utf8)
    static let clientPhotoOp = OpLineTests.op(
        OpLineTests.id(0xa1, 4), 1_793_491_200_000, 3, "w001", field: "photos",
        .add(FileID(of: clientPhoto).rawValue), parents: [OpLineTests.id(0xa1, 3)])

    /// The files of the scenario, from gridsync/4: the server holds its photo, the client its own.
    struct Files {
        let server, client: FileStore
    }

    /// A fresh server and client holding the scenario's ops (and files).
    static func stores(_ folder: URL, _ vector: Vector) async throws
        -> (server: SQLiteReplicaStore, client: SQLiteReplicaStore, files: Files?)
    {
        let wall = ManualWallClock(milliseconds: serverTime)
        let grid = GridScope("c01/g01")!
        let server = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("server").path,
            identity: ReplicaIdentity(replica: serverReplica, worker: WorkerID("gridsyncd")!, scopes: []),
            wallClock: wall)
        let client = try SQLiteReplicaStore.create(
            in: folder.appendingPathComponent("client").path,
            identity: ReplicaIdentity(replica: ReplicaID(rawValue: 0xa1), worker: WorkerID("w001")!, scopes: [grid]),
            wallClock: wall)
        _ = try await server.ingest(vector.serverOps)
        _ = try await client.ingest(vector.clientOps)
        guard vector.version >= .gridsync4 else { return (server, client, nil) }
        let files = Files(
            server: FileStore(replicaFolder: folder.appendingPathComponent("server").path),
            client: FileStore(replicaFolder: folder.appendingPathComponent("client").path))
        _ = try files.server.add(serverPhoto, named: "楼道照片.jpg")
        _ = try files.client.add(clientPhoto, named: "门口照片.jpg")
        return (server, client, files)
    }

    static func withStores<T>(
        _ vector: Vector, _ body: (SQLiteReplicaStore, SQLiteReplicaStore, Files?) async throws -> T
    ) async throws -> T {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "gridsync-vectors-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let (server, client, files) = try await stores(folder, vector)
        return try await body(server, client, files)
    }

    static func serverSide(_ store: SQLiteReplicaStore, files: Files?) -> ServerSide {
        ServerSide(
            store: store, files: files?.server, tokens: [token: (WorkerID("w001")!, [GridScope("c01/g01")!])],
            limits: limits, wallClock: ManualWallClock(milliseconds: serverTime))
    }

    // MARK: - Reading the transcripts

    /// The messages of a plain transcript, in order.
    static func plainConversation(_ text: String, version: ProtocolVersion = .current) throws -> [(Side, Message)] {
        var conversation: [(Side, Message)] = []
        let reader = MessageReader(chunkFraming: version.chunkFraming)
        var readers: [Side: MessageReader] = [.client: reader, .server: reader]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let side = try #require(Side(rawValue: String(line.prefix(1))), "a line starts with C or S: \(line)")
            #expect(line.dropFirst(1).first == " ")
            if let message = try readers[side]!.read(line.dropFirst(2)) { conversation.append((side, message)) }
        }
        return conversation
    }

    /// The messages of a compressed transcript: two plain lines, then each message's bytes in hex.
    static func deflateConversation(_ text: String, version: ProtocolVersion) throws -> [(Side, Message)] {
        var conversation: [(Side, Message)] = []
        let decoders: [Side: WireDecoder] = [.client: WireDecoder(), .server: WireDecoder()]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let side = try #require(Side(rawValue: String(line.prefix(1))), "a line starts with C or S: \(line)")
            let decoder = decoders[side]!
            if line.dropFirst(1).hasPrefix("= ") {
                let bytes = try #require(hex(line.dropFirst(3)), "not hex: \(line)")
                #expect(bytes.suffix(4) == [0x00, 0x00, 0xff, 0xff], "a message is flushed with a sync flush")
                decoder.receive(ByteBuffer(bytes: bytes))
            } else {
                decoder.receive(ByteBuffer(string: String(line.dropFirst(2)) + "\n"))
            }
            let message = try #require(try decoder.next(), "an entry holds a whole message: \(line.prefix(60))")
            #expect(try decoder.next() == nil, "an entry holds one message")
            if case .hello = message {
                decoder.admit(version: version)
                try decoder.startInflating()
            }
            if case .welcome(_, _, _, _, let limits, _, _, _, _) = message {
                decoder.admit(limits, version: version)
                try decoder.startInflating()
            }
            conversation.append((side, message))
        }
        return conversation
    }

    static func hex(_ text: Substring) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        return stride(from: 0, to: digits.count, by: 2).map { index in
            UInt8(String(decoding: digits[index..<index + 2], as: UTF8.self), radix: 16)
        }.reduce(into: [UInt8]?([])) { bytes, byte in
            if let byte { bytes?.append(byte) } else { bytes = nil }
        }
    }

    static func vector(_ name: String) throws -> String {
        try String(contentsOf: OpLineTests.vectors.appendingPathComponent(name), encoding: .utf8)
    }

    static func conversation(_ vector: Vector) throws -> [(Side, Message)] {
        vector.deflate
            ? try deflateConversation(Self.vector(vector.file), version: vector.version)
            : try plainConversation(Self.vector(vector.file), version: vector.version)
    }

    // MARK: - Replaying

    @Test(arguments: Vector.all)
    func theServerSideAnswersExactlyAsTranscribed(_ vector: Vector) async throws {
        let conversation = try Self.conversation(vector)
        #expect(conversation.count >= 12)
        guard case .hello(let version, _, _, _) = conversation.first?.1 else {
            Issue.record("the transcript does not start with HELLO")
            return
        }
        #expect(version == vector.version.rawValue)
        try await Self.withStores(vector) { server, _, files in
            var side = Self.serverSide(server, files: files)
            var answers: [Message] = []
            for (from, message) in conversation where from == .client {
                let (answer, closes) = try await side.receive(message)
                if let answer { answers.append(answer) }
                if closes { break }
            }
            #expect(answers == conversation.filter { $0.0 == .server }.map(\.1))
        }
    }

    /// Only the current version's: this client speaks no other.
    @Test(arguments: Vector.current)
    func theClientSideAnswersExactlyAsTranscribed(_ vector: Vector) async throws {
        let conversation = try Self.conversation(vector)
        try await Self.withStores(vector) { _, client, files in
            var side = ClientSide(store: client, files: files?.client, token: Self.token, deflate: vector.deflate)
            var sent = [try await side.start()]
            do {
                for (from, message) in conversation where from == .server {
                    sent += try await side.receive(message)
                }
                Issue.record("the client did not finish")
            } catch ClientSide.Ending.finished(let summary) {
                #expect(summary.pushed == vector.clientOps.count)
                #expect(
                    summary.files.sent == (files == nil ? 0 : 1) && summary.files.received == (files == nil ? 0 : 1))
                #expect(summary.pulled == vector.serverOps.count)
            }
            #expect(sent == conversation.filter { $0.0 == .client }.map(\.1))
            #expect(try await client.status().opCount == vector.clientOps.count + vector.serverOps.count)
            if let files {
                #expect(files.client.size(of: FileID(of: Self.serverPhoto)) == Self.serverPhoto.count)
            }
        }
    }

    @Test func theSpecificationsExampleIsWellFormed() throws {
        let specification = try String(
            contentsOf: OpLineTests.vectors.deletingLastPathComponent().appendingPathComponent("PROTOCOL.md"),
            encoding: .utf8)
        let section = try #require(specification.components(separatedBy: "### Example\n").last)
        let example = section.components(separatedBy: "```")[1]
        let lines = example.split(separator: "\n").filter { $0.hasPrefix("C: ") || $0.hasPrefix("S: ") }
            .map { $0.prefix(1) + " " + $0.dropFirst(3) }
        let conversation = try Self.plainConversation(lines.joined(separator: "\n"))
        #expect(conversation.count == 12)
        #expect(conversation.first.map { if case .hello = $0.1 { true } else { false } } == true)
    }

    // MARK: - Recording

    @Test(.enabled(if: ProcessInfo.processInfo.environment["GRIDSYNC_RECORD_VECTORS"] == "1"))
    func recordTheTranscripts() async throws {
        for vector in Vector.current {
            let deflate = vector.deflate
            let conversation = try await Self.withStores(vector) { server, client, files in
                var serverSide = Self.serverSide(server, files: files)
                var clientSide = ClientSide(store: client, files: files?.client, token: Self.token, deflate: deflate)
                var conversation: [(Side, Message)] = []
                var outgoing = [try await clientSide.start()]
                do {
                    while !outgoing.isEmpty {
                        var answers: [Message] = []
                        for message in outgoing {
                            conversation.append((.client, message))
                            let (answer, closes) = try await serverSide.receive(message)
                            if let answer { answers.append(answer) }
                            if closes { break }
                        }
                        conversation += answers.map { (.server, $0) }
                        outgoing = []
                        for answer in answers { outgoing += try await clientSide.receive(answer) }
                    }
                } catch ClientSide.Ending.finished {}
                return conversation
            }
            try Self.render(conversation, deflate: deflate).write(
                to: OpLineTests.vectors.appendingPathComponent(vector.file), atomically: true, encoding: .utf8)
        }
    }

    static func render(_ conversation: [(Side, Message)], deflate: Bool) throws -> String {
        var text = """
            # A whole sync of protocol \(Message.version)\(deflate ? ", compressed" : ""): see PROTOCOL.md, "Test vectors".
            # The client, replica 00000000000000a1 of worker w001 in c01/g01, holds four ops of its own,
            # the last attaching a photo it holds (the 12 bytes of "门口照片");
            # the server, replica 000000000000005e, holds three ops of w002 and one of the office (o001),
            # which names compound k001, then a photo (the 12 bytes of "楼道照片", which it holds) and a
            # place w002 gave the demand, and announces 2 ops per batch.
            # C: from the client; S: from the server; one message per entry.

            """
        let framing = ProtocolVersion.current.chunkFraming
        let encoders: [Side: WireEncoder] = [
            .client: WireEncoder(chunkFraming: framing), .server: WireEncoder(chunkFraming: framing),
        ]
        for (side, message) in conversation {
            let encoder = encoders[side]!
            // The message's text as the wire carries it before compression: a CHUNK's bytes,
            // text here, show as a line.
            let lines = String(buffer: WireEncoder.text(of: message, within: .standard, chunkFraming: framing))
                .split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let bytes = try encoder.encode(message)
            if encoder.isDeflating {
                for line in lines { text += "# \(side.rawValue) \(line)\n" }
                text +=
                    "\(side.rawValue)= "
                    + bytes.readableBytesView.map { byte in
                        (byte < 16 ? "0" : "") + String(byte, radix: 16)
                    }.joined() + "\n"
            } else {
                for line in lines { text += "\(side.rawValue) \(line)\n" }
            }
            if deflate, case .hello = message { try encoders[.client]!.startDeflating() }
            if deflate, case .welcome = message { try encoders[.server]!.startDeflating() }
        }
        return text
    }
}
