import Foundation

/// The JSON form of digests: sorted keys, slashes unescaped, one line.
public enum DigestCoding {
    /// A digest as JSON bytes.
    public static func encode(_ digest: Digest) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        return Array((try? encoder.encode(digest)) ?? Data())
    }

    /// A digest from JSON.
    public static func decode(_ json: String) throws -> Digest {
        try JSONDecoder().decode(Digest.self, from: Data(json.utf8))
    }
}
