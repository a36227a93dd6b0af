import NIOCore

/// How long a connection may take for its handshake, stay silent, or leave its peer's
/// bytes unread, before it is closed.
public struct ConnectionTimeouts: Hashable, Sendable {
    /// From connecting to the end of the handshake.
    public var handshake: TimeAmount
    /// With nothing read or written, once the handshake is done; also how long the peer
    /// may leave written bytes unread.
    public var idle: TimeAmount

    /// Creates timeouts.
    public init(handshake: TimeAmount = .seconds(10), idle: TimeAmount = .seconds(60)) {
        self.handshake = handshake
        self.idle = idle
    }
}

/// The channel handler that turns bytes into ``ConnectionEvent``s and adds the deadlines:
/// the handshake's, then the idle one, each delivered to the reader as an event so that the
/// session can say why it closes. A peer that stops reading cannot be told anything, so
/// when written bytes stay unsent past the idle timeout the channel is simply closed.
final class ConnectionDeadlineHandler: ChannelDuplexHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ConnectionEvent
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Sent down the pipeline by the driver once the peer is authenticated.
    struct HandshakeDone: Sendable {}
    /// Sent up the pipeline by the server when it starts shutting down.
    struct ShuttingDown: Sendable {}

    private let timeouts: ConnectionTimeouts
    private var handshakeDone = false
    private var deadline: Scheduled<Void>?
    private var stall: Scheduled<Void>?
    private var hasFired = false
    private var lastActivity = NIODeadline.now()

    init(timeouts: ConnectionTimeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context: context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        arm(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        stall?.cancel()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if handshakeDone { arm(context: context) }
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

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if handshakeDone { arm(context: context) }
        context.write(data, promise: promise)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is HandshakeDone else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        handshakeDone = true
        deadline?.cancel()
        deadline = nil
        arm(context: context)
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

    /// Notes activity, and makes sure the deadline that applies now is scheduled. The idle
    /// deadline is scheduled once and, when it comes, put off by the activity since.
    private func arm(context: ChannelHandlerContext) {
        lastActivity = .now()
        guard !hasFired, deadline == nil else { return }
        schedule(in: handshakeDone ? timeouts.idle : timeouts.handshake, context: context)
    }

    private func schedule(in delay: TimeAmount, context: ChannelHandlerContext) {
        let which: ConnectionEvent.Deadline = handshakeDone ? .idle : .handshake
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        deadline = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = bound.value
            handler.deadline = nil
            if which == .idle, handler.handshakeDone {
                let due = handler.lastActivity + handler.timeouts.idle
                if due > .now() {
                    handler.schedule(in: due - .now(), context: context)
                    return
                }
            } else if which == .handshake, handler.handshakeDone {
                return
            }
            handler.fire(which, context: context)
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
