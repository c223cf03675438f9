import ArgumentParser
import Foundation
import JumpKafka
import Logging
import Synchronization

/// Plain produce and consume throughput through JumpKafka, for `Benchmarks/kafka_throughput.py`, which runs it
/// next to kcat on the same broker, and the publish-to-committed latency of a worker, for
/// `Benchmarks/worker_throughput.py --latency`, and the worker's decoding of events (`decode`). Prints one JSON object per run on stdout.
@main
struct JumpKafkaBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jump-kafka-bench", abstract: "Produce or consume N small messages through JumpKafka.",
        subcommands: [Produce.self, Consume.self, Latency.self, Decode.self])

    /// Options both subcommands take.
    struct Common: ParsableArguments {
        @Option(name: .shortAndLong, help: "Bootstrap servers, host:port[,...].")
        var brokers: String

        @Option(name: .shortAndLong, help: "Topic.")
        var topic: String

        @Option(help: "How many messages.")
        var count = 200_000

        @Option(name: .customShort("X"), help: "A librdkafka property, key=value (repeatable).")
        var properties: [String] = []
    }

    struct Produce: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Produce N messages and wait for every report.")

        @OptionGroup var common: Common

        @Option(help: "Value size in bytes.")
        var size = 100

        func run() async throws {
            var configuration = KafkaProducerConfiguration(
                bootstrapServers: common.brokers.split(separator: ",").map(String.init))
            configuration.overrides = try KafkaProperties.parse(common.properties)
            let producer = try KafkaProducer(configuration: configuration, logger: Logger(label: "bench"))
            let failed = Atomic<Int>(0)
            // The messages are built before the clock starts, as slices of one buffer (the figure is the binding's,
            // not allocation's): value N is N padded with x to the size, key N is kN%1000, as kafka_throughput.py
            // gives kcat.
            var buffer: [UInt8] = []
            var places: [(key: Range<Int>, value: Range<Int>)] = []
            for index in 0..<common.count {
                let keyStart = buffer.count
                buffer += Array("k\(index % 1000)".utf8)
                let valueStart = buffer.count
                buffer += Array(String(index).utf8)
                buffer += repeatElement(UInt8(ascii: "x"), count: max(0, size - (buffer.count - valueStart)))
                places.append((keyStart..<valueStart, valueStart..<buffer.count))
            }
            let messages = places.map {
                KafkaProducerMessage(topic: common.topic, key: buffer[$0.key], value: buffer[$0.value])
            }
            let count = messages.count
            let started = Measurement()
            // In batches, as jump-producer sends: one delivery context per batch, none per message.
            for start in stride(from: 0, to: count, by: 10_000) {
                try await producer.enqueue(Array(messages[start..<min(count, start + 10_000)])) { _, result in
                    if case .failure = result { failed.add(1, ordering: .relaxed) }
                }
            }
            try await producer.flush(timeout: .seconds(300))
            let result = started.finish(operation: "produce", messages: count)
            await producer.close()
            print(result)
            if failed.load(ordering: .relaxed) > 0 { throw ExitCode.failure }
        }
    }

    struct Consume: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Consume N messages in a new group; time from the first message to the last.")

        @OptionGroup var common: Common

        func run() async throws {
            var configuration = KafkaConsumerConfiguration(
                bootstrapServers: common.brokers.split(separator: ",").map(String.init),
                groupID: "jump-kafka-bench-\(UInt32.random(in: 0...UInt32.max))", topics: [common.topic])
            configuration.isAutoCommitEnabled = false
            configuration.reportsEndOfPartition = false
            configuration.overrides = try KafkaProperties.parse(common.properties)
            let consumer = try KafkaConsumer(configuration: configuration, logger: Logger(label: "bench"))
            var received = 0
            var bytes = 0
            var polls = 0
            var started: Measurement?
            while received < common.count {
                polls += 1
                for case .message(let message) in try await consumer.poll(maxEvents: 10_000, timeout: .seconds(1)) {
                    if started == nil { started = Measurement() }
                    received += 1
                    bytes += message.value?.count ?? 0
                }
            }
            let result = started!.finish(operation: "consume", messages: received)
            try await consumer.close()
            print(result)
            FileHandle.standardError.write(
                Data("consumed \(received) messages, \(bytes) value bytes, in \(polls) polls\n".utf8))
        }
    }
}

/// Wall-clock and CPU time from its creation to ``finish(operation:messages:)``.
struct Measurement {
    private let clock = ContinuousClock.now
    private let cpu = Measurement.cpuSeconds()

    func finish(operation: String, messages: Int) -> String {
        let elapsed = ContinuousClock.now - clock
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let cpuSeconds = Measurement.cpuSeconds() - cpu
        return """
            {"tool":"jump-kafka","operation":"\(operation)","messages":\(messages),\
            "seconds":\(seconds),"cpuSeconds":\(cpuSeconds),"messagesPerSecond":\(Double(messages) / seconds)}
            """
    }

    /// User plus system CPU time of this process so far.
    static func cpuSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }
}
