import GRDB
import GRDBSQLite

/// A value bound to a statement parameter.
enum SQLValue {
    case integer(Int64)
    case text(String)
    /// Bytes, bound as a BLOB.
    case blob([UInt8])
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
/// Bytes, bound as a SQLite BLOB.
struct SQLBlob: SQLBindable {
    var bytes: [UInt8]
    var sqlValue: SQLValue { .blob(bytes) }
}
extension Optional: SQLBindable where Wrapped: SQLBindable { var sqlValue: SQLValue { self?.sqlValue ?? .null } }

extension Database {
    /// Runs a cached statement with positional values bound straight through SQLite's C API, and returns how many
    /// rows it changed. The hot path of ``StateStore/apply(topic:records:expected:ledgerWindow:router:)``: GRDB's
    /// `StatementArguments` boxes every value, which cost more than SQLite's own work here.
    @discardableResult
    func run(_ sql: String, _ values: [any SQLBindable]) throws -> Int {
        let statement = try bound(sql, values)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        let result = sqlite3_step(statement)
        guard result == SQLITE_DONE else { throw stepError(result, sql) }
        return Int(sqlite3_changes(sqliteConnection))
    }

    /// Runs a cached query with positional values bound as ``run(_:_:)`` binds them, and reads its first row, if
    /// any, with `read` (columns read in place: no `Row`, no cursor). For the fold's per-event lookups.
    func first<Value>(
        _ sql: String, _ values: [any SQLBindable], _ read: (DirectRow) throws -> Value
    ) throws -> Value? {
        let statement = try bound(sql, values)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        switch sqlite3_step(statement) {
        case SQLITE_ROW: return try read(DirectRow(statement: statement))
        case SQLITE_DONE: return nil
        case let result: throw stepError(result, sql)
        }
    }

    /// Runs a cached query with positional values bound as ``run(_:_:)`` binds them, and reads every row with
    /// `read`, in place. For the few rows of the kept totals a batch reads per partition.
    func each(_ sql: String, _ values: [any SQLBindable], _ read: (DirectRow) throws -> Void) throws {
        try eachWhile(sql, values) { row in
            try read(row)
            return true
        }
    }

    /// Runs a cached query as ``each(_:_:_:)`` does, reading rows while `read` returns `true`: the rows after are
    /// never stepped to (SQLite reads a row's pages when it steps to it).
    func eachWhile(_ sql: String, _ values: [any SQLBindable], _ read: (DirectRow) throws -> Bool) throws {
        let statement = try bound(sql, values)
        defer {
            sqlite3_reset(statement)
            sqlite3_clear_bindings(statement)
        }
        while true {
            switch sqlite3_step(statement) {
            case SQLITE_ROW: if try !read(DirectRow(statement: statement)) { return }
            case SQLITE_DONE: return
            case let result: throw stepError(result, sql)
            }
        }
    }

    private func stepError(_ result: Int32, _ sql: String) -> DatabaseError {
        DatabaseError(
            resultCode: ResultCode(rawValue: result), message: String(cString: sqlite3_errmsg(sqliteConnection)),
            sql: sql)
    }

    /// The cached statement of `sql` with `values` bound to its parameters.
    private func bound(_ sql: String, _ values: [any SQLBindable]) throws -> SQLiteStatement {
        let statement = try cachedStatement(sql: sql).sqliteStatement
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
            case .blob(let bytes):
                // An empty array may have no storage; a null pointer would bind NULL, not an empty BLOB.
                code =
                    bytes.isEmpty
                    ? sqlite3_bind_zeroblob(statement, index, 0)
                    : bytes.withUnsafeBytes { buffer in
                        sqlite3_bind_blob(
                            statement, index, buffer.baseAddress, Int32(buffer.count), transientDestructor)
                    }
            case .null: code = sqlite3_bind_null(statement, index)
            }
            guard code == SQLITE_OK else {
                sqlite3_reset(statement)
                sqlite3_clear_bindings(statement)
                throw DatabaseError(resultCode: ResultCode(rawValue: code), message: "binding \(sql)")
            }
        }
        return statement
    }
}

/// The current row of a statement stepped by ``GRDB/Database/first(_:_:_:)``, read column by column.
struct DirectRow {
    fileprivate let statement: SQLiteStatement

    /// Whether column `index` is NULL.
    func isNull(_ index: Int32) -> Bool { sqlite3_column_type(statement, index) == SQLITE_NULL }

    /// Column `index` as an integer (0 for NULL).
    func int64(_ index: Int32) -> Int64 { sqlite3_column_int64(statement, index) }

    /// Column `index` as an integer, or ``StateStoreError/damaged(table:row:column:found:)`` when it holds
    /// anything else (SQLite would read text or NULL as 0): for the values a wrong read would corrupt, offsets.
    func checkedInt64(_ index: Int32, table: String, row: @autoclosure () -> String) throws(StateStoreError) -> Int64 {
        guard sqlite3_column_type(statement, index) == SQLITE_INTEGER else {
            let found =
                switch sqlite3_column_type(statement, index) {
                case SQLITE_NULL: "NULL"
                case SQLITE_FLOAT: "the real \(sqlite3_column_double(statement, index))"
                case SQLITE_TEXT: "the text \"\(string(index).prefix(60))\""
                default: "a BLOB of \(sqlite3_column_bytes(statement, index)) bytes"
                }
            throw StateStoreError.damaged(
                table: table, row: row(), column: String(cString: sqlite3_column_name(statement, index)),
                found: found + " where an integer was expected")
        }
        return sqlite3_column_int64(statement, index)
    }

    /// Column `index` as an integer, `nil` for NULL.
    func optionalInt64(_ index: Int32) -> Int64? { isNull(index) ? nil : int64(index) }

    /// Column `index` as text ("" for NULL).
    func string(_ index: Int32) -> String { optionalString(index) ?? "" }

    /// Calls `body` with column `index`'s bytes in place (a BLOB's or a text's; empty for NULL), valid only
    /// during the call.
    func withBytes<Value>(
        _ index: Int32, _ body: (UnsafeBufferPointer<UInt8>) throws -> Value
    ) rethrows -> Value {
        let start = sqlite3_column_blob(statement, index)
        let count = Int(sqlite3_column_bytes(statement, index))
        return try body(UnsafeBufferPointer(start: start?.assumingMemoryBound(to: UInt8.self), count: count))
    }

    /// Column `index` as text, `nil` for NULL.
    func optionalString(_ index: Int32) -> String? {
        guard let text = sqlite3_column_text(statement, index) else { return nil }
        let count = Int(sqlite3_column_bytes(statement, index))
        return String(decoding: UnsafeBufferPointer(start: text, count: count), as: UTF8.self)
    }
}

/// SQLite's `SQLITE_TRANSIENT`: it copies the bound bytes before the call returns.
private let transientDestructor = unsafeBitCast(-1, to: sqlite3_destructor_type.self)
