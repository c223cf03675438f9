#!/usr/bin/env bash
# The README's first command: the main job end to end on the embedded Kafka. Installs what is missing, builds,
# starts jump-dev-broker, publishes the press-release stream with jump-producer (validated, keyed by subject,
# every delivery acknowledged), reads it back with kcat, an independent client, folds it into a state store with
# jump-consumer (state worker, outbox relay, notifier), sends both audiences' digests and shows the digest log
# and the state summary. Stops the broker when done (or on Ctrl-C).
set -euo pipefail
cd "$(dirname "$0")/../.."

Deploy/local/install-dependencies.sh
swift build --product jump-dev-broker >&2
swift build --product jump-producer >&2
swift build --product jump-consumer >&2
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
echo "== jump-producer publish Schemas/examples/press-release.jsonl"
"$bin/jump-producer" publish -b "$bootstrap" Schemas/examples/press-release.jsonl
echo "== read back by kcat: partition, offset, key (the subject) and type"
kcat -b "$bootstrap" -C -t jump.events -o beginning -e -q -f '%t[%p]@%o key=%k %s\n' \
    | sed -E 's/ \{.*"type":"([^"]+)".*/ \1/'
echo "== a bad line is reported with its file and line, and is not sent"
printf '%s\n' '{"type":"jump.jobs.reported","subject":"jobs.x","data":{"scope":"x","period":{"year":1800},"jobsSupported":1,"source":"s"}}' \
    | "$bin/jump-producer" publish -b "$bootstrap" - || true
echo "== jump-consumer run --until-idle: fold the stream into a state store, route it to the audiences"
"$bin/jump-consumer" run -b "$bootstrap" --state "$workdir/state.sqlite" --until-idle --log-level warning
echo "== jump-consumer digest send-now: close the open windows and deliver both audiences' digests"
"$bin/jump-consumer" digest send-now -b "$bootstrap" --state "$workdir/state.sqlite"
echo "== digests.log (what operators tail): the consulate's in Spanish first, the governor's office's in English"
cat "$workdir/digests.log"
echo "== jump.digests, read back by kcat: key and digest id"
kcat -b "$bootstrap" -C -t jump.digests -o beginning -e -q -f '%k %h\n'
echo "== jump-consumer digest list"
"$bin/jump-consumer" digest list --state "$workdir/state.sqlite"
echo "== jump-consumer state summary"
"$bin/jump-consumer" state summary --state "$workdir/state.sqlite"
