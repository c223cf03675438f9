import ArgumentParser
import Dispatch
import Foundation
import JumpCommandLine
import JumpKafka
import Logging
import UnixSignals

/// Runs librdkafka's in-memory mock Kafka cluster as a process, with the jump topics created.
@main
struct JumpDevBroker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jump-dev-broker",
        abstract: "An in-memory Kafka cluster for development and tests (librdkafka's mock cluster).",
        discussion: """
            Prints `bootstrap.servers=HOST:PORT,...` as the first line of standard output and serves until \
            SIGINT or SIGTERM. In memory only: about 5 MiB kept per partition, no replication, TLS or SASL.

            Exit status: 0 after SIGINT or SIGTERM; 64 on a usage error (a bad --topic, --broker-count, \
            --partitions or --log-format); 1 when the mock cluster or a topic cannot be created.

            Signals: SIGINT and SIGTERM stop it; its discovery file is withdrawn first. Everything it held is gone.

            Environment: JUMP_DEV_BROKER_FILE (else XDG_RUNTIME_DIR), where it writes its discovery file; \
            JUMP_LOG_FORMAT and JUMP_LOG_LEVEL, the log (--log-format wins).

            Files: the discovery file ($JUMP_DEV_BROKER_FILE, else $XDG_RUNTIME_DIR/jump-dev-broker, else \
            /tmp/jump-dev-broker-UID) that jump-producer and jump-consumer read when no broker is given: pass \
            --no-discovery-file in tests and scripts, or two runs on one machine talk to each other's broker; \
            --bootstrap-file, the bare bootstrap list, if asked for.
            """,
        version: JumpVersion.current)

    /// Runs the command with the standard streams guarded and SIGPIPE ignored (`CommandMain`).
    static func main() async { await CommandMain.run(Self.self, escape: LibrdkafkaText.escaped) }

    @Option(help: "How many brokers to run.")
    var brokerCount = 3

    @Option(help: "Partitions of jump.events and jump.events.dlq.")
    var partitions = 6

    @Option(name: .customLong("topic"), help: "An extra topic, NAME or NAME:PARTITIONS (repeatable).")
    var extraTopics: [String] = []

    @Option(help: "Also write the bare bootstrap list to this file.")
    var bootstrapFile: String?

    @Option(help: "Where clients look for a running dev broker (default: the well-known file).")
    var discoveryFile: String?

    @Flag(help: "Do not write the discovery file.")
    var noDiscoveryFile = false

    @Flag(name: .shortAndLong, help: "Log librdkafka's and the broker's debug messages.")
    var verbose = false

    @Option(help: "The log's format, logfmt or json (default: $JUMP_LOG_FORMAT, else logfmt).")
    var logFormat: String?

    func validate() throws {
        guard (1...16).contains(brokerCount) else { throw ValidationError("--broker-count must be 1...16") }
        guard (1...1024).contains(partitions) else { throw ValidationError("--partitions must be 1...1024") }
        if let logFormat, StructuredLogHandler.Format(rawValue: logFormat) == nil {
            throw ValidationError("--log-format must be logfmt or json, not \(LibrdkafkaText.escaped(logFormat))")
        }
        _ = try topics()
    }

    func run() async throws {
        if let format = logFormat.flatMap(StructuredLogHandler.Format.init(rawValue:)) {
            let current = StructuredLogHandler.Configuration.process.current
            StructuredLogHandler.Configuration.process.set(
                format: format, level: current.level, secrets: current.secrets)
        }
        var logger = Logger(label: "jump-dev-broker")
        // Its own lines at notice unless JUMP_LOG_LEVEL asks for less (or --verbose for everything).
        let configured = StructuredLogHandler.Configuration.process.current.level
        logger.logLevel = verbose ? .debug : max(configured, .notice)
        let cluster = try MockCluster(brokerCount: brokerCount, logger: logger)
        for (name, count) in try topics() {
            try cluster.createTopic(name, partitions: count)
        }
        if let bootstrapFile {
            try Data(cluster.bootstrapServers.utf8).write(to: URL(fileURLWithPath: bootstrapFile), options: .atomic)
        }
        let discovery = noDiscoveryFile ? nil : (discoveryFile ?? DevBrokerDiscovery.wellKnownFile())
        if let discovery {
            do {
                try DevBrokerDiscovery.publish(bootstrapServers: cluster.bootstrapServers, to: discovery)
            } catch let taken as DevBrokerDiscovery.Taken {
                logger.warning("\(taken)")
            }
        }
        // The first line comes last, so whoever reads it may rely on the files too.
        FileHandle.standardOutput.write(Data("bootstrap.servers=\(cluster.bootstrapServers)\n".utf8))
        let names = try topics().map(\.name)
        logger.notice(
            "serving",
            metadata: ["brokers": .stringConvertible(brokerCount), "topics": .array(names.map { .string($0) })])
        let signal = await Signals.first(of: [.sigint, .sigterm])
        if let discovery { DevBrokerDiscovery.withdraw(file: discovery) }
        logger.notice("stopping on \(signal.map { "\($0)" } ?? "end of signals")")
        withExtendedLifetime(cluster) {}
    }

    /// The jump topics and the extra ones, with their partition counts.
    private func topics() throws -> [(name: String, partitions: Int)] {
        var result = [
            ("jump.events", partitions), ("jump.events.dlq", partitions), ("jump.notifications", 1),
            ("jump.digests", 1),
        ]
        for spec in extraTopics {
            let parts = spec.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count <= 2, !parts[0].isEmpty,
                let count = parts.count == 2 ? Int(parts[1]) : partitions, (1...1024).contains(count)
            else { throw ValidationError("--topic '\(spec)' is not NAME or NAME:PARTITIONS (1...1024)") }
            result.append((String(parts[0]), count))
        }
        return result
    }

}
