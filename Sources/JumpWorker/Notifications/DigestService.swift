import Foundation
import JumpDigests
import JumpKafka
import JumpState
import Logging

/// The digest side of the notifier: windows, building and delivery to every configured sink, over one store.
/// The notifier daemon ticks it every second; `digest send-now` uses it once.
package final class DigestService: Sendable {
    /// The configuration.
    package let configuration: DigestConfiguration
    /// Closes windows and builds digests.
    package let windows: DigestWindows
    /// Delivers them.
    package let deliverer: DigestDeliverer
    private let producer: KafkaProducer?

    /// A service over `store` writing its files to `directory`. With `brokers`, digests also go to
    /// `digestsTopic`; without, topic deliveries wait for a process that has brokers.
    package init(
        configuration: DigestConfiguration, store: StateStore, directory: String, brokers: [String]?,
        overrides: [String: String] = [:], digestsTopic: String = "jump.digests", logger: Logger
    ) throws {
        self.configuration = configuration
        let sinks = try DigestSinks(
            configuration, directory: directory,
            topic: brokers.map { brokers in
                (digestsTopic, { try ServiceProducer.make(brokers: brokers, overrides: overrides, logger: logger) })
            }, logger: logger)
        producer = sinks.topicProducer
        let renderer = try DigestRenderer(
            templateDirectory: configuration.templateDirectory, glossary: configuration.glossary,
            plausibility: configuration.plausibility)
        windows = DigestWindows(
            store: store.notifier, configuration: configuration, renderer: renderer, sinks: sinks.listed, logger: logger
        )
        deliverer = DigestDeliverer(
            store: store.notifier, sinks: sinks.serving, maxAttempts: configuration.email?.maxAttempts ?? 8,
            logger: logger)
    }

    /// Closes the windows that ended and delivers what is due.
    @discardableResult
    package func tick(now: Int64 = Timestamp.now()) async throws -> DigestDeliverer.Round {
        try await windows.closeDue(now: now)
        return try await deliverer.deliverDue(now: now)
    }

    /// Closes the open window of each audience now (or of one) and delivers; returns the digests built.
    package func sendNow(audience: String? = nil) async throws -> [StoredDigest] {
        let now = Timestamp.now()
        var built = try await windows.closeDue(now: now)
        for candidate in configuration.audiences where audience == nil || candidate.id == audience {
            if let digest = try await windows.closeNow(candidate, now: now) { built.append(digest) }
        }
        try await deliverer.deliverDue(now: now)
        return built
    }

    /// Delivers until nothing is due or `timeout` passes (retries wait for their time).
    package func deliverOutstanding(timeout: Duration) async throws {
        let deadline = ContinuousClock.now + timeout
        while try await windows.store.openDeliveryCount() > 0, ContinuousClock.now < deadline {
            try await deliverer.deliverDue()
            if try await windows.store.openDeliveryCount() > 0 { try await Task.sleep(for: .milliseconds(200)) }
        }
    }

    /// Closes the producer.
    package func close() async {
        if let producer { _ = await producer.close(timeout: .seconds(10)) }
    }
}
