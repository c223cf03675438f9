import Foundation
import JumpConsole
import JumpService
import JumpTestSupport
import Testing

/// One configuration file's text and the key its refusal must name (`nil`: accepted).
struct ConfigurationCase: CustomTestStringConvertible, Sendable {
    var text: String
    var refusedKey: String?
    var testDescription: String { text.count > 60 ? String(text.prefix(57)) + "..." : text }
}

/// Configuration from files and the environment: every mistake is refused naming the key, the value and what is
/// allowed (jump-consumer exits 78); documented comments and unrelated `JUMP_*` variables are accepted.
@Suite("Hostile configuration files and environment values")
struct HostileConfigurationTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("configuration"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    static let files: [ConfigurationCase] = {
        var cases: [ConfigurationCase] = [
            .init(text: #"{"batchSize":1.5}"#, refusedKey: "batchSize"),
            .init(text: "true", refusedKey: "config"), .init(text: "null", refusedKey: "config"),
            .init(text: "[]", refusedKey: "config"), .init(text: "\"all\"", refusedKey: "config"),
            .init(text: "", refusedKey: "config"), .init(text: "{", refusedKey: "config"),
            .init(text: #"{"log":"json"}"#, refusedKey: "log"), .init(text: #"{"role":["state"]}"#, refusedKey: "role"),
            .init(text: #"{"batchsize":10}"#, refusedKey: "batchsize"),
            .init(text: #"{"rolle":"all"}"#, refusedKey: "rolle"),
            .init(text: #"{"role":"all","role":"state"}"#, refusedKey: "config"),
            .init(text: #"{"role":"all",}"#, refusedKey: "config"), .init(text: #"{"state":5}"#, refusedKey: "state"),
            .init(text: #"{"log":{"level":"info","colour":"red"}}"#, refusedKey: "log.colour"),
            .init(text: #"{"log":{"level":3}}"#, refusedKey: "log.level"),
            .init(text: #"{"readiness":{"maxLag":"10"}}"#, refusedKey: "readiness.maxLag"),
            .init(text: #"{"readiness":{"maxLag":-1}}"#, refusedKey: "readiness.maxLag"),
            .init(text: #"{"kafka":{"saslPassword":5}}"#, refusedKey: "kafka.saslPassword"),
            .init(text: #"{"kafka":{"sasl.password":"x"}}"#, refusedKey: "kafka.sasl.password"),
            .init(text: #"{"kafka":"SASL_SSL"}"#, refusedKey: "kafka"),
            .init(text: #"{"batchSize":0}"#, refusedKey: "batchSize"),
            .init(text: #"{"batchSize":100001}"#, refusedKey: "batchSize"),
            .init(text: #"{"batchSize":9223372036854775808}"#, refusedKey: "batchSize"),
            .init(text: #"{"batchSize":1e3}"#, refusedKey: nil), .init(text: #"{"batchSize":1.5e3}"#, refusedKey: nil),
            .init(text: #"{"batchSize":1e-400}"#, refusedKey: "batchSize"),
            .init(text: #"{"pauseMs":-5}"#, refusedKey: "pauseMs"),
            .init(text: #"{"shutdownTimeoutSeconds":0}"#, refusedKey: "shutdownTimeoutSeconds"),
            .init(text: #"{"waitTimeoutSeconds":86401}"#, refusedKey: "waitTimeoutSeconds"),
            .init(text: #"{"role":"everything"}"#, refusedKey: "role"),
            .init(text: #"{"offsetReset":"middle"}"#, refusedKey: "offsetReset"),
            .init(text: #"{"topic":"bad topic"}"#, refusedKey: "topic"),
            .init(text: #"{"topic":""}"#, refusedKey: "topic"),
            .init(text: #"{"http":"localhost"}"#, refusedKey: "http"),
            .init(text: #"{"http":"127.0.0.1:99999"}"#, refusedKey: "http"),
            .init(text: #"{"log":{"format":"xml"}}"#, refusedKey: "log.format"),
            .init(text: "{\"role\":\"all\u{1B}[31m\"}", refusedKey: "config"),
            .init(text: #"{"role":"all\u001b[31m"}"#, refusedKey: "role"),
            .init(text: #"{"role":null}"#, refusedKey: "role"), .init(text: #"{"role":true}"#, refusedKey: "role"),
            .init(text: "\u{FEFF}{}", refusedKey: "config"),
            .init(text: #"{"// anything": [1, {"x": null}], "role": "state"}"#, refusedKey: nil),
            .init(text: #"{"log": {"// note": 1, "level": "debug"}}"#, refusedKey: nil),
            .init(text: #"{"kafka": {"// secrets": "x", "saslUsername": "u"}}"#, refusedKey: nil),
            .init(text: "{}", refusedKey: nil), .init(text: " \n{ }\n ", refusedKey: nil),
            .init(text: #"{"console":{"tokenFile":5}}"#, refusedKey: "console.tokenFile"),
            .init(text: #"{"console":{"token":"on the command line's cousin"}}"#, refusedKey: "console.token"),
            .init(text: #"{"console":{"tokenFile":"/nonexistent/token"}}"#, refusedKey: "console.tokenFile"),
            .init(text: #"{"console":{"hosts":"console.example.org, 10.0.0.5"}}"#, refusedKey: nil),
            .init(text: #"{"console":{"hosts":"console.example.org:9464"}}"#, refusedKey: "console.hosts"),
            .init(text: #"{"console":{"hosts":"https://console.example.org"}}"#, refusedKey: "console.hosts"),
            .init(text: #"{"console":{"hosts":["console.example.org"]}}"#, refusedKey: "console.hosts"),
        ]
        if let example = try? String(contentsOfFile: "Deploy/consumer.example.json", encoding: .utf8) {
            // The documented example names a secret file that does not exist here.
            cases.append(.init(text: example, refusedKey: "kafka.saslPasswordFile"))
        }
        return cases
    }()

    @Test("each configuration file is refused naming its key, or accepted", arguments: files)
    func file(_ configuration: ConfigurationCase) async throws {
        let path = directory.appendingPathComponent(uniqueTopic("c") + ".json").path
        try Data(configuration.text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await ConsumerConfiguration.settings(commandLine: [:], environment: [:], file: path)
            #expect(configuration.refusedKey == nil, "accepted")
        } catch {
            #expect(error.key == configuration.refusedKey, "\(error)")
            #expect(!error.allowed.isEmpty)
            #expect(!error.description.unicodeScalars.contains { $0.value == 0x1B } || error.key != "config")
        }
    }

    @Test("a console token shorter than 16 characters is refused naming the key; a longer one is read, trimmed")
    func consoleTokenLength() async throws {
        let short = directory.appendingPathComponent(uniqueTopic("token")).path
        try "too-short\n".write(toFile: short, atomically: true, encoding: .utf8)
        do {
            _ = try await ConsumerConfiguration.settings(
                commandLine: [:], environment: ["JUMP_CONSOLE_TOKEN_FILE": short], file: nil)
            Issue.record("a 9-character token was accepted")
        } catch {
            #expect(error.key == "console.tokenFile" && error.allowed.contains("16"), "\(error)")
        }
        try "  sixteen-chars-and-more \n".write(toFile: short, atomically: true, encoding: .utf8)
        let settings = try await ConsumerConfiguration.settings(
            commandLine: [:], environment: ["JUMP_CONSOLE_TOKEN_FILE": short], file: nil)
        #expect(settings.consoleOperators?.plainToken == "sixteen-chars-and-more")
        #expect(settings.secrets.contains("sixteen-chars-and-more"), "redacted from logs")
    }

    @Test(
        "a secret, or a key that looks like one, never has its value in the error: misspelt, of the wrong type, or unknown",
        arguments: [
            #"{"kafka":{"saslPasswrd":"hunter2-the-secret"}}"#, #"{"kafka":{"saslPassword":["hunter2-the-secret"]}}"#,
            #"{"kafka":{"sslKeyPasword":"hunter2-the-secret"}}"#, #"{"console":{"token":"hunter2-the-secret"}}"#,
            #"{"kafka":{"saslPassword":{"v":"hunter2-the-secret"}}}"#, #"{"apiSecret":"hunter2-the-secret"}"#,
            #"{"Kafka":{"saslPassword":"hunter2-the-secret"}}"#, #"{"kafak":{"saslPassword":"hunter2-the-secret"}}"#,
            #"{"kafka":{"sasl":{"password":"hunter2-the-secret"}}}"#, #"{"log":["hunter2-the-secret"]}"#,
        ])
    func secretsNotEchoed(_ text: String) async throws {
        let path = directory.appendingPathComponent(uniqueTopic("c") + ".json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await ConsumerConfiguration.settings(commandLine: [:], environment: [:], file: path)
            Issue.record("accepted")
        } catch {
            #expect(!error.description.contains("hunter2"), "\(error)")
            #expect(
                error.description.contains("(redacted)") || error.description.contains("(an object)")
                    || error.description.contains("(an array)"), "\(error)")
        }
    }

    @Test("a misspelt key that is no secret still shows its value, to help find it")
    func plainValuesShown() async throws {
        let path = directory.appendingPathComponent(uniqueTopic("c") + ".json").path
        try Data(#"{"kafka":{"saslUsernme":"jump-state"}}"#.utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try await ConsumerConfiguration.settings(commandLine: [:], environment: [:], file: path)
            Issue.record("accepted")
        } catch {
            #expect(error.description.contains("jump-state") && error.description.contains("saslUsername"), "\(error)")
        }
    }

    static let environments: [(String, String, String?)] = [
        ("JUMP_BATCH_SIZE", "abc", "batchSize"), ("JUMP_BATCH_SIZE", "-1", "batchSize"),
        ("JUMP_BATCH_SIZE", "1.5", "batchSize"), ("JUMP_BATCH_SIZE", "", "batchSize"),
        ("JUMP_BATCH_SIZE", "99999999999999999999", "batchSize"), ("JUMP_BATCH_SIZE", " 500 ", nil),
        ("JUMP_ROLE", "bogus", "role"), ("JUMP_ROLE", "STATE", "role"), ("JUMP_HTTP", ":0", "http"),
        ("JUMP_HTTP", "host:99999", "http"), ("JUMP_HTTP", "off", nil), ("JUMP_HTTP", "[::1]:9464", nil),
        ("JUMP_LOG_LEVEL", "verbose", "log.level"), ("JUMP_LOG_FORMAT", "yaml", "log.format"),
        ("JUMP_TOPIC", "bad topic", "topic"), ("JUMP_TOPIC", String(repeating: "t", count: 250), "topic"),
        ("JUMP_LEDGER_WINDOW", "0", "ledgerWindow"), ("JUMP_PAUSE_MS", "60001", "pauseMs"),
        ("JUMP_WAIT_TIMEOUT_SECONDS", "0", "waitTimeoutSeconds"), ("JUMP_OFFSET_RESET", "never", "offsetReset"),
        ("JUMP_KAFKA_SASL_PASSWORD_FILE", "/nonexistent/secret", "kafka.saslPasswordFile"),
        ("JUMP_SOMETHING_ELSE", "whatever", nil), ("JUMP_DEV_BROKER_FILE", "/tmp/x", nil),
        ("JUMP_STATE", "", nil), ("JUMP_READINESS_MAX_LAG", "-3", "readiness.maxLag"),
        ("JUMP_CONSOLE_TOKEN_FILE", "/nonexistent/token", "console.tokenFile"),
        ("JUMP_CONSOLE_HOSTS", "a.example,b.example", nil), ("JUMP_CONSOLE_HOSTS", "a.example:80", "console.hosts"),
        ("JUMP_CONSOLE_HOSTS", "a.example,\u{1B}[2J", "console.hosts"),
    ]

    @Test(
        "each environment value is refused naming its key, or accepted; unrelated JUMP_ variables are ignored",
        arguments: environments)
    func environment(_ name: String, _ value: String, _ refusedKey: String?) async {
        do {
            _ = try await ConsumerConfiguration.settings(commandLine: [:], environment: [name: value], file: nil)
            #expect(refusedKey == nil, "accepted")
        } catch {
            #expect(error.key == refusedKey, "\(error)")
            #expect(error.description.contains(SettingsError.environmentName(error.key)))
        }
    }
}
