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
        // The rebalance waits for the first member's next poll: under the full parallel test run, with both cores
        // busy, that has taken over 30 s (twice in three sessions), so this waits longer; alone it takes 3 to 6 s.
        try await eventually("both members hold partitions", timeout: .seconds(120)) {
            let (a, b) = (first.consumer.assignment, second.consumer.assignment)
            return !a.isEmpty && !b.isEmpty && a.count + b.count == 6 && a.isDisjoint(with: b)
        }

        let producer = try makeProducer(cluster)
        try await produce(300, to: topic, via: producer)
        // Distinct values: a spurious extra rebalance under load may re-deliver (nothing is committed here).
        func distinct(_ members: PollingMember...) -> Set<String> {
            Set(members.flatMap { member in member.messages.withLock { $0.compactMap(\.valueText) } })
        }
        try await eventually("both members together read all 300 messages") { distinct(first, second).count == 300 }
        #expect(first.count > 0 && second.count > 0)
        let firstPartitions = Set(first.messages.withLock { $0.map(\.topicPartition) })
        let secondPartitions = Set(second.messages.withLock { $0.map(\.topicPartition) })
        #expect(firstPartitions.isDisjoint(with: secondPartitions))

        secondTask.cancel()
        await secondTask.value
        try await second.consumer.close()
        try await eventually("the survivor holds all six partitions again", timeout: .seconds(120)) {
            first.consumer.assignment.count == 6
        }

        try await produce(60, to: topic, prefix: "after", via: producer)
        try await eventually("all 60 new messages reach the survivor") {
            distinct(first).filter { $0.hasPrefix("after-") }.count == 60
        }
        firstTask.cancel()
        await firstTask.value
        try await first.consumer.close()
        await producer.close()
    }

    /// A member that remembers, per partition, the offsets it read since that partition was last assigned to it.
    final class TrackingMember: Sendable {
        let log = Shared<[Int32: [Int64]]>([:])
        let consumer: KafkaConsumer

        init(cluster: MockCluster, group: String, topic: String, startOffsets: Shared<[Int32: Int64]>) throws {
            let log = self.log
            let hooks = KafkaRebalanceHooks(onAssign: { partitions in
                // Runs inside poll, before that poll returns any message of the new assignment.
                log.value.withLock { state in partitions.forEach { state[$0.partition] = [] } }
                let offsets = startOffsets.value.withLock { $0 }
                return Dictionary(
                    uniqueKeysWithValues: partitions.map { ($0, KafkaOffset.exact(offsets[$0.partition]!)) })
            })
            consumer = try KafkaConsumer(
                configuration: consumerConfiguration(cluster, group: group, topics: [topic]), hooks: hooks,
                logger: testLogger)
        }

        func run() async {
            while !Task.isCancelled {
                guard let events = try? await consumer.poll(timeout: .milliseconds(100)) else { continue }
                for case .message(let message) in events {
                    log.value.withLock {
                        $0[message.topicPartition.partition, default: []].append(message.offset)
                    }
                }
            }
        }

        /// Whether every partition it holds was read from `offsets` to the end (10 messages each).
        func hasReadAssigned(from offsets: [Int32: Int64]) -> Bool {
            let assigned = consumer.assignment.map(\.partition)
            let read = log.value.withLock { $0 }
            return !assigned.isEmpty && assigned.allSatisfy { read[$0] == Array(offsets[$0]!..<10) }
        }
    }

    @Test("start offsets supplied by the assign hook are honoured, before and after a rebalance")
    func startOffsetsFromTheHookAreHonoured() async throws {
        let producer = try makeProducer(cluster)
        for partition in 0..<6 { try await produce(10, to: topic, partition: Int32(partition), via: producer) }
        await producer.close()

        // The offsets the hooks hand out; the test changes them before the rebalance.
        let startOffsets = Shared<[Int32: Int64]>([0: 7, 1: 3, 2: 9, 3: 0, 4: 5, 5: 8])
        let first = try TrackingMember(cluster: cluster, group: group, topic: topic, startOffsets: startOffsets)
        let firstTask = Task { await first.run() }
        try await eventually("the first member reads all six partitions from the hook's offsets") {
            first.consumer.assignment.count == 6 && first.hasReadAssigned(from: startOffsets.value.withLock { $0 })
        }

        let changed: [Int32: Int64] = [0: 2, 1: 4, 2: 6, 3: 8, 4: 1, 5: 9]
        startOffsets.value.withLock { $0 = changed }
        let second = try TrackingMember(cluster: cluster, group: group, topic: topic, startOffsets: startOffsets)
        let secondTask = Task { await second.run() }
        do {
            try await eventually("after the rebalance, each member reads what it holds from the new offsets") {
                let (a, b) = (first.consumer.assignment, second.consumer.assignment)
                return a.count + b.count == 6 && a.isDisjoint(with: b) && first.hasReadAssigned(from: changed)
                    && second.hasReadAssigned(from: changed)
            }
        } catch {
            // What each member holds and read since its partitions were last assigned: an offset below the new
            // start would be a message fetched before the revocation and delivered after the hook.
            for (name, member) in [("first", first), ("second", second)] {
                Issue.record(
                    "\(name) holds \(member.consumer.assignment.map(\.partition).sorted()), read \(member.log.value.withLock { $0 })"
                )
            }
            throw error
        }
        for task in [firstTask, secondTask] {
            task.cancel()
            await task.value
        }
        try await first.consumer.close()
        try await second.consumer.close()
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
        let producer = try makeProducer(cluster)
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
