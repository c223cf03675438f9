import Foundation
import Metrics
import Synchronization

/// What a worker's consumer-group membership went through since the process started: how many assignments the
/// group handed it (one per rebalance it took part in; `jump_rebalances_total{role}`), and its last wait for
/// partitions, from its start or from the revocation that began a rebalance to the assignment that ended it, and
/// when that was (`jump_assignment_wait_seconds{role}`, the last wait). Both are measured in the rebalance hooks,
/// so a revocation and its assignment within one poll count too. On `/readyz` and the console's overview.
package final class RebalanceHistory: Sendable {
    private struct State {
        var assignments = 0
        var waitingSince: ContinuousClock.Instant? = .now
        var lastWaitMs: Int64?
        var lastWaitEndedAtMs: Int64?
    }

    private let state = Mutex(State())
    private let rebalances: Counter
    private let lastWait: Gauge

    /// The history of the worker of `role` (`state`, `notifier`).
    package init(role: String) {
        (rebalances, lastWait) = Self.metrics(role: role)
    }

    /// The two families of `role`.
    private static func metrics(role: String) -> (Counter, Gauge) {
        (
            Counter(label: "jump_rebalances_total", dimensions: [("role", role)]),
            Gauge(label: "jump_assignment_wait_seconds", dimensions: [("role", role)])
        )
    }

    /// Creates both families at zero for `role`, so that `rate()` and `absent()` work from the start.
    static func register(role: String) {
        let (rebalances, lastWait) = metrics(role: role)
        rebalances.increment(by: 0)
        lastWait.record(0)
    }

    /// The group took partitions away (the rebalance hook's revoke): a wait begins, unless one is on.
    func revoked(now: ContinuousClock.Instant = .now) {
        state.withLock { $0.waitingSince = $0.waitingSince ?? now }
    }

    /// The group assigned partitions (the rebalance hook's assign): the wait since the start or the revocation
    /// ends.
    func assigned(now: ContinuousClock.Instant = .now, nowMs: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        let waited: Int64? = state.withLock { state in
            state.assignments += 1
            guard let since = state.waitingSince else { return nil }
            state.waitingSince = nil
            let duration = now - since
            let milliseconds =
                duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
            state.lastWaitMs = milliseconds
            state.lastWaitEndedAtMs = nowMs
            return milliseconds
        }
        rebalances.increment()
        if let waited { lastWait.record(Double(waited) / 1000) }
    }

    /// Copies the history into `status`.
    func fill(_ status: inout WorkerStatus) {
        let state = state.withLock { $0 }
        status.rebalances = state.assignments
        status.lastAssignmentWaitMs = state.lastWaitMs
        status.lastAssignedAtMs = state.lastWaitEndedAtMs
    }
}
