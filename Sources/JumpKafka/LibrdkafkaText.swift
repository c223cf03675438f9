/// Text librdkafka writes (log lines, error reasons) as it may be shown to people: it repeats what it was given
/// (a broker name from `-b`, a topic), so a control character or bidirectional override there must not reach a
/// terminal or a log line raw.
///
/// The rule is JumpEvents' `TerminalText`, which this module cannot see; a test proves the two agree on every
/// scalar.
package enum LibrdkafkaText {
    /// Whether `scalar` must be escaped.
    package static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x2028, 0x2029, 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069,
            0xFEFF:
            true
        default: false
        }
    }

    /// `text` with every unsafe character as a visible escape (`\e`, `\n`, `\u{202E}`) and backslashes doubled;
    /// text without them as it is.
    package static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { isUnsafe($0) || $0 == "\\" }) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{1B}": result += "\\e"
            case _ where isUnsafe(scalar): result += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
