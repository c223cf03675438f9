import Foundation
import JumpTestSupport
import Testing

/// A state store whose rows were edited by hand into types the store never writes: every reader answers with an
/// error naming the table, the row and the column, and nothing traps, neither a command nor the daemon.
@Suite("A damaged state store")
struct DamagedStoreTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        directory = try testDirectory("damaged")
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// Runs one SQL statement on the store with Python's sqlite3 (another program, as an operator's edit would be).
    func edit(_ state: String, _ sql: String) async throws {
        let script =
            "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], timeout=30); c.execute(sys.argv[2]); c.commit()"
        let result = try await runCommand("/usr/bin/python3", ["-c", script, state, sql])
        #expect(result.status == 0, "\(result.stderr)")
    }

    /// Publishes generated events (companies, expansions and the rest).
    func publishEvents() async throws {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "60", "--seed", "7", "--invalid-ratio", "0"])
        let events = path("events.jsonl")
        try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, events])
        #expect(published.status == 0, "\(published.stderr)")
    }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, timeout: .seconds(120))
    }

    @Test(
        "a BLOB company name: the console's state page says which row is damaged and the daemon goes on; every state query exits 65 naming it, none traps"
    )
    func blobName() async throws {
        try await publishEvents()
        let state = path("state.sqlite")
        let port = freeLoopbackPort()
        let daemon = try ChildProcess(
            product("jump-consumer"),
            ["run", "-b", broker.bootstrapServers, "--state", state, "--http", "127.0.0.1:\(port)"]
                + quickGroupArguments)
        try await eventually("the press release is applied", timeout: .seconds(90)) {
            await eventsApplied(state: state) > 0
        }
        try await edit(
            state, "UPDATE companies SET name = X'00FF10' WHERE company_id = (SELECT MIN(company_id) FROM companies)")
        let page = try await runCommand(
            "curl", ["-s", "-m", "20", "-w", "\n%{http_code}", "http://127.0.0.1:\(port)/console/state"])
        #expect(page.stdout.hasSuffix("\n503"), "\(page.stdout.suffix(200))")
        #expect(page.stdout.contains("damaged: table companies"), "\(page.stdout)")
        #expect(page.stdout.contains("column name holds a BLOB of 3 bytes"), "\(page.stdout)")
        let health = try await runCommand("curl", ["-s", "-m", "20", "http://127.0.0.1:\(port)/healthz"])
        #expect(health.status == 0 && health.stdout.contains("ok"), "the daemon goes on: \(health.stdout)")
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output)")
        #expect(!daemon.output.contains("Fatal error"))

        for arguments in [["summary"], ["fingerprint"]] {
            // Neither reads a company's name: they answer as before.
            let result = try await consumer(["state"] + arguments + ["--state", state])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        for arguments in [["companies"], ["companies", "--json"]] {
            let result = try await consumer(["state"] + arguments + ["--state", state])
            #expect(result.status == 65, "\(arguments): \(result.status) \(result.stderr)")
            #expect(
                result.stderr.contains("damaged: table companies") && result.stderr.contains("column name"),
                "\(arguments): \(result.stderr)")
            #expect(!result.stderr.contains("Fatal error"))
        }
        let companyID = try await runCommand(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT MIN(company_id) FROM companies').fetchone()[0])",
                state,
            ])
        let company = try await consumer(
            ["state", "company", companyID.stdout.trimmingCharacters(in: .whitespacesAndNewlines), "--state", state])
        #expect(company.status == 65 && company.stderr.contains("table companies"), "\(company.stderr)")
        #expect(try await broker.stop() == 0)
    }

    @Test(
        "an anomaly offset 'abc' and a next offset 'x': state anomalies names the row; the worker refuses to go on naming the damaged value, not a fence"
    )
    func textOffsets() async throws {
        try await publishEvents()
        let state = path("state.sqlite")
        let run = ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"]
        let first = try await consumer(run + quickGroupArguments)
        #expect(first.status == 0, "\(first.stderr)")
        try await edit(
            state,
            #"INSERT INTO anomalies (partition, "offset", event_id, kind, detail) VALUES (0, 'abc', 'e-1', 'hand-made', 'x')"#
        )
        let anomalies = try await consumer(["state", "anomalies", "--state", state])
        #expect(anomalies.status == 65, "\(anomalies.stderr)")
        #expect(
            anomalies.stderr.contains(
                #"table anomalies, the row whose partition is the integer 0, column offset holds the text "abc""#),
            "\(anomalies.stderr)")
        try await edit(state, "UPDATE partition_offsets SET next_offset = 'x' WHERE partition = 0")
        let second = try await consumer(run + quickGroupArguments)
        #expect(second.status == 1, "a fatal error: \(second.stderr)")
        #expect(
            second.stderr.contains(
                "damaged: table partition_offsets, the row of jump.events[0], column next_offset holds the text"),
            "\(second.stderr)")
        for arguments in [["summary"], ["fingerprint"]] {
            let result = try await consumer(["state"] + arguments + ["--state", state])
            #expect(result.status == 65, "\(arguments): \(result.stderr)")
            #expect(
                result.stderr.contains(#"table partition_offsets, the row whose"#)
                    && result.stderr.contains(#"column next_offset holds the text "x" where an integer was expected"#),
                "\(arguments): \(result.stderr)")
        }
        #expect(!second.stderr.contains("fenced") && !second.stderr.contains("Fatal error"), "\(second.stderr)")
        #expect(try await broker.stop() == 0)
    }
}
