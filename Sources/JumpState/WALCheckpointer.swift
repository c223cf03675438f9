import Foundation
import GRDB
import Synchronization

/// Checkpoints a WAL database from its own connection on its own thread, every quarter second, so that commits
/// never pay for it. Passive checkpoints never block the writer; the thread ends when this object is released.
final class WALCheckpointer: Sendable {
    private let connection: DatabaseQueue
    private let isStopping = Atomic<Bool>(false)

    init(path: String) throws {
        // A short wait: enough for a WAL recovery at opening, and the final checkpoint never holds up an exit.
        connection = try DatabaseQueue(
            path: path, configuration: .store(label: "jump-state-checkpointer", waiting: 1))
        let thread = Thread { [weak self] in
            while let checkpointer = self, !checkpointer.isStopping.load(ordering: .acquiring) {
                _ = try? checkpointer.connection.writeWithoutTransaction { db in
                    try db.checkpoint(.passive)
                }
                Thread.sleep(forTimeInterval: 0.25)
            }
        }
        thread.name = "jump-state-checkpointer"
        thread.start()
    }

    deinit {
        isStopping.store(true, ordering: .releasing)
        _ = try? connection.writeWithoutTransaction { try $0.checkpoint(.truncate) }
    }
}
