import Synchronization

/// A Kafka client's lifecycle as a value, the way swift-kafka-client keeps its state machines: open, closing (the
/// first close flushes the producer or leaves the group; later closers wait for it to end), closed. Each event is
/// a method returning the action to take; the client holds the value in one lock. `Waiter` is what a later closer
/// leaves to be resumed (a continuation; any value in the tests).
struct KafkaClientLifecycle<Waiter> {
    /// Where the client is.
    enum State {
        /// Sends, polls and commits are served.
        case open
        /// The first close is in progress; these closers wait for it.
        case closing(waiters: [Waiter])
        /// Closed: everything is refused with ``KafkaError/Kind/closed``.
        case closed
    }

    /// The state.
    private(set) var state = State.open

    /// Whether sends, polls and commits are served.
    var isOpen: Bool {
        if case .open = state { return true }
        return false
    }

    /// What a close request tells its caller.
    enum CloseAction: Equatable {
        /// Close the client (flush, leave the group), then report ``closed()``.
        case close
        /// Another close is in progress: wait for it (``waitForClose(_:)``).
        case wait
        /// Already closed: return at once.
        case alreadyClosed
    }

    /// A close was asked for.
    mutating func closeRequested() -> CloseAction {
        switch state {
        case .open:
            state = .closing(waiters: [])
            return .close
        case .closing: return .wait
        case .closed: return .alreadyClosed
        }
    }

    /// A later closer waits for the close in progress; returns `true` when it has already ended (resume `waiter`
    /// at once), `false` when `waiter` is resumed by whoever reports ``closed()``.
    mutating func waitForClose(_ waiter: Waiter) -> Bool {
        switch state {
        case .closing(var waiters):
            waiters.append(waiter)
            state = .closing(waiters: waiters)
            return false
        case .open, .closed: return true
        }
    }

    /// The close ended; returns the closers to resume.
    mutating func closed() -> [Waiter] {
        defer { state = .closed }
        if case .closing(let waiters) = state { return waiters }
        return []
    }
}

extension KafkaClientLifecycle: Sendable where Waiter: Sendable {}
extension KafkaClientLifecycle.State: Sendable where Waiter: Sendable {}

extension Mutex where Value == KafkaClientLifecycle<CheckedContinuation<Void, Never>> {
    /// Runs `close` for the first closer and returns its result; a later closer waits until that close ended and
    /// gets `nil`, as does any closer once the client is closed.
    func closeOnce<T>(_ close: () async throws -> T) async rethrows -> T? {
        switch withLock({ $0.closeRequested() }) {
        case .alreadyClosed: return nil
        case .wait:
            await withCheckedContinuation { continuation in
                if withLock({ $0.waitForClose(continuation) }) { continuation.resume() }
            }
            return nil
        case .close:
            defer { for waiter in withLock({ $0.closed() }) { waiter.resume() } }
            return try await close()
        }
    }
}
