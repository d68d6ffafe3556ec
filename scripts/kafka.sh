#!/usr/bin/env bash
# Apache Kafka for the real-Kafka test tier, from Maven Central, run in KRaft mode on loopback.
#
#   scripts/kafka.sh fetch VERSION           fetch Kafka VERSION into the cache; print its libs dir
#   scripts/kafka.sh start VERSION NODES DIR start NODES combined broker+controller nodes with
#                                            data, logs and pids under DIR; print bootstrap.servers
#   scripts/kafka.sh stop DIR                stop every node of the cluster in DIR (logs stay)
#   scripts/kafka.sh kill DIR NODE_ID        kill -9 one node
#   scripts/kafka.sh restart DIR NODE_ID     start a stopped or killed node again; wait for its port
#   scripts/kafka.sh pid DIR NODE_ID         print a node's pid
#
# The cache lives outside the repository: ${KCLIENT_CACHE:-~/.cache/kclient}. Three-node clusters
# use replication factor 3 and min.insync.replicas=2. JVMs get small heaps and the serial GC so
# that several fit on a 2-core machine; KAFKA_JVM_OPTS replaces those flags (the benchmarks).
set -euo pipefail

cache="${KCLIENT_CACHE:-$HOME/.cache/kclient}"
here="$(cd "$(dirname "$0")" && pwd)"

die() { echo "kafka.sh: $*" >&2; exit 1; }

libs_dir() { echo "$cache/kafka-$1/libs"; }

fetch() {
  local version=$1 dir
  dir="$cache/kafka-$version"
  if [ -f "$dir/.complete" ]; then libs_dir "$version"; return; fi
  mkdir -p "$dir"
  local binding
  case "$version" in
    3.*) binding='<dependency><groupId>org.slf4j</groupId><artifactId>slf4j-reload4j</artifactId><version>1.7.36</version></dependency>' ;;
    *)   binding='<dependency><groupId>org.apache.logging.log4j</groupId><artifactId>log4j-slf4j-impl</artifactId><version>2.24.3</version></dependency>' ;;
  esac
  cat > "$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>kclient</groupId><artifactId>kafka-runtime</artifactId><version>$version</version>
  <dependencies>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka_2.13</artifactId><version>$version</version></dependency>
    <dependency><groupId>org.apache.kafka</groupId><artifactId>kafka-tools</artifactId><version>$version</version></dependency>
    $binding
  </dependencies>
</project>
POM
  (cd "$dir" && timeout 600 mvn -q -B dependency:copy-dependencies -DoutputDirectory=libs -DincludeScope=runtime \
     >"$dir/mvn.log" 2>&1) || die "Maven could not fetch Kafka $version (see $dir/mvn.log)"
  touch "$dir/.complete"
  libs_dir "$version"
}

# A free port below the kernel's ephemeral range: the tests running next to Kafka bind port 0,
# which the kernel serves from that range, so a port chosen there could be taken between this
# check and the JVM's bind (it happened in CI: "Address already in use", a dead node).
free_port() {
  python3 - <<'PY'
import random, socket
low = int(open("/proc/sys/net/ipv4/ip_local_port_range").read().split()[0])
for _ in range(200):
    port = random.randint(10000, low - 1)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port))
    except OSError:
        continue
    finally:
        s.close()
    print(port)
    break
PY
}

write_logging() {
  local dir=$1
  cat > "$dir/log4j.properties" <<'L4J'
log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File=${kafka.logs.dir}/server.log
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
L4J
  cat > "$dir/log4j2.properties" <<'L4J2'
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
L4J2
}

java_opts() {
  local node_dir=$1 cluster_dir=$2
  # Tests want small, quick-starting JVMs; benchmarks set KAFKA_JVM_OPTS for a full-speed broker.
  echo "${KAFKA_JVM_OPTS:--Xmx384m -Xms96m -XX:+UseSerialGC -XX:TieredStopAtLevel=1} -Djava.awt.headless=true" \
       "-Dkafka.logs.dir=$node_dir -Dlog4j.configuration=file:$cluster_dir/log4j.properties" \
       "-Dlog4j2.configurationFile=$cluster_dir/log4j2.properties"
}

start() {
  local version=$1 nodes=$2 dir=$3 libs
  libs=$(fetch "$version")
  mkdir -p "$dir"
  dir=$(cd "$dir" && pwd)
  write_logging "$dir"
  local voters="" bootstrap="" rf=1 min_isr=1
  [ "$nodes" -ge 3 ] && { rf=3; min_isr=2; }
  declare -a ports cports
  for i in $(seq 1 "$nodes"); do
    ports[$i]=$(free_port); cports[$i]=$(free_port)
    voters+="${voters:+,}$i@127.0.0.1:${cports[$i]}"
    bootstrap+="${bootstrap:+,}127.0.0.1:${ports[$i]}"
  done
  local cluster_id
  cluster_id=$(python3 -c 'import base64,uuid; print(base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("="))')
  for i in $(seq 1 "$nodes"); do
    local nd="$dir/node$i"
    mkdir -p "$nd/data"
    cat > "$nd/server.properties" <<PROPS
process.roles=broker,controller
node.id=$i
controller.quorum.voters=$voters
listeners=PLAINTEXT://127.0.0.1:${ports[$i]},CONTROLLER://127.0.0.1:${cports[$i]}
advertised.listeners=PLAINTEXT://127.0.0.1:${ports[$i]}
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$nd/data
num.partitions=1
default.replication.factor=$rf
min.insync.replicas=$min_isr
offsets.topic.replication.factor=$rf
offsets.topic.num.partitions=4
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$min_isr
transaction.state.log.num.partitions=4
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
PROPS
    # shellcheck disable=SC2046
    java $(java_opts "$nd" "$dir") -cp "$libs/*" kafka.tools.StorageTool format -t "$cluster_id" \
      -c "$nd/server.properties" >"$nd/format.log" 2>&1 || die "formatting node $i failed (see $nd/format.log)"
  done
  echo "$libs" > "$dir/libs"
  for i in $(seq 1 "$nodes"); do launch_node "$dir" "$i"; done
  echo "$bootstrap" > "$dir/bootstrap"
  # Ready when every broker accepts connections and the cluster reports all of them.
  local deadline=$((SECONDS + 120))
  for i in $(seq 1 "$nodes"); do
    until (exec 3<>"/dev/tcp/127.0.0.1/${ports[$i]}") 2>/dev/null; do
      kill -0 "$(cat "$dir/node$i/pid")" 2>/dev/null || die "node $i exited during start-up (see $dir/node$i)"
      [ $SECONDS -lt $deadline ] || die "node $i did not open its port within 120 s (see $dir/node$i)"
      sleep 0.2
    done
  done
  until [ "$(timeout 10 kcat -b "$bootstrap" -L -J 2>/dev/null | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["brokers"]))' 2>/dev/null || echo 0)" = "$nodes" ]; do
    [ $SECONDS -lt $deadline ] || die "the cluster did not report $nodes brokers within 120 s"
    sleep 0.5
  done
  # A node can register and then die (a failed bind): every JVM must still be running.
  sleep 2
  for i in $(seq 1 "$nodes"); do
    kill -0 "$(cat "$dir/node$i/pid")" 2>/dev/null || die "node $i exited during start-up (see $dir/node$i)"
  done
  echo "$bootstrap"
}

# Starts node I of the (formatted) cluster in DIR in the background; its output is appended to
# stdout.log, so a restarted node keeps the log of its first life.
launch_node() {
  local dir=$1 i=$2 libs nd="$1/node$2"
  libs=$(cat "$dir/libs")
  # shellcheck disable=SC2046
  nohup java $(java_opts "$nd" "$dir") -cp "$libs/*" kafka.Kafka "$nd/server.properties" \
    >>"$nd/stdout.log" 2>&1 &
  echo $! > "$nd/pid"
}

restart() {
  local dir=$1 i=$2 nd="$1/node$2" port
  [ -f "$nd/server.properties" ] || die "no node $i in $dir"
  if [ -f "$nd/pid" ] && kill -0 "$(cat "$nd/pid")" 2>/dev/null; then die "node $i is running"; fi
  launch_node "$dir" "$i"
  port=$(sed -n 's|^listeners=PLAINTEXT://127.0.0.1:\([0-9]*\),.*|\1|p' "$nd/server.properties")
  local deadline=$((SECONDS + 120))
  until (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; do
    kill -0 "$(cat "$nd/pid")" 2>/dev/null || die "node $i exited during restart (see $nd)"
    [ $SECONDS -lt $deadline ] || die "node $i did not open its port within 120 s (see $nd)"
    sleep 0.2
  done
}

stop() {
  local dir=$1 pids=()
  for p in "$dir"/node*/pid; do [ -f "$p" ] && pids+=("$(cat "$p")"); done
  [ ${#pids[@]} -gt 0 ] || return 0
  kill -TERM "${pids[@]}" 2>/dev/null || true
  local deadline=$((SECONDS + 30))
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if [ $SECONDS -ge $deadline ]; then kill -KILL "$pid" 2>/dev/null || true; break; fi
      sleep 0.2
    done
  done
  rm -f "$dir"/node*/pid
}

case "${1:-}" in
  fetch) [ $# -eq 2 ] || die "usage: fetch VERSION"; fetch "$2" ;;
  start) [ $# -eq 4 ] || die "usage: start VERSION NODES DIR"; start "$2" "$3" "$4" ;;
  stop)  [ $# -eq 2 ] || die "usage: stop DIR"; stop "$2" ;;
  kill)  [ $# -eq 3 ] || die "usage: kill DIR NODE_ID"; kill -KILL "$(cat "$2/node$3/pid")" ;;
  pid)   [ $# -eq 3 ] || die "usage: pid DIR NODE_ID"; cat "$2/node$3/pid" ;;
  restart) [ $# -eq 3 ] || die "usage: restart DIR NODE_ID"; restart "$2" "$3" ;;
  *) die "usage: kafka.sh fetch|start|stop|kill|restart|pid ..." ;;
esac
