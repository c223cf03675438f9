import Foundation
import JumpKafka
import JumpTestSupport
import Logging
import Synchronization
import Testing

/// A quiet logger for tests: warnings and worse only.
let testLogger: Logger = {
    var logger = Logger(label: "jump-kafka-tests")
    logger.logLevel = .warning
    return logger
}()

/// A consumer configuration for tests: quick sessions, so a departed member is noticed fast.
func consumerConfiguration(
    _ cluster: MockCluster, group: String, topics: [String]
) -> KafkaConsumerConfiguration {
    var configuration = KafkaConsumerConfiguration(
        bootstrapServers: [cluster.bootstrapServers], groupID: group, topics: topics)
    configuration.sessionTimeout = .seconds(6)
    configuration.heartbeatInterval = .milliseconds(500)
    return configuration
}

/// A producer configuration for tests with jump-relay's defaults.
func producerConfiguration(_ bootstrapServers: String) -> KafkaProducerConfiguration {
    KafkaProducerConfiguration(bootstrapServers: [bootstrapServers])
}

/// A producer for the mock cluster with jump-relay's defaults.
func makeProducer(_ cluster: MockCluster) throws -> KafkaProducer {
    try KafkaProducer(configuration: producerConfiguration(cluster.bootstrapServers), logger: testLogger)
}

/// Produces `count` text messages `prefix-0`, `prefix-1`, ... to one partition (or by key) and waits for all.
func produce(
    _ count: Int, to topic: String, partition: Int32? = nil, prefix: String = "m", via producer: KafkaProducer
) async throws {
    let failures = Mutex<[KafkaError]>([])
    for index in 0..<count {
        let message = KafkaProducerMessage(
            topic: topic, partition: partition, key: "key-\(index)", value: "\(prefix)-\(index)")
        try await producer.enqueue(message) { result in
            if case .failure(let error) = result { failures.withLock { $0.append(error) } }
        }
    }
    try await producer.flush(timeout: .seconds(30))
    let failed = failures.withLock { $0 }
    #expect(failed.isEmpty, "delivery failures: \(failed)")
}

/// A consumer polled in the background, recording what it reads.
final class PollingMember: Sendable {
    let consumer: KafkaConsumer
    let messages = Mutex<[KafkaConsumerMessage]>([])
    let errors = Mutex<[any Error]>([])

    init(_ consumer: KafkaConsumer) { self.consumer = consumer }

    /// Polls until the task is cancelled.
    func run() async {
        while !Task.isCancelled {
            do {
                for case .message(let message) in try await consumer.poll(timeout: .milliseconds(100)) {
                    messages.withLock { $0.append(message) }
                }
            } catch {
                errors.withLock { $0.append(error) }
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
    }

    /// Starts ``run()`` in a task and returns it.
    func start() -> Task<Void, Never> { Task { await self.run() } }

    var count: Int { messages.withLock { $0.count } }
}

/// Reads from `consumer` until `count` messages have arrived.
func consume(
    _ count: Int, from consumer: KafkaConsumer, timeout: Duration = .seconds(30)
) async throws
    -> [KafkaConsumerMessage]
{
    var messages: [KafkaConsumerMessage] = []
    try await eventually("\(count) messages", timeout: timeout) {
        for case .message(let message) in try await consumer.poll(timeout: .milliseconds(100)) {
            messages.append(message)
        }
        return messages.count >= count
    }
    return messages
}

/// A value behind a lock that closures and objects can share.
final class Shared<Value: Sendable>: Sendable {
    let value: Mutex<Value>
    init(_ initial: Value) { value = Mutex(initial) }
}
