import Foundation
import JumpEvents
import JumpKafka
import JumpTestSupport
import Testing

/// `jump-producer serve`, the CloudEvents HTTP binding in front of Kafka: real processes (a dev broker, the server,
/// curl, the Python CloudEvents SDK, kcat, the state worker), real signals.
@Suite("Events over HTTP")
struct ServeEndToEndTests {
    static let token = "crm-token-0123456789abcdef"
    static let limitedToken = "web-form-token-0123456789"

    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "6"])
        directory = try testDirectory("serve")
        try Self.writeTokens(
            to: path("tokens.json"),
            [
                (name: "crm", token: Self.token, sources: ["urn:*"], types: ["jump.*"], rate: nil),
                (name: "web-form", token: Self.limitedToken, sources: ["urn:web:*"], types: ["jump.jobs.*"], rate: 1),
            ])
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static func writeTokens(
        to path: String, _ tokens: [(name: String, token: String, sources: [String], types: [String], rate: Int?)]
    ) throws {
        let entries: [[String: Any]] = tokens.map { entry in
            var object: [String: Any] = [
                "name": entry.name, "sha256": sha256Hex(entry.token), "sources": entry.sources, "types": entry.types,
            ]
            if let rate = entry.rate { object["eventsPerSecond"] = rate }
            return object
        }
        try JSONSerialization.data(withJSONObject: ["tokens": entries]).write(to: URL(fileURLWithPath: path))
    }

    static func sha256Hex(_ text: String) -> String { SHA256.hex(SHA256.hash(text.utf8)) }

    /// Starts `serve` on a free port and waits until it answers `/healthz`.
    func serve(_ extra: [String] = []) async throws -> (process: ChildProcess, url: String) {
        let port = freeLoopbackPort()
        let process = try ChildProcess(
            product("jump-producer"),
            [
                "serve", "-b", broker.bootstrapServers, "--tokens", path("tokens.json"), "--listen",
                "127.0.0.1:\(port)",
            ] + extra)
        let url = "http://127.0.0.1:\(port)"
        try await eventually("serve answers /healthz", timeout: .seconds(30)) {
            try await curl(["\(url)/healthz"]).status == 200
        }
        return (process, url)
    }

    struct Answer {
        var status: Int
        var headers: String
        var body: String
        var json: [String: Any] { (try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]) ?? [:] }
        /// Each accepted event's id, partition and offset.
        var placements: [(id: String, partition: Int, offset: Int)] {
            ((json["events"] as? [[String: Any]]) ?? []).compactMap { event in
                guard event["status"] as? String == "accepted", let id = event["id"] as? String,
                    let partition = event["partition"] as? Int, let offset = event["offset"] as? Int
                else { return nil }
                return (id, partition, offset)
            }
        }
    }

    /// curl with `arguments`; the status, the response headers and the body.
    func curl(_ arguments: [String]) async throws -> Answer {
        let headers = path(uniqueTopic("headers"))
        let result = try await runCommand(
            "curl", ["-s", "-o", "-", "-D", headers, "-w", "\n%{http_code}", "--max-time", "60"] + arguments)
        let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        return Answer(
            status: Int(lines.last ?? "") ?? 0, headers: (try? String(contentsOfFile: headers, encoding: .utf8)) ?? "",
            body: lines.dropLast().joined(separator: "\n"))
    }

    func post(
        _ url: String, body: String, contentType: String = "application/cloudevents+json", token: String? = token,
        headers: [String] = []
    ) async throws -> Answer {
        let file = path(uniqueTopic("body"))
        try body.write(toFile: file, atomically: true, encoding: .utf8)
        var arguments = [
            "-X", "POST", "\(url)/events", "-H", "Content-Type: \(contentType)", "--data-binary", "@\(file)",
        ]
        if let token { arguments += ["-H", "Authorization: Bearer \(token)"] }
        for header in headers { arguments += ["-H", header] }
        return try await curl(arguments)
    }

    /// Every message of `jump.events`: id, key, partition and offset (kcat).
    func readBack() async throws -> [(id: String, key: String, partition: Int, offset: Int)] {
        let kcat = try await runCommand(
            "kcat", ["-C", "-b", broker.bootstrapServers, "-t", "jump.events", "-e", "-q", "-J"], timeout: .seconds(60))
        return try jsonObjects(kcat.stdout).map { message in
            let payload = message["payload"] as? String ?? ""
            let event = try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any]
            return (
                event?["id"] as? String ?? "", message["key"] as? String ?? "", message["partition"] as? Int ?? -1,
                message["offset"] as? Int ?? -1
            )
        }
    }

    func pressRelease() throws -> [String] {
        try String(contentsOfFile: pressReleasePath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test(
        "curl in each mode, the Python SDK, a batch of 1,000: exactly the acknowledged events, keyed, placed, applied")
    func everyMode() async throws {
        let (server, url) = try await serve()
        let events = try pressRelease()
        var accepted: [(id: String, partition: Int, offset: Int)] = []

        let structured = try await post(url, body: events[0])
        #expect(structured.status == 200, "\(structured.body)")
        accepted += structured.placements

        // Binary mode: the attributes as ce- headers (a percent-encoded value, as the binding encodes them), the
        // data as the body.
        let event = try JSONSerialization.jsonObject(with: Data(events[1].utf8)) as! [String: Any]
        let data = try JSONSerialization.data(withJSONObject: event["data"]!)
        var headers = ["ce-specversion: 1.0", "ce-id: binary-mode-1"]
        for name in ["type", "subject", "time", "dataschema"] {
            if let value = event[name] as? String { headers.append("ce-\(name): \(value)") }
        }
        headers.append("ce-source: urn%3Ajump%3Acurl")
        let binary = try await post(
            url, body: String(decoding: data, as: UTF8.self), contentType: "application/json", headers: headers)
        #expect(binary.status == 200 && binary.placements.first?.id == "binary-mode-1", "\(binary.body)")
        accepted += binary.placements

        let generated = try await runCommand(product("jump-producer"), ["generate", "--count", "1000", "--seed", "41"])
        let batchBody = "[" + generated.stdout.split(separator: "\n").joined(separator: ",") + "]"
        let batch = try await post(url, body: batchBody, contentType: "application/cloudevents-batch+json")
        #expect(batch.status == 200 && batch.placements.count == 1_000, "\(batch.body.prefix(300))")
        accepted += batch.placements

        // The Python CloudEvents SDK (binary and structured), a batch, and refusals, checked against the OpenAPI
        // document the server serves.
        let sdk = try await runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Interop/serve_client.py").path,
                String(url.split(separator: ":").last!), Self.token, pressReleasePath,
            ], timeout: .seconds(120))
        let report = try JSONSerialization.jsonObject(with: Data(sdk.stdout.utf8)) as? [String: Any] ?? [:]
        #expect((report["specErrors"] as? [String])?.isEmpty == true, "\(sdk.stdout) \(sdk.stderr)")
        let requests = report["requests"] as? [[String: Any]] ?? []
        #expect(
            requests.map { "\($0["name"] ?? "") \($0["status"] ?? "")" } == [
                "sdk-binary 200", "sdk-structured 200", "batch 200", "invalid 400", "unauthorized 401",
                "media-type 415",
            ], "\(sdk.stdout) \(sdk.stderr)")
        for request in requests {
            #expect((request["schemaErrors"] as? [String])?.isEmpty == true, "\(request)")
            if request["status"] as? Int == 200 {
                let body = request["body"] as? [String: Any]
                for event in body?["events"] as? [[String: Any]] ?? [] {
                    accepted.append(
                        (event["id"] as! String, event["partition"] as! Int, event["offset"] as! Int))
                }
            }
        }
        // The document served is the one in the repository.
        let served = try await curl(["\(url)/openapi.json"])
        let kept = try String(
            contentsOf: packageRoot.appendingPathComponent("Schemas/http-api.openapi.json"), encoding: .utf8)
        #expect(served.status == 200 && served.body == kept.trimmingCharacters(in: .newlines))

        // Exactly the acknowledged events, once each, where the answers said, keyed by subject in the partition
        // murmur2 gives the key.
        let messages = try await readBack()
        #expect(messages.count == accepted.count && accepted.count == 1_007, "\(messages.count) \(accepted.count)")
        let placed = Dictionary(grouping: messages, by: { "\($0.partition)@\($0.offset)" })
        for event in accepted {
            let message = placed["\(event.partition)@\(event.offset)"]?.first
            #expect(message?.id == event.id, "\(event)")
        }
        for message in messages {
            let partition = KafkaPartitioner.murmur2Random.partition(of: Array(message.key.utf8), partitionCount: 6)
            #expect(Int(partition) == message.partition, "\(message)")
        }
        // The worker applies them (its own placement check would have moved a misplaced one).
        let state = path("state.sqlite")
        let run = try await runCommand(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--role", "state", "--http",
                "off",
            ]
                + quickGroupArguments, timeout: .seconds(120))
        #expect(run.status == 0, "\(run.stderr)")
        #expect(await eventsApplied(state: state) == 1_007)
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0, "\(server.output)")
    }

    @Test("every refusal has its status and its words, and the token's name (never the token) is counted")
    func refusals() async throws {
        let (server, url) = try await serve()
        let event = try pressRelease()[0]

        let anonymous = try await post(url, body: event, token: nil)
        #expect(anonymous.status == 401 && anonymous.headers.contains("WWW-Authenticate: Bearer"))
        let unknown = try await post(url, body: event, token: "not-a-token-we-know-of")
        #expect(
            unknown.status == 401
                && unknown.json["detail"] as? String == "the bearer token is not one this server knows")

        // The web form may publish jobs from urn:web:* only.
        let forbidden = try await post(url, body: event, token: Self.limitedToken)
        #expect(forbidden.status == 403, "\(forbidden.body)")
        #expect((forbidden.json["detail"] as? String)?.contains("type jump.delegation.meeting-held") == true)

        let media = try await post(url, body: event, contentType: "text/plain")
        #expect(media.status == 415 && media.headers.contains("application/problem+json"))

        let invalid = try await post(url, body: event.replacingOccurrences(of: "\"heldOn\"", with: "\"heldOnn\""))
        #expect(invalid.status == 400, "\(invalid.body)")
        let error = (invalid.json["errors"] as? [[String: Any]])?.first
        #expect(error?["pointer"] as? String == "/data" && error?["rule"] as? String == "schema", "\(invalid.body)")

        let malformed = try await post(url, body: "[{}, ", contentType: "application/cloudevents-batch+json")
        #expect(malformed.status == 400 && malformed.json["type"] as? String == "urn:jump:problem:malformed-batch")

        let big = String(repeating: " ", count: 70_000) + event
        let tooLarge = try await post(url, body: big)
        #expect(tooLarge.status == 413 && (tooLarge.json["detail"] as? String)?.hasPrefix("Content-Length is") == true)
        let chunked = try await post(url, body: big, headers: ["Transfer-Encoding: chunked"])
        #expect(chunked.status == 413 && (chunked.json["detail"] as? String)?.hasPrefix("the body goes on") == true)

        // One event a second for the web form: a batch of 5 passes (a full bucket lets a larger request through and
        // owes the rest), the next request within the next 4 s is told when to come back.
        let jobs = (0..<5).map { index in
            #"{"specversion":"1.0","id":"job-\#(index)","source":"urn:web:form","type":"jump.jobs.reported","subject":"jobs.web-form","time":"2026-01-01T00:00:00Z","data":{"scope":"web-form","period":{"year":2026},"jobsSupported":\#(10 + index),"source":"a web form"}}"#
        }
        let first = try await post(
            url, body: "[" + jobs.joined(separator: ",") + "]", contentType: "application/cloudevents-batch+json",
            token: Self.limitedToken)
        #expect(first.status == 200, "\(first.body)")
        let second = try await post(url, body: jobs[0], token: Self.limitedToken)
        #expect(second.status == 429 && second.headers.contains("Retry-After: "), "\(second.headers) \(second.body)")

        let metrics = try await curl(["\(url)/metrics"]).body
        for status in ["401", "403", "413", "415", "429"] {
            #expect(metrics.contains("status=\"\(status)\""), "\(status)")
        }
        #expect(metrics.contains(#"jump_serve_requests_total{status="429",token="web-form"}"#))
        #expect(!metrics.contains(Self.token) && !metrics.contains(Self.limitedToken))
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
        #expect(!server.output.contains(Self.token) && !server.output.contains(Self.limitedToken))
        #expect(server.output.contains("token=web-form"))
    }

    @Test(
        "a broker frozen mid-load: 503 with Retry-After within the deadline, no acknowledged event missing; SIGTERM drains"
    )
    func frozenBroker() async throws {
        let (server, url) = try await serve(["--request-timeout-ms", "5000"])
        let events = try pressRelease()
        var accepted: [String] = []
        // Mid-load: 16 clients posting until told to stop, and the broker frozen once the first events are accepted
        // (the clients stop once one of their requests was refused). Every request is answered, 200 or 503, within
        // its deadline.
        let generated = try await runCommand(product("jump-producer"), ["generate", "--count", "2000", "--seed", "77"])
        try generated.stdout.write(toFile: path("load.jsonl"), atomically: true, encoding: .utf8)
        async let load = runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Interop/serve_load.py").path,
                String(url.split(separator: ":").last!), Self.token, path("load.jsonl"), "16", path("stop"),
            ], timeout: .seconds(60))
        try await eventually("the load's first events are accepted", timeout: .seconds(20)) {
            // The family is there from the start, at zero: wait for a count.
            let metrics = try await curl(["\(url)/metrics"]).body
            return metrics.split(separator: "\n").contains {
                $0.hasPrefix(#"jump_serve_events_total{outcome="accepted"} "#) && !$0.hasSuffix(" 0")
            }
        }
        broker.signal(SIGSTOP)
        try await eventually("a request of the load is refused", timeout: .seconds(30)) {
            try await curl(["\(url)/metrics"]).body.contains(#"jump_serve_requests_total{status="503",token="crm"}"#)
        }
        _ = FileManager.default.createFile(atPath: path("stop"), contents: nil)
        let loaded = try await load
        let report = try JSONSerialization.jsonObject(with: Data(loaded.stdout.utf8)) as? [String: Any] ?? [:]
        let statuses = report["statuses"] as? [Int] ?? []
        #expect(Set(statuses) == [200, 503], "\(statuses) \(loaded.stderr)")
        #expect((report["longest"] as? Double ?? 99) < 7, "\(report["longest"] ?? "")")
        accepted += report["accepted"] as? [String] ?? []

        let started = ContinuousClock.now
        let frozen = try await post(url, body: events[1])
        let waited = ContinuousClock.now - started
        #expect(frozen.status == 503 && frozen.headers.contains("Retry-After: 5"), "\(frozen.body)")
        #expect(waited >= .milliseconds(4_900) && waited < .seconds(9), "\(waited)")
        try await eventually("/readyz says Kafka does not answer", timeout: .seconds(20)) {
            let readiness = try await curl(["\(url)/readyz"])
            return readiness.status == 503 && readiness.body.contains("Kafka")
        }

        // A request in flight when SIGTERM arrives is answered; one that comes after is told to go elsewhere.
        async let inFlight = post(url, body: events[2])
        try await eventually("the request is in flight", timeout: .seconds(4)) {
            try await curl(["\(url)/metrics"]).body.contains("jump_serve_requests_in_flight 1")
        }
        server.signal(SIGTERM)
        try await eventually("serve drains", timeout: .seconds(4)) {
            try await curl(["\(url)/readyz"]).body.contains("shutting down")
        }
        let late = try await post(url, body: events[3])
        #expect(
            late.status == 503 && late.json["type"] as? String == "urn:jump:problem:shutting-down",
            "\(late.status) \(late.body) \(server.output)")
        let answered = try await inFlight
        #expect(answered.status == 503 && answered.json["type"] as? String == "urn:jump:problem:not-acknowledged")
        broker.signal(SIGCONT)
        #expect(try await server.exitStatus(timeout: .seconds(30)) == 0, "\(server.output)")

        // Afterwards: every acknowledged event is there (the refused ones may be too: retrying them is harmless).
        let (again, againURL) = try await serve()
        let after = try await post(againURL, body: events[4])
        #expect(after.status == 200)
        accepted += after.placements.map(\.id)
        let ids = Set(try await readBack().map(\.id))
        #expect(Set(accepted).isSubset(of: ids), "\(accepted) \(ids)")
        again.signal(SIGTERM)
        #expect(try await again.exitStatus() == 0)
    }

    @Test("hostile HTTP: slow headers, slow and endless bodies, huge headers, bad JSON, 10,000 events, pipelining")
    func hostileClients() async throws {
        let (server, url) = try await serve(["--request-timeout-ms", "2000"])
        let eventFile = path("event.json")
        try pressRelease()[0].write(toFile: eventFile, atomically: true, encoding: .utf8)
        let abuse = try await runCommand(
            "python3",
            [
                packageRoot.appendingPathComponent("Tests/Interop/serve_abuse.py").path,
                String(url.split(separator: ":").last!), Self.token, eventFile,
            ], timeout: .seconds(240))
        let report = try JSONSerialization.jsonObject(with: Data(abuse.stdout.utf8)) as? [String: Any] ?? [:]
        func statuses(_ name: String) -> [String] { (report[name] as? [String: Any])?["statuses"] as? [String] ?? [] }
        func seconds(_ name: String) -> Double { (report[name] as? [String: Any])?["seconds"] as? Double ?? -1 }
        func body(_ name: String) -> String { (report[name] as? [String: Any])?["body"] as? String ?? "" }
        // A head still not complete after 5 s: the connection is closed (the daemon's head deadline).
        #expect(statuses("slowHeaders") == ["closed"] && seconds("slowHeaders") < 10, "\(abuse.stdout)")
        #expect(statuses("slowBody") == ["HTTP/1.1 408 Request Timeout"], "\(abuse.stdout) \(abuse.stderr)")
        #expect(seconds("slowBody") < 4)
        #expect(statuses("endlessBody") == ["HTTP/1.1 413 Payload Too Large"])
        #expect(seconds("endlessBody") < 12, "the connection is closed within the head deadline after the answer")
        #expect(statuses("hugeHeaders").first?.hasPrefix("HTTP/1.1 4") == true || statuses("hugeHeaders") == ["closed"])
        #expect(statuses("malformedJSON") == ["HTTP/1.1 400 Bad Request"])
        #expect(statuses("wrongMediaType") == ["HTTP/1.1 415 Unsupported Media Type"])
        #expect(statuses("batchOf10000") == ["HTTP/1.1 413 Payload Too Large"])
        #expect(body("batchOf10000").contains("at most 1000 events; this one has 10000"), "\(body("batchOf10000"))")
        #expect(statuses("oversizedElement") == ["HTTP/1.1 413 Payload Too Large"], "\(body("oversizedElement"))")
        #expect(statuses("emptyBatch") == ["HTTP/1.1 400 Bad Request"] && body("emptyBatch").contains("no event"))
        #expect(statuses("pipelined") == ["HTTP/1.1 200 OK", "HTTP/1.1 200 OK", "HTTP/1.1 200 OK"])
        #expect(report["healthzAfter"] as? [String] == ["HTTP/1.1 200 OK"])
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)
    }

    /// Writes a new self-signed certificate for localhost and its key.
    func makeCertificate(_ certificate: String, key: String) async throws {
        let openssl = try await runCommand(
            "openssl",
            [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", certificate, "-days", "1",
                "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            ])
        #expect(openssl.status == 0, "\(openssl.stderr)")
    }

    @Test(
        "HTTPS with a certificate and key: beyond loopback, curl trusting the certificate publishes; plain HTTP fails; SIGHUP puts a renewed certificate in force, a broken one is refused"
    )
    func https() async throws {
        let certificate = path("cert.pem")
        let key = path("key.pem")
        try await makeCertificate(certificate, key: key)
        let port = freeLoopbackPort()
        let server = try ChildProcess(
            product("jump-producer"),
            [
                "serve", "-b", broker.bootstrapServers, "--tokens", path("tokens.json"), "--listen", "0.0.0.0:\(port)",
                "--tls-certificate", certificate, "--tls-key", key,
            ])
        try await eventually("serve answers /healthz over HTTPS", timeout: .seconds(30)) {
            try await curl(["--cacert", certificate, "https://localhost:\(port)/healthz"]).status == 200
        }
        let file = path("event.json")
        try pressRelease()[0].write(toFile: file, atomically: true, encoding: .utf8)
        let published = try await curl([
            "--cacert", certificate, "-X", "POST", "https://localhost:\(port)/events", "-H",
            "Authorization: Bearer \(Self.token)", "-H", "Content-Type: application/cloudevents+json", "--data-binary",
            "@\(file)",
        ])
        #expect(published.status == 200 && published.placements.count == 1, "\(published.body)")
        #expect(try await curl(["http://127.0.0.1:\(port)/healthz"]).status == 0)
        #expect(try await curl(["https://localhost:\(port)/healthz"]).status == 0, "an unknown certificate is refused")

        // A renewed certificate, as certbot leaves it: the same paths, new contents, then SIGHUP.
        let first = path("first-cert.pem")
        try FileManager.default.copyItem(atPath: certificate, toPath: first)
        try await makeCertificate(certificate, key: key)
        server.signal(SIGHUP)
        try await eventually("the renewed certificate is presented", timeout: .seconds(10)) {
            try await curl(["--cacert", certificate, "https://localhost:\(port)/healthz"]).status == 200
        }
        #expect(try await curl(["--cacert", first, "https://localhost:\(port)/healthz"]).status == 0)
        let second = path("second-cert.pem")
        try FileManager.default.copyItem(atPath: certificate, toPath: second)
        try "not a certificate".write(toFile: certificate, atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        try await eventually("a broken certificate is refused", timeout: .seconds(10)) {
            server.output.contains("the TLS certificate and key are not reloaded; the previous ones stay in force")
        }
        #expect(server.output.contains("serve.tlsCertificate"), "\(server.output)")
        #expect(try await curl(["--cacert", second, "https://localhost:\(port)/healthz"]).status == 200)
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0, "\(server.output)")

        let refused = try await runCommand(
            product("jump-producer"),
            [
                "serve", "-b", broker.bootstrapServers, "--tokens", path("tokens.json"), "--listen",
                "127.0.0.1:\(port)", "--tls-certificate", path("tokens.json"), "--tls-key", key,
            ])
        #expect(refused.status == 78 && refused.stderr.contains("serve.tlsCertificate"), "\(refused.stderr)")
    }

    @Test("tokens: reloaded on SIGHUP (a broken file keeps the ones in force); bad settings exit 78 naming the fix")
    func tokensAndSettings() async throws {
        let (server, url) = try await serve()
        let event = try pressRelease()[0]
        #expect(try await post(url, body: event).status == 200)

        try Self.writeTokens(
            to: path("tokens.json"),
            [(name: "crm-2", token: "a-new-token-for-the-crm-0001", sources: ["urn:*"], types: ["jump.*"], rate: nil)])
        server.signal(SIGHUP)
        try await eventually("the new token works", timeout: .seconds(10)) {
            try await post(url, body: event, token: "a-new-token-for-the-crm-0001").status == 200
        }
        #expect(try await post(url, body: event).status == 401)

        try "{\"tokens\": [{\"name\": \"x\"}]}".write(toFile: path("tokens.json"), atomically: true, encoding: .utf8)
        server.signal(SIGHUP)
        try await eventually("the reload is refused", timeout: .seconds(10)) {
            server.output.contains("SIGHUP: the tokens are not reloaded")
        }
        #expect(server.output.contains("/tokens/0/sha256"))
        #expect(try await post(url, body: event, token: "a-new-token-for-the-crm-0001").status == 200)
        server.signal(SIGTERM)
        #expect(try await server.exitStatus() == 0)

        try Self.writeTokens(
            to: path("good.json"), [(name: "crm", token: Self.token, sources: ["urn:*"], types: ["jump.*"], rate: nil)])
        let port = String(freeLoopbackPort())
        let cases: [([String], String)] = [
            (["--listen", "127.0.0.1:\(port)"], "serve.tokensFile"),
            (["--listen", "127.0.0.1:\(port)", "--tokens", path("tokens.json")], "/tokens/0/sha256"),
            (["--listen", "0.0.0.0:\(port)", "--tokens", path("tokens.json")], "--behind-tls-proxy"),
            (["--listen", "127.0.0.1:\(port)", "--tokens", path("nothing.json")], "must be a readable JSON file"),
            (["--listen", "127.0.0.1:\(port)", "--tokens", path("good.json"), "-X", "acks=1"], "-X acks=1"),
            (
                ["--listen", "127.0.0.1:\(port)", "--tokens", path("good.json"), "-X", "enable.idempotence=false"],
                "enable.idempotence=false"
            ),
            (
                ["--listen", "127.0.0.1:\(port)", "--tokens", path("good.json"), "--request-timeout-ms", "30000"],
                "must be less than shutdownTimeoutSeconds"
            ),
        ]
        for (arguments, words) in cases {
            let run = try await runCommand(
                product("jump-producer"), ["serve", "-b", broker.bootstrapServers] + arguments,
                environment: ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CREDENTIALS") })
            #expect(run.status == 78 && run.stderr.contains(words), "\(arguments): \(run.stderr)")
        }
    }
}
