#!/usr/bin/env python3
"""Benchmark of `jump-producer serve` side by side with its Python peer (Benchmarks/python_serve.py: aiohttp +
confluent-kafka + jsonschema, answering after the delivery reports), in one run, against one release
jump-dev-broker, with the same events and the same load generator (curl --parallel, C, keep-alive connections):

  1. one event per request from 64 concurrent clients: accepted events/s, p50/p99/max latency per request;
  2. batches of 100 events from 8 concurrent clients: accepted events/s, against `jump-producer publish` of the
     same events from a file;

and each server's CPU seconds and peak RSS (VmHWM) at the end.

  python3 Benchmarks/serve_throughput.py [--single 20000] [--batched 100000] [--skip-build]
  SERVE_ARGS="-X linger.ms=5" python3 Benchmarks/serve_throughput.py ...   # more arguments for serve
"""
import argparse
import hashlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

from bench_support import ROOT, measured, release_bin, start_broker

TOKEN = "benchmark-token-0123456789abcdef"


def wait_until_serving(port, process):
    for _ in range(300):
        if process.poll() is not None:
            sys.exit(f"the server on {port} exited: {process.returncode}")
        try:
            urllib.request.urlopen(urllib.request.Request(f"http://127.0.0.1:{port}/events", method="POST", data=b"{}"),
                                   timeout=1)
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    sys.exit(f"the server on {port} did not start")


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load(port, bodies, content_type, parallel, directory):
    """Posts each body once, `parallel` at a time; returns (wall s, accepted events, statuses, latencies ms)."""
    config = os.path.join(directory, f"curl-{port}-{len(bodies)}.cfg")
    with open(config, "w") as handle:
        handle.write("next\n".join(
            f'url = "http://127.0.0.1:{port}/events"\nheader = "Authorization: Bearer {TOKEN}"\n'
            f'header = "Content-Type: {content_type}"\ndata-binary = "@{path}"\noutput = "/dev/null"\n'
            'write-out = "%{http_code} %{time_total}\\n"\n' for path, _ in bodies))
    started = time.monotonic()
    result = subprocess.run(["curl", "-s", "--parallel", "--parallel-immediate", "--parallel-max", str(parallel),
                             "-K", config], capture_output=True, text=True)
    wall = time.monotonic() - started
    statuses = {}
    latencies = []
    accepted = 0
    for line, (_, count) in zip(result.stdout.splitlines(), bodies):
        status, seconds = line.split()
        statuses[status] = statuses.get(status, 0) + 1
        latencies.append(float(seconds) * 1000)
        if status == "200":
            accepted += count
    latencies.sort()
    return wall, accepted, statuses, latencies


def broker_floor(bootstrap):
    """The median time this broker takes to acknowledge 100 events over 12 partitions sent at once by a bare
    librdkafka producer (confluent-kafka): the floor under a batch request's answer, whatever the server."""
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": bootstrap, "enable.idempotence": True, "linger.ms": 5,
                         "compression.codec": "lz4", "partitioner": "murmur2_random"})
    producer.produce("bench.publish", b"warm-up")
    producer.flush()
    times = []
    for round_ in range(20):
        started = time.monotonic()
        for index in range(100):
            producer.produce("bench.publish", b"x" * 500, key=f"floor-{round_}-{index}".encode())
        producer.flush()
        times.append((time.monotonic() - started) * 1000)
    return sorted(times)[len(times) // 2]


def percentile(values, fraction):
    return values[min(len(values) - 1, int(len(values) * fraction))] if values else float("nan")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--single", type=int, default=20_000, help="requests of one event (64 clients)")
    parser.add_argument("--batched", type=int, default=100_000, help="events in batches of 100 (8 clients)")
    parser.add_argument("--skip-build", action="store_true")
    arguments = parser.parse_args()
    bin_dir = release_bin(["jump-dev-broker", "jump-producer"], arguments.skip_build)
    directory = tempfile.mkdtemp(prefix="serve-bench-")
    total = arguments.single + arguments.batched
    generated = subprocess.run([f"{bin_dir}/jump-producer", "generate", "--count", str(total), "--seed", "11"],
                               check=True, capture_output=True, text=True).stdout.splitlines()
    singles, batched = generated[:arguments.single], generated[arguments.single:]
    single_bodies = []
    for index, line in enumerate(singles):
        path = os.path.join(directory, f"e{index}.json")
        open(path, "w").write(line)
        single_bodies.append((path, 1))
    batch_bodies = []
    for start in range(0, len(batched), 100):
        path = os.path.join(directory, f"b{start}.json")
        open(path, "w").write("[" + ",".join(batched[start:start + 100]) + "]")
        batch_bodies.append((path, len(batched[start:start + 100])))
    batched_file = os.path.join(directory, "batched.jsonl")
    open(batched_file, "w").write("\n".join(batched) + "\n")
    tokens = os.path.join(directory, "tokens.json")
    json.dump({"tokens": [{"name": "bench", "sha256": hashlib.sha256(TOKEN.encode()).hexdigest(),
                           "sources": ["*"], "types": ["jump.*"]}]}, open(tokens, "w"))

    broker, bootstrap = start_broker(bin_dir, ["bench.serve:12", "bench.peer:12", "bench.publish:12"])
    servers = []
    try:
        serve_port, peer_port = 18700, 18701
        serve = subprocess.Popen([f"{bin_dir}/jump-producer", "serve", "-b", bootstrap, "-t", "bench.serve", "--tokens",
                                  tokens, "--listen", f"127.0.0.1:{serve_port}", "--log-level", "warning"] + os.environ.get("SERVE_ARGS", "").split(),
                                 stderr=subprocess.DEVNULL)
        peer = subprocess.Popen([sys.executable, os.path.join(ROOT, "Benchmarks/python_serve.py"), str(peer_port),
                                 bootstrap, "bench.peer", TOKEN], stderr=subprocess.DEVNULL)
        servers = [("jump-producer serve", serve, serve_port), ("python peer", peer, peer_port)]
        for _, process, port in servers:
            wait_until_serving(port, process)
        results = {}
        for name, process, port in servers:
            # Warm-up: connections, the producer's metadata, the interpreter's caches.
            load(port, single_bodies[:200], "application/cloudevents+json", 8, directory)
            cpu_before = cpu_seconds(process.pid)
            single = load(port, single_bodies, "application/cloudevents+json", 64, directory)
            batch = load(port, batch_bodies, "application/cloudevents-batch+json", 8, directory)
            results[name] = (single, batch, cpu_seconds(process.pid) - cpu_before, peak_mib(process.pid))
        floor = broker_floor(bootstrap)
        _, _, publish_wall, publish_cpu, publish_peak = measured(
            [f"{bin_dir}/jump-producer", "publish", "-b", bootstrap, "-t", "bench.publish", batched_file])
    finally:
        for _, process, _ in servers:
            process.send_signal(signal.SIGTERM)
            process.wait(timeout=30)
        broker.send_signal(signal.SIGTERM)
        broker.wait(timeout=30)

    print(f"{arguments.single} requests of one event (64 clients); {arguments.batched} events in batches of 100 "
          f"(8 clients); release build, one jump-dev-broker, curl --parallel as the client\n")
    print("| server | 1 event/request: events/s | p50 ms | p99 ms | max ms | batches of 100: events/s | "
          "CPU s (both shapes) | peak RSS MiB | statuses |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    for name, (single, batch, cpu, peak) in results.items():
        wall, accepted, statuses, latencies = single
        batch_wall, batch_accepted, batch_statuses, _ = batch
        print(f"| {name} | {accepted / wall:,.0f} | {percentile(latencies, 0.5):.1f} | "
              f"{percentile(latencies, 0.99):.1f} | {latencies[-1]:.1f} | {batch_accepted / batch_wall:,.0f} | "
              f"{cpu:.1f} | {peak:.0f} | {statuses} {batch_statuses} |")
    print(f"| jump-producer publish (the batched events from a file) | | | | | "
          f"{arguments.batched / publish_wall:,.0f} | {publish_cpu:.1f} | {publish_peak:.0f} | |")
    serve_single = results["jump-producer serve"][0]
    peer_single = results["python peer"][0]
    print(f"\nserve / peer, one event per request: {serve_single[1] / serve_single[0] / (peer_single[1] / peer_single[0]):.2f}x "
          f"events/s, p99 {percentile(serve_single[3], 0.99) / percentile(peer_single[3], 0.99):.2f}x")
    serve_batch = results["jump-producer serve"][1]
    print(f"serve batches / publish from a file: {serve_batch[1] / serve_batch[0] / (arguments.batched / publish_wall):.2f}x")
    print(f"the broker's floor: a bare librdkafka producer waits {floor:.1f} ms (median of 20) for 100 events over 12 "
          f"partitions; 8 clients at that pace cap a batch shape at {8 * 100 / floor * 1000:,.0f} events/s")


if __name__ == "__main__":
    main()
