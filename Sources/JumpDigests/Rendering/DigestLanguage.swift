/// A language digests are written in, by its ISO 639-1 code: every rule of wording that differs between the two
/// is a `switch` (or a test for `.es`) on this type, never a comparison of strings.
package enum DigestLanguage: String, Sendable, Codable, ConfigurationChoice {
    /// Spanish (Mexico): the consulate's first language.
    case es
    /// English (United States).
    case en
}
