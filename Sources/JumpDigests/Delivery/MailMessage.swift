import Foundation
import JumpEvents

/// One digest e-mail to one recipient: plain UTF-8 text (base64), a subject encoded per RFC 2047, and a
/// Message-ID derived from the digest id and the recipient, the same on every retry, so a repeat can be dropped;
/// a copy sent again on request (`resend` 1, 2, …) has its own (`….r1@`), or a mail system would drop it.
package struct MailMessage: Sendable {
    /// The sender.
    package var from: String
    /// The recipient.
    package var to: String
    /// The whole message, CRLF line ends, ready for SMTP DATA or sendmail's input.
    package var text: String
    /// The Message-ID, with its angle brackets.
    package var messageID: String

    /// The message of `digest` for `recipient`, whose language comes first.
    package init(digest: Digest, from: String, recipient: StaffMember, resend: Int = 0) {
        self.from = from
        to = recipient.email
        let domain = from.split(separator: "@").last.map(String.init) ?? "jump-relay.invalid"
        let recipientHash = SHA256.hash(Array(recipient.email.lowercased().utf8)).prefix(8)
            .map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        let idPart = digest.id.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? String($0) : "." }.joined()
        messageID = "<\(idPart).\(recipientHash)\(resend > 0 ? ".r\(resend)" : "")@\(domain)>"
        let languages = digest.languages(for: recipient.language)
        let first = languages.first ?? digest.language
        // The subject leads with the news (a phone shows its first 40 to 60 characters); an empty window says so.
        let subject =
            DigestRenderer.newsLine(digest, language: first)
            ?? digest.text[first.rawValue]?.split(separator: "\n").first.map(String.init) ?? "JUMP"
        let body = digest.text(languages: languages).replacingOccurrences(of: "\n", with: "\r\n")
        let headers = [
            "From: jump-relay <\(from)>",
            "To: \(Self.encodedWord(Sanitizer.clean(recipient.name))) <\(recipient.email)>",
            "Subject: \(Self.encodedWord(Sanitizer.clean(subject, maximumLength: 200)))",
            "Date: \(Self.rfc5322Date(Date()))",
            "Message-ID: \(messageID)",
            "X-Jump-Digest-Id: \(digest.id)",
            "MIME-Version: 1.0",
        ]
        guard !digest.items.isEmpty else {
            text =
                (headers + ["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: base64"])
                .joined(separator: "\r\n") + "\r\n\r\n" + Self.base64(Data(body.utf8)) + "\r\n"
            return
        }
        // The window's full list as a CSV attachment staff open in a spreadsheet: UTF-8 with a byte-order mark,
        // headers in the reader's language.
        let boundary = "jump-\(idPart)-\(recipientHash)"
        let fileName = "jump-\(digest.audience)-\(digest.window.start.prefix(10)).csv"
        text =
            (headers + ["Content-Type: multipart/mixed; boundary=\"\(boundary)\""]).joined(separator: "\r\n")
            + "\r\n\r\n--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64"
            + "\r\n\r\n\(Self.base64(Data(body.utf8)))\r\n--\(boundary)\r\n"
            + "Content-Type: text/csv; charset=utf-8; name=\"\(fileName)\"\r\n"
            + "Content-Disposition: attachment; filename=\"\(fileName)\"\r\nContent-Transfer-Encoding: base64\r\n\r\n"
            + Self.base64(Data([0xEF, 0xBB, 0xBF]) + Data(Self.csv(digest, language: first).utf8))
            + "\r\n--\(boundary)--\r\n"
    }

    /// Base64 in lines of 76 characters, CRLF line ends.
    static func base64(_ data: Data) -> String {
        data.base64EncodedString(options: [.lineLength76Characters, .endLineWithCarriageReturn, .endLineWithLineFeed])
    }

    /// Every item of the digest as CSV (RFC 4180, CRLF line ends), most important first, with headers in
    /// `language`. A cell that a spreadsheet would read as a formula (`=`, `+`, `-`, `@`) starts with `'`.
    static func csv(_ digest: Digest, language: DigestLanguage) -> String {
        let spanish = language == .es
        let header =
            spanish
            ? ["importancia", "tipo", "titular", "fecha del evento", "recibido", "ID del evento", "asunto"]
            : ["importance", "type", "headline", "event time", "received", "event ID", "subject"]
        let rows = digest.items.map { item in
            [
                String(item.importance),
                JumpEventType(rawValue: item.type).map { DigestText.typeName($0, language: language) } ?? item.type,
                item.headline[language.rawValue] ?? item.headline.values.first ?? "", item.eventTime, item.receivedAt,
                Sanitizer.clean(item.eventId), Sanitizer.clean(item.subject),
            ]
        }
        return ([header] + rows).map { $0.map(Self.csvCell).joined(separator: ",") }.joined(separator: "\r\n") + "\r\n"
    }

    private static func csvCell(_ text: String) -> String {
        let safe = ["=", "+", "-", "@"].contains(where: text.hasPrefix) ? "'" + text : text
        guard safe.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) else { return safe }
        return "\"" + safe.replacing("\"", with: "\"\"") + "\""
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
