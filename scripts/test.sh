#!/usr/bin/env bash
# README command (b): the whole test suite. Installs what is missing,
# builds with warnings as errors and runs every test; then builds again
# with AddressSanitizer + UndefinedBehaviorSanitizer and runs them all
# once more. Fails loudly: any failure, or no tests at all, exits non-zero.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
jobs=$(nproc)

echo "== build (warnings as errors)"
cmake -S . -B build-test -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBM_WERROR=ON
cmake --build build-test -j"$jobs"
echo "== tests"
ctest --test-dir build-test --output-on-failure --no-tests=error -j"$jobs"

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
