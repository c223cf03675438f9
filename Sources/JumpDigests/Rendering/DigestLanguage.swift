/// A language digests are written in, by its ISO 639-1 code: every rule of wording that differs between the two
/// is a `switch` (or a test for `.es`) on this type, never a comparison of strings.
package enum DigestLanguage: String, Sendable, Codable, CaseIterable, CustomStringConvertible {
    /// Spanish (Mexico): the consulate's first language.
    case es
    /// English (United States).
    case en

    /// Decodes a code, refusing any other with the codes it may be.
    package init(from decoder: any Decoder) throws {
        let code = try decoder.singleValueContainer().decode(String.self)
        guard let language = Self(rawValue: code) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(code)\" is not one of \(Self.allCases.map(\.rawValue))"))
        }
        self = language
    }

    /// The code.
    package var description: String { rawValue }
}
