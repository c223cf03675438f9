import Foundation
import JumpDigests
import JumpState
import Synchronization
import Testing

/// A mail transport that fails as told, then accepts; it records what it accepted.
final class ScriptedTransport: MailTransport {
    private let script: Mutex<[DeliveryFailure?]>
    let accepted = Mutex<[MailMessage]>([])

    init(_ script: [DeliveryFailure?]) { self.script = Mutex(script) }

    func send(_ message: MailMessage) async throws(DeliveryFailure) {
        let next = script.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        if let next { throw next }
        accepted.withLock { $0.append(message) }
    }
}

@Suite("Delivering digests")
struct DeliveryTests {
    /// A store with the press release received and both windows closed at 15:00Z.
    private func closedWindows(sinks: [any DigestSink]) async throws -> DigestFixture {
        var fixture = try DigestFixture()
        let closed = try await fixture.closeOneWindow(try DigestFixture.pressRelease(), sinks: sinks)
        #expect(closed.count == 2)
        return fixture
    }

    /// The built-in audiences with e-mail through `transport`, their window closed with the press release, and a
    /// deliverer for the e-mail sink.
    private func emailWindow(_ transport: ScriptedTransport) async throws -> (DigestFixture, DigestDeliverer) {
        var configuration = DigestConfiguration.builtIn
        configuration.email = EmailSettings(
            from: "jump-relay@example.org", smtp: SMTPRelay(host: "127.0.0.1", port: 25))
        let email = EmailSink(settings: configuration.email!, transport: transport, audiences: configuration.audiences)
        var fixture = try DigestFixture(configuration: configuration)
        try await fixture.closeOneWindow(try DigestFixture.pressRelease(), sinks: [email])
        return (fixture, DigestDeliverer(store: fixture.store.notifier, sinks: [email], logger: DigestFixture.logger))
    }

    private func headers(_ file: URL) throws -> [Substring] {
        try String(contentsOf: file, encoding: .utf8).split(separator: "\n").filter { $0.hasPrefix("=== ") }
    }

    @Test("Each digest is written once to digests.log and digests.jsonl, and a second round writes nothing")
    func once() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sinks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let sinks: [any DigestSink] = [
            AppendOnlyFileSink.log(directory: directory.path), AppendOnlyFileSink.jsonLines(directory: directory.path),
        ]
        let fixture = try await closedWindows(sinks: sinks)
        let deliverer = DigestDeliverer(store: fixture.store.notifier, sinks: sinks, logger: DigestFixture.logger)
        #expect(try await deliverer.deliverDue().delivered == 4)
        #expect(try await deliverer.deliverDue().delivered == 0)
        #expect(try headers(directory.appendingPathComponent("digests.log")).count == 2)
        let lines = try String(contentsOf: directory.appendingPathComponent("digests.jsonl"), encoding: .utf8)
            .split(separator: "\n")
        #expect(
            try lines.map { try DigestCoding.decode(String($0)).id }.sorted() == [
                "consulate/2026-11-29T14:00:00Z", "governors-office/2026-11-29T14:00:00Z",
            ])
    }

    @Test(
        "A crash after the append and before the store recorded it: the next process finds the digest in the file and does not write it again"
    )
    func crashAfterWrite() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sinks-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let log = AppendOnlyFileSink.log(directory: directory.path)
        let fixture = try await closedWindows(sinks: [log])
        // The first process claims both deliveries and writes the first digest, then "dies".
        let dead = "\(getpid()):dead-process"
        let claims = try await fixture.store.notifier.claimDeliveries(
            claimant: dead, now: Timestamp.now(), lease: 600_000
        ) {
            _ in
            false
        }
        #expect(claims.count == 2)
        let store = fixture.store
        try await log.deliver(claims[0], digest: try DigestCoding.decode(claims[0].digest.json)) { offset in
            try await store.notifier.recordIntent(claims[0].key, claimant: dead, fileOffset: offset)
        }
        // and intended to write the second one, but died before writing.
        try await store.notifier.recordIntent(claims[1].key, claimant: dead, fileOffset: 1_000_000)
        #expect(try headers(directory.appendingPathComponent("digests.log")).count == 1)
        // The restarted process (same pid, another identity) takes both over.
        let restarted = DigestDeliverer(store: fixture.store.notifier, sinks: [log], logger: DigestFixture.logger)
        #expect(try await restarted.deliverDue().delivered == 2)
        let written = try headers(directory.appendingPathComponent("digests.log"))
        #expect(written.count == 2)
        #expect(Set(written.map { $0.split(separator: " ")[5] }).count == 2)
        await #expect(try fixture.store.notifier.openDeliveryCount() == 0)
    }

    @Test("A claim held by a live process is left alone until its lease runs out")
    func liveClaims() async throws {
        let fixture = try await closedWindows(sinks: [AppendOnlyFileSink.log(directory: "/nonexistent")])
        let now = Timestamp.now()
        await #expect(
            try fixture.store.notifier.claimDeliveries(claimant: "a", now: now, lease: 60_000) { _ in false }.count == 2
        )
        await #expect(
            try fixture.store.notifier.claimDeliveries(claimant: "b", now: now, lease: 60_000) { _ in false }.isEmpty)
        await #expect(
            try fixture.store.notifier.claimDeliveries(claimant: "b", now: now + 61_000, lease: 60_000) { _ in false }
                .count == 2
        )
    }

    @Test(
        "E-mail goes to every staff member once per digest, retried per recipient with backoff, with a stable Message-ID"
    )
    func emailRetries() async throws {
        let transport = ScriptedTransport([DeliveryFailure("451 try later"), DeliveryFailure("451 try later")])
        let (fixture, deliverer) = try await emailWindow(transport)
        let now = Timestamp.now()
        let first = try await deliverer.deliverDue(now: now)
        #expect(first == .init(delivered: 2, retrying: 2, failed: 0))
        #expect(try await deliverer.deliverDue(now: now).delivered == 0)  // not yet: backing off
        #expect(try await deliverer.deliverDue(now: now + 1_000).delivered == 2)
        let messages = transport.accepted.withLock { $0 }
        #expect(Set(messages.map(\.to)).count == 4)
        let consul = try #require(messages.first { $0.to == "consul-general@example.org" })
        #expect(consul.text.contains("Subject: =?UTF-8?B?"))
        #expect(consul.text.contains("Content-Type: text/plain; charset=utf-8"))
        let again = await MailMessage(
            digest: try DigestCoding.decode(
                try fixture.store.notifier.digests().first { $0.digest.audience == "consulate" }!.digest.json),
            from: "jump-relay@example.org", recipient: fixture.configuration.audiences[0].staff[0])
        #expect(again.messageID == consul.messageID)
        let states = try await fixture.store.notifier.digests().flatMap(\.deliveries)
        #expect(states.allSatisfy { $0.status == "delivered" })
        #expect(states.map(\.attempts).sorted() == [1, 1, 2, 2])
    }

    @Test("A permanent failure is recorded with its reason and not retried")
    func permanentFailure() async throws {
        let transport = ScriptedTransport([DeliveryFailure("550 no such mailbox", permanent: true)])
        let (fixture, deliverer) = try await emailWindow(transport)
        #expect(try await deliverer.deliverDue() == .init(delivered: 3, retrying: 0, failed: 1))
        let failed = try await fixture.store.notifier.digests().flatMap(\.deliveries).filter { $0.status == "failed" }
        #expect(failed.count == 1)
        #expect(failed.first?.lastError == "550 no such mailbox")
        await #expect(try fixture.store.notifier.openDeliveryCount() == 0)
    }
}
