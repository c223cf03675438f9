import CoreMetrics
import Foundation
import JumpEvents
import JumpKafka
import Logging
import Synchronization

/// Sends the messages a batch diverts — rejected input to the dead-letter topic, events that belong in another
/// partition to that partition — all in flight together, and returns once every one is acknowledged: nothing is
/// skipped before its offset moves on. A crash after the acknowledgement and before the batch's transaction sends
/// them again: the dead-letter topic then holds a repeat, and a moved event is dropped in its partition by its id.
///
/// - A dead letter is the original key, value and headers unchanged, with the reason in `jump.error*` and the
///   origin in `jump.original.*` headers. The producer accepts messages up to librdkafka's largest
///   `message.max.bytes` (1,000,000,000) with lz4, so whatever the source topic accepted is accepted here; only
///   the broker's limit for the dead-letter topic can still refuse one.
/// - A dead letter refused for its size is replaced by a *bounded record*: JSON naming the original position,
///   size, SHA-256 and the reason, with the header `jump.payload: omitted`. The payload stays in the source topic
///   at that position, where `dlq redeliver` fetches it.
/// - A moved event keeps its value and headers, is keyed by its subject and carries
///   ``KeyPlacement/rerouteHeader``.
/// - Any other failure (the topic deleted, no authorization, brokers away) keeps the batch waiting and retrying
///   with backoff up to 30 s: ``blockedReason`` says why (for `/readyz` and the log), the metric
///   `jump_dead_letters_blocked` is 1, and each retry logs what to do. A stop request ends the wait; the batch
///   is then not applied and is read again at the next start.
final class DiversionSender: Sendable {
    private let producer: KafkaProducer
    private let deadLetterTopic: String
    private let logger: Logger
    private let blocked = Mutex<String?>(nil)

    /// The largest message the dead-letter producer sends by default (librdkafka's maximum).
    static let defaultMaximumMessageBytes = 1_000_000_000

    /// A sender whose dead letters go to `topic`.
    init(
        brokers: [String], overrides: [String: String], topic: String, maximumMessageBytes: Int, logger: Logger
    )
        throws
    {
        producer = try ServiceProducer.make(
            brokers: brokers, overrides: overrides, maximumMessageBytes: maximumMessageBytes, logger: logger)
        deadLetterTopic = topic
        self.logger = logger
    }

    /// Why diverted messages cannot be written now, or `nil`.
    var blockedReason: String? { blocked.withLock { $0 } }

    /// The dead letter of a rejected message.
    func deadLetter(_ message: KafkaConsumerMessage, reason: EventRejection) -> DivertedMessage {
        DivertedMessage(deadLetter: message, reason: reason, topic: deadLetterTopic)
    }

    /// Sends every diverted message and waits for all acknowledgements.
    ///
    /// - Parameters:
    ///   - shouldStop: checked between retries; when it turns true the wait ends with the last error.
    ///   - onWait: called while the batch waits for a retry (the worker keeps its liveness clock turning).
    /// - Returns: where each message was written.
    @discardableResult
    func send(
        _ diverted: [DivertedMessage], shouldStop: () -> Bool, onWait: () -> Void
    ) async throws -> [KafkaDeliveryReport] {
        var pending = diverted
        var written: [KafkaDeliveryReport] = []
        var delay = Duration.milliseconds(100)
        while !pending.isEmpty {
            let results = try await producer.send(pending.map(\.record))
            var retry: [DivertedMessage] = []
            var failure: (topic: String, error: KafkaError)?
            for (draft, result) in zip(pending, results) {
                let error: KafkaError
                switch result {
                case .success(let report):
                    written.append(report)
                    continue
                case .failure(let failure): error = failure
                }
                if error.isFatal { throw error }
                if let code = error.code, code.isSizeRefusal, let bounded = draft.bounded(refusal: error.description) {
                    logger.warning(
                        "dead letter refused for its size; sending a bounded record instead",
                        metadata: [
                            "at": "\(draft.origin)", "bytes": .stringConvertible(draft.size), "error": "\(error)",
                        ])
                    WorkerMetrics.deadLettersBounded.increment()
                    retry.append(bounded)
                } else {
                    retry.append(draft)
                    failure = (draft.record.topic, error)
                }
            }
            pending = retry
            guard let failure else { continue }
            let what = failure.topic == deadLetterTopic ? "dead letters" : "events moved to their partition"
            let reason =
                "\(what) cannot be written to \(failure.topic): \(failure.error); check that the topic exists and "
                + "that this worker may write to it (Deploy/kafka/acls.sh); the worker retries and goes on once it can"
            blocked.withLock { $0 = reason }
            WorkerMetrics.deadLettersBlocked.record(1)
            logger.error("\(reason)", metadata: ["waiting": .stringConvertible(pending.count), "retryIn": "\(delay)"])
            if shouldStop() { throw failure.error }
            var waited = Duration.zero
            while waited < delay, !shouldStop() {
                onWait()
                try await Task.sleep(for: .milliseconds(100))
                waited += .milliseconds(100)
            }
            delay = min(delay * 2, .seconds(30))
        }
        if blocked.withLock({ $0 }) != nil {
            logger.notice("diverted messages are written again")
            blocked.withLock { $0 = nil }
            WorkerMetrics.deadLettersBlocked.record(0)
        }
        return written
    }

    /// Flushes what is in flight and closes the producer.
    func close() async { await producer.close(timeout: .seconds(10)) }
}

/// One message a batch diverts: a dead letter (or its bounded record), or an event moved to its partition.
struct DivertedMessage: Sendable {
    var record: KafkaProducerMessage
    var origin: String
    var size: Int
    private var original: KafkaConsumerMessage
    /// Why a dead letter was rejected; `nil` for a moved event.
    private var reason: EventRejection?
    private var reasonHeaders: [KafkaHeader] = []
    private var isBounded = false

    /// The dead letter of `message`, for `topic`.
    init(deadLetter message: KafkaConsumerMessage, reason: EventRejection, topic: String) {
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
        let kept = message.headers.filter { header in
            !DeadLetter.reasonHeaderPrefixes.contains { header.name.hasPrefix($0) }
        }
        record = KafkaProducerMessage(
            topic: topic, key: message.key, value: message.value, headers: kept + reasonHeaders)
    }

    /// `message` moved to `partition` of its topic, keyed by `subject`, with its value and headers and
    /// ``KeyPlacement/rerouteHeader`` naming where it was read.
    init(moving message: KafkaConsumerMessage, subject: String, to partition: Int32) {
        original = message
        origin = "\(message.topicPartition)@\(message.offset)"
        size = message.value?.count ?? 0
        let from = KafkaHeader(
            name: KeyPlacement.rerouteHeader,
            text: "\(message.topicPartition.topic)/\(message.topicPartition.partition)@\(message.offset)")
        record = KafkaProducerMessage(
            topic: message.topicPartition.topic, partition: partition, key: Array(subject.utf8),
            value: message.value, headers: message.headers + [from])
    }

    /// The bounded record that stands for a dead letter the broker refuses for its size; `nil` for a moved event
    /// or a record already bounded.
    func bounded(refusal: String) -> DivertedMessage? {
        guard let reason, !isBounded else { return nil }
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
