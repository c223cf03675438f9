import GRDB
import GRDBSQLite

/// A value bound to a statement parameter.
enum SQLValue {
    case integer(Int64)
    case text(String)
    /// UTF-8 text already in bytes (bound as text, never turned into a `String`).
    case utf8([UInt8])
    case null
}

/// What can be bound to a statement parameter by ``GRDB/Database/run(_:_:)``.
protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int32: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int64: SQLBindable { var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { var sqlValue: SQLValue { .integer(Int64(self)) } }
extension String: SQLBindable { var sqlValue: SQLValue { .text(self) } }
/// UTF-8 text as bytes, bound as SQLite text.
struct SQLText: SQLBindable {
    var bytes: [UInt8]
    var sqlValue: SQLValue { .utf8(bytes) }
}
extension Optional: SQLBindable where Wrapped: SQLBindable { var sqlValue: SQLValue { self?.sqlValue ?? .null } }

extension Database {
    /// Runs a cached statement with positional values bound straight through SQLite's C API, and returns how many
    /// rows it changed. The hot path of ``StateStore/apply(topic:records:expected:ledgerWindow:)``: GRDB's
    /// `StatementArguments` boxes every value, which cost more than SQLite's own work here.
    @discardableResult
    func run(_ sql: String, _ values: [any SQLBindable]) throws -> Int {
        let statement = try cachedStatement(sql: sql).sqliteStatement
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        for (offset, value) in values.enumerated() {
            let index = Int32(offset + 1)
            let code: Int32
            switch value.sqlValue {
            case .integer(let number): code = sqlite3_bind_int64(statement, index, number)
            case .text(let text):
                code =
                    text.utf8.withContiguousStorageIfAvailable { bytes in
                        sqlite3_bind_text(
                            statement, index,
                            bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                            Int32(bytes.count), transientDestructor)
                    }
                    ?? {
                        var copy = text
                        return copy.withUTF8 { bytes in
                            sqlite3_bind_text(
                                statement, index,
                                bytes.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
                                Int32(bytes.count), transientDestructor)
                        }
                    }()
            case .utf8(let bytes):
                // An empty array may have no storage; a null pointer would bind NULL, not empty text.
                code =
                    bytes.isEmpty
                    ? sqlite3_bind_text(statement, index, "", 0, transientDestructor)
                    : bytes.withUnsafeBytes { buffer in
                        sqlite3_bind_text(
                            statement, index, buffer.baseAddress!.assumingMemoryBound(to: CChar.self),
                            Int32(buffer.count), transientDestructor)
                    }
            case .null: code = sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else {
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding \(sql)")
            }
        }
        let result = sqlite3_step(statement)
        guard result == SQLITE_DONE else {
            throw DatabaseError(
                resultCode: ResultCode(rawValue: result), message: String(cString: sqlite3_errmsg(sqliteConnection)),
                sql: sql)
        }
        return Int(sqlite3_changes(sqliteConnection))
    }
}

/// SQLite's `SQLITE_TRANSIENT`: it copies the bound bytes before the call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
