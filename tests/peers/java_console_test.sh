#!/usr/bin/env bash
# Kafka's own Java console producer and consumer (a client we did not write) against
# kclient-broker: keyed records with acks=all (and the Java producer's default idempotence) go in,
# and come back out in order, once through a consumer group and once by explicit partition. Then
# the Java client's ProducerPerformance tool (the benchmark peer) writes 50,000 records and must
# report every one sent; its summary line is printed, a figure for the record, not a threshold.
#
#   java_console_test.sh KCLIENT_BROKER KAFKA_VERSION
#
# Exits 77 (skipped) when Kafka's jars cannot be fetched from Maven Central.
set -uo pipefail
broker_bin=$1
version=$2
here="$(cd "$(dirname "$0")" && pwd)"
libs=$("$here/../../scripts/kafka.sh" fetch "$version" 2>/dev/null) || {
  echo "java console peers: SKIPPED: Kafka $version could not be fetched from Maven Central"
  exit 77
}
work=$(mktemp -d)
broker_pid=""
cleanup() {
  [ -n "$broker_pid" ] && kill "$broker_pid" 2>/dev/null && wait "$broker_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*"
  echo "--- kclient-broker log (last 40 lines)"
  tail -40 "$work/broker.err"
  exit 1
}

"$broker_bin" --port 0 --group-initial-rebalance-delay-ms 0 >"$work/broker.out" 2>"$work/broker.err" &
broker_pid=$!
deadline=$((SECONDS + 30))
until grep -q '^bootstrap.servers=' "$work/broker.out"; do
  [ $SECONDS -lt $deadline ] || fail "kclient-broker printed no bootstrap line"
  kill -0 "$broker_pid" 2>/dev/null || fail "kclient-broker exited"
  sleep 0.1
done
bootstrap=$(sed -n 's/^bootstrap.servers=//p' "$work/broker.out")

case "$version" in
  3.*) producer_class=kafka.tools.ConsoleProducer ;;
  *)   producer_class=org.apache.kafka.tools.ConsoleProducer ;;
esac
jvm=(java -Xmx256m -XX:+UseSerialGC -XX:TieredStopAtLevel=1 -cp "$libs/*")
topic=java-console-orders
count=200
for i in $(seq 1 $count); do echo "order-$((i % 10)):payment-$i"; done >"$work/input"

"${jvm[@]}" "$producer_class" --bootstrap-server "$bootstrap" --topic "$topic" \
  --property parse.key=true --property key.separator=: \
  --producer-property acks=all --producer-property linger.ms=5 \
  <"$work/input" >"$work/producer.log" 2>&1 || { cat "$work/producer.log"; fail "console producer exited non-zero"; }

consume() {
  "${jvm[@]}" org.apache.kafka.tools.consumer.ConsoleConsumer --bootstrap-server "$bootstrap" --topic "$topic" \
    --max-messages "$count" --timeout-ms 60000 --property print.key=true --property key.separator=: "$@" \
    2>"$work/consumer.err"
}
consume --from-beginning --group java-console-group >"$work/group.out" || { cat "$work/consumer.err"; fail "group consumer"; }
diff -q "$work/input" "$work/group.out" >/dev/null || { diff "$work/input" "$work/group.out" | head; fail "group consumer read something else"; }
consume --partition 0 --offset earliest >"$work/assigned.out" || { cat "$work/consumer.err"; fail "partition consumer"; }
diff -q "$work/input" "$work/assigned.out" >/dev/null || fail "partition consumer read something else"
echo "java console peers (Kafka $version tools): $count records produced and consumed twice: OK"

# ProducerPerformance: idempotent acks=all, 50,000 records of 100 bytes, unthrottled.
perf_records=50000
"${jvm[@]}" org.apache.kafka.tools.ProducerPerformance --topic java-perf --num-records "$perf_records" \
  --record-size 100 --throughput -1 --producer-props bootstrap.servers="$bootstrap" acks=all linger.ms=5 \
  >"$work/perf.out" 2>"$work/perf.err" || { tail -20 "$work/perf.err"; fail "ProducerPerformance exited non-zero"; }
summary=$(grep "^$perf_records records sent" "$work/perf.out") || { cat "$work/perf.out"; fail "ProducerPerformance did not send every record"; }
echo "java ProducerPerformance (Kafka $version) against kclient-broker: $summary"
