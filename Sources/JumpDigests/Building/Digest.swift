import JumpState

/// A digest: what one audience is told about one window (`Schemas/digest.schema.json`).
package struct Digest: Sendable, Codable, Equatable {
    /// The window a digest covers.
    package struct Window: Sendable, Codable, Equatable {
        /// Start, RFC 3339 UTC (inclusive).
        package var start: String
        /// End, RFC 3339 UTC (exclusive).
        package var end: String
        /// The audience's time zone.
        package var timeZone: String
        /// The schedule, in words.
        package var schedule: String
    }

    /// Where an item's event sits in Kafka.
    package struct Origin: Sendable, Codable, Equatable {
        /// The topic.
        package var topic: String
        /// The partition.
        package var partition: Int32
        /// The offset.
        package var offset: Int64
    }

    /// One reported event.
    package struct Item: Sendable, Codable, Equatable {
        /// The notification item id (`audience:event-id`).
        package var id: String
        /// The event id: every item is traceable to its event.
        package var eventId: String
        /// The event type.
        package var type: String
        /// The event subject.
        package var subject: String
        /// The importance (higher first).
        package var importance: Int
        /// The event's time.
        package var eventTime: String
        /// When the notifier received it (RFC 3339 UTC): the window it belongs to.
        package var receivedAt: String
        /// Where the event is in Kafka.
        package var origin: Origin
        /// The headline in each of the audience's languages.
        package var headline: [String: String]
        /// The news in a few words in each language, for a mail subject and the text's first line (`nil` in
        /// digests built before it existed).
        package var news: [String: String]? = nil
        /// The expansion or initiative the event is about (`nil` for other events): the text shows one line per
        /// thread, its latest event.
        package var thread: String? = nil
        /// The event's own date (`YYYY-MM-DD`: announced, opened, withdrawn, held; `nil` for a figure): what
        /// ranks it and tells news from earlier events recorded in the window.
        package var happenedOn: String? = nil
        /// `true` for a figure the source does not report but that was computed from reported ones: listed in
        /// the digest's JSON and attachment, not in its text.
        package var derived: Bool? = nil
        /// Where the event comes from, as an http(s) address, when it is one (``SourceLink``).
        package var link: String? = nil
    }

    /// `audience/window-start`: deterministic, so a digest is built once and a repeat can be dropped.
    package var id: String
    /// The audience id.
    package var audience: String
    /// The audience's name.
    package var audienceName: String
    /// The first language.
    package var language: DigestLanguage
    /// All its languages, first one first.
    package var languages: [DigestLanguage]
    /// The window.
    package var window: Window
    /// When it was built (RFC 3339 UTC).
    package var builtAt: String
    /// How many items it reports.
    package var itemCount: Int
    /// Items per event type.
    package var counts: [String: Int]
    /// The items, most important first.
    package var items: [Item]
    /// How many items this copy leaves out (`nil`: none): a digest too large for the `jump.digests` topic goes
    /// there with its most important items only; the full one is in `digests.jsonl`.
    package var itemsOmitted: Int? = nil
    /// Running totals: the sum of the latest totals of every partition of `jump.events`.
    package var totals: PartitionTotals
    /// The rendered text in each language.
    package var text: [String: String]

    /// This digest with only its first `count` items, and ``itemsOmitted`` saying how many are left out.
    package func capped(toItems count: Int) -> Digest {
        var capped = self
        capped.items = Array(items.prefix(max(0, count)))
        capped.itemsOmitted = itemCount - capped.items.count
        return capped
    }

    /// The text in the given languages, in that order, separated by a rule.
    package func text(languages order: [DigestLanguage]) -> String {
        order.compactMap { text[$0.rawValue] }.joined(separator: "\n" + String(repeating: "—", count: 40) + "\n\n")
    }

    /// The text in the audience's languages, first one first.
    package var fullText: String { text(languages: languages) }

    /// The languages for a reader of `language`: theirs first, then the audience's others.
    package func languages(for language: DigestLanguage) -> [DigestLanguage] {
        languages.contains(language) ? [language] + languages.filter { $0 != language } : languages
    }
}
