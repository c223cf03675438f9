import CoreMetrics
import Foundation
import JumpState
import Logging
import Metrics

/// Carries out the deliveries that are due: claims them in the store (so two processes on one store, a daemon
/// and `digest send-now`, never deliver the same one), hands each to its sink, and records the outcome; a
/// failure is retried with exponential backoff until the sink's attempts run out.
package struct DigestDeliverer: Sendable {
    /// What one round did.
    package struct Round: Sendable, Equatable {
        /// Deliveries done.
        package var delivered = 0
        /// Deliveries that failed and will be retried.
        package var retrying = 0
        /// Deliveries that failed for good.
        package var failed = 0

        /// A round's figures.
        package init(delivered: Int = 0, retrying: Int = 0, failed: Int = 0) {
            self.delivered = delivered
            self.retrying = retrying
            self.failed = failed
        }
    }

    /// The notifier's side of the store: digests and their deliveries.
    package let store: NotifierStore
    /// The sinks by name.
    package let sinks: [String: any DigestSink]
    /// Attempts before a delivery fails for good.
    package var maxAttempts: Int
    /// The longest wait between attempts, in milliseconds.
    package var maxBackoff: Int64 = 300_000
    /// The first wait between attempts, in milliseconds.
    package var firstBackoff: Int64 = 1_000
    private let logger: Logger
    /// This process's identity in claims: its pid and a random part (a restarted process may get the same pid).
    package let claimant = "\(getpid()):\(UUID().uuidString)"

    /// A deliverer.
    package init(store: NotifierStore, sinks: [any DigestSink], maxAttempts: Int = 8, logger: Logger) {
        self.store = store
        self.sinks = Dictionary(sinks.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        self.maxAttempts = maxAttempts
        self.logger = logger
    }

    /// Delivers everything due now.
    @discardableResult
    package func deliverDue(now: Int64 = Timestamp.now()) async throws -> Round {
        var round = Round()
        let claims = try await store.claimDeliveries(
            claimant: claimant, now: now, lease: 600_000, isGone: Self.isGone)
        for claim in claims {
            let key = claim.key
            let target = key.recipient.isEmpty ? key.sink : "\(key.sink) \(key.recipient)"
            guard let sink = sinks[key.sink] else {
                try await store.failDelivery(
                    key, claimant: claimant, error: "sink \(key.sink) is not configured in this process",
                    retryAt: now + maxBackoff)
                round.retrying += 1
                continue
            }
            do {
                let digest = try DigestCoding.decode(claim.digest.json)
                let store = store
                let claimant = claimant
                try await sink.deliver(claim, digest: digest) { offset in
                    try await store.recordIntent(key, claimant: claimant, fileOffset: offset)
                }
                try await store.finishDelivery(
                    key, claimant: claimant, at: Timestamp.now(), destination: sink.destination)
                Self.outcome(key.sink, "delivered").increment()
                round.delivered += 1
                logger.info("digest \(key.digestID) delivered to \(target)")
            } catch let failure as DeliveryFailure {
                if failure.isPermanent || claim.attempt >= maxAttempts {
                    try await store.failDelivery(key, claimant: claimant, error: failure.reason, retryAt: nil)
                    Self.outcome(key.sink, "failed").increment()
                    round.failed += 1
                    logger.error(
                        "digest \(key.digestID) NOT delivered to \(target) after \(Wording.counted(Int64(claim.attempt), "attempt", "attempts")): \(failure)"
                    )
                } else {
                    let wait = min(maxBackoff, firstBackoff << Int64(min(claim.attempt - 1, 20)))
                    try await store.failDelivery(key, claimant: claimant, error: failure.reason, retryAt: now + wait)
                    Self.outcome(key.sink, "retrying").increment()
                    round.retrying += 1
                    logger.warning(
                        "digest \(key.digestID) to \(target): attempt \(claim.attempt) failed, retrying in \(wait) ms: \(failure)"
                    )
                }
            }
        }
        return round
    }

    /// Creates `jump_digest_deliveries_total` at zero for every sink and outcome.
    package static func registerOutcomes() {
        for sink in ["log", "jsonl", "topic", "email"] {
            for outcome in ["delivered", "failed", "retrying"] { Self.outcome(sink, outcome).increment(by: 0) }
        }
    }

    /// `jump_digest_deliveries_total{sink, outcome}`.
    static func outcome(_ sink: String, _ outcome: String) -> Counter {
        Counter(label: "jump_digest_deliveries_total", dimensions: [("sink", sink), ("outcome", outcome)])
    }

    /// Whether the process that made a claim is gone: another pid that no longer exists, or this pid in an
    /// earlier life (the random part differs).
    static func isGone(_ claimant: String) -> Bool {
        guard let pid = claimant.split(separator: ":").first.flatMap({ pid_t($0) }) else { return true }
        if pid == getpid() { return true }
        return kill(pid, 0) != 0 && errno == ESRCH
    }
}
