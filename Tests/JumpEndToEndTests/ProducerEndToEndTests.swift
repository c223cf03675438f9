import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// `jump-producer` as people and scripts use it: real processes, a `jump-dev-broker` process, kcat to read back.
@Suite("jump-producer end to end")
struct ProducerEndToEndTests {
    let broker: DevBrokerProcess
    let topic = uniqueTopic("events")
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--topic", "\(topic):6"])
        directory = try testDirectory("producer")
    }

    /// An environment with no broker setting and no dev broker to find.
    var isolatedEnvironment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["JUMP_BROKERS"] = nil
        environment["JUMP_DEV_BROKER_FILE"] = directory.appendingPathComponent("no-dev-broker").path
        return environment
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func producer(
        _ arguments: [String], input: String? = nil, environment: [String: String]? = nil
    ) async throws
        -> CommandResult
    {
        try await runCommand(
            product("jump-producer"), arguments, input: input, environment: environment ?? isolatedEnvironment)
    }

    /// What is on the topic, read back by kcat: key, value.
    func readBack() async throws -> [(key: String, value: [String: Any])] {
        let result = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\t%s\n"])
        #expect(result.status == 0, "\(result.stderr)")
        return try result.stdout.split(separator: "\n").map { line in
            let parts = line.split(separator: "\t", maxSplits: 1)
            let value = try JSONSerialization.jsonObject(with: Data(parts[1].utf8)) as! [String: Any]
            return (String(parts[0]), value)
        }
    }

    static let jobs =
        #"{"type":"jump.jobs.reported","subject":"jobs.mexico-utah-trade","data":{"scope":"mexico-utah-trade","period":{"year":2022},"jobsSupported":51000,"source":"press release"}}"#
    static let exports =
        #"{"specversion":"1.0","id":"exp-2022","source":"urn:test","type":"jump.trade.exports-reported","subject":"exports.us-ut.mx","time":"2023-06-15T12:00:00Z","data":{"origin":"US-UT","destination":"MX","period":{"year":2022},"valueUsdCents":110000000000,"source":"press release"}}"#

    @Test("a file with valid and invalid lines: exactly the valid ones arrive, once each, keyed by subject")
    func mixedFile() async throws {
        let file = try write(
            "mixed.jsonl",
            [
                Self.jobs,
                #"{"type":"jump.jobs.reported","subject":"jobs.x","data":{"scope":"x","period":{"year":1800},"jobsSupported":1,"source":"s"}}"#,
                "", Self.exports, "{not json", #"{"type":"jump.company.merged","subject":"x","data":{}}"#,
            ].joined(separator: "\n") + "\n")
        let result = try await producer(["publish", "-b", broker.bootstrapServers, "-t", topic, file])
        #expect(result.status == 1)
        let lines = result.stderrLines
        #expect(lines.contains("\(file):2: /data/period/year: must be from 1990 to 2100, got 1800"))
        #expect(lines.contains { $0.hasPrefix("\(file):5: ") && $0.contains("expected a key") })
        #expect(lines.contains { $0.hasPrefix("\(file):6: /type: unknown event type \"jump.company.merged\"") })
        #expect(lines.last == "published 2, rejected 3, failed 0")
        let messages = try await readBack()
        #expect(messages.count == 2)
        #expect(Set(messages.map(\.key)) == ["jobs.mexico-utah-trade", "exports.us-ut.mx"])
        for message in messages {
            #expect(message.value["subject"] as? String == message.key)
            _ = try EventDecoder().decode(Array(try JSONSerialization.data(withJSONObject: message.value)))
        }
        let exports = try #require(messages.first { $0.key == "exports.us-ut.mx" })
        #expect(exports.value["id"] as? String == "exp-2022", "a complete event is sent as given")
        let jobs = try #require(messages.first { $0.key == "jobs.mexico-utah-trade" })
        #expect((jobs.value["id"] as? String)?.hasPrefix("c-") == true)
        #expect(jobs.value["dataschema"] as? String == "urn:jump:schema:jump.jobs.reported:v1")
        #expect(try await broker.stop() == 0)
    }

    @Test("republishing a file gives the events without ids the same content-derived ids")
    func republishingIsHarmless() async throws {
        let file = try write("jobs.jsonl", Self.jobs + "\n")
        for _ in 0..<2 {
            let result = try await producer(["publish", "-b", broker.bootstrapServers, "-t", topic, file])
            #expect(result.stderrLines.last == "published 1, rejected 0, failed 0")
            #expect(result.status == 0)
        }
        let ids = try await readBack().map { $0.value["id"] as? String }
        #expect(ids.count == 2)
        #expect(ids[0] != nil && ids[0] == ids[1])
        #expect(try await broker.stop() == 0)
    }

    @Test("--strict sends nothing when any event is invalid; --dry-run needs no broker")
    func strictAndDryRun() async throws {
        let file = try write("two.jsonl", Self.jobs + "\n{\"type\":1}\n")
        let strict = try await producer(["publish", "--strict", "-b", broker.bootstrapServers, "-t", topic, file])
        #expect(strict.status == 1)
        #expect(strict.stderrLines.last == "published 0, rejected 1, failed 0")
        #expect(try await readBack().isEmpty)
        let dryRun = try await producer(["publish", "--dry-run", file])
        #expect(dryRun.status == 1)
        #expect(dryRun.stderrLines.last == "valid 1, rejected 1")
        let valid = try await producer(["publish", "--dry-run", "-"], input: Self.jobs + "\n" + Self.exports + "\n")
        #expect(valid.status == 0)
        #expect(valid.stderrLines.last == "valid 2, rejected 0")
        #expect(try await broker.stop() == 0)
    }

    @Test("a JSON array works too, and one broken element does not sink the others")
    func jsonArray() async throws {
        let file = try write("array.json", "[\n  \(Self.jobs),\n  {\"type\": \"nope\"},\n  \(Self.exports)\n]\n")
        let result = try await producer(["publish", "-b", broker.bootstrapServers, "-t", topic, file])
        #expect(result.stderrLines.contains { $0.hasPrefix("\(file):3: ") })
        #expect(result.stderrLines.last == "published 2, rejected 1, failed 0")
        #expect(try await readBack().count == 2)
        #expect(try await broker.stop() == 0)
    }

    @Test("an unreachable broker fails the events: never a success that Kafka did not acknowledge")
    func unreachableBroker() async throws {
        let file = try write("one.jsonl", Self.jobs + "\n" + Self.exports + "\n")
        let result = try await producer(["publish", "-b", "127.0.0.1:1", "-X", "message.timeout.ms=1500", file])
        #expect(result.status == 1)
        #expect(result.stderrLines.last == "published 0, rejected 0, failed 2")
        #expect(result.stderrLines.filter { $0.contains("not delivered") }.count == 2)
        #expect(try await broker.stop() == 0)
    }

    @Test("no broker anywhere is a configuration error (78); a malformed -X is a usage error (64)")
    func exitStatuses() async throws {
        let file = try write("one.jsonl", Self.jobs + "\n")
        let none = try await producer(["publish", file])
        #expect(none.status == 78)
        #expect(none.stderr.contains("no Kafka brokers"))
        let malformed = try await producer(["publish", "-X", "linger.ms", file])
        #expect(malformed.status == 64)
        let unknown = try await producer(["publish", "-b", broker.bootstrapServers, "-X", "no.such.property=1", file])
        #expect(unknown.status == 78)
        #expect(unknown.stderr.contains("no.such.property"))
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "with no broker setting, a running dev broker is found through its file, with a warning (jump-producer, and jump-consumer's digest send-now)"
    )
    func devBrokerDiscovery() async throws {
        // A discovery file of this test's own (never the user's default): a parallel run cannot find this broker.
        let discovery = directory.appendingPathComponent("dev-broker").path
        let found = try await DevBrokerProcess.start(
            arguments: ["--broker-count", "1", "--discovery-file", discovery, "--topic", "\(topic):2"],
            discoverable: true)
        var environment = isolatedEnvironment
        environment["JUMP_DEV_BROKER_FILE"] = discovery
        environment["INVOCATION_ID"] = nil
        environment["NOTIFY_SOCKET"] = nil
        let file = try write("one.jsonl", Self.jobs + "\n")
        let result = try await producer(["publish", "-t", topic, file], environment: environment)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(
            result.stderrLines.first?.contains(
                "warning: no broker given: using the jump-dev-broker at \(found.bootstrapServers)") == true)
        // jump-consumer's digest send-now (its topic sink needs brokers) says which dev broker it found too.
        let sendNow = try await runCommand(
            product("jump-consumer"),
            ["digest", "send-now", "--state", directory.appendingPathComponent("none.sqlite").path],
            environment: environment)
        #expect(
            sendNow.stderr.contains("no broker given: using the jump-dev-broker at \(found.bootstrapServers)"),
            "\(sendNow.stderr)")
        environment["INVOCATION_ID"] = "under-systemd"
        let underSystemd = try await producer(["publish", "-t", topic, file], environment: environment)
        #expect(underSystemd.status == 78)
        #expect(underSystemd.stderr.contains("running under systemd"))
        #expect(try await found.stop() == 0)
        #expect(!FileManager.default.fileExists(atPath: discovery), "the dev broker removes its file when it stops")
        #expect(try await broker.stop() == 0)
    }

    @Test("one event from the shell, with @FILE data")
    func singleEvent() async throws {
        let data = try write(
            "data.json",
            #"{"initiativeId":"initiative.jump","title":"JUMP","parties":["SRE","State of Utah"],"announcedOn":"2023-06-15","status":"agreed","summary":"Agreed."}"#
        )
        let result = try await producer([
            "event", "jump.initiative.announced", "--subject", "initiative.jump", "--data", "@\(data)", "-b",
            broker.bootstrapServers, "-t", topic,
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderrLines.last == "published 1, rejected 0, failed 0")
        let invalid = try await producer([
            "event", "jump.initiative.announced", "--subject", "initiative.jump", "--data", "{\"title\":\"x\"}",
            "--dry-run",
        ])
        #expect(invalid.status == 1)
        #expect(invalid.stderrLines.first == "event:1: /data: missing required property \"initiativeId\"")
        let messages = try await readBack()
        #expect(messages.map(\.key) == ["initiative.jump"])
        #expect(try await broker.stop() == 0)
    }

    @Test("on a terminal, a long run shows a progress line that is cleared before the summary")
    func progressOnATerminal() async throws {
        let generated = try await producer(["generate", "--count", "20000", "--seed", "12"])
        let file = try write("many.jsonl", generated.stdout)
        // script(1) gives the producer a pseudo-terminal for its standard error.
        let command = [product("jump-producer"), "publish", "-b", broker.bootstrapServers, "-t", topic, file]
            .joined(separator: " ")
        let result = try await runCommand("script", ["-qec", command, "/dev/null"], environment: isolatedEnvironment)
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("\r\u{1B}[Ksent "), "a progress line, rewritten in place")
        #expect(result.stdout.contains("\r\u{1B}[Kpublished 20000, rejected 0, failed 0"), "cleared before the summary")
        let piped = try await producer(["publish", "--dry-run", file])
        #expect(!piped.stderr.contains("sent "), "no progress line when standard error is not a terminal")
        #expect(try await broker.stop() == 0)
    }

    @Test("generate is deterministic for a seed and its events are valid")
    func generate() async throws {
        let first = try await producer(["generate", "--count", "300", "--seed", "9"])
        let second = try await producer(["generate", "--count", "300", "--seed", "9"])
        #expect(first.status == 0)
        #expect(first.stdout == second.stdout)
        #expect(first.stdout.split(separator: "\n").count == 300)
        let check = try await producer(["publish", "--dry-run"], input: first.stdout)
        #expect(check.stderrLines.last == "valid 300, rejected 0")
        let broken = try await producer(["generate", "--count", "1000", "--seed", "9", "--invalid-ratio", "0.2"])
        let brokenCheck = try await producer(["publish", "--dry-run"], input: broken.stdout)
        let rejected = Int(brokenCheck.stderrLines.last?.split(separator: " ").last ?? "") ?? 0
        #expect((120...280).contains(rejected))
        #expect(try await broker.stop() == 0)
    }
}
