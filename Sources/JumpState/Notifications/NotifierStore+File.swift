import GRDB

extension StorePath {
    /// The notifier's file beside the state store at `statePath`: `.notifier` before the last extension
    /// (`state.sqlite` → `state.notifier.sqlite`), or after a name that has none.
    package static func notifierFile(besideStateStore statePath: String) -> String {
        let nameStart = statePath.lastIndex(of: "/").map { statePath.index(after: $0) } ?? statePath.startIndex
        guard let dot = statePath[nameStart...].lastIndex(of: "."), dot != nameStart else {
            return statePath + ".notifier"
        }
        return statePath[..<dot] + ".notifier" + statePath[dot...]
    }
}

extension NotifierStore {
    /// The schema under which the state store's file attaches while the notifier's file takes its tables over.
    static let stateStoreSchema = "state_store"

    /// The notifier file's named migrations; never edit one that has shipped, add another.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("n1: the notifier's intake, windows, digests and deliveries in a file of their own")
        {
            db in
            // Frozen: plain SQL. The tables of the state store's v2, v11 and v12, which its v16 drops. A state store
            // from before v16, attached as `state_store` (StateStore.init), gives its rows in this same transaction:
            // the file either has them all or does not exist as a store yet.
            try db.execute(
                sql: """
                    CREATE TABLE notifier_offsets (
                        topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                        PRIMARY KEY (topic, partition)) WITHOUT ROWID;
                    CREATE TABLE notifier_items (
                        item_id TEXT PRIMARY KEY, audience TEXT NOT NULL, importance INTEGER NOT NULL,
                        received_at INTEGER NOT NULL, item TEXT NOT NULL, digest_id TEXT);
                    CREATE INDEX notifier_items_open ON notifier_items (audience, digest_id);
                    CREATE TABLE notifier_totals (
                        topic TEXT NOT NULL, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL, totals TEXT NOT NULL,
                        PRIMARY KEY (topic, partition)) WITHOUT ROWID;
                    CREATE TABLE digest_windows (audience TEXT PRIMARY KEY, closed_through INTEGER NOT NULL);
                    CREATE TABLE digests (
                        id TEXT PRIMARY KEY, audience TEXT NOT NULL, window_start INTEGER NOT NULL,
                        window_end INTEGER NOT NULL, built_at INTEGER NOT NULL, item_count INTEGER NOT NULL,
                        digest TEXT NOT NULL);
                    CREATE TABLE deliveries (
                        digest_id TEXT NOT NULL REFERENCES digests (id), sink TEXT NOT NULL, recipient TEXT NOT NULL,
                        status TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
                        next_attempt_at INTEGER NOT NULL DEFAULT 0, claimed_by TEXT, claimed_until INTEGER,
                        file_offset INTEGER, delivered_at INTEGER, last_error TEXT,
                        resends INTEGER NOT NULL DEFAULT 0, delivered_to TEXT,
                        PRIMARY KEY (digest_id, sink, recipient)) WITHOUT ROWID;
                    CREATE INDEX deliveries_open ON deliveries (status, next_attempt_at);
                    """)
            let attached = try String.fetchAll(db, sql: "SELECT name FROM pragma_database_list")
            guard attached.contains(stateStoreSchema) else { return }
            let held = try String.fetchAll(
                db, sql: "SELECT name FROM \(stateStoreSchema).sqlite_master WHERE type = 'table'")
            for (table, columns) in movedTables where held.contains(table) {
                try db.execute(
                    sql: "INSERT INTO main.\(table) (\(columns)) SELECT \(columns) FROM \(stateStoreSchema).\(table)")
            }
        }
        return migrator
    }()

    /// The tables n1 takes over from a state store before v16, with their columns, in an order their references
    /// allow.
    static let movedTables: KeyValuePairs = [
        "notifier_offsets": "topic, partition, next_offset",
        "notifier_items": "item_id, audience, importance, received_at, item, digest_id",
        "notifier_totals": #"topic, partition, "offset", totals"#,
        "digest_windows": "audience, closed_through",
        "digests": "id, audience, window_start, window_end, built_at, item_count, digest",
        "deliveries": """
        digest_id, sink, recipient, status, attempts, next_attempt_at, claimed_by, claimed_until, file_offset, \
        delivered_at, last_error, resends, delivered_to
        """,
    ]
}
