import JumpState
import JumpWorker

/// The overview's chart of the last hour as inline SVG (numbers only, drawn on the server: no script, no
/// external asset): a bar per minute for events applied, with dead letters, anomalies and duplicates marked, and
/// the lag as a line on a scale of its own (where a minute measured it).
enum ActivityChart {
    static func svg(_ minutes: [ActivityHistory.Minute]) -> String {
        let (width, height, bar) = (720, 140, 12)
        let largest = max(1, minutes.map { max($0.applied, $0.duplicates, $0.deadLettered, $0.anomalies) }.max() ?? 1)
        func scaled(_ value: Int) -> Int { value == 0 ? 0 : max(2, value * (height - 20) / largest) }
        var shapes: [String] = []
        for (index, minute) in minutes.enumerated() {
            let x = index * bar
            let parts: [(Int, String, Int)] = [
                (minute.applied, "#2f6db5", 0), (minute.duplicates, "#8a94a3", 4), (minute.deadLettered, "#c0392b", 6),
                (minute.anomalies, "#e08a1e", 8),
            ]
            for (value, color, inset) in parts where value > 0 {
                let h = scaled(value)
                shapes.append(
                    #"<rect x="\#(x + inset / 2)" y="\#(height - h)" width="\#(bar - 2 - inset)" height="\#(h)" fill="\#(color)"/>"#
                )
            }
        }
        let largestLag = minutes.compactMap(\.lag).max() ?? 0
        let lagColor = "#6b3fa0"
        var lagLabel = ""
        if largestLag > 0 {
            // A line through each run of minutes that measured the lag, on a scale of its own.
            var run: [String] = []
            func close() {
                if run.count > 1 {
                    shapes.append(
                        #"<polyline points="\#(run.joined(separator: " "))" fill="none" stroke="\#(lagColor)" stroke-width="2"/>"#
                    )
                } else if let point = run.first {
                    let xy = point.split(separator: ",")
                    shapes.append(#"<circle cx="\#(xy[0])" cy="\#(xy[1])" r="2" fill="\#(lagColor)"/>"#)
                }
                run.removeAll()
            }
            for (index, minute) in minutes.enumerated() {
                guard let lag = minute.lag else {
                    close()
                    continue
                }
                let y = height - Int(lag * Int64(height - 20) / largestLag)
                run.append("\(index * bar + bar / 2),\(y)")
            }
            close()
            lagLabel =
                #"<text x="\#(width - 150)" y="12" font-size="11" fill="\#(lagColor)">lag, at most \#(largestLag)</text>"#
        }
        return
            #"<svg role="img" aria-label="events per minute over the last hour, at most \#(largest)\#(largestLag > 0 ? "; lag at most \(largestLag)" : "")" "#
            + #"width="\#(width)" height="\#(height + 16)" viewBox="0 0 \#(width) \#(height + 16)" "#
            + #"xmlns="http://www.w3.org/2000/svg" style="background:white;border:1px solid rgb(221,225,231)">"#
            + shapes.joined()
            + #"<text x="2" y="12" font-size="11" fill="rgb(91,102,117)">\#(largest)/min</text>"# + lagLabel
            + #"<text x="2" y="\#(height + 13)" font-size="11" fill="rgb(91,102,117)">60 min ago</text>"#
            + #"<text x="\#(width - 30)" y="\#(height + 13)" font-size="11" fill="rgb(91,102,117)">now</text></svg>"#
    }
}
