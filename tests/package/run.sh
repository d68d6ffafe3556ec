#!/usr/bin/env bash
# Installs the kclient build in $1 to a temporary prefix, then configures, builds and runs the
# consumer project against it. Usage: run.sh BUILD_DIR CXX_COMPILER
set -euo pipefail
build=$1
cxx=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
cmake -S "$(dirname "$0")" -B "$work/build" -G Ninja -DCMAKE_PREFIX_PATH="$work/prefix" \
  -DCMAKE_CXX_COMPILER="$cxx" -DCMAKE_CXX_FLAGS="${KCLIENT_PACKAGE_CXX_FLAGS:-}" >/dev/null
cmake --build "$work/build" >/dev/null
"$work/build/package_consumer"
