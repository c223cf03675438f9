import JumpState

/// Where digests go: the digest log, the JSON-lines file, the `jump.digests` topic, e-mail.
package protocol DigestSink: Sendable {
    /// The sink's name in the configuration and in `digest list` (`log`, `jsonl`, `topic`, `email`).
    var name: String { get }
    /// Where its deliveries go, recorded with each one and shown by `digest list` and the console: a file's path,
    /// the topic's name; `nil` for e-mail (each delivery's recipient says where).
    var destination: String? { get }
    /// The recipients of an audience's digests through this sink: e-mail addresses, or `[""]` for one delivery.
    func recipients(for audience: Audience) -> [String]
    /// Delivers one digest to one recipient. A file sink calls `recordIntent` with the offset it is about to
    /// append at, before appending; on a retry after a crash, `delivery.interruptedAt` holds that offset.
    func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure)
}

extension DigestSink {
    /// No destination beyond the recipient.
    package var destination: String? { nil }

    /// One delivery per digest.
    package func recipients(for audience: Audience) -> [String] { [""] }
}

/// A delivery that did not happen.
package struct DeliveryFailure: Error, CustomStringConvertible {
    /// What went wrong.
    package var reason: String
    /// Whether retrying cannot help (an SMTP 5xx answer, a refused address).
    package var isPermanent: Bool

    /// A failure.
    package init(_ reason: String, permanent: Bool = false) {
        self.reason = reason
        isPermanent = permanent
    }

    /// The reason.
    package var description: String { reason }
}
