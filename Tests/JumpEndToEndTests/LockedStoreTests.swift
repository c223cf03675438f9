import Foundation
import JumpTestSupport
import Testing

/// A write lock another connection holds on the store (an operator's `sqlite3`, a backup tool, a long checkpoint)
/// stalls the store's writers, never the process: its reads and writes wait off the concurrency pool, so HTTP keeps
/// answering, and a digest window that ended meanwhile closes as soon as the lock is released. The lock is on the
/// notifier's file, where digests are recorded.
@Suite("A store locked by another connection")
struct LockedStoreTests {
    @Test(
        "another connection holds the write lock across a window's end: /healthz, /metrics and the console answer within 5 s throughout, and the window's digest is in digests.log within 20 s of the release",
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

        let port = freeLoopbackPort()
        let state = path("state.sqlite")
        let daemon = try ChildProcess(
            product("jump-consumer"),
            [
                "run", "-b", broker.bootstrapServers, "--state", state, "--http", "127.0.0.1:\(port)",
                "--digest-config", path("digests.json"), "--digest-dir", directory.path,
            ] + quickGroupArguments)
        defer { daemon.signal(SIGTERM) }
        /// The status and the seconds curl (an independent client) measured, from connecting to the last byte.
        func answers(_ route: String) async throws -> (status: String, seconds: Double) {
            let result = try await runCommand(
                "curl",
                [
                    "-s", "-o", "/dev/null", "-m", "5", "-w", "%{http_code} %{time_total}",
                    "http://127.0.0.1:\(port)\(route)",
                ])
            let fields = result.stdout.split(separator: " ")
            return (fields.first.map(String.init) ?? "", fields.last.flatMap { Double($0) } ?? .infinity)
        }
        /// Whether an item naming `marker` waits in the consulate's open window (not yet in a digest).
        func itemsOpen(_ marker: String) async throws -> Bool {
            let listed = try await runCommand(
                product("jump-consumer"), ["digest", "preview", "--audience", "consulate", "--state", state])
            return listed.stdout.contains(marker)
        }
        /// Another connection takes the store's write lock and holds it until it gets SIGUSR1 (blocked before the
        /// lock is taken, so a signal sent as soon as it says "locked" waits for `sigwait`, never lost).
        func lock() async throws -> ChildProcess {
            let holder = try ChildProcess(
                "/usr/bin/python3",
                [
                    "-c",
                    """
                    import signal, sqlite3, sys
                    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGUSR1})
                    connection = sqlite3.connect(sys.argv[1], isolation_level=None)
                    connection.execute("BEGIN IMMEDIATE")
                    print("locked", flush=True)
                    signal.sigwait({signal.SIGUSR1})
                    connection.rollback()
                    print("released", flush=True)
                    """, path("state.notifier.sqlite"),
                ])
            try await eventually("the other connection holds the lock", timeout: .seconds(30)) {
                holder.output.contains("locked")
            }
            return holder
        }
        // The lock must be taken while the items' window is still open, so that the window ends under it. On a
        // loaded machine the minute may end between the items' arrival and the lock: then the lock is let go, the
        // window's digest goes out, and the test tries again with an event of its own in the next window.
        var marker = "Alicia Bárcena"
        var holder: ChildProcess?
        for attempt in 1...4 {
            if attempt > 1 {
                let initiative = try String(
                    contentsOf: packageRoot.appendingPathComponent("Schemas/examples/valid/initiative-announced.json"),
                    encoding: .utf8
                )
                .replacingOccurrences(of: "ex-0011", with: "lock-attempt-\(attempt)")
                .replacingOccurrences(of: "initiative.jump", with: "initiative.lock-\(attempt)")
                .replacingOccurrences(of: "Joint Utah–Mexico Partnership (JUMP)", with: "Lock test \(attempt)")
                let file = path("initiative-\(attempt).json")
                try initiative.write(toFile: file, atomically: true, encoding: .utf8)
                let sent = try await runCommand(
                    product("jump-producer"), ["publish", "-b", broker.bootstrapServers, file])
                #expect(sent.status == 0, "\(sent.stderr)")
                marker = "Lock test \(attempt)"
            }
            try await eventually("the items are in the notifier's buffer", timeout: .seconds(120)) {
                try await itemsOpen(marker)
            }
            let taken = try await lock()
            // Under the lock (a read needs no write lock): is the window holding the items still open?
            if try await itemsOpen(marker) {
                holder = taken
                break
            }
            taken.signal(SIGUSR1)
            _ = try await taken.exitStatus()
        }
        let locked = try #require(holder, "four windows closed before the lock could be taken")
        let logBefore = (try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? ""
        let windowEnd = (Date().timeIntervalSince1970 / 60).rounded(.down) * 60 + 60
        var rounds = 0
        while Date().timeIntervalSince1970 < windowEnd + 3 || rounds < 5 {
            for route in ["/healthz", "/metrics", "/console"] {
                // curl's own time, not the time to start a process on a loaded machine.
                let answer = try await answers(route)
                #expect(answer.status == "200", "\(route) did not answer while the store was locked")
                #expect(answer.seconds < 5, "\(route) took \(answer.seconds) s")
            }
            // The holder has not been signalled yet: the lock is held.
            let log = (try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? ""
            #expect(log == logBefore, "a digest was recorded while the store was locked")
            rounds += 1
        }
        locked.signal(SIGUSR1)
        try await eventually("the lock is released", timeout: .seconds(10)) { locked.output.contains("released") }
        try await eventually("the window's digest reaches digests.log", timeout: .seconds(20)) {
            ((try? String(contentsOfFile: path("digests.log"), encoding: .utf8)) ?? "").contains(" consulate ")
        }
        _ = try await locked.exitStatus()
    }
}
