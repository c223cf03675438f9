import CoreMetrics
import JumpKafka
import JumpState
import Logging
import ServiceLifecycle
import Synchronization

/// Publishes the notification items the state worker wrote to its outbox to `jump.notifications`, keyed by
/// audience, with the idempotent producer, and removes an outbox row once Kafka acknowledged every item in it. A
/// crash between the acknowledgement and the removal publishes items again; the notifier drops a repeat by item id.
package final class OutboxRelay: Sendable {
    private let store: StateStore
    private let producer: KafkaProducer
    private let topic: String
    private let logger: Logger
    private let lifecycle = Mutex(WorkerLifecycle())

    /// A relay from `store`'s outbox to `topic`.
    package init(
        store: StateStore, brokers: [String], overrides: [String: String], topic: String = "jump.notifications",
        logger: Logger
    ) throws {
        self.store = store
        self.topic = topic
        self.logger = logger
        producer = try ServiceProducer.make(brokers: brokers, overrides: overrides, logger: logger)
    }

    /// Relays one round (whole outbox rows, from the oldest, until `limit` items or more) and returns how many
    /// items were acknowledged. A row leaves the outbox once every item in it was acknowledged; a row with an item
    /// that was not is sent again, whole, in a later round.
    package func relayOnce(limit: Int = 1_000) async throws -> Int {
        let pending = try await store.pendingNotifications(limit: limit)
        guard !pending.isEmpty else { return 0 }
        let acknowledged = Mutex<[Int64: Int]>([:])
        let failure = Mutex<KafkaError?>(nil)
        let sequences = pending.map(\.sequence)
        // The round in flight together, under one delivery context (not one per item).
        try await producer.enqueue(
            pending.map { KafkaProducerMessage(topic: topic, key: Array($0.audience.utf8), value: $0.item) }
        ) { index, result in
            switch result {
            case .success: acknowledged.withLock { $0[sequences[index], default: 0] += 1 }
            case .failure(let error): failure.withLock { $0 = $0 ?? error }
            }
        }
        try await producer.flush(timeout: .seconds(60))
        let acknowledgedByRow = acknowledged.withLock { $0 }
        let itemsByRow = Dictionary(sequences.map { ($0, 1) }, uniquingKeysWith: +)
        let done = itemsByRow.filter { acknowledgedByRow[$0.key] == $0.value }
        let depth = try await store.removeNotifications(Array(done.keys))
        let relayed = done.values.reduce(0, +)
        WorkerMetrics.relayed.increment(by: relayed)
        WorkerMetrics.outboxDepth.record(depth)
        if let error = failure.withLock({ $0 }) {
            // Nothing acknowledged (a fatal producer, a closed one, a broker away): the round failed, and its
            // callers back off, count it, or give up on what is not retriable, as for any failed round.
            if relayed == 0 { throw error }
            logger.warning(
                "\(pending.count - relayed) notification items not all acknowledged; their rows stay in the outbox",
                metadata: ["error": "\(error)"])
        }
        return relayed
    }

    /// Relays until the outbox is empty; a write that keeps failing (a full disk) is retried for at most
    /// `giveUpAfter` (``TransientRetries``).
    package func drain(giveUpAfter: Duration? = nil) async throws {
        var delay = Duration.milliseconds(100)
        let retries = TransientRetries(
            storePath: store.path, giveUpAfter: giveUpAfter,
            stopRequested: { self.lifecycle.withLock { $0.stopWasRequested } }, problem: { _ in }, logger: logger)
        while try await !store.pendingNotifications(limit: 1).isEmpty, !lifecycle.withLock({ $0.stopWasRequested }) {
            if try await retries.run("relay the outbox", { try await relayOnce() }) == 0 {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            } else {
                delay = .milliseconds(100)
            }
        }
    }

    /// Relays until ``requestStop()``, looking for new items every `interval` when the outbox is empty.
    package func relayUntilStopped(interval: Duration = .milliseconds(100)) async {
        switch lifecycle.withLock({ $0.start() }) {
        case .run: break
        case .returnStopped: return
        case .alreadyRunning: preconditionFailure("the outbox relay is already running")
        }
        defer { lifecycle.withLock { $0.finished() } }
        var delay = interval
        while lifecycle.withLock({ $0.continues }), !Task.isCancelled {
            do {
                if try await relayOnce() > 0 {
                    delay = interval
                    continue
                }
            } catch {
                WorkerMetrics.errors("relay").increment()
                logger.warning(
                    "\(TransientRetries.reason("relay the outbox", error, store: store.path)); retrying in \(delay)",
                    metadata: ["error": "\(error)"])
                delay = min(delay * 2, .seconds(5))
            }
            try? await Task.sleep(for: delay)
        }
    }

    /// Asks ``relayUntilStopped(interval:)`` and ``drain(giveUpAfter:)`` to return after the round in hand (a
    /// relay that has not started yet will not start until ``resume()``).
    package func requestStop() { _ = lifecycle.withLock { $0.stopRequested() } }

    /// Takes back a stop, so that ``relayUntilStopped(interval:)`` and ``drain(giveUpAfter:)`` work again.
    package func resume() { lifecycle.withLock { $0.resumed() } }

    /// Waits for what is in flight and closes the producer.
    package func close() async { _ = await producer.close(timeout: .seconds(10)) }
}

extension OutboxRelay: Service {
    /// The relay as a service: relays until the group's graceful shutdown, then waits for what is in flight and
    /// closes its producer.
    package func run() async throws {
        await withGracefulShutdownHandler {
            await relayUntilStopped()
        } onGracefulShutdown: {
            self.requestStop()
        }
        await close()
    }
}
