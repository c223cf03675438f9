import Foundation
import JumpEvents
import JumpKafka
import Synchronization

/// What happened to the events of one publishing run.
public struct PublishSummary: Sendable, Equatable {
    /// Events that passed validation.
    public var valid = 0
    /// Events the broker acknowledged.
    public var published = 0
    /// Events refused before sending, with the reason.
    public var rejected = 0
    /// Valid events that Kafka did not acknowledge.
    public var failed = 0

    /// Zero counts.
    public init() {}

    /// Whether every event was valid and, when sent, acknowledged.
    public func isComplete(sent: Bool) -> Bool { rejected == 0 && failed == 0 && (!sent || published == valid) }
}

/// What the publisher tells its caller as it goes (on any thread).
public enum PublishNotice: Sendable {
    /// An event was refused: `FILE:LINE: reason`.
    case rejected(location: String, reason: String)
    /// A valid event was not acknowledged.
    case failed(location: String, reason: String)
    /// Progress: events read so far and acknowledged so far.
    case progress(read: Int, acknowledged: Int)
}

/// Validates events and publishes them to Kafka, keyed by subject: the heart of `jump-producer publish`.
///
/// Each event is parsed and validated with ``EventDecoder``; absent `id`, `time`, `source` and content
/// attributes are filled in (``EventCompletion``); an event that needed nothing is sent byte for byte as given.
/// Success is counted only from the broker's acknowledgement.
public struct EventPublisher: Sendable {
    /// The destination topic.
    public var topic: String
    /// The `source` given to events without one.
    public var source: String
    /// The clock for `time` of events without one (RFC 3339, UTC).
    public var now: @Sendable () -> String = { RFC3339.utc(Date()) }
    private let decoder = EventDecoder()
    private let scanner = EventScanner()

    /// A publisher to `topic`, stamping `source` on events without one.
    public init(topic: String, source: String) {
        self.topic = topic
        self.source = source
    }

    /// An event ready to send: its Kafka key, value, and where it came from. Key and value share the input's
    /// storage when the event is sent as given.
    public struct Prepared: Sendable {
        /// The file it came from.
        public var origin: String
        /// The line it starts on.
        public var line: Int
        /// The Kafka key: the subject.
        public var key: ArraySlice<UInt8>
        /// The Kafka value: the event as sent.
        public var value: ArraySlice<UInt8>
        /// The event type.
        package var type: JumpEventType
        /// Where the id's and the source's texts are in `value`, when the scanner found them.
        var idRange: Range<Int> = 0..<0
        var sourceRange: Range<Int> = 0..<0
        /// The id and the source, when the decoder read them.
        var decodedID: String?
        var decodedSource: String?

        /// `origin:line`.
        public var location: String { "\(origin):\(line)" }
        /// The event's id.
        public var eventID: String { decodedID ?? String(decoding: value[idRange], as: UTF8.self) }
        /// The event's source.
        package var source: String { decodedSource ?? String(decoding: value[sourceRange], as: UTF8.self) }
    }

    /// Validates and completes one record. A complete event the scanner proves valid is sent as given without
    /// building anything; every other one goes through the decoder, which fills in what is absent or says why
    /// the event is refused.
    public func prepare(_ record: EventRecord) throws(EventRejection) -> Prepared {
        if let scanned = scanner.scan(record.bytes) {
            let start = record.bytes.startIndex
            return Prepared(
                origin: record.origin, line: record.line,
                key: record.bytes[start + scanned.subject.lowerBound..<start + scanned.subject.upperBound],
                value: record.bytes, type: scanned.type,
                idRange: start + scanned.id.lowerBound..<start + scanned.id.upperBound,
                sourceRange: start + scanned.source.lowerBound..<start + scanned.source.upperBound)
        }
        let document = try decoder.parse(record.bytes)
        guard case .object(var object) = document else {
            throw EventRejection.init(.schema, at: "", "an event must be a JSON object, got \(document.typeName)")
        }
        let filled = EventCompletion.complete(&object, source: source, now: now)
        let event = try decoder.validate(filled.isEmpty ? document : .object(object))
        let value = filled.isEmpty ? record.bytes : JSONWriter.encode(.object(object))[...]
        return Prepared(
            origin: record.origin, line: record.line, key: Array(event.subject.utf8)[...], value: value,
            type: event.type, decodedID: event.id, decodedSource: event.source)
    }

    /// Validates `records` on every core (a task group over chunks); returns the valid ones in input order and
    /// the rejections (location and reason), in input order too.
    public func validate(_ records: [EventRecord]) async -> (prepared: [Prepared], rejected: [InputProblem]) {
        let cores = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let chunkSize = max(256, (records.count + cores - 1) / cores)
        let chunks = stride(from: 0, to: records.count, by: chunkSize).map {
            records[$0..<min(records.count, $0 + chunkSize)]
        }
        let results = await withTaskGroup(of: (Int, [Prepared], [InputProblem]).self) { group in
            for (index, chunk) in chunks.enumerated() {
                group.addTask {
                    var prepared: [Prepared] = []
                    var rejected: [InputProblem] = []
                    prepared.reserveCapacity(chunk.count)
                    for record in chunk {
                        do {
                            prepared.append(try prepare(record))
                        } catch {
                            rejected.append(InputProblem(location: record.location, reason: "\(error)"))
                        }
                    }
                    return (index, prepared, rejected)
                }
            }
            var results = Array(repeating: ([Prepared](), [InputProblem]()), count: chunks.count)
            for await (index, prepared, rejected) in group { results[index] = (prepared, rejected) }
            return results
        }
        return (results.flatMap { $0.0 }, results.flatMap { $0.1 })
    }
}

/// Sends prepared events through a producer and counts their delivery reports; one per publishing run.
///
/// Enqueueing returns as soon as librdkafka has the messages, so the caller can validate the next chunk of input
/// while this one is compressed and sent. ``finish()`` waits for every report and closes the producer.
public final class EventDelivery: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let notify: @Sendable (PublishNotice) -> Void
    private let acknowledged = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let enqueued = Atomic<Int>(0)
    private let stopReason = Mutex<KafkaError?>(nil)
    private let onAcknowledged: (@Sendable (String, KafkaDeliveryReport) -> Void)?
    private static let headers = [
        KafkaHeader(name: "content-type", text: "application/cloudevents+json; charset=utf-8")
    ]

    /// Delivers to `topic` through `producer`, telling `notify` of failures and progress, and
    /// `onAcknowledged` (if given) of each acknowledged event's place.
    public init(
        producer: KafkaProducer, topic: String, notify: @escaping @Sendable (PublishNotice) -> Void,
        onAcknowledged: (@Sendable (String, KafkaDeliveryReport) -> Void)? = nil
    ) {
        self.producer = producer
        self.topic = topic
        self.notify = notify
        self.onAcknowledged = onAcknowledged
    }

    /// Hands events to the producer, waiting only while its local queue is full. After a fatal error every
    /// later event is failed without being sent.
    public func enqueue(_ events: [EventPublisher.Prepared]) async throws {
        guard !events.isEmpty else { return }
        let before = enqueued.add(events.count, ordering: .relaxed).newValue - events.count
        if before / 4096 != (before + events.count) / 4096 {
            notify(.progress(read: before + events.count, acknowledged: acknowledged.load(ordering: .relaxed)))
        }
        if let reason = stopReason.withLock({ $0 }) {
            for event in events { fail(event.location, "not sent: \(reason)") }
            return
        }
        // librdkafka reads each value where it is (a slice of the input) until its report; sent in groups of 256,
        // the input's buffers are let go soon after their events are acknowledged.
        for start in stride(from: events.startIndex, to: events.endIndex, by: 256) {
            try await enqueueGroup(events[start..<min(events.endIndex, start + 256)])
        }
    }

    private func enqueueGroup(_ events: ArraySlice<EventPublisher.Prepared>) async throws {
        let places = events.map { EventPlace(origin: $0.origin, line: $0.line) }
        let messages = events.map {
            KafkaProducerMessage(topic: topic, key: $0.key, value: $0.value, headers: Self.headers)
        }
        try await producer.enqueue(messages) { [self] index, result in
            switch result {
            case .success(let report):
                acknowledged.add(1, ordering: .relaxed)
                onAcknowledged?(places[index].location, report)
            case .failure(let error) where error.kind == .delivery:
                fail(places[index].location, "not delivered: \(error)")
            case .failure(let error):
                fail(places[index].location, "not sent: \(error)")
                if error.isFatal || error.kind == .closed { stopReason.withLock { $0 = $0 ?? error } }
            }
        }
    }

    /// Waits until every enqueued event is acknowledged or failed (by `message.timeout.ms` at the latest),
    /// closes the producer, and returns the counts.
    public func finish() async throws -> (published: Int, failed: Int) {
        let total = enqueued.load(ordering: .relaxed)
        while acknowledged.load(ordering: .relaxed) + failed.load(ordering: .relaxed) < total,
            producer.outstandingCount > 0
        {
            try await Task.sleep(for: .milliseconds(5))
            notify(.progress(read: total, acknowledged: acknowledged.load(ordering: .relaxed)))
        }
        // Anything still unreported is failed by close, each with its report.
        await producer.close(timeout: .seconds(5))
        return (acknowledged.load(ordering: .relaxed), failed.load(ordering: .relaxed))
    }

    private func fail(_ location: String, _ reason: String) {
        failed.add(1, ordering: .relaxed)
        notify(.failed(location: location, reason: reason))
    }
}

/// Where an event came from, kept until its delivery report.
private struct EventPlace {
    var origin: String
    var line: Int
    var location: String { "\(origin):\(line)" }
}
