import ArgumentParser
import Foundation

/// How every jump-relay executable starts: no input, closed stream or broken pipe ends it with a signal.
public enum CommandMain {
    nonisolated(unsafe) private static var closedAtStart: Set<Int32> = []

    /// Whether standard input was closed when the process started (reading `-` then says so).
    public static var standardInputWasClosed: Bool { closedAtStart.contains(0) }

    /// Parses the command line of `command` and runs it, after replacing a closed standard input, output or error
    /// with `/dev/null` (so no file opened later takes descriptor 0, 1 or 2 and receives text meant for the
    /// terminal) and ignoring SIGPIPE (a closed pipe loses output, never ends the process).
    public static func run<Command: AsyncParsableCommand>(_ command: Command.Type) async {
        for descriptor: Int32 in [0, 1, 2] where fcntl(descriptor, F_GETFD) < 0 {
            closedAtStart.insert(descriptor)
            let opened = open("/dev/null", descriptor == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0, opened != descriptor {
                dup2(opened, descriptor)
                close(opened)
            }
        }
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
