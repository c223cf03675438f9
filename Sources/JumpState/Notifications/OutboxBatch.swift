/// Notification items of one applied batch, kept together in an outbox row (a batch fills rows of about 64 KiB): each item as `audience`, a newline, its
/// byte count in decimal, a newline, and its bytes, one after the other in the order they are relayed.
///
/// A few rows per batch instead of one per item: a batch of 1,000 events routed to two audiences wrote 2,000 rows
/// (their index entries, their pages in the WAL, and their deletes after the relay). The audience (`^[A-Za-z0-9-]+$`) never holds a newline; the item's length says where it
/// ends, whatever its bytes.
struct OutboxBatch {
    /// The number of the item after the newest row's last (`NULL` for an empty outbox): where the next row starts.
    static let nextSequenceSQL =
        "SELECT seq + item_count FROM notification_outbox_batches ORDER BY seq DESC LIMIT 1"

    private(set) var bytes: [UInt8] = []
    private(set) var count = 0

    /// Appends one item for `audience`.
    mutating func append(audience: String, item: [UInt8]) {
        bytes.append(contentsOf: audience.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: String(item.count).utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.append(contentsOf: item)
        count += 1
    }

    /// Empties the row, keeping its capacity.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        count = 0
    }

    /// The items of a packed row, in order.
    /// - Throws: ``StateStoreError/damaged(table:row:column:found:)`` naming the row and where its bytes stop
    ///   making sense.
    static func items(
        in bytes: UnsafeBufferPointer<UInt8>, sequence: Int64
    ) throws(StateStoreError) -> [(audience: String, item: [UInt8])] {
        var items: [(audience: String, item: [UInt8])] = []
        var position = 0
        func damaged(_ what: String) -> StateStoreError {
            .damaged(
                table: "notification_outbox_batches", row: "seq \(sequence)", column: "items",
                found: "\(what) at byte \(position) of \(bytes.count)")
        }
        func line() throws(StateStoreError) -> Range<Int> {
            guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else {
                throw damaged("no newline")
            }
            defer { position = end + 1 }
            return position..<end
        }
        while position < bytes.count {
            let audience = try line()
            guard !audience.isEmpty else { throw damaged("an empty audience") }
            let length = try line()
            guard !length.isEmpty else { throw damaged("a length that is not a number") }
            var count = 0
            for digit in bytes[length] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), count < 1 << 40 else {
                    throw damaged("a length that is not a number")
                }
                count = count * 10 + Int(digit - UInt8(ascii: "0"))
            }
            guard count <= bytes.count - position else { throw damaged("a length past the end") }
            items.append(
                (
                    String(decoding: UnsafeBufferPointer(rebasing: bytes[audience]), as: UTF8.self),
                    Array(bytes[position..<position + count])
                ))
            position += count
        }
        return items
    }
}
