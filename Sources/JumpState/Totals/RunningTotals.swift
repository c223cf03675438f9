import GRDB

/// The running totals (`totals_expansions`, `totals_investments`, `company_links`, `totals_companies`) as one batch
/// changes them: each row is read the first time the batch touches it, changed in memory event by event under the
/// rule of ``SaturatingTotal``, and written once when the batch ends (``write(_:)``), inside the batch's
/// transaction. Per-row triggers did this before migration v5, at two to six statements per state row written.
///
/// The fold tells it every change of an expansion or investment row as the row was and as it is now.
struct RunningTotals {
    /// An expansion row as the totals see it.
    struct Expansion {
        var companyID: String
        /// `nil` for a placeholder (a completion or withdrawal of an expansion not yet announced): not counted.
        var direction: String?
        var status: String
        var plannedJobs: Int64?
        var plannedCents: Int64?
        var actualJobs: Int64?
        var actualCents: Int64?
    }

    /// An investment row as the totals see it.
    struct Investment {
        var investorID: String
        var direction: String
        var cents: Int64
    }

    /// One side of a partition: its figures in one direction.
    struct Side: Hashable {
        var partition: Int32
        var direction: String
    }

    /// The figures of the expansions of one status.
    struct ExpansionSums: Equatable {
        var count: Int64 = 0
        var plannedJobs: Int64 = 0
        var plannedCents: Int64 = 0
        var actualJobs: Int64 = 0
        var actualCents: Int64 = 0
        /// Expansions that left a planned figure out (not disclosed).
        var plannedUnstated: Int64 = 0

        /// Counts an expansion in (`in`) or out of these figures.
        mutating func tally(_ expansion: Expansion, in: Bool) {
            let change = `in` ? SaturatingTotal.adding : SaturatingTotal.subtracting
            count += `in` ? 1 : -1
            plannedJobs = change(plannedJobs, expansion.plannedJobs ?? 0)
            plannedCents = change(plannedCents, expansion.plannedCents ?? 0)
            actualJobs = change(actualJobs, expansion.actualJobs ?? 0)
            actualCents = change(actualCents, expansion.actualCents ?? 0)
            if expansion.plannedJobs == nil || expansion.plannedCents == nil { plannedUnstated += `in` ? 1 : -1 }
        }
    }

    /// The figures of one side's investments.
    struct InvestmentSums: Equatable {
        var count: Int64 = 0
        var cents: Int64 = 0
    }

    /// A side's rows as read at first touch and as changed since; a `nil` row is absent from the table.
    private struct SideRows {
        var expansions: [String: ExpansionSums]
        var investments: InvestmentSums?
        var companies: Int64?
        var read: (expansions: [String: ExpansionSums], investments: InvestmentSums?, companies: Int64?)
    }

    private struct Link: Hashable {
        var side: Side
        var companyID: String
    }

    private let db: Database
    private var sides: [Side: SideRows] = [:]
    /// Links (rows of `company_links`): as read, and as now.
    private var links: [Link: (read: Int64?, now: Int64?)] = [:]

    init(db: Database) { self.db = db }

    /// An expansion row went from `old` (`nil`: inserted) to `new`.
    mutating func expansionChanged(partition: Int32, from old: Expansion?, to new: Expansion) throws {
        if let old, let direction = old.direction {
            let side = Side(partition: partition, direction: direction)
            try change(side) { rows in
                // Only a row that exists is taken from, as an UPDATE … WHERE would.
                guard var sums = rows.expansions[old.status] else { return }
                sums.tally(old, in: false)
                rows.expansions[old.status] = sums
            }
            if old.status != "withdrawn" { try unlink(old.companyID, side) }
        }
        guard let direction = new.direction else { return }
        let side = Side(partition: partition, direction: direction)
        try change(side) { rows in
            var sums = rows.expansions[new.status] ?? ExpansionSums()
            sums.tally(new, in: true)
            rows.expansions[new.status] = sums
        }
        if new.status != "withdrawn" { try link(new.companyID, side) }
    }

    /// An investment row went from `old` (`nil`: inserted) to `new`.
    mutating func investmentChanged(partition: Int32, from old: Investment?, to new: Investment) throws {
        if let old {
            let side = Side(partition: partition, direction: old.direction)
            try change(side) { rows in
                guard var sums = rows.investments else { return }
                sums.count -= 1
                sums.cents = SaturatingTotal.subtracting(sums.cents, old.cents)
                rows.investments = sums
            }
            try unlink(old.investorID, side)
        }
        let side = Side(partition: partition, direction: new.direction)
        try change(side) { rows in
            var sums = rows.investments ?? InvestmentSums()
            sums.count += 1
            sums.cents = SaturatingTotal.adding(sums.cents, new.cents)
            rows.investments = sums
        }
        try link(new.investorID, side)
    }

    /// The figures of `side` that hold the saturated value now, named as the `total-saturated` anomaly names
    /// them (`expansions announced planned cents`, `investments cents`), in a stable order.
    mutating func saturatedFigures(_ side: Side) throws -> [String] {
        let rows = try self.rows(side)
        let saturated = SaturatingTotal.saturated
        var figures: [String] = []
        for (status, sums) in rows.expansions.sorted(by: { $0.key < $1.key }) {
            for (name, value) in [
                ("planned jobs", sums.plannedJobs), ("planned cents", sums.plannedCents),
                ("actual jobs", sums.actualJobs), ("actual cents", sums.actualCents),
            ] where value == saturated {
                figures.append("expansions \(status) \(name)")
            }
        }
        if rows.investments?.cents == saturated { figures.append("investments cents") }
        return figures
    }

    /// Writes every row the batch changed.
    func write(_ db: Database) throws {
        for (side, rows) in sides {
            for (status, sums) in rows.expansions where rows.read.expansions[status] != sums {
                try db.run(
                    """
                    INSERT OR REPLACE INTO totals_expansions (partition, direction, status, count, planned_jobs,
                    planned_cents, actual_jobs, actual_cents, planned_unstated) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        side.partition, side.direction, status, sums.count, sums.plannedJobs, sums.plannedCents,
                        sums.actualJobs, sums.actualCents, sums.plannedUnstated,
                    ])
            }
            if let sums = rows.investments, sums != rows.read.investments {
                try db.run(
                    "INSERT OR REPLACE INTO totals_investments VALUES (?, ?, ?, ?)",
                    [side.partition, side.direction, sums.count, sums.cents])
            }
            if let companies = rows.companies, companies != rows.read.companies {
                try db.run(
                    "INSERT OR REPLACE INTO totals_companies VALUES (?, ?, ?)",
                    [side.partition, side.direction, companies])
            }
        }
        for (link, value) in links {
            guard let now = value.now, now != value.read else { continue }
            try db.run(
                "INSERT OR REPLACE INTO company_links VALUES (?, ?, ?, ?)",
                [link.side.partition, link.side.direction, link.companyID, now])
        }
    }

    // MARK: - Companies and their links

    /// One more row links the company to the side.
    private mutating func link(_ companyID: String, _ side: Side) throws {
        try adjustLink(Link(side: side, companyID: companyID), by: 1)
    }

    /// One row less links the company to the side.
    private mutating func unlink(_ companyID: String, _ side: Side) throws {
        try adjustLink(Link(side: side, companyID: companyID), by: -1)
    }

    /// A company counts in a side while it has a link there: a new link row counts it, and a link that reaches
    /// or leaves zero counts it out or in (as the triggers of migration v3 did; a missing row is not taken from).
    private mutating func adjustLink(_ key: Link, by delta: Int64) throws {
        guard let before = try links(key) else {
            guard delta > 0 else { return }
            links[key]?.now = delta
            try change(key.side) { $0.companies = ($0.companies ?? 0) + 1 }
            return
        }
        let now = before + delta
        links[key]?.now = now
        if (before > 0) != (now > 0) {
            try change(key.side) { rows in rows.companies = rows.companies.map { $0 + (now > 0 ? 1 : -1) } }
        }
    }

    private mutating func links(_ key: Link) throws -> Int64? {
        if let known = links[key] { return known.now }
        let read = try db.first(
            "SELECT links FROM company_links WHERE partition = ? AND direction = ? AND company_id = ?",
            [key.side.partition, key.side.direction, key.companyID]
        ) { $0.int64(0) }
        links[key] = (read, read)
        return read
    }

    // MARK: - A side's rows

    private mutating func change(_ side: Side, _ body: (inout SideRows) -> Void) throws {
        var rows = try self.rows(side)
        body(&rows)
        sides[side] = rows
    }

    private mutating func rows(_ side: Side) throws -> SideRows {
        if let rows = sides[side] { return rows }
        // Read in place (no `Row`, no cursor): every side of every partition a batch touches comes here.
        var expansions: [String: ExpansionSums] = [:]
        try db.each(
            """
            SELECT status, count, planned_jobs, planned_cents, actual_jobs, actual_cents, planned_unstated
            FROM totals_expansions WHERE partition = ? AND direction = ?
            """, [side.partition, side.direction]
        ) { row in
            expansions[row.string(0)] = ExpansionSums(
                count: row.int64(1), plannedJobs: row.int64(2), plannedCents: row.int64(3), actualJobs: row.int64(4),
                actualCents: row.int64(5), plannedUnstated: row.int64(6))
        }
        let investments = try db.first(
            "SELECT count, cents FROM totals_investments WHERE partition = ? AND direction = ?",
            [side.partition, side.direction]
        ) { InvestmentSums(count: $0.int64(0), cents: $0.int64(1)) }
        let companies = try db.first(
            "SELECT companies FROM totals_companies WHERE partition = ? AND direction = ?",
            [side.partition, side.direction]
        ) { $0.int64(0) }
        let rows = SideRows(
            expansions: expansions, investments: investments, companies: companies,
            read: (expansions, investments, companies))
        sides[side] = rows
        return rows
    }
}
