import Testing

@testable import JumpState

/// A batch's notification items packed in one outbox row read back as they went in, rows of the earlier format
/// still read, and a damaged row is named.
@Suite("Outbox rows of a batch's items")
struct OutboxBatchTests {
    @Test("each event's items read back whole, in order, with their audiences; the shared tail is stored once")
    func roundTrip() throws {
        let events: [(heads: [(audience: String, bytes: [UInt8])], tail: [UInt8])] = [
            ([("consulate", Array("{\"a\":\n".utf8)), ("governors-office", Array("12\n".utf8))], Array("1}".utf8)),
            ([("consulate", [])], []),
            ([("x", Array("ñ".utf8))], Array("✓\n3\n".utf8)),
        ]
        var batch = OutboxBatch()
        #expect(batch.isEmpty)
        for event in events { batch.append(heads: event.heads, tail: event.tail) }
        #expect(batch.count == 4)
        let read = try batch.bytes.withUnsafeBufferPointer { try OutboxBatch.items(in: $0, sequence: 7) }
        #expect(read.map(\.audience) == ["consulate", "governors-office", "consulate", "x"])
        #expect(read.map(\.item) == [Array("{\"a\":\n1}".utf8), Array("12\n1}".utf8), [], Array("ñ✓\n3\n".utf8)])
        // The first event's tail once, not once per audience.
        #expect(batch.bytes.count(where: { $0 == UInt8(ascii: "}") }) == 1)

        batch.removeAll()
        #expect(batch.isEmpty)
        #expect(try batch.bytes.withUnsafeBufferPointer { try OutboxBatch.items(in: $0, sequence: 8) }.isEmpty)
    }

    @Test("a row of the earlier format (one whole item after another, as migration v9 wrote them) is still read")
    func earlierFormat() throws {
        let row = Array("consulate\n8\n{\"a\":\n1}governors-office\n3\n12\nx\n0\n".utf8)
        let read = try row.withUnsafeBufferPointer { try OutboxBatch.items(in: $0, sequence: 3) }
        #expect(read.map(\.audience) == ["consulate", "governors-office", "x"])
        #expect(read.map(\.item) == [Array("{\"a\":\n1}".utf8), Array("12\n".utf8), []])
    }

    @Test(
        "a damaged row names the table, the row and where its bytes stop making sense",
        arguments: [
            ("consulate\n5\nabc", "a length past the end at byte 12 of 15"),
            ("consulate\nfive\nabcde", "a length that is not a number at byte 15 of 20"),
            ("consulate", "no newline at byte 0 of 9"),
            ("\n1\na", "an empty audience at byte 1 of 4"),
            ("consulate\n\n", "a length that is not a number at byte 11 of 11"),
            ("+two\n", "an item count that is not a number at byte 5 of 5"),
            ("+1\nconsulate\n2\n{}9\nab", "a length past the end at byte 19 of 21"),
            ("+1\nconsulate\n2\n{}", "no newline at byte 17 of 17"),
            ("+2\nconsulate\n0\n\n", "an empty audience at byte 16 of 16"),
        ])
    func damaged(bytes: String, found: String) throws {
        let error = #expect(throws: StateStoreError.self) {
            try Array(bytes.utf8).withUnsafeBufferPointer { try OutboxBatch.items(in: $0, sequence: 42) }
        }
        guard case .damaged(let table, let row, let column, let what) = error else {
            Issue.record("not a damaged row: \(String(describing: error))")
            return
        }
        #expect([table, row, column, what] == ["notification_outbox_batches", "seq 42", "items", found])
    }
}
