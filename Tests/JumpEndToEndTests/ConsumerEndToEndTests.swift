import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// `jump-consumer` as it runs in production: real processes, a real SQLite file, real signals.
@Suite("jump-consumer end to end")
struct ConsumerEndToEndTests {
    let broker: DevBrokerProcess
    let directory: URL
    /// Quick sessions, so that a killed member's partitions move within seconds.
    static let quickGroup = quickGroupArguments + ["--http", "off"]

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        directory = try testDirectory("consumer")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func publish(_ file: String, expectStatus: Int32 = 0) async throws {
        let result = try await runCommand(product("jump-producer"), ["publish", "-b", broker.bootstrapServers, file])
        #expect(result.status == expectStatus, "\(result.stderr)")
    }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, timeout: .seconds(120))
    }

    /// Publishes `count` generated events (`jump-producer generate --seed`).
    func publishGenerated(count: Int, seed: Int) async throws {
        let events = path("events.jsonl")
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "\(count)", "--seed", "\(seed)"])
        try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
        try await publish(events)
    }

    func runUntilIdle(state: String, extra: [String] = []) async throws -> CommandResult {
        let result = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle"] + Self.quickGroup + extra)
        #expect(result.status == 0, "\(result.stderr)")
        return result
    }

    func summary(_ state: String) async throws -> [String: Any] {
        let result = try await consumer(["state", "summary", "--json", "--state", state])
        #expect(result.status == 0, "\(result.stderr)")
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as! [String: Any]
    }

    func fingerprint(_ state: String) async throws -> [String] {
        let result = try await consumer(["state", "fingerprint", "--state", state])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout.split(separator: "\n").map(String.init)
    }

    @Test(
        "state companies and anomalies list every row unless --limit cuts them, and then say so; companies are searched case and accents aside, and a company is found by its name; fingerprint of a store holding nothing of the topic refuses to prove anything"
    )
    func completeListings() async throws {
        try await publishGenerated(count: 300, seed: 5)
        let state = path("state.sqlite")
        _ = try await runUntilIdle(state: state)
        let companies = try await consumer(["state", "companies", "--json", "--state", state])
        #expect(companies.status == 0 && companies.stderr.isEmpty, "\(companies.stderr)")
        let total = companies.stdout.split(separator: "\n").count
        #expect(total > 3)
        let cut = try await consumer(["state", "companies", "--limit", "3", "--state", state])
        #expect(cut.status == 0 && cut.stdout.split(separator: "\n").count == 3, "\(cut.stdout)")
        #expect(cut.stderr.contains("the first 3 companies shown; more were left out"), "\(cut.stderr)")
        let exact = try await consumer(["state", "companies", "--limit", "\(total)", "--state", state])
        #expect(exact.stdout.split(separator: "\n").count == total && exact.stderr.isEmpty, "\(exact.stderr)")
        // Search ignores case and accents; a company is found by its name too.
        let all = try companies.stdout.split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
        let pacifico = all.filter { ($0["name"] as! String).contains("Pacífico") }.map { $0["id"] as! String }
        #expect(!pacifico.isEmpty, "the generator names some companies Pacífico")
        let found = try await consumer(["state", "companies", "--json", "--search", "PACIFICO", "--state", state])
        #expect(found.status == 0, "\(found.stderr)")
        #expect(found.stdout.split(separator: "\n").map { $0.contains("Pacífico") } == pacifico.map { _ in true })
        let names = Dictionary(grouping: all, by: { $0["name"] as! String })
        let unique = try #require(names.first { $0.value.count == 1 })
        let byName = try await consumer(
            ["state", "company", "--json", unique.key.lowercased(), "--state", state])
        #expect(byName.status == 0, "\(byName.stderr)")
        #expect(byName.stdout.contains(#""id":"\#(unique.value[0]["id"] as! String)""#), "\(byName.stdout)")
        if let shared = names.first(where: { $0.value.count > 1 }) {
            let ambiguous = try await consumer(["state", "company", shared.key, "--state", state])
            #expect(ambiguous.status == 1)
            #expect(ambiguous.stderr.contains("\(shared.value.count) companies are named"), "\(ambiguous.stderr)")
        }
        let none = try await consumer(["state", "company", "No Such Company", "--state", state])
        #expect(none.status == 1 && none.stderr.contains("no company with the id or name No Such Company"))
        let anomalies = try await consumer(["state", "anomalies", "--limit", "1", "--state", state])
        #expect(anomalies.status == 0, "\(anomalies.stderr)")
        let otherTopic = try await consumer(["state", "fingerprint", "--topic", "no.such.topic", "--state", state])
        #expect(otherTopic.status == 1, "\(otherTopic.stdout)")
        #expect(otherTopic.stderr.contains("holds no partition of no.such.topic: nothing to fingerprint"))
        #expect(!otherTopic.stdout.contains("all "), "no hash of nothing: \(otherTopic.stdout)")
    }

    @Test("the press-release stream: the summary states its facts, bad input is dead-lettered and the worker goes on")
    func pressRelease() async throws {
        try await publish(pressReleasePath)
        let bad = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-P", "-t", "jump.events", "-K:"],
            input: "jobs.mexico-utah-trade:{\"truncated\n")
        #expect(bad.status == 0)
        let jobs = path("later.jsonl")
        try
            #"{"type":"jump.jobs.reported","subject":"jobs.mexico-utah-trade","data":{"scope":"mexico-utah-trade","period":{"year":2023},"jobsSupported":52000,"source":"later report"}}"#
            .write(toFile: jobs, atomically: true, encoding: .utf8)
        try await publish(jobs)
        let state = path("state.sqlite")
        _ = try await runUntilIdle(state: state)

        let facts = try await summary(state)
        #expect(facts["eventsApplied"] as? Int == 6)
        #expect(facts["deadLettered"] as? Int == 1)
        let exports = try #require(facts["exports"] as? [[String: Any]])
        let byPeriod = Dictionary(
            uniqueKeysWithValues: exports.map { ($0["period"] as! String, $0["value"] as! Int64) })
        #expect(byPeriod == ["2018": 73_825_503_356, "2022": 110_000_000_000])
        let jobFigures = try #require(facts["jobs"] as? [[String: Any]])
        #expect(jobFigures.map { $0["value"] as? Int64 } == [51_000, 52_000], "the event after the bad one applied")
        #expect(facts["meetings"] as? Int == 1)
        #expect(facts["initiativesByStatus"] as? [String: Int] == ["agreed": 1])

        let dlq = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", "jump.events.dlq", "-o", "beginning", "-e", "-q", "-J"])
        let records = try jsonObjects(dlq.stdout)
        #expect(records.count == 1)
        let headers = try #require(records.first?["headers"] as? [String])
        let pairs = Dictionary(
            uniqueKeysWithValues: stride(from: 0, to: headers.count, by: 2).map { (headers[$0], headers[$0 + 1]) })
        #expect(pairs["jump.error"] == "syntax")
        #expect(pairs["jump.error.detail"]?.contains("unterminated string") == true)
        #expect(pairs["jump.original.topic"] == "jump.events")
        #expect(records.first?["payload"] as? String == "{\"truncated", "the original bytes, unchanged")
        #expect(records.first?["key"] as? String == "jobs.mexico-utah-trade")
        #expect(try await broker.stop() == 0)
    }

    @Test("a restart applies nothing twice, and a deleted store is rebuilt to the same fingerprint")
    func restartAndRebuild() async throws {
        let events = path("events.jsonl")
        let generated = try await runCommand(product("jump-producer"), ["generate", "--count", "400", "--seed", "4"])
        try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
        try await publish(events)
        let state = path("state.sqlite")
        _ = try await runUntilIdle(state: state)
        let first = try await fingerprint(state)
        #expect(first.count == 7, "six partitions and the combined line")
        _ = try await runUntilIdle(state: state)
        #expect(try await fingerprint(state) == first)
        #expect(try await summary(state)["eventsApplied"] as? Int == 400)

        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: state + suffix) }
        _ = try await runUntilIdle(state: state)
        #expect(try await fingerprint(state) == first)
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "a signal while consuming (SIGTERM to the daemon, SIGINT to an --until-idle run): the worker finishes its batch, leaves the group, exits 0 within seconds, and a second run completes the fold",
        // The batch job pauses 200 ms after each batch of 20: 3,000 events take at least 30 s, so the signal (sent
        // once the store shows a first batch) lands mid-run however loaded the machine is (with 20 ms, a loaded
        // machine's poll of the store was slower than the whole run).
        arguments: [(SIGTERM, [String]()), (SIGINT, ["--until-idle", "--pause-ms", "200"])])
    func stopSignal(signal: Int32, extra: [String]) async throws {
        try await publishGenerated(count: 3000, seed: 5)
        let state = path("state.sqlite")
        let worker = try ChildProcess(
            product("jump-consumer"),
            ["run", "-b", broker.bootstrapServers, "--state", state, "--batch-size", "20"] + extra + Self.quickGroup)
        try await eventually("the worker applies events") { await eventsApplied(state: state) > 0 }
        let started = ContinuousClock.now
        worker.signal(signal)
        #expect(try await worker.exitStatus(timeout: .seconds(15)) == 0, "\(worker.output)")
        #expect(ContinuousClock.now - started < .seconds(10))
        #expect(worker.output.contains("left the group"), "\(worker.output)")
        if signal == SIGINT {
            #expect(worker.output.contains("SIGINT: finishing the current batch"))
            #expect(await eventsApplied(state: state) < 3000, "stopped before the end (200 ms between batches of 20)")
        }
        // Nothing was lost: a second run completes the fold to exactly the 3,000 events.
        _ = try await runUntilIdle(state: state)
        #expect(try await summary(state)["eventsApplied"] as? Int == 3000)
        #expect(try await broker.stop() == 0)
    }

    @Test("a store offset the log no longer has stops the worker naming the partition and both offsets")
    func offsetOutOfRange() async throws {
        try await publish(pressReleasePath)
        let state = path("state.sqlite")
        _ = try await runUntilIdle(state: state)
        #expect(try await broker.stop() == 0)

        let restarted = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        let result = try await runCommand(
            product("jump-consumer"),
            ["run", "-b", restarted.bootstrapServers, "--state", state, "--until-idle"] + Self.quickGroup,
            timeout: .seconds(60))
        #expect(result.status == 65, "\(result.stderr)")
        #expect(result.stderr.contains("the state store's next offset is"))
        #expect(result.stderr.contains("but the log holds 0..<0"))
        #expect(try await restarted.stop() == 0)
    }

    @Test("no broker anywhere is a configuration error (78)")
    func noBroker() async throws {
        var environment = ProcessInfo.processInfo.environment
        environment["JUMP_BROKERS"] = nil
        environment["JUMP_DEV_BROKER_FILE"] = path("none")
        let result = try await runCommand(
            product("jump-consumer"), ["run", "--state", path("s.sqlite"), "--http", "off"], environment: environment)
        #expect(result.status == 78)
        #expect(result.stderr.contains("no Kafka brokers"))
        #expect(try await broker.stop() == 0)
    }
}
