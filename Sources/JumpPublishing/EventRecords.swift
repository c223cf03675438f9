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

/// A part of an input that holds no event: where, and why.
public struct InputProblem: Sendable, Equatable {
    /// `origin:line`.
    public var location: String
    /// What is wrong.
    public var reason: String
    /// Whether it is a record over the size limit.
    package var isOverLimit: Bool

    /// A problem at `location`.
    public init(location: String, reason: String) {
        self.init(location: location, reason: reason, isOverLimit: false)
    }

    /// A problem at `location`, perhaps a record over the size limit.
    package init(location: String, reason: String, isOverLimit: Bool) {
        self.location = location
        self.reason = reason
        self.isOverLimit = isOverLimit
    }
}

/// Records found so far in an input, and the problems between them, in input order.
public struct RecordBatch: Sendable {
    /// The records.
    public var records: [EventRecord] = []
    /// The problems.
    public var problems: [InputProblem] = []
    /// The bytes the records hold.
    public var byteCount = 0

    /// An empty batch.
    public init() {}
}
