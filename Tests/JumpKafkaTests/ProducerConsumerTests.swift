import JumpKafka
import JumpTestSupport
import Synchronization
import Testing

@Suite("Producing and consuming through the mock cluster")
struct ProducerConsumerTests {
    let cluster: MockCluster
    let topic = uniqueTopic()

    init() throws {
        cluster = try MockCluster(brokerCount: 3, logger: testLogger)
        try cluster.createTopic(topic, partitions: 4)
    }

    @Test("a message keeps its key, value and headers (null, empty and binary values) end to end")
    func roundTripKeepsKeysAndHeaders() async throws {
        let producer = try makeProducer(cluster)
        let headers = [
            KafkaHeader(name: "jump.kind", text: "test"), KafkaHeader(name: "empty", value: []),
            KafkaHeader(name: "null", value: nil), KafkaHeader(name: "binary", value: [0, 255, 10, 13]),
            KafkaHeader(name: "jump.kind", text: "repeated"),
        ]
        let sent = KafkaProducerMessage(
            topic: topic, key: Array("empresa-42".utf8), value: Array("{\"hola\":\"Utah\"}".utf8), headers: headers)
        let report = try await producer.send(sent)
        #expect(report.topicPartition.topic == topic)
        #expect(report.offset == 0)
        await producer.close()

        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: uniqueTopic("group"), topics: [topic]),
            logger: testLogger)
        let received = try #require(try await consume(1, from: consumer).first)
        #expect(received.keyText == "empresa-42")
        #expect(received.valueText == "{\"hola\":\"Utah\"}")
        #expect(received.headers == headers)
        #expect(received.topicPartition == report.topicPartition)
        #expect(received.offset == report.offset)
        #expect(received.timestampMilliseconds != nil)
        try await consumer.close()
    }

    @Test("every enqueued message gets exactly one delivery report, with contiguous offsets per partition")
    func everyMessageGetsADeliveryReport() async throws {
        let producer = try makeProducer(cluster)
        let reports = Mutex<[Int: [KafkaDeliveryReport]]>([:])
        let count = 2_000
        for index in 0..<count {
            let message = KafkaProducerMessage(topic: topic, key: "k\(index % 37)", value: "v\(index)")
            try await producer.enqueue(message) { result in
                reports.withLock { $0[index, default: []].append(try! result.get()) }
            }
        }
        try await producer.flush(timeout: .seconds(30))
        let all = reports.withLock { $0 }
        #expect(all.count == count)
        #expect(all.values.allSatisfy { $0.count == 1 })
        let byPartition = Dictionary(grouping: all.values.map { $0[0] }, by: \.topicPartition)
        for (partition, partitionReports) in byPartition {
            #expect(partitionReports.map(\.offset).sorted() == Array(0..<Int64(partitionReports.count)), "\(partition)")
        }
        #expect(await producer.close() == 0)
    }

    @Test("a paused partition delivers nothing until resumed, and seek re-reads from the given offset")
    func pauseResumeAndSeek() async throws {
        let producer = try makeProducer(cluster)
        try await produce(5, to: topic, partition: 0, via: producer)
        let partition0 = KafkaTopicPartition(topic: topic, partition: 0)
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: uniqueTopic("group"), topics: [topic]),
            logger: testLogger)
        let first = try await consume(5, from: consumer)
        #expect(first.map(\.offset) == [0, 1, 2, 3, 4])

        try await consumer.pause([partition0])
        try await produce(3, to: topic, partition: 0, prefix: "late", via: producer)
        var whilePaused: [KafkaConsumerMessage] = []
        for _ in 0..<10 {
            for case .message(let message) in try await consumer.poll(timeout: .milliseconds(100)) {
                whilePaused.append(message)
            }
        }
        #expect(whilePaused.isEmpty)

        try await consumer.resume([partition0])
        let afterResume = try await consume(3, from: consumer)
        #expect(afterResume.map(\.valueText) == ["late-0", "late-1", "late-2"])

        try await consumer.seek([partition0: .exact(2)])
        let afterSeek = try await consume(6, from: consumer)
        #expect(afterSeek.map(\.offset) == [2, 3, 4, 5, 6, 7])
        #expect(consumer.assignment.contains(partition0))
        await producer.close()
        try await consumer.close()
    }

    @Test("reaching the end of every partition is reported, and cleared by a new message")
    func endOfPartitionAwareness() async throws {
        let producer = try makeProducer(cluster)
        try await produce(3, to: topic, partition: 1, via: producer)
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: uniqueTopic("group"), topics: [topic]),
            logger: testLogger)
        var ends: [KafkaTopicPartition: Int64] = [:]
        try await eventually("all four partitions at their end") {
            for case .endOfPartition(let partition, let next) in try await consumer.poll(timeout: .milliseconds(100)) {
                ends[partition] = next
            }
            return ends.count == 4
        }
        #expect(ends[KafkaTopicPartition(topic: topic, partition: 1)] == 3)
        #expect(consumer.partitionsAtEnd.count == 4)
        try await produce(1, to: topic, partition: 1, prefix: "new", via: producer)
        let partition1 = KafkaTopicPartition(topic: topic, partition: 1)
        var event: KafkaConsumerEvent?
        try await eventually("the new message") {
            event = try await consumer.poll(maxEvents: 1, timeout: .milliseconds(100)).first
            return event != nil
        }
        guard case .message(let message) = event else {
            Issue.record("expected a message, got \(String(describing: event))"); return
        }
        #expect(message.valueText == "new-0")
        #expect(!consumer.partitionsAtEnd.contains(partition1))
        var newEnd: Int64?
        try await eventually("the partition's new end") {
            for case .endOfPartition(partition1, let next) in try await consumer.poll(timeout: .milliseconds(100)) {
                newEnd = next
            }
            return newEnd != nil
        }
        #expect(newEnd == 4)
        #expect(consumer.partitionsAtEnd.contains(partition1))
        await producer.close()
        try await consumer.close()
    }

    @Test("closing the producer reports what it could not deliver, and later sends are refused")
    func closeReportsUndelivered() async throws {
        var configuration = producerConfiguration(cluster.bootstrapServers)
        configuration.messageTimeout = .seconds(60)
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "a", value: "warm-up"))
        for broker in 1...3 { try cluster.setBrokerDown(Int32(broker)) }
        let failures = Mutex<[KafkaError]>([])
        for index in 0..<10 {
            try await producer.enqueue(KafkaProducerMessage(topic: topic, key: "k", value: "\(index)")) { result in
                if case .failure(let error) = result { failures.withLock { $0.append(error) } }
            }
        }
        let undelivered = await producer.close(timeout: .milliseconds(500))
        #expect(undelivered == 10)
        #expect(failures.withLock { $0.count } == 10)
        #expect(failures.withLock { $0.allSatisfy { $0.kind == .delivery } })
        await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "after close"))
        }
    }
}
