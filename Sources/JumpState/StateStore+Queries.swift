import Foundation
import GRDB
import JumpEvents

/// Counts and totals of the state, for `jump-consumer state summary`.
public struct StateSummary: Sendable, Codable, Equatable {
    /// One partition this store holds.
    public struct PartitionState: Sendable, Codable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition.
        public var partition: Int32
        /// The next offset to read.
        public var nextOffset: Int64

        /// A partition held.
        public init(topic: String, partition: Int32, nextOffset: Int64) {
            self.topic = topic
            self.partition = partition
            self.nextOffset = nextOffset
        }
    }

    /// Expansions with one direction and status, and their totals.
    public struct ExpansionTotals: Sendable, Codable, Equatable {
        /// `mx-to-utah` or `utah-to-mx` (`unknown` for a placeholder never announced).
        public var direction: String
        /// `announced`, `completed` or `withdrawn`.
        public var status: String
        /// How many.
        public var count: Int
        /// Jobs planned, withdrawn ones excluded.
        public var plannedJobs: Int64
        /// Investment planned in US cents, withdrawn ones excluded.
        public var plannedInvestmentUsdCents: Int64
        /// Jobs created (completed ones).
        public var actualJobs: Int64
        /// Investment made in US cents (completed ones).
        public var actualInvestmentUsdCents: Int64
    }

    /// A figure for one series and period (exports: origin→destination; jobs: scope).
    public struct SeriesFigure: Sendable, Codable, Equatable {
        /// `US-UT→MX`, or a jobs scope.
        public var series: String
        /// `2022` or `2022-Q3`.
        public var period: String
        /// The latest value (US cents for exports, jobs for jobs).
        public var value: Int64
        /// How many times it was revised.
        public var revisions: Int

        /// A figure.
        public init(series: String, period: String, value: Int64, revisions: Int) {
            self.series = series
            self.period = period
            self.value = value
            self.revisions = revisions
        }
    }

    /// The partitions held and their next offsets.
    public var partitions: [PartitionState]
    /// Events folded into the state.
    public var eventsApplied: Int
    /// Events skipped as duplicates.
    public var duplicatesSkipped: Int
    /// Messages sent to the dead-letter topic.
    public var deadLettered: Int
    /// Anomalies recorded (unknown or out-of-order references).
    public var anomalies: Int
    /// Companies by country.
    public var companiesByCountry: [String: Int]
    /// Expansions by direction and status.
    public var expansions: [ExpansionTotals]
    /// Investments by direction: count and total in US cents.
    public var investmentsByDirection: [String: [Int64]]
    /// Exports by series and period.
    public var exports: [SeriesFigure]
    /// Jobs by scope and period.
    public var jobs: [SeriesFigure]
    /// Delegation meetings held.
    public var meetings: Int
    /// Initiatives by status.
    public var initiativesByStatus: [String: Int]
    /// The running totals digests report (the sum of every partition's), to compare with a digest's.
    public var totals: PartitionTotals
}

extension StateStore {
    /// The summary of everything this store holds.
    public func summary() async throws -> StateSummary {
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
    public struct PartitionFingerprint: Sendable, Equatable, Codable, CustomStringConvertible {
        /// The partition.
        public var partition: Int32
        /// Its next offset.
        public var nextOffset: Int64
        /// SHA-256 (hex) of the partition's state rows, in key order, canonically written.
        public var hash: String
        /// `partition next-offset hash`.
        public var description: String { "\(partition) \(nextOffset) \(hash)" }
    }

    /// The state tables, each with its key order: what a fingerprint covers.
    static let stateTables: [(table: String, order: String)] = [
        ("companies", "company_id"), ("expansions", "expansion_id"), ("investments", "investment_id"),
        ("exports", "origin, destination, year, quarter"), ("jobs", "scope, year, quarter"),
        ("meetings", "meeting_id"), ("initiatives", "initiative_id"), ("anomalies", #""offset", kind"#),
    ]

    /// Fingerprints of every partition of `topic` this store holds: equal content gives equal lines, however
    /// and whenever it was reached.
    public func fingerprints(topic: String) async throws -> [PartitionFingerprint] {
        try await writer.read { db in
            try Row.fetchAll(
                db, sql: "SELECT partition, next_offset FROM partition_offsets WHERE topic = ? ORDER BY partition",
                arguments: [topic]
            ).map { row in
                let partition: Int32 = try row.value(0, in: "partition_offsets")
                var hasher = SHA256()
                for (table, order) in Self.stateTables {
                    hasher.update(Array("\(table)\n".utf8))
                    let rows = try Row.fetchCursor(
                        db, sql: "SELECT * FROM \(table) WHERE partition = ? ORDER BY \(order)", arguments: [partition])
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
    public static func combinedFingerprint(_ fingerprints: [PartitionFingerprint]) -> String {
        SHA256.hex(SHA256.hash(Array(fingerprints.map(\.description).joined(separator: "\n").utf8)))
    }

    /// Everything the store knows of one company (its first row, its expansions and investments), or `nil`.
    public func company(_ id: String) async throws -> CompanyReport? {
        try await writer.read { db in
            let company = try Row.fetchOne(
                db, sql: "SELECT name, country, sector FROM companies WHERE company_id = ? ORDER BY partition LIMIT 1",
                arguments: [id])
            let expansions = try Row.fetchAll(
                db,
                sql: """
                    SELECT expansion_id, status, direction, city, region, planned_jobs, planned_cents, actual_jobs,
                    actual_cents, announced_on, opened_on, withdrawal_reason FROM expansions WHERE company_id = ?
                    ORDER BY expansion_id
                    """, arguments: [id]
            ).map { row in
                CompanyReport.Expansion(
                    id: try row.value(0, in: "expansions"), status: try row.value(1, in: "expansions"),
                    direction: try row.value(2, in: "expansions"), city: try row.value(3, in: "expansions"),
                    region: try row.value(4, in: "expansions"), plannedJobs: try row.value(5, in: "expansions"),
                    plannedInvestmentUsdCents: try row.value(6, in: "expansions"),
                    actualJobs: try row.value(7, in: "expansions"),
                    actualInvestmentUsdCents: try row.value(8, in: "expansions"),
                    announcedOn: try row.value(9, in: "expansions"), openedOn: try row.value(10, in: "expansions"),
                    withdrawalReason: try row.value(11, in: "expansions"))
            }
            let investments = try Row.fetchAll(
                db,
                sql: """
                    SELECT investment_id, direction, amount_cents, region, announced_on FROM investments
                    WHERE investor_id = ? ORDER BY investment_id
                    """, arguments: [id]
            ).map { row in
                CompanyReport.Investment(
                    id: try row.value(0, in: "investments"), direction: try row.value(1, in: "investments"),
                    amountUsdCents: try row.value(2, in: "investments"), region: try row.value(3, in: "investments"),
                    announcedOn: try row.value(4, in: "investments"))
            }
            guard company != nil || !expansions.isEmpty else { return nil }
            return CompanyReport(
                id: id, name: try company?.value(0, in: "companies"), country: try company?.value(1, in: "companies"),
                sector: try company?.value(2, in: "companies"), expansions: expansions, investments: investments)
        }
    }

    /// Every company the store knows (or those whose id or name contains `matching`, ignoring case), by id: name,
    /// country, sector and how many expansions and investments.
    public func companies(matching: String? = nil, limit: Int = 1_000) async throws -> [CompanyListing] {
        // LIKE's wildcards in the search are taken literally.
        let pattern = matching.map {
            "%" + $0.replacing("\\", with: "\\\\").replacing("%", with: "\\%").replacing("_", with: "\\_") + "%"
        }
        return try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT c.company_id, c.name, c.country, c.sector,
                    (SELECT COUNT(*) FROM expansions e WHERE e.company_id = c.company_id),
                    (SELECT COUNT(*) FROM investments i WHERE i.investor_id = c.company_id)
                    FROM companies c WHERE c.partition = (SELECT MIN(partition) FROM companies d
                        WHERE d.company_id = c.company_id)
                    AND (?1 IS NULL OR c.company_id LIKE ?1 ESCAPE '\\' OR c.name LIKE ?1 ESCAPE '\\')
                    ORDER BY c.company_id LIMIT ?2
                    """, arguments: [pattern, limit]
            ).map { row in
                CompanyListing(
                    id: try row.value(0, in: "companies"), name: try row.value(1, in: "companies"),
                    country: try row.value(2, in: "companies"), sector: try row.value(3, in: "companies"),
                    expansions: try row.value(4, in: "companies"), investments: try row.value(5, in: "companies"))
            }
        }
    }
}

/// An anomaly the fold recorded: an event it applied by a documented rule although it conflicted with the state
/// (README, "Fold rules").
public struct RecordedAnomaly: Sendable, Codable, Equatable {
    /// The partition of the event.
    public var partition: Int32
    /// Its offset.
    public var offset: Int64
    /// Its event id.
    public var eventId: String
    /// The kind (`completed-again`, `company-mismatch`, `direction-changed`, `total-saturated`, ...).
    public var kind: String
    /// What happened and which value won.
    public var detail: String
}

extension StateStore {
    /// The anomalies recorded, in partition and offset order, optionally of one kind, at most `limit`.
    public func anomalies(kind: String? = nil, limit: Int = 1_000) async throws -> [RecordedAnomaly] {
        try await writer.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT partition, "offset", event_id, kind, detail FROM anomalies
                    WHERE ?1 IS NULL OR kind = ?1 ORDER BY partition, "offset", kind LIMIT ?2
                    """, arguments: [kind, max(0, limit)]
            ).map {
                RecordedAnomaly(
                    partition: try $0.value(0, in: "anomalies"), offset: try $0.value(1, in: "anomalies"),
                    eventId: try $0.value(2, in: "anomalies"), kind: try $0.value(3, in: "anomalies"),
                    detail: try $0.value(4, in: "anomalies"))
            }
        }
    }
}

/// What the store knows of one company: `jump-consumer state company`.
public struct CompanyReport: Sendable, Equatable, Codable {
    /// One expansion of the company.
    public struct Expansion: Sendable, Equatable, Codable {
        /// The expansion id.
        public var id: String
        /// `announced`, `completed` or `withdrawn`.
        public var status: String
        /// `mx-to-utah` or `utah-to-mx`, once announced.
        public var direction: String?
        /// Where, once announced.
        public var city: String?
        /// The region (ISO 3166), once announced.
        public var region: String?
        /// Planned jobs and investment (US cents), once announced.
        public var plannedJobs: Int64?
        /// Planned investment, US cents.
        public var plannedInvestmentUsdCents: Int64?
        /// Actual jobs, once completed.
        public var actualJobs: Int64?
        /// Actual investment, US cents, once completed.
        public var actualInvestmentUsdCents: Int64?
        /// When it was announced (YYYY-MM-DD).
        public var announcedOn: String?
        /// When it opened (YYYY-MM-DD).
        public var openedOn: String?
        /// `correction` or `retraction`, once withdrawn.
        public var withdrawalReason: String?
    }
    /// One investment the company made.
    public struct Investment: Sendable, Equatable, Codable {
        /// The investment id.
        public var id: String
        /// `mx-to-utah` or `utah-to-mx`.
        public var direction: String
        /// The amount, US cents.
        public var amountUsdCents: Int64
        /// The region (ISO 3166).
        public var region: String
        /// When it was announced (YYYY-MM-DD).
        public var announcedOn: String
    }

    /// The company id.
    public var id: String
    /// Its name, when an announcement named it.
    public var name: String?
    /// Its country (MX or US), when an announcement named it.
    public var country: String?
    /// Its sector, when an announcement named it.
    public var sector: String?
    /// Its expansions, by id.
    public var expansions: [Expansion]
    /// Its investments, by id.
    public var investments: [Investment]
}

/// One line of `jump-consumer state companies`.
public struct CompanyListing: Sendable, Equatable, Codable {
    /// The company id.
    public var id: String
    /// Its name.
    public var name: String
    /// Its country (MX or US).
    public var country: String
    /// Its sector.
    public var sector: String
    /// How many expansions it has.
    public var expansions: Int
    /// How many investments it made.
    public var investments: Int
}
