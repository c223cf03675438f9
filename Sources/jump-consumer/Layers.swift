import ArgumentParser
import JumpCommandLine
import JumpKafka
import JumpService
import Logging

/// The configuration layers as every subcommand resolves them (command line, `JUMP_*`, the file, defaults): one
/// place for the exit status of a bad value and for how `-X` goes on top of the configuration's `kafka.*`.
enum Layers {
    /// The settings with these command-line values on top (by configuration key; `nil` values are not given),
    /// or exit 78 naming the bad key. Secret files are read only when `readingSecretFiles`.
    static func settings(
        _ commandLine: [String: String?], file: String?, readingSecretFiles: Bool
    ) async throws -> ConsumerSettings {
        do {
            let settings = try await ConsumerConfiguration.settings(
                commandLine: commandLine.compactMapValues { $0 }, file: file, readingSecretFiles: readingSecretFiles)
            // Every command logs as the configuration says (`log.format`, `log.level`), not only `run`.
            StructuredLogHandler.Configuration.process.set(
                format: settings.logFormat, level: settings.logLevel, secrets: settings.secrets)
            return settings
        } catch {
            Console.error("\(error)")
            throw ExitCode(78)
        }
    }

    /// The librdkafka properties: the configuration's `kafka.*`, then `-X key=value` on top.
    /// - Throws: ``KafkaError`` naming a `-X` that is not `key=value` (a usage error for `run`, a configuration
    ///   error for `dlq`, as each command documents).
    static func kafkaProperties(
        _ settings: ConsumerSettings, passThrough: [String]
    ) throws(KafkaError)
        -> [String: String]
    {
        settings.kafka.merging(try KafkaProperties.parse(passThrough)) { _, given in given }
    }
}

/// `-b`, `-X` and `--config` of the commands that talk to Kafka without running a worker (`dlq`, `placement
/// cutover`): brokers and `kafka.*` (SASL, TLS) settings from the same layers as `run`.
struct KafkaAccess: ParsableArguments {
    @Option(
        name: [.customShort("b"), .long],
        help: "Bootstrap brokers, HOST:PORT[,...] (else $JUMP_BROKERS, else the configuration's).")
    var brokers: String?

    @Option(
        name: .customShort("X"),
        help: ArgumentHelp("A librdkafka property, key=value (repeatable).", valueName: "key=value"))
    var properties: [String] = []

    @Option(
        help: ArgumentHelp(
            "A JSON configuration file (else $JUMP_CONFIG): its brokers and kafka.* (SASL, TLS) apply.",
            valueName: "file"))
    var config: String?

    func validate() throws {
        if let problem = BrokerSettings.commandLineProblem(brokers) { throw ValidationError(problem) }
    }

    /// The settings (with `commandLine` values on top), the librdkafka properties and the brokers, and a logger
    /// for warnings; exit 78 naming a bad value.
    func resolve(
        _ commandLine: [String: String?]
    ) async throws
        -> (settings: ConsumerSettings, overrides: [String: String], brokers: [String], logger: Logger)
    {
        Console.warnAboutSecrets(inPassThrough: properties)
        var logger = Logger(label: "jump-consumer")
        logger.logLevel = .warning
        let settings = try await Layers.settings(
            commandLine.merging(["brokers": brokers]) { given, _ in given }, file: config, readingSecretFiles: true)
        do {
            let overrides = try Layers.kafkaProperties(settings, passThrough: properties)
            let resolved = try BrokerSettings.resolve(brokers: settings.brokers, overrides: overrides)
            if let warning = resolved.warning { logger.warning("\(warning)") }
            return (settings, overrides, resolved.servers, logger)
        } catch {
            Console.error("\(error)")
            throw ExitCode(78)
        }
    }
}
