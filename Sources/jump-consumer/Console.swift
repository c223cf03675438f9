import JumpEvents
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
}
