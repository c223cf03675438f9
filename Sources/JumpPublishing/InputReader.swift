import Dispatch
import Foundation
import JumpCommandLine

/// `open(2)`, `read(2)` and `close(2)` under names the reader's own `open()` and `read(_:)` do not shadow
/// (Foundation brings the C calls on Linux and macOS).
private func openDescriptor(_ path: String, _ flags: Int32) -> Int32 { open(path, flags) }
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(descriptor, buffer, count)
}
private func closeDescriptor(_ descriptor: Int32) -> Int32 { close(descriptor) }

/// Why an input cannot be read: one line naming it.
public struct InputError: Error, CustomStringConvertible, Sendable {
    /// The input (`-` for standard input).
    public var path: String
    /// What is wrong.
    public var reason: String

    /// A problem reading `path`.
    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    /// `PATH: cannot read: REASON`.
    public var description: String {
        "\(path == "-" ? "standard input" : path): cannot read: \(reason)"
    }
}

/// Reads an input as a stream of chunks with POSIX calls (never Foundation's trapping `FileHandle` reads):
/// regular files, standard input (`-`), FIFOs, process substitution `<(...)`, `/dev/stdin` and character
/// devices alike. Each blocking read runs on a Dispatch queue, never on Swift's cooperative pool.
public struct InputReader: Sendable {
    /// The input: a path, or `-` for standard input.
    public var path: String
    /// The most bytes one read returns.
    public var chunkSize = 1 << 20

    /// A reader of `path`.
    public init(path: String) { self.path = path }

    private static let queue = DispatchQueue(label: "jump-producer.input")

    /// Calls `body` with each chunk until the end of the input.
    ///
    /// - Throws: ``InputError`` (missing, unreadable, a directory, a closed standard input), or what `body` throws.
    public func read(_ body: (UnsafeRawBufferPointer) async throws -> Void) async throws {
        let descriptor = try open()
        defer { if path != "-" { _ = closeDescriptor(descriptor) } }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { buffer.deallocate() }
        nonisolated(unsafe) let shared = buffer
        while true {
            let count: Int = await withCheckedContinuation { continuation in
                Self.queue.async {
                    var result: Int
                    repeat {
                        result = readDescriptor(descriptor, shared.baseAddress, shared.count)
                    } while result < 0 && errno == EINTR
                    continuation.resume(returning: result < 0 ? -Int(errno) : result)
                }
            }
            if count == 0 { return }
            if count < 0 {
                throw InputError(path: path, reason: Self.explain(Int32(-count), standardInput: path == "-"))
            }
            try await body(UnsafeRawBufferPointer(rebasing: buffer[..<count]))
        }
    }

    /// The input's first bytes, at most `limit + 1` of them: reading stops there, so an endless or huge input
    /// (`/dev/zero`) costs no more than the limit. More than `limit` bytes returned means the input is larger.
    package func prefix(upTo limit: Int) async throws -> [UInt8] {
        var reader = self
        reader.chunkSize = min(chunkSize, limit + 1)
        var bytes: [UInt8] = []
        do {
            try await reader.read { chunk in
                bytes.append(contentsOf: chunk.prefix(limit + 1 - bytes.count))
                if bytes.count > limit { throw PrefixFull() }
            }
        } catch is PrefixFull {}
        return bytes
    }

    private struct PrefixFull: Error {}

    private func open() throws(InputError) -> Int32 {
        if path == "-" {
            guard !CommandMain.standardInputWasClosed, fcntl(0, F_GETFD) >= 0 else {
                throw InputError(path: path, reason: "standard input is closed; give a file, or - with input")
            }
            return 0
        }
        let descriptor = openDescriptor(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw InputError(path: path, reason: Self.explain(errno, standardInput: false)) }
        var status = stat()
        if fstat(descriptor, &status) == 0, status.st_mode & S_IFMT == S_IFDIR {
            _ = closeDescriptor(descriptor)
            throw InputError(path: path, reason: "it is a directory")
        }
        return descriptor
    }

    private static func explain(_ code: Int32, standardInput: Bool) -> String {
        switch code {
        case ENOENT: "no such file"
        case EACCES: "permission denied"
        case EISDIR: standardInput ? "standard input is a directory" : "it is a directory"
        case EBADF: standardInput ? "standard input is closed" : "not open for reading"
        default: String(cString: strerror(code))
        }
    }
}
