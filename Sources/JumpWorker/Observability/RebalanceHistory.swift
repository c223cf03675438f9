import Foundation
import Metrics
import Synchronization

/// What a worker's consumer-group membership went through since the process started: how many assignments the
/// group handed it (one per rebalance it took part in; `jump_rebalances_total{role}`), and the last time it was
/// left without partitions: how long and when that ended (`jump_assignment_wait_seconds{role}`, the last wait).
/// On `/readyz` and the console's overview with the worker's status.
package final class RebalanceHistory: Sendable {
    private struct State {
        var assignments = 0
        var lastWaitMs: Int64?
        var lastWaitEndedAtMs: Int64?
    }

    private let state = Mutex(State())
    private let rebalances: Counter
    private let lastWait: Gauge

    /// The history of the worker of `role` (`state`, `notifier`).
    package init(role: String) {
        rebalances = Counter(label: "jump_rebalances_total", dimensions: [("role", role)])
        lastWait = Gauge(label: "jump_assignment_wait_seconds", dimensions: [("role", role)])
    }

    /// Creates both families at zero for `role`, so that `rate()` and `absent()` work from the start.
    static func register(role: String) {
        Counter(label: "jump_rebalances_total", dimensions: [("role", role)]).increment(by: 0)
        Gauge(label: "jump_assignment_wait_seconds", dimensions: [("role", role)]).record(0)
    }

    /// The group assigned partitions (the rebalance hook's assign).
    func assigned() {
        state.withLock { $0.assignments += 1 }
        rebalances.increment()
    }

    /// A wait without partitions ended after `duration` (at start-up, or after a rebalance took them away).
    func waitEnded(after duration: Duration, nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
        state.withLock {
            $0.lastWaitMs = milliseconds
            $0.lastWaitEndedAtMs = nowMs
        }
        lastWait.record(Double(milliseconds) / 1000)
    }

    /// Copies the history into `status`.
    func fill(_ status: inout WorkerStatus) {
        let state = state.withLock { $0 }
        status.rebalances = state.assignments
        status.lastAssignmentWaitMs = state.lastWaitMs
        status.lastAssignedAtMs = state.lastWaitEndedAtMs
    }
}
