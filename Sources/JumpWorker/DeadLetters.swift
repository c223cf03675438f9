import Foundation
import JumpEvents
import JumpKafka
import Logging

/// A message in the dead-letter topic, with the reason the worker gave.
public struct DeadLetter: Sendable {
    /// The message as stored in the dead-letter topic.
    public var message: KafkaConsumerMessage
    /// `jump.error`: the kind of rejection.
    public var error: String { message.header("jump.error")?.text ?? "" }
    /// `jump.error.detail`: the reason with its JSON pointer.
    public var detail: String { message.header("jump.error.detail")?.text ?? "" }
    /// Where it came from: `topic[partition]@offset`.
    public var origin: String {
        let topic = message.header("jump.original.topic")?.text ?? "?"
        let partition = message.header("jump.original.partition")?.text ?? "?"
        let offset = message.header("jump.original.offset")?.text ?? "?"
        return "\(topic)[\(partition)]@\(offset)"
    }
    /// The topic it was consumed from.
    public var originalTopic: String? { message.header("jump.original.topic")?.text }
}

/// Reads and redelivers the dead-letter topic (`jump-consumer dlq list`, `dlq redeliver`).
public struct DeadLetters: Sendable {
    /// Kafka's bootstrap servers.
    public var brokers: [String]
    /// librdkafka properties.
    public var overrides: [String: String]
    /// The dead-letter topic.
    public var topic: String
    private let logger: Logger

    /// Access to `topic` on `brokers`.
    public init(brokers: [String], overrides: [String: String], topic: String, logger: Logger) {
        self.brokers = brokers
        self.overrides = overrides
        self.topic = topic
        self.logger = logger
    }

    /// Every message the topic holds now, in partition and offset order (a throwaway group reads it from the
    /// beginning to the end of every partition; nothing is committed).
    public func readAll(timeout: Duration = .seconds(60)) async throws -> [DeadLetter] {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers, groupID: "jump-dlq-reader-\(UUID().uuidString)", topics: [topic])
        configuration.offsetReset = .earliest
        configuration.overrides = overrides.filter { !$0.key.hasPrefix("group.") }
        let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
        var letters: [DeadLetter] = []
        let deadline = ContinuousClock.now + timeout
        do {
            while ContinuousClock.now < deadline {
                let events = try await consumer.poll(maxEvents: 1_000, timeout: .milliseconds(200))
                for case .message(let message) in events { letters.append(DeadLetter(message: message)) }
                if events.isEmpty, !consumer.assignment.isEmpty, consumer.partitionsAtEnd == consumer.assignment {
                    try await consumer.close()
                    return letters.sorted {
                        ($0.message.topicPartition.partition, $0.message.offset)
                            < ($1.message.topicPartition.partition, $1.message.offset)
                    }
                }
            }
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
        throw KafkaError(kind: .timedOut, message: "\(topic): not read to its end within \(timeout)")
    }

    /// Sends each dead letter's original key and bytes back to its topic (or `to`), with the header
    /// `jump.redelivered.from` naming where it was in the dead-letter topic, and waits for the acknowledgement.
    /// Unless `force`, each is validated first and refused if it is still invalid. One result per letter.
    public func redeliver(
        _ letters: [DeadLetter], to destination: String? = nil, force: Bool = false
    ) async throws
        -> [Result<KafkaDeliveryReport, any Error>]
    {
        var configuration = KafkaProducerConfiguration(bootstrapServers: brokers)
        configuration.overrides = overrides.filter { !KafkaProperties.isConsumerOnly($0.key) }
        let producer = try KafkaProducer(configuration: configuration, logger: logger)
        var results: [Result<KafkaDeliveryReport, any Error>] = []
        for letter in letters {
            do {
                results.append(.success(try await redeliver(letter, to: destination, force: force, with: producer)))
            } catch {
                results.append(.failure(error))
            }
        }
        _ = await producer.close()
        return results
    }

    private func redeliver(
        _ letter: DeadLetter, to destination: String?, force: Bool, with producer: KafkaProducer
    ) async throws -> KafkaDeliveryReport {
        if !force {
            guard let value = letter.message.value else {
                throw DeadLetterError.stillInvalid(letter.origin, "the message has no value")
            }
            do {
                _ = try EventDecoder().decode(value)
            } catch {
                throw DeadLetterError.stillInvalid(letter.origin, error.description)
            }
        }
        guard let target = destination ?? letter.originalTopic else {
            throw DeadLetterError.noOrigin(letter.message.topicPartition, letter.message.offset)
        }
        let from = "\(letter.message.topicPartition)@\(letter.message.offset)"
        return try await producer.send(
            KafkaProducerMessage(
                topic: target, key: letter.message.key, value: letter.message.value,
                headers: [KafkaHeader(name: "jump.redelivered.from", text: from)]))
    }
}

/// Why a dead letter was not redelivered.
public enum DeadLetterError: Error, CustomStringConvertible {
    /// It still fails validation.
    case stillInvalid(String, String)
    /// It has no `jump.original.topic` header and no destination was given.
    case noOrigin(KafkaTopicPartition, Int64)

    /// A sentence naming the message and the problem.
    public var description: String {
        switch self {
        case .stillInvalid(let origin, let reason):
            "the event from \(origin) is still invalid: \(reason) (fix the validator or publish a corrected event; --force sends it anyway)"
        case .noOrigin(let partition, let offset):
            "\(partition)@\(offset) has no jump.original.topic header; name the destination with --to"
        }
    }
}
