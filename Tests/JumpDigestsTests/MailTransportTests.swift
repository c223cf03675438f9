import Foundation
import JumpDigests
import JumpState
import JumpTestSupport
import Testing

@Suite("E-mail transports against a real SMTP server")
struct MailTransportTests {
    private func message(to recipient: String, language: String = "es") async throws -> MailMessage {
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
        #expect(received.first?.subject.hasPrefix("Resumen JUMP · Consulado General de México") == true)
        #expect(received.first?.body.hasPrefix("Resumen JUMP") == true)
        #expect(received.first?.body.contains("JUMP digest") == true)
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
        let sent = try await message(to: "economic-affairs@example.org", language: "en")
        try await SendmailTransport(command: msmtp).send(sent)
        let received = try catcher.messages()
        #expect(received.map(\.to) == [["economic-affairs@example.org"]])
        #expect(received.first?.messageID == sent.messageID)
        #expect(received.first?.body.hasPrefix("JUMP digest") == true)
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
