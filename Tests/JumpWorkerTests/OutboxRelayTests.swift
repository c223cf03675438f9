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
        "rounds of ten, then a drain: every item reaches the topic once and in order, keyed by audience, and the outbox ends empty"
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
        try await store.apply(
            topic: "jump.events", records: records, expected: [0: nil],
            router: DigestRouter(audiences: DigestConfiguration.builtIn.audiences))
        let written = try await store.pendingNotifications(limit: 10_000)
        #expect(written.count >= 60)

        let relay = try OutboxRelay(store: store, brokers: [cluster.bootstrapServers], overrides: [:], logger: logger)
        #expect(try await relay.relayOnce(limit: 10) == 10)
        #expect(try await relay.relayOnce(limit: 10) == 10)
        #expect(try await store.outboxDepth() == written.count - 20)
        try await relay.drain()
        #expect(try await store.pendingNotifications(limit: 10).isEmpty)
        await relay.close()

        let messages = try await messages(
            in: "jump.notifications", bootstrapServers: cluster.bootstrapServers, count: written.count, logger: logger)
        #expect(messages.map { $0.value ?? [] } == written.map(\.item))
        #expect(messages.map { $0.keyText ?? "" } == written.map(\.audience))
    }
}
