import GRDB

extension StateStore {
    /// Named migrations; never edit one that has shipped, add another.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1: pipeline and state") { db in
            try db.execute(
                sql: """
                    CREATE TABLE partition_offsets (
                        topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                        PRIMARY KEY (topic, partition)) WITHOUT ROWID;
                    CREATE TABLE partition_stats (
                        partition INTEGER PRIMARY KEY, applied INTEGER NOT NULL DEFAULT 0,
                        duplicates INTEGER NOT NULL DEFAULT 0, dead_lettered INTEGER NOT NULL DEFAULT 0,
                        anomalies INTEGER NOT NULL DEFAULT 0);
                    CREATE TABLE applied_events (
                        partition INTEGER NOT NULL, event_id TEXT NOT NULL, "offset" INTEGER NOT NULL,
                        PRIMARY KEY (partition, event_id)) WITHOUT ROWID;
                    CREATE INDEX applied_events_by_offset ON applied_events (partition, "offset");
                    CREATE TABLE companies (
                        partition INTEGER NOT NULL, company_id TEXT NOT NULL, name TEXT NOT NULL,
                        country TEXT NOT NULL, sector TEXT NOT NULL,
                        PRIMARY KEY (partition, company_id)) WITHOUT ROWID;
                    CREATE TABLE expansions (
                        partition INTEGER NOT NULL, expansion_id TEXT NOT NULL, company_id TEXT NOT NULL,
                        direction TEXT, city TEXT, region TEXT, planned_jobs INTEGER, planned_cents INTEGER,
                        announced_on TEXT, status TEXT NOT NULL, actual_jobs INTEGER, actual_cents INTEGER,
                        opened_on TEXT, withdrawal_reason TEXT, withdrawn_on TEXT,
                        PRIMARY KEY (partition, expansion_id)) WITHOUT ROWID;
                    CREATE TABLE investments (
                        partition INTEGER NOT NULL, investment_id TEXT NOT NULL, investor_id TEXT NOT NULL,
                        direction TEXT NOT NULL, amount_cents INTEGER NOT NULL, sector TEXT NOT NULL,
                        region TEXT NOT NULL, announced_on TEXT NOT NULL,
                        PRIMARY KEY (partition, investment_id)) WITHOUT ROWID;
                    CREATE TABLE exports (
                        partition INTEGER NOT NULL, origin TEXT NOT NULL, destination TEXT NOT NULL,
                        year INTEGER NOT NULL, quarter INTEGER NOT NULL, value_cents INTEGER NOT NULL,
                        source TEXT NOT NULL, revisions INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (partition, origin, destination, year, quarter)) WITHOUT ROWID;
                    CREATE TABLE jobs (
                        partition INTEGER NOT NULL, scope TEXT NOT NULL, year INTEGER NOT NULL,
                        quarter INTEGER NOT NULL, jobs_supported INTEGER NOT NULL, source TEXT NOT NULL,
                        revisions INTEGER NOT NULL DEFAULT 0,
                        PRIMARY KEY (partition, scope, year, quarter)) WITHOUT ROWID;
                    CREATE TABLE meetings (
                        partition INTEGER NOT NULL, meeting_id TEXT NOT NULL, held_on TEXT NOT NULL,
                        place TEXT NOT NULL, city TEXT NOT NULL, country TEXT NOT NULL, topics TEXT NOT NULL,
                        participants INTEGER NOT NULL, summary TEXT NOT NULL,
                        PRIMARY KEY (partition, meeting_id)) WITHOUT ROWID;
                    CREATE TABLE initiatives (
                        partition INTEGER NOT NULL, initiative_id TEXT NOT NULL, title TEXT NOT NULL,
                        parties TEXT NOT NULL, announced_on TEXT NOT NULL, status TEXT NOT NULL,
                        summary TEXT NOT NULL,
                        PRIMARY KEY (partition, initiative_id)) WITHOUT ROWID;
                    CREATE TABLE anomalies (
                        partition INTEGER NOT NULL, "offset" INTEGER NOT NULL, event_id TEXT NOT NULL,
                        kind TEXT NOT NULL, detail TEXT NOT NULL,
                        PRIMARY KEY (partition, "offset", kind)) WITHOUT ROWID;
                    CREATE TABLE outbox (
                        id INTEGER PRIMARY KEY AUTOINCREMENT, partition INTEGER NOT NULL, "offset" INTEGER NOT NULL,
                        event_id TEXT NOT NULL, type TEXT NOT NULL, subject TEXT NOT NULL, item TEXT NOT NULL,
                        sent INTEGER NOT NULL DEFAULT 0);
                    """)
        }
        migrator.registerMigration("v2: notification items and the notifier") { db in
            // v1's outbox held raw events and had no relay, so nothing ever read it: it is replaced, not converted.
            try db.execute(
                sql: """
                    DROP TABLE outbox;
                    CREATE TABLE notification_outbox (
                        seq INTEGER PRIMARY KEY AUTOINCREMENT, audience TEXT NOT NULL, item TEXT NOT NULL);
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
                        PRIMARY KEY (digest_id, sink, recipient)) WITHOUT ROWID;
                    CREATE INDEX deliveries_open ON deliveries (status, next_attempt_at);
                    """)
        }
        return migrator
    }()
}
