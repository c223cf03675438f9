import Foundation
import JumpCommandLine
import JumpEvents
import JumpPublishing
import Synchronization

/// Standard error for people and scripts: one line per rejection or failure, and on a terminal a progress
/// line that is rewritten in place and cleared before any other line. Text from the input is shown with its
/// control characters escaped (`TerminalText`), and writes go straight to the descriptor: a closed or full
/// standard error loses the text, never the process or its exit status.
final class Console: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex<(progressShown: Bool, lastProgress: ContinuousClock.Instant?)>((false, nil))

    /// Writes one line to standard error, escaped.
    func line(_ text: String) {
        state.withLock { state in
            var output = state.progressShown ? "\r\u{1B}[K" : ""
            state.progressShown = false
            output += TerminalText.escaped(text) + "\n"
            StandardStream.write(output, to: STDERR_FILENO)
        }
    }

    /// Shows what the publisher reports.
    func notice(_ notice: PublishNotice) {
        switch notice {
        case .rejected(let location, let reason), .failed(let location, let reason): line("\(location): \(reason)")
        case .progress(let read, let acknowledged):
            guard isTerminal, read >= 10_000 else { return }
            state.withLock { state in
                let now = ContinuousClock.now
                if let last = state.lastProgress, now - last < .milliseconds(200) { return }
                state.lastProgress = now
                state.progressShown = true
                StandardStream.write("\r\u{1B}[Ksent \(read), acknowledged \(acknowledged)", to: STDERR_FILENO)
            }
        }
    }
}
