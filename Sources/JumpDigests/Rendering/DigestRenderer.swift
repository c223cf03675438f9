import Foundation
import JumpEvents
import JumpState
import Mustache

/// Renders digests to text with Mustache templates, one per language (`digest.es.mustache`,
/// `digest.en.mustache`): an operator's from a template directory, or the built-in ``DefaultTemplates``.
public struct DigestRenderer: Sendable {
    private let templates: [String: MustacheTemplate]

    /// A renderer with the templates in `directory` where present, the built-in ones elsewhere.
    /// - Throws: ``DigestConfigurationError`` naming a template file that cannot be read or parsed.
    public init(templateDirectory directory: String? = nil) throws(DigestConfigurationError) {
        var templates: [String: MustacheTemplate] = [:]
        for language in DigestText.languages {
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
                templates[language] = try MustacheTemplate(string: text)
            } catch {
                throw DigestConfigurationError(description: "\(origin): not a valid Mustache template: \(error)")
            }
        }
        self.templates = templates
    }

    /// The digest's text in one language.
    public func render(_ digest: Digest, language: String) -> String {
        let template = templates[language] ?? templates["en"]!
        let text = template.render(context(digest, language: language))
        // Templates are text: trailing blanks go, and the text ends with exactly one line break.
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.reversed().drop { $0 == " " }.reversed())
        }
        var trimmed = lines.joined(separator: "\n")
        while trimmed.hasSuffix("\n") { trimmed.removeLast() }
        return trimmed + "\n"
    }

    /// The values a template sees.
    func context(_ digest: Digest, language: String) -> [String: Any] {
        let spanish = language == "es"
        let start = Timestamp.parseUTC(digest.window.start) ?? 0
        let end = Timestamp.parseUTC(digest.window.end) ?? 0
        let items: [[String: Any]] = digest.items.map { item in
            [
                "headline": item.headline[language] ?? item.headline.values.first ?? "",
                "eventId": Sanitizer.clean(item.eventId), "subject": Sanitizer.clean(item.subject),
                "type": item.type, "importance": item.importance, "marker": item.importance >= 3 ? "!" : "·",
            ]
        }
        let order = Dictionary(uniqueKeysWithValues: JumpEventType.allCases.enumerated().map { ($1.rawValue, $0) })
        let counts: [[String: Any]] = digest.counts.sorted {
            (order[$0.key] ?? .max, $0.key) < (order[$1.key] ?? .max, $1.key)
        }.map { type, count in
            [
                "label": JumpEventType(rawValue: type).map { DigestText.typeLabel($0, language: language) } ?? type,
                "count": count,
            ]
        }
        return [
            "audienceName": Sanitizer.clean(digest.audienceName), "digestId": digest.id,
            "windowStart": Timestamp.local(start, timeZone: digest.window.timeZone),
            "windowEnd": Timestamp.local(end, timeZone: digest.window.timeZone),
            "timeZone": digest.window.timeZone, "schedule": digest.window.schedule,
            "hasItems": !digest.items.isEmpty, "itemCount": digest.itemCount, "items": items, "counts": counts,
            "totals": totalLines(digest.totals, spanish: spanish),
        ]
    }

    /// The running totals as label/value lines.
    private func totalLines(_ totals: PartitionTotals, spanish: Bool) -> [[String: String]] {
        let language = spanish ? "es" : "en"
        var lines: [[String: String]] = []
        func add(_ label: String, _ value: String) { lines.append(["label": label, "value": value]) }
        for direction in Direction.allCases {
            let name = DigestText.direction(direction, language)
            let companies = totals.companies[direction.rawValue] ?? 0
            add(spanish ? "Empresas (\(name))" : "Companies (\(name))", DigestText.number(Int64(companies)))
            let expansions = totals.expansions[direction.rawValue] ?? PartitionTotals.ExpansionFigures()
            if expansions != PartitionTotals.ExpansionFigures() {
                add(
                    spanish ? "Expansiones (\(name))" : "Expansions (\(name))",
                    spanish
                        ? "\(expansions.announced) anunciadas, \(expansions.completed) completadas, "
                            + "\(expansions.withdrawn) retiradas; \(DigestText.number(expansions.plannedJobs)) empleos "
                            + "previstos, \(DigestText.dollars(expansions.plannedUsdCents, language: language))"
                        : "\(expansions.announced) announced, \(expansions.completed) completed, "
                            + "\(expansions.withdrawn) withdrawn; \(DigestText.number(expansions.plannedJobs)) planned "
                            + "jobs, \(DigestText.dollars(expansions.plannedUsdCents, language: language))")
            }
            let investments = totals.investments[direction.rawValue] ?? PartitionTotals.InvestmentFigures()
            add(
                spanish ? "Inversión (\(name))" : "Investment (\(name))",
                "\(DigestText.dollars(investments.usdCents, language: language)) "
                    + (spanish ? "en \(investments.count) anuncios" : "in \(investments.count) announcements"))
        }
        for figure in totals.exports {
            add(
                (spanish ? "Exportaciones " : "Exports ")
                    + Sanitizer.clean(figure.series.replacingOccurrences(of: "→", with: " → ")),
                "\(figure.period): \(DigestText.dollars(figure.value, language: language))"
                    + change(figure, spanish: spanish))
        }
        for figure in totals.jobs {
            add(
                (spanish ? "Empleos sostenidos (" : "Jobs supported (") + Sanitizer.clean(figure.series) + ")",
                "\(figure.period): \(DigestText.number(figure.value))" + change(figure, spanish: spanish))
        }
        add(spanish ? "Reuniones de delegaciones" : "Delegation meetings", DigestText.number(Int64(totals.meetings)))
        add(spanish ? "Iniciativas" : "Initiatives", DigestText.number(Int64(totals.initiatives)))
        return lines
    }

    private func change(_ figure: PartitionTotals.SeriesFigure, spanish: Bool) -> String {
        guard let previousPeriod = figure.previousPeriod,
            let change = DigestText.change(from: figure.previousValue, to: figure.value)
        else { return "" }
        return " (\(change) \(spanish ? "desde" : "since") \(previousPeriod))"
    }
}
