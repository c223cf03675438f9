import GRDB

/// Migration v4 as it was registered, frozen: nothing here may call live code, so that an old store upgrades to
/// the same thing whatever later changes. It replaced v3's totals triggers with saturating ones and rewrote the
/// totals with saturating sums (a v3 sum that overflowed had become a floating-point value). The saturating
/// triggers it created were dropped by v5 before any write, so the frozen copy does not create them: a store
/// left at v4 by a build of its time still has them, and v5 drops them.
enum MigrationV4 {
    /// The fold version a store that had applied nothing was given (the fold's version when v4 shipped); one
    /// that had applied events kept version 1 until rebuilt from the log.
    static let foldVersionOfItsTime = 2

    static func migrate(_ db: Database) throws {
        for trigger in [
            "expansions_totals_insert", "expansions_totals_update", "investments_totals_insert",
            "investments_totals_update",
        ] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
        }
        try recomputeTotals(db)
        let empty = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM partition_offsets") == 0
        try db.execute(
            sql: """
                CREATE TABLE store_info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
                INSERT INTO store_info VALUES ('fold_version', ?);
                """, arguments: [empty ? String(foldVersionOfItsTime) : "1"])
    }

    /// Rewrites `totals_expansions` and `totals_investments` from the rows with saturating sums.
    private static func recomputeTotals(_ db: Database) throws {
        struct Key: Hashable {
            var partition: Int64
            var direction: String
            var status: String
        }
        var expansions: [Key: (count: Int64, sums: [Int64])] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT partition, direction, status, planned_jobs, planned_cents, actual_jobs, actual_cents
                FROM expansions WHERE direction IS NOT NULL
                """)
        while let row = try rows.next() {
            let key = Key(partition: row[0], direction: row[1], status: row[2])
            var entry = expansions[key] ?? (0, [0, 0, 0, 0])
            entry.count += 1
            for index in 0..<4 {
                entry.sums[index] = saturatingSum(entry.sums[index], integer(row[3 + index] as DatabaseValue))
            }
            expansions[key] = entry
        }
        try db.execute(sql: "DELETE FROM totals_expansions")
        for (key, entry) in expansions {
            try db.execute(
                sql: "INSERT INTO totals_expansions VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    key.partition, key.direction, key.status, entry.count, entry.sums[0], entry.sums[1], entry.sums[2],
                    entry.sums[3],
                ])
        }
        var investments: [Key: (count: Int64, cents: Int64)] = [:]
        let investmentRows = try Row.fetchCursor(
            db, sql: "SELECT partition, direction, amount_cents FROM investments")
        while let row = try investmentRows.next() {
            let key = Key(partition: row[0], direction: row[1], status: "")
            var entry = investments[key] ?? (0, 0)
            entry.count += 1
            entry.cents = saturatingSum(entry.cents, integer(row[2] as DatabaseValue))
            investments[key] = entry
        }
        try db.execute(sql: "DELETE FROM totals_investments")
        for (key, entry) in investments {
            try db.execute(
                sql: "INSERT INTO totals_investments VALUES (?, ?, ?, ?)",
                arguments: [key.partition, key.direction, entry.count, entry.cents])
        }
    }

    /// The saturating rule of its time: past `Int64.max` a total stays at `Int64.max`.
    private static func saturatingSum(_ total: Int64, _ amount: Int64) -> Int64 {
        if total == .max || amount == .max { return .max }
        let (sum, overflow) = total.addingReportingOverflow(amount)
        if overflow { return amount < 0 ? .min + 1 : .max }
        return sum
    }

    /// An integer column's value; a `NULL` is 0, and a floating-point value (an overflowed v3 sum) saturates.
    private static func integer(_ value: DatabaseValue) -> Int64 {
        switch value.storage {
        case .int64(let number): number
        case .double(let number): number >= 9.2e18 ? .max : Int64(exactly: number.rounded()) ?? 0
        default: 0
        }
    }
}
