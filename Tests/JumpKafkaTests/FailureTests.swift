import JumpKafka
import JumpTestSupport
import Synchronization
import Testing

@testable import JumpKafka

@Suite("Broker failures and typed errors")
struct FailureTests {
    let cluster: MockCluster
    let topic = uniqueTopic()

    init() throws {
        cluster = try MockCluster(brokerCount: 3, logger: testLogger)
        try cluster.createTopic(topic, partitions: 3)
    }

    @Test("a broker down for seconds and back, and a leader move: nothing lost or duplicated")
    func brokerDownAndBack() async throws {
        let producer = try makeProducer(cluster)
        let failures = Mutex<[KafkaError]>([])
        let delivered = Atomic<Int>(0)
        let total = 3_000
        for index in 0..<total {
            if index == 1_000 { try cluster.setBrokerDown(1) }
            if index == 1_500 { try cluster.setPartitionLeader(topic: topic, partition: 0, brokerID: 3) }
            if index == 2_000 { try cluster.setBrokerUp(1) }
            if index % 100 == 0 { try await Task.sleep(for: .milliseconds(30)) }
            let message = KafkaProducerMessage(topic: topic, key: "series-\(index % 11)", value: "\(index)")
            try await producer.enqueue(message) { result in
                switch result {
                case .success: delivered.add(1, ordering: .relaxed)
                case .failure(let error): failures.withLock { $0.append(error) }
                }
            }
        }
        try await producer.flush(timeout: .seconds(60))
        #expect(failures.withLock { $0.isEmpty })
        #expect(delivered.load(ordering: .relaxed) == total)

        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: uniqueTopic("group"), topics: [topic]),
            logger: testLogger)
        let messages = try await consume(total, from: consumer, timeout: .seconds(60))
        let values = messages.compactMap { $0.valueText.flatMap(Int.init) }
        #expect(values.count == total)
        #expect(Set(values) == Set(0..<total))
        for (_, partitionMessages) in Dictionary(grouping: messages, by: \.topicPartition) {
            let sequence = partitionMessages.compactMap { $0.valueText.flatMap(Int.init) }
            #expect(sequence == sequence.sorted(), "order kept within a partition")
        }
        try await consumer.close()
        await producer.close()
    }

    @Test("retriable broker errors are retried by the producer until the message is stored")
    func retriableErrorsAreRetried() async throws {
        let producer = try makeProducer(cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: "k", value: "warm-up"))
        cluster.injectRequestErrors(.produce, [.notEnoughReplicas, .notLeaderForPartition, .requestTimedOut])
        let report = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: "k", value: "v"))
        #expect(report.offset == 1)
        await producer.close()
    }

    @Test("a permanent broker error fails the delivery with a typed, non-retriable error")
    func permanentBrokerErrorIsTyped() async throws {
        let producer = try makeProducer(cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: "k", value: "warm-up"))
        cluster.injectRequestErrors(.produce, [.topicAuthorizationFailed])
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: topic, partition: 0, key: "k", value: "v"))
        }
        #expect(error?.kind == .delivery)
        #expect(error?.code == .topicAuthorizationFailed)
        #expect(error?.isRetriable == false)
        #expect(error?.isFatal == false)
        #expect(error?.message.contains("\(topic)[0]") == true)
        await producer.close()
    }

    @Test("a message that cannot be delivered in time fails with a retriable error")
    func timeoutIsRetriable() async throws {
        var configuration = producerConfiguration(cluster.bootstrapServers)
        configuration.messageTimeout = .seconds(1)
        let producer = try KafkaProducer(configuration: configuration, logger: testLogger)
        for broker in 1...3 { try cluster.setBrokerDown(Int32(broker)) }
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "v"))
        }
        #expect(error?.kind == .delivery)
        #expect(error?.code == .messageTimedOut)
        #expect(error?.isRetriable == true)
        await producer.close()
    }

    @Test("a fatal error makes every later send fail with a fatal, typed error")
    func fatalErrorIsTyped() async throws {
        let producer = try makeProducer(cluster)
        _ = try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "before"))
        producer.simulateFatalError(.outOfOrderSequenceNumber, reason: "test: producer fenced")
        let error = await #expect(throws: KafkaError.self) {
            try await producer.send(KafkaProducerMessage(topic: topic, key: "k", value: "after"))
        }
        #expect(error?.isFatal == true)
        #expect(error?.isRetriable == false)
        await producer.close()
    }

    @Test("a position outside the log is a typed error naming the partition")
    func offsetOutOfRangeIsTyped() async throws {
        let producer = try makeProducer(cluster)
        try await produce(5, to: topic, partition: 2, via: producer)
        var configuration = consumerConfiguration(cluster, group: uniqueTopic("group"), topics: [topic])
        configuration.offsetReset = .error
        let hooks = KafkaRebalanceHooks(onAssign: { partitions in
            Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.exact($0.partition == 2 ? 1_000 : 0)) })
        })
        let consumer = try KafkaConsumer(configuration: configuration, hooks: hooks, logger: testLogger)
        var surfaced: KafkaError?
        try await eventually("an offset-out-of-range error") {
            do {
                _ = try await consumer.poll(timeout: .milliseconds(100))
            } catch let error as KafkaError {
                surfaced = error
            }
            return surfaced != nil
        }
        #expect(surfaced?.kind == .offsetOutOfRange)
        #expect(surfaced?.message.contains("\(topic)[2]") == true)
        let marks = try await consumer.watermarks(for: KafkaTopicPartition(topic: topic, partition: 2))
        #expect(marks.low == 0 && marks.high == 5)
        try await consumer.close()
        await producer.close()
    }
}
