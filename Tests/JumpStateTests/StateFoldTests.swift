import Foundation
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

/// Builds consumed records from JSON events, numbering offsets per partition.
struct RecordBuilder {
    var offsets: [Int32: Int64] = [:]
    let decoder = EventDecoder()

    mutating func record(_ json: String, partition: Int32 = 0) throws -> ConsumedRecord {
        let offset = offsets[partition, default: 0]
        offsets[partition] = offset + 1
        return ConsumedRecord(
            partition: partition, offset: offset,
            content: .event(try decoder.decode(Array(json.utf8)), raw: Array(json.utf8)))
    }

    mutating func deadLetter(partition: Int32 = 0) -> ConsumedRecord {
        let offset = offsets[partition, default: 0]
        offsets[partition] = offset + 1
        return ConsumedRecord(partition: partition, offset: offset, content: .deadLettered)
    }
}

func event(_ type: String, _ subject: String, id: String, _ data: String) -> String {
    #"{"specversion":"1.0","id":"\#(id)","source":"test","type":"\#(type)","subject":"\#(subject)","time":"2025-01-01T00:00:00Z","data":\#(data)}"#
}

/// An announcement; a `nil` figure is left out (not disclosed).
func announced(
    _ expansion: String, company: String = "co.acme", jobs: Int? = 100, cents: Int? = 5_000_000, id: String
) -> String {
    let figures =
        (jobs.map { #""plannedJobs":\#($0),"# } ?? "")
        + (cents.map { #""plannedInvestmentUsdCents":\#($0),"# } ?? "")
    return event(
        "jump.company.expansion-announced", company, id: id,
        #"{"expansionId":"\#(expansion)","company":{"id":"\#(company)","name":"Acme","country":"MX","sector":"steel"},"direction":"mx-to-utah","location":{"city":"Ogden","region":"US-UT"},\#(figures)"announcedOn":"2025-01-01"}"#
    )
}

func completed(_ expansion: String, company: String = "co.acme", jobs: Int = 90, id: String) -> String {
    event(
        "jump.company.expansion-completed", company, id: id,
        #"{"expansionId":"\#(expansion)","companyId":"\#(company)","actualJobs":\#(jobs),"actualInvestmentUsdCents":4000000,"openedOn":"2025-06-01"}"#
    )
}

func withdrawn(_ expansion: String, company: String = "co.acme", id: String) -> String {
    event(
        "jump.company.expansion-withdrawn", company, id: id,
        #"{"expansionId":"\#(expansion)","companyId":"\#(company)","reason":"correction","withdrawnOn":"2025-02-01"}"#)
}

@Suite("Folding events into the state store")
struct StateFoldTests {
    let store: StateStore
    var builder = RecordBuilder()
    let topic = "jump.events"

    init() throws { store = try StateStore() }

    func totals(_ status: String) async throws -> StateSummary.ExpansionTotals? {
        try await store.summary().expansions.first { $0.status == status }
    }

    @Test("the press-release stream folds into the facts it states")
    mutating func pressRelease() async throws {
        let lines = try String(
            contentsOf: packageRoot.appendingPathComponent("Schemas/examples/press-release.jsonl"), encoding: .utf8
        ).split(separator: "\n")
        var records: [ConsumedRecord] = []
        for (index, line) in lines.enumerated() {
            var object = try #require(try JSONParser().parse(Array(line.utf8)).objectValue)
            object.set("id", .string("press-\(index)"))
            records.append(try builder.record(JSONWriter.string(.object(object))))
        }
        try await store.apply(topic: topic, records: records, expected: [0: nil])
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 5)
        #expect(
            summary.exports.contains(.init(series: "US-UT→MX", period: "2022", value: 110_000_000_000, revisions: 0)))
        #expect(
            summary.exports.contains(.init(series: "US-UT→MX", period: "2018", value: 73_825_503_356, revisions: 0)))
        #expect(summary.jobs == [.init(series: "mexico-utah-trade", period: "2022", value: 51_000, revisions: 0)])
        #expect(summary.meetings == 1)
        #expect(summary.initiativesByStatus == ["agreed": 1])
        #expect(summary.partitions == [.init(topic: topic, partition: 0, nextOffset: 5)])
    }

    @Test("announce, complete and withdraw: a withdrawal undoes what the announcement counted")
    mutating func expansionLifecycle() async throws {
        try await store.apply(
            topic: topic,
            records: [
                try builder.record(announced("exp.1", jobs: 100, id: "e1")),
                try builder.record(announced("exp.2", jobs: 50, id: "e2")),
                try builder.record(completed("exp.1", jobs: 90, id: "e3")),
            ], expected: [0: nil])
        await #expect(try totals("completed")?.actualJobs == 90)
        await #expect(try totals("completed")?.plannedJobs == 100)
        await #expect(try totals("announced")?.plannedJobs == 50)
        try await store.apply(
            topic: topic, records: [try builder.record(withdrawn("exp.2", id: "e4"))], expected: [0: 3])
        await #expect(try totals("announced") == nil)
        await #expect(try totals("withdrawn")?.count == 1)
        await #expect(try totals("withdrawn")?.plannedJobs == 0, "withdrawn expansions count in no total")
        await #expect(try store.company("co.acme")?.expansions.first { $0.id == "exp.2" }?.status == "withdrawn")
    }

    @Test("a company's latest name, country and sector win, each one alone; the same facts again change nothing")
    mutating func companyFacts() async throws {
        func facts(_ name: String, _ country: String, _ sector: String, id: String) -> String {
            announced("exp.1", id: id).replacing(
                #""name":"Acme","country":"MX","sector":"steel""#,
                with: #""name":"\#(name)","country":"\#(country)","sector":"\#(sector)""#)
        }
        let steps: [(String, String, String)] = [
            ("Acme", "MX", "steel"), ("Acme", "MX", "steel"), ("Acme Norte", "MX", "steel"),
            ("Acme Norte", "US", "steel"), ("Acme Norte", "US", "glass"), ("Acme Norte", "US", "glass"),
        ]
        for (index, (name, country, sector)) in steps.enumerated() {
            try await store.apply(
                topic: topic, records: [try builder.record(facts(name, country, sector, id: "c\(index)"))],
                expected: [0: index == 0 ? nil : Int64(index)])
            let company = try await #require(try store.company("co.acme"))
            #expect(
                [company.name, company.country, company.sector] == [name, country, sector], "after step \(index)")
        }
        await #expect(try store.summary().companiesByCountry == ["US": 1])
    }

    @Test("a duplicate id is skipped and counted in its partition; the same id in another partition applies")
    mutating func duplicates() async throws {
        let outcome = try await store.apply(
            topic: topic,
            records: [
                try builder.record(announced("exp.1", id: "same")), try builder.record(announced("exp.1", id: "same")),
                try builder.record(announced("exp.9", company: "co.other", id: "same"), partition: 1),
            ], expected: [0: nil, 1: nil])
        #expect(outcome.applied == 2)
        #expect(outcome.duplicates == 1)
        let summary = try await store.summary()
        #expect(summary.duplicatesSkipped == 1)
        #expect(summary.partitions.map(\.nextOffset) == [2, 1])
    }

    @Test("out-of-order and unknown references are recorded as anomalies, not crashed on")
    mutating func outOfOrder() async throws {
        let outcome = try await store.apply(
            topic: topic,
            records: [
                try builder.record(completed("exp.late", jobs: 70, id: "c1")),
                try builder.record(announced("exp.late", jobs: 80, id: "a1")),
                try builder.record(withdrawn("exp.ghost", id: "w1")),
                try builder.record(announced("exp.ghost", jobs: 10, id: "a2")),
                try builder.record(announced("exp.x", id: "a3")), try builder.record(withdrawn("exp.x", id: "w2")),
                try builder.record(completed("exp.x", id: "c2")),
            ], expected: [0: nil])
        #expect(outcome.applied == 7)
        #expect(outcome.anomalies == 5)
        let completedTotals = try await #require(try totals("completed"))
        #expect(completedTotals.count == 1)
        #expect(completedTotals.plannedJobs == 80, "a late announcement fills in the completed expansion")
        await #expect(try totals("withdrawn")?.count == 2, "a completion after a withdrawal leaves it withdrawn")
    }

    @Test("a later export report for the same series and period is a revision that replaces it")
    mutating func revisions() async throws {
        func exports(_ cents: Int, id: String) -> String {
            event(
                "jump.trade.exports-reported", "exports.us-ut.mx", id: id,
                #"{"origin":"US-UT","destination":"MX","period":{"year":2022},"valueUsdCents":\#(cents),"source":"census"}"#
            )
        }
        try await store.apply(
            topic: topic,
            records: [try builder.record(exports(100, id: "x1")), try builder.record(exports(120, id: "x2"))],
            expected: [0: nil])
        await #expect(
            try store.summary().exports == [.init(series: "US-UT→MX", period: "2022", value: 120, revisions: 1)])
    }

    @Test("the offset update is guarded: a fenced worker's batch is refused whole")
    mutating func guardedOffsets() async throws {
        try await store.apply(
            topic: topic, records: [try builder.record(announced("exp.1", id: "g1"))], expected: [0: nil])
        let before = try await store.fingerprints(topic: topic)
        let zombie = [try builder.record(announced("exp.2", id: "g2"))]
        await #expect(throws: StateStoreError.fenced(topic: topic, partition: 0, expected: nil, found: 1)) {
            try await store.apply(topic: topic, records: zombie, expected: [0: nil])
        }
        await #expect(throws: StateStoreError.fenced(topic: topic, partition: 0, expected: 7, found: 1)) {
            try await store.apply(topic: topic, records: zombie, expected: [0: 7])
        }
        await #expect(try store.fingerprints(topic: topic) == before)
        await #expect(try store.summary().eventsApplied == 1)
        // /readyz reads the latest write's outcome: the refusal until a write succeeds again.
        #expect(store.writeProblem?.contains("fenced") == true)
        try await store.apply(topic: topic, records: zombie, expected: [0: 1])
        #expect(try store.nextOffsets(topic: topic) == [0: 2])
        #expect(store.writeProblem == nil)
    }

    @Test("fingerprints depend on content only, not on how it was batched")
    mutating func fingerprints() async throws {
        var lines: [String] = []
        for line in EventGenerator(seed: 3).prefix(300) { lines.append(String(decoding: line, as: UTF8.self)) }
        var records: [ConsumedRecord] = []
        for (index, line) in lines.enumerated() {
            records.append(try builder.record(line, partition: Int32(index % 3)))
        }
        try await store.apply(topic: topic, records: records, expected: [0: nil, 1: nil, 2: nil])

        let other = try StateStore()
        var expected: [Int32: Int64?] = [0: nil, 1: nil, 2: nil]
        for chunk in stride(from: 0, to: records.count, by: 7) {
            let batch = Array(records[chunk..<min(records.count, chunk + 7)])
            try await other.apply(topic: topic, records: batch, expected: expected)
            for record in batch { expected[record.partition] = record.offset + 1 }
        }
        let first = try await store.fingerprints(topic: topic)
        #expect(first.count == 3)
        await #expect(first == (try other.fingerprints(topic: topic)))
        await #expect(
            StateStore.combinedFingerprint(first)
                == StateStore.combinedFingerprint(try other.fingerprints(topic: topic)))

        let changed = try StateStore()
        try await changed.apply(topic: topic, records: Array(records.dropLast()), expected: [0: nil, 1: nil, 2: nil])
        await #expect(try changed.fingerprints(topic: topic) != first)
    }

    @Test("dead-lettered messages advance the offset and are counted")
    mutating func deadLetters() async throws {
        let outcome = try await store.apply(
            topic: topic,
            records: [builder.deadLetter(), try builder.record(announced("exp.1", id: "d1")), builder.deadLetter()],
            expected: [0: nil])
        #expect(outcome.deadLettered == 2)
        await #expect(try store.summary().deadLettered == 2)
        #expect(try store.nextOffsets(topic: topic) == [0: 3])
    }

    @Test("the ledger of applied ids is bounded by its offset window")
    mutating func ledgerWindow() async throws {
        var records: [ConsumedRecord] = []
        for index in 0..<10 { records.append(try builder.record(announced("exp.\(index)", id: "l\(index)"))) }
        try await store.apply(topic: topic, records: records, expected: [0: nil], ledgerWindow: 5)
        // "l0" fell out of the window, so a late duplicate of it is applied again; "l9" is still recognized.
        let late = try await store.apply(
            topic: topic,
            records: [
                try builder.record(announced("exp.0", id: "l0")), try builder.record(announced("exp.9", id: "l9")),
            ],
            expected: [0: 10], ledgerWindow: 5)
        #expect(late.applied == 1)
        #expect(late.duplicates == 1)
    }

    @Test("a file store is owner-only (file, -wal, -shm) and in WAL mode")
    func fileStore() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("store"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("state.sqlite").path
        var builder = RecordBuilder()
        let store = try StateStore(path: path)
        try await store.apply(
            topic: topic, records: [try builder.record(announced("exp.1", id: "f1"))], expected: [0: nil])
        for suffix in ["", "-wal", "-shm"] {
            let attributes = try FileManager.default.attributesOfItem(atPath: path + suffix)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600, "\(suffix)")
        }
        let reader = try StateStore.openForReading(path: path)
        await #expect(try reader.summary().eventsApplied == 1)
    }
}

@Suite("Running totals kept by the fold")
struct TotalsTests {
    /// The kept and recomputed totals of partition 0 of a new store after `events` were applied in batches of `size`.
    func totalsCheck(
        _ events: [String], inBatchesOf size: Int
    ) async throws -> (
        kept: PartitionTotals, recomputed: PartitionTotals
    )? {
        let store = try StateStore()
        var builder = RecordBuilder()
        let records = try events.map { try builder.record($0) }
        var expected: Int64?
        for start in stride(from: 0, to: records.count, by: size) {
            let batch = Array(records[start..<min(records.count, start + size)])
            try await store.apply(topic: "jump.events", records: batch, expected: [0: expected])
            expected = batch.last!.offset + 1
        }
        return try await store.totalsCheck()[0]
    }

    @Test(
        "after 3,000 generated events in small batches (withdrawals, completions, repeats), the kept totals equal the totals aggregated from the rows"
    )
    func keptEqualsRecomputed() async throws {
        let store = try StateStore()
        var builder = RecordBuilder()
        var records: [ConsumedRecord] = []
        for (index, line) in EventGenerator(seed: 8).prefix(3_000).enumerated() {
            records.append(try builder.record(String(decoding: line, as: UTF8.self), partition: Int32(index % 4)))
        }
        var expected: [Int32: Int64?] = [0: nil, 1: nil, 2: nil, 3: nil]
        for chunk in stride(from: 0, to: records.count, by: 50) {
            let batch = Array(records[chunk..<min(records.count, chunk + 50)])
            try await store.apply(topic: "jump.events", records: batch, expected: expected)
            for record in batch { expected[record.partition] = record.offset + 1 }
        }
        let check = try await store.totalsCheck()
        #expect(check.count == 4)
        for (partition, totals) in check {
            #expect(totals.kept == totals.recomputed, "partition \(partition)")
        }
        let all = PartitionTotals.sum(check.values.map(\.kept))
        #expect(
            all.expansions.values.contains { $0.withdrawn > 0 } && all.expansions.values.contains { $0.completed > 0 })
        #expect(!all.companies.isEmpty && !all.investments.isEmpty)
    }

    @Test(
        "rows that change company, direction and status again and again give the same totals in batches of 1, 3 and all, equal to the rows"
    )
    func conflictsInEveryBatching() async throws {
        let other = { (json: String) in json.replacing("co.acme", with: "co.beta") }
        let north = { (json: String) in json.replacing("mx-to-utah", with: "utah-to-mx") }
        let again = { (json: String, id: String) in json.replacing(#""id":"i-"#, with: #""id":"\#(id)-"#) }
        let reinvested = { (json: String) in json.replacing(#""id":"co.big""#, with: #""id":"co.beta""#) }
        // A meeting, an initiative and an export report each reported twice (the second time under another event id):
        // counted once, the report's figure revised.
        let generated = EventGenerator(seed: 8).prefix(400).map { String(decoding: $0, as: UTF8.self) }
        let repeated = ["meeting-held", "initiative.announced", "exports-reported"].flatMap { type in
            let line = generated.first { $0.contains(#""type":"jump."#) && $0.contains(type) }!
            return [line, line.replacing(#""id":"gen-"#, with: #""id":"again-"#)]
        }
        let events =
            repeated + [
                announced("e1", id: "1"), announced("e2", id: "2"), other(announced("e1", jobs: 7, id: "3")),
                north(announced("e1", cents: 9, id: "4")), completed("e1", company: "co.beta", id: "5"),
                withdrawn("e1", company: "co.beta", id: "6"), announced("e1", id: "7"), completed("e3", id: "8"),
                announced("e3", id: "9"), withdrawn("e4", id: "10"), north(announced("e4", id: "11")),
                investment("i1", cents: 5), again(investment("i1", cents: 8, direction: "utah-to-mx"), "b"),
                again(reinvested(investment("i1", cents: 3)), "c"), investment("i2", cents: 4),
                withdrawn("e2", id: "12"),
                announced("e2", jobs: 1, id: "13"), completed("e2", jobs: 2, id: "14"),
                completed("e2", jobs: 3, id: "15"),
            ]
        var results: [PartitionTotals] = []
        for size in [1, 3, events.count] {
            let check = try #require(try await totalsCheck(events, inBatchesOf: size))
            #expect(check.kept == check.recomputed, "batches of \(size)")
            results.append(check.kept)
        }
        #expect(results.allSatisfy { $0 == results[0] })
        // e1-e3 are co.acme's (mx-to-utah), e4 is withdrawn; i1 ends co.beta's and i2 is co.big's.
        #expect(results[0].companies == ["mx-to-utah": 3], "\(results[0].companies)")
        #expect(results[0].investments["mx-to-utah"]?.usdCents == 7 && results[0].investments["utah-to-mx"] == nil)
        #expect(results[0].meetings == 1 && results[0].initiatives == 1 && results[0].exports.count == 1)
    }
    @Test(
        "export and jobs figures reported in any order, with revisions, keep each series' latest period and the one before it, equal to the ranked rows in batches of 1, 7 and all"
    )
    func seriesKeptReportByReport() async throws {
        var random = SystemRandomNumberGenerator()
        var events: [String] = []
        for index in 0..<300 {
            let year = Int.random(in: 2015...2024, using: &random)
            let quarter = Int.random(in: 0...4, using: &random)
            let period = quarter == 0 ? #"{"year":\#(year)}"# : #"{"year":\#(year),"quarter":\#(quarter)}"#
            let value = Int.random(in: 1...1_000_000, using: &random)
            if index.isMultiple(of: 3) {
                let scope = ["mexico-utah-trade", "nearshoring"].randomElement(using: &random)!
                events.append(
                    event(
                        "jump.jobs.reported", "jobs.\(scope)", id: "j\(index)",
                        #"{"scope":"\#(scope)","period":\#(period),"jobsSupported":\#(value),"source":"goeo"}"#))
            } else {
                let (origin, destination) = [("US-UT", "MX"), ("MX", "US-UT"), ("US-UT", "MX-NLE")]
                    .randomElement(using: &random)!
                events.append(
                    event(
                        "jump.trade.exports-reported", "exports", id: "x\(index)",
                        #"{"origin":"\#(origin)","destination":"\#(destination)","period":\#(period),"valueUsdCents":\#(value),"source":"census"}"#
                    ))
            }
        }
        for size in [1, 7, events.count] {
            let check = try #require(try await totalsCheck(events, inBatchesOf: size))
            #expect(check.kept.exports == check.recomputed.exports, "batches of \(size)")
            #expect(check.kept.jobs == check.recomputed.jobs, "batches of \(size)")
            // Three series and two scopes, each with years and quarters, each with a period before its latest.
            #expect(check.kept.exports.count == 6 && check.kept.jobs.count == 4, "batches of \(size)")
            // A year is compared with the latest year before it; a quarter only with itself a year earlier.
            #expect(check.kept.exports.filter { !$0.period.contains("-Q") }.allSatisfy { $0.previousPeriod != nil })
            for figure in check.kept.exports + check.kept.jobs where figure.period.contains("-Q") {
                let year = Int(figure.period.prefix(4))!
                #expect(
                    figure.previousPeriod == nil || figure.previousPeriod == "\(year - 1)\(figure.period.dropFirst(4))",
                    "\(figure)")
            }
        }
    }

    @Test(
        "an expansion that leaves a planned figure out counts as not disclosed (not as 0) while it is not withdrawn, kept as recomputed"
    )
    func undisclosedPlannedFigures() async throws {
        let events = [
            announced("e1", id: "1"), announced("e2", jobs: nil, cents: nil, id: "2"),
            announced("e3", cents: nil, id: "3"), completed("e2", id: "4"), withdrawn("e3", id: "5"),
            announced("e4", jobs: 0, cents: 0, id: "6"),
        ]
        for size in [1, events.count] {
            let check = try #require(try await totalsCheck(events, inBatchesOf: size))
            #expect(check.kept == check.recomputed, "batches of \(size)")
            let figures = try #require(check.kept.expansions["mx-to-utah"])
            #expect(figures.plannedNotDisclosed == 1, "e2 (completed) discloses nothing; e3 is withdrawn")
            #expect(figures.plannedJobs == 100 && figures.plannedUsdCents == 5_000_000, "e1's, and e4's stated zeros")
            #expect(figures.announced == 2 && figures.completed == 1 && figures.withdrawn == 1)
        }
    }

    @Test("a quarter is compared with the same quarter a year earlier, whether that was reported before or after it")
    func quarterAgainstYearEarlier() async throws {
        func exports(_ year: Int, _ quarter: Int, _ value: Int, id: String) -> String {
            event(
                "jump.trade.exports-reported", "exports", id: id,
                #"{"origin":"US-UT","destination":"MX","period":{"year":\#(year),"quarter":\#(quarter)},"valueUsdCents":\#(value),"source":"census"}"#
            )
        }
        let steps: [(events: [String], previous: String?, value: Int64?)] = [
            (
                [exports(2024, 3, 100, id: "a"), exports(2025, 2, 200, id: "b"), exports(2025, 3, 300, id: "c")],
                "2024-Q3", 100
            ),
            ([exports(2025, 4, 400, id: "d")], nil, nil),
            ([exports(2024, 4, 350, id: "e")], "2024-Q4", 350),
            ([exports(2024, 4, 360, id: "f"), exports(2025, 1, 150, id: "g")], "2024-Q4", 360),
        ]
        var events: [String] = []
        for step in steps {
            events += step.events
            for size in [1, events.count] {
                let check = try #require(try await totalsCheck(events, inBatchesOf: size))
                #expect(check.kept.exports == check.recomputed.exports, "batches of \(size)")
                let quarter = try #require(check.kept.exports.first { $0.period.contains("-Q") })
                #expect(quarter.previousPeriod == step.previous && quarter.previousValue == step.value, "\(quarter)")
            }
        }
    }
}
