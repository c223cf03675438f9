import ArgumentParser
import Foundation
import JumpEvents
import JumpKafka
import JumpWorker
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
            """,
        subcommands: [Publish.self, Event.self, Generate.self])
}

/// Where and how to publish; shared by `publish` and `event`.
struct KafkaOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .long], help: "Bootstrap brokers, HOST:PORT[,...] (else $JUMP_BROKERS).")
    var brokers: String?

    @Option(name: [.customShort("t"), .long], help: "The topic to publish to.")
    var topic = "jump.events"

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, key=value (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(help: "The source of events that have none (default: urn:jump:producer:HOSTNAME).")
    var source: String?

    @Flag(help: "Validate only; no broker is contacted.")
    var dryRun = false

    func validate() throws {
        do {
            _ = try KafkaProperties.parse(properties)
        } catch {
            throw ValidationError(error.message)
        }
    }

    var eventSource: String { source ?? "urn:jump:producer:\(ProcessInfo.processInfo.hostName)" }

    /// A producer for the resolved brokers, or exit 78 with the reason.
    func makeProducer(console: Console) throws -> KafkaProducer {
        do {
            let overrides = try KafkaProperties.parse(properties)
            let settings = try BrokerSettings.resolve(brokers: brokers, overrides: overrides)
            if let warning = settings.warning { console.line("jump-producer: warning: \(warning)") }
            var configuration = KafkaProducerConfiguration(bootstrapServers: settings.servers)
            configuration.overrides = overrides
            var logger = Logger(label: "jump-producer")
            logger.logLevel = .error
            return try KafkaProducer(configuration: configuration, logger: logger)
        } catch {
            console.line("jump-producer: \(error.message)")
            throw ExitCode(78)
        }
    }

    /// Validates, then publishes (or only counts, in a dry run), and exits with the documented status.
    func run(_ records: [EventRecord], unreadable: Int, strict: Bool, console: Console) async throws {
        let producer = dryRun ? nil : try makeProducer(console: console)
        let summary = try await EventPublisher(topic: topic, source: eventSource).publish(
            records, through: producer, strict: strict, rejectedBeforehand: unreadable,
            notify: { console.notice($0, total: records.count) })
        if dryRun {
            console.line("valid \(summary.valid), rejected \(summary.rejected)")
        } else {
            if strict && summary.rejected > 0 {
                console.line("jump-producer: --strict: nothing sent, because \(summary.rejected) events were rejected")
            }
            console.line("published \(summary.published), rejected \(summary.rejected), failed \(summary.failed)")
        }
        if !summary.isComplete(sent: !dryRun) { throw ExitCode.failure }
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
            var records: [EventRecord] = []
            var unreadable = 0
            for file in files.isEmpty ? ["-"] : files {
                let bytes: [UInt8]
                do {
                    bytes = try Console.read(file)
                } catch {
                    unreadable += 1
                    console.line("\(file): cannot read: \(error.localizedDescription)")
                    continue
                }
                let (found, problems) = EventRecords.split(bytes, origin: file)
                records += found
                for (problem, message) in problems {
                    unreadable += 1
                    console.line("\(problem.location): \(message)")
                }
            }
            try await kafka.run(records, unreadable: unreadable, strict: strict, console: console)
        }
    }

    struct Event: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Publish one event from the shell.",
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
            let dataText: [UInt8]
            if data.hasPrefix("@") {
                do {
                    dataText = try Console.read(String(data.dropFirst()))
                } catch {
                    throw ValidationError("--data \(data): cannot read: \(error.localizedDescription)")
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
            try await kafka.run([record], unreadable: 0, strict: true, console: console)
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
                    FileHandle.standardOutput.write(Data(buffer))
                    buffer.removeAll(keepingCapacity: true)
                }
            }
            FileHandle.standardOutput.write(Data(buffer))
        }
    }
}
