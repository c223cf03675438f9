import Foundation
import Hummingbird
import HummingbirdCore
import JumpConsole
import JumpWorker
import Logging
import NIOCore
import Prometheus

/// What `/healthz` and `/readyz` report.
package struct HealthReport: Sendable, Codable, Equatable {
    /// `ok` or `failing`.
    package var status: String
    /// Why it is failing (empty when ok).
    package var reasons: [String]
    /// Every role's status.
    package var workers: [WorkerStatus]
}

/// Decides liveness and readiness from the workers' status and the store.
package struct HealthChecks: Sendable {
    /// The workers' status now.
    package let workers: @Sendable () -> [WorkerStatus]
    /// Why the store cannot be written (its latest write failed), or `nil`.
    package let storeProblem: @Sendable () -> String?
    /// The largest lag (sum over assigned partitions, per role) that is still ready.
    package let maxLag: Int64
    /// A poll loop silent for longer than this is not alive, in milliseconds.
    package let stalledAfterMs: Int64

    /// Checks over these sources.
    package init(
        workers: @escaping @Sendable () -> [WorkerStatus], storeProblem: @escaping @Sendable () -> String?,
        maxLag: Int64, stalledAfterMs: Int64 = 60_000
    ) {
        self.workers = workers
        self.storeProblem = storeProblem
        self.maxLag = maxLag
        self.stalledAfterMs = stalledAfterMs
    }

    /// Alive: every worker's poll loop turned recently.
    package func liveness() -> HealthReport {
        let statuses = workers()
        let reasons = statuses.compactMap { status -> String? in
            guard let since = status.sinceLastPollMs, since > stalledAfterMs else { return nil }
            return "\(status.role): no poll for \(since) ms"
        }
        return HealthReport(status: reasons.isEmpty ? "ok" : "failing", reasons: reasons, workers: statuses)
    }

    /// Ready: every role has partitions assigned, is caught up within ``maxLag``, and the store's latest write
    /// succeeded.
    package func readiness() -> HealthReport {
        let statuses = workers()
        var reasons: [String] = []
        for status in statuses {
            if let problem = status.problem { reasons.append("\(status.role): \(problem)") }
            if status.assigned.isEmpty {
                reasons.append("\(status.role): no partition assigned")
            } else if let lag = status.lag {
                if lag > maxLag { reasons.append("\(status.role): lag \(lag) is above \(maxLag)") }
            } else {
                reasons.append("\(status.role): lag not known yet")
            }
        }
        // From the workers' own latest write: a probe would take the write lock, and wait behind every batch.
        if let problem = storeProblem() { reasons.append("store not writable: \(problem)") }
        return HealthReport(status: reasons.isEmpty ? "ok" : "failing", reasons: reasons, workers: statuses)
    }
}

/// The HTTP endpoint (Hummingbird): `/metrics` (Prometheus text), `/healthz`, `/readyz`, and the operator console
/// under `/console` (or the page saying why it is off).
package enum HealthEndpoint {
    /// The application serving the endpoint at `address`; `onRunning` is called once it listens.
    package static func application(
        address: HTTPAddress, checks: HealthChecks, registry: PrometheusCollectorRegistry,
        limits: HTTPLimits = HTTPLimits(descriptorLimit: 1_024), console: (any ConsoleRouting)? = nil,
        onRunning: @escaping @Sendable () async -> Void, logger: Logger
    ) -> some ApplicationProtocol {
        let router = Router(context: ClientRequestContext.self)
        console?.register(on: router)
        serveMetrics(registry, program: "jump-consumer", on: router)
        router.get("/healthz") { _, _ -> Response in json(checks.liveness()) }
        router.get("/readyz") { _, _ -> Response in json(checks.readiness()) }
        return application(
            router: router, address: address, limits: limits, server: limits.server, serverName: "jump-consumer",
            onRunning: onRunning, logger: logger)
    }

    /// `GET /metrics`: the registry in Prometheus's text format, with help text, the build of `program` and the
    /// process's figures (``MetricCatalog``).
    package static func serveMetrics(
        _ registry: PrometheusCollectorRegistry, program: String, on router: Router<ClientRequestContext>
    ) {
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(
                    byteBuffer: ByteBuffer(
                        bytes: MetricCatalog.exposition(registry.emitToBuffer(), program: program))))
        }
    }

    /// The application serving `router` at `address` with `server` (``HTTPLimits/server``, perhaps within TLS)
    /// and the connection limit of `limits`; its own request logs only from `notice` up.
    package static func application(
        router: Router<ClientRequestContext>, address: HTTPAddress, limits: HTTPLimits, server: HTTPServerBuilder,
        serverName: String, onRunning: @escaping @Sendable () async -> Void, logger: Logger
    ) -> some ApplicationProtocol {
        var httpLogger = logger
        httpLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router, server: server,
            configuration: .init(
                address: .hostname(address.host, port: address.port), serverName: serverName,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.maximumConnections * 2)),
            onServerRunning: { _ in await onRunning() }, logger: httpLogger)
    }

    private static func json(_ report: HealthReport) -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let body = (try? encoder.encode(report)) ?? Data()
        return Response(
            status: report.status == "ok" ? .ok : .serviceUnavailable,
            headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }

    /// Whether `address` can be listened on now; the reason when it cannot (`Address already in use`).
    package static func probe(_ address: HTTPAddress) -> String? {
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        hints.ai_flags = AI_PASSIVE
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address.host, String(address.port), &hints, &list) == 0, let first = list else {
            return "cannot resolve \(address.host)"
        }
        defer { freeaddrinfo(list) }
        let descriptor = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard descriptor >= 0 else { return String(cString: strerror(errno)) }
        defer { close(descriptor) }
        var one: Int32 = 1
        setsockopt(descriptor, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(descriptor, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0 else {
            return String(cString: strerror(errno))
        }
        return nil
    }
}
