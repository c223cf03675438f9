import GRDB
import Synchronization

/// The outcome of the store's latest write, kept by every write this process makes: what `/readyz` reads to say
/// whether the store is writable, without taking the write lock itself.
final class StoreWriteHealth: Sendable {
    /// The reason of the latest write's failure; `nil` once a write succeeds (writes record in the order they end).
    private let latestFailure = Mutex<String?>(nil)

    func succeeded() { latestFailure.withLock { $0 = nil } }

    func failed(_ error: any Error) { latestFailure.withLock { $0 = "\(error)" } }

    /// The reason of the latest write's failure, `nil` when the latest write (or none yet) succeeded.
    var problem: String? { latestFailure.withLock { $0 } }

    /// A write transaction on `database` (a store's file), its outcome recorded here.
    func write<T: Sendable>(
        on database: any DatabaseWriter, _ updates: @escaping @Sendable (Database) throws -> T
    ) async throws -> T {
        do {
            let result = try await database.write(updates)
            succeeded()
            return result
        } catch {
            failed(error)
            throw error
        }
    }
}

extension StateStore {
    /// Why the store is not writable, from this process's latest write (`nil`: it succeeded, or none was made
    /// yet). For `/readyz`: reading it takes no lock on the database.
    /// Each file keeps its own outcome, so that the notifier's writes succeeding never hide the fold's failing.
    package var writeProblem: String? { writeHealth.problem ?? notifierWriteHealth.problem }

    /// A write transaction on the writer's queue, the caller's task suspended meanwhile (never blocking Swift's
    /// cooperative pool), its outcome recorded for ``writeProblem``.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await writeHealth.write(on: writer, updates)
    }
}
