import Foundation
import GRDB
import JumpEvents
import JumpState
import JumpTestSupport
import Testing

/// Paths and files given as `--state`: every one has a clear answer, nothing traps, and a file that is not a
/// jump-relay store is left byte for byte as it was.
@Suite("Hostile state paths and files")
struct StoreFileTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("store-files"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    static let badPaths: [String] = [
        "", "/", ".", "..", "a/", "dir/", "/nonexistent-dir/state.sqlite", "x\u{0}y", "/etc/passwd/state.sqlite",
        "/dev/null/x", String(repeating: "d/", count: 300) + "s.sqlite", "/proc/self/state.sqlite",
    ]

    @Test("a path that cannot hold a store is refused with its reason, before anything is created", arguments: badPaths)
    func badPath(_ bad: String) {
        let before = try? FileManager.default.contentsOfDirectory(atPath: ".")
        #expect(throws: StateStoreError.self) { _ = try StateStore(path: bad) }
        #expect(throws: StateStoreError.self) { _ = try StateStore.openForReading(path: bad) }
        #expect((try? FileManager.default.contentsOfDirectory(atPath: ".")) == before, "nothing created")
    }

    @Test(
        "a one-character or relative file name is a store in that place",
        arguments: ["a", "s", "é", "state with spaces.sqlite", "-", "~"])
    func shortNames(_ name: String) async throws {
        let full = path(name)
        _ = try StateStore(path: full)
        #expect(try await StateStore.openForReading(path: full).summary().eventsApplied == 0)
        #expect(StorePath.parentDirectory(of: name) == ".")
        #expect(StorePath.parentDirectory(of: full) == directory.path)
    }

    @Test("opening a store waits for a lock another connection holds (a crash's WAL recovery) instead of failing")
    func lockedAtOpening() async throws {
        let file = path("locked.sqlite")
        _ = try StateStore(path: file)
        // An exclusive lock, as a connection recovering the WAL after a kill -9 holds it: readers and writers alike
        // get SQLITE_BUSY until it is released.
        let holder = try DatabaseQueue(path: file)
        try await holder.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA locking_mode = EXCLUSIVE")
            try db.execute(sql: "BEGIN EXCLUSIVE; CREATE TABLE held (x); COMMIT")
        }
        #expect(throws: DatabaseError.self) {
            let other = try DatabaseQueue(path: file)
            _ = try other.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
        }
        DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { try? holder.close() }
        let opened = ContinuousClock.now
        let store = try StateStore(path: file, backgroundCheckpoints: true)
        #expect(ContinuousClock.now - opened >= .milliseconds(400), "it waited for the lock")
        #expect(try await StateStore.openForReading(path: file).summary().eventsApplied == 0)
        #expect(try store.nextOffsets(topic: "jump.events").isEmpty)
    }

    enum Foreign: String, CaseIterable, Sendable {
        case text, sqliteOtherApp, sqliteHeaderGarbage, grdbOtherApp, binary
    }

    @Test(
        "a file that is not a jump-relay store is refused untouched, by the worker and by queries",
        arguments: Foreign.allCases)
    func foreignFile(_ kind: Foreign) throws {
        let file = path("foreign-\(kind.rawValue)")
        switch kind {
        case .text: try Data("hello\n".utf8).write(to: URL(fileURLWithPath: file))
        case .binary: try Data((0..<4096).map { UInt8($0 % 251) }).write(to: URL(fileURLWithPath: file))
        case .sqliteHeaderGarbage:
            try Data(Array("SQLite format 3\0".utf8) + Array(repeating: 0xAB, count: 4_080)).write(
                to: URL(fileURLWithPath: file))
        case .sqliteOtherApp:
            let queue = try DatabaseQueue(path: file)
            try queue.write {
                try $0.execute(sql: "CREATE TABLE invoices (id INTEGER PRIMARY KEY); INSERT INTO invoices VALUES (1)")
            }
            try queue.close()
        case .grdbOtherApp:
            var migrator = DatabaseMigrator()
            migrator.registerMigration("other app v1") { try $0.execute(sql: "CREATE TABLE notes (id INTEGER)") }
            let queue = try DatabaseQueue(path: file)
            try migrator.migrate(queue)
            try queue.close()
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(throws: StateStoreError.self) { _ = try StateStore(path: file) }
        #expect(throws: StateStoreError.self) { _ = try StateStore.openForReading(path: file) }
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before, "left byte for byte")
        #expect(!FileManager.default.fileExists(atPath: file + "-wal"))
    }

    @Test("a store written by a newer version is refused by the worker and by queries, naming the migration")
    func newerStore() throws {
        let file = path("newer.sqlite")
        _ = try StateStore(path: file)
        let queue = try DatabaseQueue(path: file)
        try queue.write {
            try $0.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES ('v99: from the future')")
        }
        try queue.close()
        for open in [{ _ = try StateStore(path: file) }, { _ = try StateStore.openForReading(path: file) }] {
            let error = #expect(throws: StateStoreError.self) { try open() }
            #expect(error == .newerStore(path: file, unknown: ["v99: from the future"]))
            #expect(error?.description.contains("newer jump-relay") == true)
        }
    }

    @Test("queries open read-only: a query never creates tables, and never writes to the store")
    func queriesNeverWrite() async throws {
        let file = path("read-only.sqlite")
        _ = try StateStore(path: file)
        let before = try Data(contentsOf: URL(fileURLWithPath: file))
        let reader = try StateStore.openForReading(path: file)
        _ = try await reader.summary()
        _ = try await reader.anomalies()
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == before)
        #expect(throws: StateStoreError.self) { _ = try StateStore.openForReading(path: path("absent.sqlite")) }
        #expect(!FileManager.default.fileExists(atPath: path("absent.sqlite")))
    }

    @Test("a store written before v4 (with a total that overflowed into a float) is upgraded with saturated totals")
    func upgradeFromV3() async throws {
        let file = path("v3.sqlite")
        let store = try StateStore(path: file)
        _ = store
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in
            // What a v3 store held after an overflow: SQLite had turned the sum into a float.
            try db.execute(
                sql: """
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v4%' OR identifier LIKE 'v5%'
                        OR identifier LIKE 'v6%' OR identifier LIKE 'v7%';
                    DROP TABLE totals_series; DROP TABLE totals_counts;
                    ALTER TABLE totals_expansions DROP COLUMN planned_unstated;
                    ALTER TABLE exports DROP COLUMN qualifiers; ALTER TABLE jobs DROP COLUMN qualifiers;
                    INSERT INTO meetings (partition, meeting_id, held_on, place, city, country, topics, participants,
                        summary) VALUES (0, 'm1', '2025-01-01', 'Capitol', 'Salt Lake City', 'US', 'trade', 3, 's');
                    INSERT INTO exports (partition, origin, destination, year, quarter, value_cents, source)
                        VALUES (0, 'US-UT', 'MX', 2024, 0, 500, 'census'), (0, 'US-UT', 'MX', 2025, 0, 700, 'census');
                    INSERT INTO partition_stats (partition, applied, duplicates, dead_lettered, anomalies)
                        VALUES (0, 5, 0, 0, 0);
                    """)
            try db.execute(sql: "DROP TABLE store_info")
            try db.execute(
                sql: """
                    INSERT INTO partition_offsets VALUES ('jump.events', 0, 2);
                    INSERT INTO investments (partition, investment_id, investor_id, direction, amount_cents, sector, region, announced_on) VALUES (0, 'a', 'co.a', 'mx-to-utah', 1000000000000000, 's', 'US-UT', '2025-01-01');
                    INSERT INTO investments (partition, investment_id, investor_id, direction, amount_cents, sector, region, announced_on) VALUES (0, 'b', 'co.a', 'mx-to-utah', 1000000000000000, 's', 'US-UT', '2025-01-01');
                    INSERT OR REPLACE INTO totals_investments VALUES (0, 'mx-to-utah', 2, 9.3e18);
                    """)
        }
        let upgraded = try StateStore(path: file)
        #expect(try await upgraded.summary().investmentsByDirection["mx-to-utah"] == [2, 2_000_000_000_000_000])
        #expect(try await upgraded.storedFoldVersion() == 1, "a store with events keeps its fold version until rebuilt")
        let triggers = try await queue.read {
            try String.fetchAll($0, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'")
        }
        #expect(triggers.isEmpty, "v5 drops the totals triggers v4 created: \(triggers)")
        let check = try #require(try await upgraded.totalsCheck()[0])
        // (Its company links are not a v3 store's: the rows above were inserted without v3's triggers.)
        #expect(
            check.kept.exports == check.recomputed.exports && check.kept.jobs == check.recomputed.jobs
                && check.kept.meetings == check.recomputed.meetings
                && check.kept.initiatives == check.recomputed.initiatives,
            "v6 fills the kept series and counts from the rows")
        #expect(check.kept.meetings == 1 && check.kept.exports.first?.previousValue == 500)
    }

    @Test(
        "a store whose v2 predates notifier_offsets (made between cc481fb and 04c680f) gets the table from v8, with the notifier's offsets moved out of the fold's"
    )
    func upgradeFromEarlyV2() async throws {
        let file = path("early-v2.sqlite")
        let queue = try DatabaseQueue(path: file)
        try StateStore.migrator.migrate(
            queue, upTo: "v7: undisclosed planned figures, stated figures, quarters against a year earlier")
        try await queue.write { db in
            try db.execute(
                sql: """
                    DROP TABLE notifier_offsets;
                    INSERT INTO partition_offsets VALUES ('jump.events', 0, 5), ('jump.notifications', 0, 7);
                    """)
        }
        let upgraded = try StateStore(path: file)
        #expect(try await upgraded.notifier.offsets(topic: "jump.notifications") == [0: 7])
        #expect(try await upgraded.summary().partitions.map(\.topic) == ["jump.events"], "the fold's offsets only")
    }

    @Test(
        "both shipped variants of v1 (with the outbox index 2fcdd0e took out of it, and without) upgrade to the schema of a new store",
        arguments: [true, false])
    func v1Variants(shippedIndex: Bool) async throws {
        let file = path("v1-\(shippedIndex).sqlite")
        let queue = try DatabaseQueue(path: file)
        try StateStore.migrator.migrate(queue, upTo: "v1: pipeline and state")
        if shippedIndex {
            try await queue.write { try $0.execute(sql: "CREATE INDEX outbox_unsent ON outbox (sent, id)") }
        }
        try queue.close()
        _ = try StateStore(path: file)
        let fresh = path("fresh.sqlite")
        _ = try StateStore(path: fresh)
        let upgraded = try schema(file)
        #expect(upgraded == (try schema(fresh)))
        #expect(!upgraded.contains { $0.contains("outbox_unsent") }, "v2 drops v1's outbox and its index")
    }

    @Test(
        "items waiting in a v8 store's outbox, one row each, are kept by v9 in their order with their bytes, and relayed from the rows a batch now writes"
    )
    func outboxRowsUpgrade() async throws {
        let file = path("v8-outbox.sqlite")
        let queue = try DatabaseQueue(path: file)
        try StateStore.migrator.migrate(queue, upTo: "v8: the notifier's offsets for stores whose v2 predates them")
        let waiting = [
            ("consulate", #"{"id":"consulate:e1","note":"línea\nnueva"}"#),
            ("governors-office", #"{"id":"governors-office:e1"}"#),
            ("consulate", #"{"id":"consulate:e2"}"#),
        ]
        try await queue.write { db in
            for (audience, item) in waiting {
                try db.execute(
                    sql: "INSERT INTO notification_outbox (audience, item) VALUES (?, ?)", arguments: [audience, item])
            }
        }
        try queue.close()
        let store = try StateStore(path: file)
        let pending = try await store.pendingNotifications(limit: 100)
        #expect(pending.map(\.audience) == waiting.map(\.0))
        #expect(pending.map { String(decoding: $0.item, as: UTF8.self) } == waiting.map(\.1))
        #expect(try await store.outboxDepth() == 3)
        #expect(try await store.pendingNotifications(limit: 2).count == 2, "one item per upgraded row")
        try await store.removeNotifications([pending[0].sequence])
        #expect(try await store.outboxDepth() == 2)

        // A batch applied after the upgrade: its row is numbered on from the migrated ones, and relayed after them.
        let decoder = EventDecoder()
        let records = try EventGenerator(seed: 9).prefix(5).enumerated().map { offset, line in
            ConsumedRecord(
                partition: 0, offset: Int64(offset), content: .event(try decoder.decode(Array(line)), raw: Array(line)))
        }
        try await store.apply(topic: "jump.events", records: records, expected: [0: nil], router: EveryEvent())
        let after = try await store.pendingNotifications(limit: 100)
        #expect(after.count == 2 + 5)
        #expect(after.prefix(2).map { String(decoding: $0.item, as: UTF8.self) } == waiting.suffix(2).map(\.1))
        #expect(after.suffix(5).allSatisfy { $0.sequence > pending[2].sequence && $0.audience == "everyone" })
        #expect(try await store.outboxDepth() == 7)
    }

    /// Routes every event to one audience.
    private struct EveryEvent: NotificationRouter {
        func routes(for facts: NotificationFacts) -> [NotificationRoute] {
            [NotificationRoute(audience: "everyone", importance: 1)]
        }
    }

    /// Every table, index and trigger of the store at `file` with its SQL, and the migrations applied.
    private func schema(_ file: String) throws -> [String] {
        try DatabaseQueue(path: file).read { db in
            try String.fetchAll(
                db,
                sql: """
                    SELECT type || ' ' || name || ': ' || COALESCE(sql, '') FROM sqlite_master
                    WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name
                    """) + (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations ORDER BY 1"))
        }
    }

    @Test(
        "a v6 store is upgraded by v7: quarters compared with the same quarter a year earlier, undisclosed figures counted"
    )
    func upgradeFromV6() async throws {
        let file = path("v6.sqlite")
        let store = try StateStore(path: file)
        var builder = RecordBuilder()
        let lines = [
            #"{"origin":"US-UT","destination":"MX","period":{"year":2024,"quarter":2},"valueUsdCents":100,"source":"s"}"#,
            #"{"origin":"US-UT","destination":"MX","period":{"year":2025,"quarter":1},"valueUsdCents":200,"source":"s"}"#,
            #"{"origin":"US-UT","destination":"MX","period":{"year":2025,"quarter":2},"valueUsdCents":300,"source":"s"}"#,
        ].enumerated().map { index, data in
            #"{"specversion":"1.0","id":"x\#(index)","source":"t","type":"jump.trade.exports-reported","subject":"exports","time":"2025-01-01T00:00:00Z","data":\#(data)}"#
        }
        try await store.apply(
            topic: "jump.events", records: try lines.map { try builder.record($0) }, expected: [0: nil])
        let queue = try DatabaseQueue(path: file)
        try await queue.write { db in
            // What v6 kept: the quarter before, and no count of undisclosed figures (none could be left out then).
            try db.execute(
                sql: """
                    DELETE FROM grdb_migrations WHERE identifier LIKE 'v7%';
                    ALTER TABLE totals_expansions DROP COLUMN planned_unstated;
                    ALTER TABLE exports DROP COLUMN qualifiers; ALTER TABLE jobs DROP COLUMN qualifiers;
                    ALTER TABLE totals_series DROP COLUMN qualifiers;
                    ALTER TABLE totals_series DROP COLUMN previous_qualifiers;
                    UPDATE totals_series SET previous_period = '2025-Q1', previous_value = 200 WHERE period = '2025-Q2';
                    """)
        }
        let upgraded = try StateStore(path: file)
        let check = try await #require(try upgraded.totalsCheck()[0])
        #expect(check.kept == check.recomputed)
        #expect(check.kept.exports.first?.previousPeriod == "2024-Q2" && check.kept.exports.first?.previousValue == 100)
    }
}

/// The notifier's file beside the state store: where it is, what a foreign or missing one does, and an upgrade
/// interrupted between its two steps.
@Suite("The notifier's file beside the state store")
struct NotifierFileTests {
    let directory: URL

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent(uniqueTopic("notifier-files"))
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { directory.appendingPathComponent(name).path }

    /// A copy of the v15 fixture (a state store whose notifier shared its file, with two digests) at `name`.
    func v15Store(_ name: String) throws -> String {
        let file = path(name)
        try FileManager.default.copyItem(
            atPath: UpgradeFixtureTests.fixtures.appendingPathComponent("v15.sqlite").path, toPath: file)
        return file
    }

    @Test(
        "its name is the store's with .notifier before the extension",
        arguments: [
            ("state.sqlite", "state.notifier.sqlite"), ("/var/lib/j/state.db", "/var/lib/j/state.notifier.db"),
            ("jump-state", "jump-state.notifier"), ("a.b/state", "a.b/state.notifier"), (".hidden", ".hidden.notifier"),
            ("-", "-.notifier"),
        ])
    func name(_ state: String, _ notifier: String) {
        #expect(StorePath.notifierFile(besideStateStore: state) == notifier)
    }

    @Test("a foreign file where the notifier's goes is refused untouched, and the state store is not upgraded")
    func foreignNotifierFile() throws {
        let file = try v15Store("state.sqlite")
        let notifier = path("state.notifier.sqlite")
        try Data("not a store\n".utf8).write(to: URL(fileURLWithPath: notifier))
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: file))
        let error = #expect(throws: StateStoreError.self) { _ = try StateStore(path: file) }
        #expect(error == .notAStore(path: notifier, reason: "not an SQLite database"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: notifier)) == Data("not a store\n".utf8))
        #expect(try Data(contentsOf: URL(fileURLWithPath: file)) == stateBefore, "the state store as it was")
    }

    @Test("a query on a store whose notifier's file is gone names the file and what to do")
    func missingNotifierFile() throws {
        let file = path("state.sqlite")
        try StateStore(path: file).close()
        try FileManager.default.removeItem(atPath: path("state.notifier.sqlite"))
        let error = #expect(throws: StateStoreError.self) { _ = try StateStore.openForReading(path: file) }
        #expect(error?.description.contains(path("state.notifier.sqlite")) == true)
        #expect(error?.description.contains("state backup writes both") == true, "\(String(describing: error))")
    }

    @Test("a worker refuses a store whose notifier's file is gone, rather than start one empty that digests again")
    func workerRefusesMissingNotifierFile() throws {
        let file = path("state.sqlite")
        try StateStore(path: file).close()
        let notifier = path("state.notifier.sqlite")
        for damage in ["removed", "emptied"] {
            if damage == "removed" {
                try FileManager.default.removeItem(atPath: notifier)
            } else {
                try Data().write(to: URL(fileURLWithPath: notifier))
            }
            let error = #expect(throws: StateStoreError.self) { _ = try StateStore(path: file) }
            #expect(
                error?.description.contains("\(notifier): the notifier's file") == true, "\(String(describing: error))")
            #expect(error?.description.contains("restore it") == true)
            #expect((try? Data(contentsOf: URL(fileURLWithPath: notifier)))?.isEmpty ?? true, "nothing written")
        }
    }

    @Test("a notifier's file whose first migration stopped midway (only GRDB's table of migrations) is taken as new")
    func stoppedDuringFirstMigration() async throws {
        let file = try v15Store("state.sqlite")
        let queue = try DatabaseQueue(path: path("state.notifier.sqlite"))
        try await queue.write {
            try $0.execute(sql: "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        }
        try queue.close()
        let store = try StateStore(path: file)
        #expect(try await store.notifier.digests().count == 2, "the rows moved")
    }

    @Test(
        "an upgrade stopped after the notifier's file took the tables over and before the state store dropped them finishes on the next opening, with every row once"
    )
    func interruptedUpgrade() async throws {
        let file = try v15Store("state.sqlite")
        let untouched = try v15Store("untouched.sqlite")
        // The first step done: the notifier's file has the rows (n1), the state store is still at v15.
        try StateStore(path: file).close()
        try FileManager.default.removeItem(atPath: file)
        try FileManager.default.copyItem(atPath: untouched, toPath: file)
        let reopened = try StateStore(path: file)
        let digests = try await reopened.notifier.digests()
        #expect(digests.count == 2, "each digest once")
        #expect(digests.allSatisfy { $0.deliveries.count == 3 })
        let left = try await DatabaseQueue(path: file).read { db in try db.tableExists("digests") }
        #expect(!left, "v16 ran")
    }
}
