import Dispatch
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
    public var now: @Sendable () -> String = { EventPublisher.timestamp(Date()) }
    private let decoder = EventDecoder()

    /// A publisher to `topic`, stamping `source` on events without one.
    public init(topic: String, source: String) {
        self.topic = topic
        self.source = source
    }

    /// An event ready to send: its Kafka key, value, and where it came from.
    public struct Prepared: Sendable {
        /// Where it came from.
        public var location: String
        /// The Kafka key: the subject.
        public var key: [UInt8]
        /// The Kafka value: the event as sent.
        public var value: [UInt8]
    }

    /// Validates and completes one record.
    public func prepare(_ record: EventRecord) throws(EventRejection) -> Prepared {
        let document = try decoder.parse(record.bytes)
        guard case .object(var object) = document else {
            throw EventRejection.init(.schema, at: "", "an event must be a JSON object, got \(document.typeName)")
        }
        let filled = EventCompletion.complete(&object, source: source, now: now)
        let event = try decoder.validate(filled.isEmpty ? document : .object(object))
        let value = filled.isEmpty ? Array(record.bytes) : JSONWriter.encode(.object(object))
        return Prepared(location: record.location, key: Array(event.subject.utf8), value: value)
    }

    /// Validates `records` and, given a producer, publishes the valid ones and waits for every delivery report
    /// (the producer is closed at the end). Input is validated in chunks, each handed to the producer before the
    /// next is validated, so validation and sending overlap; with `strict`, everything is validated first and
    /// nothing is sent if anything (`rejectedBeforehand` included) was rejected. Without a producer it only
    /// validates (a dry run).
    public func publish(
        _ records: [EventRecord], through producer: KafkaProducer?, strict: Bool, rejectedBeforehand: Int = 0,
        notify: @escaping @Sendable (PublishNotice) -> Void
    ) async throws -> PublishSummary {
        var summary = PublishSummary(rejected: rejectedBeforehand)
        let delivery = producer.map { EventDelivery(producer: $0, topic: topic, notify: notify) }
        let chunkSize = strict || delivery == nil ? max(records.count, 1) : 16_384
        for start in stride(from: 0, to: records.count, by: chunkSize) {
            let (prepared, invalid) = validate(
                Array(records[start..<min(records.count, start + chunkSize)]), notify: notify)
            summary.rejected += invalid
            summary.valid += prepared.count
            guard let delivery, !(strict && summary.rejected > 0) else { continue }
            try await delivery.enqueue(prepared)
        }
        guard let delivery, let producer else { return summary }
        if strict && summary.rejected > 0 {
            await producer.close()
            return summary
        }
        (summary.published, summary.failed) = try await delivery.finish()
        return summary
    }

    /// Validates every record, on all cores; returns the valid ones in input order and reports the others, in
    /// input order too.
    public func validate(
        _ records: [EventRecord], notify: @Sendable (PublishNotice) -> Void
    ) -> (prepared: [Prepared], rejected: Int) {
        let chunkSize = 2_048
        let chunks = (records.count + chunkSize - 1) / chunkSize
        let results = ParallelResults<(prepared: [Prepared], rejected: [(String, String)])>(count: chunks)
        DispatchQueue.concurrentPerform(iterations: chunks) { chunk in
            var prepared: [Prepared] = []
            var rejected: [(String, String)] = []
            prepared.reserveCapacity(chunkSize)
            for record in records[(chunk * chunkSize)..<min(records.count, (chunk + 1) * chunkSize)] {
                do {
                    prepared.append(try prepare(record))
                } catch {
                    rejected.append((record.location, "\(error)"))
                }
            }
            results.set(chunk, (prepared, rejected))
        }
        var prepared: [Prepared] = []
        prepared.reserveCapacity(records.count)
        var rejectedCount = 0
        for chunk in results.values {
            prepared += chunk.prepared
            rejectedCount += chunk.rejected.count
            for (location, reason) in chunk.rejected { notify(.rejected(location: location, reason: reason)) }
        }
        return (prepared, rejectedCount)
    }

    /// `2026-11-29T04:48:35.123Z`.
    public static func timestamp(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        let milliseconds = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func pad(_ value: Int32, _ width: Int = 2) -> String {
            let text = String(value)
            return String(repeating: "0", count: max(0, width - text.count)) + text
        }
        return "\(pad(parts.tm_year + 1900, 4))-\(pad(parts.tm_mon + 1))-\(pad(parts.tm_mday))T\(pad(parts.tm_hour)):"
            + "\(pad(parts.tm_min)):\(pad(parts.tm_sec)).\(pad(Int32(milliseconds), 3))Z"
    }
}

/// Sends prepared events through a producer and counts their delivery reports; one per publishing run.
///
/// Enqueueing returns as soon as librdkafka has the messages, so the caller can validate the next chunk of input
/// while this one is compressed and sent. ``finish()`` waits for every report and closes the producer.
final class EventDelivery: Sendable {
    private let producer: KafkaProducer
    private let topic: String
    private let notify: @Sendable (PublishNotice) -> Void
    private let acknowledged = Atomic<Int>(0)
    private let failed = Atomic<Int>(0)
    private let enqueued = Atomic<Int>(0)
    private let stopReason = Mutex<KafkaError?>(nil)
    private static let headers = [
        KafkaHeader(name: "content-type", text: "application/cloudevents+json; charset=utf-8")
    ]

    /// Delivers to `topic` through `producer`, telling `notify` of failures and progress.
    init(producer: KafkaProducer, topic: String, notify: @escaping @Sendable (PublishNotice) -> Void) {
        self.producer = producer
        self.topic = topic
        self.notify = notify
    }

    /// Hands events to the producer, waiting only while its local queue is full. After a fatal error every
    /// later event is failed without being sent.
    func enqueue(_ events: [EventPublisher.Prepared]) async throws {
        for event in events {
            let count = enqueued.add(1, ordering: .relaxed).newValue
            if count % 4096 == 0 { notify(.progress(read: count, acknowledged: acknowledged.load(ordering: .relaxed))) }
            if let reason = stopReason.withLock({ $0 }) {
                fail(event.location, "not sent: \(reason)")
                continue
            }
            let location = event.location
            let message = KafkaProducerMessage(topic: topic, key: event.key, value: event.value, headers: Self.headers)
            do {
                try await producer.enqueue(message) { [self] result in
                    switch result {
                    case .success: acknowledged.add(1, ordering: .relaxed)
                    case .failure(let error): fail(location, "not delivered: \(error)")
                    }
                }
            } catch let error as KafkaError {
                fail(location, "not sent: \(error)")
                if error.isFatal || error.kind == .closed { stopReason.withLock { $0 = error } }
            }
        }
    }

    /// Waits until every enqueued event is acknowledged or failed (by `message.timeout.ms` at the latest),
    /// closes the producer, and returns the counts.
    func finish() async throws -> (published: Int, failed: Int) {
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
