import GRDB

/// The running totals of the state of one partition (or, summed, of several): what a digest reports next to
/// its items. Notification items carry their partition's totals; the notifier keeps the latest per partition
/// and sums them.
package struct PartitionTotals: Sendable, Codable, Equatable {
    /// Expansions of one direction.
    package struct ExpansionFigures: Sendable, Codable, Equatable {
        /// Announced and not (yet) completed.
        package var announced = 0
        /// Completed.
        package var completed = 0
        /// Withdrawn.
        package var withdrawn = 0
        /// Jobs planned by expansions not withdrawn.
        package var plannedJobs: Int64 = 0
        /// Investment planned by expansions not withdrawn, US cents.
        package var plannedUsdCents: Int64 = 0
        /// Jobs created by completed expansions.
        package var actualJobs: Int64 = 0
        /// Investment made by completed expansions, US cents.
        package var actualUsdCents: Int64 = 0
        /// Expansions not withdrawn that did not disclose a planned figure (their planned sums leave it out).
        package var plannedNotDisclosed = 0

        /// Zero figures.
        package init() {}

        /// Counts `count` expansions of one status with these sums of their figures: planned figures count
        /// unless withdrawn, actual ones when completed.
        mutating func add(
            status: String, count: Int, plannedJobs: Int64, plannedCents: Int64, actualJobs: Int64, actualCents: Int64,
            plannedUnstated: Int
        ) {
            switch status {
            case "withdrawn": withdrawn = withdrawn.saturatingAdding(count)
            case "completed":
                completed = completed.saturatingAdding(count)
                self.actualJobs = self.actualJobs.saturatingAdding(actualJobs)
                actualUsdCents = actualUsdCents.saturatingAdding(actualCents)
            default: announced = announced.saturatingAdding(count)
            }
            if status != "withdrawn" {
                self.plannedJobs = self.plannedJobs.saturatingAdding(plannedJobs)
                plannedUsdCents = plannedUsdCents.saturatingAdding(plannedCents)
                plannedNotDisclosed = plannedNotDisclosed.saturatingAdding(plannedUnstated)
            }
        }

        /// Adds a row `direction, status, count, planned jobs, planned cents, actual jobs, actual cents, planned
        /// figures not disclosed` to the figures of its direction.
        static func add(_ row: DirectRow, to expansions: inout [String: ExpansionFigures]) {
            expansions[row.string(0), default: ExpansionFigures()].add(
                status: row.string(1), count: Int(row.int64(2)), plannedJobs: row.int64(3),
                plannedCents: row.int64(4), actualJobs: row.int64(5), actualCents: row.int64(6),
                plannedUnstated: Int(row.int64(7)))
        }
    }

    /// Investments of one direction.
    package struct InvestmentFigures: Sendable, Codable, Equatable {
        /// How many.
        package var count = 0
        /// Their total, US cents.
        package var usdCents: Int64 = 0

        /// Zero figures.
        package init() {}
    }

    /// The latest figure of a series (exports `US-UT→MX`, or a jobs scope) and its change since the series'
    /// previous period of the same kind (year after year, quarter after quarter).
    package struct SeriesFigure: Sendable, Codable, Equatable {
        /// The series.
        package var series: String
        /// Its latest period, `2022` or `2022-Q3`.
        package var period: String
        /// The latest value (US cents for exports, jobs for jobs).
        package var value: Int64
        /// The previous period of the series, if any.
        package var previousPeriod: String?
        /// Its value.
        package var previousValue: Int64?
        /// How the source stated the latest value and period (none: exact, as reported).
        package var stated: StatedFigure?
        /// How it stated the previous value.
        package var previousStated: StatedFigure?

        /// A series figure.
        package init(
            series: String, period: String, value: Int64, previousPeriod: String? = nil, previousValue: Int64? = nil,
            stated: StatedFigure? = nil, previousStated: StatedFigure? = nil
        ) {
            self.series = series
            self.period = period
            self.value = value
            self.previousPeriod = previousPeriod
            self.previousValue = previousValue
            self.stated = stated
            self.previousStated = previousStated
        }
    }

    /// Companies with an expansion (not withdrawn) or an investment, by direction. Summed over partitions, a
    /// company active in two partitions counts twice.
    package var companies: [String: Int] = [:]
    /// Expansions by direction.
    package var expansions: [String: ExpansionFigures] = [:]
    /// Investments by direction.
    package var investments: [String: InvestmentFigures] = [:]
    /// Exports: the latest year and the latest quarter of every series, each with the one before it of its kind.
    package var exports: [SeriesFigure] = []
    /// Jobs supported: the latest year and the latest quarter of every scope.
    package var jobs: [SeriesFigure] = []
    /// Delegation meetings held.
    package var meetings = 0
    /// Initiatives announced.
    package var initiatives = 0

    /// Zero totals.
    package init() {}

    /// Whether any sum reached the saturated value of ``SaturatingTotal`` (its exact figure overflowed).
    package var hasSaturatedFigure: Bool {
        expansions.values.contains {
            [$0.plannedJobs, $0.plannedUsdCents, $0.actualJobs, $0.actualUsdCents].contains(SaturatingTotal.saturated)
        } || investments.values.contains { $0.usdCents == SaturatingTotal.saturated }
    }

    /// The sum of several partitions' totals (series are partition-local: each comes from one partition); sums
    /// saturate as ``SaturatingTotal`` says, never trap.
    package static func sum(_ parts: some Sequence<PartitionTotals>) -> PartitionTotals {
        var total = PartitionTotals()
        for part in parts {
            total.companies.merge(part.companies) { $0.saturatingAdding($1) }
            for (direction, figures) in part.expansions {
                var sum = total.expansions[direction] ?? ExpansionFigures()
                sum.announced = sum.announced.saturatingAdding(figures.announced)
                sum.completed = sum.completed.saturatingAdding(figures.completed)
                sum.withdrawn = sum.withdrawn.saturatingAdding(figures.withdrawn)
                sum.plannedJobs = sum.plannedJobs.saturatingAdding(figures.plannedJobs)
                sum.plannedUsdCents = sum.plannedUsdCents.saturatingAdding(figures.plannedUsdCents)
                sum.actualJobs = sum.actualJobs.saturatingAdding(figures.actualJobs)
                sum.actualUsdCents = sum.actualUsdCents.saturatingAdding(figures.actualUsdCents)
                sum.plannedNotDisclosed = sum.plannedNotDisclosed.saturatingAdding(figures.plannedNotDisclosed)
                total.expansions[direction] = sum
            }
            for (direction, figures) in part.investments {
                var sum = total.investments[direction] ?? InvestmentFigures()
                sum.count = sum.count.saturatingAdding(figures.count)
                sum.usdCents = sum.usdCents.saturatingAdding(figures.usdCents)
                total.investments[direction] = sum
            }
            total.exports += part.exports
            total.jobs += part.jobs
            total.meetings = total.meetings.saturatingAdding(part.meetings)
            total.initiatives = total.initiatives.saturatingAdding(part.initiatives)
        }
        total.exports.sort { ($0.series, $0.period) < ($1.series, $1.period) }
        total.jobs.sort { ($0.series, $0.period) < ($1.series, $1.period) }
        return total
    }

    /// The totals of one partition as the database holds them now. Kept by the fold as the rows change
    /// (``RunningTotals``, ``KeptSeries``, the record counts): a few rows to read, however large the partition,
    /// read in place (every partition of every batch reads them).
    static func fetch(_ db: Database, partition: Int32) throws -> PartitionTotals {
        var totals = PartitionTotals()
        try db.each(
            """
            SELECT direction, status, count, planned_jobs, planned_cents, actual_jobs, actual_cents, planned_unstated
            FROM totals_expansions WHERE partition = ? AND count > 0
            """, [partition]
        ) { ExpansionFigures.add($0, to: &totals.expansions) }
        try db.each(
            "SELECT direction, count, cents FROM totals_investments WHERE partition = ? AND count > 0", [partition]
        ) { row in
            var figures = InvestmentFigures()
            figures.count = Int(row.int64(1))
            figures.usdCents = row.int64(2)
            totals.investments[row.string(0)] = figures
        }
        try db.each(
            "SELECT direction, companies FROM totals_companies WHERE partition = ? AND companies > 0", [partition]
        ) { row in
            totals.companies[row.string(0)] = Int(row.int64(1))
        }
        try db.each(
            """
            SELECT kind, series, period, value, previous_period, previous_value, qualifiers, previous_qualifiers
            FROM totals_series WHERE partition = ? ORDER BY kind, position
            """, [partition]
        ) { row in
            let figure = SeriesFigure(
                series: row.string(1), period: row.string(2), value: row.int64(3),
                previousPeriod: row.optionalString(4), previousValue: row.optionalInt64(5),
                stated: StatedFigure(text: row.optionalString(6)),
                previousStated: StatedFigure(text: row.optionalString(7)))
            if row.string(0) == SeriesKind.exports.rawValue {
                totals.exports.append(figure)
            } else {
                totals.jobs.append(figure)
            }
        }
        _ = try db.first("SELECT meetings, initiatives FROM totals_counts WHERE partition = ?", [partition]) { row in
            totals.meetings = Int(row.int64(0))
            totals.initiatives = Int(row.int64(1))
        }
        return totals
    }

    /// The totals of one partition aggregated from its rows (what the fold keeps), for checking them.
    static func recompute(_ db: Database, partition: Int32) throws -> PartitionTotals {
        var totals = try fetch(db, partition: partition)
        totals.exports = try SeriesKind.exports.computed(db, partition: partition)
        totals.jobs = try SeriesKind.jobs.computed(db, partition: partition)
        totals.meetings =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meetings WHERE partition = ?", arguments: [partition]) ?? 0
        totals.initiatives =
            try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM initiatives WHERE partition = ?", arguments: [partition])
            ?? 0
        totals.expansions = [:]
        totals.investments = [:]
        totals.companies = [:]
        // Summed in Swift under the rule of SaturatingTotal: SQLite's SUM fails on overflow.
        try db.each(
            """
            SELECT direction, status, 1, COALESCE(planned_jobs, 0), COALESCE(planned_cents, 0),
            COALESCE(actual_jobs, 0), COALESCE(actual_cents, 0), planned_jobs IS NULL OR planned_cents IS NULL
            FROM expansions WHERE partition = ? AND direction IS NOT NULL
            """, [partition]
        ) { ExpansionFigures.add($0, to: &totals.expansions) }
        let investmentRows = try Row.fetchCursor(
            db, sql: "SELECT direction, amount_cents FROM investments WHERE partition = ?", arguments: [partition])
        while let row = try investmentRows.next() {
            var figures = totals.investments[try row.value(0, in: "investments")] ?? InvestmentFigures()
            figures.count += 1
            figures.usdCents = figures.usdCents.saturatingAdding(try row.value(1, in: "investments"))
            totals.investments[try row.value(0, in: "investments")] = figures
        }
        for row in try Row.fetchAll(
            db,
            sql: """
                SELECT direction, COUNT(DISTINCT company_id) FROM (
                SELECT direction, company_id FROM expansions
                WHERE partition = ?1 AND direction IS NOT NULL AND status != 'withdrawn'
                UNION SELECT direction, investor_id FROM investments WHERE partition = ?1) GROUP BY 1
                """, arguments: [partition])
        {
            totals.companies[try row.value(0, in: "expansions")] = try row.value(1, in: "expansions")
        }
        return totals
    }

    /// The latest period of every series and the one before it of the same kind. Rows come ordered by series,
    /// then annual before quarterly, then by period; a series with both kinds reports both its latest year and its
    /// latest quarter (a quarterly figure must not hide the annual one a press release leads with).
    static func seriesFigures(_ db: Database, sql: String, partition: Int32) throws -> [SeriesFigure] {
        var figures: [SeriesFigure] = []
        var previous: (series: String, quarterly: Bool, period: String, value: Int64, stated: StatedFigure?)?
        for row in try Row.fetchAll(db.cachedStatement(sql: sql), arguments: [partition]) {
            let series: String = try row.value(0, in: "exports or jobs")
            let year: Int = try row.value(1, in: "exports or jobs")
            let quarter: Int = try row.value(2, in: "exports or jobs")
            let value: Int64 = try row.value(3, in: "exports or jobs")
            let stated = StatedFigure(text: try row.value(4, in: "exports or jobs") as String?)
            let period = quarter == 0 ? "\(year)" : "\(year)-Q\(quarter)"
            let figure: SeriesFigure
            if let previous, previous.series == series, previous.quarterly == (quarter != 0) {
                figure = SeriesFigure(
                    series: series, period: period, value: value, previousPeriod: previous.period,
                    previousValue: previous.value, stated: stated, previousStated: previous.stated)
            } else {
                figure = SeriesFigure(series: series, period: period, value: value, stated: stated)
            }
            if let last = figures.last, last.series == series, last.period.contains("-Q") == (quarter != 0) {
                figures.removeLast()
            }
            figures.append(figure)
            previous = (series, quarter != 0, period, value, stated)
        }
        return figures
    }
}
