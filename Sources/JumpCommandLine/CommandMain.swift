import ArgumentParser
import CStandardStreams
import Foundation

/// How every jump-relay executable starts: no input, closed stream or broken pipe ends it with a signal.
public enum CommandMain {
    /// Whether standard input was closed when the process started (reading `-` then says so). A closed standard
    /// input, output or error is replaced by `/dev/null` before `main` (a C constructor in `CStandardStreams`,
    /// since Swift's concurrency runtime opens descriptors before an async `main` runs), so no descriptor opened
    /// later takes number 0, 1 or 2 and receives text meant for the terminal.
    public static var standardInputWasClosed: Bool { jump_standard_streams_closed_at_start() & 1 != 0 }

    /// Parses the command line of `command` and runs it with SIGPIPE ignored (a closed pipe loses output, never
    /// ends the process).
    public static func run<Command: AsyncParsableCommand>(_ command: Command.Type) async {
        signal(SIGPIPE, SIG_IGN)
        do {
            var parsed = try Command.parseAsRoot()
            if var parsed = parsed as? any AsyncParsableCommand {
                try await parsed.run()
            } else {
                try parsed.run()
            }
        } catch {
            Command.exit(withError: error)
        }
    }
}
