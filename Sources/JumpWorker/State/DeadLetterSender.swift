import CoreMetrics
import Foundation
import JumpEvents
import JumpKafka
import Logging
import Synchronization

/// Sends the rejected messages of a batch to the dead-letter topic, all in flight together, and returns once
/// every one is acknowledged: nothing is skipped before its offset moves on.
///
/// - The original key, value and headers go unchanged, with the reason in `jump.error*` and the origin in
///   `jump.original.*` headers. The producer accepts messages up to librdkafka's largest `message.max.bytes`
///   (1,000,000,000) with lz4, so whatever the source topic accepted is accepted here; only the broker's
///   limit for the dead-letter topic can still refuse one.
/// - A message refused for its size is replaced by a *bounded record*: JSON naming the original position, size,
///   SHA-256 and the reason, with the header `jump.payload: omitted`. The payload stays in the source topic at
///   that position, where `dlq redeliver` fetches it.
/// - Any other failure (the topic deleted, no authorization, brokers away) keeps the batch waiting and retrying
///   with backoff up to 30 s: ``blockedReason`` says why (for `/readyz` and the log), the metric
///   `jump_dead_letters_blocked` is 1, and each retry logs what to do. A stop request ends the wait; the batch
///   is then not applied and is read again at the next start.
final class DeadLetterSender: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let logger: Logger
    private let blocked = Mutex<String?>(nil)

    /// The largest message the dead-letter producer sends by default (librdkafka's maximum).
    static let defaultMaximumMessageBytes = 1_000_000_000

    init(
        brokers: [String], overrides: [String: String], topic: String, maximumMessageBytes: Int, logger: Logger
    )
        throws
    {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        // Consumer-only properties would make librdkafka warn about the dead-letter producer.
        configuration.overrides = overrides.filter { !KafkaProperties.isConsumerOnly($0.key) }
        configuration.overrides["message.max.bytes"] = String(maximumMessageBytes)
        producer = try KafkaProducer(configuration: configuration, logger: logger)
        self.topic = topic
        self.logger = logger
    }

    /// Why dead letters cannot be written now, or `nil`.
    var blockedReason: String? { blocked.withLock { $0 } }

    /// Sends every rejected message and waits for all acknowledgements.
    ///
    /// - Parameters:
    ///   - shouldStop: checked between retries; when it turns true the wait ends with the last error.
    ///   - onWait: called while the batch waits for a retry (the worker keeps its liveness clock turning).
    func send(
        _ rejected: [(KafkaConsumerMessage, EventRejection)], shouldStop: () -> Bool, onWait: () -> Void
    ) async throws {
        var pending = rejected.map { DeadLetterDraft(message: $0.0, reason: $0.1, topic: topic) }
        var delay = Duration.milliseconds(100)
        while !pending.isEmpty {
            let results = try await producer.send(pending.map(\.record))
            var retry: [DeadLetterDraft] = []
            var failure: KafkaError?
            for (draft, result) in zip(pending, results) {
                guard case .failure(let error) = result else { continue }
                if error.isFatal { throw error }
                if let code = error.code, code.isSizeRefusal, !draft.isBounded {
                    logger.warning(
                        "dead letter refused for its size; sending a bounded record instead",
                        metadata: ["at": "\(draft.origin)", "bytes": "\(draft.size)", "error": "\(error)"])
                    WorkerMetrics.deadLettersBounded.increment()
                    retry.append(draft.bounded(refusal: error.description))
                } else {
                    retry.append(draft)
                    failure = error
                }
            }
            pending = retry
            guard let failure else { continue }
            let reason =
                "dead letters cannot be written to \(topic): \(failure); check that the topic exists and that this "
                + "worker may write to it (Deploy/kafka/acls.sh); the worker retries and goes on once it can"
            blocked.withLock { $0 = reason }
            WorkerMetrics.deadLettersBlocked.record(1)
            logger.error("\(reason)", metadata: ["waiting": "\(pending.count)", "retryIn": "\(delay)"])
            if shouldStop() { throw failure }
            var waited = Duration.zero
            while waited < delay, !shouldStop() {
                onWait()
                try await Task.sleep(for: .milliseconds(100))
                waited += .milliseconds(100)
            }
            delay = min(delay * 2, .seconds(30))
        }
        if blocked.withLock({ $0 }) != nil {
            logger.notice("dead letters are written again", metadata: ["topic": "\(topic)"])
            blocked.withLock { $0 = nil }
            WorkerMetrics.deadLettersBlocked.record(0)
        }
    }

    /// Flushes what is in flight and closes the producer.
    func close() async { await producer.close(timeout: .seconds(10)) }
}

/// One dead letter to send: the original message with the reason, or its bounded record.
struct DeadLetterDraft: Sendable {
    var record: KafkaProducerMessage
    var origin: String
    var size: Int
    var isBounded = false
    private var reasonHeaders: [KafkaHeader]
    private var original: KafkaConsumerMessage
    private var reason: EventRejection

    init(message: KafkaConsumerMessage, reason: EventRejection, topic: String) {
        original = message
        self.reason = reason
        origin = "\(message.topicPartition)@\(message.offset)"
        size = message.value?.count ?? 0
        reasonHeaders = [
            KafkaHeader(name: "jump.error", text: reason.kind.name),
            KafkaHeader(name: "jump.error.detail", text: reason.description),
            KafkaHeader(name: "jump.original.topic", text: message.topicPartition.topic),
            KafkaHeader(name: "jump.original.partition", text: String(message.topicPartition.partition)),
            KafkaHeader(name: "jump.original.offset", text: String(message.offset)),
        ]
        // The original headers (a CloudEvents binary-mode event's ce_ attributes) travel with it.
        let kept = message.headers.filter { !$0.name.hasPrefix("jump.error") && !$0.name.hasPrefix("jump.original.") }
        record = KafkaProducerMessage(
            topic: topic, key: message.key, value: message.value, headers: kept + reasonHeaders)
    }

    /// The bounded record that stands for the original when the broker refuses its size.
    func bounded(refusal: String) -> DeadLetterDraft {
        var draft = self
        draft.isBounded = true
        let digest = SHA256.hex(SHA256.hash(original.value ?? []))
        let fields: [(key: String, value: JSONValue)] = [
            ("jump.payload", .string("omitted")),
            ("originalTopic", .string(original.topicPartition.topic)),
            ("originalPartition", .integer(Int64(original.topicPartition.partition))),
            ("originalOffset", .integer(original.offset)),
            ("size", .integer(Int64(size))), ("sha256", .string(digest)),
            ("error", .string(reason.kind.name)), ("detail", .string(String(reason.description.prefix(2_000)))),
            ("refusal", .string(String(refusal.prefix(1_000)))),
        ]
        let value = JSONWriter.encode(.object(JSONObject(fields)))
        let key = (original.key?.count ?? 0) <= 1_024 ? original.key : nil
        draft.record = KafkaProducerMessage(
            topic: record.topic, key: key, value: value,
            headers: reasonHeaders + [
                KafkaHeader(name: "jump.payload", text: "omitted"),
                KafkaHeader(name: "jump.payload.size", text: String(size)),
                KafkaHeader(name: "jump.payload.sha256", text: digest),
            ])
        return draft
    }
}
