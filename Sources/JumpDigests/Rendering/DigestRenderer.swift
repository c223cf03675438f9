import Foundation
import JumpEvents
import JumpState
import Mustache

/// Renders digests to text with Mustache templates, one per language (`digest.es.mustache`,
/// `digest.en.mustache`): an operator's from a template directory, or the built-in ``DefaultTemplates``.
package struct DigestRenderer: Sendable {
    private let spanishTemplate: MustacheTemplate
    private let englishTemplate: MustacheTemplate
    /// The names of codes the text uses.
    package let glossary: Glossary
    /// When a figure is marked "to check".
    package let plausibility: PlausibilityBounds

    /// A renderer with the templates in `directory` where present, the built-in ones elsewhere, and the built-in
    /// names with `glossary` added.
    /// - Throws: ``DigestConfigurationError`` naming a template file that cannot be read or parsed.
    package init(
        templateDirectory directory: String? = nil, glossary: [String: [String: String]] = [:],
        plausibility: PlausibilityBounds = PlausibilityBounds()
    ) throws(DigestConfigurationError) {
        self.glossary = glossary.isEmpty ? .standard : Glossary(adding: glossary)
        self.plausibility = plausibility
        spanishTemplate = try Self.template(.es, in: directory)
        englishTemplate = try Self.template(.en, in: directory)
    }

    /// The template of `language`: `digest.LANGUAGE.mustache` in `directory` where present, else the built-in one.
    private static func template(
        _ language: DigestLanguage, in directory: String?
    ) throws(DigestConfigurationError) -> MustacheTemplate {
        var text = DefaultTemplates.template(language: language)
        var origin = "built-in template for \(language)"
        if let directory {
            let path = StorePath.file("digest.\(language).mustache", in: directory)
            if FileManager.default.fileExists(atPath: path) {
                do {
                    text = try String(contentsOfFile: path, encoding: .utf8)
                } catch {
                    throw DigestConfigurationError(description: "\(path): cannot read: \(error)")
                }
                origin = path
            }
        }
        do {
            return try MustacheTemplate(string: text)
        } catch {
            throw DigestConfigurationError(description: "\(origin): not a valid Mustache template: \(error)")
        }
    }

    /// The digest's text in one language, listing at most `maximumItems` items (the most important first). The
    /// audience's `names` and `contact` (by language) title it and close it. A digest of an empty window is one
    /// line.
    package func render(
        _ digest: Digest, language: DigestLanguage, maximumItems: Int = 25, names: [String: String] = [:],
        contact: [String: String] = [:], seriesQualifiers: SeriesQualifiers = [:]
    ) -> String {
        let name = Sanitizer.clean(names[language.rawValue] ?? digest.audienceName)
        if digest.items.isEmpty {
            let window = windowText(digest, language: language)
            return language == .es
                ? "JUMP · \(name): sin novedades (\(window)).\n"
                : "JUMP · \(name): nothing new (\(window)).\n"
        }
        var context = context(
            digest, language: language, maximumItems: maximumItems, seriesQualifiers: seriesQualifiers)
        context["audienceName"] = name
        context["contact"] = contact[language.rawValue].map { Sanitizer.clean($0) } ?? ""
        let template =
            switch language {
            case .es: spanishTemplate
            case .en: englishTemplate
            }
        let text = template.render(context)
        // Templates are text: trailing blanks go, and the text ends with exactly one line break.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop { $0 == " " }.reversed())
        }
        var trimmed = lines.joined(separator: "\n")
        while trimmed.hasSuffix("\n") { trimmed.removeLast() }
        return trimmed + "\n"
    }

    /// The news line a digest's text and its e-mail subject start with: the most important item's news and how
    /// many more updates there are (`JUMP: Aceros del Norte abre en Ogden con 205 empleos; 7 novedades más`); a
    /// window of earlier events only says so first (`JUMP (7 antecedentes): Aceros del Norte concluyó…`); `nil` for
    /// an empty window.
    package static func newsLine(_ digest: Digest, language: DigestLanguage) -> String? {
        let lines = Self.lines(digest.items)
        guard let first = lines.first else { return nil }
        let news =
            first.news?[language.rawValue] ?? first.headline[language.rawValue] ?? first.news?.values.first ?? first
            .headline.values.first
            ?? ""
        let start = Timestamp.parseUTC(digest.window.start) ?? 0
        // A window of earlier events only says so first: nothing in it is this period's news.
        if lines.allSatisfy({ isEarlier($0, than: start) }) {
            let count = Int64(lines.count)
            let label =
                language == .es
                ? Wording.counted(count, "antecedente", "antecedentes")
                : Wording.counted(count, "earlier event", "earlier events")
            return "JUMP (\(label)): \(news)"
        }
        guard lines.count > 1 else { return "JUMP: \(news)" }
        let more = Int64(lines.count - 1)
        // The rest are news when any of them is; earlier events recorded now are not called news.
        let earlier = lines.dropFirst().allSatisfy { isEarlier($0, than: start) }
        let noun =
            switch (language == .es, earlier) {
            case (true, false): Wording.counted(more, "novedad más", "novedades más")
            case (true, true): Wording.counted(more, "antecedente más", "antecedentes más")
            case (false, false): Wording.counted(more, "more update", "more updates")
            case (false, true): Wording.counted(more, "more earlier item", "more earlier items")
            }
        return "JUMP: \(news); \(noun)"
    }

    /// The window in the audience's local time, in the language's style.
    private func windowText(_ digest: Digest, language: DigestLanguage) -> String {
        Wording.window(
            start: Timestamp.parseUTC(digest.window.start) ?? 0, end: Timestamp.parseUTC(digest.window.end) ?? 0,
            timeZone: digest.window.timeZone, language: language)
    }

    /// The values a template sees: `newsLine`, `audienceName`, `windowText` (`29 de noviembre de 2026,
    /// 07:00–08:00 MST`), `changesHeading`, `groups` (label and its `items`' `headline`), `moreText` (what was
    /// left out, or nothing), `latestHeading` and `latest` (each export and jobs series' latest period, label/value),
    /// `figuresHeading` (`Cifras acumuladas al 29 de noviembre de 2026:`) and `cumulative` (the running totals),
    /// `figures` (both lists together), `contact`, `footer` (the digest's ID); and, for templates written before them, `digestId`,
    /// `windowStart`, `windowEnd`, `items`, `itemCount`.
    func context(
        _ digest: Digest, language: DigestLanguage, maximumItems: Int = 25, seriesQualifiers: SeriesQualifiers = [:]
    ) -> [String: Any] {
        let spanish = language == .es
        let lines = Self.lines(digest.items)
        let shown = lines.prefix(max(1, maximumItems))
        // What happened lately is news; an older fact recorded in this window is listed apart, under its own
        // heading, so that nothing old reads as this period's news.
        let windowStart = Timestamp.parseUTC(digest.window.start) ?? 0
        let news = shown.filter { !Self.isEarlier($0, than: windowStart) }
        let earlier = shown.filter { Self.isEarlier($0, than: windowStart) }
        func grouped(_ items: [Digest.Item]) -> [[String: Any]] {
            var groups: [(type: String, headlines: [String])] = []
            for item in items {
                let headline = item.headline[language.rawValue] ?? item.headline.values.first ?? ""
                if let index = groups.firstIndex(where: { $0.type == item.type }) {
                    groups[index].headlines.append(headline)
                } else {
                    groups.append((item.type, [headline]))
                }
            }
            return groups.map { group in
                [
                    "label": JumpEventType(rawValue: group.type).map {
                        DigestText.typeLabel($0, language: language, count: group.headlines.count)
                    } ?? group.type,
                    "items": group.headlines.map { ["headline": $0] },
                ]
            }
        }
        let left = lines.count - shown.count
        // What was left out is news when any of it is; else earlier events.
        let leftNews = lines.dropFirst(shown.count).contains { !Self.isEarlier($0, than: windowStart) }
        let leftNoun =
            switch (spanish, leftNews, left == 1) {
            case (true, true, true): "novedad"
            case (true, true, false): "novedades"
            case (true, false, true): "antecedente"
            case (true, false, false): "antecedentes"
            case (false, true, true): "update"
            case (false, true, false): "updates"
            case (false, false, true): "earlier event"
            case (false, false, false): "earlier events"
            }
        let total = DigestText.number(Int64(digest.itemCount))
        let (latest, cumulative) = figureLines(digest.totals, language: language, qualifiers: seriesQualifiers)
        let asOf = Wording.dateline(
            Wording.LocalTime(
                milliseconds: (Timestamp.parseUTC(digest.window.end) ?? 1) - 1, timeZone: digest.window.timeZone),
            language: language)
        return [
            "newsLine": Self.newsLine(digest, language: language) ?? "",
            "audienceName": Sanitizer.clean(digest.audienceName), "digestId": digest.id,
            "windowText": windowText(digest, language: language),
            "windowStart": digest.window.localStart, "windowEnd": digest.window.localEnd,
            "timeZone": digest.window.timeZone, "schedule": digest.window.schedule,
            "hasChanges": !news.isEmpty,
            "changesHeading": spanish
                ? (news.count == 1
                    ? "Una novedad en este periodo:"
                    : "Novedades del periodo (\(DigestText.number(Int64(news.count)))), por orden de relevancia:")
                : (news.count == 1
                    ? "One update in this period:"
                    : "New in this period (\(DigestText.number(Int64(news.count)))), most important first:"),
            "groups": grouped(news),
            "hasEarlier": !earlier.isEmpty,
            "earlierHeading": spanish
                ? "Antecedentes incorporados al registro en este periodo (no son hechos recientes):"
                : "Earlier events added to the record this period (not recent news):",
            "earlierGroups": grouped(earlier),
            "hasMore": left > 0,
            "moreText": left == 0
                ? ""
                : spanish
                    ? "… y \(Wording.spelled(Int64(left), language: .es)) \(leftNoun) más; la lista adjunta al correo incluye los \(total) eventos del periodo"
                    : "… and \(Wording.spelled(Int64(left), language: .en)) more \(leftNoun); the list attached to the email has all \(total) events of this period",
            "figuresHeading": spanish
                ? "Cifras acumuladas del registro JUMP al \(asOf):" : "JUMP record totals as of \(asOf):",
            // Exports and jobs are each series' latest reported period, not running totals: a heading of their own.
            "latestHeading": spanish ? "Últimas cifras reportadas:" : "Latest reported figures:",
            "latest": latest, "hasLatest": !latest.isEmpty, "cumulative": cumulative, "figures": latest + cumulative,
            "footer": spanish ? "Identificador del resumen: \(digest.id)" : "Digest ID: \(digest.id)",
            // Every item in window order and the count, for operators' templates written before the groups.
            "itemCount": digest.itemCount, "hasItems": !digest.items.isEmpty,
            "items": digest.items.map { item in
                [
                    "headline": item.headline[language.rawValue] ?? item.headline.values.first ?? "",
                    "eventId": Sanitizer.clean(item.eventId), "subject": Sanitizer.clean(item.subject),
                    "type": item.type, "importance": item.importance,
                ] as [String: Any]
            },
        ]
    }

    /// The lines a digest's text shows: the most important first (the most recent event first among equals), one per
    /// expansion and per initiative (its latest event: its current status), one per other event.
    static func lines(_ items: [Digest.Item]) -> [Digest.Item] {
        var latest: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            guard let key = thread(item) else { continue }
            latest[key] = index
        }
        let kept = items.enumerated().filter { index, item in thread(item).map { latest[$0] == index } ?? true }
        // The most important first, what happened lately (within 30 days of its report) before older facts reported
        // now at the same rank and one above; among equals the most recent event first, then window order.
        // Ranked once per item, not in the comparator (each rank parses two timestamps).
        // A derived figure is no news: it stays in the digest's JSON and attachment, not in its text.
        let ranked = kept.filter { $0.element.derived != true }.map {
            (rank: $0.element.importance + (isRecent($0.element) ? 1 : 0), $0.offset, $0.element, happened($0.element))
        }
        return ranked.sorted { a, b in
            if a.rank != b.rank { return a.rank > b.rank }
            if a.3 != b.3 { return a.3 > b.3 }
            return a.1 < b.1
        }.map(\.2)
    }

    /// When an item's event happened: its own date (announced, opened, held), else its CloudEvents time.
    private static func happened(_ item: Digest.Item) -> Int64 {
        item.happenedOn.flatMap(Wording.milliseconds(ofDay:)) ?? Timestamp.parseUTC(item.eventTime) ?? 0
    }

    /// Whether an item's event happened within 30 days before it was received.
    private static func isRecent(_ item: Digest.Item) -> Bool {
        guard let received = Timestamp.parseUTC(item.receivedAt) else { return false }
        return received - happened(item) <= 30 * 86_400_000
    }

    /// Whether an item's event happened more than 30 days before `windowStart`: an earlier fact recorded now.
    static func isEarlier(_ item: Digest.Item, than windowStart: Int64) -> Bool {
        windowStart - happened(item) > 30 * 86_400_000
    }

    /// What makes events one line: the expansion or the initiative they are about.
    private static func thread(_ item: Digest.Item) -> String? { item.thread }

    /// An item's line: its headline and what to check in its figures (``PlausibilityBounds``).
    package func headline(_ item: NotificationItem, language: DigestLanguage) -> String {
        let headline = DigestText.headline(item, language: language, glossary: glossary)
        guard let concerns = plausibility.concerns(item.event, language: language) else { return headline }
        return "\(headline) — \(concerns)"
    }
}
