import Foundation
import JumpDigests
import JumpEvents
import JumpKafka
import JumpState
import JumpWorker
import Mustache

/// The store's pages: the state summary and companies, a company, the anomalies.
extension ConsolePages {
    func state(query: String?) async throws -> Page {
        let store = source.store
        let figures = SummaryFigures(try await store.summary())
        let summary = figures.summary
        // Control and bidirectional characters cannot be part of a name worth finding: they are dropped, so the
        // search box never holds them (and a resubmitted search is the same search).
        let search = query.map {
            String(String.UnicodeScalarView($0.unicodeScalars.filter { !TerminalText.isUnsafe($0) }))
        }
        .flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 }
        let companies = try await store.companies(matching: search, limit: 100)
        let anomalies = try await store.anomalies(limit: 10)
        let context: [String: Any] = [
            "applied": summary.eventsApplied, "duplicates": summary.duplicatesSkipped,
            "deadLettered": summary.deadLettered, "anomalyCount": summary.anomalies, "meetings": summary.meetings,
            "partitions": summary.partitions.count,
            "expansions": figures.expansions.map { expansion -> [String: Any] in
                [
                    "direction": expansion.direction, "status": expansion.status, "count": expansion.count,
                    "plannedJobs": expansion.plannedJobs, "plannedDollars": expansion.plannedDollars,
                    "actualJobs": expansion.actualJobs, "actualDollars": expansion.actualDollars,
                ]
            },
            "investments": figures.investments.map { investment -> [String: Any] in
                ["direction": investment.direction, "count": investment.count, "dollars": investment.dollars]
            },
            "query": search ?? "",
            "companiesNote": search.map {
                "Companies whose id or name contains “\(Self.shown($0))”: \(companies.count)"
            }
                ?? "The first \(companies.count) companies by id.",
            "companies": companies.map { company -> [String: Any] in
                [
                    "id": Self.shown(company.id), "href": Self.companyPath(company.id),
                    "name": Self.shown(company.name), "country": company.country,
                    "sector": Self.shown(company.sector), "expansions": company.expansions,
                    "investments": company.investments,
                ]
            },
            "anomalies": anomalies.map(Self.anomalyRow),
            "moreAnomalies": summary.anomalies > anomalies.count ? "\(summary.anomalies)" : false,
            "exports": summary.exports.map { figure -> [String: Any] in
                [
                    "series": Self.shown(figure.series), "period": figure.period,
                    "value": SummaryFigures.dollars(figure.value),
                    "revisions": figure.revisions > 0 ? "\(figure.revisions)" : "",
                ]
            },
            "jobs": summary.jobs.map { figure -> [String: Any] in
                [
                    "series": Self.shown(figure.series), "period": figure.period,
                    "value": Wording.counted(figure.value, "job", "jobs"),
                    "revisions": figure.revisions > 0 ? "\(figure.revisions)" : "",
                ]
            },
            "initiatives": summary.initiativesByStatus.sorted { $0.key < $1.key }.map {
                ["status": Self.shown($0.key), "count": $0.value]
            },
            "hasExports": !summary.exports.isEmpty, "hasJobs": !summary.jobs.isEmpty,
            "hasInitiatives": !summary.initiativesByStatus.isEmpty,
        ]
        return Page(title: "State", path: "/console/state", body: templates.state.render(context))
    }

    /// An anomaly as a table row shows it.
    static func anomalyRow(_ anomaly: RecordedAnomaly) -> [String: Any] {
        [
            "place": "\(anomaly.partition)@\(anomaly.offset)", "eventId": shown(anomaly.eventId),
            "kind": shown(anomaly.kind), "detail": shown(anomaly.detail),
            "recorded": anomaly.recordedAt.map { Timestamp.utc($0) } ?? "–",
        ]
    }

    /// How far back the anomalies page looks: `hour`, `day` or `week` (anything else: any time).
    static let anomalyPeriods: [(name: String, label: String, milliseconds: Int64)] = [
        ("hour", "the last hour", 3_600_000), ("day", "the last day", 86_400_000),
        ("week", "the last week", 604_800_000),
    ]

    /// Anomalies, 50 a page in the order of the log, of one kind and recorded within one period (`hour`, `day`,
    /// `week`) if asked, with every kind's count and every period as links.
    func anomalies(kind wanted: String?, period: String? = nil, page number: Int) async throws -> Page {
        let store = source.store
        let chosen = Self.anomalyPeriods.first { $0.name == period }
        let since = chosen.map { Self.nowMs() - $0.milliseconds }
        let kinds = try await store.anomalyKinds(since: since)
        let kind = wanted.flatMap { wanted in kinds.first { $0.kind == wanted }?.kind }
        let total =
            kind.map { kind in kinds.first { $0.kind == kind }?.count ?? 0 } ?? kinds.reduce(0) { $0 + $1.count }
        let pageCount = max(1, (total + Self.pageSize - 1) / Self.pageSize)
        let shownPage = min(number, pageCount - 1)
        let rows = try await store.anomalies(
            kind: kind, since: since, limit: Self.pageSize, skipping: shownPage * Self.pageSize)
        let filter = (kind.map { "&kind=" + Self.queryValue($0) } ?? "") + (chosen.map { "&since=" + $0.name } ?? "")
        let context: [String: Any] = [
            "total": Wording.counted(Int64(total), "anomaly", "anomalies"), "kind": kind.map(Self.shown) ?? false,
            "period": chosen?.label ?? false,
            "periods": ([("", "any time")] + Self.anomalyPeriods.map { ($0.name, $0.label) }).map { name, label in
                [
                    "label": label, "current": name == (chosen?.name ?? ""),
                    "href": Self.anomaliesLink(
                        [kind.map { "kind=" + Self.queryValue($0) }, name.isEmpty ? nil : "since=" + name]),
                ] as [String: Any]
            },
            "unknownKind": wanted != nil && kind == nil ? Self.shown(wanted ?? "") : false,
            "pageNumber": shownPage + 1, "pageCount": pageCount, "hasKinds": !kinds.isEmpty,
            "kinds": kinds.map { entry -> [String: Any] in
                [
                    "kind": Self.shown(entry.kind), "count": entry.count, "current": entry.kind == kind,
                    "href": Self.anomaliesLink([
                        "kind=" + Self.queryValue(entry.kind), chosen.map { "since=" + $0.name },
                    ]),
                ]
            },
            "anomalies": rows.map(Self.anomalyRow), "hasAnomalies": !rows.isEmpty,
            "earlier": shownPage > 0 ? "\(shownPage - 1)\(filter)" : false,
            "later": shownPage + 1 < pageCount ? "\(shownPage + 1)\(filter)" : false,
        ]
        return Page(title: "Anomalies", path: "/console/anomalies", body: templates.anomalies.render(context))
    }

    /// The anomalies page with the query's parts that are there, joined (no `?` or `&` left dangling).
    private static func anomaliesLink(_ parts: [String?]) -> String {
        let query = parts.compactMap { $0 }.joined(separator: "&")
        return "/console/anomalies" + (query.isEmpty ? "" : "?" + query)
    }

    /// One company: what the store knows of it (its first row's name, country and sector), its expansions with
    /// their figures and dates, its investments, and the anomalies that name it or one of its expansions.
    func company(id: String) async throws -> Page {
        let store = source.store
        guard let report = try await store.company(id) else {
            return missing(
                "Company", path: "/console/state", templates.company,
                "No company \(Self.shown(id)) in the store: search the State page by name or id.")
        }
        func dollars(_ cents: Int64?) -> String { cents.map(SummaryFigures.dollars) ?? "investment not disclosed" }
        func jobs(_ number: Int64?) -> String {
            number.map { Wording.counted($0, "job", "jobs") } ?? "jobs not disclosed"
        }
        let anomalies = try await store.anomalies(naming: [report.id] + report.expansions.map(\.id))
        let context: [String: Any] = [
            "id": Self.shown(report.id), "name": report.name.map(Self.shown) ?? "(not named by an announcement)",
            "country": report.country ?? "?", "sector": report.sector.map(Self.shown) ?? "?",
            "hasExpansions": !report.expansions.isEmpty,
            "expansions": report.expansions.map { expansion -> [String: Any] in
                let place = [expansion.city, expansion.region].compactMap { $0 }.map(Self.shown)
                let dates = [
                    expansion.announcedOn.map { "announced \($0)" }, expansion.openedOn.map { "opened \($0)" },
                    expansion.withdrawalReason.map { "withdrawn (\($0))" },
                ].compactMap { $0 }
                return [
                    "id": Self.shown(expansion.id), "status": expansion.status,
                    "direction": expansion.direction ?? "?",
                    "place": place.isEmpty ? "?" : place.joined(separator: ", "),
                    "planned": "\(jobs(expansion.plannedJobs)), \(dollars(expansion.plannedInvestmentUsdCents))",
                    "actual": expansion.status == "completed"
                        ? "\(jobs(expansion.actualJobs)), \(dollars(expansion.actualInvestmentUsdCents))" : "–",
                    "dates": dates.joined(separator: "; "),
                    "events": Self.places(expansion.placesInLog),
                ]
            },
            "hasInvestments": !report.investments.isEmpty,
            "investments": report.investments.map { investment -> [String: Any] in
                [
                    "id": Self.shown(investment.id), "direction": investment.direction,
                    "amount": SummaryFigures.dollars(investment.amountUsdCents),
                    "region": Self.shown(investment.region),
                    "announcedOn": investment.announcedOn,
                    "events": Self.places(investment.placesInLog),
                ]
            },
            "hasAnomalies": !anomalies.isEmpty,
            "anomalies": anomalies.map(Self.anomalyRow),
        ]
        return Page(
            title: report.name.map(Self.shown) ?? Self.shown(report.id), path: "/console/state",
            body: templates.company.render(context))
    }

    /// Where a row's events are in the log, `P@O` as the anomalies' place: `announced 3@120; completed 3@455`, or
    /// a dash for a row folded before its events' places were kept.
    static func places(_ places: [String]) -> String { places.isEmpty ? "–" : places.joined(separator: "; ") }

    /// The company page's address for `id`.
    static func companyPath(_ id: String) -> String { "/console/company?id=" + queryValue(id) }
}
