import Foundation
import Hummingbird
import HummingbirdCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// How the HTTP endpoint protects the daemon from its clients: idle and request-head timeouts, and a
/// connection limit kept well below the process's descriptor budget, so that the store, Kafka and the log never
/// run out of descriptors however many connections arrive. At the limit, a new connection closes the connection
/// that has waited longest without a request (``ConnectionShedder``), so a flood of idle connections cannot keep
/// a health probe out; a hard cap of twice the limit stops accepting altogether.
package struct HTTPLimits: Sendable, Equatable {
    /// The most connections served at once.
    package var maximumConnections: Int
    /// A connection with no complete request head this long after it opened (or after its last response) is
    /// closed: a partial or slow request cannot hold a slot.
    package var requestHeadTimeout: Duration = .seconds(5)
    /// A connection idle this long is closed.
    package var idleTimeout: Duration = .seconds(30)

    /// Limits for a process whose soft descriptor limit is `descriptorLimit`: a quarter of it for HTTP
    /// connections, at least 8 and at most 512.
    package init(descriptorLimit: Int) {
        maximumConnections = min(512, max(8, descriptorLimit / 4))
    }

    /// Raises the soft limit on open descriptors to the hard limit (systemd's default soft limit is 1,024) and
    /// returns the soft limit in force.
    package static func raiseDescriptorLimit() -> Int {
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
        let shedder = ConnectionShedder(maximum: maximumConnections)
        return .http1(
            configuration: .init(
                additionalChannelHandlers: [RequestHeadDeadline(deadline: deadline, shedder: shedder)],
                idleTimeout: .seconds(idleTimeout.components.seconds)))
    }
}

/// The open connections and which of them wait for a request: past `maximum`, a new connection closes the one
/// that has waited longest.
final class ConnectionShedder: Sendable {
    private struct Entry {
        let channel: any Channel
        /// When it began waiting for a request head; `nil` while a request is being served.
        var waitingSince: UInt64?
    }
    private let entries = Mutex<[ObjectIdentifier: Entry]>([:])
    let maximum: Int

    init(maximum: Int) { self.maximum = maximum }

    func opened(_ channel: any Channel) {
        let shed = entries.withLock { entries -> (any Channel)? in
            entries[ObjectIdentifier(channel)] = Entry(
                channel: channel, waitingSince: DispatchTime.now().uptimeNanoseconds)
            guard entries.count > maximum else { return nil }
            let oldest = entries.filter { $0.key != ObjectIdentifier(channel) && $0.value.waitingSince != nil }
                .min { $0.value.waitingSince! < $1.value.waitingSince! }
            guard let oldest else { return nil }
            entries[oldest.key] = nil
            return oldest.value.channel
        }
        shed?.close(promise: nil)
    }

    func serving(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.waitingSince = nil }
    }

    func waiting(_ channel: any Channel) {
        entries.withLock { $0[ObjectIdentifier(channel)]?.waitingSince = DispatchTime.now().uptimeNanoseconds }
    }

    func closed(_ channel: any Channel) {
        _ = entries.withLock { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }
}

/// Closes a connection whose next request head has not arrived within `deadline`: armed when the connection
/// opens and after each response, disarmed by a request head. Tells the ``ConnectionShedder`` which
/// connections wait.
final class RequestHeadDeadline: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let deadline: TimeAmount
    private let shedder: ConnectionShedder
    private var timer: Scheduled<Void>?
    private var registered = false

    init(deadline: TimeAmount, shedder: ConnectionShedder) {
        self.deadline = deadline
        self.shedder = shedder
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { opened(context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        disarm()
        if registered { shedder.closed(context.channel) }
    }

    func channelActive(context: ChannelHandlerContext) {
        opened(context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        disarm()
        shedder.closed(context.channel)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) {
            disarm()
            shedder.serving(context.channel)
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            arm(context)
            shedder.waiting(context.channel)
        }
        context.write(data, promise: promise)
    }

    private func opened(_ context: ChannelHandlerContext) {
        guard !registered else { return }
        registered = true
        arm(context)
        shedder.opened(context.channel)
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
