import ArgumentParser
import JumpKafka
import JumpService

/// The configuration layers as every subcommand resolves them (command line, `JUMP_*`, the file, defaults): one
/// place for the exit status of a bad value and for how `-X` goes on top of the configuration's `kafka.*`.
enum Layers {
    /// The settings with these command-line values on top (by configuration key; `nil` values are not given),
    /// or exit 78 naming the bad key. Secret files are read only when `readingSecretFiles`.
    static func settings(
        _ commandLine: [String: String?], file: String?, readingSecretFiles: Bool
    ) async throws -> ConsumerSettings {
        do {
            return try await ConsumerConfiguration.settings(
                commandLine: commandLine.compactMapValues { $0 }, file: file, readingSecretFiles: readingSecretFiles)
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
