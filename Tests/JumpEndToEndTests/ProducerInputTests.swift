import Foundation
import JumpTestSupport
import Testing

/// Every input a shell can give `jump-producer publish`, as real processes against a `jump-dev-broker`, read back
/// with kcat: exactly the valid events arrive, once each, keyed by subject; every problem is one line naming
/// where it is; no input ends in a signal.
@Suite("jump-producer: every input a shell can give it")
struct ProducerInputTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        directory = try testDirectory("producer-inputs")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func write(_ name: String, _ text: String) throws -> String {
        try text.write(toFile: path(name), atomically: true, encoding: .utf8)
        return path(name)
    }

    static func event(_ id: String, year: Int = 2022) -> String {
        #"{"specversion":"1.0","id":"\#(id)","source":"urn:test","type":"jump.jobs.reported","subject":"jobs.\#(id)","time":"2025-01-01T00:00:00Z","data":{"scope":"x","period":{"year":\#(year)},"jobsSupported":1,"source":"s"}}"#
    }

    /// Publishes with a shell command line (`PRODUCER` stands for the binary, `TOPIC` for a new topic) and returns
    /// the result and the keys that arrived.
    func publish(_ shell: String, input: String? = nil) async throws -> (CommandResult, [String]) {
        let topic = uniqueTopic("inputs")
        let command =
            shell.replacing(
                "PRODUCER", with: "\(product("jump-producer")) publish -b \(broker.bootstrapServers) -t \(topic)")
        let result = try await runCommand("bash", ["-c", command], input: input)
        let read = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", topic, "-o", "beginning", "-e", "-q", "-f", "%k\n"])
        return (result, read.stdout.split(separator: "\n").map(String.init).sorted())
    }

    @Test("a pretty-printed event, several of them one after another, a JSON array and JSON Lines, in one run")
    func documentForms() async throws {
        let pretty = packageRoot.appendingPathComponent("Schemas/examples/valid/expansion-announced.json").path
        // Two pretty-printed events one after another, as `jq . events.jsonl` writes them.
        let two = try write(
            "two.json",
            Self.event("p1").replacing(",", with: ",\n  ") + "\n" + Self.event("p2").replacing(",", with: ",\n  ")
                + "\n")
        let array = try write("array.json", "[\n" + Self.event("a1") + ",\n" + Self.event("a2") + "\n]\n")
        let lines = try write("lines.jsonl", Self.event("l1") + "\n\n" + Self.event("l2") + "\r\n")
        let (result, keys) = try await publish("PRODUCER \(pretty) \(two) \(array) \(lines)")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("published 7, rejected 0, failed 0"), "\(result.stderr)")
        #expect(keys.count == 7 && keys.contains("jobs.a2") && keys.contains("jobs.p2") && keys.contains("jobs.l2"))
    }

    @Test("FIFOs, process substitution, /dev/stdin and - are read as streams")
    func streams() async throws {
        let file = try write("one.jsonl", Self.event("s1") + "\n")
        let fifo = path("events.fifo")
        let (result, keys) = try await publish(
            "mkfifo \(fifo); (cat \(file) > \(fifo) &); PRODUCER \(fifo) <(sed s/s1/s2/g \(file)) /dev/stdin - < \(file)"
        )
        #expect(result.status == 0, "\(result.stderr)")
        // /dev/stdin opens the redirected file anew, and - reads standard input itself: both read it whole.
        #expect(keys == ["jobs.s1", "jobs.s1", "jobs.s1", "jobs.s2"], "\(keys)")
        #expect(result.stderr.contains("rejected 0, failed 0"), "\(result.stderr)")
    }

    @Test("--strict with standard input spools it, and publishes each event once")
    func strictStandardInput() async throws {
        let (result, keys) = try await publish(
            "PRODUCER --strict -", input: Self.event("t1") + "\n" + Self.event("t2") + "\n")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(keys == ["jobs.t1", "jobs.t2"])
        let (refused, none) = try await publish("PRODUCER --strict -", input: Self.event("t3") + "\n{broken\n")
        #expect(refused.status == 1 && none.isEmpty, "\(refused.stderr)")
    }

    @Test(
        "a directory, a missing file, a closed or directory standard input: one line naming it, the rest still published",
        arguments: [
            ("PRODUCER \(FileManager.default.temporaryDirectory.path) FILE", "it is a directory", 1),
            ("PRODUCER /nonexistent/events.jsonl FILE", "/nonexistent/events.jsonl: cannot read: no such file", 1),
            ("PRODUCER - FILE <&-", "standard input is closed", 1),
            ("PRODUCER FILE - < /", "standard input is a directory", 1),
        ])
    func unreadable(_ shell: String, _ says: String, _ arrived: Int) async throws {
        let file = try write(uniqueTopic("ok") + ".jsonl", Self.event("u1") + "\n")
        let (result, keys) = try await publish(shell.replacing("FILE", with: file))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains(says), "\(result.stderr)")
        #expect(keys.count == arrived)
    }

    @Test(
        "with standard error closed or full the exit status still tells: 0 all delivered, 1 anything rejected",
        arguments: ["2>&-", "2>/dev/full"])
    func closedStandardError(_ redirection: String) async throws {
        let good = try write(uniqueTopic("good") + ".jsonl", Self.event("c1") + "\n")
        let (delivered, keys) = try await publish("PRODUCER \(good) \(redirection); echo status=$?")
        #expect(delivered.stdout.contains("status=0") && keys == ["jobs.c1"], "\(delivered.stdout)")
        let bad = try write(uniqueTopic("bad") + ".jsonl", "{broken\n")
        let (refused, _) = try await publish("PRODUCER \(bad) \(redirection); echo status=$?")
        #expect(refused.stdout.contains("status=1"), "\(refused.stdout)")
    }

    @Test("malformed arrays are reported at their position; their well-formed elements still count")
    func malformedArrays() async throws {
        let trailing = try write("trailing.json", "[" + Self.event("m1") + ",\n" + Self.event("m2") + ",\n]")
        let empty = try write("empty.json", "[,,\n" + Self.event("m3") + ",,\n" + Self.event("m4") + "]")
        let (result, keys) = try await publish("PRODUCER \(trailing) \(empty)")
        #expect(result.status == 1)
        #expect(result.stderr.contains("trailing.json:3: a comma before ]"), "\(result.stderr)")
        #expect(result.stderr.contains("empty.json:1: an empty element"), "\(result.stderr)")
        #expect(result.stderr.contains("empty.json:2: an empty element"), "\(result.stderr)")
        #expect(keys == ["jobs.m1", "jobs.m2", "jobs.m3", "jobs.m4"])
    }

    @Test("a line far over the limit is skipped without buffering it; the lines around it publish")
    func oversizedLine() async throws {
        let file = try write(
            "big.jsonl",
            Self.event("o1") + "\n" + String(repeating: "x", count: 3_000_000) + "\n" + Self.event("o2") + "\n")
        let (result, keys) = try await publish("PRODUCER \(file)")
        #expect(result.status == 1)
        #expect(
            result.stderr.contains("big.jsonl:2: a line of more than 65536 bytes (3000000 read)"), "\(result.stderr)")
        #expect(keys == ["jobs.o1", "jobs.o2"])
    }

    @Test(
        "a line of stray bytes, an open string or open braces never swallows the complete lines after it: each is judged on its own",
        arguments: ["garbage here", "\"abc", "{{{", "{\"a\": \"b", "\u{1}\u{2}\u{7F}", "}}"])
    func strayLineThenEvents(_ stray: String) async throws {
        let input = [stray, Self.event("s1"), Self.event("s2")].joined(separator: "\n") + "\n"
        let (result, keys) = try await publish("PRODUCER -", input: input)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(keys == ["jobs.s1", "jobs.s2"], "\(result.stderr)")
        #expect(result.stderr.contains("published 2, rejected 1, failed 0"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("-:1: "), "the problem is on line 1: \(result.stderr)")
    }

    @Test(
        "pretty-printed documents whose nested objects start at the line's beginning (indent 0) stay whole; a broken string is reported once"
    )
    func flushLeftDocuments() async throws {
        let flat = Self.event("f1").replacing(#""data":{"#, with: "\"data\":\n{").replacing(",", with: ",\n")
        let (result, keys) = try await publish("PRODUCER -", input: flat + "\n" + flat.replacing("f1", with: "f2"))
        #expect(result.status == 0 && keys == ["jobs.f1", "jobs.f2"], "\(result.stderr)")
        // Documents (the first one spans lines), then one with a string left open, then a whole one.
        let broken =
            flat.replacing("f1", with: "f3") + "\n{\"id\": \"x\n  \"more\": 1,\n  \"rest\": 2\n}\n"
            + Self.event("f4") + "\n"
        let (brokenResult, brokenKeys) = try await publish("PRODUCER -", input: broken)
        #expect(brokenKeys == ["jobs.f3", "jobs.f4"], "\(brokenResult.stderr)")
        #expect(brokenResult.stderr.contains("published 2, rejected 1, failed 0"), "\(brokenResult.stderr)")
        #expect(brokenResult.stderr.contains("a string is not closed at the end of line"), "\(brokenResult.stderr)")
    }

    @Test("-b '' is a usage error naming it, never a reason to look for a dev broker; -t must be a Kafka topic name")
    func emptyBrokersAndBadTopics() async throws {
        for arguments in [
            ["-b", ""], ["-b", " , "], ["-b", broker.bootstrapServers, "-t", "bad topic"],
            ["-b", broker.bootstrapServers, "-t", ".."],
            ["-b", broker.bootstrapServers, "-t", String(repeating: "t", count: 250)],
        ] {
            let result = try await runCommand(
                product("jump-producer"), ["publish"] + arguments + ["-"], input: Self.event("x") + "\n")
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(
                result.stderr.contains("-b/--brokers is empty") || result.stderr.contains("is not a Kafka topic name"),
                "\(arguments): \(result.stderr)")
        }
        let consumer = try await runCommand(product("jump-consumer"), ["dlq", "list", "-b", ""])
        #expect(consumer.status == 64 && consumer.stderr.contains("-b/--brokers is empty"), "\(consumer.stderr)")
    }

    @Test("rejection reasons show control characters from the input escaped, on one line each")
    func escapedRejections() async throws {
        let hostile = Self.event("e1").replacing("\"source\":", with: "\"x\\u001b[31m\\nforged\":\"v\",\"source\":")
        let (result, _) = try await publish("PRODUCER -", input: hostile + "\n")
        #expect(result.status == 1)
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(result.stderr)")
        #expect(result.stderr.contains("\\e[31m") && result.stderr.contains("\\nforged"), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 2, "\(result.stderr)")
    }

    @Test("jump-producer event prints the event id, topic, partition and offset it was delivered to")
    func eventPrintsPlace() async throws {
        let topic = uniqueTopic("one")
        let result = try await runCommand(
            product("jump-producer"),
            [
                "event", "jump.jobs.reported", "--subject", "jobs.one", "-b", broker.bootstrapServers, "-t", topic,
                "--id", "one-1", "--data", #"{"scope":"x","period":{"year":2022},"jobsSupported":3,"source":"s"}"#,
            ])
        #expect(result.status == 0, "\(result.stderr)")
        let fields = result.stdout.split(separator: "\t").map { $0.trimmingCharacters(in: .newlines) }
        #expect(fields.count == 4 && fields[0] == "one-1" && fields[1] == topic, "\(result.stdout)")
        let read = try await runCommand(
            "kcat",
            [
                "-b", broker.bootstrapServers, "-C", "-t", topic, "-p", fields[2], "-o", fields[3], "-c", "1", "-e",
                "-q", "-f", "%k",
            ])
        #expect(read.stdout == "jobs.one", "\(read.stdout) \(read.stderr)")
    }

    @Test(
        "event --data @FILE reads at most the event limit: endless and huge inputs are refused naming the limit, in bounded memory",
        arguments: ["/dev/zero", "/dev/urandom", "BIG"])
    func dataFileBounded(_ source: String) async throws {
        var file = source
        if source == "BIG" {
            file = path("big.json")
            let handle = try #require(FileHandle(forWritingAtPath: try write("big.json", "")))
            let block = Data(repeating: 0x20, count: 1 << 20)
            for _ in 0..<100 { handle.write(block) }
            try handle.close()
        }
        let result = try await runCommand(
            "/usr/bin/time",
            [
                "-f", "maxrss=%M", product("jump-producer"), "event", "jump.jobs.reported", "--subject", "jobs.x",
                "--data", "@" + file, "--dry-run",
            ], timeout: .seconds(60))
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("more than 65536 bytes; an event is at most 65536 bytes"), "\(result.stderr)")
        let rss = result.stderr.firstMatch(of: /maxrss=(\d+)/).flatMap { Int($0.1) } ?? .max
        #expect(rss < 64 * 1024, "peak RSS \(rss) KiB")
    }

    @Test("event --data @FILE with escape sequences in its name shows them escaped")
    func dataFileNameEscaped() async throws {
        let result = try await runCommand(
            product("jump-producer"),
            ["event", "jump.jobs.reported", "--subject", "jobs.x", "--data", "@/nonexistent/\u{1B}[2J", "--dry-run"])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B }, "\(result.stderr)")
        #expect(result.stderr.contains("\\e[2J"), "\(result.stderr)")
    }

    @Test(
        "--version on every executable, from one place",
        arguments: ["jump-producer", "jump-consumer", "jump-dev-broker"])
    func version(_ executable: String) async throws {
        let result = try await runCommand(product(executable), ["--version"])
        #expect(result.status == 0)
        #expect(result.stdout.split(separator: ".").count == 3, "\(result.stdout)")
    }

    @Test(
        "shell completion for bash, zsh and fish from every executable, subcommands included",
        arguments: ["jump-producer", "jump-consumer", "jump-dev-broker"])
    func completion(_ executable: String) async throws {
        for shell in ["bash", "zsh", "fish"] {
            let result = try await runCommand(product(executable), ["--generate-completion-script", shell])
            #expect(result.status == 0 && result.stdout.contains(executable), "\(shell): \(result.stderr)")
            if executable == "jump-consumer" { #expect(result.stdout.contains("redeliver"), "\(shell)") }
        }
    }
}
