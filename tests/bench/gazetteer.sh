#!/usr/bin/env bash
# Gazetteer benchmark (not a test): builds bench_gazetteer in a Release
# build folder and runs it on the committed gazetteer/.
# Usage: tests/bench/gazetteer.sh [BUILD_DIR] [RUNS]
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=${1:-$src/build-bench}
runs=${2:-15}
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench_gazetteer -j2 >/dev/null
"$build"/tests/bench/bench_gazetteer "$src" "$runs"
