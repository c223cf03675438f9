import Foundation
import GRDB
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

/// Stores written by the jump-consumer of each commit that shipped a store schema (built from git history by
/// `Fixtures/upgrades/make-fixtures.sh`, committed) upgrade to today's schema, hold what a fresh fold of the same
/// events holds today, and keep the notifier's offsets, items, windows, digests and deliveries, moved to the
/// notifier's file beside the store.
@Suite("Stores of every shipped schema upgrade to today's")
struct UpgradeFixtureTests {
    static let fixtures = packageRoot.appendingPathComponent("Tests/JumpStateTests/Fixtures/upgrades")
    static let names = ["v2-without-notifier-offsets", "v2", "v3", "v4", "v5", "v6", "v15"]
    /// The notifier's tables, which the state store held before its v16.
    static let notifierTables = [
        "notifier_offsets", "notifier_items", "notifier_totals", "digest_windows", "digests", "deliveries",
    ]

    @Test("the store upgrades and its fingerprints equal a fresh fold's", arguments: names)
    func upgrades(name: String) async throws {
        let directory = try testDirectory("upgrade")
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("\(name).sqlite").path
        try FileManager.default.copyItem(
            atPath: Self.fixtures.appendingPathComponent("\(name).sqlite").path, toPath: file)
        // Where the old worker applied each event (the ledger of applied ids), read before the upgrade.
        let placed = try await DatabaseQueue(path: file).read { db in
            try Row.fetchAll(db, sql: #"SELECT event_id, partition, "offset" FROM applied_events"#).map {
                (id: $0[0] as String, partition: $0[1] as Int32, offset: $0[2] as Int64)
            }
        }
        // The notifier's offsets: in their own table, or (a v2 store older than that table) among the fold's.
        let notifierOffsets = try await DatabaseQueue(path: file).read { db in
            let table =
                try db.tableExists("notifier_offsets") ? "notifier_offsets" : "partition_offsets"
            return try Row.fetchAll(
                db, sql: "SELECT partition, next_offset FROM \(table) WHERE topic = 'jump.notifications'"
            ).reduce(into: [Int32: Int64]()) { $0[$1[0]] = $1[1] }
        }
        #expect(!notifierOffsets.isEmpty, "the old notifier received items")
        // Every row of the notifier's tables, as text, table by table.
        @Sendable func notifierRows(_ db: Database) throws -> [String: [String]] {
            try Self.notifierTables.filter { try db.tableExists($0) }.reduce(into: [:]) { rows, table in
                rows[table] = try Row.fetchAll(db, sql: "SELECT * FROM \(table)").map { row in
                    row.databaseValues.map(\.description).joined(separator: "|")
                }.sorted()
            }
        }
        let notifierBefore = try await DatabaseQueue(path: file).read(notifierRows)
        let lines = try String(contentsOf: Self.fixtures.appendingPathComponent("events.jsonl"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        #expect(placed.count == lines.count, "the old worker applied every event")

        let upgraded = try StateStore(path: file)
        let fresh = try StateStore(path: directory.appendingPathComponent("fresh.sqlite").path)
        let decoder = EventDecoder()
        var byPartition: [Int32: [ConsumedRecord]] = [:]
        for line in lines {
            let event = try decoder.decode(Array(line.utf8))
            let place = try #require(placed.first { $0.id == event.id })
            byPartition[place.partition, default: []].append(
                ConsumedRecord(
                    partition: place.partition, offset: place.offset,
                    content: .event(event, raw: Array(line.utf8))))
        }
        for (partition, records) in byPartition.sorted(by: { $0.key < $1.key }) {
            try await fresh.apply(
                topic: "jump.events", records: records.sorted { $0.offset < $1.offset },
                expected: [partition: nil])
        }
        #expect(
            try await upgraded.fingerprints(topic: "jump.events")
                == (try await fresh.fingerprints(topic: "jump.events")))
        #expect(try await upgraded.notifier.offsets(topic: "jump.notifications") == notifierOffsets)
        // The notifier's rows are in its own file now, all of them (older stores' tables lack v11's and v12's
        // columns: those rows are compared on the columns they had), and the state store holds none.
        let notifierFile = StorePath.notifierFile(besideStateStore: file)
        let notifierAfter = try await DatabaseQueue(path: notifierFile).read(notifierRows)
        for (table, rows) in notifierBefore {
            let moved = try #require(notifierAfter[table], "\(table) is in the notifier's file")
            #expect(moved.count == rows.count, "\(table): every row moved")
            for (old, new) in zip(rows, moved) { #expect(new.hasPrefix(old), "\(table): the row is unchanged") }
        }
        if name == "v15" {
            #expect(notifierBefore["digests"]?.count == 2 && notifierBefore["deliveries"]?.count == 6)
        }
        let leftInState = try await DatabaseQueue(path: file).read { db in
            try Self.notifierTables.filter { try db.tableExists($0) }
        }
        #expect(leftInState.isEmpty, "the state store keeps no notifier table")
        let permissions = try FileManager.default.attributesOfItem(atPath: notifierFile)[.posixPermissions] as? Int
        #expect(permissions == 0o600, "the notifier's file is the owner's only, as the state store")
        let summary = try await upgraded.summary()
        #expect(summary.eventsApplied == lines.count)
        #expect(summary.totals == (try await fresh.summary().totals), "the running totals, recomputed or kept")
    }
}
