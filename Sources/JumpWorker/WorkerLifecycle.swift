/// The lifecycle of a worker's loop (the notifier, the outbox relay) as a value, the way swift-nio and
/// swift-kafka-client keep theirs: each event is a method that moves the state and returns the action to take, so
/// the rules live in one place and are tested as a pure value. Its owner holds it in one lock
/// (`Mutex<WorkerLifecycle>`).
///
/// A stop asked for before the loop starts is kept: the loop then does not start until ``resumed()``.
package struct WorkerLifecycle: Sendable, Equatable {
    /// Where the loop is.
    package enum State: Sendable, Equatable {
        /// Not running; `stopPending` when a stop was asked for (the loop will not start until resumed).
        case idle(stopPending: Bool)
        /// The loop turns.
        case running
        /// The loop finishes the work in hand, then returns.
        case stopping
    }

    /// The state.
    package private(set) var state = State.idle(stopPending: false)

    /// A lifecycle that has not started.
    package init() {}

    /// What `start` tells the loop.
    package enum StartAction: Sendable, Equatable {
        /// Run.
        case run
        /// A stop came first: return at once, as stopped.
        case returnStopped
        /// The loop already runs: starting it twice is a programming error.
        case alreadyRunning
    }

    /// The loop is about to start.
    package mutating func start() -> StartAction {
        switch state {
        case .idle(stopPending: false):
            state = .running
            return .run
        case .idle(stopPending: true): return .returnStopped
        case .running, .stopping: return .alreadyRunning
        }
    }

    /// What a stop request tells the owner.
    package enum StopAction: Sendable, Equatable {
        /// Wake the loop's waiting poll, so it sees the stop at once.
        case wakeUp
        /// Nothing more to do.
        case none
    }

    /// A stop was asked for (a signal, the service group's graceful shutdown, the end of a run in turn).
    package mutating func stopRequested() -> StopAction {
        switch state {
        case .running:
            state = .stopping
            return .wakeUp
        case .idle:
            state = .idle(stopPending: true)
            return .none
        case .stopping: return .none
        }
    }

    /// Whether the loop takes another turn (polls again, relays again) or returns.
    package var continues: Bool { state == .running }

    /// Whether a stop was asked for and not yet taken back by ``resumed()``.
    package var stopWasRequested: Bool {
        switch state {
        case .running: false
        case .stopping, .idle(stopPending: true): true
        case .idle(stopPending: false): false
        }
    }

    /// The loop returned; a stop asked for meanwhile stays pending.
    package mutating func finished() {
        switch state {
        case .running: state = .idle(stopPending: false)
        case .stopping: state = .idle(stopPending: true)
        case .idle: break
        }
    }

    /// A pending stop is taken back, so the loop can run again (the relay drains the outbox after the state
    /// worker stopped it). A running loop keeps running and a stopping one keeps stopping: a resume never cancels
    /// a stop already under way (a signal, a graceful shutdown).
    package mutating func resumed() {
        if case .idle = state { state = .idle(stopPending: false) }
    }
}
