/// The e-mail addresses jump-relay writes into headers and SMTP commands: RFC 5322 addr-specs in their plain
/// form (`local@domain`, a dot-atom on each side, or an address literal such as `[192.0.2.1]` as the domain).
///
/// Anything else is refused before a message is ever built: a CR or LF (a `Bcc:` header smuggled in), other
/// control and bidirectional characters (a reordered `To:`), quoted local parts, comments, display names, and
/// non-ASCII addresses (SMTPUTF8 is not supported).
package enum MailAddress {
    /// Why `address` cannot be used, or `nil` when it is a plain addr-spec.
    package static func problem(_ address: String) -> String? {
        if address.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
            return "it holds a control character (a line break would add a header)"
        }
        guard address.unicodeScalars.allSatisfy(\.isASCII) else {
            return "it holds a character outside ASCII (a bidirectional mark or an internationalized address; "
                + "only plain ASCII addresses are sent)"
        }
        guard let at = address.lastIndex(of: "@") else { return "it has no @" }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard address.utf8.count <= 254, local.utf8.count <= 64 else {
            return "it is longer than an address may be (64 before the @, 254 in all)"
        }
        guard isDotAtom(local) else {
            return "it has a local part that is not letters, digits and !#$%&'*+-/=?^_`{|}~ between single dots"
        }
        guard isDotAtom(domain) || isAddressLiteral(domain) else {
            return "it has a domain that is not a host name or an address in brackets"
        }
        return nil
    }

    private static let atext = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!#$%&'*+-/=?^_`{|}~")

    /// Runs of `atext` separated by single dots.
    private static func isDotAtom(_ text: Substring) -> Bool {
        let atoms = text.split(separator: ".", omittingEmptySubsequences: false)
        return atoms.allSatisfy { !$0.isEmpty && $0.allSatisfy(atext.contains) }
    }

    /// `[...]` holding digits, hex, dots and colons (an IPv4 or `IPv6:` address).
    private static func isAddressLiteral(_ text: Substring) -> Bool {
        guard text.count > 2, text.first == "[", text.last == "]" else { return false }
        return text.dropFirst().dropLast().allSatisfy { $0.isHexDigit || $0 == "." || $0 == ":" || "IPv".contains($0) }
    }
}
