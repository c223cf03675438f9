import UnixSignals

/// How jump-relay's executables take signals: ServiceLifecycle's `UnixSignalsSequence` (what the daemon's
/// `ServiceGroup` uses for a graceful shutdown), in the two shapes the commands need. Only one handler can hold a
/// signal at a time: a command asks for each signal in one place.
package enum Signals {
    /// Runs `body`, calling `handler` (instead of the signal's default action) for each of `signals` that arrives
    /// meanwhile.
    package static func handling<Result: Sendable>(
        _ signals: [UnixSignal], with handler: @escaping @Sendable (UnixSignal) -> Void,
        during body: () async throws -> Result
    ) async throws -> Result {
        let arrivals = await UnixSignalsSequence(trapping: signals)
        let listener = Task {
            for await signal in arrivals { handler(signal) }
        }
        defer { listener.cancel() }
        return try await body()
    }

    /// Waits for the first of `signals` (their default action is not taken).
    package static func first(of signals: [UnixSignal]) async -> UnixSignal? {
        for await signal in await UnixSignalsSequence(trapping: signals) { return signal }
        return nil
    }
}
