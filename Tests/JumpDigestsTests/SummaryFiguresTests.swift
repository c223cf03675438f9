import Foundation
import JumpDigests
import JumpState
import Testing

/// `state summary` and the console's State page read one rendering of the summary.
@Suite("The state summary's figures")
struct SummaryFiguresTests {
    @Test(
        "the press release, two expansions and an investment: expansion and investment rows in exact dollars, the same in the text"
    )
    func pressRelease() async throws {
        var fixture = try DigestFixture()
        _ = try await fixture.fold(
            try DigestFixture.pressRelease()
                + ["expansion-announced", "expansion-announced-utah-to-mx", "investment-announced"].map {
                    try DigestFixture.example($0)
                })
        let summary = try await fixture.store.summary()
        let figures = SummaryFigures(summary)
        let lines = figures.lines

        #expect(
            lines.first == "events applied \(summary.eventsApplied), duplicates skipped 0, dead-lettered 0, anomalies 0"
        )
        #expect(!figures.expansions.isEmpty && !figures.investments.isEmpty)
        for expansion in figures.expansions {
            #expect(expansion.plannedDollars.hasPrefix("USD "))
            #expect(
                lines.contains {
                    $0.hasPrefix("expansions \(expansion.direction) \(expansion.status): \(expansion.count), ")
                        && $0.contains(expansion.plannedDollars)
                })
        }
        for (investment, direction) in zip(figures.investments, summary.investmentsByDirection.keys.sorted()) {
            let stated = summary.investmentsByDirection[direction] ?? []
            #expect(investment.direction == direction)
            #expect(investment.count == stated.first)
            #expect(investment.dollars == SummaryFigures.dollars(stated.last ?? -1))
            #expect(lines.contains("investments \(direction): \(investment.count), \(investment.dollars)"))
        }
        #expect(SummaryFigures.dollars(123_456_789) == "USD 1,234,567.89")
    }
}
