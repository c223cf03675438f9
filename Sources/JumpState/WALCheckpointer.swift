import Foundation
import GRDB
import Synchronization

/// Checkpoints a WAL database from its own connection on its own thread, every quarter second, so that commits
/// never pay for it. Passive checkpoints never block the writer; the thread ends when this object is released.
///
/// A passive checkpoint copies the log into the database but never restarts it: SQLite starts the log over only
/// when a writer finds it fully copied and no reader on it, which readers that come and go all the time (the relay,
/// queries, the console) almost never allow. The log then grew without bound: 2.5 GB for a 24 MB store after 60 s
/// at 2,000 events/s. So once the log holds more than ``restartAboveFrames`` frames, a restarting checkpoint waits (at most
/// 50 ms, else it is tried again next time) for readers to leave the log and copies the little a passive one
/// left; the next writer then starts the log over from its beginning, reusing the file (no new pages to allocate,
/// as truncating it would cost): a writer waits for that copy, not for the whole log.
final class WALCheckpointer: Sendable {
    /// 16,384 frames: 64 MiB of 4 KiB pages.
    static let restartAboveFrames = 16_384

    private let connection: DatabaseQueue
    private let isStopping = Atomic<Bool>(false)

    init(path: String) throws {
        // A short wait: enough for a WAL recovery at opening.
        connection = try DatabaseQueue(
            path: path, configuration: .store(label: "jump-state-checkpointer", waiting: 1))
        let thread = Thread { [weak self] in
            while let checkpointer = self, !checkpointer.isStopping.load(ordering: .acquiring) {
                _ = try? checkpointer.connection.writeWithoutTransaction { db in
                    let log = try db.checkpoint(.passive)
                    if log.walFrameCount > Self.restartAboveFrames {
                        // Waits at most 50 ms for readers to leave the log (a writer waits meanwhile), else the next
                        // round tries again.
                        try db.execute(sql: "PRAGMA busy_timeout = 50")
                        defer { try? db.execute(sql: "PRAGMA busy_timeout = 1000") }
                        try db.checkpoint(.restart)
                    }
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        thread.name = "jump-state-checkpointer"
        thread.start()
    }

    /// Stops the thread and closes its connection, after the checkpoint in hand if any (the connection's queue
    /// runs one at a time); a checkpoint the thread tries after that fails, and the thread ends.
    func stop() {
        guard !isStopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        try? connection.close()
    }

    deinit { stop() }
}
