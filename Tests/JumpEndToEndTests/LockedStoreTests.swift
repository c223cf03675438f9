import Foundation
import JumpTestSupport
import Testing

/// A write lock another connection holds on the store (an operator's `sqlite3`, a backup tool, a long checkpoint)
/// stalls the store's writers, never the process: its reads and writes wait off the concurrency pool, so HTTP keeps
/// answering, and a digest window that ended meanwhile closes as soon as the lock is released.
@Suite("A store locked by another connection")
struct LockedStoreTests {
    @Test(
        "another connection holds the write lock 30 s across a window's end: /healthz, /metrics and the console answer within 5 s throughout, and the window's digest is in digests.log within 20 s of the release",
        .timeLimit(.minutes(5)))
    func lockedAcrossAWindow() async throws {
        let broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        let directory = try testDirectory("locked-store")
        func path(_ name: String) -> String { directory.appendingPathComponent(name).path }
        // The documented configuration without e-mail, both audiences every minute.
        let example = try Data(contentsOf: packageRoot.appendingPathComponent("Deploy/digests.example.json"))
        var root = try #require(try JSONSerialization.jsonObject(with: example) as? [String: Any])
        root["email"] = nil
        root["audiences"] = (root["audiences"] as? [[String: Any]] ?? []).map { audience in
            var audience = audience
            audience["schedule"] = ["everyMinutes": 1]
            return audience
        }
        try JSONSerialization.data(withJSONObject: root).write(to: URL(fileURLWithPath: path("digests.json")))
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, pressReleasePath])
        #expect(published.status == 0, "\(published.stderr)")

        let port = ServiceEndToEndTests.freePort()
        let state = path("state.sqlite")
        // Started early in a minute, the daemon has the items of its first window well before the lock begins
        // (at :40 of that minute), so that window ends while the lock is held.
        func second() -> Int { Calendar(identifier: .gregorian).component(.second, from: Date()) }
        while second() >= 15 { try await Task.sleep(for: .milliseconds(500)) }
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--http", "127.0.0.1:\(port)",
                "--digest-config", path("digests.json"), "--digest-dir", directory.path,
            ] + quickGroupArguments)
        defer { daemon.signal(SIGTERM) }
        func answers(_ route: String) async throws -> Bool {
            let result = try await runCommand(
                "curl", ["-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code}", "http://127.0.0.1:\(port)\(route)"])
            return result.stdout == "200"
        }
        // Every item received: the notifier holds the press release's items for both audiences.
        try await eventually("the items are in the notifier's buffer", timeout: .seconds(120)) {
            let listed = try await runCommand(
                product("jump-consumer"), ["digest", "preview", "--audience", "consulate", "--state", state])
            return listed.stdout.contains("Alicia Bárcena")
        }
        while second() < 40 { try await Task.sleep(for: .milliseconds(500)) }
        let logBefore = (try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? ""
        #expect(!logBefore.contains(" consulate "), "the window closed before the lock: the items came late")
        let holder = try ChildProcess(
            "/usr/bin/python3",
            [
                "-c",
                """
                import sqlite3, sys, time
                connection = sqlite3.connect(sys.argv[1], isolation_level=None)
                connection.execute("BEGIN IMMEDIATE")
                print("locked", flush=True)
                time.sleep(30)
                print("releasing", flush=True)
                time.sleep(2)
                connection.rollback()
                print("released", flush=True)
                """, state,
            ])
        try await eventually("the other connection holds the lock", timeout: .seconds(10)) {
            holder.output.contains("locked")
        }
        let lockedAt = ContinuousClock.now
        var rounds = 0
        while !holder.output.contains("releasing") {
            for route in ["/healthz", "/metrics", "/console"] {
                let asked = ContinuousClock.now
                #expect(try await answers(route), "\(route) did not answer while the store was locked")
                #expect(ContinuousClock.now - asked < .seconds(5), "\(route) took \(ContinuousClock.now - asked)")
            }
            // Read before the holder says it is about to release (it waits 2 s more): the lock is still held.
            let log = (try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? ""
            if !holder.output.contains("releasing") {
                #expect(log == logBefore, "a digest was recorded while the store was locked")
                rounds += 1
            }
            try await Task.sleep(for: .seconds(1))
        }
        try await eventually("the lock is released", timeout: .seconds(10)) { holder.output.contains("released") }
        #expect(ContinuousClock.now - lockedAt >= .seconds(25), "the lock was held \(ContinuousClock.now - lockedAt)")
        #expect(rounds >= 5, "only \(rounds) rounds of requests while locked")
        try await eventually("the window's digest reaches digests.log", timeout: .seconds(20)) {
            ((try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? "").contains(" consulate ")
        }
        _ = try await holder.exitStatus()
    }
}
