/// librdkafka properties as `key=value` strings, with the rules every client shares: parsing the
/// kcat-style `-X key=value` pass-through, and keeping secret values out of logs and errors.
public enum KafkaProperties {
    /// Parses one `key=value` pass-through argument (as given to `-X`).
    ///
    /// - Throws: ``KafkaError/Kind/configuration`` naming the argument when it has no `=` or an empty key.
    public static func parse(_ argument: String) throws(KafkaError) -> (key: String, value: String) {
        guard let equals = argument.firstIndex(of: "=") else {
            throw KafkaError(
                kind: .configuration,
                message: "'\(redactedArgument(argument))' is not key=value (for example -X linger.ms=10)")
        }
        let key = String(argument[..<equals]).trimmingWhitespace()
        let value = String(argument[argument.index(after: equals)...])
        guard !key.isEmpty else {
            throw KafkaError(kind: .configuration, message: "'-X \(redactedArgument(argument))' has an empty key")
        }
        return (key, value)
    }

    /// Whether a property only means something to a consumer (passing it to a producer makes librdkafka warn);
    /// a daemon that shares its `-X` properties between its consumer and its producers filters with this.
    package static func isConsumerOnly(_ key: String) -> Bool {
        [
            "session.", "heartbeat.", "group.", "auto.offset.", "enable.auto.", "auto.commit.", "max.poll.",
            "partition.assignment", "fetch.", "isolation.level", "enable.partition.eof", "queued.", "check.crcs",
            "allow.auto.create", "coordinator.",
        ].contains { key.hasPrefix($0) }
    }

    /// Parses many `key=value` arguments; a later one overrides an earlier one with the same key.
    public static func parse(_ arguments: [String]) throws(KafkaError) -> [String: String] {
        var result: [String: String] = [:]
        for argument in arguments {
            let (key, value) = try parse(argument)
            result[key] = value
        }
        return result
    }

    /// Whether the property holds a secret (passwords, private keys, OAuth configuration, ...).
    public static func isSecret(_ key: String) -> Bool {
        let key = key.lowercased()
        return key.contains("password") || key.contains("secret") || key.hasSuffix(".key.pem")
            || key == "sasl.oauthbearer.config"
    }

    /// The properties as `key=value` lines sorted by key, with every secret value replaced by `[redacted]`.
    public static func redactedDescription(_ properties: [String: String]) -> String {
        properties.keys.sorted().map { "\($0)=\(isSecret($0) ? redacted : properties[$0]!)" }
            .joined(separator: "\n")
    }

    /// Redacts the secret values of `properties` in `text` (a log line, an error) where they stand as values:
    /// see ``redact(_:secrets:)``.
    public static func redact(_ text: String, secretsOf properties: [String: String]) -> String {
        redact(text, secrets: properties.filter { isSecret($0.key) }.map(\.value))
    }

    /// Redacts secrets in `text` in their places, never as arbitrary substrings (a password `info` must not
    /// turn `level=info` into `level=[redacted]`, which would both break the line and reveal it):
    /// - the value of any secret property written as an assignment (`sasl.password=...`, `"saslPassword": "..."`,
    ///   `JUMP_KAFKA_SASL_PASSWORD=...`), whatever the value;
    /// - a quoted value (`"..."`, `'...'`) equal to one of `secrets`, as librdkafka quotes values in its errors;
    /// - a whole token (a run between white space, quotes and `=,:;()[]{}`) equal to one of `secrets` of at least
    ///   8 characters, as where librdkafka repeats a value it refused;
    /// - the whole text when it equals one of `secrets`.
    public static func redact(_ text: String, secrets: [String]) -> String {
        let secrets = secrets.filter { !$0.isEmpty }
        if secrets.contains(text) { return redacted }
        var result = text
        let lowercased = result.lowercased()
        if lowercased.contains("password") || lowercased.contains("secret") {
            result = result.replacing(secretAssignment) { match in
                match.output.4.isEmpty
                    ? String(match.output.0) : match.output.1 + match.output.2 + match.output.3 + redacted
            }
        }
        for secret in secrets {
            for quote in ["\"", "'"] where result.contains(quote + secret + quote) {
                result = result.replacing(quote + secret + quote, with: quote + redacted + quote)
            }
        }
        let long = Set(secrets.filter { $0.count >= 8 })
        if !long.isEmpty, long.contains(where: { result.contains($0) }) {
            result = redactingTokens(result, long)
        }
        return result
    }

    /// `text` with every token equal to one of `secrets` replaced.
    private static func redactingTokens(_ text: String, _ secrets: Set<String>) -> String {
        var result = ""
        var token = ""
        func flush() {
            result += secrets.contains(token) ? redacted : token
            token = ""
        }
        for character in text {
            if character.isWhitespace || "\"'=,:;()[]{}".contains(character) {
                flush()
                result.append(character)
            } else {
                token.append(character)
            }
        }
        flush()
        return result
    }

    /// `KEY = VALUE` where KEY names a password or secret: captures the key, the separator, an opening quote and
    /// the value.
    nonisolated(unsafe) private static let secretAssignment =
        #/([A-Za-z0-9_.\-]*(?i:password|secret)[A-Za-z0-9_.\-]*"?)(\s*[=:]\s*)("?)([^\s",;}]*)/#

    /// The text that stands for a secret value.
    public static let redacted = "[redacted]"

    private static func redactedArgument(_ argument: String) -> String {
        guard let equals = argument.firstIndex(of: "="), isSecret(String(argument[..<equals])) else {
            return argument
        }
        return String(argument[...equals]) + redacted
    }
}

extension String {
    func trimmingWhitespace() -> String {
        var slice = self[...]
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
