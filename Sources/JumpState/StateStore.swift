import Foundation
import GRDB

/// The file-backed state store: one SQLite database in WAL mode that holds the fold of `jump.events` and, in
/// the same transactions, the next offset of every partition, the ledger of applied event ids and the
/// notification outbox. Every row records its partition: state is partition-local. The notifier's intake,
/// windows, digests and deliveries (``NotifierStore``) are in a second file beside it, with a writer of its own
/// (``StorePath/notifierFile(besideStateStore:)``): the two files are opened, upgraded, backed up and closed
/// together.
package struct StateStore: Sendable {
    let writer: any DatabaseWriter
    /// The notifier's file.
    let notifierWriter: any DatabaseWriter
    let writeHealth = StoreWriteHealth()
    let notifierWriteHealth = StoreWriteHealth()
    /// The database file, or `nil` for an in-memory store.
    package let path: String?
    private let checkpointer: WALCheckpointer?

    /// The rules the fold applies, recorded in every store (`store_info.fold_version`): a store folded by an
    /// older version keeps working and is brought to this one by a rebuild from the log (Deploy/OPERATIONS.md).
    /// Version 2: saturating totals (``SaturatingTotal``) and anomalies for conflicting events.
    package static let foldVersion = 2

    /// Opens (creating it owner-only if needed) the store at `path` and runs the migrations.
    ///
    /// With `backgroundCheckpoints`, the WAL is checkpointed by a connection of its own on another thread
    /// instead of inside commits (a worker's setting: a checkpoint then costs the commit path nothing).
    ///
    /// - Throws: ``StateStoreError`` when the path cannot hold a store, the file is not a jump-relay store (it is
    ///   left untouched), or a newer version wrote it.
    package init(path: String, backgroundCheckpoints: Bool = false) throws {
        let notifierPath = StorePath.notifierFile(besideStateStore: path)
        // Each file is checked before the next is created, and both before either is changed: a foreign file at
        // either path leaves both as they were.
        try StorePath.check(path)
        try Self.createOwnerOnly(path)
        let stateApplied = try StoreIdentity.checkBeforeWriting(path: path, migrator: Self.migrator)
        try StorePath.check(notifierPath)
        let notifierApplied = try StoreIdentity.checkBeforeWriting(path: notifierPath, migrator: NotifierStore.migrator)
        if stateApplied.contains(Self.firstWithoutNotifierTables), notifierApplied.isEmpty {
            // A notifier's file started empty would read jump.notifications again and digest its items again.
            throw Self.missingNotifierFile(notifierPath, beside: path, orEmpty: true)
        }
        try Self.createOwnerOnly(notifierPath)
        var configuration = Configuration.store(label: "jump-state")
        configuration.prepareDatabase { db in
            if backgroundCheckpoints { try db.execute(sql: "PRAGMA wal_autocheckpoint = 0") }
            // WAL with synchronous=NORMAL: a commit is atomic and survives a process crash (kill -9); only an OS
            // crash may lose the last commits, which the log then replays (offsets live in the same transactions).
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            // A bounded page cache per connection: 8 MiB for the writer (the hot state; 4 MiB and 16 MiB applied the
            // benchmark's 100,000 events at the same speed, the rest comes from the OS's cache), 2 MiB for readers.
            try db.execute(sql: db.configuration.readonly ? "PRAGMA cache_size = -2048" : "PRAGMA cache_size = -8192")
            try db.execute(sql: "PRAGMA temp_store = MEMORY")
        }
        // SQLite creates -wal and -shm with the permissions of the database file: owner-only too.
        let pool = try StoreIdentity.mapped(path: path) { try DatabasePool(path: path, configuration: configuration) }
        // The notifier's file takes its tables over from a store before v16 (in its own migration's transaction),
        // and only then does v16 drop them here: a crash in between leaves both copies, never none.
        try StoreIdentity.mapped(path: path) { try Self.migratorWithNotifierTables.migrate(pool) }
        notifierWriter = try NotifierStore.open(
            path: notifierPath, isNew: notifierApplied.isEmpty, stateStorePath: path)
        try StoreIdentity.mapped(path: path) { try Self.migrator.migrate(pool) }
        // A store that has applied nothing yet is folded by the current rules from its first event (the frozen
        // migration v4 records the version of its time); one that has keeps its version until rebuilt.
        try pool.write { db in
            try db.execute(
                sql: """
                    UPDATE store_info SET value = ? WHERE key = 'fold_version' AND value != ?
                    AND NOT EXISTS (SELECT 1 FROM partition_offsets)
                    """, arguments: [String(Self.foldVersion), String(Self.foldVersion)])
        }
        writer = pool
        self.path = path
        checkpointer = backgroundCheckpoints ? try WALCheckpointer(path: path) : nil
    }

    /// Creates `file` owner-only if it is not there.
    private static func createOwnerOnly(_ file: String) throws {
        let descriptor = open(file, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw StateStoreError.cannotOpen(path: file, reason: String(cString: strerror(errno)))
        }
        closeDescriptor(descriptor)
    }

    /// The notifier's file beside the state store at `path` is missing (`orEmpty`: or empty): what to do.
    private static func missingNotifierFile(_ file: String, beside path: String, orEmpty: Bool) -> StateStoreError {
        .cannotOpen(
            path: file,
            reason: "the notifier's file beside the state store \(path) is missing\(orEmpty ? " or empty" : ""): "
                + "restore it from the backup made with the state store (state backup writes both), or move both "
                + "files aside to rebuild the store from the log")
    }

    /// Closes the store when its process is done with it: stops the background checkpointer, copies the log into
    /// the file and truncates it (`state.sqlite-wal` is left empty), and closes every connection. Nothing may use
    /// the store afterwards. A log another process still reads (a `state` command, a `sqlite3` shell) after 200 ms
    /// is left as it is, for the last one to close: an exit never waits longer.
    package func close() {
        checkpointer?.stop()
        // The notifier's file first: on a full disk its checkpoint may take room (its file grows) that the state
        // file's truncated log then gives back, for the next start's opening of both.
        for case let pool as DatabasePool in [notifierWriter, writer] {
            _ = try? pool.writeWithoutTransaction { db in
                // A reader still in the log (a `state` command, a `sqlite3` shell) holds it for at most this long.
                try db.execute(sql: "PRAGMA busy_timeout = 200")
                try db.checkpoint(.truncate)
            }
            try? pool.close()
        }
    }

    /// Records where the daemon that runs on this store writes its digest files (`store_info.digest_directory`,
    /// an absolute path), so that `digest send-now` run later, from anywhere, writes beside them. Writes nothing
    /// when the store already says so (a restart on a full disk still starts).
    package func recordDigestDirectory(_ directory: String) throws {
        let absolute = URL(fileURLWithPath: directory).standardizedFileURL.path
        try writer.write { db in
            try db.execute(
                sql: """
                    INSERT INTO store_info (key, value) VALUES ('digest_directory', ?)
                    ON CONFLICT (key) DO UPDATE SET value = excluded.value WHERE value != excluded.value
                    """,
                arguments: [absolute])
        }
    }

    /// The digest directory a daemon recorded (``recordDigestDirectory(_:)``), if one did.
    package func recordedDigestDirectory() async throws -> String? {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'digest_directory'")
        }
    }

    /// A store in memory, for tests.
    package init() throws {
        let queue = try DatabaseQueue(configuration: .store(label: "jump-state-memory"))
        try Self.migrator.migrate(queue)
        let notifierQueue = try DatabaseQueue(configuration: .store(label: "jump-notifier-memory"))
        try NotifierStore.migrator.migrate(notifierQueue)
        writer = queue
        notifierWriter = notifierQueue
        path = nil
        checkpointer = nil
    }

    private init(readOnly pool: DatabasePool, notifier: DatabasePool, path: String) {
        writer = pool
        notifierWriter = notifier
        self.path = path
        checkpointer = nil
    }

    /// Opens an existing store read-only, for queries: it never creates, migrates or writes anything, and is safe
    /// while a worker writes to the store (WAL lets readers and one writer work at once).
    ///
    /// - Throws: ``StateStoreError`` when there is no store at `path`, the file is not a jump-relay store, or it
    ///   was written by a newer or an older version (run the worker once to upgrade an older one).
    package static func openForReading(path: String) throws -> StateStore {
        let pool = try openReader(
            path: path, migrator: migrator, label: "jump-state-reader",
            ifMissing: .cannotOpen(path: path, reason: "no state store there"))
        let notifierPath = StorePath.notifierFile(besideStateStore: path)
        let notifier = try openReader(
            path: notifierPath, migrator: NotifierStore.migrator, label: "jump-notifier-reader",
            ifMissing: missingNotifierFile(notifierPath, beside: path, orEmpty: false))
        return StateStore(readOnly: pool, notifier: notifier, path: path)
    }

    /// A read-only pool on an existing store file whose migrations are exactly `migrator`'s; `ifMissing` is
    /// thrown when there is no file.
    private static func openReader(
        path: String, migrator: DatabaseMigrator, label: String, ifMissing: StateStoreError
    ) throws -> DatabasePool {
        try StorePath.check(path)
        guard FileManager.default.fileExists(atPath: path) else { throw ifMissing }
        try StoreIdentity.checkBeforeReading(path: path)
        // Read-only, so the contents are checked through the reader's own connection: one opening, not two.
        return try StoreIdentity.mapped(path: path) {
            let pool = try DatabasePool(path: path, configuration: .store(label: label, readonly: true))
            _ = try pool.read { try StoreIdentity.checkContents($0, path: path, migrator: migrator, allowOlder: false) }
            return pool
        }
    }

    /// Opens an existing store for writing (never creates one), for tools that change it beside a worker
    /// (`digest send-now`): migrations run as in ``init(path:backgroundCheckpoints:)``.
    package static func openExisting(path: String) throws -> StateStore {
        try StorePath.check(path)
        guard FileManager.default.fileExists(atPath: path) else {
            throw StateStoreError.cannotOpen(path: path, reason: "no state store there")
        }
        return try StateStore(path: path)
    }

    /// The fold version this store's state was built with (see ``foldVersion``).
    package func storedFoldVersion() async throws -> Int {
        try await writer.read { db in
            try String.fetchOne(db, sql: "SELECT value FROM store_info WHERE key = 'fold_version'").flatMap { Int($0) }
                ?? 1
        }
    }

    /// Copies the store, consistently, to a new file at `path` (created owner-only) with SQLite's online backup,
    /// while workers may keep writing, and the notifier's file to the file beside it
    /// (``StorePath/notifierFile(besideStateStore:)``): restoring both puts the store back.
    package func backup(to path: String) throws {
        let notifierPath = StorePath.notifierFile(besideStateStore: path)
        for file in [path, notifierPath] where FileManager.default.fileExists(atPath: file) {
            throw StateStoreError.cannotOpen(path: file, reason: "the file exists; a backup never overwrites one")
        }
        var written: [String] = []
        do {
            for (source, file) in [(writer, path), (notifierWriter, notifierPath)] {
                let descriptor = open(file, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0o600)
                guard descriptor >= 0 else {
                    throw StateStoreError.cannotOpen(path: file, reason: String(cString: strerror(errno)))
                }
                closeDescriptor(descriptor)
                written.append(file)
                let destination = try DatabaseQueue(path: file)
                try source.backup(to: destination)
                try destination.close()
            }
        } catch {
            // Never half a pair: a retry must find neither file.
            for file in written { try? FileManager.default.removeItem(atPath: file) }
            throw error
        }
    }

    /// The next offset to read for every partition of `topic` this store holds.
    package func nextOffsets(topic: String) throws -> [Int32: Int64] {
        try writer.read { db in try Self.nextOffsets(db, topic: topic, table: "partition_offsets") }
    }

    /// The next offsets of `topic` in `table`, read in `db`: `partition_offsets` (the state fold's) or
    /// `notifier_offsets` (the notifier's, in its file), the tables ``advance(_:topic:partition:expected:to:table:)``
    /// moves.
    static func nextOffsets(_ db: Database, topic: String, table: String) throws -> [Int32: Int64] {
        var result: [Int32: Int64] = [:]
        try db.each("SELECT partition, next_offset FROM \(table) WHERE topic = ?", [topic]) { row in
            let partition = try row.checkedInt64(0, table: table, row: "a row of topic \(topic)")
            result[Int32(truncatingIfNeeded: partition)] = try row.checkedInt64(
                1, table: table, row: "the row of \(topic)[\(partition)]")
        }
        return result
    }
}

extension Configuration {
    /// The settings of every connection to a store file: it waits up to `waiting` seconds (default 10) for a lock
    /// another connection holds (a reader recovering the WAL after a crash, a checkpoint, a writer) instead of
    /// failing at once.
    static func store(label: String, readonly: Bool = false, waiting: TimeInterval = 10) -> Configuration {
        var configuration = Configuration()
        configuration.busyMode = .timeout(waiting)
        configuration.label = label
        configuration.readonly = readonly
        configuration.prepareDatabase { db in db.add(function: StateStore.foldedFunction) }
        return configuration
    }
}

extension StateStore {
    /// `text` without case or accents (`Pacífico` → `pacifico`), as searches compare names people type.
    package static func folded(_ text: String) -> String {
        text.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// `jump_folded(text)`: ``folded(_:)`` in SQL, on every connection to a store.
    static let foldedFunction = DatabaseFunction("jump_folded", argumentCount: 1, pure: true) { values in
        String.fromDatabaseValue(values[0]).map(folded)
    }
}

extension StateStore {
    /// Whether `error` is SQLite's "database or disk is full": room may come back, so a caller waits for it.
    package static func isDiskFull(_ error: any Error) -> Bool {
        (error as? DatabaseError)?.resultCode == .SQLITE_FULL
    }
}

/// What the store refuses.
package enum StateStoreError: Error, CustomStringConvertible, Equatable {
    /// The file cannot be opened or created.
    case cannotOpen(path: String, reason: String)
    /// Another writer moved a partition's offset since this worker read it: this worker is fenced (a zombie
    /// after a rebalance) and must not apply the batch.
    case fenced(topic: String, partition: Int32, expected: Int64?, found: Int64?)
    /// The file exists but is not a jump-relay state store; it was left untouched.
    case notAStore(path: String, reason: String)
    /// A newer version of jump-relay wrote the store (migrations this version does not know).
    case newerStore(path: String, unknown: [String])
    /// An older version wrote the store and a read-only opening cannot upgrade it.
    case olderStore(path: String, pending: [String])
    /// A row holds a value of a type the store never writes there (edited by hand, or a damaged file).
    case damaged(table: String, row: String, column: String, found: String)

    /// A sentence naming the problem.
    package var description: String {
        switch self {
        case .cannotOpen(let path, let reason): "cannot open the state store \(path): \(reason)"
        case .fenced(let topic, let partition, let expected, let found):
            "\(topic)[\(partition)]: the store's next offset is \(found.map(String.init) ?? "none"), not "
                + "\(expected.map(String.init) ?? "none") as this worker expected; another worker applied it (fenced)"
        case .notAStore(let path, let reason):
            "\(path) is not a jump-relay state store (\(reason)); it was left untouched: name another --state file"
        case .newerStore(let path, let unknown):
            "\(path) was written by a newer jump-relay (unknown migrations: \(unknown.joined(separator: ", "))); "
                + "run that version, or rebuild a store for this one from the log with a new --state file"
        case .olderStore(let path, let pending):
            "\(path) was written by an older jump-relay (migrations not yet applied: "
                + "\(pending.joined(separator: ", "))); run 'jump-consumer run' once on it to upgrade it"
        case .damaged(let table, let row, let column, let found):
            "the state store is damaged: table \(table), \(row), column \(column) holds \(found); restore it from a "
                + "backup (state backup), or move it aside and restart to rebuild it from the log"
        }
    }
}

/// `close(2)`, named apart from ``StateStore/close()``.
private func closeDescriptor(_ descriptor: Int32) { close(descriptor) }
