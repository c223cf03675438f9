import Foundation
import JumpTestSupport
import Testing

/// Digests as staff receive them: real processes (dev broker, producer, consumer), a real SMTP server, kcat.
@Suite("digests end to end")
struct DigestEndToEndTests {
    let broker: DevBrokerProcess
    let directory: URL
    static let quickGroup = quickGroupArguments + ["--http", "off"]

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        directory = try testDirectory("digests")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, timeout: .seconds(150))
    }

    /// The documented example configuration, with e-mail to `port` and both audiences on `schedule`.
    func configuration(smtpPort port: Int, schedule: [String: Any]) throws -> String {
        let example = try Data(contentsOf: packageRoot.appendingPathComponent("Deploy/digests.example.json"))
        var root = try JSONSerialization.jsonObject(with: example) as! [String: Any]
        var audiences = root["audiences"] as! [[String: Any]]
        for index in audiences.indices {
            audiences[index]["schedule"] = schedule
            audiences[index]["reportEmptyWindows"] = false
        }
        root["audiences"] = audiences
        root["email"] = ["from": "jump-relay@example.org", "smtp": ["host": "127.0.0.1", "port": port]]
        let file = path("digests.json")
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: file))
        return file
    }

    func publishPressRelease() async throws {
        let result = try await runCommand(
            product("jump-producer"),
            [
                "publish", "-b", broker.bootstrapServers,
                pressReleasePath,
            ])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// The header lines of digests.log (`=== TIME AUDIENCE WINDOW digest ID (N items) ===`).
    func logHeaders() throws -> [String] {
        try String(contentsOfFile: path("digests.log"), encoding: .utf8).split(separator: "\n")
            .filter { $0.hasPrefix("=== ") }.map(String.init)
    }

    func jsonLines() throws -> [[String: Any]] {
        try jsonObjects(String(contentsOfFile: path("digests.jsonl"), encoding: .utf8))
    }

    func digestList(state: String) async throws -> [[String: Any]] {
        let result = try await consumer(["digest", "list", "--json", "--state", state])
        #expect(result.status == 0, "\(result.stderr)")
        return try jsonObjects(result.stdout)
    }

    @Test(
        "digest send-now without --digest-dir writes where the daemon on the same store writes (it records its directory), says where, and digest list names each file and the topic it went to"
    )
    func sendNowFollowsTheDaemon() async throws {
        let mail = try await MailCatcher()
        let config = try configuration(smtpPort: mail.port, schedule: ["everyMinutes": 60])
        let state = path("state.sqlite")
        let files = path("daemon-files")
        try FileManager.default.createDirectory(atPath: files, withIntermediateDirectories: true)
        try await publishPressRelease()
        let run = try await consumer(
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--digest-config", config,
                "--digest-dir", files,
            ] + Self.quickGroup)
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try await consumer(
            ["digest", "send-now", "-b", broker.bootstrapServers, "--state", state, "--digest-config", config])
        #expect(sent.status == 0, "\(sent.stderr)")
        #expect(sent.stderr.contains("digest files in \(files)"), "\(sent.stderr)")
        let log = try String(contentsOfFile: files + "/digests.log", encoding: .utf8)
        #expect(log.split(separator: "\n").filter { $0.hasPrefix("=== ") }.count == 2, "\(log.prefix(300))")
        #expect(!FileManager.default.fileExists(atPath: path("digests.log")), "nothing beside the store")
        let listed = try await consumer(["digest", "list", "--state", state])
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdout.contains("log: delivered at ") && listed.stdout.contains(" to \(files)/digests.log ("))
        #expect(listed.stdout.contains(" to \(files)/digests.jsonl (") && listed.stdout.contains(" to jump.digests ("))
        let json = try await consumer(["digest", "list", "--json", "--state", state])
        let destinations = Set(
            try jsonObjects(json.stdout).flatMap { ($0["deliveries"] as? [[String: Any]]) ?? [] }
                .compactMap { $0["deliveredTo"] as? String })
        #expect(destinations == ["\(files)/digests.log", "\(files)/digests.jsonl", "jump.digests"], "\(json.stdout)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "every command logs in the configured format: run, digest send-now and the dev broker in JSON (numbers as numbers, lists as arrays), an assignment logged once, a format the dev broker does not know is refused"
    )
    func logFormatEverywhere() async throws {
        func records(_ text: String) -> [[String: Any]] {
            text.split(separator: "\n").filter { $0.hasPrefix("{") }.compactMap {
                try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
            }
        }
        let devBroker = try ChildProcess(
            product("jump-dev-broker"), ["--no-discovery-file", "--broker-count", "1", "--log-format", "json"])
        try await eventually("the dev broker says it serves", timeout: .seconds(30)) {
            devBroker.output.contains(#""message":"serving""#)
        }
        let serving = try #require(records(devBroker.output).first { $0["message"] as? String == "serving" })
        #expect(serving["brokers"] as? Int == 1 && (serving["topics"] as? [String])?.contains("jump.events") == true)
        devBroker.signal(SIGTERM)
        #expect(try await devBroker.exitStatus(timeout: .seconds(20)) == 0, "\(devBroker.output)")
        let logLines = devBroker.output.split(separator: "\n").filter { !$0.hasPrefix("bootstrap.servers=") }
        #expect(!logLines.isEmpty && logLines.count == records(devBroker.output).count, "\(devBroker.output)")
        let refused = try await runCommand(product("jump-dev-broker"), ["--no-discovery-file", "--log-format", "yaml"])
        #expect(refused.status == 64 && refused.stderr.contains("--log-format must be logfmt or json"))

        let state = path("state.sqlite")
        var environment = ProcessInfo.processInfo.environment
        environment["JUMP_LOG_FORMAT"] = "json"
        let run = try await runCommand(
            product("jump-consumer"),
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--digest-dir", path("files")]
                + Self.quickGroup, environment: environment)
        #expect(run.status == 0, "\(run.stderr)")
        // One line per assignment (the state worker's and the notifier's), not one from the consumer and another
        // from the worker.
        let assigned = records(run.stderr).filter { ($0["message"] as? String) == "partitions assigned" }
        #expect(assigned.count == 2 && assigned.allSatisfy { $0["partitions"] is [String] }, "\(run.stderr)")
        #expect(records(run.stderr).count == run.stderr.split(separator: "\n").count, "every line JSON")
        let sent = try await runCommand(
            product("jump-consumer"), ["digest", "send-now", "-b", broker.bootstrapServers, "--state", state],
            environment: environment)
        #expect(sent.status == 0, "\(sent.stderr)")
        let lines = sent.stderr.split(separator: "\n")
        #expect(!lines.isEmpty && lines.count == records(sent.stderr).count, "every line JSON: \(sent.stderr)")
        #expect(records(sent.stderr).contains { ($0["message"] as? String)?.hasPrefix("digest files in ") == true })
        #expect(try await broker.stop() == 0)
    }

    @Test("digest resend of a digest that was not mailed (e-mail off, as built in) says so and exits 64")
    func resendWithoutMail() async throws {
        let state = path("state.sqlite")
        try await publishPressRelease()
        let run = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--digest-dir", path("files")]
                + Self.quickGroup)
        #expect(run.status == 0, "\(run.stderr)")
        let sent = try await consumer(["digest", "send-now", "-b", broker.bootstrapServers, "--state", state])
        #expect(sent.status == 0, "\(sent.stderr)")
        let id = try #require(sent.stdout.split(separator: "\t").first.map(String.init), "\(sent.stdout)")
        let resent = try await consumer(["digest", "resend", id, "--state", state])
        #expect(resent.status == 64, "\(resent.stdout) \(resent.stderr)")
        #expect(
            resent.stderr.contains("\(id) was not sent by e-mail (no email sink when it was built)"), "\(resent.stderr)"
        )
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "the console and then `digest resend` send a past digest again by mail: each recipient gets it once more each time, the log file keeps one copy, and an unknown digest is named as such"
    )
    func resendFromTheConsole() async throws {
        let mail = try await MailCatcher()
        let config = try configuration(smtpPort: mail.port, schedule: ["everyMinutes": 60])
        try await publishPressRelease()
        let port = freeLoopbackPort()
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", path("state.sqlite"), "--digest-config", config,
                "--http", "127.0.0.1:\(port)",
            ] + quickGroupArguments)
        let base = "http://127.0.0.1:\(port)/console"
        func request(_ url: String, _ form: String? = nil) async throws -> (status: String, body: String) {
            let result = try await runCommand(
                "curl", ["-s", "-m", "20", "-w", "\n%{http_code}"] + (form.map { ["--data", $0] } ?? []) + [url])
            let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
            return (String(lines.last ?? ""), lines.dropLast().joined(separator: "\n"))
        }
        var csrf = ""
        try await eventually("the console answers", timeout: .seconds(60)) {
            let page = try await request(base + "/digests")
            csrf = page.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) } ?? ""
            return !csrf.isEmpty
        }
        // The consulate's two staff get its digest once the items reached the notifier (a window sent before
        // they did closes empty and sends nothing).
        var first: [MailCatcher.Message] = []
        try await eventually("the consulate's digest in both mailboxes", timeout: .seconds(90)) {
            _ = try await request(base + "/digests/send-now", "csrf=\(csrf)&audience=consulate&confirm=yes")
            first = try mail.messages().filter { $0.digestID?.hasPrefix("consulate/") == true }
            return first.count == 2
        }
        let digest = try #require(first.first?.digestID)
        let asked = try await request(base + "/digests/resend", "csrf=\(csrf)&digest=\(digest)")
        #expect(asked.body.contains("Send digest \(digest) again by mail?"), "\(asked.body)")
        #expect(asked.body.contains("consul-general@example.org"), "\(asked.body)")
        let resent = try await request(base + "/digests/resend", "csrf=\(csrf)&digest=\(digest)&confirm=yes")
        #expect(resent.status == "303", "\(resent.body)")
        try await eventually("the digest in both mailboxes again", timeout: .seconds(30)) {
            try mail.messages().filter { $0.digestID == digest }.count == 4
        }
        let again = try mail.messages().filter { $0.digestID == digest }
        #expect(Set(again.flatMap(\.to)) == ["consul-general@example.org", "economic-affairs@example.org"])
        // The copies sent again have Message-IDs of their own (a mail system drops a repeated one).
        let ids = again.compactMap(\.messageID)
        #expect(Set(ids).count == 4 && ids.filter { $0.contains(".r1@") }.count == 2, "\(ids)")
        #expect(try logHeaders().filter { $0.contains(digest) }.count == 1, "the file keeps one copy")
        let unknown = try await runCommand(
            "curl",
            [
                "-s", "-m", "20", "-o", "/dev/null", "-w", "%{redirect_url}", "--data",
                "csrf=\(csrf)&digest=nobody%2F1&confirm=yes", base + "/digests/resend",
            ])
        let outcome = try await request(unknown.stdout)
        #expect(outcome.body.contains("nobody/1: no such digest"), "\(unknown.stdout) \(outcome.body)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(
            daemon.output.contains(#"action=resend"#) && daemon.output.contains("goes again by mail to 2 recipients"))
        // The same from a shell, the daemon stopped: the command delivers the copies itself and lists them.
        let cli = try await consumer(
            ["digest", "resend", digest, "--state", path("state.sqlite"), "--digest-config", config])
        #expect(cli.status == 0, "\(cli.stderr)")
        #expect(cli.stdout.components(separatedBy: "\tdelivered\n").count == 3, "\(cli.stdout)")
        #expect(cli.stderr.contains("digest sent again by mail"), "\(cli.stderr)")
        let third = try mail.messages().filter { $0.digestID == digest }
        #expect(third.count == 6 && third.compactMap(\.messageID).filter { $0.contains(".r2@") }.count == 2)
        #expect(try logHeaders().filter { $0.contains(digest) }.count == 1, "the file still keeps one copy")
        let missing = try await consumer(
            ["digest", "resend", "nobody/1", "--state", path("state.sqlite"), "--digest-config", config])
        #expect(missing.status == 64 && missing.stderr.contains("no digest nobody/1"), "\(missing.stderr)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "the press release: one digest per audience in digests.log, digests.jsonl, jump.digests and every staff mailbox; Spanish first for the consulate; totals match the state"
    )
    func pressRelease() async throws {
        let mail = try await MailCatcher()
        let config = try configuration(smtpPort: mail.port, schedule: ["everyMinutes": 60])
        let state = path("state.sqlite")
        try await publishPressRelease()
        let run = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--digest-config", config]
                + Self.quickGroup)
        #expect(run.status == 0, "\(run.stderr)")
        // The files exist from the start, for `tail -F` before the first digest (empty, unless the run happened
        // to cross the hour and close a window).
        for file in ["digests.log", "digests.jsonl"] {
            let text = try String(contentsOfFile: path(file), encoding: .utf8)
            #expect(text.isEmpty || text.hasPrefix(file == "digests.log" ? "=== " : "{"), "\(file)")
        }
        let listing = try await consumer(["digest", "list", "--state", state])
        #expect(listing.status == 0 && (!listing.stdout.isEmpty || listing.stderr.contains("no digest in")))
        let unknown = try await consumer(
            ["digest", "preview", "--audience", "nobody", "--state", state, "--digest-config", config])
        #expect(unknown.status == 64 && unknown.stderr.contains("the configuration has consulate, governors-office"))
        #expect(!unknown.stderr.contains("USAGE"), "one line naming the audiences, not the usage")
        let preview = try await consumer(
            ["digest", "preview", "--audience", "consulate", "--state", state, "--digest-config", config])
        // The press release's events are years old: the subject says so before the most important one.
        #expect(preview.stdout.hasPrefix("JUMP (4 antecedentes): "), "news first: \(preview.stdout.prefix(200))")
        #expect(preview.stdout.contains("\nResumen JUMP · Consulado General de México en Salt Lake City\n"))
        let sent = try await consumer(
            ["digest", "send-now", "-b", broker.bootstrapServers, "--state", state, "--digest-config", config])
        #expect(sent.status == 0, "\(sent.stderr)")
        let ids = sent.stdout.split(separator: "\n").map { String($0.split(separator: "\t")[0]) }.sorted()
        #expect(ids.count == 2)
        #expect(ids[0].hasPrefix("consulate/") && ids[1].hasPrefix("governors-office/"))

        // digests.log: one block per digest, the consulate's in Spanish with English below.
        let headers = try logHeaders()
        #expect(headers.count == 2)
        #expect(ids.allSatisfy { id in headers.filter { $0.contains(" digest \(id) (") }.count == 1 })
        let log = try String(contentsOfFile: path("digests.log"), encoding: .utf8)
        let consulateBlock = try #require(
            log.components(separatedBy: "=== ").first { $0.contains("digest consulate/") })
        let spanish = try #require(consulateBlock.range(of: "Resumen JUMP"))
        let english = try #require(consulateBlock.range(of: "JUMP digest"))
        #expect(spanish.lowerBound < english.lowerBound)
        #expect(consulateBlock.contains("Reunión de delegaciones"))

        // digests.jsonl: valid against Schemas/digest.schema.json (Python jsonschema), totals equal the state's.
        let lines = try jsonLines()
        #expect(lines.compactMap { $0["id"] as? String }.sorted() == ids)
        let validation = try await runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Conformance/validate_events.py").path,
                packageRoot.appendingPathComponent("Schemas").path, "--schema", "urn:jump:schema:digest:v1", "--jsonl",
                path("digests.jsonl"),
            ])
        #expect(validation.status == 0, "\(validation.stderr)")
        #expect(
            try jsonObjects(validation.stdout).map { $0["valid"] as? Bool } == [true, true], "\(validation.stdout)")
        let summary = try await consumer(["state", "summary", "--json", "--state", state])
        let stateTotals = try #require(
            (try JSONSerialization.jsonObject(with: Data(summary.stdout.utf8)) as? [String: Any])?["totals"]
                as? NSDictionary)
        for line in lines {
            #expect((line["totals"] as? NSDictionary) == stateTotals)
        }
        let governor = try #require(lines.first { $0["audience"] as? String == "governors-office" })
        #expect(governor["itemCount"] as? Int == 5)
        #expect(governor["language"] as? String == "en")

        // jump.digests, read back by kcat: keyed by audience, the same ids.
        let topic = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", "jump.digests", "-o", "beginning", "-e", "-q", "-J"])
        let records = try jsonObjects(topic.stdout)
        #expect(records.compactMap { $0["key"] as? String }.sorted() == ["consulate", "governors-office"])
        let topicIDs = try records.map {
            try JSONSerialization.jsonObject(with: Data(($0["payload"] as! String).utf8)) as! [String: Any]
        }.compactMap { $0["id"] as? String }
        #expect(topicIDs.sorted() == ids)

        // Every staff member's mailbox: one message, in their language first.
        let messages = try mail.messages()
        #expect(
            messages.flatMap(\.to).sorted() == [
                "consul-general@example.org", "economic-affairs@example.org", "governor-advisor@example.org",
                "international-trade@example.org",
            ])
        let consul = try #require(messages.first { $0.to == ["consul-general@example.org"] })
        #expect(
            consul.body.hasPrefix("JUMP (4 antecedentes): Reunión de delegaciones")
                && consul.body.contains("Resumen JUMP"), "\(consul.body.prefix(200))")
        #expect(consul.attachments.first?.contentType == "text/csv", "the full list attached")
        #expect(consul.digestID == ids[0])
        let desk = try #require(messages.first { $0.to == ["economic-affairs@example.org"] })
        #expect(
            desk.body.hasPrefix("JUMP (4 earlier events): Delegation meeting") && desk.body.contains("Resumen JUMP"),
            "\(desk.body.prefix(200))")
        let deskEnglish = try #require(desk.body.range(of: "JUMP digest"))
        #expect(deskEnglish.lowerBound < desk.body.range(of: "Resumen JUMP")!.lowerBound)

        // digest list: every sink delivered; sending again sends nothing.
        let listed = try await digestList(state: state)
        #expect(listed.count == 2)
        for entry in listed {
            let deliveries = try #require(entry["deliveries"] as? [[String: Any]])
            #expect(deliveries.count == 5)  // email ×2, jsonl, log, topic
            #expect(deliveries.allSatisfy { $0["status"] as? String == "delivered" })
            // One time format in the listing: RFC 3339, UTC.
            let times = [entry["builtAt"] as? String] + deliveries.map { $0["deliveredAt"] as? String }
            #expect(times.allSatisfy { $0?.hasSuffix("Z") == true && $0?.contains("T") == true }, "\(times)")
        }
        let again = try await consumer(
            ["digest", "send-now", "-b", broker.bootstrapServers, "--state", state, "--digest-config", config])
        #expect(again.stdout.contains("no digest"))
        #expect(try logHeaders().count == 2)
        #expect(try mail.messages().count == 4)
    }

    @Test(
        "kill -9 of the notifier during delivery: after a restart every digest reaches every sink, and the local files show each once",
        .timeLimit(.minutes(5)))
    func killedDuringDelivery() async throws {
        let mail = try await MailCatcher(delay: 1.5)
        let config = try configuration(smtpPort: mail.port, schedule: ["everyMinutes": 1])
        let state = path("state.sqlite")
        try await publishPressRelease()
        let arguments =
            ["run", "-b", broker.bootstrapServers, "--state", state, "--digest-config", config] + Self.quickGroup
        let first = try ChildProcess(product("jump-consumer"), arguments)
        // The window closes on the minute; delivery starts with the e-mails, each held 1.5 s by the server.
        try await eventually("a first e-mail arrives", timeout: .seconds(150)) { try !mail.messages().isEmpty }
        first.signal(SIGKILL)
        _ = try await first.exitStatus()
        let interrupted = try await digestList(state: state).flatMap { ($0["deliveries"] as? [[String: Any]]) ?? [] }
        #expect(interrupted.contains { $0["status"] as? String != "delivered" }, "the kill came after delivery")

        let second = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("every delivery is done", timeout: .seconds(120)) {
            let listed = try await digestList(state: state)
            return listed.count == 2
                && listed.allSatisfy { entry in
                    (entry["deliveries"] as? [[String: Any]])?.allSatisfy { $0["status"] as? String == "delivered" }
                        == true
                }
        }
        second.signal(SIGTERM)
        #expect(try await second.exitStatus(timeout: .seconds(30)) == 0, "\(second.output)")

        let ids = try await digestList(state: state).compactMap { $0["id"] as? String }.sorted()
        #expect(ids.count == 2)
        let headers = try logHeaders()
        #expect(headers.count == 2, "\(headers)")
        #expect(ids.allSatisfy { id in headers.filter { $0.contains(" digest \(id) (") }.count == 1 })
        #expect(try jsonLines().compactMap { $0["id"] as? String }.sorted() == ids)
        let topic = try await runCommand(
            "kcat", ["-b", broker.bootstrapServers, "-C", "-t", "jump.digests", "-o", "beginning", "-e", "-q", "-J"])
        #expect(
            Set(try jsonObjects(topic.stdout).compactMap { $0["key"] as? String }) == ["consulate", "governors-office"])
        // Every staff member got every digest of their audience; a repeat carries the same Message-ID.
        let messages = try mail.messages()
        var messageIDs: [String: Set<String>] = [:]
        for message in messages {
            for recipient in message.to {
                messageIDs["\(message.digestID ?? "?") \(recipient)", default: []].insert(message.messageID ?? "")
            }
        }
        #expect(messageIDs.count == 4, "\(messageIDs.keys.sorted())")
        #expect(messageIDs.values.allSatisfy { $0.count == 1 })
    }
}
