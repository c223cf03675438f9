import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes

/// How the HTTP endpoint protects the daemon from its clients: idle and request-head timeouts, and a
/// connection limit kept well below the process's descriptor budget, so that the store, Kafka and the log never
/// run out of descriptors however many connections arrive. Connections past the limit wait in the kernel's
/// backlog until a slot frees.
public struct HTTPLimits: Sendable, Equatable {
    /// The most connections served at once.
    public var maximumConnections: Int
    /// A connection with no complete request head this long after it opened (or after its last response) is
    /// closed: a partial or slow request cannot hold a slot.
    public var requestHeadTimeout: Duration = .seconds(5)
    /// A connection idle this long is closed.
    public var idleTimeout: Duration = .seconds(30)

    /// Limits for a process whose soft descriptor limit is `descriptorLimit`: a quarter of it for HTTP
    /// connections, at least 8 and at most 512.
    public init(descriptorLimit: Int) {
        maximumConnections = min(512, max(8, descriptorLimit / 4))
    }

    /// Raises the soft limit on open descriptors to the hard limit (systemd's default soft limit is 1,024) and
    /// returns the soft limit in force.
    public static func raiseDescriptorLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1_024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > UInt64(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }

    /// The HTTP/1 server with these limits.
    var server: HTTPServerBuilder {
        let deadline = TimeAmount.nanoseconds(Int64(requestHeadTimeout.components.seconds) * 1_000_000_000)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestHeadDeadline(deadline: deadline)],
                idleTimeout: .seconds(idleTimeout.components.seconds)))
    }
}

/// Closes a connection whose next request head has not arrived within `deadline`: armed when the connection
/// opens and after each response, disarmed by a request head.
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private var timer: Scheduled<Void>?

    init(deadline: TimeAmount) { self.deadline = deadline }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { arm(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) { disarm() }

    func channelActive(context: ChannelHandlerContext) {
        arm(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { disarm() }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { arm(context) }
        context.write(data, promise: promise)
    }

    private func arm(_ context: ChannelHandlerContext) {
        disarm()
        let channel = context.channel
        timer = context.eventLoop.scheduleTask(in: deadline) { channel.close(promise: nil) }
    }

    private func disarm() {
        timer?.cancel()
        timer = nil
    }
}
