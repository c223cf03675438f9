import Foundation
import JumpEvents

/// The operators who may sign in to the console, by name, from `console.tokenFile`: a tokens file in the shape of
/// `jump-producer serve`'s, holding only each token's SHA-256,
///
/// ```json
/// {"tokens": [{"name": "ana", "sha256": "<64 hex digits>"}, {"name": "luis", "sha256": "<64 hex digits>"}]}
/// ```
///
/// or, as before, a file holding one token (at least 16 characters), whose operator is named `console`.
package struct ConsoleOperators: Sendable, Equatable {
    /// One operator: the name logs and settlement records show (never the token), and the token's SHA-256.
    struct Operator: Sendable, Equatable {
        var name: String
        var hash: [UInt8]
    }

    let operators: [Operator]
    /// The token of a file holding one, as a secret the logs must never show; `nil` for a tokens file.
    package let plainToken: String?

    /// The operators a file's text names.
    /// - Throws: ``TokensFileError`` naming the place in the file and what is wrong.
    package init(fileText: String) throws(TokensFileError) {
        let text = fileText.trimmingCharacters(in: .whitespacesAndNewlines)
        guard text.hasPrefix("{") else {
            guard text.count >= 16 else {
                throw TokensFileError(
                    at: "", "must hold a token of at least 16 characters (openssl rand -hex 24), or a tokens file")
            }
            operators = [Operator(name: "console", hash: SHA256.hash(text.utf8))]
            plainToken = text
            return
        }
        plainToken = nil
        operators = try NamedTokensFile.entries(Array(text.utf8), keys: [], noun: "operator").map {
            Operator(name: $0.name, hash: $0.hash)
        }
        guard !operators.isEmpty else { throw TokensFileError(at: "/tokens", "names no operator") }
    }

    /// The name of the operator whose token `presented` is, compared in constant time with every hash.
    func authenticate(_ presented: String) -> String? {
        NamedTokensFile.match(presented, among: operators.lazy.map(\.hash)).map { operators[$0].name }
    }

    /// How many operators there are.
    package var count: Int { operators.count }
}
