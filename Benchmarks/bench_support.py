"""What the benchmark scripts share: release builds, a jump-dev-broker, and measuring a process from outside."""
import os
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PRODUCER_SETTINGS = ["enable.idempotence=true", "acks=all", "linger.ms=5", "compression.codec=lz4"]


def release_bin(products, skip_build=False):
    """Builds the products in release mode (unless skip_build) and returns the directory they are in."""
    if not skip_build:
        for product in products:
            subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True)
    return subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, check=True,
                          capture_output=True, text=True).stdout.strip()


def start_broker(bin_dir, topics):
    """Starts a one-broker jump-dev-broker with extra topics ("name:partitions"); returns (process, bootstrap)."""
    arguments = [f"{bin_dir}/jump-dev-broker", "--no-discovery-file", "--broker-count", "1"]
    for topic in topics:
        arguments += ["--topic", topic]
    broker = subprocess.Popen(arguments, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    return broker, broker.stdout.readline().strip().split("=", 1)[1]


def measured(command):
    """Runs a command to completion; returns (stdout, stderr, wall s, CPU s, peak RSS MiB).

    CPU and peak come from GNU time (`/usr/bin/time`, Debian's `time`), which forks the command from its own small
    process: Linux counts a child's peak RSS from the fork, so a command forked from this Python process (which holds
    the tools' outputs) would report at least this process's memory as its peak."""
    started = time.monotonic()
    marker = "jump-bench-usage"
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(["/usr/bin/time", "-f", f"{marker} %e %U %S %M", *command], stdout=out, stderr=err)
        _, status, _ = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    lines = stderr.splitlines()
    usage = next((line for line in reversed(lines) if line.startswith(marker)), None)
    if os.waitstatus_to_exitcode(status) != 0 or usage is None:
        sys.exit(f"{command[0]} failed: {stderr[-2000:]}")
    stderr = "\n".join(line for line in lines if not line.startswith(marker))
    _, _, user, system, peak_kib = usage.split()
    return stdout, stderr, wall, float(user) + float(system), int(peak_kib) / 1024