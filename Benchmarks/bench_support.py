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


def resident_mib():
    """This process's resident memory now, in MiB."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / (1 << 20)


def measured(command):
    """Runs a command to completion; returns (stdout, stderr, wall s, CPU s, peak RSS MiB) from wait4.

    Linux counts a child's peak RSS from the fork, before exec, so it is at least this process's RSS at that
    moment: a peak no larger than that is reported as an upper bound on stderr."""
    own = resident_mib()
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.monotonic() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{command[0]} failed: {stderr[-2000:]}")
    peak = usage.ru_maxrss / 1024
    if peak <= own * 1.05:
        print(f"note: peak of {os.path.basename(command[0])} ({peak:.0f} MiB) may be the benchmark's own "
              f"{own:.0f} MiB at fork", file=sys.stderr)
    return stdout, stderr, wall, usage.ru_utime + usage.ru_stime, peak
