import Hummingbird
import NIOCore

/// What a console request knows besides itself: the address it came from, for the sign-in guard.
public struct ConsoleContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }

    /// The client's address without its port, for counting failures.
    var address: String {
        remoteAddress?.ipAddress ?? "unknown"
    }
}
