#!/usr/bin/env python3
"""jump-producer publish next to kcat -P -l: the same events, the same broker, the same producer settings, one run.

Usage: Benchmarks/producer_throughput.py [--count N] [--large-mb M] [--skip-build]

Generates N events (jump-producer generate, seed 1), starts a release jump-dev-broker (1 broker) with a
24-partition topic per client (lz4 keeps every message in the mock's ~5 MiB per partition), and publishes the
file with both clients using enable.idempotence=true, acks=all, linger.ms=5, compression.codec=lz4. kcat gets
the subject as its key (-K, extracted beforehand), so both send keyed messages; a second kcat row also adds the
CloudEvents content-type header jump-producer puts on every record, so it writes the same records; jump-producer
also parses and validates every event. Wall and CPU seconds are measured from outside (GNU time) and the topics are read
back with kcat to check that every event arrived. Prints messages/s, CPU µs per event and peak memory.
Then jump-producer publishes a generated file of about M megabytes (default 1000) to show that its peak memory
does not grow with the input (it streams: read, validate and send in bounded chunks).
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile

from bench_support import PRODUCER_SETTINGS as SETTINGS, measured, release_bin, start_broker


# The CloudEvents structured-mode header jump-producer puts on every record.
CONTENT_TYPE = "content-type=application/cloudevents+json; charset=utf-8"


def timed(command):
    _, stderr, wall, cpu, peak = measured(command)
    return wall, cpu, peak, stderr


def count_messages(bootstrap, topic):
    """Reads the topic back with kcat, counting lines as they stream (never holding the topic in memory)."""
    reader = subprocess.Popen(["kcat", "-b", bootstrap, "-C", "-t", topic, "-o", "beginning", "-e", "-q"],
                              stdout=subprocess.PIPE)
    lines = sum(chunk.count(b"\n") for chunk in iter(lambda: reader.stdout.read(1 << 20), b""))
    if reader.wait() != 0:
        sys.exit(f"kcat could not read {topic} back")
    return lines


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--large-mb", type=int, default=1000)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()
    bin_dir = release_bin(["jump-dev-broker", "jump-producer"], args.skip_build)

    workdir = tempfile.mkdtemp(prefix="jump-producer-bench-")
    events = os.path.join(workdir, "events.jsonl")
    keyed = os.path.join(workdir, "keyed.txt")
    with open(events, "wb") as output:
        subprocess.run([f"{bin_dir}/jump-producer", "generate", "--count", str(args.count), "--seed", "1"],
                       stdout=output, check=True)
    with open(events, encoding="utf-8") as source, open(keyed, "w", encoding="utf-8") as output:
        for line in source:
            output.write(json.loads(line)["subject"] + "\t" + line)
    size = os.path.getsize(events)

    broker, bootstrap = start_broker(bin_dir, ["bench.producer:24", "bench.kcat:24", "bench.kcat.headers:24",
                                               "bench.large:24"])
    flags = [flag for setting in SETTINGS for flag in ("-X", setting)]
    try:
        rows = [
            ("jump-producer publish (validates)",
             timed([f"{bin_dir}/jump-producer", "publish", "-b", bootstrap, "-t", "bench.producer", *flags, events]),
             "bench.producer"),
            ("kcat -P -K'\\t' -l (no validation)",
             timed(["kcat", "-P", "-b", bootstrap, "-t", "bench.kcat", "-K", "\t", "-l", keyed, *flags]),
             "bench.kcat"),
            ("kcat, + the same content-type header",
             timed(["kcat", "-P", "-b", bootstrap, "-t", "bench.kcat.headers", "-K", "\t", "-H", CONTENT_TYPE, "-l",
                    keyed, *flags]),
             "bench.kcat.headers"),
        ]
        for name, (_, _, _, stderr), topic in rows:
            arrived = count_messages(bootstrap, topic)
            if arrived != args.count:
                sys.exit(f"{name}: {arrived} of {args.count} arrived ({stderr.strip()})")
        large = None
        if args.large_mb:
            big = os.path.join(workdir, "large.jsonl")
            with open(big, "wb") as output:
                while output.tell() < args.large_mb * 1_000_000:
                    with open(events, "rb") as source:
                        shutil.copyfileobj(source, output, 1 << 20)
            wall, cpu, peak, stderr = timed([f"{bin_dir}/jump-producer", "publish", "-b", bootstrap, "-t",
                                             "bench.large", *flags, big])
            if "failed 0" not in stderr:
                sys.exit(f"large input: {stderr.strip()[-300:]}")
            large = (os.path.getsize(big), wall, cpu, peak, stderr.strip().splitlines()[-1])
    finally:
        broker.terminate()
        broker.wait()
        shutil.rmtree(workdir, ignore_errors=True)

    print(f"\n{args.count} generated events, {size / 1e6:.1f} MB; 24 partitions, 1 mock broker; "
          + ", ".join(SETTINGS) + "; every event read back")
    print(f"{'client':<36} {'wall s':>7} {'events/s':>10} {'CPU s':>6} {'CPU µs/event':>13} {'peak MiB':>9}")
    for name, (wall, cpu, peak, _), _ in rows:
        print(f"{name:<36} {wall:>7.2f} {args.count / wall:>10,.0f} {cpu:>6.2f} {cpu / args.count * 1e6:>13.2f}"
              f" {peak:>9.0f}")


    if large:
        size, wall, cpu, peak, summary = large
        print(f"\njump-producer publish of a {size / 1e6:,.0f} MB file: {wall:.1f} s wall, {cpu:.1f} s CPU, "
              f"peak {peak:.0f} MiB ({summary}; repeated events are new messages, their ids repeat)")


if __name__ == "__main__":
    main()
