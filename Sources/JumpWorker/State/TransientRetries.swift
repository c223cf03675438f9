import CoreMetrics
import Foundation
import GRDB
import JumpKafka
import JumpState
import Logging

/// How a worker retries what may succeed later (a busy, locked or full disk, a broker away): with exponential
/// backoff up to 5 s, without skipping anything; fatal failures (a fenced worker, a damaged store, a fatal Kafka
/// error) are thrown at once. While it retries, `problem` holds why (for `/readyz`), the log names a full disk
/// and the directory to free, a stop request ends the waiting at once (``RetryStopped``), and past `giveUpAfter`
/// (a batch job's `--wait-timeout`) it gives up (``RetriesExhausted``).
struct TransientRetries {
    /// The store file, to name its directory when the disk is full.
    var storePath: String?
    /// How long to keep failing before giving up; `nil`: for ever (a daemon).
    var giveUpAfter: Duration?
    /// Whether a stop was asked for.
    var stopRequested: () -> Bool
    /// Told why the worker retries, and `nil` once it stops retrying.
    var problem: (String?) -> Void
    var logger: Logger

    @discardableResult
    func run<T>(_ what: String, _ body: () async throws -> T) async throws -> T {
        var delay = Duration.milliseconds(100)
        let started = ContinuousClock.now
        // Cleared only by the call that set it: another call's success says nothing of this one's failure.
        var saidProblem = false
        defer { if saidProblem { problem(nil) } }
        while true {
            do {
                return try await body()
            } catch let error as StateStoreError {
                throw error
            } catch let error as DatabaseError
                where ![.SQLITE_BUSY, .SQLITE_LOCKED, .SQLITE_FULL, .SQLITE_IOERR].contains(error.resultCode)
            {
                throw error
            } catch let error as KafkaError where error.isFatal || !error.isRetriable {
                throw error
            } catch {
                guard !stopRequested() else { throw RetryStopped() }
                let reason = Self.reason(what, error, store: storePath)
                problem(reason)
                saidProblem = true
                if let giveUpAfter, ContinuousClock.now - started >= giveUpAfter {
                    throw RetriesExhausted(reason: reason, waited: giveUpAfter)
                }
                WorkerMetrics.errors(error is KafkaError ? "kafka" : "store").increment()
                logger.warning("\(reason); retrying in \(delay)", metadata: ["error": "\(error)"])
                // Slept in slices, so a stop request is answered at once, not after the backoff.
                let wakeAt = ContinuousClock.now + delay
                while ContinuousClock.now < wakeAt {
                    guard !stopRequested() else { throw RetryStopped() }
                    try await Task.sleep(for: min(.milliseconds(100), wakeAt - ContinuousClock.now))
                }
                delay = min(delay * 2, .seconds(5))
            }
        }
    }

    /// What the log and `/readyz` say: a full disk by name, with the directory to free.
    static func reason(_ what: String, _ error: any Error, store path: String?) -> String {
        if let error = error as? DatabaseError, error.resultCode == .SQLITE_FULL {
            let directory = path.map { StorePath.parentDirectory(of: $0) } ?? "the store's directory"
            return "\(what) failed: the disk holding the state store is full (\(directory)); free space there "
                + "and the worker goes on with nothing lost"
        }
        return "\(what) failed: \(error)"
    }
}

/// A stop was asked for while a write was being retried: the worker stops as usual, that write not committed.
struct RetryStopped: Error {}

/// With `--until-idle`, a write or a broker call kept failing for the whole wait: the run gives up (exit 75, try
/// again later).
package struct RetriesExhausted: Error, CustomStringConvertible {
    /// The last failure, as the log said it.
    package var reason: String
    /// How long the worker retried.
    package var waited: Duration

    /// The failure given up on, and how long it was retried.
    package init(reason: String, waited: Duration) {
        self.reason = reason
        self.waited = waited
    }

    /// Names the failure and what to do.
    package var description: String {
        "\(reason); gave up after retrying for \(waited) (--wait-timeout); nothing was lost: run again once it is fixed"
    }
}
