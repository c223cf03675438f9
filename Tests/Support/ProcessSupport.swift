import Dispatch
import Foundation
import Testing

/// A unique topic name for one test.
public func uniqueTopic(_ prefix: String = "test") -> String {
    "\(prefix).\(UInt64.random(in: 0...UInt64.max))"
}

/// Waits until `condition` holds, checking every 20 ms; fails the test after `timeout`.
public func eventually(
    _ what: String, timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation,
    _ condition: () async throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while try await !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("timed out after \(timeout) waiting for: \(what)", sourceLocation: sourceLocation)
            throw TimedOut(what: what)
        }
        try await Task.sleep(for: .milliseconds(20))
    }
}

/// A wait in a test ran out of time.
public struct TimedOut: Error {
    /// What was awaited.
    public var what: String
}

/// The directory of the build products (where `jump-dev-broker` and the test bundle live).
public let buildProducts: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent()

/// The package root, found from this source file.
public let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// The path of a built executable product.
public func product(_ name: String) -> String { buildProducts.appendingPathComponent(name).path }

/// How many events the store at `state` has applied, as `jump-consumer state summary --json` reports it; 0 while
/// it cannot say (no file yet, or a starting worker has created it but not yet migrated it). A poll, not a check:
/// it records no failure.
public func eventsApplied(state: String) async -> Int {
    guard FileManager.default.fileExists(atPath: state),
        let result = try? await runCommand(product("jump-consumer"), ["state", "summary", "--json", "--state", state]),
        result.status == 0,
        let summary = try? JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
    else { return 0 }
    return summary["eventsApplied"] as? Int ?? 0
}

/// Starts a process, one launch at a time: Foundation's `Process.run()` on Linux crashed here (a bad pointer in
/// its argument and environment copying) when several tests launched processes at the same moment.
public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}

let launchLock = NSLock()

/// What a finished command printed and how it exited.
public struct CommandResult: Sendable {
    /// The exit status.
    public var status: Int32
    /// Everything it wrote to standard output.
    public var stdout: String
    /// Everything it wrote to standard error.
    public var stderr: String
    /// The lines of standard error.
    public var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

/// Runs a command to completion, feeding `input` to its stdin; kills it after `timeout`.
///
/// The command is started with `posix_spawn` (see ``SpawnedCommand``), found on `PATH`; blocking reads and the
/// wait run on Dispatch's global queue, never on the cooperative pool (two threads on a two-core machine: blocking
/// them would stall every other test).
public func runCommand(
    _ executable: String, _ arguments: [String], input: String? = nil, environment: [String: String]? = nil,
    timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    _ = ignoreBrokenPipes
    let command = try SpawnedCommand.start(
        [executable] + arguments, environment: environment ?? ProcessInfo.processInfo.environment)
    let stdin = command.stdin
    DispatchQueue.global().async {
        if let input {
            let bytes = Array(input.utf8)
            var offset = 0
            while offset < bytes.count {
                let written = bytes[offset...].withUnsafeBytes { write(stdin, $0.baseAddress, $0.count) }
                if written < 0 && errno == EINTR { continue }
                if written <= 0 { break }
                offset += written
            }
        }
        close(stdin)
    }
    let killer = Task {
        try await Task.sleep(for: timeout)
        kill(command.pid, SIGTERM)
    }
    async let outData = SpawnedCommand.readAll(command.stdout)
    async let errData = SpawnedCommand.readAll(command.stderr)
    let (out, err) = await (outData, errData)
    let status = await command.wait()
    killer.cancel()
    return CommandResult(
        status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// A child that exits before reading all its input must not kill the tests with SIGPIPE: writes fail instead.
private let ignoreBrokenPipes: Void = { signal(SIGPIPE, SIG_IGN) }()

/// Reads a pipe to its end on Dispatch's global queue.
public func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}

/// A `jump-dev-broker` process, started for one test and stopped with a signal.
public final class DevBrokerProcess: @unchecked Sendable {  // used by one test at a time
    let process = Process()
    /// The broker's bootstrap list.
    public let bootstrapServers: String
    private let stdout = Pipe()

    /// Starts the broker and reads its first line, `bootstrap.servers=...` (on a Dispatch queue).
    /// `discoverable` keeps the discovery file (which must then be named with `--discovery-file`).
    public static func start(arguments: [String] = [], discoverable: Bool = false) async throws -> DevBrokerProcess {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try DevBrokerProcess(arguments: arguments, discoverable: discoverable) })
            }
        }
    }

    private init(arguments: [String], discoverable: Bool) throws {
        process.executableURL = buildProducts.appendingPathComponent("jump-dev-broker")
        process.arguments = (discoverable ? [] : ["--no-discovery-file"]) + arguments
        process.standardOutput = stdout
        // Not inherited: a broker left behind by a crashed test must not hold `swift test`'s output open.
        process.standardError = FileHandle.nullDevice
        try launch(process)
        var line = Data()
        while true {
            let byte = stdout.fileHandleForReading.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        let text = String(decoding: line, as: UTF8.self)
        guard text.hasPrefix("bootstrap.servers=") else {
            process.terminate()
            throw DevBrokerFailed(firstLine: text)
        }
        bootstrapServers = String(text.dropFirst("bootstrap.servers=".count))
    }

    /// Sends `signal` and returns the exit status, waiting at most `timeout`.
    public func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        try await eventually("jump-dev-broker exits", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    /// Sends `signal` (SIGSTOP freezes it, SIGCONT thaws it).
    public func signal(_ signal: Int32) { kill(process.processIdentifier, signal) }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            process.interrupt()
        }
    }
}

/// The dev broker did not print its bootstrap line.
public struct DevBrokerFailed: Error {
    /// What it printed instead of its bootstrap line.
    public var firstLine: String
}

/// A long-running child process (a worker), its output kept in a file, stopped with signals.
public final class ChildProcess: @unchecked Sendable {  // used by one test at a time
    /// The process.
    public let process = Process()
    /// Where its standard output and error go.
    public let logFile: URL

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws {
        logFile = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("child") + ".log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let handle = try FileHandle(forWritingTo: logFile)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        process.standardOutput = handle
        process.standardError = handle
        try launch(process)
    }

    /// Sends a signal.
    public func signal(_ number: Int32) { kill(process.processIdentifier, number) }

    /// Waits for the process to exit and returns its status.
    public func exitStatus(timeout: Duration = .seconds(60)) async throws -> Int32 {
        try await eventually("\(process.executableURL?.lastPathComponent ?? "process") exits", timeout: timeout) {
            !process.isRunning
        }
        return process.terminationStatus
    }

    /// What it printed so far.
    public var output: String { (try? String(contentsOf: logFile, encoding: .utf8)) ?? "" }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: logFile)
    }
}

/// One JSON object per line of `text` (kcat -J, JSON Lines output of a child process).
public func jsonObjects(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
}

/// A new directory under the temporary directory for one test's files.
public func testDirectory(_ prefix: String) throws -> URL {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic(prefix))
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    return directory
}

/// Consumer settings for tests: quick sessions, so that a killed member's partitions move within seconds.
public let quickGroupArguments = ["-X", "session.timeout.ms=3000", "-X", "heartbeat.interval.ms=500"]

/// The press release's event stream.
public let pressReleasePath = packageRoot.appendingPathComponent("Schemas/examples/press-release.jsonl").path

/// A free TCP port on loopback.
public func freeLoopbackPort() -> Int {
    let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    _ = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    _ = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
    }
    return Int(UInt16(bigEndian: address.sin_port))
}
