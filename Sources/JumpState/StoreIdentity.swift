import Foundation
import GRDB

/// Paths of stores and the files beside them, handled without Foundation's `NSString` path methods (which
/// trap on some one-character paths).
package enum StorePath {
    /// Checks a `--state` path before anything is created there.
    ///
    /// - Throws: ``StateStoreError/cannotOpen(path:reason:)`` naming what is wrong with the path.
    package static func check(_ path: String) throws {
        func refuse(_ reason: String) -> StateStoreError { .cannotOpen(path: path, reason: reason) }
        guard !path.isEmpty else { throw refuse("the path is empty") }
        guard !path.utf8.contains(0) else { throw refuse("the path contains a NUL byte") }
        guard !path.hasSuffix("/") else { throw refuse("the path names a directory; name a file inside it") }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw refuse("it is a directory; name a file inside it, such as \(path)/state.sqlite")
        }
        // Opening a FIFO blocks until a writer comes; a device or socket is no store either.
        var status = stat()
        if stat(path, &status) == 0, status.st_mode & S_IFMT != S_IFREG {
            let kind =
                switch status.st_mode & S_IFMT {
                case S_IFIFO: "a FIFO (named pipe)"
                case S_IFCHR: "a character device"
                case S_IFBLK: "a block device"
                case S_IFSOCK: "a socket"
                default: "not a regular file"
                }
            throw refuse("it is \(kind); name a regular file, or a path where one can be created")
        }
        let parent = parentDirectory(of: path)
        if !FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) {
            throw refuse("the directory \(parent) does not exist")
        }
        guard isDirectory.boolValue else { throw refuse("\(parent) is not a directory") }
    }

    /// The directory holding `path` (`.` for a bare file name, `/` for a file at the root).
    package static func parentDirectory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        let parent = String(path[..<slash])
        return parent.isEmpty ? "/" : parent
    }

    /// `name` inside `directory`.
    package static func file(_ name: String, in directory: String) -> String {
        directory.hasSuffix("/") ? directory + name : directory + "/" + name
    }
}

/// Tells a jump-relay store from any other file before the store is opened, so that a foreign file is refused
/// untouched and a store from a newer version is never run against.
enum StoreIdentity {
    /// Checks the file before a writer opens it: its header, then (through a read-only connection of its own, so
    /// a foreign file is never touched) its tables and migrations. Returns the migrations applied to it: none for
    /// a new store (no file yet, or an empty one).
    @discardableResult
    static func checkBeforeWriting(path: String, migrator: DatabaseMigrator) throws -> [String] {
        guard FileManager.default.fileExists(atPath: path), try !isEmpty(path: path) else { return [] }
        return try mapped(path: path) {
            let queue = try DatabaseQueue(
                path: path, configuration: .store(label: "jump-state-identity", readonly: true))
            defer { try? queue.close() }
            return try queue.read { try checkContents($0, path: path, migrator: migrator, allowOlder: true) }
        }
    }

    /// Checks the header of the file a reader opens read-only (its contents are checked through the reader's own
    /// connection: ``checkContents(_:path:migrator:allowOlder:)``).
    static func checkBeforeReading(path: String) throws {
        if try isEmpty(path: path) {
            throw StateStoreError.cannotOpen(path: path, reason: "the file is empty: no state store there")
        }
    }

    /// Whether the file is empty; throws when it is something other than an SQLite database.
    private static func isEmpty(path: String) throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw StateStoreError.cannotOpen(path: path, reason: String(cString: strerror(errno)))
        }
        let header = (try? handle.read(upToCount: 16)) ?? nil
        try? handle.close()
        guard let header, !header.isEmpty else { return true }
        guard header == Data("SQLite format 3\0".utf8) else {
            throw StateStoreError.notAStore(path: path, reason: "not an SQLite database")
        }
        return false
    }

    /// Refuses a database that is another application's, or a store from a newer (or, for a reader, an older)
    /// version.
    /// - Parameter allowOlder: whether pending migrations are acceptable (a writer runs them; a reader cannot).
    /// Returns the migrations applied.
    @discardableResult
    static func checkContents(
        _ db: Database, path: String, migrator: DatabaseMigrator, allowOlder: Bool
    ) throws -> [String] {
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        let applied =
            tables.contains("grdb_migrations")
            ? try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations") : []
        // GRDB creates its table of migrations in a transaction of its own before the first migration: a first
        // migration stopped midway (killed, a full disk) leaves that table alone, and the store is still new.
        if tables.isEmpty || (tables == ["grdb_migrations"] && applied.isEmpty) {
            if allowOlder { return [] }
            throw StateStoreError.cannotOpen(path: path, reason: "an empty database: no state store there")
        }
        let known = migrator.migrations
        guard let first = known.first, applied.contains(first) else {
            let shown = tables.sorted().prefix(5).joined(separator: ", ")
            throw StateStoreError.notAStore(path: path, reason: "it holds other tables: \(shown)")
        }
        let unknown = applied.filter { !known.contains($0) }
        if !unknown.isEmpty { throw StateStoreError.newerStore(path: path, unknown: unknown) }
        let pending = known.filter { !applied.contains($0) }
        if !allowOlder, !pending.isEmpty { throw StateStoreError.olderStore(path: path, pending: pending) }
        return applied
    }

    /// Runs `body`, turning SQLite's "not a database" and "cannot open" into ``StateStoreError``s.
    static func mapped<T>(path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw StateStoreError.notAStore(path: path, reason: "SQLite says: \(error.message ?? "not a database")")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            throw StateStoreError.cannotOpen(path: path, reason: error.message ?? "SQLite cannot open it")
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CORRUPT {
            throw StateStoreError.notAStore(path: path, reason: "the database is corrupt: \(error.message ?? "")")
        }
    }
}
