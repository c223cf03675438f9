import JumpEvents

extension PartitionTotals {
    /// Appends the totals as JSON, the same bytes `JSONEncoder` gives with `.sortedKeys` (keys in order, absent
    /// optionals left out): every partition of every batch writes them into a notification item, and
    /// `JSONEncoder` was 7 % of the worker's time doing it.
    func appendJSON(to bytes: inout [UInt8]) {
        bytes.append(contentsOf: #"{"companies":"#.utf8)
        Self.appendObject(companies, to: &bytes) { count, bytes in bytes.append(contentsOf: "\(count)".utf8) }
        bytes.append(contentsOf: #","expansions":"#.utf8)
        Self.appendObject(expansions, to: &bytes) { figures, bytes in
            bytes.append(
                contentsOf: """
                    {"actualJobs":\(figures.actualJobs),"actualUsdCents":\(figures.actualUsdCents),\
                    "announced":\(figures.announced),"completed":\(figures.completed),\
                    "plannedJobs":\(figures.plannedJobs),
                    """.utf8)
            if figures.plannedNotDisclosed != 0 {
                bytes.append(contentsOf: #""plannedNotDisclosed":\#(figures.plannedNotDisclosed),"#.utf8)
            }
            bytes.append(
                contentsOf: #""plannedUsdCents":\#(figures.plannedUsdCents),"withdrawn":\#(figures.withdrawn)}"#.utf8)
        }
        bytes.append(contentsOf: #","exports":"#.utf8)
        Self.appendSeries(exports, to: &bytes)
        bytes.append(contentsOf: #","initiatives":\#(initiatives),"investments":"#.utf8)
        Self.appendObject(investments, to: &bytes) { figures, bytes in
            bytes.append(contentsOf: #"{"count":\#(figures.count),"usdCents":\#(figures.usdCents)}"#.utf8)
        }
        bytes.append(contentsOf: #","jobs":"#.utf8)
        Self.appendSeries(jobs, to: &bytes)
        bytes.append(contentsOf: #","meetings":\#(meetings)}"#.utf8)
    }

    private static func appendObject<Value>(
        _ object: [String: Value], to bytes: inout [UInt8], _ appendValue: (Value, inout [UInt8]) -> Void
    ) {
        bytes.append(UInt8(ascii: "{"))
        for (index, key) in object.keys.sorted().enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONWriter.appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendValue(object[key]!, &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
    }

    private static func appendSeries(_ figures: [SeriesFigure], to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "["))
        for (index, figure) in figures.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            bytes.append(contentsOf: #"{"period":"#.utf8)
            JSONWriter.appendString(figure.period, to: &bytes)
            if let previousPeriod = figure.previousPeriod {
                bytes.append(contentsOf: #","previousPeriod":"#.utf8)
                JSONWriter.appendString(previousPeriod, to: &bytes)
            }
            if let previousStated = figure.previousStated {
                bytes.append(contentsOf: #","previousStated":"#.utf8)
                previousStated.appendJSON(to: &bytes)
            }
            if let previousValue = figure.previousValue {
                bytes.append(contentsOf: #","previousValue":\#(previousValue)"#.utf8)
            }
            bytes.append(contentsOf: #","series":"#.utf8)
            JSONWriter.appendString(figure.series, to: &bytes)
            if let stated = figure.stated {
                bytes.append(contentsOf: #","stated":"#.utf8)
                stated.appendJSON(to: &bytes)
            }
            bytes.append(contentsOf: #","value":\#(figure.value)}"#.utf8)
        }
        bytes.append(UInt8(ascii: "]"))
    }
}

extension PartitionTotals.ExpansionFigures {
    private enum CodingKeys: String, CodingKey {
        case announced, completed, withdrawn, plannedJobs, plannedUsdCents, actualJobs, actualUsdCents
        case plannedNotDisclosed
    }

    /// Reads figures written before `plannedNotDisclosed` existed (absent: 0).
    package init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        announced = try container.decode(Int.self, forKey: .announced)
        completed = try container.decode(Int.self, forKey: .completed)
        withdrawn = try container.decode(Int.self, forKey: .withdrawn)
        plannedJobs = try container.decode(Int64.self, forKey: .plannedJobs)
        plannedUsdCents = try container.decode(Int64.self, forKey: .plannedUsdCents)
        actualJobs = try container.decode(Int64.self, forKey: .actualJobs)
        actualUsdCents = try container.decode(Int64.self, forKey: .actualUsdCents)
        plannedNotDisclosed = try container.decodeIfPresent(Int.self, forKey: .plannedNotDisclosed) ?? 0
    }

    /// Writes the figures, leaving `plannedNotDisclosed` out when 0 (as ``PartitionTotals/appendJSON(to:)`` does).
    package func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(announced, forKey: .announced)
        try container.encode(completed, forKey: .completed)
        try container.encode(withdrawn, forKey: .withdrawn)
        try container.encode(plannedJobs, forKey: .plannedJobs)
        try container.encode(plannedUsdCents, forKey: .plannedUsdCents)
        try container.encode(actualJobs, forKey: .actualJobs)
        try container.encode(actualUsdCents, forKey: .actualUsdCents)
        if plannedNotDisclosed != 0 { try container.encode(plannedNotDisclosed, forKey: .plannedNotDisclosed) }
    }
}
