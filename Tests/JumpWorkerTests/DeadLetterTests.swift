import Foundation
import JumpEvents
import JumpKafka
import JumpState
import JumpTestSupport
import JumpWorker
import Logging
import Testing

/// Poison messages never stop the worker: every dead letter is written (the original bytes, or a bounded record
/// where the broker refuses their size), a dead-letter topic that cannot be written is a visible, retrying
/// state, and a batch's dead letters are in flight together.
@Suite("Dead letters of every size and failure")
struct DeadLetterTests {
    let cluster: MockCluster
    let directory: URL
    let logger: Logger = {
        var logger = Logger(label: "dead-letter-tests")
        logger.logLevel = .critical
        return logger
    }()

    init() throws {
        cluster = try MockCluster(brokerCount: 1, logger: Logger(label: "mock"))
        try cluster.createTopic("jump.events", partitions: 1)
        try cluster.createTopic("jump.events.dlq", partitions: 1)
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("dead-letters"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static func jobs(_ year: Int) -> [UInt8] {
        Array(
            #"{"specversion":"1.0","id":"j-\#(year)","source":"t","type":"jump.jobs.reported","subject":"jobs.x","time":"2025-01-01T00:00:00Z","data":{"scope":"x","period":{"year":\#(year)},"jobsSupported":1,"source":"s"}}"#
                .utf8)
    }

    /// Produces `values` as a plain client would (`compression`, a raised `message.max.bytes` for large ones).
    func produce(_ values: [[UInt8]], compression: KafkaProducerConfiguration.Compression = .none) async throws {
        var configuration = KafkaProducerConfiguration(bootstrapServers: [cluster.bootstrapServers])
        configuration.compression = compression
        configuration.overrides = ["message.max.bytes": "10000000"]
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        for value in values {
            _ = try await producer.send(
                KafkaProducerMessage(topic: "jump.events", key: Array("jobs.x".utf8), value: value, headers: []))
        }
        await producer.close()
    }

    func worker(_ adjust: (inout StateWorkerConfiguration) -> Void = { _ in }) throws -> (StateWorker, StateStore) {
        var configuration = StateWorkerConfiguration(brokers: [cluster.bootstrapServers])
        configuration.untilIdle = true
        configuration.overrides = [
            "session.timeout.ms": "6000", "heartbeat.interval.ms": "500", "message.timeout.ms": "3000",
        ]
        adjust(&configuration)
        let store = try StateStore(path: directory.appendingPathComponent(uniqueTopic("state") + ".sqlite").path)
        return (try StateWorker(configuration: configuration, store: store, logger: logger), store)
    }

    func deadLetters(count: Int) async throws -> [KafkaConsumerMessage] {
        let reader = DeadLetters(
            brokers: [cluster.bootstrapServers], overrides: [:], topic: "jump.events.dlq", logger: logger)
        var letters: [KafkaConsumerMessage] = []
        try await eventually("\(count) dead letters") {
            letters = try await reader.readAll(timeout: .seconds(20)).map(\.message)
            return letters.count >= count
        }
        return letters
    }

    @Test(
        "a 999,900-byte message and a gzip message that decompresses to 3 MB reach the DLQ byte for byte; the events behind them are applied",
        .timeLimit(.minutes(2)))
    func largePoisonMessages() async throws {
        let large = Array(repeating: UInt8(ascii: "x"), count: 999_900)
        let bomb = [UInt8(ascii: "[")] + Array(repeating: UInt8(ascii: " "), count: 3_000_000) + [UInt8(ascii: "]")]
        try await produce([Self.jobs(2020), large, Self.jobs(2021)])
        try await produce([bomb, Self.jobs(2022)], compression: .gzip)
        let (worker, store) = try worker()
        #expect(try await worker.run() == .idle)
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 3)
        #expect(summary.deadLettered == 2)
        #expect(summary.partitions.map(\.nextOffset) == [5])
        let letters = try await deadLetters(count: 2)
        #expect(letters.map { $0.value?.count } == [large.count, bomb.count])
        #expect(letters.first?.value == large && letters.last?.value == bomb, "the original bytes, unchanged")
        #expect(letters.map { $0.header("jump.original.offset")?.text } == ["1", "3"])
    }

    @Test(
        "a dead letter the broker refuses for its size becomes a bounded record whose payload dlq redeliver fetches",
        .timeLimit(.minutes(2)))
    func boundedRecordWhenTheBrokerRefuses() async throws {
        let garbage = Array("{\"not\": \"an event\", \"pad\": \"\(String(repeating: "z", count: 50_000))\"}".utf8)
        try await produce([garbage, Self.jobs(2023)])
        cluster.injectRequestErrors(.produce, [.messageSizeTooLarge])
        let (worker, store) = try worker()
        #expect(try await worker.run() == .idle)
        await #expect(try store.summary().eventsApplied == 1)
        let letters = try await deadLetters(count: 1)
        let record = try #require(letters.first)
        #expect(record.header("jump.payload")?.text == "omitted")
        #expect(record.header("jump.payload.size")?.text == String(garbage.count))
        let digest = SHA256.hash(garbage).map { String(format: "%02x", $0) }.joined()
        #expect(record.header("jump.payload.sha256")?.text == digest)
        #expect(record.header("jump.error")?.text != nil && record.header("jump.original.offset")?.text == "0")
        let body = try #require(record.valueText)
        #expect(body.contains(digest) && body.contains("\"size\":\(garbage.count)") && body.count < 4_096)

        let reader = DeadLetters(
            brokers: [cluster.bootstrapServers], overrides: [:], topic: "jump.events.dlq", logger: logger)
        let letter = try #require(try await reader.readAll().first)
        #expect(letter.isBounded)
        #expect(try await reader.originalPayload(of: letter).value == garbage)
        try cluster.createTopic("jump.redelivered", partitions: 1)
        let results = try await reader.redeliver([letter], to: "jump.redelivered", force: true)
        #expect(results.count == 1)
        #expect((try? results[0].get())?.topicPartition.topic == "jump.redelivered")
        let refused = try await reader.redeliver([letter], to: "jump.redelivered", force: false)
        #expect(refused.count == 1 && (try? refused[0].get()) == nil, "still invalid without --force")
    }

    @Test("a dead letter over the producer's own limit becomes a bounded record too", .timeLimit(.minutes(2)))
    func boundedRecordOverTheProducerLimit() async throws {
        let garbage = Array(repeating: UInt8(ascii: "!"), count: 40_000)
        try await produce([garbage, Self.jobs(2024)])
        let (worker, store) = try worker { $0.deadLetterMaxBytes = 10_000 }
        #expect(try await worker.run() == .idle)
        await #expect(try store.summary().eventsApplied == 1)
        let letters = try await deadLetters(count: 1)
        #expect(letters.first?.header("jump.payload")?.text == "omitted")
        #expect(letters.first?.header("jump.payload.size")?.text == "40000")
    }

    @Test(
        "a dead-letter topic that refuses writes holds the batch in a visible, retrying state; the worker goes on once it can",
        .timeLimit(.minutes(2)))
    func deadLetterTopicRefusing() async throws {
        try await produce([Self.jobs(2019), Array("{broken".utf8), Self.jobs(2025)])
        cluster.injectRequestErrors(.produce, Array(repeating: .topicAuthorizationFailed, count: 4))
        let (worker, store) = try worker()
        let run = Task { try await worker.run() }
        var problem: String?
        try await eventually("the worker reports why it waits") {
            problem = worker.status().problem
            return problem != nil
        }
        #expect(problem?.contains("jump.events.dlq") == true)
        #expect(problem?.contains("TOPIC_AUTHORIZATION_FAILED") == true, "\(problem ?? "")")
        #expect(try await run.value == .idle)
        #expect(worker.status().problem == nil)
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 2 && summary.deadLettered == 1)
        #expect(try await deadLetters(count: 1).first?.valueText == "{broken")
    }

    @Test("a batch of 3,000 garbage messages is dead-lettered in flight together, in order", .timeLimit(.minutes(2)))
    func manyDeadLettersTogether() async throws {
        try await produce((0..<3_000).map { Array("garbage \($0)".utf8) } + [Self.jobs(2026)])
        let (worker, store) = try worker { $0.batchSize = 5_000 }
        #expect(try await worker.run() == .idle)
        let summary = try await store.summary()
        #expect(summary.deadLettered == 3_000 && summary.eventsApplied == 1)
        let letters = try await deadLetters(count: 3_000)
        #expect(letters.map(\.valueText) == (0..<3_000).map { "garbage \($0)" })
    }
}
