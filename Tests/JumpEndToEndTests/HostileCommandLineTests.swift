import Foundation
import JumpTestSupport
import Testing

/// One command line and the exit status it must end with.
struct CommandLineCase: CustomTestStringConvertible, Sendable {
    var arguments: [String]
    var status: Int32
    /// Text standard error must contain (the reason).
    var says: String
    var testDescription: String { arguments.joined(separator: " ") }
}

/// Every input a shell can give `jump-consumer` without a broker: each ends with its documented exit status and
/// a message naming the problem, never with a signal, also with standard error closed.
@Suite("Hostile command lines")
struct HostileCommandLineTests {
    /// Files the cases refer to, made once: `@` in an argument stands for this directory.
    static let directory: URL = {
        let directory = try! testDirectory("command-lines")
        let base = directory.path
        _ = FileManager.default.createFile(atPath: base + "/a-file", contents: Data("x".utf8))
        _ = FileManager.default.createFile(atPath: base + "/text.sqlite", contents: Data("not a database\n".utf8))
        try! FileManager.default.createDirectory(atPath: base + "/dir.sqlite", withIntermediateDirectories: true)
        let audience =
            #"{"id": "consulate", "name": "C", "languages": ["es"], "timeZone": "UTC", "schedule": {"everyMinutes": 5}, "routes": [{}], "staff": [{"name": "A", "role": "B", "email": "STAFF", "language": "es"}]}"#
        let mail = #"{"audiences": [AUDIENCE], "email": {"from": "FROM", "sendmail": ["/bin/true"]}}"#
        for (name, from, staff) in [
            ("mail-from.json", #"relay@example.org\r\nBcc: spy@evil.example"#, "consul@example.org"),
            ("mail-to.json", "relay@example.org", #"consul@example.org\u202E"#),
        ] {
            let text = mail.replacing("AUDIENCE", with: audience.replacing("STAFF", with: staff))
                .replacing("FROM", with: from)
            _ = FileManager.default.createFile(atPath: base + "/" + name, contents: Data(text.utf8))
        }
        mkfifo(base + "/fifo.sqlite", 0o600)
        _ = FileManager.default.createFile(
            atPath: base + "/secret-typo.json", contents: Data(#"{"kafka":{"saslPasswrd":"hunter2-pass"}}"#.utf8))
        return directory
    }()

    static let unreachable = ["-b", "127.0.0.1:1"]

    static let cases: [CommandLineCase] = [
        .init(arguments: ["state", "summary", "--state", "a"], status: 78, says: "no state store there"),
        .init(arguments: ["state", "summary", "--state", "a/"], status: 78, says: "names a directory"),
        .init(arguments: ["state", "summary", "--state", ""], status: 78, says: "the path is empty"),
        .init(arguments: ["state", "summary", "--state", "@/dir.sqlite"], status: 78, says: "it is a directory"),
        .init(
            arguments: ["state", "summary", "--state", "@/text.sqlite"], status: 78,
            says: "not a jump-relay state store"),
        .init(
            arguments: ["state", "company", "x", "--state", "/nonexistent/s.sqlite"], status: 78, says: "does not exist"
        ),
        .init(
            arguments: ["state", "fingerprint", "--state", "@/a-file/s.sqlite"], status: 78, says: "is not a directory"),
        .init(arguments: ["state", "anomalies", "--limit", "0", "--state", "x"], status: 64, says: "--limit"),
        .init(arguments: ["state", "anomalies", "--since", "3w", "--state", "x"], status: 64, says: "--since must be"),
        .init(
            arguments: ["state", "backup", "@/b.sqlite", "--state", "@/text.sqlite"], status: 78,
            says: "not a jump-relay"),
        .init(arguments: ["digest", "list", "--state", "a"], status: 78, says: "no state store there"),
        .init(arguments: ["state", "summary", "--state", "@/fifo.sqlite"], status: 78, says: "it is a FIFO"),
        .init(arguments: ["state", "summary", "--state", "/dev/null"], status: 78, says: "a character device"),
        .init(
            arguments: ["run", "--until-idle", "--state", "@/fifo.sqlite"] + unreachable, status: 78,
            says: "it is a FIFO (named pipe); name a regular file"),
        .init(arguments: ["dlq", "list", "-b", "127.0.0.1:1"], status: 69, says: "no broker answered"),
        .init(
            arguments: ["digest", "preview", "--audience", "nobody", "--state", "a"], status: 64,
            says: "no audience nobody"),
        .init(arguments: ["digest", "send-now", "--state", "a/"], status: 78, says: "names a directory"),
        .init(
            arguments: ["digest", "preview", "--audience", "consulate", "--digest-config", "@/a-file"], status: 78,
            says: "a-file"),
        .init(
            arguments: ["run", "--until-idle", "--state", "a/"] + unreachable, status: 78, says: "names a directory"),
        .init(
            arguments: ["run", "--until-idle", "--state", "@/text.sqlite"] + unreachable, status: 78,
            says: "left untouched"),
        .init(
            arguments: ["run", "--until-idle", "--state", "@/s1.sqlite", "--digest-dir", "@/a-file"] + unreachable,
            status: 78, says: "--digest-dir"),
        .init(
            arguments: ["run", "--until-idle", "--state", "@/s2.sqlite", "--digest-config", "@/missing.json"]
                + unreachable, status: 78, says: "missing.json"),
        .init(arguments: ["run", "--until-idle", "--batch-size", "abc"], status: 64, says: "batch-size"),
        .init(arguments: ["run", "--until-idle", "--batch-size", "0"] + unreachable, status: 78, says: "batchSize"),
        .init(
            arguments: ["run", "--until-idle", "--batch-size", "99999999999999999999"], status: 64, says: "batch-size"),
        .init(arguments: ["run", "--until-idle", "-X", "noequals"], status: 64, says: "not key=value"),
        .init(arguments: ["run", "--until-idle", "-X", "=value"], status: 64, says: "empty key"),
        .init(arguments: ["run", "--until-idle", "--role", "boss"] + unreachable, status: 78, says: "role"),
        .init(
            arguments: ["run", "--until-idle", "--wait-timeout=-1"] + unreachable, status: 78,
            says: "waitTimeoutSeconds"),
        .init(arguments: ["run", "--http", "127.0.0.1:0"] + unreachable, status: 78, says: "http"),
        .init(arguments: ["run", "--until-idle", "--topic", "bad topic"] + unreachable, status: 78, says: "topic"),
        .init(arguments: ["run", "--until-idle", "--config", "@/a-file"], status: 78, says: "JSON"),
        .init(arguments: ["run", "--until-idle", "--config", "@"], status: 78, says: "directory"),
        .init(arguments: ["config", "show", "--config", "/nonexistent.json"], status: 78, says: "no such file"),
        .init(arguments: ["dlq", "redeliver"], status: 64, says: "--all"),
        .init(arguments: ["dlq", "redeliver", "--message", "x@y"], status: 64, says: "PARTITION@OFFSET"),
        .init(arguments: ["dlq", "redeliver", "--message", "\u{1B}[2J"], status: 64, says: "--message \\e[2J is not"),
        .init(arguments: ["dlq", "list", "-b", "\u{1B}[2Jnowhere.invalid:1"], status: 69, says: "\\e[2Jnowhere"),
        .init(
            arguments: ["dlq", "redeliver", "--message", "1@99999999999999999999"], status: 64, says: "PARTITION@OFFSET"
        ),
        .init(arguments: ["dlq", "list", "-X", "bootstrap"], status: 78, says: "not key=value"),
        .init(arguments: ["placement", "where", "jobs.x"], status: 64, says: "--partitions"),
        .init(arguments: ["placement", "where", "--partitions", "0", "jobs.x"], status: 64, says: "1 or more"),
        .init(arguments: ["placement", "where", "--partitions", "6", ""], status: 64, says: "non-empty"),
        .init(arguments: ["placement", "cutover", "-b", "127.0.0.1:1"], status: 69, says: "no broker answered"),
        .init(arguments: ["placement", "cutover", "-X", "bootstrap"], status: 78, says: "not key=value"),
        .init(
            arguments: ["digest", "preview", "--audience", "consulate", "--digest-config", "@/mail-from.json"],
            status: 78, says: #"email.from: "relay@example.org\r\nBcc: spy@evil.example" is not an e-mail address"#),
        .init(
            arguments: ["digest", "preview", "--audience", "consulate", "--digest-config", "@/mail-to.json"],
            status: 78,
            says: #"email: "consul@example.org\u{202E}" is not an e-mail address: it holds a character outside ASCII"#),
        .init(
            arguments: ["config", "show", "--config", "@/secret-typo.json"], status: 78,
            says: "kafka.saslPasswrd (JUMP_KAFKA_SASL_PASSWRD) = \"(redacted)\""),
        .init(arguments: ["no-such-command"], status: 64, says: "no-such-command"),
        .init(arguments: ["state", "summary", "--no-such-flag"], status: 64, says: "no-such-flag"),
        .init(arguments: ["--help"], status: 0, says: ""),
    ]

    func resolved(_ arguments: [String]) -> [String] {
        arguments.map { $0.replacing("@", with: Self.directory.path) }
    }

    @Test("each command line ends with its exit status and a message", arguments: cases)
    func exitStatus(_ command: CommandLineCase) async throws {
        let result = try await runCommand(product("jump-consumer"), resolved(command.arguments), timeout: .seconds(60))
        #expect(result.status == command.status, "\(result.stderr)")
        #expect(command.says.isEmpty || result.stderr.contains(command.says), "\(result.stderr)")
        #expect(!result.stderr.contains("Fatal error") && !result.stderr.contains("Program crashed"))
        #expect(!result.stderr.contains("hunter2"), "a secret's value never reaches standard error")
        #expect(!result.stderr.unicodeScalars.contains { $0.value == 0x1B }, "no raw ESC: \(result.stderr)")
    }

    @Test(
        "with standard error and output closed, or standard error full, a refusal still ends with its status",
        arguments: ["2>&-", ">&- 2>&-", "2>/dev/full", "| true"])
    func closedStreams(_ redirection: String) async throws {
        let command =
            "\(product("jump-consumer")) state summary --state \(Self.directory.path)/text.sqlite \(redirection); "
            + "echo status=${PIPESTATUS[0]}"
        let result = try await runCommand("bash", ["-c", command])
        #expect(result.stdout.contains("status=78"), "\(result.stdout) \(result.stderr)")
    }

    @Test("a stopped reader of standard output (| head -1) never ends the process with SIGPIPE")
    func brokenPipe() async throws {
        let command = "\(product("jump-consumer")) --help | head -1 >/dev/null; echo status=${PIPESTATUS[0]}"
        let result = try await runCommand("bash", ["-c", command])
        #expect(result.stdout.contains("status=0"), "\(result.stdout) \(result.stderr)")
    }
}
