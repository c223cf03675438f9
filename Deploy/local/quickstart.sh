#!/usr/bin/env bash
# The README's first command, as far as jump-relay goes today: installs what is missing, builds, starts the
# embedded Kafka (jump-dev-broker), shows its topics, sends messages through jump-relay's Kafka binding and
# reads them back with kcat, an independent client. Stops the broker when done (or on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/../.."

Deploy/local/install-dependencies.sh
swift build --product jump-dev-broker >&2
swift build --product jump-kafka-bench >&2
bin=$(swift build --show-bin-path)

workdir=$(mktemp -d)
"$bin/jump-dev-broker" --no-discovery-file >"$workdir/broker.out" 2>"$workdir/broker.log" &
broker=$!
trap 'kill -TERM $broker 2>/dev/null; wait $broker 2>/dev/null; rm -rf "$workdir"' EXIT
until grep -q '^bootstrap.servers=' "$workdir/broker.out" 2>/dev/null; do
    kill -0 $broker 2>/dev/null || { cat "$workdir/broker.log" >&2; exit 1; }
    sleep 0.1
done
bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$workdir/broker.out")

echo "== jump-dev-broker is serving at $bootstrap"
kcat -b "$bootstrap" -L | grep -E 'brokers:|topic "'
echo "== 1,000 messages through JumpKafka (idempotent, acks=all, lz4), every delivery acknowledged"
"$bin/jump-kafka-bench" produce -b "$bootstrap" -t jump.events --count 1000 --size 64 2>/dev/null
echo "== read back by kcat"
kcat -b "$bootstrap" -C -t jump.events -o beginning -e -q -f '%t[%p]@%o key=%k %s\n' | sort -t@ -k2 -n | head -5
echo "   ... $(kcat -b "$bootstrap" -C -t jump.events -o beginning -e -q | wc -l) messages in all"
