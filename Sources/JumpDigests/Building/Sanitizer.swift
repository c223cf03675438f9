import JumpEvents

/// Makes event text safe to print in a digest, a log or an e-mail: the characters ``TerminalText`` calls unsafe
/// (control characters, line and paragraph separators, bidirectional marks and overrides) become spaces (so no text can forge a log line or a header), runs of
/// white space collapse to one, and overlong text is cut with an ellipsis.
package enum Sanitizer {
    /// The longest text kept, in characters.
    package static let maximumLength = 280

    /// The cleaned text.
    package static func clean(_ text: String, maximumLength: Int = Sanitizer.maximumLength) -> String {
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

    private static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { TerminalText.isUnsafe(scalar) }
}
