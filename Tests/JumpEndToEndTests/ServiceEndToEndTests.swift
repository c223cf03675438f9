import Foundation
import JumpTestSupport
import Testing

/// `jump-consumer` as an operated service: layered configuration, redaction, structured logs, the HTTP
/// endpoint, graceful shutdown, systemd readiness, the DLQ tools and backups. Real processes throughout.
@Suite("jump-consumer as a service")
struct ServiceEndToEndTests {
    let broker: DevBrokerProcess
    let directory: URL
    static let quickGroup = quickGroupArguments

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        directory = try testDirectory("service")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func consumer(_ arguments: [String], environment: [String: String] = [:]) async throws -> CommandResult {
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        return try await runCommand(product("jump-consumer"), arguments, environment: merged, timeout: .seconds(120))
    }

    func publish(_ lines: [String]) async throws {
        let file = path(uniqueTopic("events") + ".jsonl")
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await runCommand(product("jump-producer"), ["publish", "-b", broker.bootstrapServers, file])
        #expect(result.status == 0, "\(result.stderr)")
    }

    func pressRelease() async throws {
        let result = try await runCommand(
            product("jump-producer"),
            [
                "publish", "-b", broker.bootstrapServers,
                pressReleasePath,
            ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// GET a path of the endpoint: status and body (curl, an independent client).
    func get(_ port: Int, _ route: String) async throws -> (status: Int, body: String) {
        let result = try await runCommand(
            "curl", ["-s", "-m", "5", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)\(route)"])
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
    }

    @Test("configuration precedence: command line over JUMP_* over the file over the defaults")
    func precedence() async throws {
        let file = path("consumer.json")
        try
            #"{"batchSize": 50, "topic": "from.file", "log": {"format": "json"}, "kafka": {"saslUsername": "jump-state"}}"#
            .write(toFile: file, atomically: true, encoding: .utf8)
        func show(_ arguments: [String], _ environment: [String: String] = [:]) async throws -> [String] {
            let result = try await consumer(["config", "show"] + arguments, environment: environment)
            #expect(result.status == 0, "\(result.stderr)")
            return result.stdout.split(separator: "\n").map(String.init)
        }
        // Each line is the value and where it came from.
        let defaults = try await show([])
        #expect(
            defaults.contains("batchSize = 1000    (default)")
                && defaults.contains("http = 127.0.0.1:9464    (default)"))
        let fromFile = try await show(["--config", file])
        #expect(
            fromFile.contains("batchSize = 50    (file \(file))")
                && fromFile.contains("topic = from.file    (file \(file))"))
        #expect(fromFile.contains("log.format = json    (file \(file))"))
        #expect(fromFile.contains("kafka.saslUsername = jump-state    (file \(file))"))
        let fromEnvironment = try await show([], ["JUMP_CONFIG": file, "JUMP_BATCH_SIZE": "70"])
        #expect(fromEnvironment.contains("batchSize = 70    (environment JUMP_BATCH_SIZE)"))
        #expect(fromEnvironment.contains("topic = from.file    (file \(file))"))
        let fromCommandLine = try await show(["--config", file, "--batch-size", "90"], ["JUMP_BATCH_SIZE": "70"])
        #expect(fromCommandLine.contains("batchSize = 90    (command line)"))
    }

    @Test("a bad value is refused at start-up with the key, the value and what is allowed (78)")
    func refusals() async throws {
        let cases: [([String], [String: String], String)] = [
            (
                [], ["JUMP_BATCH_SIZE": "abc"],
                #"batchSize (JUMP_BATCH_SIZE) = "abc": must be a whole number in 1...100000"#
            ),
            (["--log-format", "xml"], [:], #"log.format (JUMP_LOG_FORMAT) = "xml": must be one of logfmt, json"#),
            (["--http", "nowhere"], [:], #"http (JUMP_HTTP) = "nowhere": must be HOST:PORT (port 1-65535) or off"#),
            (
                [], ["JUMP_READINESS_MAX_LAG": "-1"],
                #"readiness.maxLag (JUMP_READINESS_MAX_LAG) = "-1": must be in 0 or more"#
            ),
            (
                ["--config", path("missing.json")], [:],
                "configuration config (JUMP_CONFIG) = \"\(path("missing.json"))\""
            ),
        ]
        for (arguments, environment, expected) in cases {
            let result = try await consumer(
                ["run", "-b", broker.bootstrapServers] + arguments, environment: environment)
            #expect(result.status == 78, "\(arguments) \(environment): \(result.stderr)")
            #expect(result.stderr.contains(expected), "\(result.stderr)")
        }
    }

    @Test(
        "a canary secret never appears in logs, config show, errors or the DLQ; every log line is one JSON object without control bytes"
    )
    func redactionAndLogLines() async throws {
        let canary = "canary-S3cret-\(UInt32.random(in: 0...UInt32.max))"
        let environment = ["JUMP_KAFKA_SASL_PASSWORD": canary, "JUMP_LOG_FORMAT": "json", "JUMP_LOG_LEVEL": "debug"]
        let shown = try await consumer(
            ["config", "show", "-X", "ssl.key.password=\(canary)"], environment: environment)
        #expect(shown.status == 0)
        #expect(shown.stdout.contains("kafka.saslPassword = [redacted]"))
        #expect(!shown.stdout.contains(canary) && !shown.stderr.contains(canary))
        // A start-up error (librdkafka refuses an unknown property) while a secret is configured: not in the error.
        let refused = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", path("refused.sqlite"), "--http", "off", "-X",
                "no.such.property=1",
            ],
            environment: environment)
        #expect(refused.status == 78)
        // Bad input carrying control characters and a line break goes to the DLQ and into the logs as escaped text.
        let hostile = "{\"type\":\"jump.jobs.reported\u{07}\u{1b}[31m\rforged=line\n\",\"subject\":\"x\"}"
        let sent = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-P", "-t", "jump.events", "-D", "\u{1e}", "-k", "jobs.x"],
            input: hostile)
        #expect(sent.status == 0)
        try await pressRelease()
        let run = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", path("s.sqlite"), "--until-idle", "--http", "off"]
                + Self.quickGroup, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        let lines = run.stderr.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count > 5)
        for line in lines {
            #expect(!line.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F }, "\(line)")
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) is [String: Any], "\(line)")
        }
        #expect(run.stderr.contains("dead-lettered"))
        #expect(!run.stderr.contains(canary))
        #expect(!refused.stderr.contains(canary) && !refused.stdout.contains(canary))
        #expect(refused.stderr.contains("no.such.property"), "\(refused.stderr)")
        let dlq = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", "jump.events.dlq", "-o", "beginning", "-e", "-q", "-J"])
        #expect(try jsonObjects(dlq.stdout).count == 1)
        #expect(dlq.stdout.contains("jump.error") && !dlq.stdout.contains(canary))
    }

    @Test("/healthz, /readyz and /metrics before, during and after assignment; SIGTERM exits 0 within the bound")
    func httpEndpoint() async throws {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "3000", "--seed", "11", "--invalid-ratio", "0"])
        try await publish(generated.stdout.split(separator: "\n").map(String.init))
        let port = freeLoopbackPort()
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                // 200 ms after each batch of 20: at least 30 s behind, so a loaded machine's polls of /readyz still
                // see the lag above the bound (with 50 ms one loaded run caught up between two polls).
                "run", "-b", broker.bootstrapServers, "--state", path("s.sqlite"), "--http", "127.0.0.1:\(port)",
                "--batch-size", "20", "--pause-ms", "200",
            ] + Self.quickGroup,
            environment: ProcessInfo.processInfo.environment.merging(["JUMP_READINESS_MAX_LAG": "100"]) { _, new in new
            })
        try await eventually("the endpoint answers", timeout: .seconds(60)) {
            try await get(port, "/healthz").status == 200
        }
        // Before assignment (the group join takes seconds on the mock) and while catching up: not ready.
        let early = try await get(port, "/readyz")
        #expect(early.status == 503, "\(early.body)")
        #expect(early.body.contains("no partition assigned") || early.body.contains("lag"))
        try await eventually("lag above the bound is reported", timeout: .seconds(90)) {
            try await get(port, "/readyz").body.contains("is above 100")
        }
        try await eventually("caught up: ready", timeout: .seconds(180)) {
            try await get(port, "/readyz").status == 200
        }
        try await eventually("every event applied", timeout: .seconds(60)) {
            try await get(port, "/metrics").body.contains("jump_events_applied_total 3000")
        }
        let metrics = try await get(port, "/metrics")
        #expect(metrics.status == 200)
        #expect(metrics.body.contains(#"jump_consumer_lag{group="jump-state",topic="jump.events",partition="0"} 0"#))
        #expect(!metrics.body.contains("jump_batch_duration_seconds_count 0\n"))
        // Every message's age at its batch's commit is observed: 3,000 observations.
        #expect(metrics.body.contains("jump_event_age_seconds_count 3000"), "\(metrics.body)")
        #expect(metrics.body.contains(#"jump_event_age_seconds_bucket{le="+Inf"} 3000"#))
        // SIGHUP (what logrotate sends) is logged and ends nothing.
        daemon.signal(SIGHUP)
        try await eventually("SIGHUP is logged", timeout: .seconds(10)) {
            daemon.output.contains("SIGHUP: digests.log")
        }
        #expect(try await get(port, "/healthz").status == 200)
        let stopping = ContinuousClock.now
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(ContinuousClock.now - stopping < .seconds(20))
    }

    @Test(
        "SIGTERM under load: exit 0 within the bound, nothing lost or applied twice, and the store's log truncated at every clean stop"
    )
    func sigtermUnderLoad() async throws {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "3000", "--seed", "5", "--invalid-ratio", "0"])
        try await publish(generated.stdout.split(separator: "\n").map(String.init))
        let state = path("s.sqlite")
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--http", "off", "--batch-size", "50",
                "--pause-ms", "10",
            ]
                + Self.quickGroup)
        try await eventually("the worker makes progress", timeout: .seconds(60)) {
            let summary = try await consumer(["state", "summary", "--json", "--state", state])
            let json = try? JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any]
            return (json?["eventsApplied"] as? Int ?? 0) > 200
        }
        let stopping = ContinuousClock.now
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(ContinuousClock.now - stopping < .seconds(20))
        #expect(Self.logBytes(state) == 0, "the daemon's SIGTERM stop copies the log into the store and truncates it")
        let finish = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"] + Self.quickGroup)
        #expect(finish.status == 0, "\(finish.stderr)")
        #expect(Self.logBytes(state) == 0, "so does an --until-idle run's")
        let summary = try await consumer(["state", "summary", "--json", "--state", state])
        let json = try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as! [String: Any]
        #expect(json["eventsApplied"] as? Int == 3000)
        #expect(json["duplicatesSkipped"] as? Int == 0)
    }

    /// The size of the store's write-ahead log (0 when it is absent).
    static func logBytes(_ state: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: state + "-wal"))?[.size] as? Int) ?? 0
    }

    @Test("under systemd: READY=1 once serving, WATCHDOG=1 while alive, STOPPING=1 on SIGTERM")
    func systemdNotify() async throws {
        let socketPath = path("notify.sock")
        let listener = try ChildProcess(
            "/usr/bin/env",
            ["python3", packageRoot.appendingPathComponent("Tests/Interop/notify_socket.py").path, socketPath])
        try await eventually("the notify socket listens") { listener.output.contains("listening") }
        var environment = ProcessInfo.processInfo.environment
        environment["NOTIFY_SOCKET"] = socketPath
        environment["WATCHDOG_USEC"] = "2000000"
        environment["JUMP_HTTP"] = "127.0.0.1:\(freeLoopbackPort())"
        try await pressRelease()
        let daemon = try ChildProcess(
            product("jump-consumer"),
            ["run", "-b", broker.bootstrapServers, "--state", path("s.sqlite")] + Self.quickGroup,
            environment: environment)
        try await eventually("READY=1", timeout: .seconds(30)) { listener.output.contains("READY=1") }
        try await eventually("WATCHDOG=1", timeout: .seconds(10)) { listener.output.contains("WATCHDOG=1") }
        #expect(!listener.output.contains("STOPPING=1"))
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0)
        try await eventually("STOPPING=1", timeout: .seconds(5)) { listener.output.contains("STOPPING=1") }
        listener.signal(SIGTERM)
    }

    @Test("a port in use is a clear start-up error; --http off needs no port")
    func portInUse() async throws {
        // The holder binds a port the kernel chooses and says which: no other test can take it in between.
        let holder = try ChildProcess(
            "/usr/bin/env",
            [
                "python3", "-c",
                "import signal,socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(); print('bound', s.getsockname()[1], flush=True); signal.pause()",
            ])
        try await eventually("the port is taken", timeout: .seconds(60)) { holder.output.contains("bound ") }
        let port = try #require(
            holder.output.split(separator: "\n").first { $0.hasPrefix("bound ") }.flatMap { Int($0.dropFirst(6)) })
        let result = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", path("s.sqlite"), "--http", "127.0.0.1:\(port)"])
        #expect(result.status == 78)
        #expect(result.stderr.contains("cannot listen on 127.0.0.1:\(port)"), "\(result.stderr)")
        #expect(result.stderr.contains("Address already in use"))
        holder.signal(SIGKILL)
    }

    @Test("dlq list names each dead letter; dlq redeliver sends back what now passes and refuses the rest")
    func deadLetterTools() async throws {
        try await pressRelease()
        let invalid =
            #"{"type":"jump.jobs.reported","subject":"jobs.x","data":{"scope":"x","period":{"year":1800},"jobsSupported":1,"source":"s"}}"#
        _ = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-P", "-t", "jump.events", "-k", "jobs.x"], input: invalid + "\n")
        let state = path("s.sqlite")
        let first = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"] + Self.quickGroup)
        #expect(first.status == 0, "\(first.stderr)")
        // An event an older version refused, now valid (as after a fix of the validator), put in the DLQ by hand.
        let fixed =
            #"{"specversion":"1.0","id":"fixed-1","source":"test","type":"jump.jobs.reported","subject":"jobs.fixed","time":"2024-01-01T00:00:00Z","data":{"scope":"fixed","period":{"year":2024},"jobsSupported":7,"source":"s"}}"#
        _ = try await runCommand(
            "kcat",
            [
                "-b", broker.bootstrapServers, "-P", "-t", "jump.events.dlq", "-k", "jobs.fixed", "-H",
                "jump.error=schema",
                "-H", "jump.error.detail=older rules", "-H", "jump.original.topic=jump.events",
            ], input: fixed + "\n")
        let listed = try await consumer(["dlq", "list", "-b", broker.bootstrapServers])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.split(separator: "\n").count == 2)
        #expect(listed.stdout.contains(#"missing required property "specversion""#))
        #expect(listed.stdout.contains("from jump.events[2]@0") || listed.stdout.contains("from jump.events["))
        #expect(listed.stderr.contains("2 dead letters"))
        let redelivered = try await consumer(["dlq", "redeliver", "--all", "-b", broker.bootstrapServers])
        #expect(redelivered.status == 1)
        #expect(redelivered.stderr.contains("redelivered 1, refused 1"))
        #expect(redelivered.stderr.contains("is still invalid"))
        let second = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"] + Self.quickGroup)
        #expect(second.status == 0, "\(second.stderr)")
        let company = try await consumer(["state", "summary", "--json", "--state", state])
        let json = try JSONSerialization.jsonObject(with: Data(company.stdout.utf8)) as! [String: Any]
        #expect(json["eventsApplied"] as? Int == 6)

        // The listing shows what was sent back, and where; --all does not send it again; a rebuild that
        // dead-letters the same message again shows it once, counted.
        let rebuilt = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", path("rebuilt.sqlite"), "--until-idle", "--http", "off"]
                + ["--group", "rebuild"] + Self.quickGroup)
        #expect(rebuilt.status == 0, "\(rebuilt.stderr)")
        let after = try await consumer(["dlq", "list", "-b", broker.bootstrapServers])
        let lines = after.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 2, "\(after.stdout)")
        #expect(lines.filter { $0.contains("\tredelivered to jump.events[") }.count == 1, "\(lines)")
        #expect(lines.contains { $0.contains("specversion") && $0.contains("\tdead-lettered 2 times") }, "\(lines)")
        let objects = try jsonObjects(
            try await consumer(["dlq", "list", "--json", "-b", broker.bootstrapServers]).stdout)
        #expect(objects.map { $0["times"] as? Int ?? 0 }.sorted() == [1, 2])
        #expect(objects.filter { $0["redeliveredTo"] is String }.count == 1)
        let again = try await consumer(["dlq", "redeliver", "--all", "-b", broker.bootstrapServers])
        #expect(again.stderr.contains("1 dead letters were redelivered or settled before; left out"), "\(again.stderr)")
        #expect(again.stderr.contains("redelivered 0, refused 1"))
    }

    @Test("state backup makes a consistent owner-only copy with the same fingerprint, and never overwrites")
    func backup() async throws {
        try await pressRelease()
        let state = path("s.sqlite")
        let run = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"] + Self.quickGroup)
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try await consumer(["digest", "send-now", "--state", state, "-b", broker.bootstrapServers])
        #expect(sent.status == 0, "\(sent.stderr)")
        let copy = path("backup.sqlite")
        let backup = try await consumer(["state", "backup", copy, "--state", state])
        #expect(backup.status == 0, "\(backup.stderr)")
        #expect(backup.stdout.contains("its notifier's file to \(path("backup.notifier.sqlite"))"), "\(backup.stdout)")
        for file in [copy, path("backup.notifier.sqlite")] {
            let attributes = try FileManager.default.attributesOfItem(atPath: file)
            #expect((attributes[.posixPermissions] as? Int) == 0o600, "\(file)")
        }
        let original = try await consumer(["state", "fingerprint", "--state", state])
        let copied = try await consumer(["state", "fingerprint", "--state", copy])
        #expect(original.stdout == copied.stdout && !original.stdout.isEmpty)
        // The notifier's side came along: the same digests.
        let digests = try await consumer(["digest", "list", "--json", "--state", state])
        let copiedDigests = try await consumer(["digest", "list", "--json", "--state", copy])
        #expect(digests.stdout == copiedDigests.stdout && digests.stdout.contains("\"id\""), "\(copiedDigests.stderr)")
        let again = try await consumer(["state", "backup", copy, "--state", state])
        #expect(again.status == 1)
        #expect(again.stderr.contains("never overwrites"))
    }
}
