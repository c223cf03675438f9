import JumpDigests
import JumpKafka
import JumpState
import Logging
import Synchronization

/// What a `jump-consumer run` process does: the state role, the notifier role, or both.
package enum ConsumerRole: String, Sendable, CaseIterable {
    /// The state worker and its outbox relay.
    case state
    /// The notifier.
    case notifier
    /// Both, in one process (the default).
    case all
}

/// The roles of one `jump-consumer run` process, over one store: the state worker and its outbox relay, and the
/// notifier. As a daemon they run side by side as ``services()`` of a `ServiceGroup`; with `untilIdle`, ``run()``
/// runs them side by side too, each ending in turn (the worker, with the relay alongside, until caught up; the
/// relay until the outbox is empty; the notifier, which reads the items meanwhile, once it has read the last of
/// them, and delivered), so that a script sees everything through.
package final class ConsumerDaemon: Sendable {
    /// The roles this process runs.
    package let role: ConsumerRole
    /// The dead-letter topic the state worker writes, for the operator console (listing and redelivery).
    package let deadLetters: DeadLetters
    /// The dead-letter topic as the console pages it.
    package let deadLetterIndex: DeadLetterIndex
    /// The store the roles share.
    package let store: StateStore
    private let untilIdle: Bool
    /// With `untilIdle`, how long a role waits (`--wait-timeout`), also for a write that keeps failing.
    private let waitTimeout: Duration
    let stateWorker: StateWorker?
    let relay: OutboxRelay?
    let notifier: NotifierWorker?
    let service: DigestService?
    private let logger: Logger
    /// Set once the state worker and its relay are through, with `untilIdle` and both roles.
    private let upstream = UpstreamFinished()

    /// Prepares the roles; nothing runs until ``run()``.
    package init(
        role: ConsumerRole, state: StateWorkerConfiguration, notifier notifierConfiguration: NotifierConfiguration,
        digests: DigestConfiguration, digestDirectory: String, notificationsTopic: String, digestsTopic: String,
        store: StateStore, logger: Logger
    ) throws {
        self.role = role
        self.store = store
        untilIdle = state.untilIdle
        waitTimeout = state.assignmentTimeout
        self.logger = logger
        deadLetters = DeadLetters(
            brokers: state.brokers, overrides: state.overrides, topic: state.deadLetterTopic, logger: logger)
        deadLetterIndex = DeadLetterIndex(deadLetters: deadLetters)
        if role != .notifier {
            var state = state
            state.router = DigestRouter(audiences: digests.audiences)
            stateWorker = try StateWorker(configuration: state, store: store, logger: logger)
            relay = try OutboxRelay(
                store: store, brokers: state.brokers, overrides: state.overrides, topic: notificationsTopic,
                logger: logger)
        } else {
            stateWorker = nil
            relay = nil
        }
        if role != .state {
            let service = try DigestService(
                configuration: digests, store: store, directory: digestDirectory,
                brokers: notifierConfiguration.brokers, overrides: notifierConfiguration.overrides,
                digestsTopic: digestsTopic, logger: logger)
            self.service = service
            var configuration = notifierConfiguration
            configuration.topic = notificationsTopic
            configuration.untilIdle = untilIdle
            configuration.assignmentTimeout = state.assignmentTimeout
            if untilIdle, role == .all { configuration.upstream = upstream }
            notifier = try NotifierWorker(configuration: configuration, store: store, service: service, logger: logger)
        } else {
            service = nil
            notifier = nil
        }
    }

    /// What the state worker did minute by minute over the last hour; `nil` without the state role.
    package var activity: ActivityHistory? { stateWorker?.activity }

    /// The notifier's digests (windows, send-now, deliveries); `nil` without the notifier role.
    package var digestService: DigestService? { service }

    /// Digest deliveries not yet delivered (pending or failed), for the end of an `untilIdle` run.
    package func undeliveredDigests() async throws -> Int {
        guard service != nil else { return 0 }
        return try await store.notifier.openDeliveryCount()
    }

    /// Asks every role to stop after the work in hand.
    package func requestStop() {
        stateWorker?.requestStop()
        relay?.requestStop()
        notifier?.requestStop()
    }

    /// With `untilIdle`: runs the roles until everything is through, and returns why they stopped. A
    /// daemon runs ``services()`` in a `ServiceGroup` instead.
    package func run() async throws -> StateWorkerExit {
        precondition(untilIdle, "a daemon runs services() in a ServiceGroup; run() is for untilIdle")
        do {
            let exit = try await runInTurn()
            await closeProducers()
            return exit
        } catch {
            requestStop()
            await closeProducers()
            throw error
        }
    }

    private func runInTurn() async throws -> StateWorkerExit {
        guard let notifier, stateWorker != nil else { return try await runStateRole() }
        // Both roles: the notifier takes the items in while the worker folds (its own store file, its own writer),
        // and ends after the worker's last item. The state role's outcome wins: its failure, then the notifier's,
        // then a reason other than idle. A notifier that fails leaves the worker to finish its run.
        async let notified = Self.outcome { try await notifier.consumeAndDeliver() }
        let folded = await Self.outcome { try await self.runStateRole() }
        upstream.finish()
        if (try? folded.get()) != .idle { notifier.requestStop() }
        let notifierOutcome = await notified
        let stateExit = try folded.get()
        let notifierExit = try notifierOutcome.get()
        return stateExit != .idle ? stateExit : notifierExit
    }

    /// What `body` returned or threw.
    private static func outcome(
        _ body: () async throws -> StateWorkerExit
    ) async -> Result<StateWorkerExit, any Error> {
        do { return .success(try await body()) } catch { return .failure(error) }
    }

    /// The state worker with its relay alongside until caught up, then the relay until the outbox is empty (or
    /// nothing without the state role).
    private func runStateRole() async throws -> StateWorkerExit {
        var exit = StateWorkerExit.idle
        if let stateWorker, let relay {
            // The relay publishes items while the worker folds (two cores), then drains what is left.
            exit = try await withThrowingTaskGroup(of: StateWorkerExit?.self) { group in
                group.addTask {
                    await relay.relayUntilStopped()
                    return nil
                }
                group.addTask {
                    defer { relay.requestStop() }
                    return try await stateWorker.run()
                }
                var exit = StateWorkerExit.idle
                do {
                    for try await value in group {
                        if let value { exit = value }
                    }
                } catch {
                    relay.requestStop()
                    throw error
                }
                return exit
            }
            guard exit == .idle else { return exit }
            relay.resume()
            do {
                try await relay.drain(giveUpAfter: waitTimeout)
            } catch is RetryStopped {
                return .stopped
            }
        }
        if stateWorker == nil, let notifier { exit = try await notifier.consumeAndDeliver() }
        return exit
    }

    private func closeProducers() async {
        await relay?.close()
        await service?.close()
    }
}
