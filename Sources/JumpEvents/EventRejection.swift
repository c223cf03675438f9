/// Why an event was refused: what kind of problem, where (a JSON pointer), and a sentence a person can act on.
public struct EventRejection: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is; extensible, so compare with the static members.
    public struct Kind: Hashable, Sendable, CustomStringConvertible {
        /// A short, stable name for logs, headers and metrics (`schema`, `syntax`, `duplicate-key`, ...).
        public let name: String
        private init(_ name: String) { self.name = name }

        /// Larger than the decoder's byte limit.
        public static let tooLarge = Kind("too-large")
        /// Not valid UTF-8.
        public static let invalidUTF8 = Kind("invalid-utf8")
        /// Not JSON.
        public static let syntax = Kind("syntax")
        /// Nested deeper than the decoder's limit.
        public static let tooDeep = Kind("too-deep")
        /// A string longer than the decoder's limit.
        public static let stringTooLong = Kind("string-too-long")
        /// An object with the same key twice.
        public static let duplicateKey = Kind("duplicate-key")
        /// A `type` that is not a JUMP event type.
        public static let unknownType = Kind("unknown-type")
        /// Well-formed JSON that breaks a rule of `Schemas/`.
        public static let schema = Kind("schema")
        /// A valid event in a partition its subject does not belong to that was moved there already (it carries
        /// `jump.rerouted.from`): a forged header, or a partition count that changed. Not moved twice.
        public static let misplaced = Kind("misplaced")

        /// The short name.
        public var description: String { name }

        init(_ kind: JSONParseError.Kind) { self.init(kind.rawValue) }
    }

    /// What kind of problem it is.
    public var kind: Kind
    /// Where: a JSON pointer such as `/data/plannedJobs` (empty for the whole document).
    public var path: String
    /// What is wrong.
    public var message: String

    /// Creates a rejection.
    public init(_ kind: Kind, at path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `path: message`, or the message alone for the whole document.
    public var description: String { path.isEmpty ? message : "\(path): \(message)" }

    static func schema(_ path: String, _ message: String) -> EventRejection {
        EventRejection(.schema, at: path, message)
    }
}
