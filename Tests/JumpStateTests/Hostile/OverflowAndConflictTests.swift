import Foundation
import GRDB
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

func investment(_ id: String, cents: Int64, direction: String = "mx-to-utah") -> String {
    event(
        "jump.investment.announced", "inv.\(id)", id: "i-\(id)",
        #"{"investmentId":"\#(id)","investor":{"id":"co.big","name":"Big","country":"MX","sector":"steel"},"direction":"\#(direction)","amountUsdCents":\#(cents),"sector":"steel","region":"US-UT","announcedOn":"2025-01-01"}"#
    )
}

/// No arithmetic on input can trap: totals saturate (README, "Totals that cannot overflow"), readers show a
/// saturated figure as a lower bound, and the event that saturated it is an anomaly.
@Suite("Totals at the bounds and conflicting events")
struct OverflowAndConflictTests {
    let store: StateStore
    var builder = RecordBuilder()
    let topic = "jump.events"

    init() throws { store = try StateStore() }

    mutating func apply(_ events: [String], partition: Int32 = 0) async throws {
        let expected = try store.nextOffsets(topic: topic)[partition]
        try await store.apply(
            topic: topic, records: try events.map { try builder.record($0, partition: partition) },
            expected: [partition: expected])
    }

    @Test("9,300 investments of the largest amount on one partition saturate the total, never trap")
    mutating func oneSaturatedPartition() async throws {
        for start in stride(from: 0, to: 9_300, by: 1_000) {
            try await apply(
                (start..<min(start + 1_000, 9_300)).map { investment("n\($0)", cents: 1_000_000_000_000_000) })
        }
        let summary = try await store.summary()
        #expect(summary.eventsApplied == 9_300)
        #expect(summary.investmentsByDirection["mx-to-utah"] == [9_300, SaturatingTotal.saturated])
        #expect(summary.totals.investments["mx-to-utah"]?.usdCents == SaturatingTotal.saturated)
        #expect(summary.totals.hasSaturatedFigure)
        let saturated = try await store.anomalies(kind: "total-saturated")
        #expect(saturated.count == 1, "one anomaly, on the event that saturated it")
        #expect(saturated.first?.offset == 9_223, "\(saturated)")
        for (partition, totals) in try await store.totalsCheck() {
            #expect(totals.kept == totals.recomputed, "partition \(partition)")
        }
    }

    @Test("large totals on many partitions sum without trapping, in the summary and in PartitionTotals.sum")
    mutating func saturatedAcrossPartitions() async throws {
        for partition in Int32(0)..<4 {
            try await apply(
                (0..<2_500).map { investment("p\(partition)-\($0)", cents: 1_000_000_000_000_000) },
                partition: partition)
        }
        let summary = try await store.summary()
        #expect(summary.investmentsByDirection["mx-to-utah"]?[1] == SaturatingTotal.saturated)
        #expect(summary.totals.investments["mx-to-utah"]?.usdCents == SaturatingTotal.saturated)
        await #expect(try store.anomalies(kind: "total-saturated").isEmpty, "no single partition saturated")
    }

    @Test(
        "saturating arithmetic: exact where the sum fits, saturated where it does not, sticky once saturated",
        arguments: [
            (0, 0), (1, 1), (Int64.max - 1, 1), (Int64.max - 1, 2), (Int64.max, 0), (Int64.max, -5),
            (Int64.max / 2, Int64.max / 2 + 1), (Int64.max / 2 + 1, Int64.max / 2 + 1),
            (1_000_000_000_000_000, 1_000_000_000_000_000), (Int64.min + 1, -1), (-1, Int64.max), (0, Int64.max),
        ] as [(Int64, Int64)])
    func saturating(_ total: Int64, _ amount: Int64) {
        let result = SaturatingTotal.adding(total, amount)
        let (exact, overflow) = total.addingReportingOverflow(amount)
        if total == Int64.max || amount == Int64.max {
            #expect(result == SaturatingTotal.saturated)
        } else if overflow {
            #expect(result == (amount < 0 ? Int64.min + 1 : SaturatingTotal.saturated))
        } else {
            #expect(result == exact)
        }
        #expect(SaturatingTotal.subtracting(SaturatingTotal.saturated, amount) == SaturatingTotal.saturated)
    }

    @Test("a completion naming another company is an anomaly; the announcement's company stands")
    mutating func completionOfAnotherCompany() async throws {
        try await apply([
            announced("exp.1", company: "co.acme", id: "a1"), completed("exp.1", company: "co.other", id: "c1"),
        ])
        let anomalies = try await store.anomalies()
        #expect(anomalies.map(\.kind) == ["company-mismatch"])
        #expect(anomalies.first?.detail.contains("co.acme") == true && anomalies.first?.eventId == "c1")
        await #expect(try store.company("co.acme")?.expansions.contains { $0.status == "completed" } == true)
    }

    @Test("a second completion is an anomaly that keeps the replaced figures; the latest wins")
    mutating func completedTwice() async throws {
        try await apply([
            announced("exp.1", id: "a1"), completed("exp.1", jobs: 90, id: "c1"),
            completed("exp.1", jobs: 120, id: "c2"),
        ])
        let anomalies = try await store.anomalies(kind: "completed-again")
        #expect(anomalies.count == 1)
        #expect(
            anomalies.first?.detail.contains("90 jobs") == true && anomalies.first?.detail.contains("120 jobs") == true)
        await #expect(try store.summary().expansions.first { $0.status == "completed" }?.actualJobs == 120)
    }

    @Test("a re-announcement that flips the direction is an anomaly and moves the expansion between the totals")
    mutating func directionFlipped() async throws {
        let flipped = announced("exp.1", id: "a2").replacing("mx-to-utah", with: "utah-to-mx")
        try await apply([announced("exp.1", id: "a1"), flipped])
        let anomalies = try await store.anomalies(kind: "direction-changed")
        #expect(anomalies.count == 1 && anomalies.first?.eventId == "a2")
        let totals = try await store.summary().totals
        #expect(totals.expansions["utah-to-mx"]?.announced == 1 && totals.expansions["mx-to-utah"]?.announced ?? 0 == 0)
        #expect(totals.companies["utah-to-mx"] == 1 && totals.companies["mx-to-utah"] ?? 0 == 0)
    }

    @Test("a withdrawal naming another company is an anomaly; the withdrawal still applies")
    mutating func withdrawalOfAnotherCompany() async throws {
        try await apply([announced("exp.1", id: "a1"), withdrawn("exp.1", company: "co.other", id: "w1")])
        await #expect(try store.anomalies().map(\.kind) == ["company-mismatch"])
        await #expect(try store.summary().expansions.first?.status == "withdrawn")
    }

    @Test("a new store records the current fold version")
    func foldVersion() async throws {
        #expect(try await store.storedFoldVersion() == StateStore.foldVersion)
    }
}
