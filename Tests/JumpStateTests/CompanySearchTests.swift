import JumpEvents
import JumpState
import Testing

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
    }
}
