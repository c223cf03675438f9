import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// `jump-consumer dlq` against records written by hand with kcat, as a confused or hostile producer could.
@Suite("Dead-letter tools against forged records")
struct DeadLetterToolsTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "1"])
        directory = try testDirectory("dlq-tools")
    }

    func event(_ id: String, year: Int) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"urn:test","type":"jump.jobs.reported","subject":"jobs.dlq","time":"2025-01-01T00:00:00Z","data":{"scope":"dlq","period":{"year":\#(year)},"jobsSupported":1,"source":"s"}}"#
    }

    /// Writes one record to partition 0 of `topic` with kcat, headers as `name=value`.
    func produce(_ topic: String, _ value: String, headers: [String] = []) async throws {
        let file = directory.appendingPathComponent(uniqueTopic("value")).path
        try value.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runCommand(
            "kcat",
            ["-P", "-b", broker.bootstrapServers, "-t", topic, "-p", "0", "-k", "jobs.dlq"]
                + headers.flatMap { ["-H", $0] } + [file])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(
            product("jump-consumer"), arguments + ["-b", broker.bootstrapServers], timeout: .seconds(60))
    }

    @Test(
        "records claiming one origin with other bytes stay apart; a redelivery sends exactly the record named, and a bounded record whose digest does not match is refused"
    )
    func sameOriginOtherBytes() async throws {
        let origin = ["jump.original.topic=jump.events", "jump.original.partition=0", "jump.original.offset=0"]
        let reason = ["jump.error=schema", "jump.error.detail=refused by hand"]
        try await produce("jump.events", event("original", year: 2001))  // jump.events 0@0, what the origin names
        try await produce("jump.events.dlq", event("first", year: 2002), headers: origin + reason)  // 0@0
        try await produce(
            "jump.events.dlq", "{}",
            headers: origin + reason + [
                "jump.payload=omitted", "jump.payload.sha256=" + String(repeating: "0", count: 64),
            ]
        )  // 0@1: bounded, with a digest that is not the original's
        try await produce("jump.events.dlq", event("second", year: 2003), headers: origin + reason)  // 0@2
        try await produce("jump.events.dlq", event("first", year: 2002), headers: origin + reason)  // 0@3: a repeat

        let listed = try await consumer(["dlq", "list"])
        let lines = listed.stdout.split(separator: "\n")
        #expect(lines.count == 3, "0@0 (twice), 0@1, 0@2: \(listed.stdout)")
        #expect(lines.first { $0.hasPrefix("0@0\t") }?.contains("dead-lettered 2 times") == true, "\(listed.stdout)")

        let bounded = try await consumer(["dlq", "redeliver", "--message", "0@1", "--to", "jump.digests"])
        #expect(bounded.status == 1, "\(bounded.stderr)")
        #expect(bounded.stderr.contains("its SHA-256 is"), "\(bounded.stderr)")
        #expect(bounded.stderr.contains("redelivered 0, refused 1"), "\(bounded.stderr)")

        let second = try await consumer(["dlq", "redeliver", "--message", "0@2", "--to", "jump.digests"])
        #expect(second.status == 0, "\(second.stderr)")
        let copy = try await consumer(["dlq", "redeliver", "--message", "0@3", "--to", "jump.digests"])
        #expect(copy.status == 0, "\(copy.stderr)")
        let sent = try await runCommand(
            "kcat", ["-C", "-b", broker.bootstrapServers, "-t", "jump.digests", "-o", "beginning", "-e", "-q"])
        let ids = sent.stdout.split(separator: "\n").compactMap {
            $0.firstMatch(of: /"id":"(\w+)"/).map { String($0.1) }
        }
        #expect(ids == ["second", "first"], "exactly the records named: \(sent.stdout)")
        #expect(try await broker.stop() == 0)
    }
    @Test(
        "a binary-mode dead letter is validated with its ce_ headers and redelivered with them (and without the worker's); one still invalid is refused naming the header's attribute"
    )
    func binaryModeRedelivery() async throws {
        let origin = ["jump.original.topic=jump.events", "jump.original.partition=0", "jump.original.offset=0"]
        let reason = ["jump.error=schema", "jump.error.detail=refused before a fix"]
        let attributes = [
            "ce_specversion=1.0", "ce_id=binary-1", "ce_source=urn:test", "ce_type=jump.jobs.reported",
            "ce_subject=jobs.dlq", "ce_time=2025-01-01T00:00:00Z", "content-type=application/json",
        ]
        let data = #"{"scope":"dlq","period":{"year":2004},"jobsSupported":4,"source":"s"}"#
        try await produce("jump.events.dlq", data, headers: attributes + origin + reason)  // 0@0
        let wrongType = attributes.map { $0.hasPrefix("ce_type=") ? "ce_type=jump.nope" : $0 }
        // Another origin: records with one origin, key and value are one dead letter whatever their headers.
        let otherOrigin = origin.map { $0.hasPrefix("jump.original.offset=") ? "jump.original.offset=1" : $0 }
        try await produce("jump.events.dlq", data, headers: wrongType + otherOrigin + reason)  // 0@1

        let sent = try await consumer(["dlq", "redeliver", "--message", "0@0"])
        #expect(sent.status == 0, "\(sent.stderr)")
        let refused = try await consumer(["dlq", "redeliver", "--message", "0@1"])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("/type") && refused.stderr.contains("jump.nope"), "\(refused.stderr)")

        let read = try await runCommand(
            "kcat",
            ["-C", "-b", broker.bootstrapServers, "-t", "jump.events", "-o", "beginning", "-e", "-q", "-f", "%h|%s\\n"])
        let lines = read.stdout.split(separator: "\n")
        #expect(lines.count == 1, "only the valid one was sent: \(read.stdout)")
        let headers = lines.first.map { $0.prefix { $0 != "|" }.split(separator: ",").map(String.init) } ?? []
        #expect(Set(attributes).isSubset(of: headers), "\(headers)")
        #expect(headers.contains("jump.redelivered.from=jump.events.dlq[0]@0"), "\(headers)")
        #expect(!headers.contains { $0.hasPrefix("jump.error") || $0.hasPrefix("jump.original.") }, "\(headers)")
        #expect(lines.first?.hasSuffix("|" + data) == true, "the data is the value, as it was: \(read.stdout)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "dlq settle records who settled which dead letter and why; listings show it, redeliver --all leaves it out, a second settle leaves the first, and a place that is not a dead letter fails"
    )
    func settle() async throws {
        let origin = ["jump.original.topic=jump.events", "jump.original.partition=0", "jump.original.offset=0"]
        let reason = ["jump.error=schema", "jump.error.detail=refused by hand"]
        try await produce("jump.events.dlq", event("kept", year: 2001), headers: origin + reason)  // 0@0
        let other = origin.map { $0.hasPrefix("jump.original.offset=") ? "jump.original.offset=1" : $0 }
        try await produce("jump.events.dlq", event("sent", year: 2002), headers: other + reason)  // 0@1

        let settled = try await consumer([
            "dlq", "settle", "--message", "0@0", "--by", "ana", "--note", "a test message",
        ])
        #expect(settled.status == 0, "\(settled.stderr)")
        #expect(settled.stdout.hasPrefix("0@0 settled (record jump.events.dlq[0]@2)"), "\(settled.stdout)")
        let again = try await consumer(["dlq", "settle", "--message", "0@0", "--by", "luis"])
        #expect(again.status == 0 && again.stderr.contains("already settled by ana"), "\(again.stderr)")
        let missing = try await consumer(["dlq", "settle", "--message", "0@9"])
        #expect(missing.status == 1 && missing.stderr.contains("0@9: no such dead letter"), "\(missing.stderr)")
        let long = try await consumer([
            "dlq", "settle", "--message", "0@0", "--note", String(repeating: "x", count: 501),
        ])
        #expect(long.status == 64 && long.stderr.contains("at most 500"), "\(long.stderr)")

        let listed = try await consumer(["dlq", "list"])
        #expect(listed.stdout.contains("settled by ana: a test message"), "\(listed.stdout)")
        #expect(listed.stderr.contains("2 dead letters"), "settlement records are not dead letters: \(listed.stderr)")
        let json = try await consumer(["dlq", "list", "--json"])
        #expect(json.stdout.contains(#""settled":{"by":"ana","note":"a test message"}"#), "\(json.stdout)")

        let redelivered = try await consumer(["dlq", "redeliver", "--all", "--to", "jump.digests"])
        #expect(redelivered.status == 0, "\(redelivered.stderr)")
        #expect(redelivered.stderr.contains("1 dead letters were redelivered or settled before; left out"))
        let sent = try await runCommand(
            "kcat", ["-C", "-b", broker.bootstrapServers, "-t", "jump.digests", "-o", "beginning", "-e", "-q"])
        #expect(sent.stdout.contains(#""id":"sent""#) && !sent.stdout.contains(#""id":"kept""#), "\(sent.stdout)")
        #expect(try await broker.stop() == 0)
    }
}
