import Foundation
import JumpState
import Testing

@testable import JumpConsole

@Suite("The overview's chart")
struct ActivityChartTests {
    @Test("bars for the minutes' events; the lag as a line through the minutes that measured it, on its own scale")
    func lagLine() {
        var minutes = (0..<60).map { ActivityMinute(start: Int64($0) * 60_000) }
        #expect(!ActivityChart.svg(minutes).contains("<rect") && !ActivityChart.svg(minutes).contains("polyline"))
        minutes[10].applied = 300
        minutes[11].lag = 5_000
        minutes[12].lag = 2_500
        minutes[40].lag = 100
        let svg = ActivityChart.svg(minutes)
        #expect(svg.components(separatedBy: "<rect").count == 2, "one bar")
        #expect(svg.components(separatedBy: "<polyline").count == 2, "one line through minutes 11 and 12")
        #expect(svg.contains(#"points="138,20 150,80""#), "\(svg)")
        #expect(svg.contains("<circle"), "minute 40 alone is a dot")
        #expect(
            svg.contains("lag, at most 5000")
                && svg.contains("aria-label=\"events per minute over the last hour, at most 300; lag at most 5000\""))
    }
}
