import Foundation
import JumpTestSupport
import Testing

/// `jump-consumer` against hostile input that needs a broker: poison messages from another client, brokers that
/// cannot be reached, a group another member holds, an abused HTTP endpoint, and restarts. Real processes.
@Suite("Hostile input with a broker")
struct HostileBrokerTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        directory = try testDirectory("hostile-broker")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func consumer(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        return try await runCommand(product("jump-consumer"), arguments, environment: merged, timeout: .seconds(120))
    }

    func interop(_ script: String) -> String { packageRoot.appendingPathComponent("Tests/Interop/\(script)").path }

    @Test("poison messages from confluent-kafka reach the DLQ byte for byte; the worker goes on and exits 0")
    func poisonFromAnotherClient() async throws {
        let sent = try await runCommand(
            "python3", [interop("poison_producer.py"), broker.bootstrapServers, "jump.events"])
        #expect(sent.status == 0 && sent.stdout.contains("7"), "\(sent.stderr)")
        let state = path("poison.sqlite")
        let run = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"]
                + quickGroupArguments)
        #expect(run.status == 0, "\(run.stderr)")
        let summary = try await consumer(["state", "summary", "--json", "--state", state])
        let object = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
        #expect(object?["eventsApplied"] as? Int == 1)
        #expect(object?["deadLettered"] as? Int == 6)
        let dlq = try await runCommand(
            "kcat",
            [
                "-b", broker.bootstrapServers, "-C", "-t", "jump.events.dlq", "-o", "beginning", "-e", "-q", "-f",
                "%S %h\n",
            ])
        let sizes = dlq.stdout.split(separator: "\n").compactMap { Int($0.split(separator: " ").first ?? "") }
        #expect(sizes.sorted() == [-1, 0, 2, 1_024, 999_900, 3_000_002].sorted(), "\(dlq.stdout.prefix(500))")
        #expect(dlq.stdout.contains("ce_id="), "the original headers travel with the dead letter")
        // jump-consumer reads the dead letters directly (no group), and names a topic the cluster does not have.
        let listed = try await consumer(["dlq", "list", "-b", broker.bootstrapServers])
        #expect(listed.status == 0 && listed.stdout.split(separator: "\n").count == 6, "\(listed.stderr)")
        let missing = try await consumer(["dlq", "list", "-b", broker.bootstrapServers, "--dlq-topic", "jump.nope"])
        #expect(missing.status == 78 && missing.stderr.contains("no topic jump.nope"), "\(missing.stderr)")
        let elsewhere = try await consumer(
            ["dlq", "redeliver", "--all", "--force", "--to", "jump.nope", "-b", broker.bootstrapServers])
        #expect(elsewhere.status == 78 && elsewhere.stderr.contains("no topic jump.nope"), "\(elsewhere.stderr)")
    }

    @Test("--until-idle with brokers that cannot be resolved ends with 69 and the reason within --wait-timeout")
    func unresolvableBrokers() async throws {
        let started = ContinuousClock.now
        let run = try await consumer(
            ["run", "--until-idle", "--state", path("garbage.sqlite"), "--wait-timeout", "4", "--http", "off"],
            environment: ["JUMP_BROKERS": "no-such-host.invalid:9092,%%%:1"])
        #expect(run.status == 69, "\(run.stderr)")
        #expect(run.stderr.contains("no partition of jump.events assigned") && run.stderr.contains("-b/--brokers"))
        #expect(ContinuousClock.now - started < .seconds(60))
    }

    @Test("--until-idle while a daemon holds the notifier's group ends with 69, naming the other member")
    func notifierGroupHeld() async throws {
        let state = path("held.sqlite")
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", path("daemon.sqlite"), "--role", "notifier", "--http",
                "off",
            ])
        try await eventually("the daemon holds jump.notifications", timeout: .seconds(60)) {
            daemon.output.contains("partitions assigned")
        }
        let run = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "notifier",
                "--wait-timeout", "5", "--http", "off",
            ])
        #expect(run.status == 69, "\(run.stderr)")
        #expect(run.stderr.contains("another member of jump-notifier"), "\(run.stderr)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus() == 0)
    }

    @Test(
        "the HTTP endpoint under 1,100 idle connections and a 1,024-descriptor limit: health answers, partial and slow requests are cut, events still apply",
        .timeLimit(.minutes(3)))
    func httpAbuse() async throws {
        let port = freeLoopbackPort()
        let state = path("http.sqlite")
        let command =
            "ulimit -n 1024; exec \(product("jump-consumer")) run -b \(broker.bootstrapServers) --state \(state) "
            + "--http 127.0.0.1:\(port) " + quickGroupArguments.joined(separator: " ")
        let daemon = try ChildProcess("/bin/bash", ["-c", command])
        try await eventually("the endpoint listens", timeout: .seconds(60)) {
            daemon.output.contains("serving /metrics")
        }
        let abuse = try await runCommand(
            "python3", [interop("http_abuse.py"), String(port), "1100"], timeout: .seconds(240))
        #expect(abuse.status == 0, "\(abuse.stderr)")
        print("http abuse: \(abuse.stdout)")
        let report = try JSONSerialization.jsonObject(with: Data(abuse.stdout.utf8)) as? [String: Any] ?? [:]
        let flood = report["healthzUnderFlood"] as? Double
        #expect(flood != nil && flood! < 5, "\(report)")
        for name in ["partialRequest", "slowRequest"] {
            let closed = (report[name] as? [Any])?.first as? Double
            #expect(closed != nil && closed! >= 3 && closed! < 12, "\(name): \(report)")
        }
        for name in ["garbage", "oversizedHeader", "unknownPath", "postReadyz"] {
            let closed = (report[name] as? [Any])?.first as? Double
            #expect(closed != nil && closed! < 12, "\(name): \(report)")
        }
        #expect(((report["unknownPath"] as? [Any])?.last as? String)?.hasPrefix("HTTP/1.1 404") == true, "\(report)")
        #expect(report["healthzAfter"] as? Double != nil)
        // The store and Kafka still have their descriptors: events published now are applied.
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, pressReleasePath])
        #expect(published.status == 0, "\(published.stderr)")
        try await eventually("the press release is applied", timeout: .seconds(60)) {
            let summary = try await consumer(["state", "summary", "--json", "--state", state])
            let object = try? JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
            return (object?["eventsApplied"] as? Int ?? 0) >= 5
        }
        #expect(!daemon.output.contains("unable to open database file"), "\(daemon.output.suffix(2_000))")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus() == 0, "\(daemon.output.suffix(2_000))")
    }

    @Test(
        "a caught-up daemon stopped with SIGTERM and started again is ready within 25 s, not after a session timeout, and logs while it waits"
    )
    func quickRestart() async throws {
        let port = freeLoopbackPort()
        let arguments = [
            "run", "-b", broker.bootstrapServers, "--state", path("restart.sqlite"), "--http", "127.0.0.1:\(port)",
        ]
        func ready() async throws -> Bool {
            let result = try await runCommand(
                "curl", ["-s", "-o", "/dev/null", "-w", "%{http_code}", "-m", "1", "http://127.0.0.1:\(port)/readyz"])
            return result.stdout == "200"
        }
        let first = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("the first daemon is ready", timeout: .seconds(90)) { try await ready() }
        first.signal(SIGTERM)
        #expect(try await first.exitStatus() == 0)
        #expect(first.output.contains("left the group"))
        let second = try ChildProcess(product("jump-consumer"), arguments)
        let started = ContinuousClock.now
        try await eventually("the restarted daemon is ready", timeout: .seconds(60)) { try await ready() }
        let took = ContinuousClock.now - started
        print("restart: ready after \(took)")
        // 8.5 s measured on a quiet machine (the mock holds the group 7 s after its last member left); 15.1 to
        // 15.6 s in the loaded parallel phase of the full suite on two cores, so the bound is 25 s: it still fails a
        // restart that waits out a session timeout (45 s by default) or never becomes ready.
        #expect(took < .seconds(25), "ready after \(took)")
        second.signal(SIGTERM)
        #expect(try await second.exitStatus() == 0)
        // Its wait for the group is logged, with how long it took (the 10 s "waiting for partitions" lines come only
        // when a wait is long).
        #expect(second.output.contains("partitions assigned after waiting"), "\(second.output.suffix(2_000))")
    }
}
