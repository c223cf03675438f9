import Foundation
import GRDB
import JumpKafka
import JumpState
import JumpTestSupport
import JumpWorker
import Logging
import Synchronization
import Testing

/// Transient failures pause the worker and are retried without skipping anything.
@Suite("StateWorker under transient failures")
struct TransientFailureTests {
    let cluster: MockCluster
    let directory: URL
    let logger: Logger = {
        var logger = Logger(label: "worker-tests")
        logger.logLevel = .error
        return logger
    }()

    init() throws {
        cluster = try MockCluster(brokerCount: 3, logger: Logger(label: "mock"))
        try cluster.createTopic("jump.events", partitions: 1)
        try cluster.createTopic("jump.events.dlq", partitions: 1)
        try cluster.setPartitionLeader(topic: "jump.events", partition: 0, brokerID: 1)
        try cluster.setPartitionLeader(topic: "jump.events.dlq", partition: 0, brokerID: 3)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("worker"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let jobs =
        #"{"specversion":"1.0","id":"j-YEAR","source":"t","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","data":{"scope":"x","period":{"year":YEAR},"jobsSupported":1,"source":"s"}}"#

    func produce(_ values: [String]) async throws {
        let producer = try KafkaProducer(
            configuration: KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers]), logger: logger)
        for value in values {
            _ = try await producer.send(KafkaProducerMessage(topic: "jump.events", key: "jobs.x", value: value))
        }
        await producer.close()
    }

    func configuration() -> StateWorkerConfiguration {
        var configuration = StateWorkerConfiguration(brokers: [cluster.bootstrapServers])
        configuration.untilIdle = true
        configuration.overrides = [
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "message.timeout.ms": "1000",
        ]
        return configuration
    }

    @Test("the dead-letter broker away: the worker retries the dead letter until it is acknowledged, then goes on")
    func deadLetterBrokerAway() async throws {
        try await produce([
            Self.jobs.replacing("YEAR", with: "2021"), "{broken", Self.jobs.replacing("YEAR", with: "2022"),
        ])
        try cluster.setBrokerDown(3)
        let store = try StateStore(path: directory.appendingPathComponent("state.sqlite").path)
        let worker = try StateWorker(configuration: configuration(), store: store, logger: logger)
        let run = Task { try await worker.run() }
        // The worker says it is held by its dead letter (what /readyz shows): an attempt timed out and it retries.
        try await eventually("the worker reports the unacknowledged dead letter", timeout: .seconds(30)) {
            worker.status().problem?.contains("cannot be written to jump.events.dlq") == true
        }
        // And while it is held, nothing at or after the broken message (offset 1) is applied.
        let waiting = try await store.summary()
        #expect(waiting.eventsApplied <= 1)
        #expect((waiting.partitions.first?.nextOffset ?? 0) <= 1, "the batch waits for its dead letter")
        #expect(worker.status().problem != nil, "still held after reading the store")
        try cluster.setBrokerUp(3)
        #expect(try await run.value == .idle)
        #expect(worker.status().problem == nil, "the problem clears once the dead letter is acknowledged")
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 2)
        #expect(summary.deadLettered == 1)
        #expect(summary.partitions.map(\.nextOffset) == [3])

        let consumer = try KafkaConsumer(
            configuration: KafkaConsumerConfiguration(
                bootstrapServers: [cluster.bootstrapServers], groupID: uniqueTopic("dlq"), topics: ["jump.events.dlq"]),
            logger: logger)
        var dead: [KafkaConsumerMessage] = []
        try await eventually("the dead letter") {
            for case .message(let message) in try await consumer.poll(timeout: .milliseconds(100)) {
                dead.append(message)
            }
            return !dead.isEmpty
        }
        #expect(dead.allSatisfy { $0.valueText == "{broken" && $0.header("jump.original.offset")?.text == "1" })
        try await consumer.close()
    }

    @Test(
        "the store locked by another writer: the worker reports the lock, waits, and applies everything once it is released"
    )
    func databaseBusy() async throws {
        try await produce((2000..<2010).map { Self.jobs.replacing("YEAR", with: "\($0)") })
        let path = directory.appendingPathComponent("state.sqlite").path
        let store = try StateStore(path: path)
        let locker = try DatabaseQueue(path: path)
        let locked = Mutex(false)
        let release = DispatchSemaphore(value: 0)
        // The lock is held on GRDB's own queue until the worker has been refused it (its 10 s busy timeout ran out
        // and it says so), however long joining the group took: the test reaches the busy path every time.
        let holder = Task {
            try await locker.write { db in
                try db.execute(sql: "INSERT INTO partition_stats (partition) VALUES (99)")
                locked.withLock { $0 = true }
                release.wait()
            }
        }
        try await eventually("the lock is held") { locked.withLock { $0 } }
        let worker = try StateWorker(configuration: configuration(), store: store, logger: logger)
        let running = Task { try await worker.run() }
        try await eventually("the worker reports the locked store", timeout: .seconds(90)) {
            worker.status().problem?.contains("database is locked") == true
        }
        #expect(try await store.summary().eventsApplied == 0)
        release.signal()
        try await holder.value
        #expect(try await running.value == .idle)
        #expect(worker.status().problem == nil)
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 10)
        #expect(summary.jobs.count == 10)
        #expect(summary.partitions.map(\.nextOffset) == [10])
    }
}
