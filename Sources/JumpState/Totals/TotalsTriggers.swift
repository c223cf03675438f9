import GRDB

/// Migration v4's triggers that kept the running totals (`totals_*`, `company_links`) as the state rows changed,
/// under the rule of ``SaturatingTotal``: sums saturate at `Int64.max` instead of overflowing into SQLite's
/// floating point (which a reader could not decode), and a saturated sum stays saturated. Migration v5 drops them
/// (``RunningTotals`` keeps the totals since); a store at v3 still passes through them.
enum TotalsTriggers {
    /// Migration v4: the v3 triggers replaced by saturating ones, and the sums recomputed from the rows in Swift
    /// (SQLite's `SUM` fails with "integer overflow" where a store already overflowed).
    static func migrateToSaturatingSums(_ db: Database) throws {
        for trigger in [
            "expansions_totals_insert", "expansions_totals_update", "investments_totals_insert",
            "investments_totals_update",
        ] {
            try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
        }
        try db.execute(sql: createSQL)
        try recompute(db)
    }

    private static func add(_ column: String, _ increment: String) -> String {
        "\(column) = \(SaturatingTotal.sqlAdding(column, increment))"
    }

    private static func subtract(_ column: String, _ decrement: String) -> String {
        "\(column) = \(SaturatingTotal.sqlSubtracting(column, decrement))"
    }

    private static let expansionSums = ["planned_jobs", "planned_cents", "actual_jobs", "actual_cents"]

    private static var addExpansionSums: String {
        expansionSums.map { add($0, "excluded.\($0)") }.joined(separator: ", ")
    }

    private static var createSQL: String {
        """
        CREATE TRIGGER expansions_totals_insert AFTER INSERT ON expansions WHEN NEW.direction IS NOT NULL
        BEGIN
            INSERT INTO totals_expansions VALUES (NEW.partition, NEW.direction, NEW.status, 1,
                COALESCE(NEW.planned_jobs, 0), COALESCE(NEW.planned_cents, 0),
                COALESCE(NEW.actual_jobs, 0), COALESCE(NEW.actual_cents, 0))
            ON CONFLICT DO UPDATE SET count = count + 1, \(addExpansionSums);
            INSERT INTO company_links SELECT NEW.partition, NEW.direction, NEW.company_id, 1
                WHERE NEW.status != 'withdrawn' ON CONFLICT DO UPDATE SET links = links + 1;
        END;
        CREATE TRIGGER expansions_totals_update AFTER UPDATE ON expansions BEGIN
            UPDATE totals_expansions SET count = count - 1,
                \(expansionSums.map { subtract($0, "COALESCE(OLD.\($0), 0)") }.joined(separator: ", "))
            WHERE partition = OLD.partition AND direction = OLD.direction AND status = OLD.status;
            INSERT INTO totals_expansions SELECT NEW.partition, NEW.direction, NEW.status, 1,
                COALESCE(NEW.planned_jobs, 0), COALESCE(NEW.planned_cents, 0),
                COALESCE(NEW.actual_jobs, 0), COALESCE(NEW.actual_cents, 0)
                WHERE NEW.direction IS NOT NULL
            ON CONFLICT DO UPDATE SET count = count + 1, \(addExpansionSums);
            UPDATE company_links SET links = links - 1
            WHERE OLD.status != 'withdrawn' AND partition = OLD.partition AND direction = OLD.direction
                AND company_id = OLD.company_id;
            INSERT INTO company_links SELECT NEW.partition, NEW.direction, NEW.company_id, 1
                WHERE NEW.direction IS NOT NULL AND NEW.status != 'withdrawn'
            ON CONFLICT DO UPDATE SET links = links + 1;
        END;
        CREATE TRIGGER investments_totals_insert AFTER INSERT ON investments BEGIN
            INSERT INTO totals_investments VALUES (NEW.partition, NEW.direction, 1, NEW.amount_cents)
            ON CONFLICT DO UPDATE SET count = count + 1, \(add("cents", "excluded.cents"));
            INSERT INTO company_links VALUES (NEW.partition, NEW.direction, NEW.investor_id, 1)
            ON CONFLICT DO UPDATE SET links = links + 1;
        END;
        CREATE TRIGGER investments_totals_update AFTER UPDATE ON investments BEGIN
            UPDATE totals_investments SET count = count - 1, \(subtract("cents", "OLD.amount_cents"))
            WHERE partition = OLD.partition AND direction = OLD.direction;
            INSERT INTO totals_investments VALUES (NEW.partition, NEW.direction, 1, NEW.amount_cents)
            ON CONFLICT DO UPDATE SET count = count + 1, \(add("cents", "excluded.cents"));
            UPDATE company_links SET links = links - 1
            WHERE partition = OLD.partition AND direction = OLD.direction AND company_id = OLD.investor_id;
            INSERT INTO company_links VALUES (NEW.partition, NEW.direction, NEW.investor_id, 1)
            ON CONFLICT DO UPDATE SET links = links + 1;
        END;
        """
    }

    /// Rewrites `totals_expansions` and `totals_investments` from the rows with saturating sums.
    private static func recompute(_ db: Database) throws {
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
                entry.sums[index] = entry.sums[index].saturatingAdding(Self.integer(row[3 + index] as DatabaseValue))
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
            entry.cents = entry.cents.saturatingAdding(Self.integer(row[2] as DatabaseValue))
            investments[key] = entry
        }
        try db.execute(sql: "DELETE FROM totals_investments")
        for (key, entry) in investments {
            try db.execute(
                sql: "INSERT INTO totals_investments VALUES (?, ?, ?, ?)",
                arguments: [key.partition, key.direction, entry.count, entry.cents])
        }
    }

    /// An integer column's value; a `NULL` is 0, and a floating-point value (an overflowed v3 sum) saturates.
    private static func integer(_ value: DatabaseValue) -> Int64 {
        switch value.storage {
        case .int64(let number): number
        case .double(let number): number >= 9.2e18 ? SaturatingTotal.saturated : Int64(exactly: number.rounded()) ?? 0
        default: 0
        }
    }
}
