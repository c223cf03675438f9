import Foundation
import GRDB
import JumpEvents

extension StateStore {
    /// The ids of the companies whose name is `name`, case and accents aside, by id.
    package func companyIDs(named name: String) async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT DISTINCT company_id FROM companies WHERE jump_folded(name) = jump_folded(?)
                    ORDER BY company_id
                    """, arguments: [name])
        }
    }

    /// Everything the store knows of one company (its first row, its expansions and investments), or `nil`.
    package func company(_ id: String) async throws -> CompanyReport? {
        try await writer.read { db in
            let company = try Row.fetchOne(
                db, sql: "SELECT name, country, sector FROM companies WHERE company_id = ? ORDER BY partition LIMIT 1",
                arguments: [id])
            let expansions = try Row.fetchAll(
                db,
                sql: """
                    SELECT expansion_id, status, direction, city, region, planned_jobs, planned_cents, actual_jobs,
                    actual_cents, announced_on, opened_on, withdrawal_reason, partition, announced_offset,
                    closed_offset FROM expansions WHERE company_id = ? ORDER BY expansion_id
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
                    withdrawalReason: try row.value(11, in: "expansions"),
                    partition: try row.value(12, in: "expansions"),
                    announcedOffset: try row.value(13, in: "expansions"),
                    closedOffset: try row.value(14, in: "expansions"))
            }
            let investments = try Row.fetchAll(
                db,
                sql: """
                    SELECT investment_id, direction, amount_cents, region, announced_on, partition, announced_offset
                    FROM investments WHERE investor_id = ? ORDER BY investment_id
                    """, arguments: [id]
            ).map { row in
                CompanyReport.Investment(
                    id: try row.value(0, in: "investments"), direction: try row.value(1, in: "investments"),
                    amountUsdCents: try row.value(2, in: "investments"), region: try row.value(3, in: "investments"),
                    announcedOn: try row.value(4, in: "investments"), partition: try row.value(5, in: "investments"),
                    announcedOffset: try row.value(6, in: "investments"))
            }
            guard company != nil || !expansions.isEmpty else { return nil }
            return CompanyReport(
                id: id, name: try company?.value(0, in: "companies"), country: try company?.value(1, in: "companies"),
                sector: try company?.value(2, in: "companies"), expansions: expansions, investments: investments)
        }
    }

    /// Every company the store knows (or those whose id or name contains `matching`, ignoring case and accents:
    /// `pacifico` finds `Pacífico`), by id: name, country, sector and how many expansions and investments.
    package func companies(matching: String? = nil, limit: Int = 1_000) async throws -> [CompanyListing] {
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
                    AND (?1 IS NULL OR jump_folded(c.company_id) LIKE jump_folded(?1) ESCAPE '\\'
                        OR jump_folded(c.name) LIKE jump_folded(?1) ESCAPE '\\')
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

/// What the store knows of one company: `jump-consumer state company`.
package struct CompanyReport: Sendable, Equatable, Codable {
    /// One expansion of the company.
    package struct Expansion: Sendable, Equatable, Codable {
        /// The expansion id.
        package var id: String
        /// `announced`, `completed` or `withdrawn`.
        package var status: String
        /// `mx-to-utah` or `utah-to-mx`, once announced.
        package var direction: String?
        /// Where, once announced.
        package var city: String?
        /// The region (ISO 3166), once announced.
        package var region: String?
        /// Planned jobs and investment (US cents), once announced.
        package var plannedJobs: Int64?
        /// Planned investment, US cents.
        package var plannedInvestmentUsdCents: Int64?
        /// Actual jobs, once completed.
        package var actualJobs: Int64?
        /// Actual investment, US cents, once completed.
        package var actualInvestmentUsdCents: Int64?
        /// When it was announced (YYYY-MM-DD).
        package var announcedOn: String?
        /// When it opened (YYYY-MM-DD).
        package var openedOn: String?
        /// `correction` or `retraction`, once withdrawn.
        package var withdrawalReason: String?
        /// The partition of the log its events are in.
        package var partition: Int32 = 0
        /// The offset of its announcement there (`nil` when folded before migration v14, or never announced).
        package var announcedOffset: Int64? = nil
        /// The offset of its completion or withdrawal there (`nil` while open, or folded before migration v14).
        package var closedOffset: Int64? = nil

        /// Where its events are in the log, as the console and `state company` show them: `announced 3@120`,
        /// `completed 3@455` (none for a row folded before migration v14).
        package var placesInLog: [String] {
            CompanyReport.places(
                partition,
                [("announced", announcedOffset), (status == "withdrawn" ? "withdrawn" : "completed", closedOffset)])
        }
    }
    /// One investment the company made.
    package struct Investment: Sendable, Equatable, Codable {
        /// The investment id.
        package var id: String
        /// `mx-to-utah` or `utah-to-mx`.
        package var direction: String
        /// The amount, US cents.
        package var amountUsdCents: Int64
        /// The region (ISO 3166).
        package var region: String
        /// When it was announced (YYYY-MM-DD).
        package var announcedOn: String
        /// The partition of the log its event is in.
        package var partition: Int32 = 0
        /// The offset of its announcement there (`nil` when folded before migration v14).
        package var announcedOffset: Int64? = nil

        /// Where its event is in the log: `announced 3@120` (none for a row folded before migration v14).
        package var placesInLog: [String] { CompanyReport.places(partition, [("announced", announcedOffset)]) }
    }

    /// `NAME PARTITION@OFFSET` for each event whose offset is known.
    static func places(_ partition: Int32, _ events: [(String, Int64?)]) -> [String] {
        events.compactMap { name, offset in offset.map { "\(name) \(partition)@\($0)" } }
    }

    /// The company id.
    package var id: String
    /// Its name, when an announcement named it.
    package var name: String?
    /// Its country (MX or US), when an announcement named it.
    package var country: String?
    /// Its sector, when an announcement named it.
    package var sector: String?
    /// Its expansions, by id.
    package var expansions: [Expansion]
    /// Its investments, by id.
    package var investments: [Investment]
}

/// One line of `jump-consumer state companies`.
package struct CompanyListing: Sendable, Equatable, Codable {
    /// The company id.
    package var id: String
    /// Its name.
    package var name: String
    /// Its country (MX or US).
    package var country: String
    /// Its sector.
    package var sector: String
    /// How many expansions it has.
    package var expansions: Int
    /// How many investments it made.
    package var investments: Int
}
