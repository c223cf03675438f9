import GRDB

/// The kept series figures (`totals_series`) as one batch changes them: a partition's figures of a kind are read
/// the first time the batch reports a figure of that kind there, changed in memory figure by figure, and the
/// positions that changed are written once when the batch ends (``write(_:)``). A report changes at most the two
/// periods kept for its series and kind, so no row of `exports` or `jobs` is read (ranking them on every batch
/// that reported one was 7 % of the worker's time at 2,000 events/s).
struct KeptSeries {
    /// A period of a series and its value.
    struct Point: Equatable {
        var year: Int
        /// 1 to 4; 0 for a year.
        var quarter: Int
        var value: Int64
        /// How the source stated it (``StatedFigure/text``), `nil` for exact and reported.
        var stated: String? = nil

        var period: String { quarter == 0 ? "\(year)" : "\(year)-Q\(quarter)" }

        func isLater(than other: Point) -> Bool { (year, quarter) > (other.year, other.quarter) }
        func isSamePeriod(as other: Point) -> Bool { (year, quarter) == (other.year, other.quarter) }
    }

    /// A series of one kind of period (years, or quarters): its latest period and the one it is compared with (the
    /// latest year before it; for a quarter, the same quarter a year earlier, if reported).
    struct Entry: Equatable {
        var series: String
        var quarterly: Bool
        var latest: Point
        var previous: Point?

        /// The order of `totals_series`: by series as SQLite's BINARY collation orders text, years first.
        func precedes(_ other: Entry) -> Bool {
            if series != other.series { return series.utf8.lexicographicallyPrecedes(other.series.utf8) }
            return !quarterly && other.quarterly
        }

        /// The entry after `point` was reported (a new period, or a revised value of a period seen before);
        /// `yearEarlier` reads the value of `point`'s quarter a year earlier, for a new latest quarter.
        mutating func report(_ point: Point, yearEarlier: () throws -> (value: Int64, stated: String?)?) rethrows {
            if quarterly {
                if point.isSamePeriod(as: latest) {
                    latest = point
                } else if point.isLater(than: latest) {
                    latest = point
                    previous = try yearEarlier().map {
                        Point(year: point.year - 1, quarter: point.quarter, value: $0.value, stated: $0.stated)
                    }
                } else if point.year == latest.year - 1, point.quarter == latest.quarter {
                    previous = point
                }
            } else if point.isSamePeriod(as: latest) {
                latest = point
            } else if point.isLater(than: latest) {
                previous = latest
                latest = point
            } else if let previous, point.isSamePeriod(as: previous) {
                self.previous = point
            } else if previous.map(point.isLater(than:)) ?? true {
                previous = point
            }
        }
    }

    private struct Key: Hashable {
        var partition: Int32
        var kind: SeriesKind
    }

    private var entries: [Key: (read: [Entry], now: [Entry])] = [:]

    /// `value` was reported for `period` of `series` (an upsert of its `exports` or `jobs` row, already made);
    /// `yearEarlier` reads the value of the same quarter a year earlier from that table.
    mutating func report(
        _ kind: SeriesKind, partition: Int32, series: String, year: Int, quarter: Int, value: Int64, stated: String?,
        db: Database, yearEarlier: () throws -> (value: Int64, stated: String?)?
    ) throws {
        let key = Key(partition: partition, kind: kind)
        var now = try entries[key]?.now ?? read(key, db)
        let point = Point(year: year, quarter: quarter, value: value, stated: stated)
        if let index = now.firstIndex(where: { $0.series == series && $0.quarterly == (quarter != 0) }) {
            try now[index].report(point, yearEarlier: yearEarlier)
        } else {
            let entry = Entry(series: series, quarterly: quarter != 0, latest: point)
            now.insert(entry, at: now.firstIndex(where: entry.precedes) ?? now.endIndex)
        }
        entries[key]!.now = now
    }

    /// Writes the positions the batch changed.
    func write(_ db: Database) throws {
        for (key, entries) in entries where entries.now != entries.read {
            for (position, entry) in entries.now.enumerated()
            where position >= entries.read.count || entries.read[position] != entry {
                try db.run(
                    """
                    INSERT OR REPLACE INTO totals_series (partition, kind, position, series, period, value,
                    previous_period, previous_value, qualifiers, previous_qualifiers) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                    [
                        key.partition, key.kind.rawValue, position, entry.series, entry.latest.period,
                        entry.latest.value, entry.previous?.period, entry.previous?.value, entry.latest.stated,
                        entry.previous?.stated,
                    ])
            }
        }
    }

    private mutating func read(_ key: Key, _ db: Database) throws -> [Entry] {
        var read: [Entry] = []
        try db.each(
            """
            SELECT series, period, value, previous_period, previous_value, qualifiers, previous_qualifiers
            FROM totals_series WHERE partition = ? AND kind = ? ORDER BY position
            """, [key.partition, key.kind.rawValue]
        ) { row in
            let latest = Self.point(row.string(1), value: row.int64(2), stated: row.optionalString(5))
            read.append(
                Entry(
                    series: row.string(0), quarterly: latest.quarter != 0, latest: latest,
                    previous: row.optionalString(3).map {
                        Self.point($0, value: row.int64(4), stated: row.optionalString(6))
                    }))
        }
        entries[key] = (read, read)
        return read
    }

    /// A period as ``Point/period`` writes it (`2022`, `2022-Q3`).
    private static func point(_ period: String, value: Int64, stated: String?) -> Point {
        let parts = period.split(separator: "-Q", maxSplits: 1)
        return Point(
            year: Int(parts[0]) ?? 0, quarter: parts.count > 1 ? Int(parts[1]) ?? 0 : 0, value: value, stated: stated)
    }
}

/// The two kinds of series a partition's totals report, each kept in `totals_series` (migration v6): the latest
/// year and the latest quarter of every series, each with the period it is compared with (the year before; the
/// same quarter a year earlier, since migration v7). The fold changes them as figures are
/// reported (``KeptSeries``), so reading the totals after every batch no longer ranks every row of the partition;
/// ``computed(_:partition:)`` ranks the rows, for the migration that fills the table and for checking it.
enum SeriesKind: String, CaseIterable {
    case exports
    case jobs

    /// The figures as the window function over the partition's rows gives them now.
    func computed(_ db: Database, partition: Int32) throws -> [PartitionTotals.SeriesFigure] {
        // Only what the figures need leaves SQLite: the two latest years, the latest quarter and the same quarter a
        // year earlier, each pair in order (PartitionTotals.seriesFigures pairs neighbours).
        let ranked =
            switch self {
            case .exports:
                """
                SELECT origin || '→' || destination AS series, year, quarter, value_cents AS value, qualifiers,
                ROW_NUMBER() OVER (
                    PARTITION BY origin, destination, quarter != 0 ORDER BY year DESC, quarter DESC) AS latest
                FROM exports WHERE partition = ?
                """
            case .jobs:
                """
                SELECT scope AS series, year, quarter, jobs_supported AS value, qualifiers,
                ROW_NUMBER() OVER (PARTITION BY scope, quarter != 0 ORDER BY year DESC, quarter DESC) AS latest
                FROM jobs WHERE partition = ?
                """
            }
        let sql = """
            WITH ranked AS (\(ranked))
            SELECT series, year, quarter, value, qualifiers FROM ranked r
            WHERE (quarter = 0 AND latest <= 2) OR (quarter != 0 AND (latest = 1 OR EXISTS (
                SELECT 1 FROM ranked l WHERE l.series = r.series AND l.quarter != 0 AND l.latest = 1
                AND l.year = r.year + 1 AND l.quarter = r.quarter)))
            ORDER BY series, quarter != 0, year, quarter
            """
        return try PartitionTotals.seriesFigures(db, sql: sql, partition: partition)
    }

}
