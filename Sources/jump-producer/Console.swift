import Foundation
import JumpWorker
import Synchronization

/// Standard error for people and scripts: one line per rejection or failure, and on a terminal a progress
/// line that is rewritten in place and cleared before any other line.
final class Console: Sendable {
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private let state = Mutex<(progressShown: Bool, lastProgress: ContinuousClock.Instant?)>((false, nil))

    /// Writes one line to standard error.
    func line(_ text: String) {
        state.withLock { state in
            var output = state.progressShown ? "\r\u{1B}[K" : ""
            state.progressShown = false
            output += text + "\n"
            FileHandle.standardError.write(Data(output.utf8))
        }
    }

    /// Shows what the publisher reports.
    func notice(_ notice: PublishNotice, total: Int) {
        switch notice {
        case .rejected(let location, let reason), .failed(let location, let reason): line("\(location): \(reason)")
        case .progress(let read, let acknowledged):
            guard isTerminal, total >= 10_000 else { return }
            state.withLock { state in
                let now = ContinuousClock.now
                if let last = state.lastProgress, now - last < .milliseconds(200) { return }
                state.lastProgress = now
                state.progressShown = true
                FileHandle.standardError.write(
                    Data("\r\u{1B}[Ksent \(read) of \(total), acknowledged \(acknowledged)".utf8))
            }
        }
    }

    /// The bytes of a file, or of standard input for `-`.
    static func read(_ path: String) throws -> [UInt8] {
        if path == "-" { return Array(FileHandle.standardInput.readDataToEndOfFile()) }
        return Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
