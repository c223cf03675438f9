import JumpKafka
import JumpState
import Logging

/// Publishes digests to `jump.digests`, keyed by audience, with the digest id in the `jump.digest.id` header.
///
/// A digest the topic refuses for its size (a backfill of thousands of items) is sent again with fewer items —
/// its most important quarter, then a quarter of that, down to none — and `itemsOmitted` counting the rest, so it
/// is never retried forever; `digests.jsonl` keeps the full one.
package struct TopicDigestSink: DigestSink {
    /// `topic`.
    package let name = "topic"
    private let producer: KafkaProducer
    private let topic: String
    /// The topic's name.
    package var destination: String? { topic }
    private let logger: Logger?

    /// A sink publishing to `topic` through `producer`, logging a capped digest to `logger`.
    package init(producer: KafkaProducer, topic: String, logger: Logger?) {
        self.producer = producer
        self.topic = topic
        self.logger = logger
    }

    /// Publishes the digest (one delivery per digest).
    package func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        try await publish(digest)
    }

    /// Sends `digest`, capped until the topic takes it.
    package func publish(_ digest: Digest) async throws(DeliveryFailure) {
        var sent = digest
        while true {
            let message = KafkaProducerMessage(
                topic: topic, key: Array(digest.audience.utf8), value: DigestCoding.encode(sent),
                headers: [KafkaHeader(name: "jump.digest.id", text: digest.id)])
            do {
                _ = try await producer.send(message)
                return
            } catch let error as KafkaError where error.code?.isSizeRefusal == true && !sent.items.isEmpty {
                sent = digest.capped(toItems: sent.items.count / 4)
                logger?.warning(
                    "digest \(digest.id) is too large for \(topic); sending its \(sent.items.count) most important items",
                    metadata: ["itemsOmitted": .stringConvertible(sent.itemsOmitted ?? 0), "error": "\(error)"])
            } catch {
                throw DeliveryFailure("\(topic): \(error)")
            }
        }
    }
}
