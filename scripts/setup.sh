#!/usr/bin/env bash
# Installs everything kclient needs to build and test, from Debian's packages. Idempotent: it
# asks apt only for what is missing, so a second run does nothing and needs no network.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config python3 ccache
  clang-14 libclang-rt-14-dev lld-14          # sanitizer and libFuzzer builds
  libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsnappy-dev
  nlohmann-json3-dev libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev
  librdkafka-dev kcat python3-kafka            # peers we did not write
  python3-snappy python3-lz4 python3-zstandard # kafka-python's codecs
  maven default-jdk-headless                   # Apache Kafka's jars come from Maven Central
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
echo "setup: installing ${missing[*]}"
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
