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
        let document: JSONValue
        do {
            document = try JSONParser().parse(text[...])
        } catch {
            throw TokensFileError(at: "", "is not JSON: \(error)")
        }
        guard case .object(let root) = document, case .array(let list)? = root["tokens"] else {
            throw TokensFileError(at: "", "must be an object with a \"tokens\" array")
        }
        if let other = root.members.first(where: { $0.key != "tokens" }) {
            throw TokensFileError(at: "/\(other.key)", "is not a key of a tokens file (only \"tokens\")")
        }
        var tokens: [Token] = []
        for (index, entry) in list.enumerated() {
            let token = try Self.token(entry, at: "/tokens/\(index)")
            if tokens.contains(where: { $0.name == token.name }) {
                throw TokensFileError(at: "/tokens/\(index)/name", "\"\(token.name)\" is the name of an earlier token")
            }
            if tokens.contains(where: { $0.hash == token.hash }) {
                throw TokensFileError(at: "/tokens/\(index)/sha256", "is the hash of an earlier token")
            }
            tokens.append(token)
        }
        self.tokens = tokens
    }

    /// The token whose hash is the SHA-256 of `presented`, compared in constant time with every token's hash.
    package func authenticate(_ presented: String) -> Token? {
        let hash = SHA256.hash(presented.utf8)
        var found: Token?
        for token in tokens where Self.constantTimeEqual(token.hash, hash) { found = token }
        return found
    }

    /// The SHA-256 of a token as a tokens file holds it (lowercase hexadecimal).
    package static func hashText(of token: String) -> String { SHA256.hex(SHA256.hash(token.utf8)) }

    /// Whether two hashes are equal, in a time that does not depend on where they differ.
    static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices { difference |= left[index] ^ right[index] }
        return difference == 0
    }

    private static func token(_ entry: JSONValue, at path: String) throws(TokensFileError) -> Token {
        guard case .object(let object) = entry else { throw TokensFileError(at: path, "must be an object") }
        let known = ["name", "sha256", "sources", "types", "eventsPerSecond"]
        if let other = object.members.first(where: { !known.contains($0.key) }) {
            throw TokensFileError(
                at: "\(path)/\(other.key)", "is not a key of a token (\(known.joined(separator: ", ")))")
        }
        guard case .string(let name)? = object["name"], !name.isEmpty, name.count <= 64,
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
        else {
            throw TokensFileError(at: "\(path)/name", "must be 1 to 64 of a-z A-Z 0-9 . _ -")
        }
        guard case .string(let hex)? = object["sha256"], let hash = Self.bytes(hexadecimal: hex), hash.count == 32
        else {
            throw TokensFileError(
                at: "\(path)/sha256",
                "must be the token's SHA-256 in 64 hexadecimal digits (printf %s TOKEN | sha256sum)")
        }
        let sources = try patterns(object["sources"], at: "\(path)/sources")
        let types = try patterns(object["types"], at: "\(path)/types")
        var rate: Int?
        if let value = object["eventsPerSecond"] {
            guard case .integer(let number) = value, (1...1_000_000).contains(number) else {
                throw TokensFileError(at: "\(path)/eventsPerSecond", "must be a whole number from 1 to 1000000")
            }
            rate = Int(number)
        }
        return Token(name: name, hash: hash, sources: sources, types: types, eventsPerSecond: rate)
    }

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

    private static func bytes(hexadecimal text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count.isMultiple(of: 2) else { return nil }
        var bytes: [UInt8] = []
        for index in stride(from: 0, to: digits.count, by: 2) {
            guard let high = Hexadecimal.value(digits[index]), let low = Hexadecimal.value(digits[index + 1]) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return bytes
    }
}

/// A tokens file that cannot be used: where (a JSON pointer) and what is wrong.
package struct TokensFileError: Error, Sendable, CustomStringConvertible {
    /// The JSON pointer of the mistake (empty for the whole file).
    package var path: String
    /// What is wrong.
    package var message: String

    init(at path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
