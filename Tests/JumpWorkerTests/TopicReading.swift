import JumpKafka
import Logging

/// The messages of one partition of `topic` from its beginning, read until `count` arrived or about 20 s passed.
func messages(
    in topic: String, partition: Int32 = 0, bootstrapServers: String, count: Int, logger: Logger
) async throws -> [KafkaConsumerMessage] {
    var configuration = KafkaConsumerConfiguration(
        bootstrapServers: [bootstrapServers], groupID: "read", topics: [topic])
    configuration.offsetReset = .earliest
    let reader = try KafkaConsumer.reader(configuration: configuration, logger: logger)
    try await reader.read([KafkaTopicPartition(topic: topic, partition: partition): .beginning])
    var messages: [KafkaConsumerMessage] = []
    for _ in 0..<100 where messages.count < count {
        for case .message(let message) in try await reader.poll(maxEvents: 100, timeout: .milliseconds(200)) {
            messages.append(message)
        }
    }
    try await reader.close()
    return messages
}
