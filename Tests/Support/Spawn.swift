import Dispatch
import Foundation

/// A child started with `posix_spawn` directly. Foundation's `Process` crashed in `run()` (a bad pointer while
/// copying its arguments) when children started by other `Process` objects exited at the same moment, which a
/// test that polls a command every few milliseconds made likely; commands run here never touch it.
struct SpawnedCommand {
    let pid: pid_t
    let stdin: Int32
    let stdout: Int32
    let stderr: Int32

    /// Starts `arguments[0]`, found on `PATH`, with pipes for its three standard streams. Runs under the lock
    /// `launch(_:)` takes, so no `Process` starts between making the pipes and marking them close-on-exec (a
    /// child that inherited a pipe would hold it open).
    static func start(_ arguments: [String], environment: [String: String]) throws -> SpawnedCommand {
        try launchLock.withLock { try unlockedStart(arguments, environment: environment) }
    }

    private static func unlockedStart(_ arguments: [String], environment: [String: String]) throws -> SpawnedCommand {
        var input: [Int32] = [0, 0]
        var output: [Int32] = [0, 0]
        var errors: [Int32] = [0, 0]
        guard pipe(&input) == 0, pipe(&output) == 0, pipe(&errors) == 0 else {
            throw SpawnError(message: "pipe: \(String(cString: strerror(errno)))")
        }
        for descriptor in input + output + errors { _ = fcntl(descriptor, F_SETFD, FD_CLOEXEC) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_adddup2(&actions, input[0], 0)
        posix_spawn_file_actions_adddup2(&actions, output[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errors[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with default signal handling, whatever this process ignores or blocks.
        var none = sigset_t()
        sigemptyset(&none)
        var all = sigset_t()
        sigfillset(&all)
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &all)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        close(input[0])
        close(output[1])
        close(errors[1])
        guard status == 0 else {
            close(input[1])
            close(output[0])
            close(errors[0])
            throw SpawnError(message: "cannot start \(arguments[0]): \(String(cString: strerror(status)))")
        }
        return SpawnedCommand(pid: pid, stdin: input[1], stdout: output[0], stderr: errors[0])
    }

    /// Reads a descriptor to its end on a Dispatch thread, then closes it.
    static func readAll(_ descriptor: Int32) async -> Data {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                var buffer = [UInt8](repeating: 0, count: 65_536)
                while true {
                    let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
                    if count < 0 && errno == EINTR { continue }
                    if count <= 0 { break }
                    data.append(contentsOf: buffer[..<count])
                }
                close(descriptor)
                continuation.resume(returning: data)
            }
        }
    }

    /// Waits for the child on a Dispatch thread; returns its exit status (128 + the signal if one killed it).
    func wait() async -> Int32 {
        let pid = pid
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                var status: Int32 = 0
                while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
                let signal = status & 0x7F
                continuation.resume(returning: signal == 0 ? (status >> 8) & 0xFF : 128 + signal)
            }
        }
    }
}

/// A child could not be started.
struct SpawnError: Error {
    var message: String
}
