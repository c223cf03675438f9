import ArgumentParser
import CStandardStreams
import Foundation

/// `write(2)` under a name ``StandardStream``'s own `write` does not shadow (Foundation brings the C call on Linux
/// and macOS).
private func writeDescriptor(_ descriptor: Int32, _ bytes: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, bytes, count)
}

/// How every jump-relay executable starts: no input, closed stream or broken pipe ends it with a signal.
package enum CommandMain {
    /// Whether standard input was closed when the process started (reading `-` then says so). A closed standard
    /// input, output or error is replaced by `/dev/null` before `main` (a C constructor in `CStandardStreams`,
    /// since Swift's concurrency runtime opens descriptors before an async `main` runs), so no descriptor opened
    /// later takes number 0, 1 or 2 and receives text meant for the terminal.
    package static var standardInputWasClosed: Bool { jump_standard_streams_closed_at_start() & 1 != 0 }

    /// Parses the command line of `command` and runs it with SIGPIPE ignored (a closed pipe loses output, never
    /// ends the process) and every log record written by ``StructuredLogHandler``. An error for which `report` gives a line and a status is written as that line and ends
    /// the process with that status; any other ends it with ArgumentParser's message and status, each line of the
    /// message passed through `escape` (it can repeat an argument: `--message $'\e[2J'`).
    package static func run<Command: AsyncParsableCommand>(
        _ command: Command.Type, escape: @Sendable (String) -> String,
        report: @Sendable (any Error) -> (line: String, status: Int32)? = { _ in nil }
    ) async {
        signal(SIGPIPE, SIG_IGN)
        StructuredLogHandler.bootstrapProcess()
        do {
            var parsed = try Command.parseAsRoot()
            if var parsed = parsed as? any AsyncParsableCommand {
                try await parsed.run()
            } else {
                try parsed.run()
            }
        } catch {
            if let (line, status) = report(error) {
                StandardStream.write(line + "\n", to: STDERR_FILENO)
                Command.exit(withError: ExitCode(status))
            }
            let status = Command.exitCode(for: error)
            // Help and --version print to standard output as ArgumentParser does.
            guard status != .success else { Command.exit(withError: error) }
            let message = Command.fullMessage(for: error)
            if !message.isEmpty {
                let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { escape(String($0)) }
                StandardStream.write(lines.joined(separator: "\n") + "\n", to: STDERR_FILENO)
            }
            Command.exit(withError: ExitCode(status.rawValue))
        }
    }
}

/// Writes to a standard stream the way every executable must: all the bytes in one go where the kernel allows,
/// retried on EINTR, and silently dropped when the stream is closed or full (the exit status still says what
/// happened; nothing traps as Foundation's `FileHandle` writes do).
package enum StandardStream {
    /// Writes `text` to `descriptor` (`STDOUT_FILENO`, `STDERR_FILENO`).
    package static func write(_ text: String, to descriptor: Int32) {
        Array(text.utf8).withUnsafeBytes { write($0, to: descriptor) }
    }

    /// Writes all of `bytes` to `descriptor` (any descriptor: a spool file too), giving up on an error.
    package static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let written = writeDescriptor(descriptor, base + offset, bytes.count - offset)
            if written <= 0 {
                if written < 0, errno == EINTR { continue }
                return
            }
            offset += written
        }
    }
}
