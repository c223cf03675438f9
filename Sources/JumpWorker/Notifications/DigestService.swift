import Foundation
import JumpDigests
import JumpKafka
import JumpState
import Logging

/// `close(2)` under a name the sink's own `close()` does not shadow (Foundation brings the C call on Linux and macOS).
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }

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
    private let logger: Logger

    /// A service over `store` writing its files to `directory`. With `brokers`, digests also go to
    /// `digestsTopic`; without, topic deliveries wait for a process that has brokers.
    package init(
        configuration: DigestConfiguration, store: StateStore, directory: String, brokers: [String]?,
        overrides: [String: String] = [:], digestsTopic: String = "jump.digests", logger: Logger
    ) throws {
        self.configuration = configuration
        self.logger = logger
        if configuration.sinks.contains("log") || configuration.sinks.contains("jsonl") {
            try Self.checkWritable(directory)
        }
        var sinks: [any DigestSink] = []
        var producer: KafkaProducer?
        for name in configuration.sinks {
            switch name {
            case "log", "jsonl":
                let sink =
                    name == "log" ? AppendOnlyFileSink.log(directory: directory) : .jsonLines(directory: directory)
                sink.createIfAbsent()
                sinks.append(sink)
            case "email": if let email = EmailSink.configured(configuration) { sinks.append(email) }
            case "topic":
                guard let brokers else { continue }
                var producerConfiguration = KafkaProducerConfiguration(bootstrapServers: brokers)
                producerConfiguration.overrides = overrides.filter { !KafkaProperties.isConsumerOnly($0.key) }
                let made = try KafkaProducer(configuration: producerConfiguration, logger: logger)
                producer = made
                sinks.append(TopicDigestSink(producer: made, topic: digestsTopic, logger: logger))
            default: continue
            }
        }
        self.producer = producer
        let renderer = try DigestRenderer(
            templateDirectory: configuration.templateDirectory, glossary: configuration.glossary,
            plausibility: configuration.plausibility)
        // Every configured sink gets a delivery row, even one this process cannot serve (the topic without
        // brokers): it stays pending for a process that can.
        let recipients = configuration.sinks.compactMap { name -> (any DigestSink)? in
            if let sink = sinks.first(where: { $0.name == name }) { return sink }
            return name == "topic" ? PlaceholderSink(name: name) : nil
        }
        windows = DigestWindows(
            store: store.notifier, configuration: configuration, renderer: renderer, sinks: recipients, logger: logger)
        deliverer = DigestDeliverer(
            store: store.notifier, sinks: sinks, maxAttempts: configuration.email?.maxAttempts ?? 8, logger: logger)
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

    /// Creates `directory` if needed and proves it writable by creating and removing a file in it (the only test
    /// that also holds for root, read-only mounts and a path that names a file).
    static func checkWritable(_ directory: String) throws(DigestDirectoryError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DigestDirectoryError(
                directory: directory, reason: "it cannot be created (\(error.localizedDescription))")
        }
        let probe = StorePath.file(".jump-write-check-\(getpid())", in: directory)
        let descriptor = open(probe, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DigestDirectoryError(directory: directory, reason: String(cString: strerror(errno)))
        }
        _ = closeDescriptor(descriptor)
        unlink(probe)
    }

    /// Closes the producer.
    package func close() async {
        if let producer { _ = await producer.close(timeout: .seconds(10)) }
    }
}

/// The digest directory cannot hold `digests.log` and `digests.jsonl`.
package struct DigestDirectoryError: Error, CustomStringConvertible {
    /// The directory.
    package var directory: String
    /// Why.
    package var reason: String

    /// Names the directory, the reason and the option.
    package var description: String {
        "digests cannot be written to \(directory): \(reason); name a writable directory with --digest-dir (JUMP_DIGEST_DIR)"
    }
}

/// Publishes digests to `jump.digests`, keyed by audience, with the digest id in the `jump.digest.id` header.
///
/// A digest the topic refuses for its size (a backfill of thousands of items) is sent again with fewer items —
/// its most important quarter, then a quarter of that, down to none — and `itemsOmitted` counting the rest, so it
/// is never retried forever; `digests.jsonl` keeps the full one.
struct TopicDigestSink: DigestSink {
    let name = "topic"
    let producer: KafkaProducer
    let topic: String
    var logger: Logger?

    func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        try await publish(digest)
    }

    /// Sends `digest`, capped until the topic takes it.
    func publish(_ digest: Digest) async throws(DeliveryFailure) {
        var sent = digest
        while true {
            let message = KafkaProducerMessage(
                topic: topic, key: Array(digest.audience.utf8), value: DigestCoding.encode(sent),
                headers: [KafkaHeader(name: "jump.digest.id", text: digest.id)])
            do {
                _ = try await producer.send(message)
                return
            } catch let error as KafkaError where error.code?.isSizeRefusal == true && !sent.items.isEmpty {
                sent = digest.capped(toItems: sent.items.count / 4)
                logger?.warning(
                    "digest \(digest.id) is too large for \(topic); sending its \(sent.items.count) most important items",
                    metadata: ["itemsOmitted": "\(sent.itemsOmitted ?? 0)", "error": "\(error)"])
            } catch {
                throw DeliveryFailure("\(topic): \(error)")
            }
        }
    }
}

/// A sink named in the configuration that this process cannot serve; it only gives its deliveries their rows.
private struct PlaceholderSink: DigestSink {
    let name: String
    func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        throw DeliveryFailure("\(name) is not available in this process")
    }
}
