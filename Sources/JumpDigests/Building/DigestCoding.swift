import Foundation

/// The JSON form of digests: sorted keys, slashes unescaped, one line.
package enum DigestCoding {
    /// A digest as JSON bytes.
    package static func encode(_ digest: Digest) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        return Array((try? encoder.encode(digest)) ?? Data())
    }

    /// A digest from JSON.
    package static func decode(_ json: String) throws -> Digest {
        try JSONDecoder().decode(Digest.self, from: Data(json.utf8))
    }
}
