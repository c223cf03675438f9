import Testing

@testable import JumpState

/// A batch's notification items packed in one outbox row read back as they went in, and a damaged row is named.
@Suite("Outbox rows of a batch's items")
struct OutboxBatchTests {
    @Test("items with any bytes (newlines, digits, an empty one) read back in order with their audiences")
    func roundTrip() throws {
        let items: [(String, [UInt8])] = [
            ("consulate", Array("{\"a\":\n1}".utf8)),
            ("governors-office", Array("12\n34\n".utf8)),
            ("consulate", []),
            ("x", Array("ñ✓".utf8)),
        ]
        var batch = OutboxBatch()
        for (audience, item) in items { batch.append(audience: audience, item: item) }
        #expect(batch.count == 4)
        let read = try batch.bytes.withUnsafeBufferPointer { try OutboxBatch.items(in: $0, sequence: 7) }
        #expect(read.map(\.audience) == items.map(\.0))
        #expect(read.map(\.item) == items.map(\.1))
    }

    @Test(
        "a damaged row names the table, the row and where its bytes stop making sense",
        arguments: [
            ("consulate\n5\nabc", "a length past the end at byte 12 of 15"),
            ("consulate\nfive\nabcde", "a length that is not a number at byte 15 of 20"),
            ("consulate", "no newline at byte 0 of 9"),
            ("\n1\na", "an empty audience at byte 1 of 4"),
            ("consulate\n\n", "a length that is not a number at byte 11 of 11"),
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
