#!/usr/bin/env python3
"""jump-consumer's state worker next to a plain consume loop and a Python worker: same topic, same run.

Usage: Benchmarks/worker_throughput.py [--count N] [--batch-size B] [--dead-letters D] [--latency SECONDS]
                                      [--rate R] [--skip-build]

Publishes N generated events (seed 1, all valid) to a 24-partition topic of a release jump-dev-broker (lz4, so
the mock keeps them all), then reads them with:
  kcat -C                 a plain librdkafka consume loop (no group, no decoding, no store)
  jump-kafka-bench        a plain JumpKafka consume loop in a consumer group
  jump-consumer run --role state   the full worker: decode, validate, fold, ledger, notification items with the
                          partition's totals, offsets (one transaction per batch), then the outbox relayed
  jump-consumer run --role all     the same, then the notifier's intake of every item
    the same, no notification items   --role state with a digest configuration that routes no event: the floor
                          of this shape, so each run shows what the items and their relay cost
  python_worker.py        confluent-kafka + json + sqlite3 doing the same rows in transactions of the same size
Wall and CPU seconds and peak memory are measured from outside (GNU time). Every group member waits about 3 s for
the mock's group join; kcat -C does not, so the table also gives events/s without that first wait for the
group members ("after join": wall minus the time to the first assignment, from each tool's own log).

Then D garbage messages (default 100,000) on a 24-partition topic go through `jump-consumer run --role state`,
which dead-letters every one (each batch's dead letters in flight together, all acknowledged before the batch
commits), next to kcat -P writing the same messages: dead letters per second, side by side.

With --latency S (default 60; 0 skips it), a state worker runs on its own topic while jump-kafka-bench publishes
events at a steady R per second (default 2,000) for S seconds and reads the worker's store (read-only, every
millisecond) to see each event committed: p50, p90, p99, p99.9 and max from publish to committed (HdrHistogram),
next to the floor of this broker and machine, publish to polled by a bare JumpKafka consumer in its own group in the
same run, with the producer's linger.ms and the worker's fetch.wait.max.ms stated (the mock broker holds a fetch that found
nothing for that long even when data arrives; a real broker answers at once).
"""
import argparse
import json
import os
import shutil
import re
import sqlite3
import subprocess
import sys
import tempfile
import socket
import threading
import time
import urllib.request
from datetime import datetime

from bench_support import ROOT, measured, release_bin, start_broker


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--dead-letters", type=int, default=100_000)
    parser.add_argument("--latency", type=int, default=60)
    parser.add_argument("--rate", type=int, default=2000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    bin_dir = release_bin(["jump-dev-broker", "jump-producer", "jump-consumer", "jump-kafka-bench"], args.skip_build)
    work = tempfile.mkdtemp(prefix="jump-worker-bench-")
    events = os.path.join(work, "events.jsonl")
    with open(events, "wb") as output:
        subprocess.run([f"{bin_dir}/jump-producer", "generate", "--count", str(args.count), "--seed", "1"],
                       stdout=output, check=True)
    # Each run relays its items to a notifications topic of its own: the --role all run's notifier reads its own
    # run's items, not the --role state run's as well.
    broker, bootstrap = start_broker(bin_dir, ["bench.events:24", "bench.garbage:24", "bench.garbage.dlq:24",
                                               "bench.kcat:24", "bench.latency:24", "bench.notifications.state:1",
                                               "bench.notifications.all:1"])
    rows = []
    dead_rows = []
    notifier_intake = None
    latency = None
    try:
        subprocess.run([f"{bin_dir}/jump-producer", "publish", "-b", bootstrap, "-t", "bench.events", events],
                       check=True, stderr=subprocess.DEVNULL)

        out, _, wall, cpu, peak = measured(["kcat", "-C", "-b", bootstrap, "-t", "bench.events", "-o", "beginning",
                                            "-e", "-q", "-c", str(args.count)])
        assert out.count("\n") == args.count, "kcat read too few"
        rows.append(("kcat -C (plain librdkafka loop)", wall, cpu, peak, None))

        out, _, wall, cpu, peak = measured([f"{bin_dir}/jump-kafka-bench", "consume", "-b", bootstrap, "-t",
                                            "bench.events", "--count", str(args.count)])
        rows.append(("jump-kafka-bench consume (group)", wall, cpu, peak, json.loads(out.splitlines()[-1])["seconds"]))

        # --role state: decode, validate, fold, ledger, notification items with partition totals, offsets, and
        # (until idle) the relay of the items to jump.notifications; --role all adds the notifier's intake. The
        # third run is the floor of this shape: the same state worker writing no notification item at all (a digest
        # configuration whose only route matches no event: a jobs figure has no direction), so every run shows what
        # the items and their relay cost beside it.
        floor_config = os.path.join(work, "no-items.json")
        with open(os.path.join(ROOT, "Deploy", "digests.example.json"), encoding="utf-8") as handle:
            config = json.load(handle)
        for audience in config["audiences"]:
            audience["routes"] = [{"types": ["jump.jobs.reported"], "directions": ["utah-to-mx"], "importance": 1}]
        with open(floor_config, "w", encoding="utf-8") as handle:
            json.dump(config, handle)
        for name, role, extra in (("state", "state", []), ("all", "all", []),
                                  ("floor", "state", ["--digest-config", floor_config])):
            state = os.path.join(work, f"state-{name}.sqlite")
            started = datetime.now().astimezone()
            _, err, wall, cpu, peak = measured([f"{bin_dir}/jump-consumer", "run", "-b", bootstrap, "-t",
                                                "bench.events", "--state", state, "--until-idle", "--role", role,
                                                "--group", f"bench-{name}", "--batch-size", str(args.batch_size),
                                                "--notifications-topic", f"bench.notifications.{role}"] + extra)
            summary = json.loads(subprocess.run([f"{bin_dir}/jump-consumer", "state", "summary", "--json", "--state",
                                                 state], capture_output=True, check=True, text=True).stdout)
            assert summary["eventsApplied"] == args.count, summary["eventsApplied"]
            assigned = re.search(r"^time=(\S+) level=info .*partitions assigned", err, re.M)
            join = (datetime.fromisoformat(assigned.group(1)) - started).total_seconds() if assigned else None
            if name == "all":
                # What the notifier took in against what the relay published: the mock broker keeps only about
                # 5 MiB of a partition, so items the notifier had not read yet may be gone (a real broker keeps them).
                with sqlite3.connect(os.path.join(work, "state-all.notifier.sqlite")) as notifier:
                    taken = notifier.execute("SELECT count(*) FROM notifier_items").fetchone()[0]
                last = subprocess.run(["kcat", "-C", "-b", bootstrap, "-t", "bench.notifications.all", "-o", "-1", "-e",
                                       "-q", "-f", "%o\n"], capture_output=True, check=True, text=True).stdout.split()
                notifier_intake = (taken, int(last[-1]) + 1 if last else 0)
            label = f"jump-consumer run --role {role} (batch {args.batch_size})"
            if name == "floor":
                label = "  the same, no notification items (floor)"
            rows.append((label, wall, cpu, peak, wall - join if join is not None else None))

        out, _, wall, cpu, peak = measured([sys.executable, os.path.join(ROOT, "Benchmarks", "python_worker.py"),
                                            bootstrap, "bench.events", os.path.join(work, "python.sqlite"),
                                            "--batch-size", str(args.batch_size)])
        result = json.loads(out.splitlines()[-1])
        assert result["applied"] == args.count
        rows.append((f"python_worker.py (batch {args.batch_size})", wall, cpu, peak, result["afterJoinSeconds"]))

        if args.dead_letters:
            garbage = os.path.join(work, "garbage.txt")
            with open(garbage, "w") as output:
                for index in range(args.dead_letters):
                    output.write(f"garbage {index} is not an event\n")
            _, _, wall, cpu, peak = measured(["kcat", "-P", "-b", bootstrap, "-t", "bench.kcat", "-X",
                                              "compression.codec=lz4", "-l", garbage])
            dead_rows.append(("kcat -P (the same messages, written)", wall, cpu, peak, None))
            subprocess.run(["kcat", "-P", "-b", bootstrap, "-t", "bench.garbage", "-X", "compression.codec=lz4",
                            "-l", garbage], check=True)
            state = os.path.join(work, "state-garbage.sqlite")
            started = datetime.now().astimezone()
            _, err, wall, cpu, peak = measured([f"{bin_dir}/jump-consumer", "run", "-b", bootstrap, "-t",
                                                "bench.garbage", "--dlq-topic", "bench.garbage.dlq", "--state",
                                                state, "--until-idle", "--role", "state", "--group",
                                                "bench-garbage", "--batch-size", str(args.batch_size)])
            summary = json.loads(subprocess.run([f"{bin_dir}/jump-consumer", "state", "summary", "--json",
                                                 "--state", state], capture_output=True, check=True,
                                                text=True).stdout)
            assert summary["deadLettered"] == args.dead_letters, summary["deadLettered"]
            assigned = re.search(r"^time=(\S+) level=info .*partitions assigned", err, re.M)
            join = (datetime.fromisoformat(assigned.group(1)) - started).total_seconds() if assigned else None
            dead_rows.append((f"jump-consumer dead-lettering (batch {args.batch_size})", wall, cpu, peak,
                              wall - join if join is not None else None))
        if args.latency:
            latency = measure_latency(bin_dir, bootstrap, work, args.latency, args.rate, args.batch_size)
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(work, ignore_errors=True)

    print(f"\n{args.count} generated events on 24 partitions, 1 mock broker; release build")
    print(f"{'reader':<44} {'wall s':>7} {'events/s':>10} {'after join':>11} {'CPU s':>6} {'CPU µs/event':>13}"
          f" {'peak MiB':>9}")
    for name, wall, cpu, peak, inner in rows:
        after = f"{args.count / inner:>11,.0f}" if inner else f"{'-':>11}"
        print(f"{name:<44} {wall:>7.2f} {args.count / wall:>10,.0f} {after} {cpu:>6.2f}"
              f" {cpu / args.count * 1e6:>13.2f} {peak:>9.0f}")
    if notifier_intake:
        taken, published = notifier_intake
        print(f"--role all: the notifier took in {taken:,} of the {published:,} items relayed"
              + ("" if taken == published else " (the mock broker keeps about 5 MiB of a partition and evicted the "
                 "rest before the notifier read them; a real broker keeps them, so this row does less work than it "
                 "would there)"))
    if dead_rows:
        print(f"\n{args.dead_letters} garbage messages on 24 partitions, every one dead-lettered")
        print(f"{'writer':<44} {'wall s':>7} {'msgs/s':>10} {'after join':>11} {'CPU s':>6} {'peak MiB':>9}")
        for name, wall, cpu, peak, inner in dead_rows:
            after = f"{args.dead_letters / inner:>11,.0f}" if inner else f"{'-':>11}"
            print(f"{name:<44} {wall:>7.2f} {args.dead_letters / wall:>10,.0f} {after} {cpu:>6.2f} {peak:>9.0f}")

    if latency:
        print(f"\nlatency: {latency['rate']:,} events/s for {latency['seconds']} s ({latency['published']:,} events), "
              f"jump-consumer run --role state (batch {args.batch_size}, -X fetch.wait.max.ms={FETCH_WAIT_MS}), "
              f"producer linger.ms {latency['lingerMs']}; publish to committed in the store")
        print(f"{'':<44} {'p50 ms':>8} {'p90 ms':>8} {'p99 ms':>8} {'p99.9 ms':>9} {'max ms':>8}")
        for name, prefix in [("jump-consumer --role state: to committed", ""),
                             ("bare JumpKafka consumer: to polled (floor)", "floor")]:
            print(f"{name:<44} {latency[prefix + 'p50Ms']:>8.1f} {latency[prefix + 'p90Ms']:>8.1f} "
                  f"{latency[prefix + 'p99Ms']:>8.1f} {latency[prefix + 'p999Ms']:>9.1f} {latency[prefix + 'maxMs']:>8.1f}")
        print(f"p99 to committed / p99 to polled: {latency['p99Ms'] / latency['floorp99Ms']:.2f}x "
              f"({latency['polled']:,} events polled by the bare consumer, fetch.wait.max.ms {latency['floorFetchWaitMs']})")
        ages = latency.get("workerAges")
        if ages:
            shares = ", ".join(f"{share:.1f} % within {bound * 1000:g} ms" for bound, share in ages["within"])
            print(f"the worker's own view (jump_event_age_seconds, Kafka timestamp to commit, {ages['count']:,} "
                  f"events): {shares}")


# The mock broker answers a fetch that found no data only after fetch.wait.max.ms (500 by default), even when data
# arrives meanwhile; a real broker answers as soon as there is data. The worker is run with a short wait here.
FETCH_WAIT_MS = 5


def worker_ages(port):
    """The worker's jump_event_age_seconds histogram from its /metrics: the share of events within each bucket
    bound up to one second, and the count (None when the endpoint cannot be read)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as response:
            text = response.read().decode()
    except OSError:
        return None
    buckets = {float(bound): float(value) for bound, value in
               re.findall(r'^jump_event_age_seconds_bucket\{le="([0-9.]+)"\} ([0-9.]+)$', text, re.M)}
    count = re.search(r"^jump_event_age_seconds_count ([0-9.]+)$", text, re.M)
    if not count or not buckets or float(count.group(1)) == 0:
        return None
    total = float(count.group(1))
    return {"count": int(total),
            "within": [(bound, buckets[bound] / total * 100) for bound in sorted(buckets) if bound <= 1]}


def measure_latency(bin_dir, bootstrap, work, seconds, rate, batch_size):
    """Starts a state worker on bench.latency, waits for its assignment, then has jump-kafka-bench publish at a
    steady rate and watch the worker's store; returns jump-kafka-bench's JSON result."""
    events = os.path.join(work, "latency.jsonl")
    with open(events, "wb") as output:
        subprocess.run([f"{bin_dir}/jump-producer", "generate", "--count", str(seconds * rate), "--seed", "2"],
                       stdout=output, check=True)
    state = os.path.join(work, "state-latency.sqlite")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    worker = subprocess.Popen([f"{bin_dir}/jump-consumer", "run", "-b", bootstrap, "-t", "bench.latency", "--state",
                               state, "--role", "state", "--group", "bench-latency", "--batch-size",
                               str(batch_size), "-X", f"fetch.wait.max.ms={FETCH_WAIT_MS}",
                               "--http", f"127.0.0.1:{port}"],
                              stderr=subprocess.PIPE, text=True)
    assigned = threading.Event()

    def watch():
        for line in worker.stderr:
            if "partitions assigned after waiting" in line or "partitions assigned;" in line:
                assigned.set()

    threading.Thread(target=watch, daemon=True).start()
    try:
        if not assigned.wait(60):
            sys.exit("the latency worker was not assigned partitions within 60 s")
        time.sleep(0.5)
        out = subprocess.run([f"{bin_dir}/jump-kafka-bench", "latency", "-b", bootstrap, "-t", "bench.latency",
                              "--state", state, "--events", events, "--rate", str(rate), "--seconds", str(seconds),
                              "--floor-fetch-wait-ms", str(FETCH_WAIT_MS),
                              "-X", "linger.ms=5", "-X", "enable.idempotence=true", "-X", "acks=all"],
                             capture_output=True, text=True)
        if out.returncode != 0:
            sys.exit(f"jump-kafka-bench latency failed: {out.stderr[-2000:]} {out.stdout[-500:]}")
        result = json.loads(out.stdout.strip().splitlines()[-1])
        result["workerAges"] = worker_ages(port)
        return result
    finally:
        worker.terminate()
        worker.wait(30)


if __name__ == "__main__":
    main()
