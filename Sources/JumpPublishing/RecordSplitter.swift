import Foundation
import JumpEvents

/// Splits a stream of bytes into event records, a chunk at a time, holding at most one record (bounded by
/// `maximumBytes`) beyond what it hands out. The form of the input is decided by its first bytes:
/// - first non-blank byte `[`: **one JSON array** of events; each element is a record, and a malformed array
///   (`[A,B,]`, `[,,A]`, no closing `]`, text after it) is reported at its position while the well-formed
///   elements still count;
/// - else, when the first line is a complete JSON value: **JSON Lines**, one event per line, blank lines
///   skipped;
/// - else (the first line opens a value it does not close, as a pretty-printed file does): **JSON documents**
///   one after another, each spanning as many lines as it needs (one pretty-printed event, or `jq` output).
/// A record over `maximumBytes` is reported and skipped without being buffered; the rest still counts.
public struct RecordSplitter {
    enum Mode {
        case undecided
        case lines
        case documents
        case array(ArrayState)
    }

    enum ArrayState {
        /// After `[` or `,`: an element must come (or `]` right after `[`).
        case expectElement(afterComma: Bool)
        /// After an element: `,` or `]` must come.
        case expectSeparator
        /// After `]`: only white space may follow.
        case closed
    }

    /// The input's name (`-` for standard input).
    public let origin: String
    /// The largest record kept, in bytes.
    public let maximumBytes: Int
    private var mode = Mode.undecided
    private var line = 1
    /// The record being gathered, its first line, and whether it is already over the limit.
    private var current: [UInt8] = []
    private var currentLine = 1
    private var currentSize = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    private var batch = RecordBatch()
    /// The bytes of the batch's records, and where each record is in them.
    private var storage: [UInt8] = []
    private var pending: [(line: Int, range: Range<Int>)] = []
    private var reportedAfterArray = false
    private var skippingText = false
    /// The byte before this one in documents mode (a line break at the start).
    private var previousByte: UInt8 = 0x0A
    /// The last byte of the open document outside strings that is not white space.
    private var lastSignificant: UInt8 = 0
    /// Whether the lines being passed over belong to a document already reported broken.
    private var skippingBrokenDocument = false

    /// A splitter for the input `origin`.
    public init(origin: String, maximumBytes: Int = JSONLimits().maximumBytes) {
        self.origin = origin
        self.maximumBytes = maximumBytes
    }

    /// Feeds the next bytes; returns the records and problems completed by them.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) -> RecordBatch {
        // The records these bytes complete fit in them plus the record carried over: sized once, the shared
        // buffer has no slack (its records may be kept until Kafka acknowledges them).
        storage.reserveCapacity(current.count + bytes.count)
        var index = 0
        while index < bytes.count {
            if case .lines = mode {
                index = feedLines(bytes, from: index)
            } else if case .array = mode, currentSize > 0 {
                index = feedElement(bytes, from: index)
            } else {
                consume(bytes[index])
                index += 1
            }
        }
        return takeBatch()
    }

    /// JSON Lines, the common case, a line at a time: `memchr` finds each line break and whole lines are copied
    /// at once. Returns where it stopped (the end of `bytes`).
    private mutating func feedLines(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        guard let base = bytes.baseAddress else { return bytes.count }
        var index = start
        while index < bytes.count {
            let rest = bytes.count - index
            guard let found = memchr(base + index, 0x0A, rest) else {
                appendRun(UnsafeRawBufferPointer(start: base + index, count: rest))
                return bytes.count
            }
            let end = base.distance(to: UnsafeRawPointer(found))
            appendRun(UnsafeRawBufferPointer(start: base + index, count: end - index))
            endLine()
            line += 1
            index = end + 1
        }
        return index
    }

    /// Inside an array's element, a run at a time: follows strings and nesting up to the element's end (a `,` or
    /// `]` outside strings and nested values) and keeps the run with one copy. Returns where it stopped: after the
    /// element's end, or at the end of `bytes`.
    private mutating func feedElement(_ bytes: UnsafeRawBufferPointer, from start: Int) -> Int {
        var (depth, inString, escaped) = (self.depth, self.inString, self.escaped)
        var index = start
        var lineBreaks = 0
        var end: UInt8?
        scan: while index < bytes.count {
            if inString, !escaped {
                // Most of an event is strings: pass over their plain bytes in a tight loop.
                while index < bytes.count, Self.isPlainInString(bytes[index]) { index += 1 }
                guard index < bytes.count else { break }
            }
            let byte = bytes[index]
            if byte == 0x0A { lineBreaks += 1 }
            if inString {
                Self.followString(byte, inString: &inString, escaped: &escaped)
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"): depth -= 1
                case UInt8(ascii: ","), UInt8(ascii: "]"):
                    if depth == 0 {
                        end = byte
                        break scan
                    }
                    if byte == UInt8(ascii: "]") { depth -= 1 }
                default: break
                }
            }
            index += 1
        }
        appendRun(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
        (self.depth, self.inString, self.escaped) = (depth, inString, escaped)
        line += lineBreaks
        guard let end else { return index }
        endElement()
        mode = .array(end == UInt8(ascii: ",") ? .expectElement(afterComma: true) : .closed)
        return index + 1
    }

    /// Keeps a run of bytes of the current line while it is within the limit; counts them either way.
    private mutating func appendRun(_ run: UnsafeRawBufferPointer) {
        guard run.count > 0 else { return }
        if currentSize == 0 { currentLine = line }
        currentSize += run.count
        if currentSize <= maximumBytes {
            current.append(contentsOf: run)
        } else if !current.isEmpty {
            current.removeAll()
        }
    }

    /// Ends the input; returns what the last bytes completed, and a problem for anything left open.
    public mutating func finish() -> RecordBatch {
        switch mode {
        case .undecided, .lines:
            if case .undecided = mode, !current.isEmpty { mode = .lines }
            endLine()
        case .documents:
            if skippingText { problem(at: currentLine, "text outside a JSON document") }
            if currentSize > 0 {
                problem(at: currentLine, "the JSON document that starts here is not complete at the end of the input")
                resetCurrent()
            }
        case .array(let state):
            if case .closed = state { break }
            problem(at: line, "the JSON array is not closed: ] is missing at the end of the input")
        }
        return takeBatch()
    }

    private mutating func takeBatch() -> RecordBatch {
        // The records of a batch share one buffer; their slices are made once it is complete (a slice taken
        // earlier would make every later append copy the buffer).
        var taken = batch
        let shared = storage
        taken.records = pending.map { EventRecord(origin: origin, line: $0.line, bytes: shared[$0.range]) }
        batch = RecordBatch()
        pending.removeAll(keepingCapacity: true)
        storage = []
        return taken
    }

    private mutating func consume(_ byte: UInt8) {
        switch mode {
        case .undecided: decide(byte)
        case .lines: lineByte(byte)
        case .documents: documentByte(byte)
        case .array(let state): arrayByte(byte, state)
        }
        if byte == 0x0A { line += 1 }
    }

    // MARK: The form of the input

    private mutating func decide(_ byte: UInt8) {
        if current.isEmpty, Self.isBlank(byte) { return }
        if current.isEmpty, byte == UInt8(ascii: "[") {
            mode = .array(.expectElement(afterComma: false))
            return
        }
        if byte == 0x0A {
            // The first line is complete: a closed value makes JSON Lines, an open one JSON documents. A string
            // open at a line break is broken whatever follows (JSON strings hold no raw line break): the line is
            // judged on its own, and so is every line after it.
            if depth > 0 && !inString {
                mode = .documents
                append(byte)
            } else {
                mode = .lines
                endLine()
            }
            return
        }
        if current.isEmpty { currentLine = line }
        append(byte)
        if !inString, !Self.isBlank(byte) { lastSignificant = byte }
        track(byte)
    }

    // MARK: JSON Lines

    private mutating func lineByte(_ byte: UInt8) {
        if byte == 0x0A {
            endLine()
            return
        }
        if currentSize == 0 { currentLine = line }
        append(byte)
    }

    private mutating func endLine() {
        defer { resetCurrent() }
        if currentSize > maximumBytes {
            problem(
                at: currentLine, "a line of more than \(maximumBytes) bytes (\(currentSize) read); it is skipped",
                isOverLimit: true)
            return
        }
        var end = current.count
        if end > 0, current[end - 1] == 0x0D { end -= 1 }
        guard current[..<end].contains(where: { $0 != 0x20 && $0 != 0x09 }) else { return }
        emit(current[..<end], line: currentLine)
    }

    // MARK: JSON documents, one after another

    private mutating func documentByte(_ byte: UInt8) {
        defer { previousByte = byte }
        if skippingText {
            if byte == 0x0A {
                if !skippingBrokenDocument { problem(at: currentLine, "text outside a JSON document") }
                skippingText = false
            }
            return
        }
        if currentSize == 0 {
            if Self.isBlank(byte) { return }
            currentLine = line
            guard byte == UInt8(ascii: "{") || byte == UInt8(ascii: "[") else {
                skippingText = true
                return
            }
            depth = 0
            inString = false
            escaped = false
            lastSignificant = 0
            skippingBrokenDocument = false
        }
        if byte == 0x0A, inString {
            // A raw line break inside a string: this document is broken (reported once); its other lines are
            // passed over until the next document starts.
            problem(at: currentLine, "a string is not closed at the end of line \(line)")
            resetCurrent()
            skippingBrokenDocument = true
            return
        }
        if previousByte == 0x0A, byte == UInt8(ascii: "{"), depth > 0,
            ![UInt8(ascii: "["), UInt8(ascii: ","), UInt8(ascii: ":")].contains(lastSignificant)
        {
            // A { at the start of a line where no value may start (not after [, a comma or a colon) begins the
            // next document: the open one is reported, and the new one judged on its own.
            problem(at: currentLine, "the JSON document that starts here is not complete before line \(line)")
            resetCurrent()
            currentLine = line
        }
        append(byte)
        if !inString, !Self.isBlank(byte) { lastSignificant = byte }
        track(byte)
        if depth == 0, !inString { endDocument() }
    }

    private mutating func endDocument() {
        if currentSize > maximumBytes {
            problem(
                at: currentLine,
                "a JSON document of more than \(maximumBytes) bytes (\(currentSize) read); it is skipped",
                isOverLimit: true)
        } else {
            emit(current[...], line: currentLine)
        }
        resetCurrent()
    }

    // MARK: One JSON array

    /// Between elements (inside one, ``feedElement(_:from:)`` reads).
    private mutating func arrayByte(_ byte: UInt8, _ state: ArrayState) {
        if Self.isBlank(byte) { return }
        switch (state, byte) {
        case (.closed, _):
            if !reportedAfterArray {
                reportedAfterArray = true
                problem(at: line, "text after the closing ] of the JSON array")
            }
        case (.expectElement(let afterComma), UInt8(ascii: "]")):
            if afterComma { problem(at: line, "a comma before ] (a trailing comma is not JSON)") }
            mode = .array(.closed)
        case (.expectElement, UInt8(ascii: ",")):
            problem(at: line, "an empty element (two commas, or a comma after [, is not JSON)")
        case (.expectSeparator, UInt8(ascii: ",")):
            mode = .array(.expectElement(afterComma: true))
        case (.expectSeparator, UInt8(ascii: "]")):
            mode = .array(.closed)
        case (.expectSeparator, _):
            problem(at: line, "a comma is missing between two elements")
            startElement(byte)
        case (.expectElement, _):
            startElement(byte)
        }
    }

    private mutating func startElement(_ byte: UInt8) {
        currentLine = line
        depth = 0
        inString = false
        escaped = false
        append(byte)
        track(byte)
        mode = .array(.expectSeparator)
    }

    private mutating func endElement() {
        if currentSize > maximumBytes {
            problem(
                at: currentLine,
                "an array element of more than \(maximumBytes) bytes (\(currentSize) read); it is skipped",
                isOverLimit: true)
        } else {
            var end = current.count
            while end > 0, Self.isBlank(current[end - 1]) { end -= 1 }
            emit(current[..<end], line: currentLine)
        }
        resetCurrent()
    }

    // MARK: Shared

    /// Keeps `byte` while the record is within the limit; counts it either way.
    private mutating func append(_ byte: UInt8) {
        currentSize += 1
        if currentSize <= maximumBytes { current.append(byte) } else if !current.isEmpty { current.removeAll() }
    }

    /// Follows strings and nesting, so structure inside strings is ignored.
    private mutating func track(_ byte: UInt8) {
        if inString {
            Self.followString(byte, inString: &inString, escaped: &escaped)
            return
        }
        switch byte {
        case UInt8(ascii: "\""): inString = true
        case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
        case UInt8(ascii: "}"), UInt8(ascii: "]"): depth -= 1
        default: break
        }
    }

    private mutating func resetCurrent() {
        current.removeAll(keepingCapacity: true)
        currentSize = 0
        depth = 0
        inString = false
        escaped = false
    }

    private mutating func emit(_ bytes: ArraySlice<UInt8>, line: Int) {
        let start = storage.count
        storage.append(contentsOf: bytes)
        pending.append((line, start..<storage.count))
        batch.byteCount += bytes.count
    }

    private mutating func problem(at line: Int, _ reason: String, isOverLimit: Bool = false) {
        batch.problems.append(InputProblem(location: "\(origin):\(line)", reason: reason, isOverLimit: isOverLimit))
    }

    /// Follows one byte inside a string: an escape, or the string's end.
    private static func followString(_ byte: UInt8, inString: inout Bool, escaped: inout Bool) {
        if escaped {
            escaped = false
        } else if byte == UInt8(ascii: "\\") {
            escaped = true
        } else if byte == UInt8(ascii: "\"") {
            inString = false
        }
    }

    /// Whether a byte inside a string neither ends it, nor escapes, nor breaks a line.
    private static func isPlainInString(_ byte: UInt8) -> Bool {
        byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") && byte != 0x0A
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x0A || byte == 0x0D || byte == 0x09 }
}
