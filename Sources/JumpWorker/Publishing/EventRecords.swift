import JumpEvents

/// One event as it stands in an input: where it came from (file and line) and its bytes.
public struct EventRecord: Sendable {
    /// The file name, or `-` for standard input.
    public var origin: String
    /// The line it starts on, from 1.
    public var line: Int
    /// Its bytes, without the line break.
    public var bytes: ArraySlice<UInt8>

    /// A record from `origin`, starting on `line`.
    public init(origin: String, line: Int, bytes: ArraySlice<UInt8>) {
        self.origin = origin
        self.line = line
        self.bytes = bytes
    }

    /// `origin:line`, as rejections are reported.
    public var location: String { "\(origin):\(line)" }
}

/// Splits an input into records: JSON Lines (one event per line; blank lines are skipped), or one JSON array of
/// events when the first non-blank byte is `[`. A broken array element is its own rejection; the elements around
/// it still count.
public enum EventRecords {
    /// The records of one input, and the problems that made part of it unreadable.
    public static func split(
        _ bytes: [UInt8], origin: String
    ) -> (records: [EventRecord], problems: [(EventRecord, String)]) {
        let first = bytes.firstIndex { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }
        if let first, bytes[first] == UInt8(ascii: "[") { return splitArray(bytes, start: first, origin: origin) }
        return (splitLines(bytes, origin: origin), [])
    }

    private static func splitLines(_ bytes: [UInt8], origin: String) -> [EventRecord] {
        var records: [EventRecord] = []
        var line = 1
        var start = 0
        bytes.withUnsafeBufferPointer { buffer in
            for index in 0...buffer.count where index == buffer.count || buffer[index] == 0x0A {
                var end = index
                if end > start, buffer[end - 1] == 0x0D { end -= 1 }
                if buffer[start..<end].contains(where: { ![0x20, 0x09].contains($0) }) {
                    records.append(EventRecord(origin: origin, line: line, bytes: bytes[start..<end]))
                }
                line += 1
                start = index + 1
            }
        }
        return records
    }

    /// Finds the top-level elements of a JSON array by scanning brackets and strings; each element is parsed
    /// later on its own, so one bad element does not sink the others.
    private static func splitArray(
        _ bytes: [UInt8], start: Int, origin: String
    ) -> (records: [EventRecord], problems: [(EventRecord, String)]) {
        var records: [EventRecord] = []
        var line = 1 + bytes[..<start].count { $0 == 0x0A }
        var depth = 0
        var inString = false
        var escaped = false
        var elementStart: Int?
        var elementLine = line
        for index in (start + 1)..<bytes.count {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case 0x20, 0x0A, 0x0D, 0x09: continue
            case UInt8(ascii: ",") where depth == 0, UInt8(ascii: "]") where depth == 0:
                if let begin = elementStart {
                    records.append(EventRecord(origin: origin, line: elementLine, bytes: bytes[begin..<index]))
                    elementStart = nil
                }
                if byte == UInt8(ascii: "]") {
                    let rest = bytes[(index + 1)...]
                    if rest.contains(where: { ![0x20, 0x0A, 0x0D, 0x09].contains($0) }) {
                        let problem = EventRecord(origin: origin, line: line, bytes: rest)
                        return (records, [(problem, "unexpected content after the closing ] of the array")])
                    }
                    return (records, [])
                }
                continue
            default: break
            }
            if elementStart == nil {
                elementStart = index
                elementLine = line
            }
            if byte == UInt8(ascii: "\"") { inString = true }
            if byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") { depth += 1 }
            if byte == UInt8(ascii: "}") || byte == UInt8(ascii: "]") { depth -= 1 }
        }
        let tail = elementStart.map { bytes[$0...] } ?? bytes[bytes.count...]
        let problem = EventRecord(origin: origin, line: elementLine, bytes: tail)
        // Reaching the end means the closing ] never came.
        return (records, [(problem, "the JSON array is not closed; the element here is incomplete")])
    }
}
