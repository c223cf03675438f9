import JumpEvents

/// The bearer tokens `jump-producer serve` accepts, read from a JSON file that holds only their SHA-256 hashes:
///
/// ```json
/// {"tokens": [{"name": "crm", "sha256": "<64 hex digits>", "sources": ["urn:crm:*"], "types": ["jump.*"],
///              "eventsPerSecond": 200}]}
/// ```
///
/// A pattern ending in `*` matches by prefix, any other exactly. `eventsPerSecond` (optional) is the token's rate.
package struct PublishTokens: Sendable {
    /// One client's token: its name (what logs and metrics show), what it may publish, and its rate.
    package struct Token: Sendable, Equatable {
        /// The name logs and metrics show; never the token.
        package var name: String
        /// The SHA-256 of the token.
        var hash: [UInt8]
        /// The `source` patterns it may publish.
        package var sources: [String]
        /// The `type` patterns it may publish.
        package var types: [String]
        /// The most events per second it may publish (averaged over a second, bursts up to one second's worth),
        /// or `nil` for no limit.
        package var eventsPerSecond: Int?

        /// Whether it may publish an event of this source and type.
        package func allows(source: String, type: String) -> Bool {
            sources.contains { Self.matches($0, source) } && types.contains { Self.matches($0, type) }
        }

        /// Whether `value` is `pattern`, or starts with it less its trailing `*`, byte for byte (UTF-8): not as
        /// Swift compares strings, so a value spelled with a combining accent is not the precomposed pattern, and
        /// `urn:cafe*` admits `urn:cafe` followed by a combining accent. Write patterns as clients send them.
        static func matches(_ pattern: String, _ value: String) -> Bool {
            let pattern = pattern.utf8
            return pattern.last == UInt8(ascii: "*")
                ? value.utf8.starts(with: pattern.dropLast()) : value.utf8.elementsEqual(pattern)
        }
    }

    /// The tokens, in the file's order.
    package private(set) var tokens: [Token]

    /// Tokens from the file's text.
    /// - Throws: ``TokensFileError`` naming the place and what is wrong.
    package init(parsing text: [UInt8]) throws(TokensFileError) {
        tokens = []
        for entry in try NamedTokensFile.entries(
            text, keys: ["sources", "types", "eventsPerSecond"], noun: "token")
        {
            let path = entry.path
            let sources = try Self.patterns(entry.object["sources"], at: "\(path)/sources")
            let types = try Self.patterns(entry.object["types"], at: "\(path)/types")
            var rate: Int?
            if let value = entry.object["eventsPerSecond"] {
                guard case .integer(let number) = value, (1...1_000_000).contains(number) else {
                    throw TokensFileError(at: "\(path)/eventsPerSecond", "must be a whole number from 1 to 1000000")
                }
                rate = Int(number)
            }
            tokens.append(
                Token(name: entry.name, hash: entry.hash, sources: sources, types: types, eventsPerSecond: rate))
        }
    }

    /// The token whose hash is the SHA-256 of `presented`, compared in constant time with every token's hash.
    package func authenticate(_ presented: String) -> Token? {
        NamedTokensFile.match(presented, among: tokens.lazy.map(\.hash)).map { tokens[$0] }
    }

    /// The SHA-256 of a token as a tokens file holds it (lowercase hexadecimal).
    package static func hashText(of token: String) -> String { SHA256.hex(SHA256.hash(token.utf8)) }

    private static func patterns(_ value: JSONValue?, at path: String) throws(TokensFileError) -> [String] {
        guard case .array(let items)? = value, !items.isEmpty else {
            throw TokensFileError(at: path, "must be a non-empty array of patterns (a trailing * matches by prefix)")
        }
        var patterns: [String] = []
        for (index, item) in items.enumerated() {
            guard case .string(let pattern) = item, !pattern.isEmpty, !pattern.dropLast().contains("*") else {
                throw TokensFileError(
                    at: "\(path)/\(index)", "must be a non-empty string with at most a trailing * (urn:crm:*)")
            }
            patterns.append(pattern)
        }
        return patterns
    }
}
