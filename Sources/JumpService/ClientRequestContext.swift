import Hummingbird
import NIOCore

/// The request context of the daemon's and `serve`'s HTTP endpoints: Hummingbird's, with the peer's address (the
/// console's audit trail names the client by it).
package struct ClientRequestContext: RemoteAddressRequestContext {
    /// Hummingbird's per-request storage.
    package var coreContext: CoreRequestContextStorage
    /// The peer's address, if the channel has one.
    package let remoteAddress: SocketAddress?

    /// A context for a request on `source`'s channel.
    package init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
    }
}
