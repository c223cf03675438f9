/// Notification items of one applied batch, kept together in an outbox row (a batch fills rows of about 64 KiB),
/// each event's items sharing what they have in common.
///
/// A row is `+`, then one entry per event: how many items it has in decimal and a newline; each item's audience, a
/// newline, the byte count of its head in decimal, a newline and its head (`{"id":…,"audience":…,"importance":…,`);
/// then the byte count of the tail they share, a newline, and the tail (`"origin":…,"facts":…,…,"event":…}`). An
/// item is its head followed by the tail: an event routed to two audiences is stored once, not twice (the
/// event's copy was two thirds of what the worker wrote, and wrote again to remove it).
///
/// Rows written before (migration v9 made them, and workers until then wrote them) hold each item whole: its
/// audience, a newline, its byte count, a newline and its bytes. They are read as they are; an audience
/// (`^[A-Za-z0-9-]+$`) never starts with `+` nor holds a newline, and a length says where bytes end, whatever they are.
///
/// A few rows per batch instead of one per item: a batch of 1,000 events routed to two audiences wrote 2,000 rows
/// (their index entries, their pages in the WAL, and their deletes after the relay).
struct OutboxBatch {
    /// The number of the item after the newest row's last (`NULL` for an empty outbox): where the next row starts.
    static let nextSequenceSQL =
        "SELECT seq + item_count FROM notification_outbox_batches ORDER BY seq DESC LIMIT 1"

    /// The first byte of a row of shared entries.
    private static let sharedMark = UInt8(ascii: "+")

    private(set) var bytes: [UInt8] = [sharedMark]
    /// How many items the row holds (an event's entry counts each of its items).
    private(set) var count = 0

    /// Appends one event's items: for each audience, the head of its item; and the tail they share.
    mutating func append(heads: some Collection<(audience: String, bytes: [UInt8])>, tail: [UInt8]) {
        appendNumber(heads.count)
        for head in heads {
            bytes.append(contentsOf: head.audience.utf8)
            bytes.append(UInt8(ascii: "\n"))
            appendNumber(head.bytes.count)
            bytes.append(contentsOf: head.bytes)
        }
        appendNumber(tail.count)
        bytes.append(contentsOf: tail)
        count += heads.count
    }

    /// A number in decimal and a newline.
    private mutating func appendNumber(_ number: Int) {
        bytes.append(contentsOf: String(number).utf8)
        bytes.append(UInt8(ascii: "\n"))
    }

    /// Whether the row holds no item.
    var isEmpty: Bool { count == 0 }

    /// Empties the row, keeping its capacity.
    mutating func removeAll() {
        bytes.removeAll(keepingCapacity: true)
        bytes.append(Self.sharedMark)
        count = 0
    }

    /// The items of a row in either format, in order, each whole.
    /// - Throws: ``StateStoreError/damaged(table:row:column:found:)`` naming the row and where its bytes stop
    ///   making sense.
    static func items(
        in bytes: UnsafeBufferPointer<UInt8>, sequence: Int64
    ) throws(StateStoreError) -> [(audience: String, item: [UInt8])] {
        var reader = RowReader(bytes: bytes, sequence: sequence)
        var items: [(audience: String, item: [UInt8])] = []
        if bytes.first == sharedMark {
            reader.position = 1
            while !reader.atEnd {
                let itemCount = try reader.number("an item count")
                var heads: [(audience: String, head: Range<Int>)] = []
                for _ in 0..<itemCount {
                    let audience = try reader.audience()
                    heads.append((audience, try reader.counted()))
                }
                let tail = try reader.counted()
                for (audience, head) in heads {
                    var item: [UInt8] = []
                    item.reserveCapacity(head.count + tail.count)
                    item.append(contentsOf: bytes[head])
                    item.append(contentsOf: bytes[tail])
                    items.append((audience, item))
                }
            }
        } else {
            while !reader.atEnd {
                let audience = try reader.audience()
                items.append((audience, Array(bytes[try reader.counted()])))
            }
        }
        return items
    }
}

/// Reads a packed row, naming where its bytes stop making sense.
private struct RowReader {
    let bytes: UnsafeBufferPointer<UInt8>
    let sequence: Int64
    var position = 0

    var atEnd: Bool { position >= bytes.count }

    func damaged(_ what: String) -> StateStoreError {
        .damaged(
            table: "notification_outbox_batches", row: "seq \(sequence)", column: "items",
            found: "\(what) at byte \(position) of \(bytes.count)")
    }

    /// The bytes up to the next newline, which is passed.
    mutating func line() throws(StateStoreError) -> Range<Int> {
        guard let end = bytes[position...].firstIndex(of: UInt8(ascii: "\n")) else { throw damaged("no newline") }
        defer { position = end + 1 }
        return position..<end
    }

    mutating func audience() throws(StateStoreError) -> String {
        let audience = try line()
        guard !audience.isEmpty else { throw damaged("an empty audience") }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[audience]), as: UTF8.self)
    }

    /// A decimal number on a line of its own; `what` names it when it is not one.
    mutating func number(_ what: String = "a length") throws(StateStoreError) -> Int {
        let digits = try line()
        guard !digits.isEmpty else { throw damaged("\(what) that is not a number") }
        var number = 0
        for digit in bytes[digits] {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(digit), number < 1 << 40 else {
                throw damaged("\(what) that is not a number")
            }
            number = number * 10 + Int(digit - UInt8(ascii: "0"))
        }
        return number
    }

    /// A byte count on a line of its own and the bytes it counts, which are passed.
    mutating func counted() throws(StateStoreError) -> Range<Int> {
        let count = try number()
        guard count <= bytes.count - position else { throw damaged("a length past the end") }
        defer { position += count }
        return position..<position + count
    }
}
