#!/usr/bin/env bash
# Creates every topic of topics.yaml (and its .dlq twin) that does not exist yet.
# Usage: kafka-topics.sh <bootstrap> <topics.yaml>
set -euo pipefail
bootstrap=$1 manifest=$2
default_partitions=$(awk '/^  partitions:/{print $2; exit}' "$manifest")
default_retention=$(awk '/^  retention_days:/{print $2; exit}' "$manifest")
dlq_retention=$(awk '/^  dlq_retention_days:/{print $2; exit}' "$manifest")
create() { # name partitions retention_days
  /opt/kafka/bin/kafka-topics.sh --bootstrap-server "$bootstrap" --create --if-not-exists \
    --topic "$1" --partitions "$2" --replication-factor 1 --config "retention.ms=$(( $3 * 86400000 ))"
}
# One line per topic: name partitions retention_days (entries may override the defaults).
awk -v p="$default_partitions" -v r="$default_retention" '
  /^  - name:/ { if (name) print name, part, ret; name=$3; part=p; ret=r; next }
  /^    partitions:/ { part=$2 }
  /^    retention_days:/ { ret=$2 }
  END { if (name) print name, part, ret }' "$manifest" |
while read -r name partitions retention; do
  create "$name" "$partitions" "$retention"
  create "$name.dlq" "$partitions" $(( retention > dlq_retention ? retention : dlq_retention ))
done
