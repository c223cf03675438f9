import GRDB

extension Row {
    /// Column `index` as `Value`, or ``StateStoreError/damaged(table:row:column:found:)`` naming `table`, the row
    /// (by its first column) and the column when it holds something else: GRDB's subscript would trap instead.
    func value<Value: DatabaseValueConvertible>(_ index: Int, in table: String) throws(StateStoreError) -> Value {
        do {
            return try decode(Value.self, atIndex: index)
        } catch {
            throw StateStoreError.damaged(
                table: table, row: Self.identity(of: self, index: index), column: Array(columnNames)[index],
                found: Self.described(self[index] as DatabaseValue) + " where \(Self.expected(Value.self)) was expected"
            )
        }
    }

    /// What a Swift type reads, in the store's words: `an integer`, `text`.
    static func expected(_ type: Any.Type) -> String {
        let name = "\(type)"
        if name.contains("Int") { return "an integer" }
        if name.contains("String") { return "text" }
        return name
    }

    /// `the row whose KEY is VALUE` (its first column), or `a row` when that is the damaged column.
    static func identity(of row: Row, index: Int) -> String {
        guard index != 0, let name = row.columnNames.first else { return "a row" }
        return "the row whose \(name) is \(described(row[0] as DatabaseValue))"
    }

    /// A stored value as an operator reads it: its type and, for short text or numbers, the value .
    static func described(_ value: DatabaseValue) -> String {
        switch value.storage {
        case .null: "NULL"
        case .int64(let number): "the integer \(number)"
        case .double(let number): "the real \(number)"
        case .string(let text):
            "the text \"\(text.prefix(60))\"\(text.count > 60 ? "…" : "")"
        case .blob(let data): "a BLOB of \(data.count) bytes"
        }
    }
}
