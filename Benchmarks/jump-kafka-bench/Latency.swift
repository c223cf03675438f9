import ArgumentParser
import Foundation
import Histogram
import JumpKafka
import JumpState
import Logging
import Synchronization

extension JumpKafkaBench {
    /// Publishes events at a steady rate and measures, for each one, the time from the moment it is handed to the
    /// producer to the moment a worker's store holds it committed (its partition's next offset moved past it),
    /// observed from outside by reading the store, read-only, every millisecond; and, as the floor of this broker
    /// and machine, the time to the moment a bare JumpKafka consumer in a group of its own polls it (the same
    /// `fetch.wait.max.ms` as the worker's, no decoding, no store).
    struct Latency: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish at a steady rate; report publish-to-committed latency (p50, p99, max).")

        @Option(name: .shortAndLong, help: "Bootstrap servers, host:port[,...].")
        var brokers: String

        @Option(name: .shortAndLong, help: "Topic the worker consumes, holding only this run's events.")
        var topic: String

        @Option(help: "The worker's state store, read to see commits.")
        var state: String

        @Option(help: "Events (JSON Lines, each with a distinct id) to publish, in order.")
        var events: String

        @Option(help: "Events per second.")
        var rate = 2_000

        @Option(help: "How long to publish, in seconds.")
        var seconds = 60

        @Option(name: .customShort("X"), help: "A producer property, key=value (repeatable).")
        var properties: [String] = []

        @Option(help: "The bare consumer's fetch.wait.max.ms (the worker's, for a fair floor).")
        var floorFetchWaitMs = 5

        func run() async throws {
            let lines = try String(contentsOfFile: events, encoding: .utf8).split(separator: "\n")
            let total = rate * seconds
            guard lines.count >= total else {
                throw ValidationError("\(events) has \(lines.count) events; \(total) are needed")
            }
            var configuration = KafkaProducerConfiguration(
                bootstrapServers: brokers.split(separator: ",").map(String.init))
            configuration.overrides = try KafkaProperties.parse(properties)
            let linger = configuration.properties["linger.ms"] ?? "librdkafka's default (5)"
            let producer = try KafkaProducer(configuration: configuration, logger: Logger(label: "bench"))
            let store = try StateStore.openForReading(path: state)
            let pending = PendingCommits()
            let clock = ContinuousClock()
            let floor = try await PolledFloor(brokers: brokers, topic: topic, fetchWaitMs: floorFetchWaitMs)
            let polling = Task { try await floor.poll(until: total) }
            let start = clock.now

            let watcher = Task {
                var histogram = Histogram<UInt64>(
                    highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
                var observed = 0
                let deadline = start + .seconds(seconds + 60)
                while observed < total, clock.now < deadline {
                    let next = (try? store.nextOffsets(topic: topic)) ?? [:]
                    let now = clock.now
                    for sent in pending.committed(below: next) {
                        _ = histogram.record(Self.microseconds(now - sent))
                        observed += 1
                    }
                    try? await Task.sleep(for: .milliseconds(1))
                }
                return (histogram, observed)
            }

            // A steady rate: every millisecond, the events due by then.
            var sent = 0
            while sent < total {
                let due = min(total, Int(Double(rate) * (clock.now - start).seconds) + 1)
                while sent < due {
                    let sentAt = clock.now
                    let message = KafkaProducerMessage(
                        topic: topic, key: Self.subject(of: lines[sent]), value: String(lines[sent]))
                    try await producer.enqueue(message) { result in
                        if case .success(let report) = result {
                            pending.add(
                                partition: report.topicPartition.partition, offset: report.offset, sentAt: sentAt)
                            floor.sent(report.topicPartition.partition, report.offset, at: sentAt)
                        } else {
                            pending.failed()
                        }
                    }
                    sent += 1
                }
                try await Task.sleep(for: .milliseconds(1))
            }
            try await producer.flush(timeout: .seconds(60))
            await producer.close()
            let (histogram, observed) = await watcher.value
            try await polling.value
            let polled = floor.histogram()
            func milliseconds(_ microseconds: UInt64) -> Double { Double(microseconds) / 1000 }
            func percentiles(_ histogram: Histogram<UInt64>, _ prefix: String) -> String {
                [("p50", 50.0), ("p90", 90), ("p99", 99), ("p999", 99.9)].map {
                    "\"\(prefix)\($0.0)Ms\":\(milliseconds(histogram.valueAtPercentile($0.1)))"
                }.joined(separator: ",") + ",\"\(prefix)maxMs\":\(milliseconds(histogram.max))"
            }
            print(
                """
                {"tool":"jump-kafka","operation":"latency","rate":\(rate),"seconds":\(seconds),\
                "published":\(total),"failed":\(pending.failures),"observed":\(observed),"lingerMs":"\(linger)",\
                \(percentiles(histogram, "")),"polled":\(polled.totalCount),"floorFetchWaitMs":\(floorFetchWaitMs),\
                \(percentiles(polled, "floor"))}
                """)
            if observed < total { throw ExitCode.failure }
        }

        /// Microseconds, at least 1, for a histogram.
        static func microseconds(_ elapsed: Duration) -> UInt64 {
            UInt64(max(1, elapsed.components.attoseconds / 1_000_000_000_000 + elapsed.components.seconds * 1_000_000))
        }

        /// The event's subject (its Kafka key), as jump-producer would key it.
        static func subject(of line: Substring) -> String? {
            guard let range = line.range(of: #""subject":""#) else { return nil }
            let rest = line[range.upperBound...]
            return rest.firstIndex(of: "\"").map { String(rest[..<$0]) }
        }
    }
}

/// Acknowledged events waiting to be seen committed in the store, per partition in offset order.
private final class PendingCommits: Sendable {
    private struct State {
        var byPartition: [Int32: [(offset: Int64, sentAt: ContinuousClock.Instant)]] = [:]
        var failures = 0
    }
    private let state = Mutex(State())

    func add(partition: Int32, offset: Int64, sentAt: ContinuousClock.Instant) {
        state.withLock { $0.byPartition[partition, default: []].append((offset, sentAt)) }
    }

    func failed() { state.withLock { $0.failures += 1 } }

    var failures: Int { state.withLock { $0.failures } }

    /// Removes and returns the send times of the events now committed: below their partition's next offset.
    func committed(below next: [Int32: Int64]) -> [ContinuousClock.Instant] {
        state.withLock { state in
            var done: [ContinuousClock.Instant] = []
            for (partition, nextOffset) in next {
                guard var waiting = state.byPartition[partition], !waiting.isEmpty else { continue }
                // Reports of one partition arrive in offset order.
                let count = waiting.prefix { $0.offset < nextOffset }.count
                done += waiting.prefix(count).map(\.sentAt)
                waiting.removeFirst(count)
                state.byPartition[partition] = waiting
            }
            return done
        }
    }
}

extension Duration {
    fileprivate var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

/// The floor under the worker's latency: a bare JumpKafka consumer in a group of its own, which notes when it polls
/// each message; joined with the send times, the time from publish to polled.
private final class PolledFloor: Sendable {
    private struct Place: Hashable {
        var partition: Int32
        var offset: Int64
    }
    private let consumer: KafkaConsumer
    private let sentAt = Mutex<[Place: ContinuousClock.Instant]>([:])
    private let polledAt = Mutex<[Place: ContinuousClock.Instant]>([:])

    /// Joins a new group on `topic` and waits for its partitions (the mock's join takes about 3 s).
    init(brokers: String, topic: String, fetchWaitMs: Int) async throws {
        var configuration = KafkaConsumerConfiguration(
            bootstrapServers: brokers.split(separator: ",").map(String.init),
            groupID: "jump-kafka-bench-floor-\(UInt32.random(in: 0...UInt32.max))", topics: [topic])
        configuration.isAutoCommitEnabled = false
        configuration.reportsEndOfPartition = false
        configuration.overrides = ["fetch.wait.max.ms": String(fetchWaitMs), "auto.offset.reset": "earliest"]
        consumer = try KafkaConsumer(configuration: configuration, logger: Logger(label: "bench-floor"))
        let deadline = ContinuousClock.now + .seconds(60)
        while consumer.assignment.isEmpty {
            guard ContinuousClock.now < deadline else { throw ValidationError("the floor consumer got no partitions") }
            _ = try await consumer.poll(maxEvents: 100, timeout: .milliseconds(100))
        }
    }

    func sent(_ partition: Int32, _ offset: Int64, at instant: ContinuousClock.Instant) {
        sentAt.withLock { $0[Place(partition: partition, offset: offset)] = instant }
    }

    /// Polls until `count` messages arrived, or 60 s without one.
    func poll(until count: Int) async throws {
        var received = 0
        var lastArrival = ContinuousClock.now
        while received < count, ContinuousClock.now - lastArrival < .seconds(60) {
            let events = try await consumer.poll(maxEvents: 1_000, timeout: .milliseconds(100))
            let now = ContinuousClock.now
            var places: [Place] = []
            for case .message(let message) in events {
                places.append(Place(partition: message.topicPartition.partition, offset: message.offset))
            }
            guard !places.isEmpty else { continue }
            lastArrival = now
            received += places.count
            polledAt.withLock { polled in for place in places { polled[place] = now } }
        }
        try await consumer.close()
    }

    /// Publish to polled, for every message both sent and polled.
    func histogram() -> Histogram<UInt64> {
        var histogram = Histogram<UInt64>(highestTrackableValue: 120_000_000, numberOfSignificantValueDigits: .three)
        let sent = sentAt.withLock { $0 }
        for (place, polled) in polledAt.withLock({ $0 }) {
            if let sent = sent[place] { _ = histogram.record(JumpKafkaBench.Latency.microseconds(polled - sent)) }
        }
        return histogram
    }
}
