import Foundation
import GRDB
import JumpEvents
import Testing

@testable import JumpState

/// Companies are searched as people type names: case and accents aside, wildcards taken literally.
@Suite("Searching companies")
struct CompanySearchTests {
    @Test("PACIFICO finds every Pacífico, two words find the names holding them, and % is a character, not a wildcard")
    func search() async throws {
        let store = try StateStore()  // in memory: the search function is registered there too
        let decoder = EventDecoder()
        let records = try EventGenerator(seed: 5).prefix(400).enumerated().map { offset, line in
            ConsumedRecord(
                partition: 0, offset: Int64(offset), content: .event(try decoder.decode(Array(line)), raw: Array(line)))
        }
        try await store.apply(topic: "jump.events", records: records, expected: [0: nil])
        let all = try await store.companies()
        let pacifico = all.filter { $0.name.contains("Pacífico") }.map(\.id)
        #expect(!pacifico.isEmpty, "the generator names some companies Pacífico")
        #expect(try await store.companies(matching: "PACIFICO").map(\.id) == pacifico)
        let twoWords = try #require(all.first { $0.name.split(separator: " ").count > 2 }?.name)
        let words = twoWords.split(separator: " ").prefix(2).joined(separator: " ").lowercased()
        let found = try await store.companies(matching: words)
        #expect(!found.isEmpty && found.allSatisfy { StateStore.folded($0.name).contains(StateStore.folded(words)) })
        #expect(try await store.companies(matching: "%").isEmpty)
    }

    @Test(
        "a company's anomalies are those whose detail names its id or an expansion's as a whole id: co.a is not named by co.a.x nor co.ab"
    )
    func anomaliesNamingACompany() async throws {
        let store = try StateStore()
        func completion(_ id: String, company: String, jobs: Int, offset: Int64) throws -> ConsumedRecord {
            let line =
                #"{"specversion":"1.0","id":"\#(id)","source":"urn:test","type":"jump.company.expansion-completed","subject":"\#(company)","time":"2025-01-01T00:00:00Z","data":{"expansionId":"\#(company).x","companyId":"\#(company)","actualJobs":\#(jobs),"actualInvestmentUsdCents":1,"openedOn":"2025-01-01"}}"#
            return ConsumedRecord(
                partition: 0, offset: offset,
                content: .event(try EventDecoder().decode(Array(line.utf8)), raw: Array(line.utf8)))
        }
        // Each completion of an expansion never announced is an anomaly naming the expansion (`co.a.x`, `co.ab.x`).
        try await store.apply(
            topic: "jump.events",
            records: [
                try completion("e-1", company: "co.a", jobs: 205, offset: 0),
                try completion("e-2", company: "co.ab", jobs: 1, offset: 1),
            ], expected: [0: nil])
        #expect(try await store.anomalies(naming: ["co.a.x"]).map(\.eventId) == ["e-1"])
        #expect(try await store.anomalies(naming: ["co.ab.x"]).map(\.eventId) == ["e-2"])
        #expect(try await store.anomalies(naming: ["co.a", "co.ab"]).isEmpty, "co.a.x and co.ab.x are other ids")
        #expect(try await store.anomalies(naming: ["co.a.x", "co.ab.x"], limit: 1).map(\.eventId) == ["e-1"])
        // Each says when it was recorded; asked since a time, only those recorded since then (and by kind).
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        let all = try await store.anomalies()
        #expect(all.count == 2 && all.allSatisfy { abs(($0.recordedAt ?? 0) - now) < 600_000 })
        try await store.write { db in
            try db.execute(sql: "UPDATE anomalies SET recorded_at = recorded_at - 7200000 WHERE event_id = 'e-1'")
        }
        #expect(try await store.anomalies(since: now - 3_600_000).map(\.eventId) == ["e-2"])
        #expect(try await store.anomalyKinds(since: now - 3_600_000).map(\.count) == [1])
        #expect(try await store.anomalies(since: now - 10_800_000).count == 2)
    }
}

@Suite("Where a company's events are in the log")
struct CompanyEventPositionsTests {
    static func record(_ type: String, _ id: String, data: String, offset: Int64) throws -> ConsumedRecord {
        let line =
            #"{"specversion":"1.0","id":"\#(id)","source":"urn:test","type":"jump.\#(type)","subject":"co.a","time":"2025-01-01T00:00:00Z","data":\#(data)}"#
        return ConsumedRecord(
            partition: 3, offset: offset,
            content: .event(try EventDecoder().decode(Array(line.utf8)), raw: Array(line.utf8)))
    }

    @Test(
        "each expansion keeps the offsets of its announcement and of its completion or withdrawal, each investment its announcement's; fingerprints leave them out"
    )
    func positions() async throws {
        let store = try StateStore()
        let company = #"{"id":"co.a","name":"Aceros A","country":"MX","sector":"steel"}"#
        let events: [(offset: Int64, type: String, data: String)] = [
            (
                40, "company.expansion-announced",
                #"{"expansionId":"exp.a","company":\#(company),"direction":"mx-to-utah","location":{"city":"Ogden","region":"US-UT"},"announcedOn":"2025-01-01"}"#
            ),
            (
                41, "company.expansion-announced",
                #"{"expansionId":"exp.b","company":\#(company),"direction":"mx-to-utah","location":{"city":"Provo","region":"US-UT"},"announcedOn":"2025-01-02"}"#
            ),
            (
                44, "investment.announced",
                #"{"investmentId":"inv.a","investor":\#(company),"direction":"mx-to-utah","amountUsdCents":100,"sector":"steel","region":"US-UT","announcedOn":"2025-01-03"}"#
            ),
            (
                47, "company.expansion-completed",
                #"{"expansionId":"exp.a","companyId":"co.a","actualJobs":5,"actualInvestmentUsdCents":1,"openedOn":"2025-02-01"}"#
            ),
            (
                52, "company.expansion-withdrawn",
                #"{"expansionId":"exp.b","companyId":"co.a","reason":"retraction","withdrawnOn":"2025-02-02"}"#
            ),
        ]
        let records = try events.map { try Self.record($0.type, "e-\($0.offset)", data: $0.data, offset: $0.offset) }
        try await store.apply(topic: "jump.events", records: records, expected: [3: nil])
        let report = try #require(try await store.company("co.a"))
        #expect(report.expansions.map { [$0.announcedOffset, $0.closedOffset] } == [[40, 47], [41, 52]])
        #expect(report.expansions.allSatisfy { $0.partition == 3 })
        #expect(report.investments.map(\.announcedOffset) == [44] && report.investments.first?.partition == 3)
        // A store upgraded from before (its rows without offsets) or rebuilt hashes the same.
        let before = try await store.fingerprints(topic: "jump.events")
        try await store.write { db in
            try db.execute(sql: "UPDATE expansions SET announced_offset = NULL, closed_offset = NULL")
            try db.execute(sql: "UPDATE investments SET announced_offset = NULL")
        }
        #expect(try await store.fingerprints(topic: "jump.events") == before)
        try await store.write { db in try db.execute(sql: "UPDATE expansions SET planned_jobs = 1") }
        #expect(try await store.fingerprints(topic: "jump.events") != before, "the state itself still counts")
    }
}
