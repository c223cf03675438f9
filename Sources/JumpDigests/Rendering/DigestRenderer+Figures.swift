import Foundation
import JumpEvents
import JumpState

/// The figures a digest ends with: the latest export and jobs figures with their change, as their sources state
/// them, and the cumulative figures of the running totals.
extension DigestRenderer {
    /// The figures, from the running totals: the latest exports and jobs with their change since an earlier period
    /// (`latest`), then companies, expansions and investment each way, meetings and initiatives (`cumulative`).
    func figureLines(
        _ totals: PartitionTotals, language: DigestLanguage, qualifiers: SeriesQualifiers = [:]
    ) -> (latest: [[String: String]], cumulative: [[String: String]]) {
        let spanish = language == .es
        var lines: [[String: String]] = []
        func add(_ label: String, _ value: String) { lines.append(["label": label, "value": value]) }
        func name(_ code: String) -> String { Sanitizer.clean(glossary.name(code, language: language)) }
        // A quarter older than its series' latest reported year leaves the headline (2019's fourth quarter beside
        // 2024's year reads as this year's news).
        func current(_ figures: [PartitionTotals.SeriesFigure]) -> [PartitionTotals.SeriesFigure] {
            var latestYear: [String: Int] = [:]
            for figure in figures where !figure.period.contains("-") {
                latestYear[figure.series] = max(latestYear[figure.series] ?? 0, Int(figure.period) ?? 0)
            }
            return figures.filter { figure in
                guard figure.period.contains("-"), let year = Int(figure.period.prefix(4)),
                    let annual = latestYear[figure.series]
                else { return true }
                return year >= annual
            }
        }
        for figure in current(totals.exports) {
            let ends = figure.series.components(separatedBy: "→")
            let label =
                ends.count == 2
                ? (spanish
                    ? "Exportaciones de \(name(ends[0])) a \(name(ends[1]))"
                    : "Exports from \(name(ends[0])) to \(name(ends[1]))")
                : (spanish ? "Exportaciones " : "Exports ") + Sanitizer.clean(figure.series)
            let stated = qualifiers[SeriesQualifiers.key("exports", figure.series, figure.period)]
            add(
                label,
                DigestText.stated(
                    DigestText.dollars(figure.value, language: language, rough: DigestText.isRough(stated?.value)),
                    stated?.value, language: language)
                    + inPeriod(figure, kind: "exports", qualifiers: qualifiers, language: language))
        }
        for figure in current(totals.jobs) {
            let stated = qualifiers[SeriesQualifiers.key("jobs", figure.series, figure.period)]
            add(
                DigestText.jobsLabel(figure.series, language: language, glossary: glossary),
                DigestText.stated(DigestText.number(figure.value), stated?.value, language: language)
                    + inPeriod(figure, kind: "jobs", qualifiers: qualifiers, language: language))
        }
        let latestCount = lines.count
        for direction in Direction.allCases {
            let way = DigestText.direction(direction, language)
            let companies = Int64(totals.companies[direction.rawValue] ?? 0)
            // Companies with an expansion not withdrawn or an investment this way (`state summary` counts companies
            // by country): the label says so.
            add(
                spanish
                    ? "Empresas con proyectos anunciados o concluidos (\(way))"
                    : "Companies with announced or completed projects (\(way))",
                DigestText.number(companies))
            let expansions = totals.expansions[direction.rawValue] ?? PartitionTotals.ExpansionFigures()
            if expansions != PartitionTotals.ExpansionFigures() {
                add(spanish ? "Expansiones (\(way))" : "Expansions (\(way))", expansionText(expansions, spanish))
            }
            let investments = totals.investments[direction.rawValue] ?? PartitionTotals.InvestmentFigures()
            if investments.count > 0 {
                let count = Int64(investments.count)
                add(
                    spanish ? "Inversión (\(way))" : "Investment (\(way))",
                    "\(DigestText.dollars(investments.usdCents, language: language)) "
                        + (spanish
                            ? "en \(Wording.countedInWords(count, "anuncio", "anuncios", language: language, feminine: false))"
                            : "in \(Wording.countedInWords(count, "announcement", "announcements", language: language))")
                )
            }
        }
        add(spanish ? "Reuniones de delegaciones" : "Delegation meetings", DigestText.number(Int64(totals.meetings)))
        add(spanish ? "Iniciativas" : "Initiatives", DigestText.number(Int64(totals.initiatives)))
        return (Array(lines.prefix(latestCount)), Array(lines.dropFirst(latestCount)))
    }

    /// `1 anunciada, 2 concluidas; previstos por las 3: 380 empleos, USD 90 millones; realizados por las 2
    /// concluidas: …` (statuses with none are left out; planned figures of expansions not withdrawn, said not
    /// disclosed where the events left them out; the actual figures only once an expansion completed).
    private func expansionText(_ figures: PartitionTotals.ExpansionFigures, _ spanish: Bool) -> String {
        let language: DigestLanguage = spanish ? .es : .en
        let statuses: [(Int, String, String)] =
            spanish
            ? [
                (figures.announced, "anunciada", "anunciadas"), (figures.completed, "concluida", "concluidas"),
                (figures.withdrawn, "cancelada", "canceladas"),
            ]
            : [
                (figures.announced, "announced", "announced"), (figures.completed, "completed", "completed"),
                (figures.withdrawn, "canceled", "canceled"),
            ]
        var parts = [
            statuses.filter { $0.0 > 0 }.map { Wording.countedInWords(Int64($0.0), $0.1, $0.2, language: language) }
                .joined(separator: ", ")
        ]
        let jobs = spanish ? ("empleo", "empleos") : ("job", "jobs")
        let active = figures.announced + figures.completed
        // Planned figures cover announced and completed expansions, actual ones the completed only: when both
        // kinds are there, each label names what it covers.
        let mixed = figures.announced > 0 && figures.completed > 0
        let undisclosed = min(figures.plannedNotDisclosed, active)
        if active > 0, undisclosed == active {
            parts.append(
                spanish ? "sin cifras de empleo ni de inversión dadas a conocer" : "no planned figures disclosed")
        } else if active > 0 {
            let label =
                mixed
                ? (active == 2
                    ? (spanish ? "meta de ambas: " : "planned by both: ")
                    : (spanish
                        ? "meta de las \(Wording.spelled(Int64(active), language: language)) no canceladas: "
                        : "planned by the \(Wording.spelled(Int64(active), language: language)) not canceled: "))
                : (spanish ? "meta: " : "planned: ")
            var planned =
                label + Wording.counted(figures.plannedJobs, jobs.0, jobs.1) + ", "
                + DigestText.dollars(figures.plannedUsdCents, language: language)
            if undisclosed > 0 {
                planned +=
                    spanish
                    ? " (\(Wording.countedInWords(Int64(undisclosed), "expansión", "expansiones", language: language)) sin cifras dadas a conocer)"
                    : " (\(Wording.countedInWords(Int64(undisclosed), "expansion", "expansions", language: language)) without disclosed figures)"
            }
            parts.append(planned)
        }
        if figures.completed > 0 {
            let label =
                mixed
                ? (spanish
                    ? "resultado de \(figures.completed == 1 ? "la concluida" : "las \(Wording.spelled(Int64(figures.completed), language: language)) concluidas"): "
                    : "actual, by the \(Wording.spelled(Int64(figures.completed), language: language)) completed: ")
                : (spanish ? "resultado: " : "actual: ")
            parts.append(
                label + Wording.counted(figures.actualJobs, jobs.0, jobs.1) + ", "
                    + DigestText.dollars(figures.actualUsdCents, language: language))
        }
        return parts.filter { !$0.isEmpty }.joined(separator: "; ")
    }

    /// ` en 2022 (+49.0 % desde 2018)` / ` in 2022 (+49.0 % since 2018)`.
    private func inPeriod(
        _ figure: PartitionTotals.SeriesFigure, kind: String, qualifiers: SeriesQualifiers, language: DigestLanguage
    ) -> String {
        let spanish = language == .es
        let stated = qualifiers[SeriesQualifiers.key(kind, figure.series, figure.period)]
        let words = Wording.period(figure.period, language: language)
        if stated?.period?.basis == .notStated {
            return " (\(DigestText.periodNotStated(words, language: language)))"
        }
        var text =
            (spanish ? " en " : " in ") + words
            + DigestText.statedWhen(stated?.period, period: true, language: language)
        // A change against a figure derived from it gives back what the source stated (`+49 % desde 2018`); a
        // quarter is compared only with the same quarter a year earlier; a year across a gap says the earlier one
        // is the latest before.
        guard let previousPeriod = figure.previousPeriod,
            let gap = Self.yearsBetween(previousPeriod, figure.period),
            let change = DigestText.change(
                from: figure.previousValue, to: figure.value,
                since: Wording.period(previousPeriod, language: language), language: language)
        else { return text }
        // A previous value derived from this one and the change is the source's own comparison: it says so, not
        // that a figure was reported for that year.
        let previous = qualifiers[SeriesQualifiers.key(kind, figure.series, previousPeriod)]
        let latestBefore = spanish ? ", último dato anterior" : ", the most recent earlier figure"
        let asStated = spanish ? ", según la fuente" : ", per the source"
        text += " (\(change)\(previous?.value?.basis == .derived ? asStated : gap > 1 ? latestBefore : ""))"
        return text
    }

    /// How many years lie between two periods of one kind (`2018`, `2022`: 4), or `nil` when they cannot be
    /// compared: quarters that are not the same quarter of different years, or periods of different kinds.
    static func yearsBetween(_ earlier: String, _ later: String) -> Int? {
        let (a, b) = (earlier.split(separator: "-"), later.split(separator: "-"))
        guard let first = a.first.flatMap({ Int($0) }), let second = b.first.flatMap({ Int($0) }), a.count == b.count,
            second > first
        else { return nil }
        if a.count == 2, a[1] != b[1] { return nil }
        return second - first
    }
}

/// How the sources state the series figures a digest's reports carry (``FigureQualifier``), by series and
/// period: what the running totals keep of each figure (``StatedFigure``, since migration v7) and what the
/// window's own export and jobs events say of their value and period.
package struct SeriesQualifiers: Sendable, ExpressibleByDictionaryLiteral {
    /// What one report says of its value and its period.
    package struct Stated: Sendable {
        /// Of the value.
        package var value: FigureQualifier?
        /// Of the period.
        package var period: FigureQualifier?
    }

    private var byKey: [String: Stated]

    /// None.
    package init(dictionaryLiteral elements: (String, Stated)...) {
        byKey = Dictionary(elements, uniquingKeysWith: { _, last in last })
    }

    /// How the running totals say the sources stated their series figures, then what the export and jobs events
    /// among `events` say (a later report of the same period wins).
    package init(totals: PartitionTotals = PartitionTotals(), events: [JumpEvent]) {
        byKey = [:]
        for (kind, figures) in [("exports", totals.exports), ("jobs", totals.jobs)] {
            for figure in figures {
                if let previousPeriod = figure.previousPeriod, let stated = figure.previousStated {
                    byKey[Self.key(kind, figure.series, previousPeriod)] = Stated(
                        value: stated.value, period: stated.period)
                }
                if let stated = figure.stated {
                    byKey[Self.key(kind, figure.series, figure.period)] = Stated(
                        value: stated.value, period: stated.period)
                }
            }
        }
        for event in events {
            switch event.payload {
            case .exportsReported(let exports):
                byKey[Self.key("exports", "\(exports.origin)→\(exports.destination)", exports.period.description)] =
                    Stated(value: exports.qualifiers["/valueUsdCents"], period: exports.qualifiers["/period"])
            case .jobsReported(let jobs):
                byKey[Self.key("jobs", jobs.scope, jobs.period.description)] = Stated(
                    value: jobs.qualifiers["/jobsSupported"], period: jobs.qualifiers["/period"])
            default: continue
            }
        }
    }

    /// What the report of `series` for `period` says, if a report in the window said anything.
    package subscript(key: String) -> Stated? { byKey[key] }

    static func key(_ kind: String, _ series: String, _ period: String) -> String { "\(kind)|\(series)|\(period)" }
}
