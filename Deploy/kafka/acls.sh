#!/usr/bin/env bash
# Kafka ACLs for jump-relay with the standard Kafka tools (kafka-acls.sh): only the producers' principals may write
# jump.events; each role reads and writes only what it needs. Untested here: no real Kafka runs on our machines.
#
#   BOOTSTRAP=kafka-1:9093 COMMAND_CONFIG=/etc/jump-relay/admin.properties Deploy/kafka/acls.sh
#
# Principals (SCRAM users): PRODUCERS (space-separated: the systems that publish events, and the operators'
# principal that redelivers dead letters), STATE (the state workers), NOTIFIER (the notifier), OPERATOR (the
# operators' principal, one of PRODUCERS, which may also read the DLQ).
set -euo pipefail

: "${BOOTSTRAP:?set BOOTSTRAP to host:port of the cluster brokers}"
PRODUCERS=${PRODUCERS:-"User:jump-producer User:jump-operator"}
OPERATOR=${OPERATOR:-"User:jump-operator"}
STATE=${STATE:-"User:jump-state"}
NOTIFIER=${NOTIFIER:-"User:jump-notifier"}
KAFKA_ACLS=${KAFKA_ACLS:-kafka-acls.sh}
config=()
[ -n "${COMMAND_CONFIG:-}" ] && config=(--command-config "$COMMAND_CONFIG")

acl() { "$KAFKA_ACLS" --bootstrap-server "$BOOTSTRAP" "${config[@]}" --add "$@"; }

# Producers: write jump.events (idempotently), nothing else.
for producer in $PRODUCERS; do
    acl --allow-principal "$producer" --producer --topic jump.events --idempotent
done
# State workers: read jump.events in their group, and write it to move an event that arrived in the wrong
# partition to its own (placement.partitioner); write the DLQ and jump.notifications.
acl --allow-principal "$STATE" --consumer --topic jump.events --group jump-state
acl --allow-principal "$STATE" --producer --topic jump.events --idempotent
acl --allow-principal "$STATE" --producer --topic jump.events.dlq --idempotent
acl --allow-principal "$STATE" --producer --topic jump.notifications --idempotent
# The notifier: read jump.notifications in its group; write jump.digests.
acl --allow-principal "$NOTIFIER" --consumer --topic jump.notifications --group jump-notifier
acl --allow-principal "$NOTIFIER" --producer --topic jump.digests --idempotent
# Operators (jump-consumer dlq list / redeliver / settle) read the DLQ with a throwaway group; they write jump.events as
# one of the producers above, and the DLQ for the redelivery and settlement records that show what was done.
acl --allow-principal "$OPERATOR" --consumer --topic jump.events.dlq --group 'jump-dlq-reader-' \
    --resource-pattern-type prefixed
acl --allow-principal "$OPERATOR" --producer --topic jump.events.dlq --idempotent
