import JumpKafka
import Logging

/// The one way a `jump-consumer` process makes its producers: the dead-letter sender, the outbox relay, the digest
/// topic and a redelivery each get their own (so one's flush never waits on another's blocked messages), all set
/// up alike: idempotent with acks from all replicas (JumpKafka's defaults), the `-X` properties the process was
/// given minus the consumer-only ones (librdkafka warns about those on a producer).
enum ServiceProducer {
    /// A producer for `brokers`; `maximumMessageBytes` raises librdkafka's `message.max.bytes` (dead letters carry
    /// whatever the source topic accepted).
    static func make(
        brokers: [String], overrides: [String: String], maximumMessageBytes: Int? = nil, logger: Logger
    ) throws -> KafkaProducer {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        configuration.overrides = overrides.filter { !KafkaProperties.isConsumerOnly($0.key) }
        if let maximumMessageBytes { configuration.overrides["message.max.bytes"] = String(maximumMessageBytes) }
        return try KafkaProducer(configuration: configuration, logger: logger)
    }
}
