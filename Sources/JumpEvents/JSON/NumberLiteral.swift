/// Number literals read exactly, as JSON Schema's `integer` means them: a mathematical whole number.
enum NumberLiteral {
    /// The exact value of a number literal with a fraction or an exponent, when it is a whole number that fits an
    /// `Int64`; `nil` otherwise. Decided from the digits, never through a `Double` (which would round `1e-400` to 0
    /// and `99999999.99999999999999` to a whole number).
    static func exactInteger(_ text: UnsafeRawBufferPointer) -> Int64? {
        var index = 0
        let negative = text[0] == UInt8(ascii: "-")
        if negative { index += 1 }
        var digits: [UInt8] = []
        var fractionDigits = 0
        var inFraction = false
        while index < text.count, text[index] | 0x20 != UInt8(ascii: "e") {
            if text[index] == UInt8(ascii: ".") {
                inFraction = true
            } else {
                digits.append(text[index] &- 48)
                if inFraction { fractionDigits += 1 }
            }
            index += 1
        }
        var exponent = 0
        if index < text.count {
            index += 1
            var sign = 1
            if text[index] == UInt8(ascii: "+") || text[index] == UInt8(ascii: "-") {
                sign = text[index] == UInt8(ascii: "-") ? -1 : 1
                index += 1
            }
            while index < text.count {
                exponent = min(exponent * 10 + Int(text[index] &- 48), 100_000)
                index += 1
            }
            exponent *= sign
        }
        // value = digits × 10^(exponent − fractionDigits), after dropping leading and trailing zeros.
        var scale = exponent - fractionDigits
        while let first = digits.first, first == 0 { digits.removeFirst() }
        if digits.isEmpty { return 0 }
        while let last = digits.last, last == 0 {
            digits.removeLast()
            scale += 1
        }
        guard scale >= 0, digits.count + scale <= 19 else { return nil }
        var value: Int64 = 0
        for digit in digits + Array(repeating: 0, count: scale) {
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(digit))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return negative ? -value : value
    }
}
