#!/usr/bin/env python3
"""Plain produce and consume throughput: JumpKafka next to kcat, same broker, same settings, one run.

Usage: Benchmarks/kafka_throughput.py [--count N] [--size BYTES] [--skip-build]

Builds the release products, starts a release `jump-dev-broker` (1 broker), then for each client produces N
messages of SIZE bytes to its own 12-partition topic with the same producer settings (idempotence, acks=all,
linger.ms=5, lz4), and consumes them back; each consumer reads both topics, since how fast a topic can be read
depends on how it was batched. Wall and CPU seconds of each client process are measured from outside (GNU time
rusage): they include process start, connecting and, for JumpKafka, building the messages in memory and
joining a consumer group (the mock delays every join by about 3 s; kcat -C assigns partitions directly). The
"inside" columns are what jump-kafka-bench measures itself (wall and process CPU, all threads): from the first
enqueue to the last acknowledgement, or from the first message consumed to the last. Both producers send the
same keyed messages (key kN%1000, value N padded with x).
"""
import argparse
import json
import os
import sys
import tempfile

from bench_support import PRODUCER_SETTINGS, measured, release_bin, start_broker


def timed(command):
    """Runs a command; returns (stdout, wall seconds, CPU seconds of the process)."""
    stdout, _, wall, cpu, _ = measured(command)
    return stdout, wall, cpu


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=200_000)
    parser.add_argument("--size", type=int, default=100)
    parser.add_argument("--skip-build", action="store_true")
    args = parser.parse_args()

    bin_dir = release_bin(["jump-dev-broker", "jump-kafka-bench"], args.skip_build)
    broker, bootstrap = start_broker(bin_dir, ["bench.jump:12", "bench.kcat:12"])
    rows = []
    try:
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as data:
            for index in range(args.count):
                data.write(f"k{index % 1000}\t" + str(index).ljust(args.size, "x") + "\n")
        settings = [flag for setting in PRODUCER_SETTINGS for flag in ("-X", setting)]

        out, wall, cpu = timed([f"{bin_dir}/jump-kafka-bench", "produce", "-b", bootstrap, "-t", "bench.jump",
                                "--count", str(args.count), "--size", str(args.size), *settings])
        inner = json.loads(out.strip().splitlines()[-1])
        rows.append(("produce", "JumpKafka (jump-kafka-bench)", wall, cpu, inner))
        out, wall, cpu = timed(["kcat", "-P", "-b", bootstrap, "-t", "bench.kcat", "-K", "\t", "-l", data.name,
                                *settings])
        rows.append(("produce", "kcat -P -K'\\t' -l", wall, cpu, None))

        # Both consumers read both topics: how fast a topic can be read depends on how it was batched.
        for topic, producer in (("bench.kcat", "kcat"), ("bench.jump", "JumpKafka")):
            out, wall, cpu = timed([f"{bin_dir}/jump-kafka-bench", "consume", "-b", bootstrap, "-t", topic,
                                    "--count", str(args.count)])
            inner = json.loads(out.strip().splitlines()[-1])
            rows.append(("consume", f"JumpKafka, {producer}'s topic", wall, cpu, inner))
            out, wall, cpu = timed(["kcat", "-C", "-b", bootstrap, "-t", topic, "-o", "beginning", "-e", "-q",
                                    "-c", str(args.count)])
            if len(out.splitlines()) != args.count:
                sys.exit(f"kcat consumed {len(out.splitlines())} of {args.count}")
            rows.append(("consume", f"kcat -C, {producer}'s topic", wall, cpu, None))
    finally:
        broker.terminate()
        broker.wait()
        os.unlink(data.name)

    print(f"\n{args.count} messages of {args.size} bytes, 12 partitions, 1 mock broker; producer: "
          + ", ".join(PRODUCER_SETTINGS))
    print(f"{'operation':<9} {'client':<32} {'wall s':>7} {'msg/s':>10} {'CPU s':>6} {'µs CPU/msg':>10}"
          f" {'msg/s inside':>13} {'µs CPU/msg inside':>18}")
    for operation, client, wall, cpu, inner in rows:
        inside = (f"{args.count / inner['seconds']:>13,.0f} {inner['cpuSeconds'] / args.count * 1e6:>18.2f}"
                  if inner else f"{'-':>13} {'-':>18}")
        print(f"{operation:<9} {client:<32} {wall:>7.2f} {args.count / wall:>10,.0f} {cpu:>6.2f}"
              f" {cpu / args.count * 1e6:>10.2f} {inside}")


if __name__ == "__main__":
    main()
