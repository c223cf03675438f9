import GRDB

extension StateStore {
    /// The last migration after which the notifier's tables are still in this file (v16 moves them out).
    static let lastWithNotifierTables = "v15: when each anomaly was recorded"
    /// The migration that moves them out.
    static let firstWithoutNotifierTables = "v16: the notifier's tables moved to a file of their own"

    /// Named migrations; never edit one that has shipped, add another.
    package static let migrator = makeMigrator(movingNotifierTables: true)

    /// The migrations up to ``lastWithNotifierTables``: run before the notifier's file takes the tables over. A
    /// migrator without v16 never traps on a store another process moved meanwhile (GRDB's `migrate(_:upTo:)`
    /// does), it leaves v16 alone.
    static let migratorWithNotifierTables = makeMigrator(movingNotifierTables: false)

    private static func makeMigrator(movingNotifierTables: Bool) -> DatabaseMigrator {
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
        migrator.registerMigration("v3: running totals kept by triggers") { db in
            // Notification items carry their partition's totals after every batch: aggregating the partition's
            // rows each time cost O(rows) per batch. Triggers keep the aggregates as the rows change, in the same
            // transactions, so reading them costs a few rows. A row counts a company in a direction while it
            // links them (an expansion not withdrawn, an investment); a company counts while it has a link.
            try db.execute(
                sql: """
                    CREATE TABLE totals_expansions (
                        partition INTEGER NOT NULL, direction TEXT NOT NULL, status TEXT NOT NULL,
                        count INTEGER NOT NULL, planned_jobs INTEGER NOT NULL, planned_cents INTEGER NOT NULL,
                        actual_jobs INTEGER NOT NULL, actual_cents INTEGER NOT NULL,
                        PRIMARY KEY (partition, direction, status)) WITHOUT ROWID;
                    CREATE TABLE totals_investments (
                        partition INTEGER NOT NULL, direction TEXT NOT NULL, count INTEGER NOT NULL,
                        cents INTEGER NOT NULL, PRIMARY KEY (partition, direction)) WITHOUT ROWID;
                    CREATE TABLE company_links (
                        partition INTEGER NOT NULL, direction TEXT NOT NULL, company_id TEXT NOT NULL,
                        links INTEGER NOT NULL, PRIMARY KEY (partition, direction, company_id)) WITHOUT ROWID;
                    CREATE TABLE totals_companies (
                        partition INTEGER NOT NULL, direction TEXT NOT NULL, companies INTEGER NOT NULL,
                        PRIMARY KEY (partition, direction)) WITHOUT ROWID;

                    CREATE TRIGGER expansions_totals_insert AFTER INSERT ON expansions WHEN NEW.direction IS NOT NULL
                    BEGIN
                        INSERT INTO totals_expansions VALUES (NEW.partition, NEW.direction, NEW.status, 1,
                            COALESCE(NEW.planned_jobs, 0), COALESCE(NEW.planned_cents, 0),
                            COALESCE(NEW.actual_jobs, 0), COALESCE(NEW.actual_cents, 0))
                        ON CONFLICT DO UPDATE SET count = count + 1, planned_jobs = planned_jobs + excluded.planned_jobs,
                            planned_cents = planned_cents + excluded.planned_cents,
                            actual_jobs = actual_jobs + excluded.actual_jobs,
                            actual_cents = actual_cents + excluded.actual_cents;
                        INSERT INTO company_links SELECT NEW.partition, NEW.direction, NEW.company_id, 1
                            WHERE NEW.status != 'withdrawn' ON CONFLICT DO UPDATE SET links = links + 1;
                    END;
                    CREATE TRIGGER expansions_totals_update AFTER UPDATE ON expansions BEGIN
                        UPDATE totals_expansions SET count = count - 1,
                            planned_jobs = planned_jobs - COALESCE(OLD.planned_jobs, 0),
                            planned_cents = planned_cents - COALESCE(OLD.planned_cents, 0),
                            actual_jobs = actual_jobs - COALESCE(OLD.actual_jobs, 0),
                            actual_cents = actual_cents - COALESCE(OLD.actual_cents, 0)
                        WHERE partition = OLD.partition AND direction = OLD.direction AND status = OLD.status;
                        INSERT INTO totals_expansions SELECT NEW.partition, NEW.direction, NEW.status, 1,
                            COALESCE(NEW.planned_jobs, 0), COALESCE(NEW.planned_cents, 0),
                            COALESCE(NEW.actual_jobs, 0), COALESCE(NEW.actual_cents, 0)
                            WHERE NEW.direction IS NOT NULL
                        ON CONFLICT DO UPDATE SET count = count + 1, planned_jobs = planned_jobs + excluded.planned_jobs,
                            planned_cents = planned_cents + excluded.planned_cents,
                            actual_jobs = actual_jobs + excluded.actual_jobs,
                            actual_cents = actual_cents + excluded.actual_cents;
                        UPDATE company_links SET links = links - 1
                        WHERE OLD.status != 'withdrawn' AND partition = OLD.partition AND direction = OLD.direction
                            AND company_id = OLD.company_id;
                        INSERT INTO company_links SELECT NEW.partition, NEW.direction, NEW.company_id, 1
                            WHERE NEW.direction IS NOT NULL AND NEW.status != 'withdrawn'
                        ON CONFLICT DO UPDATE SET links = links + 1;
                    END;

                    CREATE TRIGGER investments_totals_insert AFTER INSERT ON investments BEGIN
                        INSERT INTO totals_investments VALUES (NEW.partition, NEW.direction, 1, NEW.amount_cents)
                        ON CONFLICT DO UPDATE SET count = count + 1, cents = cents + excluded.cents;
                        INSERT INTO company_links VALUES (NEW.partition, NEW.direction, NEW.investor_id, 1)
                        ON CONFLICT DO UPDATE SET links = links + 1;
                    END;
                    CREATE TRIGGER investments_totals_update AFTER UPDATE ON investments BEGIN
                        UPDATE totals_investments SET count = count - 1, cents = cents - OLD.amount_cents
                        WHERE partition = OLD.partition AND direction = OLD.direction;
                        INSERT INTO totals_investments VALUES (NEW.partition, NEW.direction, 1, NEW.amount_cents)
                        ON CONFLICT DO UPDATE SET count = count + 1, cents = cents + excluded.cents;
                        UPDATE company_links SET links = links - 1
                        WHERE partition = OLD.partition AND direction = OLD.direction AND company_id = OLD.investor_id;
                        INSERT INTO company_links VALUES (NEW.partition, NEW.direction, NEW.investor_id, 1)
                        ON CONFLICT DO UPDATE SET links = links + 1;
                    END;

                    CREATE TRIGGER company_links_insert AFTER INSERT ON company_links BEGIN
                        INSERT INTO totals_companies VALUES (NEW.partition, NEW.direction, 1)
                        ON CONFLICT DO UPDATE SET companies = companies + 1;
                    END;
                    CREATE TRIGGER company_links_update AFTER UPDATE OF links ON company_links
                    WHEN (OLD.links > 0) != (NEW.links > 0) BEGIN
                        UPDATE totals_companies SET companies = companies + (CASE WHEN NEW.links > 0 THEN 1 ELSE -1 END)
                        WHERE partition = NEW.partition AND direction = NEW.direction;
                    END;

                    INSERT INTO totals_expansions SELECT partition, direction, status, COUNT(*),
                        SUM(COALESCE(planned_jobs, 0)), SUM(COALESCE(planned_cents, 0)), SUM(COALESCE(actual_jobs, 0)),
                        SUM(COALESCE(actual_cents, 0))
                    FROM expansions WHERE direction IS NOT NULL GROUP BY 1, 2, 3;
                    INSERT INTO totals_investments SELECT partition, direction, COUNT(*), SUM(amount_cents)
                    FROM investments GROUP BY 1, 2;
                    INSERT INTO company_links SELECT partition, direction, company_id, COUNT(*) FROM (
                        SELECT partition, direction, company_id FROM expansions
                        WHERE direction IS NOT NULL AND status != 'withdrawn'
                        UNION ALL SELECT partition, direction, investor_id FROM investments)
                    GROUP BY 1, 2, 3;
                    """)
        }
        migrator.registerMigration("v4: saturating totals, fold version") { db in
            // Frozen (it called the live TotalsTriggers, SaturatingTotal and StateStore.foldVersion until the
            // house-in-order change): MigrationV4.
            try MigrationV4.migrate(db)
        }
        migrator.registerMigration("v5: running totals kept by the fold") { db in
            // The fold keeps the totals in memory for a batch and writes each changed row once (RunningTotals):
            // the triggers ran two to six statements for every state row written, 15-30 % of the worker's CPU.
            for trigger in [
                "expansions_totals_insert", "expansions_totals_update", "investments_totals_insert",
                "investments_totals_update", "company_links_insert", "company_links_update",
            ] {
                try db.execute(sql: "DROP TRIGGER IF EXISTS \(trigger)")
            }
        }
        migrator.registerMigration("v6: series and record counts kept by the fold") { db in
            // Reading a partition's totals after every batch ranked every exports and jobs row of the partition and
            // counted its meetings and initiatives: a quarter of the worker's time once the store held 100,000
            // events. The fold now keeps them (SeriesKind.refresh, RunningTotals).
            try db.execute(
                sql: """
                    CREATE TABLE totals_series (
                        partition INTEGER NOT NULL, kind TEXT NOT NULL, position INTEGER NOT NULL,
                        series TEXT NOT NULL, period TEXT NOT NULL, value INTEGER NOT NULL,
                        previous_period TEXT, previous_value INTEGER,
                        PRIMARY KEY (partition, kind, position)) WITHOUT ROWID;
                    CREATE TABLE totals_counts (
                        partition INTEGER PRIMARY KEY, meetings INTEGER NOT NULL, initiatives INTEGER NOT NULL);
                    INSERT INTO totals_counts SELECT partition,
                        (SELECT COUNT(*) FROM meetings m WHERE m.partition = p.partition),
                        (SELECT COUNT(*) FROM initiatives i WHERE i.partition = p.partition)
                    FROM (SELECT partition FROM meetings UNION SELECT partition FROM initiatives) p;
                    """)
            // Frozen as plain SQL (it called the live SeriesKind.refresh until v7 changed what it reads): each
            // series' latest year and latest quarter, each with the period of its kind before it, in the order
            // of the series (years first).
            for (kind, table, series, value) in [
                ("exports", "exports", "origin || '→' || destination", "value_cents"),
                ("jobs", "jobs", "scope", "jobs_supported"),
            ] {
                try db.execute(
                    sql: """
                        INSERT INTO totals_series
                        SELECT partition, '\(kind)',
                            ROW_NUMBER() OVER (PARTITION BY partition ORDER BY series, quarter != 0) - 1,
                            series, period, value, previous_period, previous_value
                        FROM (
                            SELECT partition, \(series) AS series, quarter,
                                CASE WHEN quarter = 0 THEN CAST(year AS TEXT) ELSE year || '-Q' || quarter END AS period,
                                \(value) AS value,
                                LAG(CASE WHEN quarter = 0 THEN CAST(year AS TEXT) ELSE year || '-Q' || quarter END)
                                    OVER kinds AS previous_period,
                                LAG(\(value)) OVER kinds AS previous_value,
                                ROW_NUMBER() OVER (
                                    PARTITION BY partition, \(series), quarter != 0 ORDER BY year DESC, quarter DESC
                                ) AS latest
                            FROM \(table)
                            WINDOW kinds AS (PARTITION BY partition, \(series), quarter != 0 ORDER BY year, quarter))
                        WHERE latest = 1
                        """)
            }
        }
        migrator.registerMigration("v7: undisclosed planned figures, stated figures, quarters against a year earlier") {
            db in
            // Frozen: plain SQL, no live code. An expansion may now leave its planned figures out (not disclosed);
            // the totals count those expansions (rows written before v7 always had both figures). Export and jobs
            // rows keep how their source stated them (`qualifiers`, StatedFigure's JSON), and so do the kept
            // series; rows folded before v7 read as exact. A quarter is compared with the same quarter a year
            // earlier, no longer with the quarter before it.
            try db.execute(
                sql: """
                    ALTER TABLE totals_expansions ADD COLUMN planned_unstated INTEGER NOT NULL DEFAULT 0;
                    ALTER TABLE exports ADD COLUMN qualifiers TEXT;
                    ALTER TABLE jobs ADD COLUMN qualifiers TEXT;
                    ALTER TABLE totals_series ADD COLUMN qualifiers TEXT;
                    ALTER TABLE totals_series ADD COLUMN previous_qualifiers TEXT;
                    UPDATE totals_expansions SET planned_unstated = (
                        SELECT COUNT(*) FROM expansions e WHERE e.partition = totals_expansions.partition
                        AND e.direction = totals_expansions.direction AND e.status = totals_expansions.status
                        AND (e.planned_jobs IS NULL OR e.planned_cents IS NULL));
                    UPDATE totals_series SET (previous_period, previous_value) = (
                        SELECT e.year || '-Q' || e.quarter, e.value_cents FROM exports e
                        WHERE e.partition = totals_series.partition
                        AND e.origin || '→' || e.destination = totals_series.series
                        AND e.year = CAST(substr(totals_series.period, 1, instr(totals_series.period, '-Q') - 1)
                            AS INTEGER) - 1
                        AND e.quarter = CAST(substr(totals_series.period, instr(totals_series.period, '-Q') + 2)
                            AS INTEGER))
                    WHERE kind = 'exports' AND instr(period, '-Q') > 0;
                    UPDATE totals_series SET (previous_period, previous_value) = (
                        SELECT j.year || '-Q' || j.quarter, j.jobs_supported FROM jobs j
                        WHERE j.partition = totals_series.partition AND j.scope = totals_series.series
                        AND j.year = CAST(substr(totals_series.period, 1, instr(totals_series.period, '-Q') - 1)
                            AS INTEGER) - 1
                        AND j.quarter = CAST(substr(totals_series.period, instr(totals_series.period, '-Q') + 2)
                            AS INTEGER))
                    WHERE kind = 'jobs' AND instr(period, '-Q') > 0;
                    """)
        }
        migrator.registerMigration("v8: the notifier's offsets for stores whose v2 predates them") { db in
            // Frozen: plain SQL. v2 was edited after it shipped (04c680f added notifier_offsets to it), so a store
            // made between cc481fb and 04c680f has no such table and keeps the notifier's offsets of
            // jump.notifications among the fold's: they move to their own table, as v2 now creates it.
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS notifier_offsets (
                        topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL,
                        PRIMARY KEY (topic, partition)) WITHOUT ROWID;
                    INSERT OR IGNORE INTO notifier_offsets
                        SELECT topic, partition, next_offset FROM partition_offsets WHERE topic = 'jump.notifications';
                    DELETE FROM partition_offsets WHERE topic = 'jump.notifications';
                    """)
        }
        migrator.registerMigration("v9: the notification items of a batch in one outbox row") { db in
            // Frozen: plain SQL. A batch's items are one row (OutboxBatch's format) instead of one row each; the
            // items still waiting are kept, one per row, their sequence numbers unchanged. `seq` numbers items:
            // a row's first item is `seq`, the next row starts at `seq + item_count` (the outbox's depth is read
            // from the two ends).
            try db.execute(
                sql: """
                    CREATE TABLE notification_outbox_batches (
                        seq INTEGER PRIMARY KEY, item_count INTEGER NOT NULL, items BLOB NOT NULL);
                    INSERT INTO notification_outbox_batches (seq, item_count, items)
                        SELECT seq, 1,
                            CAST(audience || char(10) || length(CAST(item AS BLOB)) || char(10) || item AS BLOB)
                        FROM notification_outbox;
                    DROP TABLE notification_outbox;
                    """)
        }
        migrator.registerMigration("v10: an outbox row keeps what an event's items share once") { _ in
            // Frozen: no table changes. Rows written from here on share each event's tail among its audiences'
            // items (OutboxBatch's `+` format), which a binary from before cannot read: this name makes such a
            // binary refuse the store instead of stalling its relay on rows it calls damaged. Rows already
            // waiting keep the earlier format, which is still read.
        }
        migrator.registerMigration("v11: how many times a delivery was sent again on request") { db in
            // Frozen: plain SQL. A digest sent again by mail (the console's Send again) carries a Message-ID of its
            // own (a mail system drops a repeated one); the count is in its Message-ID.
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN resends INTEGER NOT NULL DEFAULT 0")
        }
        migrator.registerMigration("v12: where a delivery went") { db in
            // Frozen: plain SQL. A file sink's path or the topic, as the process that delivered it had them
            // (`digest send-now` may write elsewhere than the daemon): `digest list` and the console show it.
            try db.execute(sql: "ALTER TABLE deliveries ADD COLUMN delivered_to TEXT")
        }
        migrator.registerMigration("v13: the workers' activity and lag, minute by minute") { db in
            // Frozen: plain SQL. What the console's chart shows, kept so that a restart does not empty it (a day).
            try db.execute(
                sql: """
                    CREATE TABLE activity_minutes (
                        minute INTEGER PRIMARY KEY, applied INTEGER NOT NULL, duplicates INTEGER NOT NULL,
                        dead_lettered INTEGER NOT NULL, anomalies INTEGER NOT NULL, lag INTEGER)
                    """)
        }
        migrator.registerMigration("v14: where each expansion's and investment's events are in the log") { db in
            // Frozen: plain SQL. The offsets (in the row's partition) of the announcement and of the completion or
            // withdrawal; rows folded before are NULL until the store is rebuilt. Fingerprints leave them out.
            try db.execute(
                sql: """
                    ALTER TABLE expansions ADD COLUMN announced_offset INTEGER;
                    ALTER TABLE expansions ADD COLUMN closed_offset INTEGER;
                    ALTER TABLE investments ADD COLUMN announced_offset INTEGER;
                    """)
        }
        migrator.registerMigration(lastWithNotifierTables) { db in
            // Frozen: plain SQL. Milliseconds since 1970, when the fold recorded it (NULL before): the console and
            // `state anomalies --since` show the recent ones. Fingerprints leave it out.
            try db.execute(sql: "ALTER TABLE anomalies ADD COLUMN recorded_at INTEGER")
        }
        guard movingNotifierTables else { return migrator }
        migrator.registerMigration(firstWithoutNotifierTables) { db in
            // Frozen: plain SQL. StateStore.init runs it only after the notifier's file took the rows over (its
            // migration n1, committed first): the notifier's intake then has a writer of its own.
            try db.execute(
                sql: """
                    DROP TABLE deliveries;
                    DROP TABLE digests;
                    DROP TABLE digest_windows;
                    DROP TABLE notifier_totals;
                    DROP TABLE notifier_items;
                    DROP TABLE notifier_offsets;
                    """)
        }
        return migrator
    }
}
