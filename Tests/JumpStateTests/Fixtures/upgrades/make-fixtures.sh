#!/usr/bin/env bash
# Builds the upgrade fixtures: for each commit that shipped a new store schema, the jump-consumer of that commit
# folds events.jsonl (published by today's jump-producer to a jump-dev-broker of its own, started with
# --no-discovery-file so that no other run finds it) into a store, kept here as
# vN.sqlite. events.jsonl is the press release and three company events as b9fced0 (v6) had them, each with an
# id: what every one of those builds accepts. Run from the repository root after `swift build`; it takes a while (one build per commit, the
# dependencies built once in a shared scratch directory). The fixtures are committed: nothing runs this in CI.
set -euo pipefail
root=$(pwd)
here=Tests/JumpStateTests/Fixtures/upgrades
bin=$(swift build --show-bin-path)
work=${JUMP_FIXTURE_WORK:-/tmp/jump-upgrade-fixtures}
mkdir -p "$work"
# commit:name — the first commit of each store schema a build of jump-consumer could write (v15: the last one
# before the notifier's tables moved to their own file) (v1 predates
# jump-consumer; its two shipped variants are covered by StoreFileTests.v1Variants).
for entry in cc481fb:v2-without-notifier-offsets 04c680f:v2 5041f81:v3 2737b8e:v4 042cc2f:v5 b9fced0:v6 7efbee3:v15; do
    commit=${entry%%:*} name=${entry#*:}
    source="$work/source"
    if [ ! -d "$source" ]; then git worktree add --detach "$source" "$commit"; fi
    git -C "$source" checkout -q --detach "$commit"
    swift build --package-path "$source" --scratch-path "$work/build" --product jump-consumer
    consumer=$(swift build --package-path "$source" --scratch-path "$work/build" --show-bin-path)/jump-consumer
    coproc broker { "$bin/jump-dev-broker" --no-discovery-file --broker-count 1 --partitions 3; }
    read -r line <&"${broker[0]}"
    servers=${line#bootstrap.servers=}
    "$bin/jump-producer" publish -b "$servers" "$here/events.jsonl" > /dev/null
    store="$work/$name.sqlite"
    rm -f "$store" "$store-wal" "$store-shm"
    http=(); if "$consumer" run --help 2>&1 | grep -q -- --http; then http=(--http off); fi
    "$consumer" run -b "$servers" --state "$store" --until-idle "${http[@]}" \
        -X session.timeout.ms=3000 -X heartbeat.interval.ms=500 2> "$work/$name.log" || {
        echo "$name ($commit): jump-consumer failed; see $work/$name.log" >&2
        kill "$broker_PID"
        exit 1
    }
    # v15, the last store whose notifier shared its file: a digest built and waiting for deliveries too (send-now
    # exits 75 for the topic sink this process has no brokers for).
    if [ "$name" = v15 ]; then "$consumer" digest send-now --state "$store" 2>> "$work/$name.log" || true; fi
    kill "$broker_PID"; wait "$broker_PID" || true
    # One file, no WAL beside it.
    sqlite3 "$store" "PRAGMA wal_checkpoint(TRUNCATE); PRAGMA journal_mode=DELETE;" > /dev/null
    cp "$store" "$here/$name.sqlite"
    echo "$name ($commit): $(sqlite3 "$store" "SELECT group_concat(identifier, ' | ') FROM grdb_migrations")"
done
git worktree remove --force "$work/source"
