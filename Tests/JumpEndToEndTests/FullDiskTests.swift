import Foundation
import JumpTestSupport
import Testing

/// The state store on a small tmpfs that fills while events are folded: the worker says so, a batch job gives up
/// with exit 75, a daemon keeps retrying, stops at once on SIGTERM, and goes on with nothing lost once there is
/// room again.
@Suite("A full disk under the state store", .enabled(if: getuid() == 0, "mounts a tmpfs: needs root"))
struct FullDiskTests {
    let broker: DevBrokerProcess
    let directory: URL

    init() async throws {
        broker = try await DevBrokerProcess.start(arguments: ["--broker-count", "1", "--partitions", "3"])
        directory = try testDirectory("full-disk")
    }

    func consumer(_ arguments: [String]) async throws -> CommandResult {
        try await runCommand(product("jump-consumer"), arguments, timeout: .seconds(120))
    }

    func fingerprint(_ state: String) async throws -> String {
        let result = try await consumer(["state", "fingerprint", "--state", state])
        #expect(result.status == 0, "\(result.stderr)")
        return result.stdout
    }

    @Test(
        "full mid-stream: --until-idle exits 75 naming the disk, a daemon says so on /readyz and in its log, SIGTERM stops it at once, and with room again it catches up to a clean run's fingerprint"
    )
    func fullMidStream() async throws {
        let generated = try await runCommand(
            product("jump-producer"), ["generate", "--count", "3000", "--seed", "4", "--invalid-ratio", "0"])
        let events = directory.appendingPathComponent("events.jsonl").path
        try generated.stdout.write(toFile: events, atomically: true, encoding: .utf8)
        let published = try await runCommand(
            product("jump-producer"), ["publish", "-b", broker.bootstrapServers, events])
        #expect(published.status == 0, "\(published.stderr)")
        let clean = directory.appendingPathComponent("clean.sqlite").path
        let cleanRun = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", clean, "--until-idle", "--role", "state"]
                + ["--group", "clean", "--http", "off"] + quickGroupArguments)
        #expect(cleanRun.status == 0, "\(cleanRun.stderr)")

        let disk = directory.appendingPathComponent("disk").path
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try await runCommand("mount", ["-t", "tmpfs", "-o", "size=6m", "tmpfs", disk])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        do {
            try await checks(disk: disk, clean: clean)
        } catch {
            _ = try? await runCommand("umount", ["-l", disk])
            throw error
        }
        _ = try await runCommand("umount", ["-l", disk])
        #expect(try await broker.stop() == 0)
    }

    private func checks(disk: String, clean: String) async throws {
        let state = disk + "/state.sqlite"
        let batch = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--wait-timeout", "5"]
                + ["--http", "off"] + quickGroupArguments)
        #expect(batch.status == 75, "\(batch.stderr.suffix(2_000))")
        #expect(
            batch.stderr.contains("the disk holding the state store is full (\(disk))"), "\(batch.stderr.suffix(2_000))"
        )
        #expect(batch.stderr.contains("gave up after retrying for 5"), "\(batch.stderr.suffix(2_000))")

        let port = freeLoopbackPort()
        let arguments =
            ["run", "-b", broker.bootstrapServers, "--state", state, "--http", "127.0.0.1:\(port)"]
            + quickGroupArguments
        let daemon = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("/readyz names the full disk", timeout: .seconds(60)) {
            let ready = try await runCommand("curl", ["-s", "-m", "10", "http://127.0.0.1:\(port)/readyz"])
            return ready.stdout.contains("the disk holding the state store is full")
        }
        #expect(daemon.output.contains("the disk holding the state store is full (\(disk))"))
        let stopAsked = ContinuousClock.now
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output.suffix(2_000))")
        #expect(ContinuousClock.now - stopAsked < .seconds(10), "stopped at once")
        #expect(!daemon.output.contains("fatal error"), "\(daemon.output.suffix(2_000))")

        let resumed = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("the daemon retries on the full disk", timeout: .seconds(60)) {
            resumed.output.contains("the disk holding the state store is full")
        }
        let grown = try await runCommand("mount", ["-o", "remount,size=256m", disk])
        #expect(grown.status == 0, "\(grown.stderr)")
        try await eventually("every event applied once there is room", timeout: .seconds(90)) {
            await eventsApplied(state: state) == 3000
        }
        resumed.signal(SIGTERM)
        #expect(try await resumed.exitStatus(timeout: .seconds(25)) == 0, "\(resumed.output.suffix(2_000))")
        #expect(try await fingerprint(state) == (try await fingerprint(clean)), "nothing lost, nothing twice")
    }

    @Test(
        "a disk too full even to open the store: a daemon waits saying so, SIGTERM ends the wait with 0, it starts once there is room; --until-idle gives up with 75"
    )
    func fullBeforeOpening() async throws {
        let disk = directory.appendingPathComponent("small").path
        try FileManager.default.createDirectory(atPath: disk, withIntermediateDirectories: true)
        let mounted = try await runCommand("mount", ["-t", "tmpfs", "-o", "size=2m", "tmpfs", disk])
        try #require(mounted.status == 0, "\(mounted.stderr)")
        do {
            try await checksBeforeOpening(disk: disk)
        } catch {
            _ = try? await runCommand("umount", ["-l", disk])
            throw error
        }
        _ = try await runCommand("umount", ["-l", disk])
    }

    private func checksBeforeOpening(disk: String) async throws {
        let state = disk + "/state.sqlite"
        let first = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--http", "off"]
                + quickGroupArguments)
        #expect(first.status == 0, "\(first.stderr)")
        // A filler takes every byte left: opening a store writes a little to start each file's write-ahead log.
        _ = try await runCommand("dd", ["if=/dev/zero", "of=\(disk)/filler", "bs=4k"])
        let saying = "opening the state store failed: the disk holding it is full (\(disk))"

        let batch = try await consumer(
            ["run", "-b", broker.bootstrapServers, "--state", state, "--until-idle", "--wait-timeout", "2"]
                + ["--http", "off"] + quickGroupArguments)
        #expect(batch.status == 75 && batch.stderr.contains(saying), "\(batch.stderr.suffix(2_000))")
        #expect(batch.stderr.contains("gave up after retrying"), "\(batch.stderr.suffix(2_000))")

        let port = freeLoopbackPort()
        let arguments =
            ["run", "-b", broker.bootstrapServers, "--state", state, "--http", "127.0.0.1:\(port)"]
            + quickGroupArguments
        let waiting = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("the daemon says the disk is full", timeout: .seconds(30)) {
            waiting.output.contains(saying)
        }
        waiting.signal(SIGTERM)
        #expect(try await waiting.exitStatus(timeout: .seconds(10)) == 0, "\(waiting.output.suffix(2_000))")

        let daemon = try ChildProcess(product("jump-consumer"), arguments)
        try await eventually("the daemon says the disk is full", timeout: .seconds(30)) {
            daemon.output.contains(saying)
        }
        try FileManager.default.removeItem(atPath: disk + "/filler")
        try await eventually("the daemon starts and answers once there is room", timeout: .seconds(60)) {
            let health = try await runCommand("curl", ["-s", "-m", "5", "http://127.0.0.1:\(port)/healthz"])
            return health.status == 0 && !health.stdout.isEmpty
        }
        daemon.signal(SIGTERM)
        #expect(try await daemon.exitStatus(timeout: .seconds(25)) == 0, "\(daemon.output.suffix(2_000))")
    }
}
