import Foundation
import JumpTestSupport
import Testing

/// What cannot run here (systemd units, containers, Kubernetes) checked by the real tools that parse them.
@Suite("Deploy/ files parse")
struct DeployTests {
    func deploy(_ path: String) -> String { packageRoot.appendingPathComponent("Deploy/\(path)").path }

    @Test("systemd-analyze verify passes on the unit for both roles, without a warning")
    func systemdUnit() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("units"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        // The unit names /usr/local/bin/jump-consumer; verify needs an executable there, so point it at the build.
        let unit = try String(contentsOfFile: deploy("systemd/jump-consumer@.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/jump-consumer", with: product("jump-consumer"))
        try unit.write(
            to: directory.appendingPathComponent("jump-consumer@.service"), atomically: true, encoding: .utf8)
        for role in ["state", "notifier"] {
            let result = try await runCommand(
                "systemd-analyze", ["verify", directory.appendingPathComponent("jump-consumer@\(role).service").path])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("jump-consumer@"), "\(result.stderr)")
        }
        for directive in [
            "Type=notify", "DynamicUser=yes", "ProtectSystem=strict", "NoNewPrivileges=yes",
            "StateDirectory=jump-relay/%i", "LogsDirectory=jump-relay/%i", "WatchdogSec=",
        ] {
            #expect(unit.contains(directive))
        }
        #expect(!unit.contains("sasl.password"), "no secret on a command line")
    }

    @Test("serve's unit verifies, its manifest validates, its example configuration is read")
    func serveDeployment() async throws {
        let directory = try testDirectory("serve-unit")
        let unit = try String(contentsOfFile: deploy("systemd/jump-producer-serve.service"), encoding: .utf8)
            .replacingOccurrences(of: "/usr/local/bin/jump-producer", with: product("jump-producer"))
        let unitPath = directory.appendingPathComponent("jump-producer-serve.service").path
        try unit.write(toFile: unitPath, atomically: true, encoding: .utf8)
        let verify = try await runCommand("systemd-analyze", ["verify", unitPath])
        #expect(verify.status == 0 && !verify.stderr.contains("jump-producer-serve"), "\(verify.stderr)")
        for directive in ["Type=notify", "DynamicUser=yes", "LoadCredentialEncrypted=publish-tokens:", "ExecReload="] {
            #expect(unit.contains(directive))
        }
        let manifest = try await runCommand("kubernetes-validate", ["--strict", deploy("kubernetes/jump-serve.yaml")])
        #expect(manifest.status == 0 && manifest.stdout.contains("deployment/jump-serve"), "\(manifest.stdout)")
        // The example is read strictly (an unknown key or a wrong type would be refused first); what stops this
        // start is the tokens file, the next thing read.
        let start = try await runCommand(
            product("jump-producer"),
            [
                "serve", "--config", deploy("serve.example.json"), "--tokens",
                directory.appendingPathComponent("none").path,
            ])
        #expect(start.status == 78 && start.stderr.contains("serve.tokensFile"), "\(start.stderr)")
        #expect(!start.stderr.contains("is not a configuration key"), "\(start.stderr)")
    }

    @Test("the compose file is valid for docker-compose (Kafka in KRaft mode, the workers, a mail catcher)")
    func compose() async throws {
        let result = try await runCommand("/usr/bin/docker-compose", ["-f", deploy("docker/compose.yaml"), "config"])
        #expect(result.status == 0, "\(result.stderr)")
        for expected in ["KAFKA_PROCESS_ROLES: broker,controller", "mailpit", "--role", "notifier"] {
            #expect(result.stdout.contains(expected))
        }
    }

    @Test("the Kubernetes manifests validate against the Kubernetes schemas (strict)")
    func kubernetes() async throws {
        let result = try await runCommand("kubernetes-validate", ["--strict", deploy("kubernetes/jump-relay.yaml")])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("statefulset/jump-state") && result.stdout.contains("statefulset/jump-notifier"))
        let text = try String(contentsOfFile: deploy("kubernetes/jump-relay.yaml"), encoding: .utf8)
        for expected in [
            "path: /healthz", "path: /readyz", "prometheus.io/scrape", "runAsNonRoot: true", "replicas: 1",
        ] {
            #expect(text.contains(expected))
        }
    }

    @Test("the Dockerfile parses: two stages, and the image runs as a non-root user")
    func dockerfile() async throws {
        let script = """
            import json, sys
            from dockerfile_parse import DockerfileParser
            parser = DockerfileParser(path=sys.argv[1])
            print(json.dumps([[item["instruction"], item["value"]] for item in parser.structure]))
            """
        let result = try await runCommand("python3", ["-c", script, deploy("docker/Dockerfile")])
        #expect(result.status == 0, "\(result.stderr)")
        let instructions = try #require(
            try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String]])
        #expect(instructions.filter { $0[0] == "FROM" }.count == 2)
        let user = try #require(instructions.last { $0[0] == "USER" })
        #expect(!user[1].hasPrefix("0") && !user[1].hasPrefix("root"))
        #expect(instructions.contains { $0[0] == "COPY" && $0[1].hasPrefix("--from=build") })
    }

    @Test("the scripts parse (bash -n) and the example configurations load")
    func scriptsAndExamples() async throws {
        for script in [
            "kafka/create-topics.sh", "kafka/acls.sh", "local/quickstart.sh", "local/test.sh",
            "local/install-dependencies.sh", "local/man-pages.sh",
        ] {
            let result = try await runCommand("bash", ["-n", deploy(script)])
            #expect(result.status == 0, "\(script): \(result.stderr)")
        }
        // The example names a password file; point it at a real one, as an operator would.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("config"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let password = directory.appendingPathComponent("kafka-password")
        try "canary-from-file\n".write(to: password, atomically: true, encoding: .utf8)
        let example = try String(contentsOfFile: deploy("consumer.example.json"), encoding: .utf8)
            .replacingOccurrences(of: "/run/secrets/kafka-password", with: password.path)
            .replacingOccurrences(of: "/etc/jump-relay/digests.json", with: deploy("digests.example.json"))
        let file = directory.appendingPathComponent("consumer.json")
        try example.write(to: file, atomically: true, encoding: .utf8)
        let shown = try await runCommand(product("jump-consumer"), ["config", "show", "--config", file.path])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("kafka.securityProtocol = SASL_SSL    (file \(file.path))"))
        #expect(shown.stdout.contains("kafka.saslPassword = [redacted]"))
        #expect(!shown.stdout.contains("canary-from-file"))

        // The operations guide's step 2, as written: the example as it is, where its password file does not
        // exist; each value says where it came from. `run` still refuses the missing secret.
        let guide = try await runCommand(
            product("jump-consumer"),
            ["config", "show", "--config", deploy("consumer.example.json"), "--topic", "t.x"],
            environment: ProcessInfo.processInfo.environment.merging(["JUMP_BATCH_SIZE": "500"]) { $1 })
        #expect(guide.status == 0, "\(guide.stderr)")
        #expect(guide.stdout.contains("topic = t.x    (command line)"))
        #expect(guide.stdout.contains("batchSize = 500    (environment JUMP_BATCH_SIZE)"))
        #expect(guide.stdout.contains("waitTimeoutSeconds = 60    (default)"))
        #expect(guide.stdout.contains("sasl.password=[redacted]"))
        let run = try await runCommand(
            product("jump-consumer"),
            [
                "run", "--until-idle", "--config", deploy("consumer.example.json"), "--state",
                directory.path + "/s.sqlite",
            ])
        #expect(run.status == 78 && run.stderr.contains("kafka.saslPasswordFile"), "\(run.stderr)")
    }

    /// Every command, subcommand and option an executable has (its own `--experimental-dump-help`) is in its page
    /// in `Deploy/man`, so a page cannot fall behind the code unnoticed (`Deploy/local/man-pages.sh` regenerates).
    @Test(
        "the man pages cover every command and option",
        arguments: ["jump-producer", "jump-consumer", "jump-dev-broker"])
    func manPages(executable: String) async throws {
        let page = try String(contentsOfFile: deploy("man/\(executable).1"), encoding: .utf8)
        let dump = try await runCommand(product(executable), ["--experimental-dump-help"])
        let help = try JSONSerialization.jsonObject(with: Data(dump.stdout.utf8)) as? [String: Any]
        var missing: [String] = []
        func check(_ command: [String: Any], path: String) {
            guard command["shouldDisplay"] as? Bool ?? true else { return }
            if let abstract = command["abstract"] as? String, !abstract.isEmpty, !page.contains(abstract) {
                missing.append("\(path): \(abstract)")
            }
            for argument in command["arguments"] as? [[String: Any]] ?? [] {
                guard argument["shouldDisplay"] as? Bool ?? true, let abstract = argument["abstract"] as? String,
                    !abstract.isEmpty, !page.contains(abstract)
                else { continue }
                missing.append("\(path) \(argument["valueName"] ?? ""): \(abstract)")
            }
            for subcommand in command["subcommands"] as? [[String: Any]] ?? [] {
                check(subcommand, path: path + " " + (subcommand["commandName"] as? String ?? "?"))
            }
        }
        check(help?["command"] as? [String: Any] ?? [:], path: executable)
        #expect(help?["command"] != nil, "\(dump.stderr)")
        #expect(missing.isEmpty, "not in Deploy/man/\(executable).1 (run Deploy/local/man-pages.sh): \(missing)")
    }
}
