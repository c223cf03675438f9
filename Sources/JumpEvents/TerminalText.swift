/// The one rule for text from outside (events, message keys, headers, the environment) shown to people: which
/// characters could forge a line or reorder what a terminal shows, and how each is made visible.
///
/// Control characters (C0, DEL, C1), line and paragraph separators, bidirectional marks, embeddings, overrides
/// and isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069), and the byte-order mark are *unsafe*.
/// Operator output escapes them (``escaped(_:)``: `\e`, `\r`, `\n`, `\t`, `\u{202E}`), so they stay visible;
/// digests, written for staff, replace them with spaces (`Sanitizer` in JumpDigests) with the same rule.
package enum TerminalText {
    /// Whether `scalar` must never reach a terminal or a log line as it is.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true  // C0, DEL, C1 (NEL included)
        case 0x2028, 0x2029: true  // line and paragraph separators
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true  // bidirectional marks and overrides
        case 0xFEFF: true  // byte-order mark, zero-width no-break space
        default: false
        }
    }

    /// `text` with every unsafe character written as a visible escape and every backslash doubled, so the
    /// escaped text reads back unambiguously; text without them is returned as it is.
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) || $0 == "\\" }) else { return text }
        var result = ""
        result.reserveCapacity(text.utf8.count + 8)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{1B}": result += "\\e"
            case _ where isUnsafe(scalar):
                result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
