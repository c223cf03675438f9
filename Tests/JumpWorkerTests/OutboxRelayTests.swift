import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import Logging
import Testing

@testable import JumpWorker

/// The relay publishes every outbox item and removes what Kafka acknowledged.
@Suite("The outbox relay")
struct OutboxRelayTests {
    @Test(
        "three batches, one round, then a drain: every item reaches the topic once and in order, keyed by audience, a batch's row leaves the outbox whole, and the outbox ends empty"
    )
    func everyItemOnce() async throws {
        let logger = Logger(label: "outbox-relay-tests")
        let cluster = try MockCluster(brokerCount: 1, logger: logger)
        try cluster.createTopic("jump.notifications", partitions: 1)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let decoder = EventDecoder()
        let records = try EventGenerator(seed: 3).prefix(60).enumerated().map { offset, line in
            ConsumedRecord(
                partition: 0, offset: Int64(offset), content: .event(try decoder.decode(Array(line)), raw: Array(line)))
        }
        var expected: Int64? = nil
        var perBatch: [Int] = []
        for batch in stride(from: 0, to: 60, by: 20) {
            let before = try await store.outboxDepth()
            try await store.apply(
                topic: "jump.events", records: Array(records[batch..<batch + 20]), expected: [0: expected],
                router: DigestRouter(audiences: DigestConfiguration.builtIn.audiences))
            expected = Int64(batch + 20)
            perBatch.append(try await store.outboxDepth() - before)
        }
        let written = try await store.pendingNotifications(limit: 10_000)
        #expect(written.count >= 60 && written.count == perBatch.reduce(0, +))
        #expect(Set(written.map(\.sequence)).count == 3, "one outbox row per batch")

        let relay = try OutboxRelay(store: store, brokers: [cluster.bootstrapServers], overrides: [:], logger: logger)
        #expect(try await relay.relayOnce(limit: 1) == perBatch[0], "the oldest row, whole")
        #expect(try await store.outboxDepth() == written.count - perBatch[0])
        try await relay.drain()
        #expect(try await store.pendingNotifications(limit: 10).isEmpty)
        #expect(try await store.outboxDepth() == 0)
        await relay.close()

        let messages = try await messages(
            in: "jump.notifications", bootstrapServers: cluster.bootstrapServers, count: written.count, logger: logger)
        #expect(messages.map { $0.value ?? [] } == written.map(\.item))
        #expect(messages.map { $0.keyText ?? "" } == written.map(\.audience))
    }
    @Test(
        "a round in which Kafka acknowledges nothing (a closed producer here) fails with the producer's reason, and every row stays"
    )
    func failedRound() async throws {
        let logger = Logger(label: "outbox-relay-tests")
        let cluster = try MockCluster(brokerCount: 1, logger: logger)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("relay-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try StateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let decoder = EventDecoder()
        let records = try EventGenerator(seed: 3).prefix(20).enumerated().map { offset, line in
            ConsumedRecord(
                partition: 0, offset: Int64(offset), content: .event(try decoder.decode(Array(line)), raw: Array(line)))
        }
        try await store.apply(
            topic: "jump.events", records: records, expected: [0: nil],
            router: DigestRouter(audiences: DigestConfiguration.builtIn.audiences))
        let depth = try await store.outboxDepth()
        #expect(depth > 0)
        let relay = try OutboxRelay(store: store, brokers: [cluster.bootstrapServers], overrides: [:], logger: logger)
        await relay.close()
        let error = await #expect(throws: KafkaError.self) { try await relay.relayOnce() }
        #expect(error?.kind == .closed, "\(String(describing: error))")
        #expect(try await store.outboxDepth() == depth, "nothing removed")
    }

    @Test("a batch whose items pass a row's 64 KiB fills several rows, relayed one after the other, in order")
    func batchOverSeveralRows() async throws {
        let logger = Logger(label: "outbox-relay-tests")
        let cluster = try MockCluster(brokerCount: 1, logger: logger)
        try cluster.createTopic("jump.notifications", partitions: 1)
        let store = try StateStore()
        let decoder = EventDecoder()
        let records = try EventGenerator(seed: 4).prefix(300).enumerated().map { offset, line in
            ConsumedRecord(
                partition: 0, offset: Int64(offset), content: .event(try decoder.decode(Array(line)), raw: Array(line)))
        }
        try await store.apply(
            topic: "jump.events", records: records, expected: [0: nil],
            router: DigestRouter(audiences: DigestConfiguration.builtIn.audiences))
        let written = try await store.pendingNotifications(limit: 10_000)
        let rows = Dictionary(grouping: written, by: \.sequence).mapValues(\.count)
        #expect(rows.count > 1, "300 events' items are more than 64 KiB")
        #expect(written.count == rows.values.reduce(0, +) && written.count >= 300)
        let first = try #require(rows.keys.min())
        #expect(rows.keys.sorted().dropFirst().allSatisfy { $0 > first })

        let relay = try OutboxRelay(store: store, brokers: [cluster.bootstrapServers], overrides: [:], logger: logger)
        #expect(try await relay.relayOnce(limit: 1) == rows[first], "the oldest row, whole, and only it")
        #expect(try await store.outboxDepth() == written.count - rows[first]!)
        try await relay.drain()
        #expect(try await store.outboxDepth() == 0)
        await relay.close()
        let messages = try await messages(
            in: "jump.notifications", bootstrapServers: cluster.bootstrapServers, count: written.count, logger: logger)
        #expect(messages.map { $0.value ?? [] } == written.map(\.item), "every item once, in order")
    }
}
