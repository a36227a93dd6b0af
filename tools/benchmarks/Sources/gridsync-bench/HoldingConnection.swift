import Foundation
import GridMerge
import GridModel
import GridNet
import GridProtocol
import NIOCore
import NIOPosix

/// One connection slot of a valid token used against the daemon: connects over TLS (the
/// pinned certificate checked), is welcomed, waits for the signal, then pushes a message
/// of `<ops-per-batch>` ops as large as the announced limit allows, sends every op line
/// but the last, and holds the connection open. When refused, it connects again after a
/// pause if it is persistent.
struct HoldingConnection: Sendable {
    /// How the slots behave.
    struct Behaviour: Sendable {
        /// Connect again after a refusal or a close (a persistent attacker).
        var reconnect = true
        /// The pause before connecting again.
        var retryDelay: Duration = .seconds(1)
        /// After a refusal, keep the connection open until the daemon closes it, rather than
        /// closing at once: the daemon drains a refused connection for a while.
        var linger = false
    }

    let worker: WorkerID
    let token: String
    let replica: ReplicaID
    let port: Int
    let tls: ClientTLS
    let behaviour: Behaviour
    let tally: HoldTally
    /// Given when the idle baseline is measured: push.
    let go: Latch
    /// The op lines' description: the same for every op.
    let description: String

    /// Makes attempts until the task is cancelled (or, without ``Behaviour/reconnect``, once).
    func run() async {
        while !Task.isCancelled {
            await attempt()
            guard behaviour.reconnect, !Task.isCancelled else { return }
            try? await Task.sleep(for: behaviour.retryDelay)
        }
    }

    /// One connection, from connecting to its end.
    private func attempt() async {
        let attempt = HoldAttempt(tally: tally)
        let channel: NIOAsyncChannel<ByteBuffer, ByteBuffer>
        do {
            channel = try await connect()
        } catch {
            attempt.end(.unreachable)
            return
        }
        do {
            try await channel.executeThenClose { inbound, outbound in
                let (answers, sink) = AsyncStream.makeStream(of: Answer.self)
                await withTaskGroup(of: Void.self) { group in
                    group.addTask { await Self.read(inbound, into: sink) }
                    await converse(attempt, outbound: outbound, answers: answers, group: &group)
                    // Ends the reader, and the writer if it is still writing.
                    channel.channel.close(promise: nil)
                    group.cancelAll()
                }
            }
        } catch {
            // Closing a channel the daemon closed already.
        }
        attempt.end(.closed)
    }

    private func connect() async throws -> NIOAsyncChannel<ByteBuffer, ByteBuffer> {
        let tls = self.tls
        return try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connect(to: try SocketAddress(ipAddress: "127.0.0.1", port: port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(tls.handler(host: "127.0.0.1", isAddress: true))
                    return try NIOAsyncChannel<ByteBuffer, ByteBuffer>(wrappingChannelSynchronously: channel)
                }
            }
    }

    /// The handshake, the wait for the signal, the push, and the hold, until the daemon ends it.
    private func converse(
        _ attempt: HoldAttempt, outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>, answers: AsyncStream<Answer>,
        group: inout TaskGroup<Void>
    ) async {
        var answers = answers.makeAsyncIterator()
        let hello = Message.hello(version: Message.version, replica: replica, token: token, deflate: false)
        do {
            try await outbound.write(ByteBuffer(string: hello.lines[0] + "\n"))
        } catch {
            return
        }
        let limits: Limits
        switch await answers.next() {
        case .welcome(let announced):
            limits = announced
        case .refused(let code):
            attempt.end(.refused(code))
            return await linger(&answers)
        case .closed, .other, nil:
            return
        }
        attempt.move(from: .handshake, to: .idle)
        await go.wait()
        guard attempt.move(from: .idle, to: .pushing) else { return }
        let push = PushText(
            limits: limits, replica: replica, worker: worker, record: RecordID(), description: description)
        guard !Task.isCancelled else { return attempt.end(.endOfRun) }
        group.addTask {
            do {
                try await push.write(to: outbound)
                attempt.move(from: .pushing, to: .holding)
            } catch {
                // The daemon closed the connection: the reader says why.
            }
        }
        switch await answers.next() {
        case .refused(let code):
            attempt.end(.refused(code))
            await linger(&answers)
        case .welcome, .other, .closed:
            break
        case nil:
            // Cancelled: the run is over with this connection open.
            attempt.end(.endOfRun)
        }
    }

    /// After a refusal: with ``Behaviour/linger``, waits until the daemon closes the connection.
    private func linger(_ answers: inout AsyncStream<Answer>.Iterator) async {
        guard behaviour.linger else { return }
        while let answer = await answers.next(), answer != .closed {}
    }

    /// What the daemon said, line by line.
    enum Answer: Hashable, Sendable {
        case welcome(Limits)
        case refused(String)
        case other(String)
        case closed
    }

    /// Reads the daemon's lines, parsed with the protocol's own reader, until it closes.
    private static func read(
        _ inbound: NIOAsyncChannelInboundStream<ByteBuffer>, into sink: AsyncStream<Answer>.Continuation
    ) async {
        var buffer = ByteBuffer()
        do {
            for try await bytes in inbound {
                buffer.writeImmutableBuffer(bytes)
                while let end = buffer.readableBytesView.firstIndex(of: UInt8(ascii: "\n")) {
                    let line = buffer.readString(length: end - buffer.readerIndex) ?? ""
                    buffer.moveReaderIndex(forwardBy: 1)
                    var reader = MessageReader()
                    switch try? reader.read(line[...]) {
                    case .welcome(_, _, _, _, let limits, _, _, _, _): sink.yield(.welcome(limits))
                    case .error(let error): sink.yield(.refused(error.code.rawValue))
                    default: sink.yield(.other(line))
                    }
                }
            }
        } catch {
            // A TLS close without its closing message is a close.
        }
        sink.yield(.closed)
        sink.finish()
    }
}
