import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import JumpEvents
import JumpKafka
import JumpPublishing
import Logging
import Metrics
import NIOCore
import NIOSSL
import Prometheus
import ServiceLifecycle
import Synchronization

/// `jump-producer serve`: events over HTTP (the CloudEvents HTTP binding, structured, binary and batch modes) on
/// `POST /events`, validated, keyed and delivered as `jump-producer publish` delivers them, and answered only after
/// Kafka's acknowledgement of every event of the request.
package final class PublishServer: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let tokens: Mutex<PublishTokens>
    private let buckets = Mutex<[String: RateBucket]>([:])
    private let requestTimeout: Duration
    private let draining = Atomic<Bool>(false)
    private let inFlight = Atomic<Int>(0)
    private let inFlightGauge = Gauge(label: "jump_serve_requests_in_flight")
    private let kafkaProblem = Mutex<String?>("Kafka not asked yet")
    private let logger: Logger
    private let decoder = EventDecoder()
    private static let specVersion = HTTPField.Name("ce-specversion")!
    private static let structuredHeaders = [
        KafkaHeader(name: "content-type", text: "application/cloudevents+json; charset=utf-8")
    ]

    /// A server publishing to `topic` through `producer`, for the holders of `tokens`.
    package init(
        producer: KafkaProducer, topic: String, tokens: PublishTokens, requestTimeout: Duration, logger: Logger
    ) {
        self.producer = producer
        self.topic = topic
        self.tokens = Mutex(tokens)
        self.requestTimeout = requestTimeout
        self.logger = logger
    }

    /// Creates the server's families at zero (those by status and token appear with their first request). Call
    /// once, after the metrics backend is bootstrapped.
    package static func registerMetrics() {
        for outcome in ["accepted", "rejected", "failed"] {
            Counter(label: "jump_serve_events_total", dimensions: [("outcome", outcome)]).increment(by: 0)
        }
        Gauge(label: "jump_serve_requests_in_flight").record(0)
        _ = Metrics.Timer(label: "jump_serve_request_duration_seconds")
    }

    /// Puts new tokens in force (SIGHUP); requests already authenticated finish with the old ones.
    package func replaceTokens(_ new: PublishTokens) {
        tokens.withLock { $0 = new }
        buckets.withLock { $0 = $0.filter { name, _ in new.tokens.contains { $0.name == name } } }
    }

    /// The names of the tokens in force.
    package var tokenNames: [String] { tokens.withLock { $0.tokens.map(\.name) } }

    // MARK: The endpoint

    /// The HTTP application (over TLS with `tls`): `POST /events`, `/healthz`, `/readyz`, `/metrics` and
    /// `/openapi.json`.
    /// - Throws: NIOSSL's error when `tls` cannot make a server context.
    package func application(
        address: HTTPAddress, registry: PrometheusCollectorRegistry, limits: HTTPLimits, tls: TLSConfiguration?,
        onRunning: @escaping @Sendable () async -> Void
    ) throws -> some ApplicationProtocol {
        let router = Router(context: ClientRequestContext.self)
        router.post("/events") { request, _ in await self.handle(request) }
        router.get("/healthz") { _, _ in Self.json(.ok, ["status": "ok"]) }
        router.get("/readyz") { _, _ in self.readiness() }
        HealthEndpoint.serveMetrics(registry, program: "jump-producer", on: router)
        router.get("/openapi.json") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: PublishAPIDocument.json)))
        }
        return HealthEndpoint.application(
            router: router, address: address, limits: limits,
            server: try tls.map { try .tls(limits.server, tlsConfiguration: $0) } ?? limits.server,
            serverName: "jump-producer", onRunning: onRunning, logger: logger)
    }

    /// `POST /events`: one answer, counted by status and token name.
    func handle(_ request: Request) async -> Response {
        let started = ContinuousClock.now
        inFlightGauge.record(inFlight.add(1, ordering: .relaxed).newValue)
        defer { inFlightGauge.record(inFlight.subtract(1, ordering: .relaxed).newValue) }
        var tokenName = "-"
        let answer = await answer(request, tokenName: &tokenName)
        Counter(label: "jump_serve_requests_total", dimensions: [("status", "\(answer.status)"), ("token", tokenName)])
            .increment()
        Metrics.Timer(label: "jump_serve_request_duration_seconds").record(duration: ContinuousClock.now - started)
        if answer.status != 200 {
            // An anonymous client could fill the log with 401s: those only at debug.
            logger.log(
                level: answer.status == 401 ? .debug : .notice,
                "request refused",
                metadata: ["status": "\(answer.status)", "token": "\(tokenName)", "problem": "\(answer.summary)"])
        }
        return answer.response
    }

    private func answer(_ request: Request, tokenName: inout String) async -> PublishAnswer {
        guard !draining.load(ordering: .relaxed) else {
            return .problem(
                .serviceUnavailable, "shutting-down", "The server is shutting down",
                "this instance is stopping; send the request again (to another instance, or after the restart)",
                retryAfter: 5)
        }
        guard let token = authenticate(request.headers[.authorization]) else {
            return .problem(
                .unauthorized, "unauthorized", "No valid token",
                request.headers[.authorization] == nil
                    ? "send Authorization: Bearer TOKEN" : "the bearer token is not one this server knows",
                headers: [.wwwAuthenticate: "Bearer realm=\"jump-relay\""])
        }
        tokenName = token.name
        guard
            let mode = HTTPEventMode(
                contentType: request.headers[.contentType],
                hasSpecVersionHeader: request.headers[Self.specVersion] != nil)
        else {
            return .problem(
                .unsupportedMediaType, "unsupported-media-type", "Unsupported media type",
                "Content-Type \(request.headers[.contentType].map { "\"\($0)\"" } ?? "absent"): send "
                    + HTTPEventMode.acceptedMediaTypes)
        }
        let limit = HTTPEvents.maximumBytes(mode)
        if let length = request.headers[.contentLength].flatMap({ Int($0) }), length > limit {
            return .tooLarge(mode: mode, limit: limit, "Content-Length is \(length) bytes")
        }
        let deadline = ContinuousClock.now + requestTimeout
        let body: [UInt8]
        switch await Self.collect(request.body, upTo: limit, until: deadline) {
        case .body(let bytes): body = bytes
        case .tooLarge: return .tooLarge(mode: mode, limit: limit, "the body goes on past the limit")
        case .timedOut:
            return .problem(
                .requestTimeout, "request-timeout", "The body did not arrive in time",
                "the body was not complete within \(requestTimeout)")
        case .failed(let reason):
            return .problem(.badRequest, "unreadable-body", "The body could not be read", reason)
        }
        return await validateAndDeliver(
            body: body, mode: mode, headers: request.headers, token: token, deadline: deadline)
    }

    private func validateAndDeliver(
        body: [UInt8], mode: HTTPEventMode, headers: HTTPFields, token: PublishTokens.Token,
        deadline: ContinuousClock.Instant
    ) async -> PublishAnswer {
        let records: [EventRecord]
        do {
            if mode == .binary {
                records = [
                    try HTTPEvents.binaryRecord(
                        headers: headers.map { ($0.name.canonicalName, $0.value) }, body: body, decoder: decoder)
                ]
            } else {
                records = try HTTPEvents.records(mode, body: body)
            }
        } catch let problem as HTTPBodyProblem where problem.isOverLimit {
            return .tooLarge(mode: mode, limit: HTTPEvents.maximumBytes(mode), problem.description)
        } catch let problem as HTTPBodyProblem {
            return .problem(.badRequest, "malformed-batch", "The batch cannot be read", problem.description)
        } catch let rejection as EventRejection {
            return .invalid([(0, rejection)])
        } catch {
            return .problem(.badRequest, "malformed-request", "The request cannot be read", "\(error)")
        }
        let publisher = EventPublisher(topic: topic, source: "urn:jump:serve:\(token.name)")
        var prepared: [EventPublisher.Prepared] = []
        var rejections: [(Int, EventRejection)] = []
        for (index, record) in records.enumerated() {
            do {
                prepared.append(try publisher.prepare(record))
            } catch {
                rejections.append((index, error))
            }
        }
        guard rejections.isEmpty else {
            Counter(label: "jump_serve_events_total", dimensions: [("outcome", "rejected")]).increment(
                by: rejections.count)
            return .invalid(rejections)
        }
        if let (index, event) = prepared.enumerated().first(where: {
            !token.allows(source: $0.element.source, type: $0.element.type.rawValue)
        }) {
            return .problem(
                .forbidden, "forbidden", "Not allowed for this token",
                "token \(token.name) may not publish event \(index) (source \(event.source), type \(event.type.rawValue))"
            )
        }
        if let wait = takeRate(prepared.count, for: token) {
            let seconds = max(
                1, Int((Double(wait.components.seconds) + Double(wait.components.attoseconds) / 1e18).rounded(.up)))
            return .problem(
                .tooManyRequests, "rate-limited", "Too many events for this token",
                "token \(token.name) may publish \(token.eventsPerSecond ?? 0) events per second",
                retryAfter: seconds)
        }
        return await deliver(prepared, until: deadline)
    }

    // MARK: Delivery

    /// Sends the events and waits for every acknowledgement until `deadline`: 200 when each one is acknowledged,
    /// else 503 with each event's outcome (one reported unacknowledged may still arrive: sending it again with
    /// the same id is harmless).
    private func deliver(
        _ events: [EventPublisher.Prepared], until deadline: ContinuousClock.Instant
    ) async -> PublishAnswer {
        let outcomes = DeliveryOutcomes(count: events.count)
        let messages = events.map {
            KafkaProducerMessage(topic: topic, key: $0.key, value: $0.value, headers: Self.structuredHeaders)
        }
        let producer = self.producer
        let sending = Task {
            try await producer.enqueue(messages) { index, result in outcomes.set(index, result) }
        }
        let results = await outcomes.wait(until: deadline)
        sending.cancel()
        let reports = results.compactMap { try? $0?.get() }
        if reports.count == events.count {
            Counter(label: "jump_serve_events_total", dimensions: [("outcome", "accepted")]).increment(
                by: events.count)
            return PublishAnswer(
                status: 200, body: Self.acceptedBody(events, reports), contentType: "application/json",
                summary: "accepted \(events.count)")
        }
        var accepted = 0
        var list: [JSONValue] = []
        for (index, event) in events.enumerated() {
            var item: JSONObject = ["id": .string(event.eventID)]
            switch results[index] {
            case .success(let report)?:
                accepted += 1
                item.set("status", .string("accepted"))
                item.set("topic", .string(report.topicPartition.topic))
                item.set("partition", .integer(Int64(report.topicPartition.partition)))
                item.set("offset", .integer(report.offset))
            case .failure(let error)?:
                item.set("status", .string("failed"))
                item.set("detail", .string("not acknowledged: \(error)"))
            case nil:
                item.set("status", .string("failed"))
                item.set("detail", .string("not acknowledged within \(requestTimeout); it may still arrive"))
            }
            list.append(.object(item))
        }
        Counter(label: "jump_serve_events_total", dimensions: [("outcome", "accepted")]).increment(by: accepted)
        Counter(label: "jump_serve_events_total", dimensions: [("outcome", "failed")]).increment(
            by: events.count - accepted)
        return .problem(
            .serviceUnavailable, "not-acknowledged", "Kafka did not acknowledge every event",
            "\(events.count - accepted) of \(events.count) events were not acknowledged; send them again with the "
                + "same ids (an event applied once is not applied twice)",
            retryAfter: 5, extra: ["accepted": .integer(Int64(accepted)), "events": .array(list)])
    }

    /// `{"accepted": N, "events": [{"id", "status": "accepted", "topic", "partition", "offset"}, ...]}`, written
    /// directly: a batch's answer is the last step of its hot path.
    private static func acceptedBody(
        _ events: [EventPublisher.Prepared], _ reports: [KafkaDeliveryReport]
    ) -> [UInt8] {
        var body: [UInt8] = []
        body.reserveCapacity(32 + events.count * 128)
        body += "{\"accepted\":\(events.count),\"events\":[".utf8
        for (index, (event, report)) in zip(events, reports).enumerated() {
            body += index == 0 ? "{\"id\":".utf8 : ",{\"id\":".utf8
            JSONWriter.appendString(event.eventID, to: &body)
            body += ",\"status\":\"accepted\",\"topic\":".utf8
            JSONWriter.appendString(report.topicPartition.topic, to: &body)
            body += ",\"partition\":\(report.topicPartition.partition),\"offset\":\(report.offset)}".utf8
        }
        body += "]}".utf8
        return body
    }

    // MARK: Tokens and rates

    private func authenticate(_ authorization: String?) -> PublishTokens.Token? {
        guard let authorization else { return nil }
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return nil }
        let presented = parts[1].trimmingCharacters(in: .whitespaces)
        return tokens.withLock { $0 }.authenticate(presented)
    }

    /// Takes `count` events from the token's rate; how long to wait when there are not enough.
    private func takeRate(_ count: Int, for token: PublishTokens.Token) -> Duration? {
        guard let rate = token.eventsPerSecond else { return nil }
        return buckets.withLock { buckets in
            // A bucket of a previous rate (before a SIGHUP changed it) starts again.
            var bucket = buckets[token.name].flatMap { $0.rate == Double(rate) ? $0 : nil } ?? RateBucket(rate: rate)
            let wait = bucket.take(count, now: .now)
            buckets[token.name] = bucket
            return wait
        }
    }

    // MARK: Health

    private func readiness() -> Response {
        var reasons: [String] = []
        if draining.load(ordering: .relaxed) { reasons.append("shutting down") }
        if let problem = kafkaProblem.withLock({ $0 }) { reasons.append(problem) }
        let body: JSONObject = [
            "status": .string(reasons.isEmpty ? "ok" : "failing"), "reasons": .array(reasons.map { .string($0) }),
        ]
        return Self.json(reasons.isEmpty ? .ok : .serviceUnavailable, body)
    }

    /// Asks Kafka for the topic's partitions; `/readyz` fails until it answers and the topic exists.
    func checkKafka() async {
        let problem: String?
        do {
            problem =
                try await producer.partitionCount(of: topic, timeout: .seconds(5)) == nil
                ? "topic \(topic) does not exist" : nil
        } catch {
            problem = "Kafka: \(error)"
        }
        let previous = kafkaProblem.withLock { current in
            defer { current = problem }
            return current
        }
        if previous != problem {
            if let problem {
                logger.warning("not ready", metadata: ["reason": "\(problem)"])
            } else {
                logger.notice("ready: Kafka answers and \(topic) exists")
            }
        }
    }

    /// Stops taking requests: each new one is answered 503.
    func beginDraining() { draining.store(true, ordering: .relaxed) }

    /// Stops taking requests and waits for those in flight.
    func drain() async {
        beginDraining()
        while inFlight.load(ordering: .relaxed) > 0 && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(10))
        }
    }

    private static func json(_ status: HTTPResponse.Status, _ object: JSONObject) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: JSONWriter.encode(.object(object)))))
    }

    // MARK: Bodies

    private enum Collected {
        case body([UInt8])
        case tooLarge
        case timedOut
        case failed(String)
    }

    /// Reads at most `limit` bytes of the body (and not one more chunk), unless `deadline` comes first.
    private static func collect(
        _ body: RequestBody, upTo limit: Int, until deadline: ContinuousClock.Instant
    ) async -> Collected {
        await withTaskGroup(of: Collected.self) { group in
            group.addTask {
                do {
                    return .body(Array(buffer: try await body.collect(upTo: limit)))
                } catch is NIOTooManyBytesError {
                    return .tooLarge
                } catch {
                    return Task.isCancelled ? .timedOut : .failed("\(error)")
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline)
                return .timedOut
            }
            let first = await group.next() ?? .timedOut
            group.cancelAll()
            return first
        }
    }
}

/// The service around a ``PublishServer``: it asks Kafka every 5 s whether it answers (for `/readyz`), and on a
/// graceful shutdown drains the server (new requests answered 503, those in flight finished) before the HTTP
/// endpoint stops.
package struct PublishServerLifecycle: Service {
    let server: PublishServer

    package init(server: PublishServer) { self.server = server }

    package func run() async throws {
        await withGracefulShutdownHandler {
            while !Task.isShuttingDownGracefully && !Task.isCancelled {
                await server.checkKafka()
                for _ in 0..<50 where !Task.isShuttingDownGracefully && !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(100))
                }
            }
        } onGracefulShutdown: {
            server.beginDraining()
        }
        await server.drain()
    }
}
