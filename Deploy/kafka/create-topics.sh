#!/usr/bin/env bash
# Creates jump-relay's topics on a real Kafka cluster with the standard Kafka tools (kafka-topics.sh).
# Untested here: no real Kafka cluster runs on our machines (the dev broker creates its own topics).
#
#   BOOTSTRAP=kafka-1:9093 COMMAND_CONFIG=/etc/jump-relay/admin.properties Deploy/kafka/create-topics.sh
#
# COMMAND_CONFIG is a client properties file (security.protocol, sasl.*) for an admin principal.
# EVENT_PARTITIONS (default 12) is how far the state workers can scale out; it can grow later, never shrink,
# and growing it moves subjects between partitions.
set -euo pipefail

: "${BOOTSTRAP:?set BOOTSTRAP to host:port of the cluster brokers}"
EVENT_PARTITIONS=${EVENT_PARTITIONS:-12}
REPLICATION=${REPLICATION:-3}
KAFKA_TOPICS=${KAFKA_TOPICS:-kafka-topics.sh}
config=()
[ -n "${COMMAND_CONFIG:-}" ] && config=(--command-config "$COMMAND_CONFIG")

create() {
    local topic=$1 partitions=$2
    shift 2
    "$KAFKA_TOPICS" --bootstrap-server "$BOOTSTRAP" "${config[@]}" --create --if-not-exists \
        --topic "$topic" --partitions "$partitions" --replication-factor "$REPLICATION" \
        --config min.insync.replicas=2 "$@"
}

# The system of record: kept forever, state is a fold of it.
create jump.events "$EVENT_PARTITIONS" --config retention.ms=-1 --config retention.bytes=-1 \
    --config max.message.bytes="${MAX_MESSAGE_BYTES:-1048588}"
# Dead letters: original bytes plus reason headers; kept 90 days for redelivery. The same max.message.bytes as
# jump.events (the broker default unless set above), so every message the source topic took fits here
# unchanged; a larger one becomes a bounded record pointing at its place in jump.events.
MAX_MESSAGE_BYTES=${MAX_MESSAGE_BYTES:-1048588}
create jump.events.dlq "$EVENT_PARTITIONS" --config retention.ms=7776000000 --config max.message.bytes="$MAX_MESSAGE_BYTES"
# Notification items: one partition, read by the single notifier.
create jump.notifications 1 --config retention.ms=2592000000
# Digests, for other systems: one partition, kept a year.
create jump.digests 1 --config retention.ms=31536000000
