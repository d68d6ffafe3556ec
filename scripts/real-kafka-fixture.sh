#!/usr/bin/env bash
# ctest fixture for the real-Kafka tier: start or stop one cluster.
#   real-kafka-fixture.sh start VERSION NODES DIR
#   real-kafka-fixture.sh stop DIR
# If Kafka cannot be fetched (Maven Central unreachable), `start` prints one line saying the tier
# is skipped and succeeds without writing DIR/bootstrap; the scenario programs then exit 77
# (skipped). A Kafka that was fetched but does not start is a failure.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
case "$1" in
  start)
    version=$2 nodes=$3 dir=$4
    rm -rf "$dir"
    mkdir -p "$dir"
    if ! "$here/kafka.sh" fetch "$version" >/dev/null 2>"$dir/fetch.err"; then
      echo "real-kafka tier: SKIPPED Kafka $version: $(tail -1 "$dir/fetch.err")"
      exit 0
    fi
    if ! "$here/kafka.sh" start "$version" "$nodes" "$dir"; then
      echo "Kafka $version ($nodes nodes) failed to start; last log lines:"
      for n in "$dir"/node*; do echo "== $n"; tail -20 "$n/server.log" "$n/stdout.log" 2>/dev/null; done
      "$here/kafka.sh" stop "$dir"
      rm -f "$dir/bootstrap"
      exit 1
    fi
    ;;
  stop)
    "$here/kafka.sh" stop "$2"
    ;;
  *) echo "usage: $0 start VERSION NODES DIR | stop DIR" >&2; exit 2 ;;
esac
