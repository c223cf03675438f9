import Foundation
import GRDB
import JumpEvents

/// Folds one event into the state tables of its partition. Returns how many anomalies it recorded: references
/// to unknown expansions and events out of order are handled deliberately and written to `anomalies`.
///
/// The running totals change in memory as events fold (``RunningTotals``); ``finish()`` writes them, once per
/// batch, before anything reads them.
struct StateFold {
    let db: Database
    private var totals: RunningTotals
    private var series = KeptSeries()
    /// Meetings and initiatives the batch added, per partition.
    private var addedRecords: [Int32: (meetings: Int, initiatives: Int)] = [:]
    /// When the batch's anomalies are recorded (milliseconds since 1970).
    private let recordedAt: Int64

    init(db: Database, now: Int64 = Int64(Date().timeIntervalSince1970 * 1000)) {
        self.db = db
        totals = RunningTotals(db: db)
        recordedAt = now
    }

    /// Writes what the batch changed in the running totals, the kept series figures and the record counts.
    func finish() throws {
        try totals.write(db)
        try series.write(db)
        for (partition, added) in addedRecords {
            try db.run(
                """
                INSERT INTO totals_counts VALUES (?, ?, ?) ON CONFLICT DO UPDATE SET
                meetings = meetings + excluded.meetings, initiatives = initiatives + excluded.initiatives
                """, [partition, added.meetings, added.initiatives])
        }
    }

    /// Whether the row `sql` looks up (a meeting or an initiative by its id) exists already.
    private func exists(_ sql: String, _ values: [any SQLBindable]) throws -> Bool {
        try db.first(sql, values) { _ in true } ?? false
    }

    mutating func apply(_ event: JumpEvent, partition: Int32, offset: Int64) throws -> Int {
        let context = AnomalyContext(partition: partition, offset: offset, eventID: event.id)
        switch event.payload {
        case .expansionAnnounced(let announced): return try announce(announced, context)
        case .expansionCompleted(let completed): return try complete(completed, context)
        case .expansionWithdrawn(let withdrawn): return try withdraw(withdrawn, context)
        case .investmentAnnounced(let investment):
            try upsertCompany(investment.investor, partition: partition)
            let before = try self.investment(investment.investmentId, partition: partition)
            try execute(
                """
                INSERT INTO investments (partition, investment_id, investor_id, direction, amount_cents, sector,
                region, announced_on, announced_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET
                investor_id = excluded.investor_id, direction = excluded.direction,
                amount_cents = excluded.amount_cents, sector = excluded.sector, region = excluded.region,
                announced_on = excluded.announced_on, announced_offset = excluded.announced_offset
                """,
                [
                    partition, investment.investmentId, investment.investor.id, investment.direction.rawValue,
                    investment.amountUsdCents, investment.sector, investment.region, investment.announcedOn, offset,
                ])
            try totals.investmentChanged(
                partition: partition, from: before,
                to: RunningTotals.Investment(
                    investorID: investment.investor.id, direction: investment.direction.rawValue,
                    cents: investment.amountUsdCents))
            return try noteSaturation(context, direction: investment.direction.rawValue)
        case .exportsReported(let exports):
            let stated = StatedFigure(exports.qualifiers, valuePointer: "/valueUsdCents")?.text
            try execute(
                """
                INSERT INTO exports (partition, origin, destination, year, quarter, value_cents, source, qualifiers)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET value_cents = excluded.value_cents,
                source = excluded.source, qualifiers = excluded.qualifiers, revisions = revisions + 1
                """,
                [
                    partition, exports.origin, exports.destination, exports.period.year, exports.period.quarter ?? 0,
                    exports.valueUsdCents, exports.source, stated,
                ])
            try series.report(
                .exports, partition: partition, series: exports.origin + "→" + exports.destination,
                year: exports.period.year, quarter: exports.period.quarter ?? 0, value: exports.valueUsdCents,
                stated: stated, db: db
            ) {
                try db.first(
                    """
                    SELECT value_cents, qualifiers FROM exports
                    WHERE partition = ? AND origin = ? AND destination = ? AND year = ? AND quarter = ?
                    """,
                    [
                        partition, exports.origin, exports.destination, exports.period.year - 1,
                        exports.period.quarter ?? 0,
                    ]
                ) { ($0.int64(0), $0.optionalString(1)) }
            }
        case .jobsReported(let jobs):
            let stated = StatedFigure(jobs.qualifiers, valuePointer: "/jobsSupported")?.text
            try execute(
                """
                INSERT INTO jobs (partition, scope, year, quarter, jobs_supported, source, qualifiers)
                VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET jobs_supported = excluded.jobs_supported,
                source = excluded.source, qualifiers = excluded.qualifiers, revisions = revisions + 1
                """,
                [
                    partition, jobs.scope, jobs.period.year, jobs.period.quarter ?? 0, jobs.jobsSupported, jobs.source,
                    stated,
                ])
            try series.report(
                .jobs, partition: partition, series: jobs.scope, year: jobs.period.year,
                quarter: jobs.period.quarter ?? 0, value: jobs.jobsSupported, stated: stated, db: db
            ) {
                try db.first(
                    """
                    SELECT jobs_supported, qualifiers FROM jobs
                    WHERE partition = ? AND scope = ? AND year = ? AND quarter = ?
                    """,
                    [partition, jobs.scope, jobs.period.year - 1, jobs.period.quarter ?? 0]
                ) { ($0.int64(0), $0.optionalString(1)) }
            }
        case .meetingHeld(let meeting):
            if try !exists(
                "SELECT 1 FROM meetings WHERE partition = ? AND meeting_id = ?", [partition, meeting.meetingId])
            {
                addedRecords[partition, default: (0, 0)].meetings += 1
            }
            try execute(
                """
                INSERT OR REPLACE INTO meetings (partition, meeting_id, held_on, place, city, country, topics,
                participants, summary) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    partition, meeting.meetingId, meeting.heldOn, meeting.place.name, meeting.place.city,
                    meeting.place.country, meeting.topics.map(\.rawValue).joined(separator: ","),
                    meeting.participants.count, meeting.summary,
                ])
        case .initiativeAnnounced(let initiative):
            if try !exists(
                "SELECT 1 FROM initiatives WHERE partition = ? AND initiative_id = ?",
                [partition, initiative.initiativeId])
            {
                addedRecords[partition, default: (0, 0)].initiatives += 1
            }
            try execute(
                """
                INSERT OR REPLACE INTO initiatives (partition, initiative_id, title, parties, announced_on, status,
                summary) VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                [
                    partition, initiative.initiativeId, initiative.title, initiative.parties.joined(separator: "; "),
                    initiative.announcedOn, initiative.status.rawValue, initiative.summary,
                ])
        }
        return 0
    }

    struct AnomalyContext {
        var partition: Int32
        var offset: Int64
        var eventID: String
    }

    private func execute(_ sql: String, _ values: [any SQLBindable]) throws {
        try db.run(sql, values)
    }

    /// Records an anomaly of `kind` for the event at `context`; returns 1 (the count of anomalies recorded).
    func record(_ context: AnomalyContext, _ kind: String, _ detail: String) throws -> Int {
        try execute(
            #"""
            INSERT OR REPLACE INTO anomalies (partition, "offset", event_id, kind, detail, recorded_at)
            VALUES (?, ?, ?, ?, ?, ?)
            """#,
            [context.partition, context.offset, context.eventID, kind, detail, recordedAt])
        return 1
    }

    private func upsertCompany(_ company: Company, partition: Int32) throws {
        // Most events name a company the store already has, as it is: the row is written only when it changes.
        try execute(
            """
            INSERT INTO companies (partition, company_id, name, country, sector) VALUES (?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET name = excluded.name, country = excluded.country, sector = excluded.sector
            WHERE name != excluded.name OR country != excluded.country OR sector != excluded.sector
            """,
            [partition, company.id, company.name, company.country.rawValue, company.sector])
    }

    /// What the store holds of an expansion, for the fold's decisions, its anomalies and the running totals.
    struct KnownExpansion {
        var row: RunningTotals.Expansion
        var announced: Bool
        var status: String { row.status }
        var companyID: String { row.companyID }
        var direction: String? { row.direction }
    }

    private func expansion(_ id: String, partition: Int32) throws -> KnownExpansion? {
        // Every expansion event comes here: read straight from the statement (no `Row`, no cursor).
        try db.first(
            """
            SELECT status, announced_on IS NOT NULL, company_id, direction, planned_jobs, planned_cents,
            actual_jobs, actual_cents FROM expansions WHERE partition = ? AND expansion_id = ?
            """, [partition, id]
        ) { row in
            KnownExpansion(
                row: RunningTotals.Expansion(
                    companyID: row.string(2), direction: row.optionalString(3), status: row.string(0),
                    plannedJobs: row.optionalInt64(4), plannedCents: row.optionalInt64(5),
                    actualJobs: row.optionalInt64(6), actualCents: row.optionalInt64(7)),
                announced: row.int64(1) != 0)
        }
    }

    private func investment(_ id: String, partition: Int32) throws -> RunningTotals.Investment? {
        try db.first(
            "SELECT investor_id, direction, amount_cents FROM investments WHERE partition = ? AND investment_id = ?",
            [partition, id]
        ) { row in
            RunningTotals.Investment(investorID: row.string(0), direction: row.string(1), cents: row.int64(2))
        }
    }

    /// Records `total-saturated` when a running total of the partition in `direction` reached the saturated value
    /// of ``SaturatingTotal`` and no earlier anomaly named that figure.
    private mutating func noteSaturation(_ context: AnomalyContext, direction: String) throws -> Int {
        // Every investment and expansion event comes here; the figures are in memory, and earlier anomalies are
        // searched only when one is saturated.
        let saturated = try totals.saturatedFigures(
            RunningTotals.Side(partition: context.partition, direction: direction))
        var figures: [String] = []
        for figure in saturated {
            let named = try Bool.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT EXISTS (SELECT 1 FROM anomalies WHERE partition = ? AND kind = 'total-saturated'
                            AND instr(detail, ?) > 0)
                        """),
                arguments: [context.partition, "\(direction) \(figure)"])
            if named != true { figures.append(figure) }
        }
        guard !figures.isEmpty else { return 0 }
        return try record(
            context, "total-saturated",
            figures.map { "\(direction) \($0)" }.joined(separator: "; ")
                + " reached the largest figure the store keeps and stays there (shown as a lower bound)")
    }

    /// An announcement sets the planned figures. After a withdrawal it either fills in a placeholder left by an
    /// out-of-order withdrawal (staying withdrawn) or, for a real earlier announcement, announces it again.
    private mutating func announce(_ announced: ExpansionAnnounced, _ context: AnomalyContext) throws -> Int {
        try upsertCompany(announced.company, partition: context.partition)
        let existing = try expansion(announced.expansionId, partition: context.partition)
        var status = "announced"
        var anomalies = 0
        switch existing.map({ ($0.status, $0.announced) }) {
        case nil, ("announced", _)?: break
        case ("completed", _)?:
            status = "completed"
            anomalies = try record(context, "late-announcement", "announced after its completion was reported")
        case (_, false)?:
            status = "withdrawn"
            anomalies = try record(context, "late-announcement", "announced after its withdrawal was reported")
        case (_, true)?:
            anomalies = try record(context, "reannounced", "announced again after a withdrawal")
        }
        if let existing, let before = existing.direction, before != announced.direction.rawValue {
            // The latest announcement wins; the change of direction moves the expansion between the totals.
            anomalies += try record(
                context, "direction-changed",
                "\(announced.expansionId) was announced \(before), now \(announced.direction.rawValue); the latest wins"
            )
        }
        if let existing, existing.companyID != announced.company.id {
            anomalies += try record(
                context, "company-changed",
                "\(announced.expansionId) was \(existing.companyID)'s, now announced by \(announced.company.id); "
                    + "the latest announcement wins")
        }
        try execute(
            """
            INSERT INTO expansions (partition, expansion_id, company_id, direction, city, region, planned_jobs,
            planned_cents, announced_on, status, announced_offset) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT DO UPDATE SET company_id = excluded.company_id, direction = excluded.direction,
            city = excluded.city, region = excluded.region, planned_jobs = excluded.planned_jobs,
            planned_cents = excluded.planned_cents, announced_on = excluded.announced_on, status = excluded.status,
            announced_offset = excluded.announced_offset
            """,
            [
                context.partition, announced.expansionId, announced.company.id, announced.direction.rawValue,
                announced.city, announced.region, announced.plannedJobs, announced.plannedInvestmentUsdCents,
                announced.announcedOn, status, context.offset,
            ])
        try totals.expansionChanged(
            partition: context.partition, from: existing?.row,
            to: RunningTotals.Expansion(
                companyID: announced.company.id, direction: announced.direction.rawValue, status: status,
                plannedJobs: announced.plannedJobs, plannedCents: announced.plannedInvestmentUsdCents,
                actualJobs: existing?.row.actualJobs, actualCents: existing?.row.actualCents))
        return anomalies + (try noteSaturation(context, direction: announced.direction.rawValue))
    }

    /// A completion records the actual figures; of an unknown expansion it leaves a placeholder to be filled by a
    /// late announcement; after a withdrawal it is recorded as an anomaly and the withdrawal stands.
    private mutating func complete(_ completed: ExpansionCompleted, _ context: AnomalyContext) throws -> Int {
        var anomalies = 0
        let existing = try expansion(completed.expansionId, partition: context.partition)
        switch existing?.status {
        case "withdrawn"?:
            return try record(context, "completion-after-withdrawal", "\(completed.expansionId) stays withdrawn")
        case nil:
            anomalies = try record(
                context, "unknown-expansion", "completion of \(completed.expansionId), not announced")
        case "completed"?:
            // The latest completion's figures win; the ones it replaces are kept in the anomaly.
            anomalies = try record(
                context, "completed-again",
                "\(completed.expansionId) was completed with \(existing?.row.actualJobs ?? 0) jobs and "
                    + "\(existing?.row.actualCents ?? 0) cents; now \(completed.actualJobs) jobs and "
                    + "\(completed.actualInvestmentUsdCents) cents (the latest wins)")
        default: break
        }
        if let existing, existing.companyID != completed.companyId {
            // The announcement names the company; a completion naming another does not move the expansion.
            anomalies += try record(
                context, "company-mismatch",
                "completion of \(completed.expansionId) names \(completed.companyId), but it is "
                    + "\(existing.companyID)'s; the announcement's company stands")
        }
        try execute(
            """
            INSERT INTO expansions (partition, expansion_id, company_id, status, actual_jobs, actual_cents, opened_on,
            closed_offset) VALUES (?, ?, ?, 'completed', ?, ?, ?, ?) ON CONFLICT DO UPDATE SET status = 'completed',
            actual_jobs = excluded.actual_jobs, actual_cents = excluded.actual_cents, opened_on = excluded.opened_on,
            closed_offset = excluded.closed_offset
            """,
            [
                context.partition, completed.expansionId, completed.companyId, completed.actualJobs,
                completed.actualInvestmentUsdCents, completed.openedOn, context.offset,
            ])
        var row =
            existing?.row
            ?? RunningTotals.Expansion(companyID: completed.companyId, direction: nil, status: "completed")
        row.status = "completed"
        row.actualJobs = completed.actualJobs
        row.actualCents = completed.actualInvestmentUsdCents
        try totals.expansionChanged(partition: context.partition, from: existing?.row, to: row)
        guard let direction = existing?.direction else { return anomalies }
        return anomalies + (try noteSaturation(context, direction: direction))
    }

    /// A withdrawal takes the expansion out of every total its announcement (and completion) counted in.
    private mutating func withdraw(_ withdrawn: ExpansionWithdrawn, _ context: AnomalyContext) throws -> Int {
        var anomalies = 0
        let existing = try expansion(withdrawn.expansionId, partition: context.partition)
        if existing == nil {
            anomalies = try record(
                context, "unknown-expansion", "withdrawal of \(withdrawn.expansionId), not announced")
        }
        if let existing, existing.companyID != withdrawn.companyId {
            anomalies += try record(
                context, "company-mismatch",
                "withdrawal of \(withdrawn.expansionId) names \(withdrawn.companyId), but it is "
                    + "\(existing.companyID)'s; the announcement's company stands")
        }
        try execute(
            """
            INSERT INTO expansions (partition, expansion_id, company_id, status, withdrawal_reason, withdrawn_on,
            closed_offset) VALUES (?, ?, ?, 'withdrawn', ?, ?, ?) ON CONFLICT DO UPDATE SET status = 'withdrawn',
            withdrawal_reason = excluded.withdrawal_reason, withdrawn_on = excluded.withdrawn_on,
            closed_offset = excluded.closed_offset
            """,
            [
                context.partition, withdrawn.expansionId, withdrawn.companyId, withdrawn.reason.rawValue,
                withdrawn.withdrawnOn, context.offset,
            ])
        var row =
            existing?.row
            ?? RunningTotals.Expansion(companyID: withdrawn.companyId, direction: nil, status: "withdrawn")
        row.status = "withdrawn"
        try totals.expansionChanged(partition: context.partition, from: existing?.row, to: row)
        return anomalies
    }
}
