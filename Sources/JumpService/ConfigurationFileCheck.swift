import Foundation
import JumpEvents

/// Checks a `--config` file strictly before its values are read: one JSON object, no duplicate keys, no
/// trailing commas (the strict parser of JumpEvents), every key known, every value of its type. Keys that start
/// with `//` are comments, at any level. A mistake is refused with the key's path, the value and what is
/// allowed, and `jump-consumer` exits 78.
enum ConfigurationFileCheck {
    /// What a key holds.
    enum Kind: Sendable {
        case string
        case integer
        case object([String: Kind])
    }

    /// The `kafka` object: the security settings, and a `*File` for each secret.
    static let kafkaSchema: Kind = {
        var kafka: [String: Kind] = [:]
        for (key, _, secret) in ConsumerSettings.kafkaKeys {
            let name = String(key.dropFirst("kafka.".count))
            kafka[name] = .string
            if secret { kafka[name + "File"] = .string }
        }
        return .object(kafka)
    }()

    /// The keys a configuration file may hold (`Deploy/consumer.example.json` documents each).
    static let schema: [String: Kind] = {
        var keys: [String: Kind] = [
            "log": .object(["level": .string, "format": .string]), "readiness": .object(["maxLag": .integer]),
            "kafka": kafkaSchema, "placement": .object(["partitioner": .string, "checkFrom": .string]),
            "console": .object(["tokenFile": .string, "hosts": .string]),
        ]
        for key in [
            "role", "brokers", "state", "topic", "dlqTopic", "group", "notificationsTopic", "digestsTopic",
            "offsetReset", "digestConfig", "digestDir", "http",
        ] {
            keys[key] = .string
        }
        for key in ["batchSize", "pauseMs", "ledgerWindow", "shutdownTimeoutSeconds", "waitTimeoutSeconds"] {
            keys[key] = .integer
        }
        return keys
    }()

    /// Reads and checks the file; returns its values by flattened key (`log.level`), comments left out.
    ///
    /// - Throws: ``SettingsError`` naming the first mistake.
    static func check(path: String, schema: [String: Kind] = schema) throws(SettingsError) -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: path) else {
            var isDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
            let why = !exists ? "no such file" : isDirectory.boolValue ? "it is a directory" : "it cannot be read"
            throw SettingsError(key: "config", value: path, allowed: "must be a readable JSON file (\(why))")
        }
        var limits = JSONLimits()
        limits.maximumBytes = 1 << 20
        let document: JSONValue
        do {
            document = try JSONParser(limits: limits).parse(Array(data))
        } catch {
            throw SettingsError(key: "config", value: path, allowed: "must be one JSON object: \(error)")
        }
        guard case .object(let object) = document else {
            throw SettingsError(
                key: "config", value: path, allowed: "must be one JSON object, not \(document.typeName)")
        }
        try check(object, schema, prefix: "")
        var values: [String: JSONValue] = [:]
        flatten(object, prefix: "", into: &values)
        return values
    }

    private static func flatten(_ object: JSONObject, prefix: String, into values: inout [String: JSONValue]) {
        for member in object.members where !member.key.hasPrefix("//") {
            if case .object(let inner) = member.value {
                flatten(inner, prefix: prefix + member.key + ".", into: &values)
            } else {
                values[prefix + member.key] = member.value
            }
        }
    }

    private static func check(_ object: JSONObject, _ schema: [String: Kind], prefix: String) throws(SettingsError) {
        for member in object.members where !member.key.hasPrefix("//") {
            let key = prefix + member.key
            let suggested = schema[member.key] == nil ? closest(member.key, in: schema.keys) : nil
            // A secret's value never reaches an error (and so stderr and the journal), nor does the value of a
            // key that looks like one (a misspelt password is still a password).
            let value =
                isSecretLike(member.key) || suggested.map(isSecretLike) == true ? "(redacted)" : shown(member.value)
            guard let kind = schema[member.key] else {
                let suggestion = suggested.map { " (did you mean \(prefix)\($0)?)" } ?? ""
                throw SettingsError(
                    key: key, value: value,
                    allowed: "is not a configuration key\(suggestion); keys starting with // are comments")
            }
            switch (kind, member.value) {
            case (.string, .string), (.integer, .integer): continue
            case (.object(let nested), .object(let inner)): try check(inner, nested, prefix: key + ".")
            case (.string, _):
                throw SettingsError(key: key, value: value, allowed: "must be a string")
            case (.integer, _):
                throw SettingsError(key: key, value: value, allowed: "must be a whole number")
            case (.object(let nested), _):
                throw SettingsError(
                    key: key, value: value,
                    allowed: "must be an object with \(nested.keys.sorted().joined(separator: ", "))")
            }
        }
    }

    /// Whether a key names a secret or looks like it might (password, secret, token, credential, in any case
    /// and with common misspellings).
    static func isSecretLike(_ key: String) -> Bool {
        let name = key.lowercased()
        return ["passw", "pasw", "passwd", "pwd", "secret", "token", "credential"].contains { name.contains($0) }
            && !name.hasSuffix("file")
    }

    /// The value as JSON, shortened for a message; an object or an array only by its kind, since it may hold a
    /// secret under any key (`{"Kafka": {"saslPassword": …}}`).
    private static func shown(_ value: JSONValue) -> String {
        if case .object = value { return "(an object)" }
        if case .array = value { return "(an array)" }
        let text = JSONWriter.string(value)
        return text.count > 80 ? String(text.prefix(77)) + "..." : text
    }

    /// The known key nearest to `key` (case-insensitive, at most a third of its letters different).
    private static func closest(_ key: String, in keys: some Collection<String>) -> String? {
        let candidates = keys.map { ($0, distance($0.lowercased(), key.lowercased())) }
        guard let best = candidates.min(by: { $0.1 < $1.1 }), best.1 <= max(1, key.count / 3) else { return nil }
        return best.0
    }

    private static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var previous = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var current = [i] + Array(repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return a.isEmpty ? b.count : previous[b.count]
    }
}
