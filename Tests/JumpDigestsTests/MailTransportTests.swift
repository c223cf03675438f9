import Foundation
import JumpDigests
import JumpState
import JumpTestSupport
import Testing

@Suite("E-mail transports against a real SMTP server")
struct MailTransportTests {
    private func message(to recipient: String, language: DigestLanguage = .es) async throws -> MailMessage {
        var fixture = try DigestFixture()
        let built = try await fixture.closeOneWindow(try DigestFixture.pressRelease())
        let digest = try DigestCoding.decode(built.first { $0.audience == "consulate" }!.json)
        return MailMessage(
            digest: digest, from: "jump-relay@example.org",
            recipient: StaffMember(name: "Cónsul General", role: "Consul", email: recipient, language: language))
    }

    @Test("SMTP: the message arrives with its subject, body and Message-ID; a 550 is a permanent failure")
    func smtp() async throws {
        let catcher = try await MailCatcher(reject: ["nobody@example.org"])
        let transport = SMTPTransport(relay: SMTPRelay(host: "127.0.0.1", port: catcher.port))
        let sent = try await message(to: "consul-general@example.org")
        try await transport.send(sent)
        let rejected = try await message(to: "nobody@example.org")
        do {
            try await transport.send(rejected)
            Issue.record("a rejected recipient was accepted")
        } catch {
            #expect(error.isPermanent)
            #expect(error.reason.contains("550"))
        }
        let received = try catcher.messages()
        #expect(received.count == 1)
        #expect(received.first?.to == ["consul-general@example.org"])
        #expect(received.first?.messageID == sent.messageID)
        // News first: the subject and the body's first line are the most important item's news.
        let subject = try #require(received.first?.subject)
        // The news in what a phone shows (about 60 characters), the count after it.
        #expect(
            subject.hasPrefix("JUMP") && subject.prefix(60).contains("Reunión de delegaciones")
                && subject.count <= 100,
            "\(subject)")
        #expect(
            received.first?.body.hasPrefix(subject) == true, "\(subject) // \(received.first?.body.prefix(200) ?? "")")
        #expect(received.first?.body.contains("Resumen JUMP · Consulado General de México") == true)
        #expect(received.first?.body.contains("JUMP digest · Consulate General of Mexico") == true)
        // The window's full list, attached as CSV with a byte-order mark, headers in Spanish.
        let csv = try #require(received.first?.attachments.first)
        #expect(csv.contentType == "text/csv" && csv.charset == "utf-8")
        #expect(csv.filename?.hasPrefix("jump-consulate-") == true && csv.filename?.hasSuffix(".csv") == true)
        #expect(csv.text.hasPrefix("\u{FEFF}importancia,tipo,titular,fecha del evento"), "\(csv.text.prefix(120))")
        #expect(csv.text.split(separator: "\r\n").count >= 2, "a header and the items")
    }

    @Test("A closed port is a failure that may be retried")
    func unreachable() async throws {
        let transport = SMTPTransport(relay: SMTPRelay(host: "127.0.0.1", port: 1))
        let unsent = try await message(to: "consul-general@example.org")
        do {
            try await transport.send(unsent)
            Issue.record("sent to a closed port")
        } catch {
            #expect(!error.isPermanent)
            #expect(error.reason.contains("cannot connect"))
        }
    }

    @Test("A sendmail-compatible command (msmtp) delivers the same message; its failure is reported with its output")
    func sendmail() async throws {
        let catcher = try await MailCatcher()
        let msmtp = [
            "/usr/bin/msmtp", "--host=127.0.0.1", "--port=\(catcher.port)", "--from=jump-relay@example.org",
            "--auth=off", "--tls=off", "-t",
        ]
        let sent = try await message(to: "economic-affairs@example.org", language: .en)
        try await SendmailTransport(command: msmtp).send(sent)
        let received = try catcher.messages()
        #expect(received.map(\.to) == [["economic-affairs@example.org"]])
        #expect(received.first?.messageID == sent.messageID)
        #expect(received.first?.body.contains("\nJUMP digest · Consulate General") == true)
        #expect(received.first?.attachments.first?.text.hasPrefix("\u{FEFF}importance,type,headline") == true)
        var broken = msmtp
        broken[2] = "--port=1"
        do {
            try await SendmailTransport(command: broken).send(sent)
            Issue.record("msmtp to a closed port succeeded")
        } catch {
            #expect(error.reason.contains("/usr/bin/msmtp exited with"))
        }
    }
}

@Suite("E-mail addresses")
struct MailAddressTests {
    @Test("plain addr-specs are accepted: dot-atoms, sub-addresses, address literals")
    func accepted() {
        for address in [
            "consul@example.org", "a.b+digests@mail.example.org", "o'brien@example.org", "x@localhost",
            "staff@[192.0.2.1]", "ops@[IPv6:2001:db8::1]", "!#$%&'*+-/=?^_`{|}~@example.org",
        ] {
            #expect(MailAddress.problem(address) == nil, "\(address)")
        }
    }

    @Test(
        "header injection and look-alikes are refused: CR LF, other controls, bidirectional marks, non-ASCII, display names, quoted or empty parts"
    )
    func refused() {
        let cases: [(String, String)] = [
            ("relay@example.org\r\nBcc: spy@evil.example", "control character"),
            ("relay@example.org\nBcc: spy@evil.example", "control character"),
            ("a@example.org\u{0}", "control character"), ("consul@example.org\u{202E}gro", "outside ASCII"),
            ("cónsul@example.org", "outside ASCII"), ("Consul <consul@example.org>", "local part"),
            ("\"a b\"@example.org", "local part"), ("a..b@example.org", "local part"), (".a@example.org", "local part"),
            ("@example.org", "local part"), ("consul@", "domain"), ("consul@exa mple.org", "domain"),
            ("consul@example..org", "domain"), ("consul@example.org,spy@evil.example", "local part"),
            ("nobody", "no @"), (String(repeating: "a", count: 65) + "@example.org", "longer"),
        ]
        for (address, reason) in cases {
            #expect(
                MailAddress.problem(address)?.contains(reason) == true,
                "\(address): \(MailAddress.problem(address) ?? "accepted")")
        }
    }
}
