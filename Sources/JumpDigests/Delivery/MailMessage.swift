import Foundation
import JumpEvents

/// One digest e-mail to one recipient: plain UTF-8 text (base64), a subject encoded per RFC 2047, and a
/// Message-ID derived from the digest id and the recipient, the same on every retry, so a repeat can be dropped.
public struct MailMessage: Sendable {
    /// The sender.
    public var from: String
    /// The recipient.
    public var to: String
    /// The whole message, CRLF line ends, ready for SMTP DATA or sendmail's input.
    public var text: String
    /// The Message-ID, with its angle brackets.
    public var messageID: String

    /// The message of `digest` for `recipient`, whose language comes first.
    public init(digest: Digest, from: String, recipient: StaffMember) {
        self.from = from
        to = recipient.email
        let domain = from.split(separator: "@").last.map(String.init) ?? "jump-relay.invalid"
        let recipientHash = SHA256.hash(Array(recipient.email.lowercased().utf8)).prefix(8)
            .map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let idPart = digest.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? String($0) : "." }.joined()
        messageID = "<\(idPart).\(recipientHash)@\(domain)>"
        let languages = digest.languages(for: recipient.language)
        // What people read is in the audience's time; the id (Message-ID, the digest's id) stays in UTC.
        let start = digest.window.localStart
        let lines = Int64(DigestRenderer.lines(digest.items).count)
        let subject =
            languages.first == "es"
            ? "Resumen JUMP · \(digest.audienceName) · \(start) (\(Wording.counted(lines, "novedad", "novedades")))"
            : "JUMP digest · \(digest.audienceName) · \(start) (\(Wording.counted(lines, "item", "items")))"
        let body = digest.text(languages: languages).replacingOccurrences(of: "\n", with: "\r\n")
        let encodedBody = Data(body.utf8).base64EncodedString(options: [
            .lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed,
        ])
        let headers = [
            "From: jump-relay <\(from)>",
            "To: \(Self.encodedWord(Sanitizer.clean(recipient.name))) <\(recipient.email)>",
            "Subject: \(Self.encodedWord(Sanitizer.clean(subject, maximumLength: 200)))",
            "Date: \(Self.rfc5322Date(Date()))",
            "Message-ID: \(messageID)",
            "X-Jump-Digest-Id: \(digest.id)",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: base64",
        ]
        text = headers.joined(separator: "\r\n") + "\r\n\r\n" + encodedBody + "\r\n"
    }

    /// ASCII text as is; anything else as one or more RFC 2047 encoded words.
    static func encodedWord(_ text: String) -> String {
        if text.allSatisfy({ $0.isASCII && !$0.isNewline }) { return text }
        // Encoded words are at most 75 characters: split the text into chunks of whole characters.
        var words: [String] = []
        var chunk = ""
        for character in text {
            if (chunk + String(character)).utf8.count > 45 {
                words.append(chunk)
                chunk = ""
            }
            chunk.append(character)
        }
        if !chunk.isEmpty { words.append(chunk) }
        return words.map { "=?UTF-8?B?\(Data($0.utf8).base64EncodedString())?=" }.joined(separator: "\r\n ")
    }

    static func rfc5322Date(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss '+0000'"
        return formatter.string(from: date)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
