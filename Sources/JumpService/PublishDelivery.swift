import JumpKafka
import Synchronization

/// Each event's delivery report, as they come; a waiter is woken by the last one or by its deadline.
final class DeliveryOutcomes: Sendable {
    private struct State {
        var results: [Result<KafkaDeliveryReport, KafkaError>?]
        var remaining: Int
        var waiter: CheckedContinuation<Void, Never>?
        var stoppedWaiting = false
    }
    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(results: Array(repeating: nil, count: count), remaining: count)) }

    func set(_ index: Int, _ result: Result<KafkaDeliveryReport, KafkaError>) {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            guard state.results[index] == nil else { return nil }
            state.results[index] = result
            state.remaining -= 1
            guard state.remaining == 0 else { return nil }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// The results when every event is reported, at `deadline` or when the task is cancelled, whichever comes
    /// first (`nil` for those not reported yet).
    func wait(until deadline: ContinuousClock.Instant) async -> [Result<KafkaDeliveryReport, KafkaError>?] {
        let timer = Task {
            try? await Task.sleep(until: deadline)
            wake()
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let done = state.withLock { state in
                    if state.remaining == 0 || state.stoppedWaiting { return true }
                    state.waiter = continuation
                    return false
                }
                if done { continuation.resume() }
            }
        } onCancel: {
            wake()
        }
        timer.cancel()
        return state.withLock { $0.results }
    }

    private func wake() {
        state.withLock { state -> CheckedContinuation<Void, Never>? in
            state.stoppedWaiting = true
            defer { state.waiter = nil }
            return state.waiter
        }?.resume()
    }
}

/// A token's rate: up to one second's worth of events at once, refilled continuously.
struct RateBucket {
    let rate: Double
    var available: Double
    var updated: ContinuousClock.Instant = .now

    init(rate: Int) {
        self.rate = Double(rate)
        available = Double(rate)
    }

    /// Takes `count` events, or says how long until there are enough (a request larger than one second's worth
    /// waits for a full bucket and then runs into debt).
    mutating func take(_ count: Int, now: ContinuousClock.Instant) -> Duration? {
        available = min(rate, available + (now - updated).seconds * rate)
        updated = now
        let needed = min(Double(count), rate)
        guard available >= needed else { return .seconds((needed - available) / rate) }
        available -= Double(count)
        return nil
    }
}

extension Duration {
    /// The duration in seconds, with its fraction.
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
