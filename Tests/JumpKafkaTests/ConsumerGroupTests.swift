import JumpKafka
import JumpTestSupport
import Synchronization
import Testing

@Suite("Consumer groups and rebalancing")
struct ConsumerGroupTests {
    let cluster: MockCluster
    let topic = uniqueTopic()
    let group = uniqueTopic("group")

    init() throws {
        cluster = try MockCluster(brokerCount: 3, logger: testLogger)
        try cluster.createTopic(topic, partitions: 6)
    }

    @Test("two members share the partitions, and the survivor takes all of them when one leaves")
    func twoMembersShareAndRebalance() async throws {
        let first = PollingMember(
            try KafkaConsumer(
                configuration: consumerConfiguration(cluster, group: group, topics: [topic]), logger: testLogger))
        let firstTask = first.start()
        try await eventually("the first member holds all six partitions") { first.consumer.assignment.count == 6 }

        let second = PollingMember(
            try KafkaConsumer(
                configuration: consumerConfiguration(cluster, group: group, topics: [topic]), logger: testLogger))
        let secondTask = second.start()
        try await eventually("both members hold partitions") {
            let (a, b) = (first.consumer.assignment, second.consumer.assignment)
            return !a.isEmpty && !b.isEmpty && a.count + b.count == 6 && a.isDisjoint(with: b)
        }

        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        try await produce(300, to: topic, via: producer)
        try await eventually("both members together read all 300 messages") { first.count + second.count == 300 }
        #expect(first.count > 0 && second.count > 0)
        let firstPartitions = Set(first.messages.withLock { $0.map(\.topicPartition) })
        let secondPartitions = Set(second.messages.withLock { $0.map(\.topicPartition) })
        #expect(firstPartitions.isDisjoint(with: secondPartitions))

        secondTask.cancel()
        await secondTask.value
        try await second.consumer.close()
        try await eventually("the survivor holds all six partitions again") { first.consumer.assignment.count == 6 }

        try await produce(60, to: topic, prefix: "after", via: producer)
        try await eventually("all 60 new messages reach the survivor") {
            first.messages.withLock { $0.filter { $0.valueText?.hasPrefix("after-") == true }.count } == 60
        }
        firstTask.cancel()
        await firstTask.value
        try await first.consumer.close()
        await producer.close()
    }

    @Test("start offsets supplied by the assign hook are honoured, before and after a rebalance")
    func startOffsetsFromTheHookAreHonoured() async throws {
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        for partition in 0..<6 { try await produce(10, to: topic, partition: Int32(partition), via: producer) }

        // The offsets the hook hands out; the test changes them before the rebalance.
        let startOffsets = Mutex<[Int32: Int64]>([0: 7, 1: 3, 2: 9, 3: 0, 4: 5, 5: 8])
        let hooks = KafkaRebalanceHooks(onAssign: { partitions in
            let offsets = startOffsets.withLock { $0 }
            return Dictionary(uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.exact(offsets[$0.partition]!)) })
        })
        func member() throws -> PollingMember {
            PollingMember(
                try KafkaConsumer(
                    configuration: consumerConfiguration(cluster, group: group, topics: [topic]), hooks: hooks,
                    logger: testLogger))
        }
        let first = try member()
        let firstTask = first.start()
        try await eventually("the first member reads from the hook's offsets") { first.count == 3 + 7 + 1 + 10 + 5 + 2 }
        let firstOffsets = first.messages.withLock { messages in
            Dictionary(grouping: messages, by: \.topicPartition.partition).mapValues { $0.map(\.offset).min()! }
        }
        #expect(firstOffsets == [0: 7, 1: 3, 2: 9, 3: 0, 4: 5, 5: 8])

        startOffsets.withLock { $0 = [0: 2, 1: 4, 2: 6, 3: 8, 4: 1, 5: 9] }
        first.messages.withLock { $0.removeAll() }
        let second = try member()
        let secondTask = second.start()
        try await eventually("the rebalance gives each member partitions, read from the new offsets") {
            let (a, b) = (first.consumer.assignment, second.consumer.assignment)
            guard !a.isEmpty, !b.isEmpty, a.count + b.count == 6 else { return false }
            return first.count + second.count == 8 + 6 + 4 + 2 + 9 + 1
        }
        for member in [first, second] {
            let offsets = member.messages.withLock { messages in
                Dictionary(grouping: messages, by: \.topicPartition.partition).mapValues { $0.map(\.offset).min()! }
            }
            let expected = startOffsets.withLock { all in all.filter { key, _ in offsets.keys.contains(key) } }
            #expect(offsets == expected)
            #expect(Set(offsets.keys) == Set(member.consumer.assignment.map(\.partition)))
        }
        for task in [firstTask, secondTask] {
            task.cancel()
            await task.value
        }
        try await first.consumer.close()
        try await second.consumer.close()
        await producer.close()
    }

    @Test("the revoke hook runs when the consumer closes and leaves the group")
    func revokeHookRunsOnClose() async throws {
        let revoked = Mutex<[KafkaTopicPartition]>([])
        let hooks = KafkaRebalanceHooks(onRevoke: { partitions in
            revoked.withLock { $0.append(contentsOf: partitions) }
        })
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: group, topics: [topic]), hooks: hooks,
            logger: testLogger)
        try await eventually("assignment") {
            _ = try await consumer.poll(timeout: .milliseconds(100))
            return consumer.assignment.count == 6
        }
        try await consumer.close()
        #expect(Set(revoked.withLock { $0 }).count == 6)
        await #expect(throws: KafkaError.self) { try await consumer.poll(timeout: .milliseconds(10)) }
    }

    @Test("an assign hook that throws pauses the partitions and surfaces its error from poll")
    func throwingAssignHookSurfaces() async throws {
        struct StoreUnreadable: Error {}
        let hooks = KafkaRebalanceHooks(onAssign: { _ in throw StoreUnreadable() })
        let producer = try KafkaProducer(
            configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
        try await produce(20, to: topic, via: producer)
        let consumer = try KafkaConsumer(
            configuration: consumerConfiguration(cluster, group: group, topics: [topic]), hooks: hooks,
            logger: testLogger)
        var surfaced: KafkaError?
        var read = 0
        try await eventually("the hook's error") {
            do {
                read += try await consumer.poll(timeout: .milliseconds(100)).count
            } catch let error as KafkaError {
                surfaced = error
            }
            return surfaced != nil
        }
        #expect(surfaced?.message.contains("StoreUnreadable") == true)
        for _ in 0..<5 { read += try await consumer.poll(timeout: .milliseconds(100)).count }
        #expect(read == 0)
        try await consumer.close()
        await producer.close()
    }
}
