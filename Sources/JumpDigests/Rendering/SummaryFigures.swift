import JumpState

/// The state summary as people read it, made once for `jump-consumer state summary` (lines of text) and the
/// console's State page (table rows): money in exact US dollars, counts by key in key order, revisions marked.
package struct SummaryFigures: Sendable {
    /// Expansions with one direction and status.
    package struct Expansion: Sendable, Equatable {
        /// `mx-to-utah` or `utah-to-mx`.
        package var direction: String
        /// `announced`, `completed` or `withdrawn`.
        package var status: String
        /// How many.
        package var count: Int
        /// Jobs planned (withdrawn ones excluded).
        package var plannedJobs: Int64
        /// Investment planned, `USD 1,250,000.00`.
        package var plannedDollars: String
        /// Jobs created.
        package var actualJobs: Int64
        /// Investment made, `USD 1,250,000.00`.
        package var actualDollars: String
    }

    /// Investments in one direction.
    package struct Investment: Sendable, Equatable {
        /// `mx-to-utah` or `utah-to-mx`.
        package var direction: String
        /// How many.
        package var count: Int64
        /// Their total, `USD 1,250,000.00`.
        package var dollars: String
    }

    /// The summary's own figures.
    package let summary: StateSummary
    /// Expansions by direction and status.
    package let expansions: [Expansion]
    /// Investments by direction, in direction order.
    package let investments: [Investment]

    /// The figures of `summary`.
    package init(_ summary: StateSummary) {
        self.summary = summary
        expansions = summary.expansions.map {
            Expansion(
                direction: $0.direction, status: $0.status, count: $0.count, plannedJobs: $0.plannedJobs,
                plannedDollars: Self.dollars($0.plannedInvestmentUsdCents), actualJobs: $0.actualJobs,
                actualDollars: Self.dollars($0.actualInvestmentUsdCents))
        }
        // `[count, cents]`, as `state summary --json` writes it; read without trusting its length.
        investments = summary.investmentsByDirection.sorted { $0.key < $1.key }.map { direction, figures in
            Investment(
                direction: direction, count: figures.first ?? 0, dollars: Self.dollars(figures.dropFirst().first ?? 0))
        }
    }

    /// The summary as lines of text.
    package var lines: [String] {
        var lines = [
            "events applied \(summary.eventsApplied), duplicates skipped \(summary.duplicatesSkipped), "
                + "dead-lettered \(summary.deadLettered), anomalies \(summary.anomalies)",
            "partitions: "
                + summary.partitions.map { "\($0.topic)[\($0.partition)]@\($0.nextOffset)" }.joined(separator: " "),
            "companies: " + Self.counts(summary.companiesByCountry),
        ]
        for expansion in expansions {
            lines.append(
                "expansions \(expansion.direction) \(expansion.status): \(expansion.count), planned "
                    + "\(expansion.plannedJobs) jobs \(expansion.plannedDollars), actual \(expansion.actualJobs) jobs "
                    + expansion.actualDollars)
        }
        for investment in investments {
            lines.append("investments \(investment.direction): \(investment.count), \(investment.dollars)")
        }
        for figure in summary.exports {
            lines.append("exports \(figure.series) \(figure.period): \(Self.dollars(figure.value))" + revised(figure))
        }
        for figure in summary.jobs {
            lines.append("jobs \(figure.series) \(figure.period): \(figure.value)" + revised(figure))
        }
        lines.append("meetings: \(summary.meetings)")
        lines.append("initiatives: " + Self.counts(summary.initiativesByStatus))
        if summary.totals.hasSaturatedFigure {
            lines.append("a running total saturated (shown as a lower bound); see 'jump-consumer state anomalies'")
        }
        return lines
    }

    /// `USD 1,250,000.00`.
    package static func dollars(_ cents: Int64) -> String { "USD " + DigestText.exactDollars(cents) }

    private func revised(_ figure: StateSummary.SeriesFigure) -> String {
        figure.revisions > 0 ? " (revised \(figure.revisions)×)" : ""
    }

    /// `MX 3, US 2`, or `none`.
    private static func counts(_ counts: [String: Int]) -> String {
        counts.isEmpty
            ? "none" : counts.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
    }
}
