#!/usr/bin/env bash
# README command (b): the whole test suite. Installs what is missing,
# builds with warnings as errors and runs every test; checks that the
# benchmark harness runs (quick mode, no thresholds); builds again with
# AddressSanitizer + UndefinedBehaviorSanitizer and runs every test once
# more; runs them under valgrind memcheck; and fuzzes each harness for 45 s.
# Fails loudly: any failure, or no tests at all, exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

echo "== build (warnings as errors)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBM_WERROR=ON
cmake --build build-test -j"$jobs"
echo "== tests"
ctest --test-dir build-test --output-on-failure --no-tests=error -j"$jobs"

echo "== benchmark harness (quick mode: small sizes, no thresholds)"
if ! tests/bench/run --quick --build build-bench-ci --work "${TMPDIR:-/tmp}/bm-bench-ci" \
        --out build-test/bench >build-test/bench-quick.log 2>&1; then
    tail -40 build-test/bench-quick.log; echo "benchmark harness failed"; exit 1
fi

echo "== build (ASan + UBSan)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DBM_WERROR=ON -DBM_SANITIZE=ON
cmake --build build-asan -j"$jobs"
echo "== tests under the sanitizers"
# LeakSanitizer is on; tests/lsan.supp lists the process-lifetime caches of
# system libraries (fontconfig) that are not ours.
ASAN_OPTIONS="detect_leaks=1:abort_on_error=1:strict_string_checks=1" \
LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --test-dir build-asan --output-on-failure --no-tests=error -j"$jobs"

echo "== tests under valgrind memcheck (Debug build, no sanitizers)"
./tests/valgrind.sh build-valgrind

echo "== fuzz smoke run (libFuzzer + ASan + UBSan, 45 s per harness)"
./tests/fuzz/run.sh --seconds 45
