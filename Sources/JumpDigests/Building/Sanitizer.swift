/// Makes event text safe to print in a digest, a log or an e-mail: control characters, line and paragraph
/// separators and bidirectional overrides become spaces (so no text can forge a log line or a header), runs of
/// white space collapse to one, and overlong text is cut with an ellipsis.
public enum Sanitizer {
    /// The longest text kept, in characters.
    public static let maximumLength = 280

    /// The cleaned text.
    public static func clean(_ text: String, maximumLength: Int = Sanitizer.maximumLength) -> String {
        var result = ""
        result.reserveCapacity(min(text.utf8.count, maximumLength * 2))
        var lastWasSpace = true
        var count = 0
        for scalar in text.unicodeScalars {
            let replaced: Unicode.Scalar = isUnsafe(scalar) || scalar.properties.isWhitespace ? " " : scalar
            if replaced == " " {
                if lastWasSpace { continue }
                lastWasSpace = true
            } else {
                lastWasSpace = false
            }
            if count == maximumLength {
                while result.last == " " { result.removeLast() }
                result.append("…")
                return result
            }
            result.unicodeScalars.append(replaced)
            count += 1
        }
        while result.last == " " { result.removeLast() }
        return result
    }

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional marks and overrides
        case 0xFEFF: true
        default: false
        }
    }
}
