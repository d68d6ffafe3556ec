#!/usr/bin/env bash
# Fetches Apache Kafka's client jars (which carry Kafka's message definitions) from Maven Central
# into the local Maven repository (~/.m2, outside this repository). Idempotent: Maven skips what
# it already has. Exits 0 either way; prints one line saying what is available.
set -uo pipefail

versions=(3.9.1 4.1.1)
repo="${KCLIENT_MAVEN_REPO:-$HOME/.m2/repository}"
ok=()
for v in "${versions[@]}"; do
  jar="$repo/org/apache/kafka/kafka-clients/$v/kafka-clients-$v.jar"
  if [ ! -f "$jar" ]; then
    timeout 300 mvn -q -B dependency:get -Dartifact="org.apache.kafka:kafka-clients:$v" -Dtransitive=false \
      -Dmaven.repo.local="$repo" >/dev/null 2>&1 || true
  fi
  [ -f "$jar" ] && ok+=("$v")
done
if [ ${#ok[@]} -eq ${#versions[@]} ]; then
  echo "fetch-kafka: kafka-clients ${ok[*]} available in $repo"
else
  echo "fetch-kafka: SKIPPED some Kafka jars: Maven Central could not be reached or refused (have: ${ok[*]:-none})"
fi
