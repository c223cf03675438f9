import Foundation
import JumpCommandLine
import JumpPublishing

/// One input of `jump-producer publish`: its name as reported, and how to read it.
struct EventInput {
    /// The name in reports (`FILE:LINE`).
    var name: String
    /// The reader.
    var reader: InputReader

    /// The input named on the command line (`-` is standard input).
    init(path: String) {
        name = path
        reader = InputReader(path: path)
    }

    /// For an input that cannot be read twice (standard input, a FIFO, a device), a spool file that the first
    /// read copies it into; `nil` for a regular file.
    func spoolIfStream() throws -> Spool? {
        var status = stat()
        let isRegular =
            reader.path != "-" && stat(reader.path, &status) == 0 && status.st_mode & S_IFMT == S_IFREG
        return isRegular ? nil : try Spool()
    }
}

/// A temporary file holding a stream read once, removed when the process no longer needs it.
final class Spool: @unchecked Sendable {  // written by one read loop, then only read
    let path: String
    private let descriptor: Int32

    init() throws {
        var template = Array((NSTemporaryDirectory() + "/jump-producer-spool-XXXXXX").utf8CString)
        descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else { throw InputError(path: "-", reason: "cannot create a spool file for --strict") }
        path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        unlink(path)  // gone with the process; read back through /proc/self/fd
    }

    func write(_ chunk: UnsafeRawBufferPointer) { StandardStream.write(chunk, to: descriptor) }

    /// An input that reads the spooled bytes again under the original name.
    func replayable(name: String) -> EventInput {
        var input = EventInput(path: "/proc/self/fd/\(descriptor)")
        input.name = name
        return input
    }
}
