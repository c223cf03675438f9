import Foundation
import JumpState

/// A sink that appends each digest to a file as one write: the digest log (`digests.log`, human text for
/// `tail -f`) or the JSON-lines file (`digests.jsonl`). It shows each digest exactly once: before appending it
/// records the file's size in the store, and after a crash it looks there for the digest before writing again.
/// The file is opened for every digest, so a rotated log (renamed, then SIGHUP) continues in a new file.
package struct AppendOnlyFileSink: DigestSink {
    /// `log` or `jsonl`.
    package let name: String
    /// The file.
    package let path: String
    /// `path`.
    package var destination: String? { path }
    private let block: @Sendable (Digest, Int64) -> String
    private let marker: @Sendable (Digest) -> String

    /// The digest log in `directory`: each digest is a block starting with one header line
    /// `=== TIME AUDIENCE WINDOW-START/WINDOW-END digest ID (N items) ===`, then its text in every language.
    package static func log(directory: String) -> AppendOnlyFileSink {
        AppendOnlyFileSink(
            name: "log", path: StorePath.file("digests.log", in: directory),
            block: { digest, now in
                "=== \(Timestamp.utc(now)) \(digest.audience) \(digest.window.start)/\(digest.window.end) "
                    + "digest \(digest.id) (\(Wording.counted(Int64(digest.itemCount), "item", "items"))) ===\n\(digest.fullText)\n"
            },
            marker: { " digest \($0.id) (" })
    }

    /// The JSON-lines file in `directory`: one digest JSON per line.
    package static func jsonLines(directory: String) -> AppendOnlyFileSink {
        AppendOnlyFileSink(
            name: "jsonl", path: StorePath.file("digests.jsonl", in: directory),
            block: { digest, _ in String(decoding: DigestCoding.encode(digest), as: UTF8.self) + "\n" },
            marker: { #""id":"\#($0.id)""# })
    }

    /// Creates the file, empty, if it does not exist yet, so `tail -F` can follow it before the first digest.
    package func createIfAbsent() {
        let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
        if descriptor >= 0 { close(descriptor) }
    }

    /// Appends the digest unless a previous, interrupted attempt already did. The file's reads, writes and `fsync`
    /// run on a Dispatch thread, never on the concurrency pool; the intent is recorded in between.
    package func deliver(
        _ delivery: ClaimedDelivery, digest: Digest, recordIntent: @Sendable (Int64) async throws -> Void
    ) async throws(DeliveryFailure) {
        let path = path
        let marker = marker(digest)
        let opened: (descriptor: Int32, size: Int64)? = try await onDispatchThread { () throws(DeliveryFailure) in
            if let offset = delivery.interruptedAt, Self.contains(marker, in: path, from: offset) { return nil }
            let descriptor = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o640)
            guard descriptor >= 0 else {
                throw DeliveryFailure("cannot open \(path): \(String(cString: strerror(errno)))")
            }
            var status = stat()
            guard fstat(descriptor, &status) == 0 else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw DeliveryFailure("cannot stat \(path): \(reason)")
            }
            return (descriptor, Int64(status.st_size))
        }
        guard let opened else { return }
        do {
            try await recordIntent(opened.size)
        } catch {
            close(opened.descriptor)
            throw DeliveryFailure("cannot record the intent to write \(path): \(error)")
        }
        let bytes = Array(block(digest, Timestamp.now()).utf8)
        try await onDispatchThread { () throws(DeliveryFailure) in
            defer { close(opened.descriptor) }
            var written = 0
            while written < bytes.count {
                let result = bytes[written...].withUnsafeBytes { write(opened.descriptor, $0.baseAddress, $0.count) }
                if result < 0 {
                    if errno == EINTR { continue }
                    throw DeliveryFailure("cannot write \(path): \(String(cString: strerror(errno)))")
                }
                written += result
            }
            guard fsync(opened.descriptor) == 0 else {
                throw DeliveryFailure("cannot sync \(path): \(String(cString: strerror(errno)))")
            }
        }
    }

    /// Whether `marker` appears in the file at `path` at or after `offset`.
    private static func contains(_ marker: String, in path: String, from offset: Int64) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        guard (try? handle.seek(toOffset: UInt64(max(0, offset)))) != nil,
            let data = try? handle.readToEnd()
        else { return false }
        return data.range(of: Data(marker.utf8)) != nil
    }

    /// Creates `directory` if needed and proves it writable by creating and removing a file in it (the only test
    /// that also holds for root, read-only mounts and a path that names a file).
    package static func checkWritable(_ directory: String) throws(DigestDirectoryError) {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw DigestDirectoryError(
                directory: directory, reason: "it cannot be created (\(error.localizedDescription))")
        }
        let probe = StorePath.file(".jump-write-check-\(getpid())", in: directory)
        let descriptor = open(probe, O_CREAT | O_WRONLY | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw DigestDirectoryError(directory: directory, reason: String(cString: strerror(errno)))
        }
        close(descriptor)
        unlink(probe)
    }
}

/// The digest directory cannot hold `digests.log` and `digests.jsonl`.
package struct DigestDirectoryError: Error, CustomStringConvertible {
    /// The directory.
    package var directory: String
    /// Why.
    package var reason: String

    /// Names the directory, the reason and the option.
    package var description: String {
        "digests cannot be written to \(directory): \(reason); name a writable directory with --digest-dir (JUMP_DIGEST_DIR)"
    }
}
