import NIOCore

/// How long a connection may take for each part of its life before it is closed.
///
/// No deadline is put off by activity: a byte every few seconds does not keep a connection
/// open. The reader waits for a message's first byte at most ``idle``; from then on the
/// whole message must arrive within ``message``.
public struct ConnectionTimeouts: Hashable, Sendable {
    /// From connecting to the end of the handshake.
    public var handshake: TimeAmount
    /// Waiting for the next message to start, once the handshake is done; also how long the
    /// peer may leave written bytes unread.
    public var idle: TimeAmount
    /// From a message's first byte to its last.
    public var message: TimeAmount
    /// After a refusal that closes the connection: how long the rest of the peer's input is
    /// read and dropped, so that the refusal reaches it rather than a reset.
    public var drain: TimeAmount

    /// Creates timeouts.
    public init(
        handshake: TimeAmount = .seconds(10), idle: TimeAmount = .seconds(60), message: TimeAmount = .seconds(120),
        drain: TimeAmount = .seconds(10)
    ) {
        self.handshake = handshake
        self.idle = idle
        self.message = message
        self.drain = drain
    }
}

/// The channel handler that turns bytes into ``ConnectionEvent``s and keeps the deadlines:
/// the handshake's, then, each time the reader waits for a message, the idle one until its
/// first byte and the message's until its last. A deadline is delivered to the reader as an
/// event so that the session can say why it closes. A peer that stops reading cannot be
/// told anything, so when written bytes stay unsent past the idle timeout the channel is
/// simply closed.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ConnectionEvent
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent down the pipeline by the driver once the peer is authenticated.
    struct HandshakeDone: Sendable {}
    /// Sent down the pipeline by the reader when it waits for a message; `started` if part
    /// of it has arrived already.
    struct AwaitingMessage: Sendable {
        var started: Bool
    }
    /// Sent down the pipeline by the reader when a message is whole: no deadline runs while
    /// the driver works on it.
    struct MessageReceived: Sendable {}
    /// Sent down the pipeline by the driver after its last message: the channel closes when
    /// the peer closes, or at the drain deadline.
    struct Draining: Sendable {}
    /// Sent up the pipeline by the server when it starts shutting down.
    struct ShuttingDown: Sendable {}

    /// What the reader is waiting for, and so which deadline runs.
    private enum Phase {
        /// Connected, not yet authenticated.
        case handshake
        /// Working on a message, or writing: no read deadline.
        case working
        /// Waiting for a message's first byte.
        case idle
        /// Part of a message has arrived.
        case midMessage
        /// Dropping the peer's input until it closes.
        case draining
    }

    private let timeouts: ConnectionTimeouts
    private var phase = Phase.handshake
    private var deadline: Scheduled<Void>?
    private var stall: Scheduled<Void>?
    private var hasFired = false

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { enter(.handshake, context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        if deadline == nil, phase == .handshake { enter(.handshake, context: context) }
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        stall?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch phase {
        case .draining:
            return
        case .idle:
            enter(.midMessage, context: context)
        case .handshake, .working, .midMessage:
            break
        }
        context.fireChannelRead(wrapInboundOut(.bytes(unwrapInboundIn(data))))
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ShuttingDown {
            // The async channel delivers reads on read-complete: a synthetic read needs both.
            context.fireChannelRead(wrapInboundOut(.shuttingDown))
            context.fireChannelReadComplete()
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        switch event {
        case is HandshakeDone:
            enter(.working, context: context)
        case let awaiting as AwaitingMessage where phase != .handshake && phase != .draining:
            enter(awaiting.started ? .midMessage : .idle, context: context)
        case is MessageReceived where phase != .handshake && phase != .draining:
            enter(.working, context: context)
        case is Draining:
            enter(.draining, context: context)
        case is AwaitingMessage, is MessageReceived:
            break
        default:
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        promise?.succeed()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        stall?.cancel()
        stall = nil
        if !context.channel.isWritable {
            let channel = context.channel
            stall = context.eventLoop.scheduleTask(in: timeouts.idle) {
                channel.close(promise: nil)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Moves to `next`, replacing the deadline that ran with the one that applies now.
    private func enter(_ next: Phase, context: ChannelHandlerContext) {
        phase = next
        deadline?.cancel()
        deadline = nil
        guard !hasFired else { return }
        let channel = context.channel
        switch next {
        case .working:
            return
        case .draining:
            deadline = context.eventLoop.scheduleTask(in: timeouts.drain) { channel.close(promise: nil) }
        case .handshake, .idle, .midMessage:
            let (delay, which): (TimeAmount, ConnectionEvent.Deadline) =
                switch next {
                case .handshake: (timeouts.handshake, .handshake)
                case .idle: (timeouts.idle, .idle)
                default: (timeouts.message, .message)
                }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            deadline = context.eventLoop.scheduleTask(in: delay) {
                let (handler, context) = bound.value
                handler.deadline = nil
                handler.fire(which, context: context)
            }
        }
    }

    /// Tells the reader the deadline passed; closes the channel if the reader does not
    /// close it within a few seconds.
    private func fire(_ which: ConnectionEvent.Deadline, context: ChannelHandlerContext) {
        hasFired = true
        context.fireChannelRead(wrapInboundOut(.timedOut(which)))
        context.fireChannelReadComplete()
        let channel = context.channel
        context.eventLoop.scheduleTask(in: .seconds(5)) { channel.close(promise: nil) }
    }
}
