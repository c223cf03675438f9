import Foundation
import JumpEvents
import JumpTestSupport
import Testing

/// The operator console with a real daemon, real events and headless Chromium (Debian's), and its safety rules
/// from outside with curl.
@Suite("The operator console")
struct ConsoleEndToEndTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        directory = try testDirectory("console")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Where the screenshots go: `$JUMP_TEST_ARTIFACTS/console`, else `.build/test-artifacts/console`.
    static var artifacts: String {
        let root =
            ProcessInfo.processInfo.environment["JUMP_TEST_ARTIFACTS"]
            ?? packageRoot.appendingPathComponent(".build/test-artifacts").path
        return root + "/console"
    }

    func daemon(http: String, role: String = "all", environment: [String: String] = [:]) throws -> ChildProcess {
        try ChildProcess(
            product("jump-consumer"),
            ["run", "-b", broker.bootstrapServers, "--state", path("state.sqlite"), "--http", http, "--role", role]
                + quickGroupArguments,
            environment: ProcessInfo.processInfo.environment.merging(environment) { _, new in new })
    }

    /// A daemon whose HTTP endpoint answers `/healthz`.
    func started(
        http: String, role: String = "all", environment: [String: String] = [:]
    ) async throws -> ChildProcess {
        let process = try daemon(http: http, role: role, environment: environment)
        let port = http.split(separator: ":").last.map(String.init) ?? ""
        try await eventually("the endpoint answers", timeout: .seconds(60)) {
            try await request("http://127.0.0.1:\(port)/healthz").status == 200
        }
        return process
    }

    /// An HTTP request with curl (an independent client): status, response headers (lower-cased names), body.
    func request(
        _ url: String, _ arguments: [String] = []
    ) async throws -> (
        status: Int, headers: [String: String], body: String
    ) {
        let headerFile = path(uniqueTopic("headers"))
        let result = try await runCommand(
            "curl", ["-s", "-m", "20", "-D", headerFile, "-w", "\n%{http_code}"] + arguments + [url])
        var headers: [String: String] = [:]
        for line in (try? String(contentsOfFile: headerFile, encoding: .utf8))?.split(separator: "\r\n") ?? [] {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2 {
                headers[parts[0].lowercased()] = parts[1].trimmingCharacters(in: .whitespaces)
            }
        }
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(lines.last ?? "") ?? 0, headers, lines.dropLast().joined(separator: "\n"))
    }

    @Test(
        "in Chromium: every page loads with its content, hostile names show as text, Redeliver and Send now ask to confirm, then act on Kafka and the store and show their outcome on a page a reload does not repeat; screenshots saved"
    )
    func inChromium() async throws {
        // Events, one of them from a company whose name carries markup, quotes and a bidi override.
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "200", "--seed", "21", "--invalid-ratio", "0"])
        let hostile =
            #"{"specversion":"1.0","id":"hostile-1","source":"test","type":"jump.company.expansion-announced","subject":"co.hostile","time":"2025-01-01T00:00:00Z","data":{"expansionId":"exp.hostile","company":{"id":"co.hostile","name":"<script>alert(1)</script> \"Q\" 'S' \u202Eevil","country":"MX","sector":"steel"},"direction":"mx-to-utah","location":{"city":"Ogden","region":"US-UT"},"plannedJobs":10,"plannedInvestmentUsdCents":500,"announcedOn":"2025-01-01"}}"#
        let events = path("events.jsonl")
        try (generated.stdout + hostile + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, events])
        #expect(published.status == 0, "\(published.stderr)")
        // A dead letter that passes today's validation (dead-lettered by an older version), written as the worker
        // writes one: the original value with the jump.* headers.
        let letter =
            #"{"specversion":"1.0","id":"from-an-older-dlq","source":"test","type":"jump.initiative.announced","subject":"init.console","time":"2025-01-01T00:00:00Z","data":{"initiativeId":"init.console","title":"Console initiative","parties":["Utah","SRE"],"announcedOn":"2025-01-01","status":"signed","summary":"Redelivered from the console."}}"#
        let letterFile = path("letter.json")
        try letter.write(toFile: letterFile, atomically: true, encoding: .utf8)
        let kcat = try await runCommand(
            "kcat",
            [
                "-P", "-b", broker.bootstrapServers, "-t", "jump.events.dlq", "-p", "0", "-k", "init.console",
                "-H", "jump.error=schema", "-H", "jump.error.detail=an older validator refused it",
                "-H", "jump.original.topic=jump.events", "-H", "jump.original.partition=0",
                "-H", "jump.original.offset=100000", letterFile,
            ])
        #expect(kcat.status == 0, "\(kcat.stderr)")
        let port = freeLoopbackPort()
        let daemon = try daemon(http: "127.0.0.1:\(port)")
        try await eventually("every event applied", timeout: .seconds(90)) {
            let page = try await request("http://127.0.0.1:\(port)/console/state")
            return page.body.contains("<dt>Events applied</dt><dd>201</dd>")
        }
        let browser = try await runCommand(
            "/usr/bin/python3",
            [
                packageRoot.appendingPathComponent("Tests/Console/console_browser.py").path,
                "http://127.0.0.1:\(port)", Self.artifacts, "0@0", "Consulado General de México en Salt Lake City",
                "co.hostile",
            ], timeout: .seconds(180))
        #expect(browser.status == 0, "\(browser.stdout)\(browser.stderr)")
        let seen = try JSONSerialization.jsonObject(with: Data(browser.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((seen["hostileName"] as? String)?.contains("<script>alert(1)</script>") == true, "\(seen)")
        // The effects, seen from outside the browser: the dead letter went back to jump.events and was applied;
        // the consulate's digest was built and delivered.
        let listing = try await runCommand(
            product("jump-consumer"), ["dlq", "list", "--json", "-b", broker.bootstrapServers])
        #expect(listing.stdout.contains(#""redeliveredTo":"jump.events["#), "\(listing.stdout)")
        try await eventually("the redelivered event is applied", timeout: .seconds(60)) {
            let page = try await request("http://127.0.0.1:\(port)/console/state")
            return page.body.contains("<dt>Events applied</dt><dd>202</dd>")
        }
        let digests = try await runCommand(
            product("jump-consumer"), ["digest", "list", "--json", "--state", path("state.sqlite")])
        #expect(digests.stdout.contains(#""audience":"consulate""#), "\(digests.stdout)")
        for name in ["overview", "state", "dead-letters", "dead-letters-redelivered", "dead-letter", "digests"] {
            #expect(FileManager.default.fileExists(atPath: "\(Self.artifacts)/\(name).png"), "\(name).png")
        }
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "the overview's chart keeps the last hour across a restart: a stop keeps the minute in progress in the store, and the next start draws it"
    )
    func chartAcrossRestarts() async throws {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "120", "--seed", "4", "--invalid-ratio", "0"])
        let events = path("events.jsonl")
        try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, events])
        #expect(published.status == 0, "\(published.stderr)")
        let port = freeLoopbackPort()
        let first = try await started(http: "127.0.0.1:\(port)", role: "state")
        try await eventually("every event applied", timeout: .seconds(90)) {
            try await request("http://127.0.0.1:\(port)/console/state").body.contains(
                "<dt>Events applied</dt><dd>120</dd>")
        }
        #expect(try await request("http://127.0.0.1:\(port)/console").body.contains("<rect"), "bars before the stop")
        first.signal(SIGTERM)
        #expect(try await first.exitStatus(timeout: .seconds(25)) == 0, "\(first.output)")
        // Nothing new to apply after the restart: its bars can only be the kept ones.
        let second = try await started(http: "127.0.0.1:\(port)", role: "state")
        let overview = try await request("http://127.0.0.1:\(port)/console")
        #expect(overview.body.contains("<rect"), "the bars of the minutes before the restart")
        let largest = overview.body.firstMatch(of: /events per minute over the last hour, at most (\d+)/).map {
            Int($0.1) ?? 0
        }
        #expect((largest ?? 0) >= 60 && (largest ?? 0) <= 120, "120 events in one or two minutes: \(largest ?? 0)")
        second.signal(SIGTERM)
        #expect(try await second.exitStatus(timeout: .seconds(25)) == 0, "\(second.output)")
    }

    @Test("a --role state process shows no digests and says where they are; its overview has no notifier")
    func stateRoleOnly() async throws {
        let port = freeLoopbackPort()
        let daemon = try await started(http: "127.0.0.1:\(port)", role: "state")
        let base = "http://127.0.0.1:\(port)"
        let digests = try await request(base + "/console/digests")
        #expect(digests.status == 200)
        #expect(digests.body.contains("This process runs <code>--role state</code>"), "\(digests.body)")
        #expect(!digests.body.contains("Send now"))
        let overview = try await request(base + "/console")
        #expect(overview.body.contains("state worker") && !overview.body.contains("notifier worker"))
        #expect(overview.headers["content-security-policy"]?.contains("default-src 'none'") == true)
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "DNS rebinding: a request for another host name is refused on every console route (no page, no CSRF token, no action), while the probes and /metrics answer any Host"
    )
    func rebinding() async throws {
        let port = freeLoopbackPort()
        let daemon = try await started(http: "127.0.0.1:\(port)")
        let base = "http://127.0.0.1:\(port)"
        let evil = ["-H", "Host: evil.example:\(port)"]
        for route in [
            "/", "/console", "/console/dead-letters", "/console/digests", "/console/state?q=a", "/console/sign-in",
        ] {
            let answer = try await request(base + route, evil)
            #expect(answer.status == 421, "\(route): \(answer.status)")
            #expect(
                !answer.body.contains("csrf") && answer.body.contains("answers only as localhost"), "\(answer.body)")
        }
        // The attacker's page, rebound to 127.0.0.1, would send its own name as Host and Origin.
        let page = try await request(base + "/console/digests")
        let csrf = try #require(page.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        let forged = try await request(
            base + "/console/digests/send-now",
            [
                "-H", "Host: attacker.example:\(port)", "-H", "Origin: http://attacker.example:\(port)", "--data",
                "csrf=\(csrf)&audience=consulate",
            ])
        #expect(forged.status == 421, "\(forged.body)")
        // Origin is compared with the console's hosts, not with Host.
        let forgedOrigin = try await request(
            base + "/console/digests/send-now",
            ["-H", "Origin: http://attacker.example:\(port)", "--data", "csrf=\(csrf)&audience=consulate"])
        #expect(forgedOrigin.status == 403 && forgedOrigin.body.contains("another origin"), "\(forgedOrigin.body)")
        let digests = try await runCommand(
            product("jump-consumer"), ["digest", "list", "--json", "--state", path("state.sqlite")])
        #expect(!digests.stdout.contains(#""audience":"consulate""#), "no digest was sent: \(digests.stdout)")
        for probe in ["/healthz", "/metrics"] {
            #expect(try await request(base + probe, evil).status == 200, "\(probe)")
        }
        #expect(try await request(base + "/readyz", evil).status != 421)
        #expect(try await request(base + "/console", ["-H", "Host: LOCALHOST:\(port)"]).status == 200)
        #expect(daemon.output.contains("a request for another host refused"), "\(daemon.output)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "a dead letter's own page shows its place to quote, when, why, every header (ce_ included) and the payload indented; the list filters by kind; Settle asks, records who and why, and redeliver-every-one leaves it out"
    )
    func deadLetterPages() async throws {
        let origin = ["jump.original.topic=jump.events", "jump.original.partition=0", "jump.original.offset=7"]
        let attributes = [
            "ce_specversion=1.0", "ce_id=binary-console", "ce_source=urn:test", "ce_type=jump.jobs.reported",
            "ce_subject=jobs.console", "ce_time=2025-01-01T00:00:00Z", "content-type=application/json",
        ]
        let records: [(value: String, headers: [String])] = [
            (
                #"{"scope":"console","period":{"year":2004},"jobsSupported":4,"source":"s"}"#,
                attributes + origin + ["jump.error=schema", "jump.error.detail=refused before a fix"]
            ),
            (
                "not json at all",
                origin.dropLast() + ["jump.original.offset=8", "jump.error=syntax", "jump.error.detail=not JSON"]
            ),
        ]
        for (index, record) in records.enumerated() {
            let file = path("letter-\(index)")
            try record.value.write(toFile: file, atomically: true, encoding: .utf8)
            let kcat = try await runCommand(
                "kcat",
                ["-P", "-b", broker.bootstrapServers, "-t", "jump.events.dlq", "-p", "0", "-k", "jobs.console"]
                    + record.headers.flatMap { ["-H", $0] } + [file])
            #expect(kcat.status == 0, "\(kcat.stderr)")
        }
        let port = freeLoopbackPort()
        let daemon = try await started(http: "127.0.0.1:\(port)", role: "state")
        let base = "http://127.0.0.1:\(port)/console/dead-letters"

        let list = try await request(base)
        #expect(list.body.contains(#"<a href="/console/dead-letters/0@0">0@0</a>"#), "\(list.body)")
        #expect(list.body.contains("By kind:") && list.body.contains(#"href="/console/dead-letters?error=syntax""#))
        let syntax = try await request(base + "?error=syntax")
        #expect(syntax.body.contains(">0@1</a>") && !syntax.body.contains(">0@0</a>"), "\(syntax.body)")
        let unknown = try await request(base + "?error=nope")
        #expect(unknown.body.contains("No dead letter is of kind") && unknown.body.contains(">0@0</a>"))

        let letter = try await request(base + "/0@0")
        #expect(letter.status == 200, "\(letter.body)")
        for text in [
            "Quote <strong>0@0</strong>", "jump.events[0]@7", "refused before a fix", "<code>ce_type</code>",
            "<code>jump.jobs.reported</code>", "<code>jobs.console</code>", "\n  &quot;jobsSupported&quot;: 4,",
            "Settle 0@0",
        ] {
            #expect(letter.body.contains(text), "\(text): \(letter.body)")
        }
        let missing = try await request(base + "/9@9")
        #expect(missing.body.contains("No dead letter at 9@9"), "\(missing.body)")

        let csrf = try #require(letter.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        let settle = base + "/settle"
        let asked = try await request(settle, ["--data", "csrf=\(csrf)&place=0%401&note=published+again+by+hand"])
        #expect(
            asked.body.contains("Settle dead letter 0@1 without redelivering it?")
                && asked.body.contains("published again by hand") && asked.body.contains("settled by local"),
            "\(asked.body)")
        let settled = try await request(
            settle, ["--data", "csrf=\(csrf)&place=0%401&note=published+again+by+hand&confirm=yes"])
        let location = try #require(settled.headers["location"], "\(settled.status) \(settled.body)")
        let outcome = try await request("http://127.0.0.1:\(port)" + location)
        #expect(outcome.body.contains("Settled 0@1: published again by hand"), "\(outcome.body)")
        #expect(outcome.body.contains("Settled by local: published again by hand"), "\(outcome.body)")
        let listed = try await runCommand(
            product("jump-consumer"), ["dlq", "list", "-b", broker.bootstrapServers], timeout: .seconds(60))
        #expect(listed.stdout.contains("settled by local: published again by hand"), "\(listed.stdout)")
        // The settlement record (0@2) is an operator's record, not a dead letter: nothing to settle or show.
        let record = try await request(
            settle, ["--data", "csrf=\(csrf)&place=0%402&note=x&confirm=yes"])
        let refused = try await request("http://127.0.0.1:\(port)" + (record.headers["location"] ?? ""))
        #expect(refused.body.contains("0@2: no such dead letter in jump.events.dlq"), "\(refused.body)")
        #expect(try await request(base + "/0@2").body.contains("No dead letter at 0@2"))
        let malformed = try await request(settle, ["--data", "csrf=\(csrf)&place=0%40-1&confirm=yes"])
        #expect(malformed.status == 400 && malformed.body.contains("PARTITION@OFFSET"), "\(malformed.body)")

        // Every open one: the binary-mode letter alone, validated with its ce_ headers; the settled one stays.
        let all = try await request(
            base + "/redeliver", ["--data", "csrf=\(csrf)&all=1&confirm=yes"])
        let allOutcome = try await request("http://127.0.0.1:\(port)" + (all.headers["location"] ?? ""))
        #expect(
            allOutcome.body.contains("Redelivered 0@0 → jump.events") && !allOutcome.body.contains("Refused:"),
            "\(allOutcome.body)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "named operators beyond loopback: each signs in as themself, every action, sign-in and refusal is one audit record (operator, client address, action, target, outcome) in the JSON log and on the overview; after a wrong token that address waits a second; a sign-in posted from another site, a sign-out without the CSRF token and an action with another session's are refused; sign-out ends the session"
    )
    func auditTrail() async throws {
        let port = freeLoopbackPort()
        let tokens = path("operators.json")
        func sha256(_ token: String) -> String { SHA256.hex(SHA256.hash(Array(token.utf8))) }
        try
            #"{"tokens":[{"name":"ana","sha256":"\#(sha256("token-of-ana-0123456"))"},{"name":"luis","sha256":"\#(sha256("token-of-luis-0123456"))"}]}"#
            .write(toFile: tokens, atomically: true, encoding: .utf8)
        let daemon = try await started(
            http: "0.0.0.0:\(port)", role: "state",
            environment: [
                "JUMP_CONSOLE_TOKEN_FILE": tokens, "JUMP_CONSOLE_HOSTS": "console.example.org",
                "JUMP_LOG_FORMAT": "json",
            ])
        let base = "http://127.0.0.1:\(port)"
        let before = ContinuousClock.now
        let wrong = try await request(base + "/console/sign-in", ["--data", "token=token-of-nobody-0123"])
        #expect(wrong.status == 401)
        // Right after a wrong token, this address is not even asked for its token (even a right one) for a second:
        // certainly so when both requests took less than a second from the first one's start (a loaded machine
        // may take longer; then either answer is right, and the unit test `throttle` holds the rule).
        let soon = try await request(base + "/console/sign-in", ["--data", "token=token-of-luis-0123456"])
        if ContinuousClock.now - before < .seconds(1) {
            #expect(soon.status == 429 && soon.headers["set-cookie"] == nil, "\(soon.status)")
        }
        let elsewhere = try await request(
            base + "/console/sign-in",
            ["-H", "Origin: https://evil.example", "--data", "token=token-of-luis-0123456"])
        #expect(elsewhere.status == 403 && elsewhere.body.contains("another origin"), "\(elsewhere.body)")
        var signedIn = soon
        try await eventually("the second has passed", timeout: .seconds(10)) {
            if signedIn.status != 429 { return true }
            signedIn = try await request(base + "/console/sign-in", ["--data", "token=token-of-luis-0123456"])
            return signedIn.status != 429
        }
        let session = try #require(signedIn.headers["set-cookie"]).split(separator: ";")[0]
        let overview = try await request(base + "/console", ["-H", "Cookie: \(session)"])
        #expect(overview.body.contains("<span>luis</span> <button>Sign out</button>"), "\(overview.body)")
        let csrf = try #require(overview.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) })
        // An action (a redelivery of a dead letter that is not there: its outcome is recorded all the same).
        let action = try await request(
            base + "/console/dead-letters/redeliver",
            ["-H", "Cookie: \(session)", "--data", "csrf=\(csrf)&place=0%409&confirm=yes"])
        #expect(action.status == 303, "\(action.body)")
        let recent = try await request(base + "/console", ["-H", "Cookie: \(session)"])
        for cell in [
            #"<td data-label="Operator">luis</td><td data-label="From">127.0.0.1</td><td data-label="Action">redeliver</td><td data-label="Target">0@9</td>"#,
            #"<td data-label="Action">sign-in</td>"#, "refused: a wrong token",
        ] {
            #expect(recent.body.contains(cell), "\(cell): \(recent.body)")
        }
        let forged = try await request(base + "/console/sign-out", ["-H", "Cookie: \(session)", "--data", "csrf=0"])
        #expect(forged.status == 403)
        #expect(try await request(base + "/console", ["-H", "Cookie: \(session)"]).status == 200, "still signed in")
        // Each session's forms carry a token of their own: Luis's is refused in Ana's session.
        let ana = try await request(base + "/console/sign-in", ["--data", "token=token-of-ana-0123456"])
        let anaSession = try #require(ana.headers["set-cookie"]).split(separator: ";")[0]
        let crossed = try await request(
            base + "/console/dead-letters/redeliver",
            ["-H", "Cookie: \(anaSession)", "--data", "csrf=\(csrf)&place=0%409&confirm=yes"])
        #expect(crossed.status == 403 && crossed.body.contains("CSRF"), "\(crossed.status) \(crossed.body)")
        let signedOut = try await request(
            base + "/console/sign-out", ["-H", "Cookie: \(session)", "--data", "csrf=\(csrf)"])
        #expect(signedOut.status == 303 && signedOut.headers["set-cookie"]?.contains("Max-Age=0") == true)
        #expect(try await request(base + "/console", ["-H", "Cookie: \(session)"]).status == 303, "signed out")

        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        let records = daemon.output.split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }.filter { $0["event"] as? String == "console.action" }
        let summary = records.map { record in
            ["operator", "client", "action", "target", "outcome"].map { key in "\(record[key] ?? "-")" }
        }
        #expect(summary.count == 8, "\(summary)")
        guard summary.count == 8 else { return }
        #expect(summary[0] == ["unknown", "127.0.0.1", "sign-in", "", "refused: a wrong token"], "\(summary)")
        // The refused cross-site sign-in and Luis's, in either order (his came first if the machine was too slow
        // for the second's throttle to hold it).
        let signIns = summary[1...2].sorted { $0[0] < $1[0] }
        #expect(signIns.first == ["luis", "127.0.0.1", "sign-in", "", "done"], "\(summary)")
        #expect(
            signIns.last?.prefix(3) == ["unknown", "127.0.0.1", "sign-in"]
                && signIns.last?[4].contains("another origin") == true, "\(summary)")
        #expect(summary[3].prefix(4) == ["luis", "127.0.0.1", "redeliver", "0@9"], "\(summary)")
        #expect(summary[4].prefix(3) == ["luis", "127.0.0.1", "sign-out"] && summary[4][4].contains("CSRF"))
        #expect(summary[5] == ["ana", "127.0.0.1", "sign-in", "", "done"], "\(summary)")
        #expect(summary[6].prefix(3) == ["ana", "127.0.0.1", "/console/dead-letters/redeliver"], "\(summary)")
        #expect(summary[6][4].contains("CSRF"), "\(summary)")
        #expect(summary[7] == ["luis", "127.0.0.1", "sign-out", "", "done"], "\(summary)")
        #expect(!daemon.output.contains("token-of-luis"), "no token in the log")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "a company page: search results link to it; it shows the company, its expansions with planned and actual figures and dates, its investments and the anomalies that name it; an unknown id says so"
    )
    func companyPage() async throws {
        func event(_ id: String, _ type: String, _ subject: String, _ data: String) -> String {
            #"{"specversion":"1.0","id":"\#(id)","source":"urn:test","type":"\#(type)","subject":"\#(subject)","time":"2025-01-01T00:00:00Z","data":\#(data)}"#
        }
        let company =
            #"{"id":"co.console-test","name":"Pacífico Console S.A. de C.V.","country":"MX","sector":"steel"}"#
        let completed =
            #"{"expansionId":"exp.console-1","companyId":"co.console-test","actualJobs":205,"actualInvestmentUsdCents":120000000,"openedOn":"2025-06-01"}"#
        let lines = [
            event(
                "c-1", "jump.company.expansion-announced", "co.console-test",
                #"{"expansionId":"exp.console-1","company":\#(company),"direction":"mx-to-utah","location":{"city":"Ogden","region":"US-UT"},"plannedJobs":200,"announcedOn":"2025-01-02"}"#
            ),
            event("c-2", "jump.company.expansion-completed", "co.console-test", completed),
            event(
                "c-3", "jump.company.expansion-completed", "co.console-test",
                completed.replacingOccurrences(of: "205", with: "210")),
            event(
                "c-5", "jump.trade.exports-reported", "exports.mx.us-ut",
                #"{"origin":"MX","destination":"US-UT","period":{"year":2024},"valueUsdCents":123400,"source":"U.S. Census Bureau"}"#
            ),
            event(
                "c-4", "jump.investment.announced", "inv.console-1",
                #"{"investmentId":"inv.console-1","investor":\#(company),"direction":"mx-to-utah","amountUsdCents":500000000,"sector":"steel","region":"US-UT","announcedOn":"2025-02-03"}"#
            ),
        ]
        let events = path("company.jsonl")
        try (lines.joined(separator: "\n") + "\n").write(toFile: events, atomically: true, encoding: .utf8)
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, events])
        #expect(published.status == 0, "\(published.stderr)")
        let port = freeLoopbackPort()
        let daemon = try await started(http: "127.0.0.1:\(port)", role: "state")
        let base = "http://127.0.0.1:\(port)/console"
        try await eventually("every event applied", timeout: .seconds(90)) {
            try await request(base + "/state").body.contains("<dt>Events applied</dt><dd>5</dd>")
        }
        let found = try await request(base + "/state?q=pacifico+console")
        #expect(
            found.body.contains(#"<a href="/console/company?id=co%2Econsole%2Dtest">co.console-test</a>"#),
            "\(found.body)")
        let page = try await request(base + "/company?id=co.console-test")
        #expect(page.status == 200, "\(page.body)")
        for text in [
            "<h1>Pacífico Console S.A. de C.V.</h1>", "<code>exp.console-1</code>", ">completed<", "Ogden, US-UT",
            "200 jobs, investment not disclosed", "210 jobs, USD 1,200,000<",
            "announced 2025-01-02; opened 2025-06-01",
            "<code>inv.console-1</code>", "USD 5,000,000<", ">completed-again<",
            "exp.console-1 was completed with 205 jobs",
        ] {
            #expect(page.body.contains(text), "\(text): \(page.body)")
        }
        // Where each expansion's and investment's events are in the log (PARTITION@OFFSET).
        #expect(page.body.firstMatch(of: /announced (\d+)@\d+; completed \1@\d+/) != nil, "\(page.body)")
        let unknown = try await request(base + "/company?id=co.nobody")
        #expect(unknown.body.contains("No company co.nobody in the store"), "\(unknown.body)")
        // The State page's figures beyond expansions, and the anomalies on a page of their own, by kind.
        let state = try await request(base + "/state")
        #expect(state.body.contains(#"<td data-label="Value" class="n">USD 1,234</td>"#), "\(state.body)")
        let anomalies = try await request(base + "/anomalies")
        #expect(
            anomalies.body.contains(#"<a href="/console/anomalies?kind=completed%2Dagain">completed-again</a> (1)"#),
            "\(anomalies.body)")
        let ofKind = try await request(base + "/anomalies?kind=completed-again")
        #expect(
            ofKind.body.contains("1 anomaly of kind <strong>completed-again</strong>")
                && ofKind.body.contains(#"<td data-label="Kind">completed-again</td>"#), "\(ofKind.body)")
        // Recorded within a period: the last hour holds it, and each row says when.
        let recent = try await request(base + "/anomalies?kind=completed-again&since=hour")
        #expect(
            recent.body.contains("1 anomaly of kind <strong>completed-again</strong> recorded in the last hour"),
            "\(recent.body)")
        #expect(recent.body.firstMatch(of: /<td data-label="Recorded">20\d\d-\d\d-\d\dT/) != nil)
        #expect(anomalies.body.contains(#"href="/console/anomalies?since=week">the last week</a>"#))
        let otherKind = try await request(base + "/anomalies?kind=nope&page=7")
        #expect(otherKind.body.contains("No anomaly is of kind “nope”") && otherKind.body.contains("page 1 of 1"))
        let otherKindRecently = try await request(base + "/anomalies?kind=nope&since=hour")
        #expect(
            otherKindRecently.body.contains("No anomaly of kind “nope” was recorded in the last hour"),
            "\(otherKindRecently.body)")
        // The period links carry only the parts there are: no dangling ? or &.
        #expect(anomalies.body.contains(#"href="/console/anomalies" aria-current="true">any time</a>"#))
        #expect(ofKind.body.contains(#"href="/console/anomalies?kind=completed%2Dagain" aria-current="true">any time"#))
        #expect(!anomalies.body.contains("anomalies?\"") && !ofKind.body.contains("&\""), "\(ofKind.body)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "the search box drops ESC, U+202E and NUL from what was searched: never echoed, and a resubmit searches the same; a form's + is a space"
    )
    func searchEscaped() async throws {
        let port = freeLoopbackPort()
        let daemon = try await started(http: "127.0.0.1:\(port)")
        let page = try await request("http://127.0.0.1:\(port)/console/state?q=a%1B%5B2J%E2%80%AEb%00c")
        #expect(page.status == 200, "\(page.body)")
        #expect(!page.body.unicodeScalars.contains { [0x1B, 0x202E, 0x00].contains($0.value) }, "\(page.body)")
        #expect(page.body.contains(#"value="a[2Jbc""#), "\(page.body)")
        let backslash = try await request("http://127.0.0.1:\(port)/console/state?q=a%5Cb")
        #expect(backslash.body.contains(#"value="a\b""#), "a backslash stays one: \(backslash.body)")
        // What a browser's form sends for `moab solutions` and for `a+b`.
        let words = try await request("http://127.0.0.1:\(port)/console/state?q=moab+solutions")
        #expect(words.body.contains(#"value="moab solutions""#), "a + is a space: \(words.body)")
        let plus = try await request("http://127.0.0.1:\(port)/console/state?q=a%2Bb")
        #expect(plus.body.contains(#"value="a+b""#), "an encoded + stays one: \(plus.body)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "beyond loopback: without a token only the probes and /metrics answer (the console's paths a page saying why it is off); with one, a sign-in sets a strict cookie, and a cross-origin POST or one without the CSRF token is refused"
    )
    func beyondLoopback() async throws {
        let port = freeLoopbackPort()
        let open = try await started(http: "0.0.0.0:\(port)")
        let base = "http://127.0.0.1:\(port)"
        // Off: a page saying why and how to turn it on, with nothing of the daemon's state and no form.
        for path in ["/console", "/", "/console/dead-letters", "/console/digests/send-now"] {
            let off = try await request(base + path)
            #expect(off.status == 404, "\(path)")
            #expect(
                off.body.contains("The operator console is off here") && off.body.contains("no token is set")
                    && off.body.contains("no host name is set") && off.body.contains("0.0.0.0:\(port)"),
                "\(path): \(off.body)")
            #expect(!off.body.contains("<form") && !off.body.contains("csrf"), "\(off.body)")
        }
        #expect(try await request(base + "/metrics").status == 200)
        #expect(try await request(base + "/readyz").status != 404)
        #expect(open.output.contains("the operator console is off"), "\(open.output)")
        open.signal(SIGTERM)
        #expect(try await open.exitStatus(timeout: .seconds(25)) == 0)

        let tokenFile = path("console-token")
        let token = "s3cret-console-token-0123456789"
        try token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        // A token without the names the console is served as is not enough: it stays off and says why.
        let nameless = try await started(http: "0.0.0.0:\(port)", environment: ["JUMP_CONSOLE_TOKEN_FILE": tokenFile])
        #expect(try await request(base + "/console").status == 404)
        #expect(nameless.output.contains("no host name is set (console.hosts"), "\(nameless.output)")
        nameless.signal(SIGTERM)
        #expect(try await nameless.exitStatus(timeout: .seconds(25)) == 0)

        let guarded = try await started(
            http: "0.0.0.0:\(port)",
            environment: ["JUMP_CONSOLE_TOKEN_FILE": tokenFile, "JUMP_CONSOLE_HOSTS": "console.example.org"])
        let named = try await request(base + "/console", ["-H", "Host: console.example.org:\(port)"])
        #expect(
            named.status == 303 && named.headers["location"] == "/console/sign-in?next=%2Fconsole", "\(named.status)")
        #expect(try await request(base + "/console", ["-H", "Host: other.example:\(port)"]).status == 421)
        // A page asked for before signing in is where the sign-in returns (a console path only, never elsewhere).
        let unsigned = try await request(base + "/console/dead-letters?page=0")
        let signInPage = try #require(unsigned.headers["location"], "\(unsigned.status)")
        #expect(unsigned.status == 303 && signInPage == "/console/sign-in?next=%2Fconsole%2Fdead%2Dletters%3Fpage%3D0")
        let form = try await request(base + signInPage)
        #expect(form.body.contains(#"name="next" value="/console/dead-letters?page=0""#), "\(form.body)")
        let wrong = try await request(base + "/console/sign-in", ["--data", "token=not-it"])
        #expect(wrong.status == 401)
        // After a wrong token this address waits a second (429 meanwhile).
        var signedIn = wrong
        try await eventually("the second has passed", timeout: .seconds(10)) {
            signedIn = try await request(
                base + "/console/sign-in", ["--data", "token=\(token)&next=%2Fconsole%2Fdead-letters%3Fpage%3D0"])
            return signedIn.status != 429
        }
        let cookie = try #require(signedIn.headers["set-cookie"])
        #expect(signedIn.status == 303 && signedIn.headers["location"] == "/console/dead-letters?page=0")
        for elsewhere in ["https%3A%2F%2Fevil.example%2F", "%2F%2Fevil.example", "%2Fconsole%5C%5Cevil"] {
            let redirected = try await request(
                base + "/console/sign-in", ["--data", "token=\(token)&next=\(elsewhere)"])
            #expect(redirected.headers["location"] == "/console", "\(elsewhere): \(redirected.headers)")
        }
        for attribute in ["HttpOnly", "SameSite=Strict", "Secure", "Path=/console"] {
            #expect(cookie.contains(attribute), "\(cookie)")
        }
        let session = String(cookie.split(separator: ";")[0])
        let page = try await request(base + "/console/digests", ["-H", "Cookie: \(session)"])
        #expect(page.status == 200, "\(page.body)")
        let csrf = try #require(
            page.body.firstMatch(of: /name="csrf" value="([0-9a-f]+)"/).map { String($0.1) }, "a form with a token")
        let sendNow = base + "/console/digests/send-now"
        let noToken = try await request(sendNow, ["-H", "Cookie: \(session)", "--data", "audience=consulate"])
        #expect(noToken.status == 403 && noToken.body.contains("CSRF"), "\(noToken.body)")
        let crossOrigin = try await request(
            sendNow,
            [
                "-H", "Cookie: \(session)", "-H", "Origin: https://elsewhere.example", "--data",
                "csrf=\(csrf)&audience=consulate",
            ])
        #expect(crossOrigin.status == 403 && crossOrigin.body.contains("another origin"), "\(crossOrigin.body)")
        let crossSite = try await request(
            sendNow,
            [
                "-H", "Cookie: \(session)", "-H", "Sec-Fetch-Site: cross-site", "--data",
                "csrf=\(csrf)&audience=consulate",
            ])
        #expect(crossSite.status == 403)
        let noCookie = try await request(sendNow, ["--data", "csrf=\(csrf)&audience=consulate"])
        #expect(noCookie.status == 403)
        let sameOrigin = try await request(
            sendNow,
            [
                "-H", "Cookie: \(session)", "-H", "Origin: http://127.0.0.1:\(port)", "--data",
                "csrf=\(csrf)&audience=consulate",
            ])
        // Let in, the first POST only asks to confirm; the confirmed one acts and redirects to its outcome.
        #expect(
            sameOrigin.status == 200 && sameOrigin.body.contains("Send the digest for")
                && sameOrigin.body.contains(#"name="confirm" value="yes""#), "\(sameOrigin.body)")
        let confirmed = try await request(
            sendNow,
            [
                "-H", "Cookie: \(session)", "-H", "Origin: http://127.0.0.1:\(port)", "--data",
                "csrf=\(csrf)&audience=consulate&confirm=yes",
            ])
        let location = try #require(confirmed.headers["location"], "\(confirmed.status) \(confirmed.body)")
        #expect(confirmed.status == 303 && location.hasPrefix("/console/digests?done="), "\(location)")
        let outcome = try await request(base + location, ["-H", "Cookie: \(session)"])
        #expect(outcome.status == 200 && outcome.body.contains(#"<p class="notice" role="status">"#), "\(outcome.body)")
        #expect(!guarded.output.contains(token), "the token never reaches the log")
        guarded.signal(SIGTERM)
        #expect(try await guarded.exitStatus(timeout: .seconds(25)) == 0, "\(guarded.output)")
        #expect(try await broker.stop() == 0)
    }
}
