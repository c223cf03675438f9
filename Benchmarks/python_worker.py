#!/usr/bin/env python3
"""The peer for jump-consumer's benchmark: the same job in Python, written as a good Python engineer would.

confluent-kafka (librdkafka underneath) consumes in a group with batched consume(num_messages=...), json.loads
decodes, and each batch is one sqlite3 transaction with the same rows as jump-consumer's store: the event-id
ledger (duplicates skipped), the state upserts by type, the notification outbox, the per-partition counters and
the guarded next offset of every partition. On assignment it seeks to the offsets in its own store.

  python_worker.py BOOTSTRAP TOPIC STATE_PATH [--batch-size N] [--group G]   exits when caught up
"""
import argparse
import json
import sqlite3
import sys
import time

from confluent_kafka import OFFSET_BEGINNING, Consumer, KafkaError

SCHEMA = """
CREATE TABLE IF NOT EXISTS partition_offsets (topic TEXT, partition INTEGER, next_offset INTEGER, PRIMARY KEY (topic, partition));
CREATE TABLE IF NOT EXISTS partition_stats (partition INTEGER PRIMARY KEY, applied INTEGER DEFAULT 0, duplicates INTEGER DEFAULT 0, dead_lettered INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS applied_events (partition INTEGER, event_id TEXT, "offset" INTEGER, PRIMARY KEY (partition, event_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS companies (partition INTEGER, company_id TEXT, name TEXT, country TEXT, sector TEXT, PRIMARY KEY (partition, company_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS expansions (partition INTEGER, expansion_id TEXT, company_id TEXT, direction TEXT, city TEXT, region TEXT, planned_jobs INTEGER, planned_cents INTEGER, announced_on TEXT, status TEXT, actual_jobs INTEGER, actual_cents INTEGER, opened_on TEXT, withdrawal_reason TEXT, withdrawn_on TEXT, PRIMARY KEY (partition, expansion_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS investments (partition INTEGER, investment_id TEXT, investor_id TEXT, direction TEXT, amount_cents INTEGER, sector TEXT, region TEXT, announced_on TEXT, PRIMARY KEY (partition, investment_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS exports (partition INTEGER, origin TEXT, destination TEXT, year INTEGER, quarter INTEGER, value_cents INTEGER, source TEXT, revisions INTEGER DEFAULT 0, PRIMARY KEY (partition, origin, destination, year, quarter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS jobs (partition INTEGER, scope TEXT, year INTEGER, quarter INTEGER, jobs_supported INTEGER, source TEXT, revisions INTEGER DEFAULT 0, PRIMARY KEY (partition, scope, year, quarter)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS meetings (partition INTEGER, meeting_id TEXT, held_on TEXT, place TEXT, city TEXT, country TEXT, topics TEXT, participants INTEGER, summary TEXT, PRIMARY KEY (partition, meeting_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS initiatives (partition INTEGER, initiative_id TEXT, title TEXT, parties TEXT, announced_on TEXT, status TEXT, summary TEXT, PRIMARY KEY (partition, initiative_id)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, partition INTEGER, "offset" INTEGER, event_id TEXT, type TEXT, subject TEXT, item TEXT, sent INTEGER DEFAULT 0);
"""

KNOWN_TYPES = {
    "jump.company.expansion-announced", "jump.company.expansion-completed", "jump.company.expansion-withdrawn",
    "jump.investment.announced", "jump.trade.exports-reported", "jump.jobs.reported",
    "jump.delegation.meeting-held", "jump.initiative.announced",
}


def state_rows(partition, event):
    """The upserts for one event: (sql, parameters) pairs, the same statements jump-consumer runs."""
    data, kind = event["data"], event["type"]
    if kind == "jump.company.expansion-announced":
        company = data["company"]
        return [
            ("INSERT OR REPLACE INTO companies VALUES (?,?,?,?,?)",
             (partition, company["id"], company["name"], company["country"], company["sector"])),
            ("INSERT INTO expansions (partition, expansion_id, company_id, direction, city, region, planned_jobs, "
             "planned_cents, announced_on, status) VALUES (?,?,?,?,?,?,?,?,?,'announced') ON CONFLICT DO UPDATE SET "
             "planned_jobs = excluded.planned_jobs, planned_cents = excluded.planned_cents",
             (partition, data["expansionId"], company["id"], data["direction"], data["location"]["city"],
              data["location"]["region"], data.get("plannedJobs"), data.get("plannedInvestmentUsdCents"), data["announcedOn"])),
        ]
    if kind == "jump.company.expansion-completed":
        return [("INSERT INTO expansions (partition, expansion_id, company_id, status, actual_jobs, actual_cents, "
                 "opened_on) VALUES (?,?,?,'completed',?,?,?) ON CONFLICT DO UPDATE SET status = 'completed', "
                 "actual_jobs = excluded.actual_jobs, actual_cents = excluded.actual_cents",
                 (partition, data["expansionId"], data["companyId"], data["actualJobs"],
                  data["actualInvestmentUsdCents"], data["openedOn"]))]
    if kind == "jump.company.expansion-withdrawn":
        return [("INSERT INTO expansions (partition, expansion_id, company_id, status, withdrawal_reason, "
                 "withdrawn_on) VALUES (?,?,?,'withdrawn',?,?) ON CONFLICT DO UPDATE SET status = 'withdrawn'",
                 (partition, data["expansionId"], data["companyId"], data["reason"], data["withdrawnOn"]))]
    if kind == "jump.investment.announced":
        investor = data["investor"]
        return [
            ("INSERT OR REPLACE INTO companies VALUES (?,?,?,?,?)",
             (partition, investor["id"], investor["name"], investor["country"], investor["sector"])),
            ("INSERT OR REPLACE INTO investments VALUES (?,?,?,?,?,?,?,?)",
             (partition, data["investmentId"], investor["id"], data["direction"], data["amountUsdCents"],
              data["sector"], data["region"], data["announcedOn"])),
        ]
    if kind == "jump.trade.exports-reported":
        period = data["period"]
        return [("INSERT INTO exports (partition, origin, destination, year, quarter, value_cents, source) "
                 "VALUES (?,?,?,?,?,?,?) ON CONFLICT DO UPDATE SET value_cents = excluded.value_cents, "
                 "revisions = revisions + 1",
                 (partition, data["origin"], data["destination"], period["year"], period.get("quarter", 0),
                  data["valueUsdCents"], data["source"]))]
    if kind == "jump.jobs.reported":
        period = data["period"]
        return [("INSERT INTO jobs (partition, scope, year, quarter, jobs_supported, source) VALUES (?,?,?,?,?,?) "
                 "ON CONFLICT DO UPDATE SET jobs_supported = excluded.jobs_supported, revisions = revisions + 1",
                 (partition, data["scope"], period["year"], period.get("quarter", 0), data["jobsSupported"],
                  data["source"]))]
    if kind == "jump.delegation.meeting-held":
        place = data["place"]
        return [("INSERT OR REPLACE INTO meetings VALUES (?,?,?,?,?,?,?,?,?)",
                 (partition, data["meetingId"], data["heldOn"], place["name"], place["city"], place["country"],
                  ",".join(data["topics"]), len(data["participants"]), data["summary"]))]
    return [("INSERT OR REPLACE INTO initiatives VALUES (?,?,?,?,?,?,?)",
             (partition, data["initiativeId"], data["title"], "; ".join(data["parties"]), data["announcedOn"],
              data["status"], data["summary"]))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("bootstrap")
    parser.add_argument("topic")
    parser.add_argument("state")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--group", default="python-worker")
    args = parser.parse_args()

    db = sqlite3.connect(args.state, isolation_level=None)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = NORMAL")
    db.executescript(SCHEMA)
    expected = {}
    at_end = set()
    assigned = set()
    first_assignment = []

    def on_assign(consumer, partitions):
        if not first_assignment:
            first_assignment.append(time.monotonic())
        stored = dict(db.execute("SELECT partition, next_offset FROM partition_offsets WHERE topic = ?",
                                 (args.topic,)).fetchall())
        for partition in partitions:
            partition.offset = stored.get(partition.partition, OFFSET_BEGINNING)
            expected[partition.partition] = stored.get(partition.partition)
            assigned.add(partition.partition)
        consumer.assign(partitions)

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": True,
        "enable.auto.offset.store": False, "enable.partition.eof": True, "auto.offset.reset": "earliest",
        "session.timeout.ms": 6000,
    })
    consumer.subscribe([args.topic], on_assign=on_assign)
    applied = 0
    while True:
        messages = consumer.consume(num_messages=args.batch_size, timeout=0.2)
        batch = []
        for message in messages:
            if message.error():
                if message.error().code() == KafkaError._PARTITION_EOF:
                    at_end.add(message.partition())
                continue
            at_end.discard(message.partition())
            batch.append(message)
        if batch:
            db.execute("BEGIN")
            next_offsets, stats = {}, {}
            for message in batch:
                partition, offset = message.partition(), message.offset()
                next_offsets[partition] = max(next_offsets.get(partition, 0), offset + 1)
                counters = stats.setdefault(partition, [0, 0, 0])
                try:
                    event = json.loads(message.value())
                    if not isinstance(event, dict) or event.get("type") not in KNOWN_TYPES:
                        raise ValueError("unknown type")
                    statements = state_rows(partition, event)
                except (ValueError, KeyError, TypeError):
                    counters[2] += 1
                    continue
                inserted = db.execute('INSERT OR IGNORE INTO applied_events VALUES (?, ?, ?)',
                                      (partition, event["id"], offset)).rowcount
                if not inserted:
                    counters[1] += 1
                    continue
                for sql, parameters in statements:
                    db.execute(sql, parameters)
                db.execute('INSERT INTO outbox (partition, "offset", event_id, type, subject, item) '
                           'VALUES (?,?,?,?,?,?)',
                           (partition, offset, event["id"], event["type"], event["subject"], message.value()))
                counters[0] += 1
            for partition, next_offset in next_offsets.items():
                if expected.get(partition) is None:
                    db.execute("INSERT INTO partition_offsets VALUES (?, ?, ?)", (args.topic, partition, next_offset))
                else:
                    changed = db.execute("UPDATE partition_offsets SET next_offset = ? WHERE topic = ? AND "
                                         "partition = ? AND next_offset = ?",
                                         (next_offset, args.topic, partition, expected[partition])).rowcount
                    if changed != 1:
                        db.execute("ROLLBACK")
                        sys.exit(f"fenced on partition {partition}")
                expected[partition] = next_offset
            db.executemany(
                "INSERT INTO partition_stats (partition, applied, duplicates, dead_lettered) VALUES (?,?,?,?) "
                "ON CONFLICT (partition) DO UPDATE SET applied = applied + excluded.applied, "
                "duplicates = duplicates + excluded.duplicates, dead_lettered = dead_lettered + excluded.dead_lettered",
                [(partition, *counters) for partition, counters in stats.items()])
            db.execute("COMMIT")
            applied += sum(counters[0] for counters in stats.values())
        elif assigned and at_end >= assigned:
            break
    finished = time.monotonic()
    consumer.close()
    # From the first assignment to the last batch applied: the same "after join" figure the benchmark takes for
    # jump-consumer from its log.
    after_join = finished - first_assignment[0] if first_assignment else None
    print(json.dumps({"applied": applied, "afterJoinSeconds": after_join}))


if __name__ == "__main__":
    main()
