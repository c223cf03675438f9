import Dispatch
import Foundation
import JumpState

/// Sends one e-mail message.
package protocol MailTransport: Sendable {
    /// Sends the message; throws a ``DeliveryFailure`` that says whether retrying can help.
    func send(_ message: MailMessage) async throws(DeliveryFailure)
}

/// Plain SMTP to a relay (RFC 5321: EHLO, MAIL, RCPT, DATA, QUIT), on a trusted network or loopback. The
/// blocking socket work runs on a Dispatch thread, never on the concurrency pool.
package struct SMTPTransport: MailTransport {
    /// The relay.
    package let relay: SMTPRelay
    /// How long to wait for any answer, in seconds.
    package var timeoutSeconds = 30

    /// A transport to `relay`.
    package init(relay: SMTPRelay) { self.relay = relay }

    /// Sends the message: a 5xx answer is a permanent failure, anything else that fails may be retried.
    package func send(_ message: MailMessage) async throws(DeliveryFailure) {
        let relay = relay
        let timeout = timeoutSeconds
        try await onDispatchThread { () throws(DeliveryFailure) in
            var session = try SMTPSession(relay: relay, timeoutSeconds: timeout)
            defer { session.close() }
            try session.deliver(message)
        }
    }
}

/// Runs blocking work (sockets, a child process, file writes and `fsync`) on a Dispatch thread, never on the
/// concurrency pool, whose few threads (two on a two-core machine) would otherwise wait with it.
func onDispatchThread<T: Sendable>(
    _ work: @escaping @Sendable () throws(DeliveryFailure) -> T
) async throws(DeliveryFailure) -> T {
    let result: Result<T, DeliveryFailure> = await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: Result(catching: work)) }
    }
    return try result.get()
}

/// One SMTP conversation over a blocking socket.
private struct SMTPSession {
    private var descriptor: Int32
    private var buffer: [UInt8] = []
    private let relayName: String

    init(relay: SMTPRelay, timeoutSeconds: Int) throws(DeliveryFailure) {
        relayName = "\(relay.host):\(relay.port)"
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(relay.host, String(relay.port), &hints, &list) == 0, let first = list else {
            throw DeliveryFailure("SMTP relay \(relayName): cannot resolve \(relay.host)")
        }
        defer { freeaddrinfo(list) }
        var connected: Int32 = -1
        var address: UnsafeMutablePointer<addrinfo>? = first
        while let entry = address {
            let socketDescriptor = socket(entry.pointee.ai_family, entry.pointee.ai_socktype, entry.pointee.ai_protocol)
            if socketDescriptor >= 0 {
                var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
                setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                if connect(socketDescriptor, entry.pointee.ai_addr, entry.pointee.ai_addrlen) == 0 {
                    connected = socketDescriptor
                    break
                }
                Foundation.close(socketDescriptor)
            }
            address = entry.pointee.ai_next
        }
        guard connected >= 0 else {
            throw DeliveryFailure("SMTP relay \(relayName): cannot connect: \(String(cString: strerror(errno)))")
        }
        descriptor = connected
    }

    mutating func deliver(_ message: MailMessage) throws(DeliveryFailure) {
        try expect(220, after: nil)
        try expect(250, after: "EHLO jump-relay")
        try expect(250, after: "MAIL FROM:<\(message.from)>")
        try expect(250, after: "RCPT TO:<\(message.to)>", alsoAccepting: 251)
        try expect(354, after: "DATA")
        // Dot-stuffing: a line that starts with "." gets another one.
        let body = message.text.split(separator: "\r\n", omittingEmptySubsequences: false)
            .map { $0.hasPrefix(".") ? "." + $0 : String($0) }.joined(separator: "\r\n")
        try expect(250, after: body + (body.hasSuffix("\r\n") ? "" : "\r\n") + ".")
        try? expect(221, after: "QUIT")
    }

    mutating func close() {
        if descriptor >= 0 { Foundation.close(descriptor) }
        descriptor = -1
    }

    /// Sends a command (if any) and reads the reply; a reply other than `code` is a failure, permanent for 5xx.
    private mutating func expect(
        _ code: Int, after command: String?, alsoAccepting other: Int? = nil
    )
        throws(DeliveryFailure)
    {
        if let command { try send(command + "\r\n") }
        let (reply, text) = try readReply()
        guard reply == code || reply == other else {
            let what = command.map { $0.hasPrefix("MAIL") || $0.hasPrefix("RCPT") || $0.count < 40 ? $0 : "message" }
            throw DeliveryFailure(
                "SMTP relay \(relayName) answered \(reply) \(Sanitizer.clean(text)) to \(what ?? "connecting")",
                permanent: reply >= 500)
        }
    }

    private mutating func send(_ text: String) throws(DeliveryFailure) {
        let bytes = Array(text.utf8)
        var sent = 0
        while sent < bytes.count {
            let result = bytes[sent...].withUnsafeBytes {
                Foundation.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL))
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw DeliveryFailure("SMTP relay \(relayName): cannot send: \(String(cString: strerror(errno)))")
            }
            sent += result
        }
    }

    /// Reads a reply, multi-line ones (`250-...`) included; returns its code and last line.
    private mutating func readReply() throws(DeliveryFailure) -> (Int, String) {
        while true {
            let line = try readLine()
            guard line.count >= 3, let code = Int(line.prefix(3)) else {
                throw DeliveryFailure("SMTP relay \(relayName): not an SMTP reply: \(Sanitizer.clean(line))")
            }
            if line.count == 3 || line.dropFirst(3).first == " " { return (code, String(line.dropFirst(4))) }
        }
    }

    private mutating func readLine() throws(DeliveryFailure) -> String {
        while true {
            if let end = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                var line = Array(buffer[..<end])
                buffer.removeSubrange(...end)
                if line.last == UInt8(ascii: "\r") { line.removeLast() }
                return String(decoding: line, as: UTF8.self)
            }
            var chunk = [UInt8](repeating: 0, count: 4096)
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                throw DeliveryFailure(
                    "SMTP relay \(relayName): connection closed or timed out waiting for a reply")
            }
            buffer += chunk[..<count]
        }
    }
}

/// A sendmail-compatible command (`/usr/sbin/sendmail -t -i`, `msmtp -t`): the message goes to its standard
/// input, and it must read the recipient from the headers. A non-zero exit is a failure that may be retried.
package struct SendmailTransport: MailTransport {
    /// The command and its arguments.
    package let command: [String]

    /// A transport through `command`.
    package init(command: [String]) { self.command = command }

    /// Runs the command with the message on its standard input.
    package func send(_ message: MailMessage) async throws(DeliveryFailure) {
        let command = command
        try await onDispatchThread { () throws(DeliveryFailure) in try Self.run(command, message) }
    }

    private static func run(_ command: [String], _ message: MailMessage) throws(DeliveryFailure) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let input = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw DeliveryFailure("cannot run \(command[0]): \(error.localizedDescription)")
        }
        // Read its errors while writing its input, so neither pipe can fill up and block the other side.
        let errorOutput = DispatchQueue(label: "jump.sendmail.stderr")
        nonisolated(unsafe) var errorText = Data()
        let group = DispatchGroup()
        errorOutput.async(group: group) { errorText = errors.fileHandleForReading.readDataToEndOfFile() }
        let text = message.text.replacingOccurrences(of: "\r\n", with: "\n")
        try? input.fileHandleForWriting.write(contentsOf: Data(text.utf8))
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
        group.wait()
        guard process.terminationReason == .exit, process.terminationStatus == 0 else {
            let detail = Sanitizer.clean(String(decoding: errorText, as: UTF8.self), maximumLength: 200)
            throw DeliveryFailure(
                "\(command[0]) exited with \(process.terminationStatus) for \(message.to)"
                    + (detail.isEmpty ? "" : ": \(detail)"))
        }
    }
}

/// The e-mail sink: one message per staff member per digest, each retried on its own.
package struct EmailSink: DigestSink {
    /// `email`.
    package let name = "email"
    /// The settings.
    package let settings: EmailSettings
    /// How messages leave.
    package let transport: any MailTransport
    /// The audiences, to find a recipient's name and language.
    package let audiences: [Audience]

    /// An e-mail sink.
    package init(settings: EmailSettings, transport: any MailTransport, audiences: [Audience]) {
        self.settings = settings
        self.transport = transport
        self.audiences = audiences
    }

    /// The sink of the configuration's e-mail settings, or `nil` when e-mail is off.
    package static func configured(_ configuration: DigestConfiguration) -> EmailSink? {
        guard let settings = configuration.email else { return nil }
        let transport: any MailTransport =
            if let smtp = settings.smtp { SMTPTransport(relay: smtp) } else {
                SendmailTransport(command: settings.sendmail ?? ["/usr/sbin/sendmail", "-t", "-i"])
            }
        return EmailSink(settings: settings, transport: transport, audiences: configuration.audiences)
    }

    /// Every staff member's address.
    package func recipients(for audience: Audience) -> [String] { audience.staff.map(\.email) }

    /// Sends the digest to one staff member.
    package func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        let member =
            audiences.first { $0.id == digest.audience }?.staff.first { $0.email == delivery.key.recipient }
            ?? StaffMember(
                name: delivery.key.recipient, role: "", email: delivery.key.recipient, language: digest.language)
        // The configuration was checked when it was loaded; a recipient recorded by an older version was not.
        for (role, address) in [("sender", settings.from), ("recipient", member.email)] {
            if let problem = MailAddress.problem(address) {
                throw DeliveryFailure(
                    "the \(role) \"\(address)\" is not an e-mail address: \(problem)",
                    permanent: true)
            }
        }
        try await transport.send(
            MailMessage(digest: digest, from: settings.from, recipient: member, resend: delivery.resends))
    }
}
