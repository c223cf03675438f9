import Dispatch
import Foundation
import Testing

/// The directory of the build products (where `jump-dev-broker` and the test bundle live).
let buildProducts: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()

/// The package root, found from this source file.
let packageRoot: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// What a finished command printed and how it exited.
struct CommandResult {
    var status: Int32
    var stdout: String
    var stderr: String
}

/// Runs a command to completion, feeding `input` to its stdin; kills it after `timeout`.
///
/// Blocking reads run on Dispatch's global queue, never on the cooperative pool (two threads on a two-core
/// machine: blocking them would stall every other test).
func runCommand(
    _ executable: String, _ arguments: [String], input: String? = nil, timeout: Duration = .seconds(60)
) async throws -> CommandResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = [executable] + arguments
    let stdout = Pipe()
    let stderr = Pipe()
    let stdin = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    process.standardInput = stdin
    let exited = AsyncStream.makeStream(of: Int32.self)
    process.terminationHandler = { exited.continuation.yield($0.terminationStatus) }
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let killer = Task {
        try await Task.sleep(for: timeout)
        process.terminate()
    }
    async let outData = readToEnd(stdout.fileHandleForReading)
    async let errData = readToEnd(stderr.fileHandleForReading)
    let (out, err) = await (outData, errData)
    var status: Int32 = -1
    for await code in exited.stream {
        status = code
        break
    }
    killer.cancel()
    return CommandResult(
        status: status, stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self))
}

/// Reads a pipe to its end on Dispatch's global queue.
func readToEnd(_ handle: FileHandle) async -> Data {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(returning: handle.readDataToEndOfFile()) }
    }
}

/// A `jump-dev-broker` process, started for one test and stopped with a signal.
final class DevBrokerProcess: @unchecked Sendable {  // used by one test at a time
    let process = Process()
    let bootstrapServers: String
    private let stdout = Pipe()

    /// Starts the broker and reads its first line, `bootstrap.servers=...` (on a Dispatch queue).
    static func start(arguments: [String] = []) async throws -> DevBrokerProcess {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(with: Result { try DevBrokerProcess(arguments: arguments) })
            }
        }
    }

    private init(arguments: [String]) throws {
        process.executableURL = buildProducts.appendingPathComponent("jump-dev-broker")
        process.arguments = ["--no-discovery-file"] + arguments
        process.standardOutput = stdout
        // Not inherited: a broker left behind by a crashed test must not hold `swift test`'s output open.
        process.standardError = FileHandle.nullDevice
        try process.run()
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
    func stop(signal: Int32 = SIGTERM, timeout: Duration = .seconds(10)) async throws -> Int32 {
        kill(process.processIdentifier, signal)
        try await eventually("jump-dev-broker exits", timeout: timeout) { !process.isRunning }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { process.interrupt() }
    }
}

/// The dev broker did not print its bootstrap line.
struct DevBrokerFailed: Error { var firstLine: String }
