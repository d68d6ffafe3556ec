#!/usr/bin/env bash
# The benchmark comparison in one command: kclient against librdkafka and the Java client, on
# kclient-broker and on a single-node Apache Kafka, then docs/benchmarks.md (tables and chart).
#
#   scripts/bench.sh [compare.py options]     e.g. --runs 5, --scale 0.2, --brokers bundled
#
# Installs what is missing, builds the release benchmarks, fetches Kafka (without it, the Java
# client and the Kafka broker are skipped with a line saying so). Give it a quiet machine: the
# figures are medians of interleaved runs, but every other process still adds noise.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
# Debian's python, which has Debian's packages (a pyenv python3 earlier on PATH would not).
python=/usr/bin/python3
[ -x "$python" ] || python=python3
# The chart; only the benchmarks need it.
if ! "$python" -c 'import matplotlib' 2>/dev/null; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends python3-matplotlib >/dev/null
fi

cmake -S . -B build/release -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/release -j "${KCLIENT_JOBS:-2}" --target kclient-broker kclient-bench-run kclient-microbench

java_libs=""
if java_libs=$(scripts/kafka.sh fetch 4.1.1 2>/dev/null); then :; else
  echo "bench: Apache Kafka 4.1.1 could not be fetched from Maven Central: no Java client, no Kafka broker" >&2
  java_libs=""
fi
exec "$python" bench/compare.py --build build/release --out build/bench --java-libs "$java_libs" \
  --kafka-version 4.1.1 --docs docs/benchmarks.md "$@"
