import ArgumentParser
import Dispatch
import Foundation
import JumpDigests
import JumpKafka
import JumpState
import JumpWorker
import Logging

/// The jump-relay worker daemon and its queries.
@main
struct JumpConsumer: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jump-consumer",
        abstract: "Fold JUMP partnership events into a durable state store, and query it.",
        discussion: """
            Exit status: 0 stopped cleanly (SIGTERM/SIGINT) or idle (--until-idle); 1 a fatal error; 64 a usage \
            error; 65 the store's offset is not in the log (see --offset-reset); 78 a configuration error.
            """,
        subcommands: [Run.self, State.self, Digest.self])

    /// `--state PATH`, shared by every subcommand.
    struct StateOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The state store (default: $JUMP_STATE, else $STATE_DIRECTORY/state.sqlite under systemd, else ./jump-state.sqlite).",
                valueName: "path"))
        var state: String?

        var path: String {
            let environment = ProcessInfo.processInfo.environment
            if let state { return state }
            if let path = environment["JUMP_STATE"], !path.isEmpty { return path }
            if let directory = environment["STATE_DIRECTORY"]?.split(separator: ":").first {
                return "\(directory)/state.sqlite"
            }
            return "jump-state.sqlite"
        }
    }

    /// `--digest-config FILE` and `--digest-dir DIR`, shared by `run` and `digest`.
    struct DigestOptions: ParsableArguments {
        @Option(
            help: ArgumentHelp(
                "The digest configuration (audiences, staff, routing, schedules, sinks; default: $JUMP_DIGEST_CONFIG, else built-in; see Deploy/digests.example.json).",
                valueName: "file"))
        var digestConfig: String?

        @Option(
            help: ArgumentHelp(
                "Where digests.log and digests.jsonl are written (default: beside the state store).", valueName: "dir"))
        var digestDir: String?

        func configuration() throws(DigestConfigurationError) -> DigestConfiguration {
            let environment = ProcessInfo.processInfo.environment
            guard let path = digestConfig ?? environment["JUMP_DIGEST_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 })
            else { return .builtIn }
            return try DigestConfiguration.load(path: path)
        }

        func directory(statePath: String) -> String {
            if let digestDir { return digestDir }
            let parent = (statePath as NSString).deletingLastPathComponent
            return parent.isEmpty ? "." : parent
        }
    }
}

extension JumpConsumer {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Fold jump.events into the state store and deliver digests (the state and notifier roles).",
            discussion: """
                --role state consumes jump.events in the group jump-state, folds it into the store and relays the \
                notification items it routes to jump.notifications; --role notifier consumes jump.notifications in \
                the group jump-notifier and delivers digests when windows close; --role all (the default) runs both.
                """)

        @Option(help: "state, notifier or all.")
        var role = "all"

        @OptionGroup var digests: DigestOptions

        @Option(help: "The notifications topic (one partition).")
        var notificationsTopic = "jump.notifications"

        @Option(help: "The digests topic.")
        var digestsTopic = "jump.digests"

        @Option(name: [.customShort("b"), .long], help: "Bootstrap brokers, HOST:PORT[,...] (else $JUMP_BROKERS).")
        var brokers: String?

        @Option(
            name: .customShort("X"),
            help: ArgumentHelp("A librdkafka property, key=value (repeatable).", valueName: "key=value"))
        var properties: [String] = []

        @OptionGroup var store: StateOptions

        @Option(name: [.customShort("t"), .long], help: "The events topic.")
        var topic = "jump.events"

        @Option(help: "The dead-letter topic.")
        var dlqTopic = "jump.events.dlq"

        @Option(help: "The consumer group.")
        var group = "jump-state"

        @Option(help: "The most messages applied in one transaction.")
        var batchSize = 1_000

        @Flag(help: "Exit 0 once every assigned partition is caught up.")
        var untilIdle = false

        @Option(help: "Pause this many milliseconds after each batch (a throttle).")
        var pauseMs = 0

        @Option(help: "How many offsets back, per partition, applied event ids are remembered to skip duplicates.")
        var ledgerWindow: Int64 = StateStore.defaultLedgerWindow

        @Option(
            help: ArgumentHelp(
                "When the store's offset is not in the log: continue from 'earliest' or 'latest' instead of stopping.",
                valueName: "earliest|latest"))
        var offsetReset: String?

        @Option(help: "Log level: trace, debug, info, notice, warning, error.")
        var logLevel = "info"

        func validate() throws {
            guard (1...100_000).contains(batchSize) else { throw ValidationError("--batch-size must be 1...100000") }
            guard (0...60_000).contains(pauseMs) else { throw ValidationError("--pause-ms must be 0...60000") }
            guard ledgerWindow >= 1 else { throw ValidationError("--ledger-window must be at least 1") }
            guard offsetReset == nil || ["earliest", "latest"].contains(offsetReset!) else {
                throw ValidationError("--offset-reset must be earliest or latest")
            }
            guard ConsumerRole(rawValue: role) != nil else {
                throw ValidationError("--role must be state, notifier or all")
            }
            guard Logger.Level(rawValue: logLevel) != nil else {
                throw ValidationError("unknown --log-level \(logLevel)")
            }
            do {
                _ = try KafkaProperties.parse(properties)
            } catch {
                throw ValidationError(error.message)
            }
        }

        func run() async throws {
            var logger = Logger(label: "jump-consumer")
            logger.logLevel = Logger.Level(rawValue: logLevel)!
            let worker: ConsumerDaemon
            do {
                let overrides = try KafkaProperties.parse(properties)
                let settings = try BrokerSettings.resolve(brokers: brokers, overrides: overrides)
                if let warning = settings.warning { logger.warning("\(warning)") }
                var configuration = StateWorkerConfiguration(brokers: settings.servers)
                configuration.overrides = overrides
                configuration.topic = topic
                configuration.deadLetterTopic = dlqTopic
                configuration.groupID = group
                configuration.batchSize = batchSize
                configuration.untilIdle = untilIdle
                configuration.pauseBetweenBatches = .milliseconds(pauseMs)
                configuration.ledgerWindow = ledgerWindow
                configuration.offsetReset = offsetReset.map { $0 == "earliest" ? .earliest : .latest }
                var notifier = NotifierConfiguration(brokers: settings.servers)
                notifier.overrides = overrides
                let stateStore = try StateStore(path: store.path, backgroundCheckpoints: true)
                worker = try ConsumerDaemon(
                    role: ConsumerRole(rawValue: role)!, state: configuration, notifier: notifier,
                    digests: try digests.configuration(), digestDirectory: digests.directory(statePath: store.path),
                    notificationsTopic: notificationsTopic, digestsTopic: digestsTopic, store: stateStore,
                    logger: logger)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitCode(78)
            }
            let signals = TerminationSignals { [logger] name in
                logger.notice("\(name): finishing the current batch, committing, leaving the group")
                worker.requestStop()
            }
            // Log rotation: the digest log is opened for every digest, so after the operator renames it, the next
            // digest starts a new file; SIGHUP (what logrotate sends) must not end the process.
            let hangup = TerminationSignals([(SIGHUP, "SIGHUP")]) { [logger] _ in
                logger.notice("SIGHUP: digests.log and digests.jsonl are reopened by path for the next digest")
            }
            defer { withExtendedLifetime((signals, hangup)) {} }
            logger.notice(
                "started",
                metadata: [
                    "role": "\(role)", "state": "\(store.path)", "topic": "\(topic)",
                    "digests": "\(digests.directory(statePath: store.path))",
                ])
            do {
                let exit = try await worker.run()
                logger.notice("stopped", metadata: ["reason": "\(exit)"])
            } catch let error as OffsetOutOfRange {
                logger.critical("\(error)")
                throw ExitCode(65)
            } catch {
                logger.critical("stopping on a fatal error: \(error)")
                throw ExitCode.failure
            }
        }
    }

    struct State: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Query the state store (safe while a worker runs on it).",
            subcommands: [Summary.self, Company.self, Fingerprint.self])
    }
}

/// Signals (SIGTERM and SIGINT by default) call `handler` (on a Dispatch queue) instead of their default action,
/// while this object lives.
final class TerminationSignals {
    private let sources: [any DispatchSourceSignal]

    init(
        _ signals: [(Int32, String)] = [(SIGTERM, "SIGTERM"), (SIGINT, "SIGINT")],
        handler: @escaping @Sendable (String) -> Void
    ) {
        let queue = DispatchQueue(label: "jump-consumer.signals")
        sources = signals.map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { handler(name) }
            source.resume()
            return source
        }
    }
}
