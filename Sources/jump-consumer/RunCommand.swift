import ArgumentParser
import Foundation
import JumpCommandLine
import JumpDigests
import JumpKafka
import JumpService
import JumpState
import JumpWorker
import Logging
import Metrics
import Prometheus
import UnixSignals

/// The options of `run` (and `config show`): each one, when given, is the first layer of the configuration.
struct RunOptions: ParsableArguments {
    /// `--state` and `--config`.
    @OptionGroup var store: JumpConsumer.StateOptions

    /// `--digest-config` and `--digest-dir`.
    @OptionGroup var digests: JumpConsumer.DigestOptions

    @Option(help: "state, notifier or all (default all).")
    var role: String?

    @Option(name: [.customShort("b"), .long], help: "Bootstrap brokers, HOST:PORT[,...] (JUMP_BROKERS).")
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp(
            "A librdkafka property, key=value (repeatable; wins over the configuration).", valueName: "key=value"))
    var properties: [String] = []

    @Option(name: [.customShort("t"), .long], help: "The events topic (default jump.events).")
    var topic: String?

    @Option(help: "The dead-letter topic (default jump.events.dlq).")
    var dlqTopic: String?

    @Option(help: "The state worker's consumer group (default jump-state).")
    var group: String?

    @Option(help: "The notifications topic, one partition (default jump.notifications).")
    var notificationsTopic: String?

    @Option(help: "The digests topic (default jump.digests).")
    var digestsTopic: String?

    @Option(help: "The most messages applied in one transaction (default 1000).")
    var batchSize: Int?

    @Option(help: "Pause this many milliseconds after each batch, a throttle (default 0).")
    var pauseMs: Int?

    @Option(help: "How many offsets back, per partition, applied event ids are remembered (default 1000000).")
    var ledgerWindow: Int64?

    @Option(
        help: ArgumentHelp(
            "When the store's offset is not in the log: continue from earliest or latest.", valueName: "earliest|latest"
        ))
    var offsetReset: String?

    @Option(
        help: ArgumentHelp(
            "The HTTP endpoint for /metrics, /healthz, /readyz (default 127.0.0.1:9464).", valueName: "host:port|off"))
    var http: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (default info).")
    var logLevel: String?

    @Option(help: "Log format: logfmt or json (default logfmt).")
    var logFormat: String?

    @Option(help: "Seconds a graceful shutdown may take (default 20).")
    var shutdownTimeout: Int?

    @Option(help: "With --until-idle: seconds to wait for partitions before exiting 69 (default 60).")
    var waitTimeout: Int?

    /// The options given, by configuration key.
    var commandLineValues: [String: String?] {
        [
            "role": role, "brokers": brokers, "state": store.state, "topic": topic, "dlqTopic": dlqTopic,
            "group": group,
            "notificationsTopic": notificationsTopic, "digestsTopic": digestsTopic,
            "batchSize": batchSize.map(String.init), "pauseMs": pauseMs.map(String.init),
            "ledgerWindow": ledgerWindow.map(String.init), "offsetReset": offsetReset,
            "digestConfig": digests.digestConfig, "digestDir": digests.digestDir, "http": http, "log.level": logLevel,
            "log.format": logFormat,
            "shutdownTimeoutSeconds": shutdownTimeout.map(String.init),
            "waitTimeoutSeconds": waitTimeout.map(String.init),
        ]
    }

    /// The settings, or exit 78 with the bad key named; `readingSecretFiles` off for `config show`.
    func settings(readingSecretFiles: Bool = true) async throws -> ConsumerSettings {
        try await Layers.settings(commandLineValues, file: store.config, readingSecretFiles: readingSecretFiles)
    }

    /// The librdkafka properties: the configuration's `kafka.*`, then `-X` on top.
    func overrides(_ settings: ConsumerSettings) throws -> [String: String] {
        do {
            return try Layers.kafkaProperties(settings, passThrough: properties)
        } catch {
            throw ValidationError(error.message)
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
                the group jump-notifier and delivers digests when windows close; --role all (the default) runs both. \
                As a daemon it serves /metrics, /healthz and /readyz (--http) and reports to systemd (Type=notify).
                """)

        @OptionGroup var options: RunOptions

        @Flag(help: "Run the roles until each is through and exit 0 once caught up and delivered (no HTTP endpoint).")
        var untilIdle = false

        func validate() throws {
            do {
                _ = try KafkaProperties.parse(options.properties)
            } catch {
                throw ValidationError(error.message)
            }
            if let problem = BrokerSettings.commandLineProblem(options.brokers) { throw ValidationError(problem) }
        }

        func run() async throws {
            let settings = try await options.settings()
            let overrides = try options.overrides(settings)
            let registry = StructuredLogHandler.bootstrap(
                format: settings.logFormat, level: settings.logLevel, secrets: settings.secrets, overrides: overrides)
            WorkerMetrics.registerAll()
            let logger = Logger(label: "jump-consumer")
            Console.warnAboutSecrets(inPassThrough: options.properties)
            if !untilIdle, let address = HTTPAddress(settings.http), let problem = HealthEndpoint.probe(address) {
                logger.critical(
                    "cannot listen on \(address) for /metrics, /healthz and /readyz: \(problem); set --http HOST:PORT (JUMP_HTTP) or --http off"
                )
                throw ExitCode(78)
            }
            let daemon: ConsumerDaemon
            do {
                guard
                    let opened = try await ConsumerApplication.daemon(
                        settings: settings, overrides: overrides, untilIdle: untilIdle, logger: logger)
                else {
                    logger.notice("stopped", metadata: ["reason": "a signal while waiting for room to open the store"])
                    return
                }
                daemon = opened
            } catch let error as RetriesExhausted {
                logger.critical("\(error)")
                throw ExitCode(75)
            } catch {
                logger.critical("cannot start: \(error)")
                throw ExitCode(78)
            }
            logger.notice(
                "started",
                metadata: [
                    "role": "\(settings.role.rawValue)", "state": "\(settings.state)", "topic": "\(settings.topic)",
                    "digests": "\(settings.digestDirectory)", "http": "\(untilIdle ? "off" : settings.http)",
                ])
            // Every role has stopped when this runs (the service group, or the roles in turn, returned or threw).
            defer { daemon.store.close() }
            do {
                // Log rotation: the digest log is opened for every digest, so after the operator renames it, the
                // next digest starts a new file; SIGHUP (what logrotate sends) must not end the process.
                try await Signals.handling(
                    [.sighup],
                    with: { [logger] _ in
                        logger.notice("SIGHUP: digests.log and digests.jsonl are reopened by path for the next digest")
                    }
                ) {
                    if untilIdle {
                        try await runUntilIdle(daemon, logger: logger)
                    } else {
                        try await ConsumerApplication.run(
                            daemon: daemon, settings: settings, registry: registry, logger: logger)
                        logger.notice("stopped", metadata: ["reason": "shutdown"])
                    }
                }
            } catch let error as OffsetOutOfRange {
                logger.critical("\(error)")
                throw ExitCode(65)
            } catch let error as AssignmentTimedOut {
                logger.critical("\(error)")
                throw ExitCode(69)
            } catch let error as RetriesExhausted {
                logger.critical("\(error)")
                throw ExitCode(75)
            } catch let exit as ExitCode {
                throw exit
            } catch {
                logger.critical("stopping on a fatal error: \(error)")
                throw ExitCode.failure
            }
        }

        /// Runs the roles until they are idle; SIGTERM or SIGINT finish the batch in hand first.
        private func runUntilIdle(_ daemon: ConsumerDaemon, logger: Logger) async throws {
            let exit = try await Signals.handling(
                [.sigterm, .sigint],
                with: { [logger] signal in
                    logger.notice("\(signal): finishing the current batch, committing, leaving the group")
                    daemon.requestStop()
                }
            ) { try await daemon.run() }
            let undelivered = try await daemon.undeliveredDigests()
            if undelivered > 0 {
                logger.error(
                    "\(undelivered) digest deliveries are not delivered yet; 'jump-consumer digest list' shows their last errors, and the next run retries them"
                )
                throw ExitCode(75)
            }
            logger.notice("stopped", metadata: ["reason": "\(exit)"])
        }
    }

    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the effective configuration.", subcommands: [Show.self])

        struct Show: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract:
                    "Print the configuration `run` would use, each value with where it came from (command line, JUMP_*, file, default), secrets redacted."
            )

            @OptionGroup var options: RunOptions

            func run() async throws {
                // A secret file is named, not read: the configuration can be checked where the secret is absent.
                let settings = try await options.settings(readingSecretFiles: false)
                let sources = try ConsumerConfiguration.sources(
                    commandLine: options.commandLineValues.compactMapValues { $0 }, file: options.store.config)
                for line in settings.describe() {
                    let key = String(line.prefix { $0 != " " })
                    let source = [key + "File", key].compactMap { sources[$0] }.first { $0 != "default" } ?? "default"
                    Console.line("\(line)    (\(source))")
                }
                let properties = try options.overrides(settings)
                if !properties.isEmpty {
                    print("librdkafka properties:")
                    KafkaProperties.redactedDescription(properties).split(separator: "\n").forEach {
                        Console.line(String($0))
                    }
                }
            }
        }
    }
}
