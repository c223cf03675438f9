import Foundation
import JumpCommandLine
import JumpEvents
import JumpKafka
import JumpService

/// What `jump-consumer`'s commands print for people: every line passes through `TerminalText.escaped`, so text
/// from events, keys, headers or the environment shows its control and bidirectional characters as visible
/// escapes, and writes never trap (a closed or full standard error or output loses the line, nothing else).
enum Console {
    /// One line on standard error, `jump-consumer: ` first.
    static func error(_ text: String) {
        StructuredLogHandler.standardError("jump-consumer: " + TerminalText.escaped(text) + "\n")
    }

    /// One line on standard error as it is given (a summary line), escaped.
    static func note(_ text: String) {
        StructuredLogHandler.standardError(TerminalText.escaped(text) + "\n")
    }

    /// One line on standard output, escaped.
    static func line(_ text: String) {
        print(TerminalText.escaped(text))
    }

    /// Prints tab-separated fields, each escaped as ``line(_:)`` escapes text (a tab inside a field shows as `\t`).
    static func fields(_ fields: [String]) {
        print(fields.map(TerminalText.escaped).joined(separator: "\t"))
    }

    /// Warns about every secret property given with `-X` on the command line (visible to every user of the
    /// machine in `/proc/PID/cmdline` and `ps`), pointing at the alternatives.
    static func warnAboutSecrets(inPassThrough arguments: [String]) {
        for argument in arguments {
            guard let equals = argument.firstIndex(of: "=") else { continue }
            let key = String(argument[..<equals]).trimmingCharacters(in: .whitespaces)
            guard KafkaProperties.isSecret(key) else { continue }
            error(
                "warning: -X \(key) on the command line is visible to every user of this machine (/proc/PID/cmdline, "
                    + "ps); set it in the configuration file (kafka.saslPasswordFile reads a file, a systemd credential "
                    + "or a Kubernetes Secret) or in JUMP_KAFKA_SASL_PASSWORD instead")
        }
    }
}
