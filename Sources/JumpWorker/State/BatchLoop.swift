/// The state worker's batch loop as a value: what happened goes in, what to do next comes out. ``StateWorker``
/// carries the actions out (Kafka, the store) and reports each outcome back; the decisions (when to wait for the
/// batch in flight, when to top the next one up, when a run until idle is over) are here, tested without Kafka.
///
/// One batch is in flight (its transaction running) while the next is polled, decoded and diverted; before the next
/// is applied, the loop waits for the one in flight and tops the next up with what arrived meanwhile. With pauses,
/// each batch is committed before the pause.
struct BatchLoop: Equatable {
    /// What the worker does next.
    enum Action: Equatable {
        /// Poll up to a batch, waiting at most the poll timeout; report ``polled(messages:)``.
        case poll
        /// Decode, dead-letter and move the polled messages; report ``prepared()``.
        case prepare
        /// Wait for the batch in flight to commit; report ``committed()``.
        case awaitCommit
        /// Poll what arrived meanwhile, without waiting, into the prepared batch; report ``toppedUp()``.
        case topUp
        /// Start the prepared batch's transaction (it is then in flight); report ``applied()``.
        case apply
        /// Sleep between batches; report ``paused()``.
        case pause
        /// See whether every partition is read to its end; report ``checkedIdle(caughtUp:)``.
        case checkIdle
        /// Wait for the batch in flight, if any, and leave.
        case finish(StateWorkerExit)
    }

    /// Where the loop is.
    private enum Phase: Equatable {
        case polling, preparing, applying, pausing, checkingIdle, finished
        /// Waiting for the batch in flight before `then`.
        case committing(then: AfterCommit)
        /// Topping the prepared batch up.
        case toppingUp
    }

    /// What follows a wait for the batch in flight.
    private enum AfterCommit: Equatable { case topUp, pause, checkIdle }

    private var phase = Phase.polling
    /// Whether a batch's transaction is running.
    private(set) var inFlight = false
    private let untilIdle: Bool
    private let pauses: Bool

    /// A loop; `untilIdle` ends it once caught up, `pauses` commits each batch before a pause.
    init(untilIdle: Bool, pauses: Bool) {
        self.untilIdle = untilIdle
        self.pauses = pauses
    }

    /// The first action.
    var start: Action { .poll }

    /// A poll returned `messages` messages.
    mutating func polled(messages: Int) -> Action {
        precondition(phase == .polling, "polled while \(phase)")
        if messages > 0 { return move(to: .preparing, .prepare) }
        if inFlight { return move(to: .committing(then: .checkIdle), .awaitCommit) }
        return checkIdleOrPoll()
    }

    /// The polled messages are ready to apply.
    mutating func prepared() -> Action {
        precondition(phase == .preparing, "prepared while \(phase)")
        if inFlight { return move(to: .committing(then: .topUp), .awaitCommit) }
        return move(to: .applying, .apply)
    }

    /// The batch in flight committed.
    mutating func committed() -> Action {
        guard case .committing(let then) = phase else { preconditionFailure("committed while \(phase)") }
        inFlight = false
        switch then {
        case .topUp: return move(to: .toppingUp, .topUp)
        case .pause: return move(to: .pausing, .pause)
        case .checkIdle: return checkIdleOrPoll()
        }
    }

    /// The prepared batch holds what arrived meanwhile.
    mutating func toppedUp() -> Action {
        precondition(phase == .toppingUp, "topped up while \(phase)")
        return move(to: .applying, .apply)
    }

    /// The prepared batch's transaction started. `stopRequested`: a stop asked for meanwhile skips the pause.
    mutating func applied(stopRequested: Bool) -> Action {
        precondition(phase == .applying, "applied while \(phase)")
        inFlight = true
        if pauses, !stopRequested { return move(to: .committing(then: .pause), .awaitCommit) }
        return move(to: .polling, .poll)
    }

    /// The pause is over.
    mutating func paused() -> Action {
        precondition(phase == .pausing, "paused while \(phase)")
        return move(to: .polling, .poll)
    }

    /// Whether every partition is read to its end (and the moved events' copies read by their owners).
    mutating func checkedIdle(caughtUp: Bool) -> Action {
        precondition(phase == .checkingIdle, "checked idle while \(phase)")
        if caughtUp { return move(to: .finished, .finish(.idle)) }
        return move(to: .polling, .poll)
    }

    /// A stop was asked for: the loop ends before its next poll (a batch prepared but not applied is read again
    /// from the store's offsets next time).
    mutating func stopRequested() -> Action {
        move(to: .finished, .finish(.stopped))
    }

    private mutating func checkIdleOrPoll() -> Action {
        untilIdle ? move(to: .checkingIdle, .checkIdle) : move(to: .polling, .poll)
    }

    private mutating func move(to next: Phase, _ action: Action) -> Action {
        phase = next
        return action
    }
}
