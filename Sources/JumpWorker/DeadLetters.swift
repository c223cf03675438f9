import Foundation
import JumpEvents
import JumpKafka
import Logging

/// A message in the dead-letter topic, with the reason the worker gave.
package struct DeadLetter: Sendable {
    /// The message as stored in the dead-letter topic.
    package var message: KafkaConsumerMessage
    /// `jump.error`: the kind of rejection.
    package var error: String { message.header("jump.error")?.text ?? "" }
    /// `jump.error.detail`: the reason with its JSON pointer.
    package var detail: String { message.header("jump.error.detail")?.text ?? "" }
    /// Where it came from: `topic[partition]@offset`.
    package var origin: String {
        let topic = message.header("jump.original.topic")?.text ?? "?"
        let partition = message.header("jump.original.partition")?.text ?? "?"
        let offset = message.header("jump.original.offset")?.text ?? "?"
        return "\(topic)[\(partition)]@\(offset)"
    }
    /// The topic it was consumed from.
    package var originalTopic: String? { message.header("jump.original.topic")?.text }
    /// Whether this is a bounded record standing for a message the dead-letter topic refused for its size: the
    /// payload stays in the original topic at ``originalPosition``.
    package var isBounded: Bool { message.header("jump.payload")?.text == "omitted" }
    /// Where `dlq redeliver` sent it (`topic[partition]@offset`), from a redelivery record in the dead-letter
    /// topic; `nil` when it was not redelivered.
    package var redeliveredTo: String?
    /// Who settled it without redelivering it and why, from a settlement record (`dlq settle`, the console's
    /// Settle); `nil` when it was not settled.
    package var settled: DeadLetterSettlement?
    /// Whether it still waits for an operator: neither redelivered nor settled.
    package var isOpen: Bool { redeliveredTo == nil && settled == nil }
    /// The places of later copies of the same message (a rebuild of the state dead-letters it again); the
    /// listing shows the first one.
    package var copies: [String] = []
    /// How many times the worker dead-lettered this message.
    package var times: Int { copies.count + 1 }
    /// Its place in the dead-letter topic, `PARTITION@OFFSET`.
    package var place: String { "\(message.topicPartition.partition)@\(message.offset)" }
    /// What makes two records the same dead letter (a rebuild dead-lettering a message again): the same claimed
    /// origin, key and bytes (for a bounded record, the same SHA-256 of the payload it stands for). Records that
    /// claim one origin with other bytes stay apart, so a redelivery never sends one record's payload for another;
    /// a full record and a bounded one of the same message are one (the bounded one's digest is the bytes' hash).
    var sameness: String {
        let origin = originalPosition.map { "\($0.partition)@\($0.offset)" } ?? place
        let payload =
            isBounded
            ? (message.header("jump.payload.sha256")?.text ?? "no digest at \(place)")
            : SHA256.hex(SHA256.hash(message.value ?? []))
        let key = message.key.map { SHA256.hex(SHA256.hash($0)) } ?? "no key"
        return "\(origin) \(payload) \(key)"
    }

    /// The headers the worker gives a dead letter: the reason (`jump.error`, `jump.error.detail`) and where it came
    /// from (`jump.original.*`); a message dead-lettered again does not keep its earlier ones.
    static let reasonHeaderPrefixes = ["jump.error", "jump.original."]

    /// The original message's place, from the `jump.original.*` headers.
    package var originalPosition: (partition: KafkaTopicPartition, offset: Int64)? {
        guard let topic = originalTopic,
            let partition = message.header("jump.original.partition")?.text.flatMap({ Int32($0) }),
            let offset = message.header("jump.original.offset")?.text.flatMap({ Int64($0) })
        else { return nil }
        return (KafkaTopicPartition(topic: topic, partition: partition), offset)
    }
}

/// Who settled a dead letter without redelivering it, and why.
package struct DeadLetterSettlement: Sendable, Equatable {
    /// The operator (`local`, a console operator's name, or the shell user of `dlq settle`).
    package var by: String
    /// Why, in the operator's words (may be empty).
    package var note: String
}

/// Reads, redelivers and settles the dead-letter topic (`jump-consumer dlq list`, `dlq redeliver`, `dlq settle`).
///
/// A redelivery leaves a *redelivery record* in the dead-letter topic: an empty value with the headers
/// ``redeliveryOfHeader`` (the dead letter's place) and ``redeliveredToHeader`` (where it went), so every later
/// listing shows what was already sent back, whoever sent it. Settling one (it needs nothing more: a test
/// message, an event published again by hand) leaves a *settlement record* the same way: ``settlementOfHeader``,
/// ``settledByHeader`` and ``settlementNoteHeader``.
package struct DeadLetters: Sendable {
    /// The header of a redelivery record naming the dead letter it stands for, `PARTITION@OFFSET`.
    package static let redeliveryOfHeader = "jump.redelivery.of"
    /// The header of a redelivery record naming where the event went, `topic[partition]@offset`.
    package static let redeliveredToHeader = "jump.redelivered.to"
    /// The header of a settlement record naming the dead letter it settles, `PARTITION@OFFSET`.
    package static let settlementOfHeader = "jump.settlement.of"
    /// The header of a settlement record naming who settled it.
    package static let settledByHeader = "jump.settlement.by"
    /// The header of a settlement record saying why.
    package static let settlementNoteHeader = "jump.settlement.note"

    /// Kafka's bootstrap servers.
    package var brokers: [String]
    /// librdkafka properties.
    package var overrides: [String: String]
    /// The dead-letter topic.
    package var topic: String
    let logger: Logger

    /// Access to `topic` on `brokers`.
    package init(brokers: [String], overrides: [String: String], topic: String, logger: Logger) {
        self.brokers = brokers
        self.overrides = overrides
        self.topic = topic
        self.logger = logger
    }

    /// Every dead letter the topic holds now, in partition and offset order: every partition read from the
    /// beginning to its end, directly (no group to join, nothing committed), as `kcat -C` reads it. A message
    /// dead-lettered more than once (a rebuild) is listed once with ``DeadLetter/times``; redelivery records are
    /// not listed but set ``DeadLetter/redeliveredTo``.
    ///
    /// - Throws: ``DeadLetterTopicMissing`` when the cluster has no such topic; a ``KafkaError`` naming the brokers'
    ///   problem when none answers.
    package func readAll(timeout: Duration = .seconds(60)) async throws -> [DeadLetter] {
        let all = try await read(from: [:], upTo: .max, within: timeout)
        return Self.listing(all.messages.map { DeadLetter(message: $0) })
    }

    /// Reads the topic from `positions` (the beginning of a partition not named; with `only`, those partitions
    /// alone) until every partition is at its end or `limit` messages were read, and returns them with every
    /// partition's next position.
    func read(
        from positions: [Int32: Int64], only: Set<Int32>? = nil, upTo limit: Int, within timeout: Duration
    ) async throws -> (messages: [KafkaConsumerMessage], next: [Int32: Int64], atEnd: Bool) {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers, groupID: "jump-dlq-reader", topics: [topic])
        configuration.offsetReset = .earliest
        configuration.overrides = overrides.filter { !$0.key.hasPrefix("group.") }
        let consumer = try KafkaConsumer.reader(configuration: configuration, logger: logger)
        var next = positions
        let deadline = ContinuousClock.now + timeout
        var messages: [KafkaConsumerMessage] = []
        do {
            guard let count = try await consumer.partitionCount(of: topic) else {
                throw DeadLetterTopicMissing(topic: topic)
            }
            let partitions = (0..<Int32(count)).filter { only?.contains($0) ?? true }
            try await consumer.read(
                Dictionary(
                    uniqueKeysWithValues: partitions.map {
                        (
                            KafkaTopicPartition(topic: topic, partition: $0),
                            positions[$0].map(KafkaOffset.exact) ?? .beginning
                        )
                    }))
            while ContinuousClock.now < deadline {
                let events = try await consumer.poll(maxEvents: 1_000, timeout: .milliseconds(100))
                for case .message(let message) in events {
                    messages.append(message)
                    next[message.topicPartition.partition] = message.offset + 1
                }
                let atEnd =
                    events.isEmpty && !consumer.assignment.isEmpty && consumer.partitionsAtEnd == consumer.assignment
                if atEnd || messages.count >= limit {
                    try await consumer.close()
                    return (messages, next, atEnd)
                }
            }
        } catch {
            try? await consumer.close()
            throw error
        }
        try? await consumer.close()
        throw KafkaError(kind: .timedOut, message: "\(topic): not read to its end within \(timeout)")
    }

    /// Whether `message` is a redelivery or settlement record (an operator's, not a dead letter).
    static func isOperatorRecord(_ message: KafkaConsumerMessage) -> Bool {
        message.header(redeliveryOfHeader) != nil || message.header(settlementOfHeader) != nil
    }

    /// The settlement `message` records, and the place of the dead letter it settles; `nil` for another message.
    static func settlement(in message: KafkaConsumerMessage) -> (place: String, DeadLetterSettlement)? {
        guard let place = message.header(settlementOfHeader)?.text else { return nil }
        return (
            place,
            DeadLetterSettlement(
                by: message.header(settledByHeader)?.text ?? "?", note: message.header(settlementNoteHeader)?.text ?? ""
            )
        )
    }

    /// The dead letters among `messages` (in place order), each original position once, with its redeliveries and
    /// settlements.
    static func listing(_ messages: [DeadLetter]) -> [DeadLetter] {
        let ordered = messages.sorted {
            ($0.message.topicPartition.partition, $0.message.offset)
                < ($1.message.topicPartition.partition, $1.message.offset)
        }
        var redelivered: [String: String] = [:]
        var settled: [String: DeadLetterSettlement] = [:]
        for record in ordered {
            if let place = record.message.header(redeliveryOfHeader)?.text {
                redelivered[place] = record.message.header(redeliveredToHeader)?.text ?? "?"
            } else if let (place, settlement) = settlement(in: record.message) {
                // The first settlement stands, as the console's index keeps it (two operators at once).
                settled[place] = settled[place] ?? settlement
            }
        }
        var letters: [DeadLetter] = []
        var firstBySameness: [String: Int] = [:]
        for var letter in ordered where !isOperatorRecord(letter.message) {
            let origin = letter.sameness
            if let first = firstBySameness[origin] {
                letters[first].copies.append(letter.place)
                letters[first].redeliveredTo = letters[first].redeliveredTo ?? redelivered[letter.place]
                letters[first].settled = letters[first].settled ?? settled[letter.place]
                continue
            }
            letter.redeliveredTo = redelivered[letter.place]
            letter.settled = settled[letter.place]
            firstBySameness[origin] = letters.count
            letters.append(letter)
        }
        return letters
    }

    /// Settles `letter` without redelivering it: writes a settlement record naming it, `by` and `note` to the
    /// dead-letter topic and waits for the acknowledgement. Every later listing shows it settled, and
    /// "redeliver every one" leaves it out.
    package func settle(_ letter: DeadLetter, by: String, note: String) async throws -> KafkaDeliveryReport {
        let producer = try ServiceProducer.make(brokers: brokers, overrides: overrides, logger: logger)
        do {
            let report = try await producer.send(
                KafkaProducerMessage(
                    topic: topic, key: (letter.message.key?.count ?? 0) <= 1_024 ? letter.message.key : nil, value: [],
                    headers: [
                        KafkaHeader(name: Self.settlementOfHeader, text: letter.place),
                        KafkaHeader(name: Self.settledByHeader, text: by),
                        KafkaHeader(name: Self.settlementNoteHeader, text: note),
                    ]))
            _ = await producer.close()
            return report
        } catch {
            _ = await producer.close()
            throw error
        }
    }

    /// Sends each dead letter's original key and bytes back to its topic (or `to`), with the header
    /// `jump.redelivered.from` naming where it was in the dead-letter topic, and waits for the acknowledgement.
    /// Unless `force`, each is validated first and refused if it is still invalid. One result per letter.
    package func redeliver(
        _ letters: [DeadLetter], to destination: String? = nil, force: Bool = false
    ) async throws
        -> [Result<KafkaDeliveryReport, any Error>]
    {
        // Every destination must exist: producing to a missing topic would make a broker that allows it create one.
        let destinations = Set(letters.compactMap { destination ?? $0.originalPosition?.0.topic })
        if !destinations.isEmpty {
            var readerConfiguration = KafkaConsumerConfiguration(
                bootstrapServers: brokers, groupID: "jump-dlq-check", topics: [topic])
            readerConfiguration.overrides = overrides.filter { !$0.key.hasPrefix("group.") }
            let reader = try KafkaConsumer.reader(configuration: readerConfiguration, logger: logger)
            var missing: String?
            do {
                for name in destinations.sorted() where try await reader.partitionCount(of: name) == nil {
                    missing = name
                    break
                }
            } catch {
                try? await reader.close()
                throw error
            }
            try? await reader.close()
            if let missing { throw DeadLetterTopicMissing(topic: missing) }
        }
        let producer = try ServiceProducer.make(brokers: brokers, overrides: overrides, logger: logger)
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

    /// The original message a bounded record stands for, read from its topic at its offset and checked against
    /// the record's SHA-256.
    package func originalPayload(
        of letter: DeadLetter, timeout: Duration = .seconds(30)
    ) async throws -> KafkaConsumerMessage {
        guard let (place, offset) = letter.originalPosition else {
            throw DeadLetterError.noOrigin(letter.message.topicPartition, letter.message.offset)
        }
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers, groupID: "jump-dlq-fetch", topics: [place.topic])
        configuration.overrides = overrides.filter { !$0.key.hasPrefix("group.") }
        // The one partition, from the offset, directly: no group to join.
        let consumer = try KafkaConsumer.reader(configuration: configuration, logger: logger)
        do {
            try await consumer.read([place: .exact(offset)])
            let message = try await read(place, offset, of: letter, with: consumer, timeout: timeout)
            try? await consumer.close()
            return message
        } catch {
            try? await consumer.close()
            throw error
        }
    }

    private func read(
        _ place: KafkaTopicPartition, _ offset: Int64, of letter: DeadLetter, with consumer: KafkaConsumer,
        timeout: Duration
    ) async throws -> KafkaConsumerMessage {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            for case .message(let message) in try await consumer.poll(maxEvents: 100, timeout: .milliseconds(200))
            where message.topicPartition == place {
                guard message.offset == offset else {
                    throw DeadLetterError.payloadGone(place, offset, "the log now starts after it (retention)")
                }
                guard let expected = letter.message.header("jump.payload.sha256")?.text else {
                    throw DeadLetterError.payloadGone(
                        place, offset, "the record has no jump.payload.sha256 to check the message against")
                }
                let digest = SHA256.hex(SHA256.hash(message.value ?? []))
                guard expected == digest else {
                    throw DeadLetterError.payloadGone(
                        place, offset,
                        "its SHA-256 is \(digest), not \(expected) as the record says")
                }
                return message
            }
            if consumer.partitionsAtEnd.contains(place) {
                throw DeadLetterError.payloadGone(place, offset, "the log no longer holds it")
            }
        }
        throw DeadLetterError.payloadGone(place, offset, "not read within \(timeout)")
    }

    private func redeliver(
        _ letter: DeadLetter, to destination: String?, force: Bool, with producer: KafkaProducer
    ) async throws -> KafkaDeliveryReport {
        var letter = letter
        if letter.isBounded {
            let original = try await originalPayload(of: letter)
            letter.message.key = original.key
            letter.message.value = original.value
            letter.message.headers = original.headers
        }
        // Validated as the worker reads it: a binary-mode event with its `ce_` headers.
        if !force {
            do {
                _ = try DecodedEvent(letter.message, EventDecoder())
            } catch {
                throw DeadLetterError.stillInvalid(letter.origin, error.description)
            }
        }
        guard let target = destination ?? letter.originalTopic else {
            throw DeadLetterError.noOrigin(letter.message.topicPartition, letter.message.offset)
        }
        let from = "\(letter.message.topicPartition)@\(letter.message.offset)"
        let report = try await producer.send(
            KafkaProducerMessage(
                topic: target, key: letter.message.key, value: letter.message.value,
                headers: Self.originalHeaders(letter.message.headers)
                    + [KafkaHeader(name: "jump.redelivered.from", text: from)]))
        do {
            _ = try await producer.send(
                KafkaProducerMessage(
                    topic: topic, key: (letter.message.key?.count ?? 0) <= 1_024 ? letter.message.key : nil,
                    value: [],
                    headers: [
                        KafkaHeader(name: Self.redeliveryOfHeader, text: letter.place),
                        KafkaHeader(name: Self.redeliveredToHeader, text: "\(report.topicPartition)@\(report.offset)"),
                    ]))
        } catch {
            logger.warning(
                "redelivered, but the redelivery record was not written to \(topic); a later listing will not show it",
                metadata: ["dead letter": "\(letter.place)", "error": "\(error)"])
        }
        return report
    }
}

extension DeadLetters {
    /// The headers a redelivered message keeps: the original's own (a binary-mode event's `ce_` attributes and its
    /// `content-type` among them), without those the worker and earlier redeliveries added.
    static func originalHeaders(_ headers: [KafkaHeader]) -> [KafkaHeader] {
        let added =
            DeadLetter.reasonHeaderPrefixes + [
                "jump.payload", "jump.redelivered.", "jump.redelivery.", "jump.settlement.", KeyPlacement.rerouteHeader,
            ]
        return headers.filter { header in !added.contains { header.name.hasPrefix($0) } }
    }
}

/// Why a dead letter was not redelivered.
package enum DeadLetterError: Error, CustomStringConvertible {
    /// It still fails validation.
    case stillInvalid(String, String)
    /// It has no `jump.original.topic` header and no destination was given.
    case noOrigin(KafkaTopicPartition, Int64)
    /// A bounded record's payload can no longer be read from its original place.
    case payloadGone(KafkaTopicPartition, Int64, String)

    /// A sentence naming the message and the problem.
    package var description: String {
        switch self {
        case .stillInvalid(let origin, let reason):
            "the event from \(origin) is still invalid: \(reason) (fix the validator or publish a corrected event; --force sends it anyway)"
        case .noOrigin(let partition, let offset):
            "\(partition)@\(offset) has no jump.original.topic header; name the destination with --to"
        case .payloadGone(let partition, let offset, let why):
            "the payload of the bounded dead letter for \(partition)@\(offset) cannot be fetched: \(why)"
        }
    }
}

/// The dead-letter topic does not exist on the cluster.
package struct DeadLetterTopicMissing: Error, CustomStringConvertible {
    /// The topic.
    package var topic: String

    /// Names the topic and what to check.
    package var description: String {
        "the cluster has no topic \(topic): check the topic named (--dlq-topic, --to) and Deploy/kafka/create-topics.sh"
    }
}
