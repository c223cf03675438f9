import Foundation
import JumpDigests
import JumpKafka
import JumpState
import JumpTestSupport
import Logging
import Testing

@testable import JumpWorker

/// A digest larger than the `jump.digests` topic accepts is never retried forever: the topic carries its most
/// important items and the count of the rest.
@Suite("Digests too large for their topic")
struct TopicDigestTests {
    /// A digest of `count` items (each headline about 300 bytes), most important first, as JSON decodes it.
    static func digest(items count: Int) throws -> Digest {
        let totals = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(PartitionTotals()))
        let items: [[String: Any]] = (0..<count).map { index in
            [
                "id": "consulate:e-\(index)", "eventId": "e-\(index)", "type": "jump.jobs.reported",
                "subject": "jobs.x", "importance": count - index, "eventTime": "2025-01-01T00:00:00Z",
                "receivedAt": "2026-11-29T14:20:00Z",
                "origin": ["topic": "jump.events", "partition": 0, "offset": index],
                "headline": ["es": String(repeating: "x", count: 300)],
            ]
        }
        let object: [String: Any] = [
            "id": "consulate/2026-11-29T14:00:00Z", "audience": "consulate", "audienceName": "Consulado",
            "language": "es", "languages": ["es"],
            "window": [
                "start": "2026-11-29T14:00:00Z", "end": "2026-11-29T15:00:00Z", "timeZone": "UTC", "schedule": "hourly",
            ],
            "builtAt": "2026-11-29T15:00:00Z", "itemCount": count, "counts": ["jump.jobs.reported": count],
            "items": items, "totals": totals, "text": ["es": "…"],
        ]
        return try DigestCoding.decode(
            String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self))
    }

    @Test("3,000 items over a 100 kB limit: the most important ones go, itemsOmitted counts the rest")
    func capped() async throws {
        let logger = Logger(label: "topic-digest-tests")
        let cluster = try MockCluster(brokerCount: 1, logger: logger)
        try cluster.createTopic("jump.digests", partitions: 1)
        var configuration = KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers])
        configuration.overrides = ["message.max.bytes": "100000"]
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        let digest = try Self.digest(items: 3_000)
        try await TopicDigestSink(producer: producer, topic: "jump.digests", logger: logger).publish(digest)
        await producer.close()

        let values = try await messages(
            in: "jump.digests", bootstrapServers: cluster.bootstrapServers, count: 1, logger: logger
        ).map { $0.value ?? [] }
        #expect(values.count == 1)
        let sent = try DigestCoding.decode(String(decoding: values.first ?? [], as: UTF8.self))
        #expect(sent.items.count > 0 && sent.items.count < 3_000 && values[0].count < 100_000)
        #expect(sent.itemsOmitted == 3_000 - sent.items.count && sent.itemCount == 3_000)
        #expect(sent.items.map(\.eventId) == digest.items.prefix(sent.items.count).map(\.eventId))
    }
}
