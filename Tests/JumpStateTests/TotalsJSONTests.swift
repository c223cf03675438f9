import Foundation
import JumpEvents
import Testing

@testable import JumpState

@Suite("Totals written as JSON by hand")
struct TotalsJSONTests {
    /// Totals with every kind of figure, absent optionals, saturated sums and the given series name.
    func totals(series: String) -> PartitionTotals {
        var totals = PartitionTotals()
        totals.companies = ["mx-to-utah": 3, "utah-to-mx": 1]
        var figures = PartitionTotals.ExpansionFigures()
        figures.announced = 2
        figures.completed = 1
        figures.withdrawn = 4
        figures.plannedJobs = 120
        figures.plannedUsdCents = Int64.max
        figures.actualJobs = 7
        figures.actualUsdCents = -3
        figures.plannedNotDisclosed = 2
        totals.expansions = ["utah-to-mx": figures, "mx-to-utah": PartitionTotals.ExpansionFigures()]
        var investments = PartitionTotals.InvestmentFigures()
        investments.count = 9
        investments.usdCents = 1_000_000_000_000
        totals.investments = ["mx-to-utah": investments]
        totals.exports = [
            .init(
                series: series, period: "2022", value: 110, previousPeriod: "2018", previousValue: 73,
                stated: StatedFigure(
                    value: FigureQualifier(approximation: .about, note: "a \"quoted\" note/with slashes, ñandú"),
                    period: FigureQualifier(basis: .notStated)),
                previousStated: StatedFigure(value: FigureQualifier(basis: .derived))),
            .init(series: "US-UT→MX", period: "2023-Q4", value: 5),
        ]
        totals.jobs = [.init(series: "mexico-utah-trade", period: "2022", value: 51_000)]
        totals.meetings = 12
        totals.initiatives = 0
        return totals
    }

    @Test(
        "the bytes are JSONEncoder's with sorted keys (quotes, backslashes, slashes and non-ASCII in names), and decode to the same totals"
    )
    func sameAsJSONEncoder() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        for series in [#"US-UT→MX"#, #"a "quoted" \ name/with/slashes, ñandú"#] {
            let totals = totals(series: series)
            var bytes: [UInt8] = []
            totals.appendJSON(to: &bytes)
            #expect(
                String(decoding: bytes, as: UTF8.self) == String(decoding: try encoder.encode(totals), as: UTF8.self))
            #expect(try JSONDecoder().decode(PartitionTotals.self, from: Data(bytes)) == totals)
        }
        var empty: [UInt8] = []
        PartitionTotals().appendJSON(to: &empty)
        #expect(
            String(decoding: empty, as: UTF8.self)
                == #"{"companies":{},"expansions":{},"exports":[],"initiatives":0,"investments":{},"jobs":[],"meetings":0}"#
        )
    }

    @Test("control characters in a name are escaped: the JSON still decodes to the same totals")
    func controlCharacters() throws {
        let totals = totals(series: "line\nbreak\ttab\u{1}\u{7F}")
        var bytes: [UInt8] = []
        totals.appendJSON(to: &bytes)
        #expect(!bytes.contains(0x0A) && !bytes.contains(0x01))
        #expect(try JSONDecoder().decode(PartitionTotals.self, from: Data(bytes)) == totals)
    }
}
