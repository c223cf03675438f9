import ArgumentParser
import Foundation
import JumpCommandLine
import JumpEvents
import JumpKafka
import JumpPublishing
import Logging

/// Publishes JUMP partnership events to Kafka, the way people script kcat.
@main
struct JumpProducer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jump-producer",
        abstract: "Validate JUMP partnership events and publish them to Kafka, keyed by subject.",
        discussion: """
            Exit status: 0 when every event was delivered (or, with --dry-run, valid); 1 when any was rejected or \
            not delivered; 64 on a usage error; 78 on a configuration error (no broker, a bad -X property).

            Signals: 'serve' stops on SIGTERM or SIGINT (requests in hand are answered and every accepted event is \
            acknowledged or failed, within shutdownTimeoutSeconds) and reloads its tokens file and TLS certificate \
            on SIGHUP. 'publish' and 'event' end on SIGINT with the default action (what was acknowledged so far \
            stays published; run again: ids make a repeat a duplicate the worker skips).

            Environment: JUMP_BROKERS, the brokers when -b is not given; JUMP_DEV_BROKER_FILE, where a running \
            dev broker is discovered when neither is (never under systemd or Kubernetes); JUMP_LOG_FORMAT and \
            JUMP_LOG_LEVEL, the log; for 'serve', JUMP_<KEY> for every configuration key (serve.listen is \
            JUMP_SERVE_LISTEN), JUMP_CONFIG, and CREDENTIALS_DIRECTORY (systemd: the publish-tokens credential).

            Files: the events given (JSON Lines, a JSON array or documents, or - for standard input); the dev \
            broker's discovery file ($XDG_RUNTIME_DIR/jump-dev-broker, else /tmp/jump-dev-broker-UID); for \
            'serve', its tokens file (named token hashes) and TLS certificate and key.
            """,
        version: JumpVersion.current,
        subcommands: [Publish.self, Event.self, Serve.self, Generate.self])

    /// Runs the command with the standard streams guarded and SIGPIPE ignored (`CommandMain`).
    static func main() async { await CommandMain.run(Self.self, escape: TerminalText.escaped) }
}

/// The brokers and librdkafka properties: shared by `publish`, `event` and `serve`.
struct BrokerOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .long], help: "Bootstrap brokers, HOST:PORT[,...] (else $JUMP_BROKERS).")
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, key=value (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    func validate() throws {
        do {
            _ = try KafkaProperties.parse(properties)
        } catch {
            throw ValidationError(error.message)
        }
        if let problem = BrokerSettings.commandLineProblem(brokers) { throw ValidationError(problem) }
    }
}

/// Where and how to publish; shared by `publish` and `event`.
struct KafkaOptions: ParsableArguments {
    @OptionGroup var broker: BrokerOptions

    @Option(name: [.customShort("t"), .long], help: "The topic to publish to.")
    var topic = "jump.events"

    @Option(help: "The source of events that have none (default: urn:jump:producer:HOSTNAME).")
    var source: String?

    @Flag(help: "Validate only; no broker is contacted.")
    var dryRun = false

    func validate() throws {
        if let problem = BrokerSettings.topicNameProblem(topic) { throw ValidationError("-t/--topic: " + problem) }
    }

    var eventSource: String { source ?? "urn:jump:producer:\(ProcessInfo.processInfo.hostName)" }

    /// A producer for the resolved brokers, or exit 78 with the reason.
    func makeProducer(console: Console) throws -> KafkaProducer {
        do {
            let overrides = try KafkaProperties.parse(broker.properties)
            let settings = try BrokerSettings.resolve(brokers: broker.brokers, overrides: overrides)
            if let warning = settings.warning { console.line("jump-producer: warning: \(warning)") }
            var configuration = KafkaProducerConfiguration(bootstrapServers: settings.servers)
            // Bounded memory whatever the input size and however slow the broker: at most 4,096 messages or
            // 2 MiB wait in librdkafka's queue (its defaults are 100,000 and 1 GiB); enqueueing waits while the
            // queue is full. -X wins.
            configuration.overrides = ["queue.buffering.max.kbytes": "2048", "queue.buffering.max.messages": "4096"]
                .merging(overrides) { _, given in given }
            var logger = Logger(label: "jump-producer")
            logger.logLevel = .error
            return try KafkaProducer(configuration: configuration, logger: logger)
        } catch {
            console.line("jump-producer: \(error.message)")
            throw ExitCode(78)
        }
    }

    /// Validates the records of `inputs` as they are read, in bounded chunks, and (unless a dry run) publishes
    /// the valid ones; prints the summary and exits with the documented status. With `strict`, a first pass
    /// validates everything and nothing is sent unless all is valid; inputs that cannot be read twice (standard
    /// input, FIFOs) are spooled to a temporary file during that pass.
    func run(
        _ inputs: [EventInput], strict: Bool, console: Console,
        onAcknowledged: (@Sendable (String, KafkaDeliveryReport) -> Void)? = nil
    ) async throws {
        let publisher = EventPublisher(topic: topic, source: eventSource)
        var summary = PublishSummary()
        var inputs = inputs
        if strict || dryRun {
            summary = try await pass(
                &inputs, publisher: publisher, delivery: nil, spool: strict && !dryRun, console: console)
            if dryRun {
                console.line("valid \(summary.valid), rejected \(summary.rejected)")
                if !summary.isComplete(sent: false) { throw ExitCode.failure }
                return
            }
            if summary.rejected > 0 {
                console.line("jump-producer: --strict: nothing sent, because \(summary.rejected) events were rejected")
                console.line("published 0, rejected \(summary.rejected), failed 0")
                throw ExitCode.failure
            }
        }
        let producer = try makeProducer(console: console)
        let delivery = EventDelivery(
            producer: producer, topic: topic, notify: { console.notice($0) }, onAcknowledged: onAcknowledged)
        summary = try await pass(&inputs, publisher: publisher, delivery: delivery, spool: false, console: console)
        (summary.published, summary.failed) = try await delivery.finish()
        console.line("published \(summary.published), rejected \(summary.rejected), failed \(summary.failed)")
        if !summary.isComplete(sent: true) { throw ExitCode.failure }
    }

    /// One pass over the inputs: read, split, validate, and hand the valid events to `delivery`.
    private func pass(
        _ inputs: inout [EventInput], publisher: EventPublisher, delivery: EventDelivery?, spool: Bool,
        console: Console
    ) async throws -> PublishSummary {
        var summary = PublishSummary()
        // One batch is handed to librdkafka (waiting while its queue is full) while the next is read and
        // validated; batches are enqueued in input order.
        var enqueueing: Task<Void, any Error>?
        defer { enqueueing?.cancel() }
        for index in inputs.indices {
            let spooled = spool ? try inputs[index].spoolIfStream() : nil
            var splitter = RecordSplitter(origin: inputs[index].name)
            func process(_ batch: RecordBatch) async throws {
                for problem in batch.problems { console.line("\(problem.location): \(problem.reason)") }
                summary.rejected += batch.problems.count
                guard !batch.records.isEmpty else { return }
                let (prepared, rejected) = await publisher.validate(batch.records)
                for problem in rejected { console.line("\(problem.location): \(problem.reason)") }
                summary.rejected += rejected.count
                summary.valid += prepared.count
                guard let delivery else { return }
                try await enqueueing?.value
                enqueueing = Task { try await delivery.enqueue(prepared) }
            }
            do {
                var pending = RecordBatch()
                try await inputs[index].reader.read { chunk in
                    spooled?.write(chunk)
                    // Fed in slices, so a chunk of tiny lines never becomes a batch of half a million records.
                    for start in stride(from: 0, to: chunk.count, by: 16 << 10) {
                        let batch = splitter.feed(
                            UnsafeRawBufferPointer(rebasing: chunk[start..<min(chunk.count, start + (16 << 10))]))
                        pending.records += batch.records
                        pending.problems += batch.problems
                        pending.byteCount += batch.byteCount
                        if pending.records.count >= 2_048 || pending.byteCount >= 1 << 20 || !pending.problems.isEmpty {
                            try await process(pending)
                            pending = RecordBatch()
                        }
                    }
                }
                let last = splitter.finish()
                pending.records += last.records
                pending.problems += last.problems
                try await process(pending)
                if let spooled { inputs[index] = spooled.replayable(name: inputs[index].name) }
            } catch let error as InputError {
                console.line("jump-producer: \(error)")
                summary.rejected += 1
            }
        }
        try await enqueueing?.value
        enqueueing = nil
        return summary
    }
}

extension JumpProducer {
    struct Publish: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish events from JSON Lines (or a JSON array) in files or standard input.",
            discussion: """
                Each rejection is one line FILE:LINE: reason on standard error; the last line is \
                "published N, rejected M, failed K" ("valid N, rejected M" with --dry-run). Absent id (derived from \
                the content, so publishing a file twice adds nothing), time and source are filled in.
                """)

        @OptionGroup var kafka: KafkaOptions

        @Flag(help: "Send nothing unless every event is valid.")
        var strict = false

        @Argument(help: "Files of events; - or none for standard input.")
        var files: [String] = []

        func run() async throws {
            let console = Console()
            let inputs = (files.isEmpty ? ["-"] : files).map(EventInput.init(path:))
            try await kafka.run(inputs, strict: strict, console: console)
        }
    }

    struct Event: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish one event from the shell; prints its id, topic, partition and offset (tab-separated).",
            discussion:
                "For example: jump-producer event jump.jobs.reported --subject jobs.mexico-utah-trade --data @jobs.json"
        )

        @Argument(help: "The event type, such as jump.company.expansion-announced.")
        var type: String

        @Option(help: "What the event is about (the Kafka key), such as a company id.")
        var subject: String

        @Option(help: "The event's data: JSON, or @FILE to read it from a file.")
        var data: String

        @Option(help: "The event id (default: derived from the content).")
        var id: String?

        @Option(help: "The event time, RFC 3339 (default: now).")
        var time: String?

        @OptionGroup var kafka: KafkaOptions

        func run() async throws {
            let console = Console()
            var dataText: [UInt8] = []
            if data.hasPrefix("@") {
                let limit = JSONLimits().maximumBytes
                do {
                    dataText = try await InputReader(path: String(data.dropFirst())).prefix(upTo: limit)
                } catch {
                    throw ValidationError("--data \(data): \(error)")
                }
                guard dataText.count <= limit else {
                    throw ValidationError(
                        "--data \(data): more than \(limit) bytes; an event is at most \(limit) bytes"
                    )
                }
            } else {
                dataText = Array(data.utf8)
            }
            var object: JSONObject = ["specversion": "1.0", "type": .string(type), "subject": .string(subject)]
            if let id { object.set("id", .string(id)) }
            if let time { object.set("time", .string(time)) }
            do {
                object.set("data", try JSONParser().parse(dataText))
            } catch {
                console.line("--data: \(error)")
                console.line(kafka.dryRun ? "valid 0, rejected 1" : "published 0, rejected 1, failed 0")
                throw ExitCode.failure
            }
            let record = EventRecord(origin: "event", line: 1, bytes: JSONWriter.encode(.object(object))[...])
            let publisher = EventPublisher(topic: kafka.topic, source: kafka.eventSource)
            let (prepared, rejected) = await publisher.validate([record])
            for problem in rejected { console.line("\(problem.location): \(problem.reason)") }
            guard rejected.isEmpty else {
                console.line(kafka.dryRun ? "valid 0, rejected 1" : "published 0, rejected 1, failed 0")
                throw ExitCode.failure
            }
            if kafka.dryRun {
                console.line("valid 1, rejected 0")
                return
            }
            let id = prepared.first?.eventID ?? ""
            let delivery = EventDelivery(
                producer: try kafka.makeProducer(console: console), topic: kafka.topic, notify: { console.notice($0) },
                onAcknowledged: { _, report in
                    StandardStream.write(
                        "\(id)\t\(report.topicPartition.topic)\t\(report.topicPartition.partition)\t\(report.offset)\n",
                        to: STDOUT_FILENO)
                })
            try await delivery.enqueue(prepared)
            let (published, failed) = try await delivery.finish()
            console.line("published \(published), rejected 0, failed \(failed)")
            if published != 1 { throw ExitCode.failure }
        }
    }

    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write synthetic events as JSON Lines to standard output (deterministic for a seed).")

        @Option(help: "How many events.")
        var count: Int

        @Option(help: "The seed; the same seed gives the same bytes.")
        var seed: UInt64 = 1

        @Option(help: "The share of invalid events, from 0 to 1.")
        var invalidRatio = 0.0

        func validate() throws {
            guard count >= 0 else { throw ValidationError("--count must be 0 or more") }
            guard (0...1).contains(invalidRatio) else { throw ValidationError("--invalid-ratio must be from 0 to 1") }
        }

        func run() throws {
            var buffer: [UInt8] = []
            buffer.reserveCapacity(1 << 20)
            for line in EventGenerator(seed: seed, invalidRatio: invalidRatio).prefix(count) {
                buffer += line
                buffer.append(0x0A)
                if buffer.count > 1 << 20 {
                    StandardStream.write(String(decoding: buffer, as: UTF8.self), to: STDOUT_FILENO)
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            StandardStream.write(String(decoding: buffer, as: UTF8.self), to: STDOUT_FILENO)
        }
    }
}
