/// A file of named tokens that holds only each token's SHA-256, the shape both `jump-producer serve`'s clients
/// and the console's operators are given in:
///
/// ```json
/// {"tokens": [{"name": "ana", "sha256": "<64 hex digits>", …}]}
/// ```
///
/// This reads the shape (the names, the hashes, no name or hash twice, no unknown key); each user reads its own
/// members of an entry.
package enum NamedTokensFile {
    /// One entry: its name, its token's SHA-256, its members, and its JSON pointer (`/tokens/3`).
    package struct Entry: Sendable {
        /// The name logs show, never the token.
        package var name: String
        /// The token's SHA-256.
        package var hash: [UInt8]
        /// The entry's members, for the user's own keys.
        package var object: JSONObject
        /// Where it is in the file.
        package var path: String
    }

    /// The entries of `text`, each allowed the members `keys` besides `name` and `sha256`; `noun` names an entry
    /// in errors (`token`, `operator`).
    /// - Throws: ``TokensFileError`` naming the place and what is wrong.
    package static func entries(_ text: [UInt8], keys: [String], noun: String) throws(TokensFileError) -> [Entry] {
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
        let known = ["name", "sha256"] + keys
        var entries: [Entry] = []
        for (index, value) in list.enumerated() {
            let path = "/tokens/\(index)"
            guard case .object(let object) = value else { throw TokensFileError(at: path, "must be an object") }
            if let other = object.members.first(where: { !known.contains($0.key) }) {
                throw TokensFileError(
                    at: "\(path)/\(other.key)",
                    "is not a key of \("aeiou".contains(noun.prefix(1)) ? "an" : "a") \(noun) (\(known.joined(separator: ", ")))"
                )
            }
            guard case .string(let name)? = object["name"], !name.isEmpty, name.count <= 64,
                name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) })
            else {
                throw TokensFileError(at: "\(path)/name", "must be 1 to 64 of a-z A-Z 0-9 . _ -")
            }
            guard case .string(let hex)? = object["sha256"], let hash = sha256(hexadecimal: hex) else {
                throw TokensFileError(
                    at: "\(path)/sha256",
                    "must be the token's SHA-256 in 64 hexadecimal digits (printf %s TOKEN | sha256sum)")
            }
            if entries.contains(where: { $0.name == name }) {
                throw TokensFileError(at: "\(path)/name", "\"\(name)\" is the name of an earlier \(noun)")
            }
            if let earlier = entries.first(where: { $0.hash == hash }) {
                throw TokensFileError(at: "\(path)/sha256", "is the hash of \"\(earlier.name)\"'s token as well")
            }
            entries.append(Entry(name: name, hash: hash, object: object, path: path))
        }
        return entries
    }

    /// The position among `hashes` of the one that is `presented`'s, every hash compared in constant time (a
    /// lazy view of the callers' entries: nothing is copied per request).
    package static func match(_ presented: String, among hashes: some Sequence<[UInt8]>) -> Int? {
        let hash = SHA256.hash(presented.utf8)
        var found: Int?
        for (index, candidate) in hashes.enumerated() where constantTimeEqual(candidate, hash) { found = index }
        return found
    }

    /// Whether two byte strings are equal, in a time that does not depend on where they differ.
    package static func constantTimeEqual(_ left: [UInt8], _ right: [UInt8]) -> Bool {
        var difference = UInt8(left.count == right.count ? 0 : 1)
        for index in 0..<max(left.count, right.count) {
            difference |= (index < left.count ? left[index] : 0) ^ (index < right.count ? right[index] : 0)
        }
        return difference == 0
    }

    /// 64 hexadecimal digits as 32 bytes.
    private static func sha256(hexadecimal text: String) -> [UInt8]? {
        let digits = Array(text.utf8)
        guard digits.count == 64 else { return nil }
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

    /// The mistake at `path`.
    package init(at path: String, _ message: String) {
        self.path = path
        self.message = message
    }

    /// `path: message`.
    package var description: String { path.isEmpty ? message : "\(path): \(message)" }
}

/// Hexadecimal digits, for percent-encoded headers and token hashes.
package enum Hexadecimal {
    /// The value of one digit (either case), `nil` for any other byte.
    package static func value(_ digit: UInt8) -> UInt8? {
        switch digit {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): digit - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): digit - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): digit - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
