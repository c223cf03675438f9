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
}
