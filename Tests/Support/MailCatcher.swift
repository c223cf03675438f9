import Foundation
import Testing

/// A real SMTP server on loopback (`Tests/Interop/mail_catcher.py`, aiosmtpd) that keeps every message it
/// accepts, for e-mail tests.
public final class MailCatcher: @unchecked Sendable {  // used by one test at a time
    /// The server process.
    public let process: ChildProcess
    /// Its port on 127.0.0.1.
    public let port: Int
    /// Where it keeps messages.
    public let maildir: URL

    /// One message as received.
    public struct Message: Sendable, Decodable {
        /// The envelope sender.
        public var from: String
        /// The envelope recipients.
        public var to: [String]
        /// The Message-ID header.
        public var messageID: String?
        /// The X-Jump-Digest-Id header.
        public var digestID: String?
        /// The decoded subject.
        public var subject: String
        /// The decoded text body.
        public var body: String
        /// The attachments, decoded.
        public var attachments: [Attachment]

        /// An attachment as received.
        public struct Attachment: Sendable, Decodable {
            /// Its file name.
            public var filename: String?
            /// Its media type (`text/csv`).
            public var contentType: String
            /// Its charset parameter.
            public var charset: String?
            /// Its bytes as UTF-8 text (a byte-order mark kept as U+FEFF).
            public var text: String

            private enum CodingKeys: String, CodingKey {
                case filename, charset
                case contentType = "content_type"
                case text = "bytes_utf8"
            }
        }

        private enum CodingKeys: String, CodingKey {
            case from, to, subject, body, attachments
            case messageID = "message_id"
            case digestID = "digest_id"
        }
    }

    /// Starts a server; `delay` seconds before each message is accepted; `reject` addresses get a 550.
    public init(delay: Double = 0, reject: [String] = []) async throws {
        maildir = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("maildir"))
        process = try ChildProcess(
            "/usr/bin/env",
            ["python3", packageRoot.appendingPathComponent("Tests/Interop/mail_catcher.py").path, maildir.path]
                + (delay > 0 ? ["--delay", String(delay)] : []) + reject.flatMap { ["--reject", $0] })
        let process = process
        try await eventually("the mail catcher listens", timeout: .seconds(20)) {
            process.output.contains("port=") || !process.process.isRunning
        }
        guard let line = process.output.split(separator: "\n").first(where: { $0.hasPrefix("port=") }),
            let port = Int(line.dropFirst(5))
        else { throw TimedOut(what: "the mail catcher's port: \(process.output)") }
        self.port = port
    }

    /// Every message received so far, in order.
    public func messages() throws -> [Message] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: maildir.path)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.sorted().map {
            try JSONDecoder().decode(Message.self, from: Data(contentsOf: maildir.appendingPathComponent($0)))
        }
    }

    deinit { process.signal(SIGTERM) }
}
