import Foundation
import GRDB
import JumpEvents

/// Counts and totals of the state, for `jump-consumer state summary`.
package struct StateSummary: Sendable, Codable, Equatable {
    /// One partition this store holds.
    package struct PartitionState: Sendable, Codable, Equatable {
        /// The topic.
        package var topic: String
        /// The partition.
        package var partition: Int32
        /// The next offset to read.
        package var nextOffset: Int64

        /// A partition held.
        package init(topic: String, partition: Int32, nextOffset: Int64) {
            self.topic = topic
            self.partition = partition
            self.nextOffset = nextOffset
        }
    }

    /// Expansions with one direction and status, and their totals.
    package struct ExpansionTotals: Sendable, Codable, Equatable {
        /// `mx-to-utah` or `utah-to-mx` (`unknown` for a placeholder never announced).
        package var direction: String
        /// `announced`, `completed` or `withdrawn`.
        package var status: String
        /// How many.
        package var count: Int
        /// Jobs planned, withdrawn ones excluded.
        package var plannedJobs: Int64
        /// Investment planned in US cents, withdrawn ones excluded.
        package var plannedInvestmentUsdCents: Int64
        /// Jobs created (completed ones).
        package var actualJobs: Int64
        /// Investment made in US cents (completed ones).
        package var actualInvestmentUsdCents: Int64
    }

    /// A figure for one series and period (exports: origin→destination; jobs: scope).
    package struct SeriesFigure: Sendable, Codable, Equatable {
        /// `US-UT→MX`, or a jobs scope.
        package var series: String
        /// `2022` or `2022-Q3`.
        package var period: String
        /// The latest value (US cents for exports, jobs for jobs).
        package var value: Int64
        /// How many times it was revised.
        package var revisions: Int

        /// A figure.
        package init(series: String, period: String, value: Int64, revisions: Int) {
            self.series = series
            self.period = period
            self.value = value
            self.revisions = revisions
        }
    }

    /// The partitions held and their next offsets.
    package var partitions: [PartitionState]
    /// Events folded into the state.
    package var eventsApplied: Int
    /// Events skipped as duplicates.
    package var duplicatesSkipped: Int
    /// Messages sent to the dead-letter topic.
    package var deadLettered: Int
    /// Anomalies recorded (unknown or out-of-order references).
    package var anomalies: Int
    /// Companies by country.
    package var companiesByCountry: [String: Int]
    /// Expansions by direction and status.
    package var expansions: [ExpansionTotals]
    /// Investments by direction: count and total in US cents.
    package var investmentsByDirection: [String: [Int64]]
    /// Exports by series and period.
    package var exports: [SeriesFigure]
    /// Jobs by scope and period.
    package var jobs: [SeriesFigure]
    /// Delegation meetings held.
    package var meetings: Int
    /// Initiatives by status.
    package var initiativesByStatus: [String: Int]
    /// The running totals digests report (the sum of every partition's), to compare with a digest's.
    package var totals: PartitionTotals
}

extension StateStore {
    /// The summary of everything this store holds.
    package func summary() async throws -> StateSummary {
        try await writer.read { db in
            let stats = try Row.fetchOne(
                db,
                sql: """
                    SELECT COALESCE(SUM(applied), 0), COALESCE(SUM(duplicates), 0), COALESCE(SUM(dead_lettered), 0),
                    COALESCE(SUM(anomalies), 0) FROM partition_stats
                    """)!
            let partitions = try Row.fetchAll(
                db, sql: "SELECT topic, partition, next_offset FROM partition_offsets ORDER BY topic, partition"
            ).map {
                StateSummary.PartitionState(
                    topic: try $0.value(0, in: "partition_offsets"),
                    partition: try $0.value(1, in: "partition_offsets"),
                    nextOffset: try $0.value(2, in: "partition_offsets"))
            }
            var companies: [String: Int] = [:]
            for row in try Row.fetchAll(
                db,
                sql: "SELECT country, COUNT(DISTINCT company_id) FROM companies GROUP BY country ORDER BY country")
            {
                companies[try row.value(0, in: "companies")] = try row.value(1, in: "companies")
            }
            let (expansions, investments) = try Self.summedExpansionsAndInvestments(db)
            func period(_ year: Int, _ quarter: Int) -> String { quarter == 0 ? "\(year)" : "\(year)-Q\(quarter)" }
            let exports = try Row.fetchAll(
                db,
                sql: """
                    SELECT origin, destination, year, quarter, value_cents, revisions FROM exports
                    ORDER BY origin, destination, year, quarter
                    """
            ).map {
                StateSummary.SeriesFigure(
                    series: "\(try $0.value(0, in: "exports") as String)→\(try $0.value(1, in: "exports") as String)",
                    period: period(try $0.value(2, in: "exports"), try $0.value(3, in: "exports")),
                    value: try $0.value(4, in: "exports"),
                    revisions: try $0.value(5, in: "exports"))
            }
            let jobs = try Row.fetchAll(
                db,
                sql: "SELECT scope, year, quarter, jobs_supported, revisions FROM jobs ORDER BY scope, year, quarter"
            ).map {
                StateSummary.SeriesFigure(
                    series: try $0.value(0, in: "jobs"),
                    period: period(try $0.value(1, in: "jobs"), try $0.value(2, in: "jobs")),
                    value: try $0.value(3, in: "jobs"), revisions: try $0.value(4, in: "jobs"))
            }
            var initiatives: [String: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT status, COUNT(*) FROM initiatives GROUP BY status") {
                initiatives[try row.value(0, in: "initiatives")] = try row.value(1, in: "initiatives")
            }
            return StateSummary(
                partitions: partitions, eventsApplied: try stats.value(0, in: "partition_stats"),
                duplicatesSkipped: try stats.value(1, in: "partition_stats"),
                deadLettered: try stats.value(2, in: "partition_stats"),
                anomalies: try stats.value(3, in: "partition_stats"), companiesByCountry: companies,
                expansions: expansions,
                investmentsByDirection: investments, exports: exports, jobs: jobs,
                meetings: try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM meetings") ?? 0,
                initiativesByStatus: initiatives,
                totals: PartitionTotals.sum(
                    try Int32.fetchAll(db, sql: "SELECT partition FROM partition_stats ORDER BY partition").map {
                        try PartitionTotals.fetch(db, partition: $0)
                    }))
        }
    }

    /// Expansions by direction and status and investments by direction, summed in Swift under the rule of
    /// ``SaturatingTotal`` (SQLite's `SUM` fails with "integer overflow" where a figure saturated).
    static func summedExpansionsAndInvestments(
        _ db: Database
    ) throws -> ([StateSummary.ExpansionTotals], [String: [Int64]]) {
        var expansions: [String: StateSummary.ExpansionTotals] = [:]
        let rows = try Row.fetchCursor(
            db,
            sql: """
                SELECT COALESCE(direction, 'unknown'), status, COALESCE(planned_jobs, 0), COALESCE(planned_cents, 0),
                COALESCE(actual_jobs, 0), COALESCE(actual_cents, 0) FROM expansions
                """)
        while let row = try rows.next() {
            let direction: String = try row.value(0, in: "expansions")
            let status: String = try row.value(1, in: "expansions")
            var totals =
                expansions[direction + "/" + status]
                ?? StateSummary.ExpansionTotals(
                    direction: direction, status: status, count: 0, plannedJobs: 0, plannedInvestmentUsdCents: 0,
                    actualJobs: 0, actualInvestmentUsdCents: 0)
            totals.count += 1
            if status != "withdrawn" {
                totals.plannedJobs = totals.plannedJobs.saturatingAdding(try row.value(2, in: "expansions"))
                totals.plannedInvestmentUsdCents = totals.plannedInvestmentUsdCents.saturatingAdding(
                    try row.value(3, in: "expansions"))
            }
            if status == "completed" {
                totals.actualJobs = totals.actualJobs.saturatingAdding(try row.value(4, in: "expansions"))
                totals.actualInvestmentUsdCents = totals.actualInvestmentUsdCents.saturatingAdding(
                    try row.value(5, in: "expansions"))
            }
            expansions[direction + "/" + status] = totals
        }
        var investments: [String: [Int64]] = [:]
        let investmentRows = try Row.fetchCursor(db, sql: "SELECT direction, amount_cents FROM investments")
        while let row = try investmentRows.next() {
            let figures = investments[try row.value(0, in: "investments")] ?? [0, 0]
            investments[try row.value(0, in: "investments")] = [
                figures[0] + 1, figures[1].saturatingAdding(try row.value(1, in: "investments")),
            ]
        }
        return (expansions.values.sorted { ($0.direction, $0.status) < ($1.direction, $1.status) }, investments)
    }

    /// One line per partition held: the partition, its next offset and a hash of its canonical state.
    package struct PartitionFingerprint: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The partition.
        package var partition: Int32
        /// Its next offset.
        package var nextOffset: Int64
        /// SHA-256 (hex) of the partition's state rows, in key order, canonically written.
        package var hash: String
        /// `partition next-offset hash`.
        package var description: String { "\(partition) \(nextOffset) \(hash)" }
    }

    /// Columns that are not state, which a fingerprint leaves out: where an event is in the log (migration v14)
    /// and when an anomaly was recorded (v15). Stores with the same state compare equal however and whenever built.
    static let columnsOutsideState: Set<String> = ["announced_offset", "closed_offset", "recorded_at"]

    /// The state tables, each with its key order: what a fingerprint covers.
    static let stateTables: [(table: String, order: String)] = [
        ("companies", "company_id"), ("expansions", "expansion_id"), ("investments", "investment_id"),
        ("exports", "origin, destination, year, quarter"), ("jobs", "scope, year, quarter"),
        ("meetings", "meeting_id"), ("initiatives", "initiative_id"), ("anomalies", #""offset", kind"#),
    ]

    /// Fingerprints of every partition of `topic` this store holds: equal content gives equal lines, however
    /// and whenever it was reached.
    package func fingerprints(topic: String) async throws -> [PartitionFingerprint] {
        try await writer.read { db in
            // Each table's state columns, once: where an event sits in the log and when an anomaly was recorded are
            // not state, so a store rebuilt, or upgraded, hashes the same.
            let queries = try Self.stateTables.map { table, order in
                let columns = try String.fetchAll(db, sql: "SELECT name FROM pragma_table_info(?)", arguments: [table])
                    .filter { !Self.columnsOutsideState.contains($0) }.map { "\"\($0)\"" }.joined(separator: ", ")
                return (table, "SELECT \(columns) FROM \(table) WHERE partition = ? ORDER BY \(order)")
            }
            return try Row.fetchAll(
                db, sql: "SELECT partition, next_offset FROM partition_offsets WHERE topic = ? ORDER BY partition",
                arguments: [topic]
            ).map { row in
                let partition: Int32 = try row.value(0, in: "partition_offsets")
                var hasher = SHA256()
                for (table, query) in queries {
                    hasher.update(Array("\(table)\n".utf8))
                    let rows = try Row.fetchCursor(db, sql: query, arguments: [partition])
                    while let stateRow = try rows.next() {
                        let values = stateRow.databaseValues.map { value -> String in
                            switch value.storage {
                            case .null: "∅"
                            case .int64(let number): String(number)
                            case .double(let number): String(number)
                            case .string(let text): text.debugDescription
                            case .blob(let data): data.base64EncodedString()
                            }
                        }
                        hasher.update(Array((values.joined(separator: "\u{1F}") + "\n").utf8))
                    }
                }
                return PartitionFingerprint(
                    partition: partition, nextOffset: try row.value(1, in: "partition_offsets"),
                    hash: SHA256.hex(hasher.finalize()))
            }
        }
    }

    /// The line that combines partition fingerprints: SHA-256 of their lines.
    package static func combinedFingerprint(_ fingerprints: [PartitionFingerprint]) -> String {
        SHA256.hex(SHA256.hash(Array(fingerprints.map(\.description).joined(separator: "\n").utf8)))
    }
}

/// An anomaly the fold recorded: an event it applied by a documented rule although it conflicted with the state
/// (README, "Fold rules").
package struct RecordedAnomaly: Sendable, Codable, Equatable {
    /// The partition of the event.
    package var partition: Int32
    /// Its offset.
    package var offset: Int64
    /// Its event id.
    package var eventId: String
    /// The kind (`completed-again`, `company-mismatch`, `direction-changed`, `total-saturated`, ...).
    package var kind: String
    /// What happened and which value won.
    package var detail: String
    /// When the fold recorded it (milliseconds since 1970; `nil` before migration v15).
    package var recordedAt: Int64? = nil
}

extension StateStore {
    /// The anomalies whose detail names one of `names` (a company's id and its expansions' ids) as a whole id, not
    /// inside a longer one (`co.a` is not named by `co.ab`), by place, at most `limit`: what the fold noticed about
    /// one company. An anomaly whose detail names no id (`late-announcement`, `total-saturated`) is not among them.
    package func anomalies(naming names: [String], limit: Int = 100) async throws -> [RecordedAnomaly] {
        let names = names.filter { !$0.isEmpty }
        guard !names.isEmpty else { return [] }
        let list = String(decoding: JSONWriter.encode(.array(names.map(JSONValue.string))), as: UTF8.self)
        return try await writer.read { db in
            // SQLite finds the candidates (the name anywhere in the detail); the whole-id test is here.
            let rows = try Row.fetchCursor(
                db,
                sql: """
                    SELECT partition, "offset", event_id, kind, detail FROM anomalies
                    WHERE EXISTS (SELECT 1 FROM json_each(?1) WHERE instr(detail, value) > 0)
                    ORDER BY partition, "offset", kind
                    """, arguments: [list])
            var found: [RecordedAnomaly] = []
            while found.count < max(0, limit), let row = try rows.next() {
                let detail: String = try row.value(4, in: "anomalies")
                guard names.contains(where: { Self.names(detail, $0) }) else { continue }
                found.append(
                    RecordedAnomaly(
                        partition: try row.value(0, in: "anomalies"), offset: try row.value(1, in: "anomalies"),
                        eventId: try row.value(2, in: "anomalies"), kind: try row.value(3, in: "anomalies"),
                        detail: detail))
            }
            return found
        }
    }

    /// Whether `text` holds `id` with no id character (`A-Z a-z 0-9 . _ : -`) right before or after it.
    static func names(_ text: String, _ id: String) -> Bool {
        let text = Array(text.utf8)
        let id = Array(id.utf8)
        func isIDByte(_ byte: UInt8) -> Bool {
            (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || ".:_-".utf8.contains(byte)
        }
        guard !id.isEmpty, id.count <= text.count else { return false }
        for start in 0...(text.count - id.count) where text[start..<start + id.count].elementsEqual(id) {
            let before = start == 0 || !isIDByte(text[start - 1])
            let after = start + id.count == text.count || !isIDByte(text[start + id.count])
            if before && after { return true }
        }
        return false
    }

    /// The anomalies recorded, in partition and offset order, optionally of one kind and recorded at or after
    /// `since` (milliseconds since 1970; those recorded before migration v15 have no time and are left out), at
    /// most `limit`, `skipping` that many first (a page after the first).
    package func anomalies(
        kind: String? = nil, since: Int64? = nil, limit: Int = 1_000, skipping: Int = 0
    ) async throws
        -> [RecordedAnomaly]
    {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT partition, "offset", event_id, kind, detail, recorded_at FROM anomalies
                    WHERE (?1 IS NULL OR kind = ?1) AND (?4 IS NULL OR recorded_at >= ?4)
                    ORDER BY partition, "offset", kind LIMIT ?2 OFFSET ?3
                    """, arguments: [kind, max(0, limit), max(0, skipping), since]
            ).map {
                RecordedAnomaly(
                    partition: try $0.value(0, in: "anomalies"), offset: try $0.value(1, in: "anomalies"),
                    eventId: try $0.value(2, in: "anomalies"), kind: try $0.value(3, in: "anomalies"),
                    detail: try $0.value(4, in: "anomalies"), recordedAt: try $0.value(5, in: "anomalies"))
            }
        }
    }

    /// How many anomalies of each kind the store holds (recorded at or after `since`, if given), by kind.
    package func anomalyKinds(since: Int64? = nil) async throws -> [(kind: String, count: Int)] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT kind, COUNT(*) FROM anomalies WHERE ?1 IS NULL OR recorded_at >= ?1
                    GROUP BY kind ORDER BY kind
                    """, arguments: [since]
            ).map {
                (try $0.value(0, in: "anomalies"), try $0.value(1, in: "anomalies"))
            }
        }
    }
}
