import Foundation
import JumpEvents
import JumpState
import Logging

/// Builds an audience's digest from the items buffered in a window and the latest totals.
package struct DigestBuilder: Sendable {
    /// The audience.
    package let audience: Audience
    /// Renders the text.
    package let renderer: DigestRenderer

    /// A builder for one audience.
    package init(audience: Audience, renderer: DigestRenderer) {
        self.audience = audience
        self.renderer = renderer
    }

    /// The digest id of the window starting at `start`.
    package func digestID(windowStart start: Int64) -> String { "\(audience.id)/\(Timestamp.utc(start))" }

    /// The digest of `[start, end)`, or `nil` when the window has no item and the audience does not report
    /// empty windows. Items that cannot be read are left out and logged.
    package func build(
        items buffered: [BufferedItem], totals: [String], start: Int64, end: Int64, now: Int64, logger: Logger
    ) -> Digest? {
        var items: [(NotificationItem, BufferedItem)] = []
        for item in buffered {
            do {
                items.append((try NotificationItem(json: Array(item.item.utf8)), item))
            } catch {
                logger.error("digest \(digestID(windowStart: start)): item \(item.itemID) left out: \(error)")
            }
        }
        guard !items.isEmpty || audience.reportEmptyWindows else { return nil }
        let decoder = JSONDecoder()
        let partitionTotals = totals.compactMap { try? decoder.decode(PartitionTotals.self, from: Data($0.utf8)) }
        var counts: [String: Int] = [:]
        for (item, _) in items { counts[item.event.type.rawValue, default: 0] += 1 }
        var digest = Digest(
            id: digestID(windowStart: start), audience: audience.id, audienceName: audience.name,
            language: audience.languages[0], languages: audience.languages,
            window: Digest.Window(
                start: Timestamp.utc(start), end: Timestamp.utc(end), timeZone: audience.timeZone,
                schedule: audience.schedule.describe(timeZone: audience.timeZone)),
            builtAt: Timestamp.utc(now), itemCount: items.count, counts: counts,
            items: items.map { item, buffered in
                var line = Digest.Item(
                    id: item.id, eventId: item.event.id, type: item.event.type.rawValue, subject: item.event.subject,
                    importance: item.importance, eventTime: item.event.time,
                    receivedAt: Timestamp.utc(buffered.receivedAt),
                    origin: Digest.Origin(
                        topic: item.originTopic, partition: item.originPartition, offset: item.originOffset),
                    headline: Dictionary(
                        uniqueKeysWithValues: audience.languages.map {
                            ($0.rawValue, renderer.headline(item, language: $0))
                        }),
                    thread: DigestText.thread(of: item.event), happenedOn: DigestText.happenedOn(item.event),
                    derived: DigestText.isDerived(item.event) ? true : nil, link: item.link)
                // An earlier event recorded now is told in the past tense, even in a subject.
                let past = DigestRenderer.isEarlier(line, than: start)
                line.news = Dictionary(
                    uniqueKeysWithValues: audience.languages.map {
                        ($0.rawValue, DigestText.news(item, language: $0, glossary: renderer.glossary, past: past))
                    })
                return line
            },
            totals: PartitionTotals.sum(partitionTotals), text: [:])
        let seriesQualifiers = SeriesQualifiers(totals: digest.totals, events: items.map(\.0.event))
        for language in audience.languages {
            digest.text[language.rawValue] = renderer.render(
                digest, language: language, maximumItems: audience.maximumItems, names: audience.names,
                contact: audience.contact, seriesQualifiers: seriesQualifiers)
        }
        return digest
    }
}

extension Digest.Window {
    /// The window's start as people read it: local time in its time zone (`2026-11-29 07:00 MST`).
    package var localStart: String { Timestamp.local(Timestamp.parseUTC(start) ?? 0, timeZone: timeZone) }
    /// The window's end as people read it.
    package var localEnd: String { Timestamp.local(Timestamp.parseUTC(end) ?? 0, timeZone: timeZone) }
}

/// Times as digests show them.
package enum Timestamp {
    /// Milliseconds since 1970 as RFC 3339 UTC, to the second (`2026-11-29T14:00:00Z`).
    package static func utc(_ milliseconds: Int64) -> String {
        RFC3339.utc(milliseconds: milliseconds, fraction: false)
    }

    /// Milliseconds since 1970 as a local time in `timeZone` (`2026-11-29 07:00 MST`).
    package static func local(_ milliseconds: Int64, timeZone: String) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd HH:mm zzz"
        return formatter.string(from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
    }

    /// The current time in milliseconds since 1970.
    package static func now() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded(.down)) }

    /// Parses RFC 3339 UTC as written by ``utc(_:)``.
    package static func parseUTC(_ text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        return formatter.date(from: text).map { Int64(($0.timeIntervalSince1970 * 1000).rounded()) }
    }
}
