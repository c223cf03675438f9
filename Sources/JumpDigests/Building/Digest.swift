import JumpState

/// A digest: what one audience is told about one window (`Schemas/digest.schema.json`).
public struct Digest: Sendable, Codable, Equatable {
    /// The window a digest covers.
    public struct Window: Sendable, Codable, Equatable {
        /// Start, RFC 3339 UTC (inclusive).
        public var start: String
        /// End, RFC 3339 UTC (exclusive).
        public var end: String
        /// The audience's time zone.
        public var timeZone: String
        /// The schedule, in words.
        public var schedule: String
    }

    /// Where an item's event sits in Kafka.
    public struct Origin: Sendable, Codable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition.
        public var partition: Int32
        /// The offset.
        public var offset: Int64
    }

    /// One reported event.
    public struct Item: Sendable, Codable, Equatable {
        /// The notification item id (`audience:event-id`).
        public var id: String
        /// The event id: every item is traceable to its event.
        public var eventId: String
        /// The event type.
        public var type: String
        /// The event subject.
        public var subject: String
        /// The importance (higher first).
        public var importance: Int
        /// The event's time.
        public var eventTime: String
        /// When the notifier received it (RFC 3339 UTC): the window it belongs to.
        public var receivedAt: String
        /// Where the event is in Kafka.
        public var origin: Origin
        /// The headline in each of the audience's languages.
        public var headline: [String: String]
        /// The news in a few words in each language, for a mail subject and the text's first line (`nil` in
        /// digests built before it existed).
        public var news: [String: String]? = nil
        /// The expansion or initiative the event is about (`nil` for other events): the text shows one line per
        /// thread, its latest event.
        public var thread: String? = nil
        /// The event's own date (`YYYY-MM-DD`: announced, opened, withdrawn, held; `nil` for a figure): what
        /// ranks it and tells news from earlier events recorded in the window.
        package var happenedOn: String? = nil
        /// `true` for a figure the source does not report but that was computed from reported ones: listed in
        /// the digest's JSON and attachment, not in its text.
        package var derived: Bool? = nil
    }

    /// `audience/window-start`: deterministic, so a digest is built once and a repeat can be dropped.
    public var id: String
    /// The audience id.
    public var audience: String
    /// The audience's name.
    public var audienceName: String
    /// The first language.
    public var language: String
    /// All its languages, first one first.
    public var languages: [String]
    /// The window.
    public var window: Window
    /// When it was built (RFC 3339 UTC).
    public var builtAt: String
    /// How many items it reports.
    public var itemCount: Int
    /// Items per event type.
    public var counts: [String: Int]
    /// The items, most important first.
    public var items: [Item]
    /// How many items this copy leaves out (`nil`: none): a digest too large for the `jump.digests` topic goes
    /// there with its most important items only; the full one is in `digests.jsonl`.
    public var itemsOmitted: Int? = nil
    /// Running totals: the sum of the latest totals of every partition of `jump.events`.
    public var totals: PartitionTotals
    /// The rendered text in each language.
    public var text: [String: String]

    /// This digest with only its first `count` items, and ``itemsOmitted`` saying how many are left out.
    public func capped(toItems count: Int) -> Digest {
        var capped = self
        capped.items = Array(items.prefix(max(0, count)))
        capped.itemsOmitted = itemCount - capped.items.count
        return capped
    }

    /// The text in the given languages, in that order, separated by a rule.
    public func text(languages order: [String]) -> String {
        order.compactMap { text[$0] }.joined(separator: "\n" + String(repeating: "—", count: 40) + "\n\n")
    }

    /// The text in the audience's languages, first one first.
    public var fullText: String { text(languages: languages) }

    /// The languages for a reader of `language`: theirs first, then the audience's others.
    public func languages(for language: String) -> [String] {
        languages.contains(language) ? [language] + languages.filter { $0 != language } : languages
    }
}
