import Foundation
import JumpState
import Logging

/// Closes audiences' windows in the store and builds their digests: on the wall clock (every due window,
/// including those that closed while the notifier was down), or now (`digest send-now`).
package struct DigestWindows: Sendable {
    /// The notifier's side of the store.
    package let store: NotifierStore
    /// The configuration.
    package let configuration: DigestConfiguration
    /// The renderer.
    package let renderer: DigestRenderer
    /// The sinks every digest is delivered to, by name, and their recipients.
    package let sinks: [any DigestSink]
    private let logger: Logger

    /// Windows over `store`.
    package init(
        store: NotifierStore, configuration: DigestConfiguration, renderer: DigestRenderer, sinks: [any DigestSink],
        logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.renderer = renderer
        self.sinks = sinks
        self.logger = logger
    }

    /// The clock of an audience.
    package func clock(_ audience: Audience) -> WindowClock {
        WindowClock(schedule: audience.schedule, timeZone: TimeZone(identifier: audience.timeZone) ?? .gmt)
    }

    /// Closes every window that ended by `now`, oldest first, and returns the digests built.
    @discardableResult
    package func closeDue(now: Int64 = Timestamp.now()) async throws -> [StoredDigest] {
        var built: [StoredDigest] = []
        for audience in configuration.audiences {
            let clock = clock(audience)
            var closed = try await openWindowStart(audience, clock: clock, now: now)
            while true {
                let end = clock.boundary(after: closed)
                guard end <= now else { break }
                if let digest = try await close(audience, start: closed, end: end, now: now) { built.append(digest) }
                closed = try await store.windowClosedThrough(audience: audience.id) ?? end
            }
        }
        return built
    }

    /// Closes `audience`'s open window now (before its scheduled end) and returns its digest, if it has one.
    package func closeNow(_ audience: Audience, now: Int64 = Timestamp.now()) async throws -> StoredDigest? {
        try await closeDue(now: now)
        let start = try await openWindowStart(audience, clock: clock(audience), now: now)
        guard start < now else { return nil }
        return try await close(audience, start: start, end: now, now: now)
    }

    /// The digest the open window of `audience` would produce now, without closing it.
    package func preview(_ audience: Audience, now: Int64 = Timestamp.now()) async throws -> Digest? {
        let start =
            try await store.windowClosedThrough(audience: audience.id) ?? clock(audience).boundary(atOrBefore: now)
        var previewAudience = audience
        previewAudience.reportEmptyWindows = true
        let items = try await store.openItems(audience: audience.id)
        let totals = try await store.latestTotals()
        return DigestBuilder(audience: previewAudience, renderer: renderer).build(
            items: items, totals: totals, start: start,
            end: now, now: now, logger: logger)
    }

    /// When the open window of an audience began (starting its windows now if this store never had any).
    package func openWindowStart(_ audience: Audience, clock: WindowClock, now: Int64) async throws -> Int64 {
        if let closed = try await store.windowClosedThrough(audience: audience.id) { return closed }
        try await store.startWindows(audience: audience.id, at: clock.boundary(atOrBefore: now))
        return try await store.windowClosedThrough(audience: audience.id) ?? clock.boundary(atOrBefore: now)
    }

    private func close(_ audience: Audience, start: Int64, end: Int64, now: Int64) async throws -> StoredDigest? {
        let builder = DigestBuilder(audience: audience, renderer: renderer)
        let totals = try await store.latestTotals()
        let digest = try await store.closeWindow(audience: audience.id, start: start, end: end) { items in
            guard
                let digest = builder.build(
                    items: items, totals: totals, start: start, end: end, now: now, logger: logger)
            else { return nil }
            let stored = StoredDigest(
                id: digest.id, audience: audience.id, windowStart: start, windowEnd: end, builtAt: now,
                itemCount: digest.itemCount, json: String(decoding: DigestCoding.encode(digest), as: UTF8.self))
            let deliveries = sinks.flatMap { sink in
                sink.recipients(for: audience).map { DeliveryKey(digestID: digest.id, sink: sink.name, recipient: $0) }
            }
            return (stored, deliveries)
        }
        if let digest {
            logger.info(
                "digest \(digest.id) built: \(Wording.counted(Int64(digest.itemCount), "item", "items")), window \(Timestamp.utc(start))/\(Timestamp.utc(end))"
            )
        }
        return digest
    }
}
