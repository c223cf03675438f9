/// A value a configuration file chooses by name among a closed set (a sink, a language): decoding refuses any
/// other name with its place and the names it may be, instead of a decoder's generic complaint.
package protocol ConfigurationChoice: RawRepresentable, CaseIterable, Decodable, CustomStringConvertible
where RawValue == String {}

extension ConfigurationChoice {
    /// Decodes a name, refusing an unknown one with the names it may be.
    package init(from decoder: any Decoder) throws {
        let name = try decoder.singleValueContainer().decode(String.self)
        guard let value = Self(rawValue: name) else {
            throw DecodingError.dataCorrupted(
                .init(
                    codingPath: decoder.codingPath,
                    debugDescription: "\"\(name)\" is not one of \(Self.allCases.map(\.rawValue))"))
        }
        self = value
    }

    /// The name, as the configuration writes it.
    package var description: String { rawValue }
}
