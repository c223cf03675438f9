import Foundation
import JumpTestSupport
import Testing

/// What Prometheus reads from a freshly started daemon and `serve`, and the alert rules and dashboard shipped for
/// them: every family with HELP and TYPE, at zero from the start, and every name the rules and the dashboard use
/// one the processes export.
@Suite("Metrics Prometheus can alert on")
struct MetricsEndToEndTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        directory = try testDirectory("metrics")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    func scrape(_ port: Int) async throws -> String {
        try await runCommand("curl", ["-s", "--max-time", "10", "http://127.0.0.1:\(port)/metrics"]).stdout
    }

    /// Each family's TYPE, after checking that a HELP line with text comes right before it.
    func families(_ exposition: String) -> [String: String] {
        let lines = exposition.split(separator: "\n").map(String.init)
        var types: [String: String] = [:]
        for (index, line) in lines.enumerated() where line.hasPrefix("# TYPE ") {
            let parts = line.split(separator: " ").map(String.init)
            let help = index > 0 ? lines[index - 1] : ""
            #expect(help.hasPrefix("# HELP \(parts[2]) ") && help.count > "# HELP \(parts[2]) ".count, "\(line)")
            types[parts[2]] = parts[3]
        }
        return types
    }

    @Test(
        "a fresh daemon and a fresh serve export every family, with HELP and TYPE, at zero; the rules and dashboard use only those"
    )
    func freshScrape() async throws {
        let consumerPort = freeLoopbackPort()
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", path("state.sqlite"), "--http",
                "127.0.0.1:\(consumerPort)",
            ] + quickGroupArguments)
        let tokens = path("tokens.json")
        try #"{"tokens": []}"#.write(toFile: tokens, atomically: true, encoding: .utf8)
        let servePort = freeLoopbackPort()
        let serve = try ChildProcess(
            product("jump-producer"),
            ["serve", "-b", broker.bootstrapServers, "--tokens", tokens, "--listen", "127.0.0.1:\(servePort)"])
        var consumer = ""
        var server = ""
        try await eventually("both export their metrics", timeout: .seconds(60)) {
            consumer = try await scrape(consumerPort)
            server = try await scrape(servePort)
            return consumer.contains("jump_build_info") && server.contains("jump_build_info")
        }
        let consumerFamilies = families(consumer)
        let serveFamilies = families(server)
        for (name, type) in [
            ("jump_events_applied_total", "counter"), ("jump_events_duplicates_total", "counter"),
            ("jump_events_dead_lettered_total", "counter"), ("jump_events_anomalies_total", "counter"),
            ("jump_events_rerouted_total", "counter"), ("jump_batch_duration_seconds", "histogram"),
            ("jump_event_age_seconds", "histogram"), ("jump_outbox_depth", "gauge"),
            ("jump_dead_letters_blocked", "gauge"), ("jump_dead_letters_bounded_total", "counter"),
            ("jump_notifications_relayed_total", "counter"), ("jump_notifications_received_total", "counter"),
            ("jump_notifications_repeated_total", "counter"), ("jump_errors_total", "counter"),
            ("jump_digest_deliveries_total", "counter"), ("jump_build_info", "gauge"),
            ("process_cpu_seconds_total", "counter"), ("process_resident_memory_bytes", "gauge"),
            ("process_open_fds", "gauge"), ("process_start_time_seconds", "gauge"),
            ("jump_rebalances_total", "counter"), ("jump_assignment_wait_seconds", "gauge"),
        ] {
            #expect(consumerFamilies[name] == type, "\(name) in \(consumer)")
        }
        #expect(consumer.contains(#"jump_rebalances_total{role="notifier"}"#), "both roles from the start")
        #expect(consumer.contains("jump_events_applied_total 0"))
        #expect(consumer.contains(#"jump_errors_total{kind="store"} 0"#))
        #expect(consumer.contains(#"jump_digest_deliveries_total{sink="email",outcome="failed"} 0"#))
        #expect(consumer.contains(#"jump_event_age_seconds_bucket{le="3600.0"} 0"#), "buckets past 10 s")
        #expect(consumer.contains(#"program="jump-consumer""#))
        for (name, type) in [
            ("jump_serve_events_total", "counter"), ("jump_serve_requests_in_flight", "gauge"),
            ("jump_serve_request_duration_seconds", "histogram"), ("jump_build_info", "gauge"),
            ("process_resident_memory_bytes", "gauge"),
        ] {
            #expect(serveFamilies[name] == type, "\(name) in \(server)")
        }
        #expect(server.contains(#"jump_serve_events_total{outcome="failed"} 0"#))
        #expect(server.contains(#"program="jump-producer""#))

        // The lag appears once a partition is assigned and its watermarks known, labelled with its group.
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, pressReleasePath])
        #expect(published.status == 0, "\(published.stderr)")
        try await eventually("the lag per partition", timeout: .seconds(60)) {
            try await scrape(consumerPort).contains(#"jump_consumer_lag{group="jump-state",topic="jump.events""#)
        }

        let assignedText = try await scrape(consumerPort)
        let assigned = families(assignedText)
        #expect(assigned["jump_consumer_lag"] == "gauge")
        // The group's assignment is counted, and the wait before it measured, on /metrics and /readyz.
        #expect(assignedText.contains(#"jump_rebalances_total{role="state"} 1"#), "\(assignedText)")
        let ready = try await runCommand("curl", ["-s", "-m", "10", "http://127.0.0.1:\(consumerPort)/readyz"])
        let report = try JSONSerialization.jsonObject(with: Data(ready.stdout.utf8)) as? [String: Any]
        let state = (report?["workers"] as? [[String: Any]])?.first { $0["role"] as? String == "state" }
        #expect(state?["rebalances"] as? Int == 1, "\(ready.stdout)")
        #expect((state?["lastAssignmentWaitMs"] as? Int).map { $0 > 0 } == true, "\(ready.stdout)")

        // Every jump_ and process_ name the alert rules and the dashboard use is one of these families (requests
        // by status and token appear with the first request).
        let exported = Set(assigned.keys).union(serveFamilies.keys).union(["jump_serve_requests_total"])
        let rules = try String(
            contentsOf: packageRoot.appendingPathComponent("Deploy/prometheus/alerts.yml"), encoding: .utf8)
        let dashboard = try String(
            contentsOf: packageRoot.appendingPathComponent("Deploy/grafana/jump-relay.json"), encoding: .utf8)
        let names = try Regex(#"\b(jump|process)_[a-z_]+"#)
        for text in [rules, dashboard] {
            for match in text.matches(of: names) {
                var name = String(text[match.range])
                for suffix in ["_bucket", "_count", "_sum"] where name.hasSuffix(suffix) {
                    name.removeLast(suffix.count)
                }
                #expect(exported.contains(name), "\(name) is not exported")
            }
        }
        daemon.signal(SIGTERM)
        serve.signal(SIGTERM)
        #expect(try await daemon.exitStatus() == 0)
        #expect(try await serve.exitStatus() == 0)
    }

    @Test("promtool: the alert rules are valid and fire on their series; every dashboard query is valid PromQL")
    func rulesAndDashboard() async throws {
        let prometheus = packageRoot.appendingPathComponent("Deploy/prometheus").path
        let check = try await runCommand("promtool", ["check", "rules", "\(prometheus)/alerts.yml"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        let test = try await runCommand("promtool", ["test", "rules", "\(prometheus)/alerts-test.yml"])
        #expect(test.status == 0 && test.stdout.contains("SUCCESS"), "\(test.stdout)\(test.stderr)")

        let data = try Data(contentsOf: packageRoot.appendingPathComponent("Deploy/grafana/jump-relay.json"))
        let dashboard = try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
        let expressions = (dashboard["panels"] as? [[String: Any]] ?? []).flatMap { panel in
            (panel["targets"] as? [[String: Any]] ?? []).compactMap { $0["expr"] as? String }
        }
        #expect(expressions.count >= 10)
        // Each query as a recording rule, for promtool to parse.
        var file = "groups:\n  - name: dashboard\n    rules:\n"
        for (index, expression) in expressions.enumerated() {
            let quoted = expression.replacingOccurrences(of: "'", with: "''")
            file += "      - record: dashboard:query_\(index)\n        expr: '\(quoted)'\n"
        }
        try file.write(toFile: path("dashboard-rules.yml"), atomically: true, encoding: .utf8)
        let queries = try await runCommand("promtool", ["check", "rules", path("dashboard-rules.yml")])
        #expect(queries.status == 0, "\(queries.stdout)\(queries.stderr)")
    }
}
