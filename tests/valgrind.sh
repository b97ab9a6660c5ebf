#!/usr/bin/env bash
# valgrind.sh - the CTest suite under valgrind memcheck (issue 8, item 6;
# docs/reliability.md), in a plain Debug build (no sanitizers: valgrind and
# ASan do not mix).
#
#   tests/valgrind.sh [BUILD_DIR] [-- CTEST ARGS...]
#   (default build-valgrind; e.g. tests/valgrind.sh build-vg -- -L unit)
#
# - C test programs (unit, golden, fuzz replayers) run under valgrind through
#   CMAKE_CROSSCOMPILING_EMULATOR, which CTest puts in front of every test
#   that is a built program.
# - CLI tests (bash scripts) run the program through BM_WRAP, which
#   tests/cli/lib.sh honours: the first call of each kind in the suite (a
#   subcommand with its output format, --format, --heatmap or --by: about
#   70 calls) runs under valgrind, the others natively; BM_WRAP_ALL=1 puts
#   every call under it (much slower: about an hour on two cores).
# - Errors fail: --error-exitcode (99, so that a CLI test expecting exit
#   code 1 cannot mistake an error for the failure it expects) and, for CLI
#   calls, any line in their log. Leaks: --leak-check=full with
#   --errors-for-leak-kinds=definite (a definite leak is an error; possible
#   and reachable blocks of system libraries are not).
# - tests/valgrind.supp holds the suppressions for system libraries
#   (fontconfig, GLib/pango type registration, GDAL/PROJ/SQLite caches,
#   libxml2 initialisation).
#
# Exits non-zero when a test fails or valgrind reports an error.
set -euo pipefail
cd "$(dirname "$0")/.."
SRC=$PWD
BUILD=${1:-build-valgrind}
[ $# -gt 0 ] && shift
[ "${1:-}" = "--" ] && shift
command -v valgrind >/dev/null || { echo "valgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
jobs=$(nproc)

VG=(valgrind -q --tool=memcheck --leak-check=full --show-leak-kinds=definite
    --errors-for-leak-kinds=definite --error-exitcode=99 --num-callers=30
    --child-silent-after-fork=yes --suppressions="$SRC/tests/valgrind.supp")
emulator=$(IFS=';'; echo "${VG[*]}")

echo "== build (Debug, no sanitizers) in $BUILD"
cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Debug -DBM_WERROR=ON -DBM_SANITIZE=OFF \
      "-DCMAKE_CROSSCOMPILING_EMULATOR=$emulator" >/dev/null
cmake --build "$BUILD" -j"$jobs"

echo "== tests under valgrind"
# CLI calls log to a file each, so that the test can fail on any report.
export BM_WRAP="${VG[*]} --log-file=@WRAPDIR@/vg-%p.log"
# The first call of each kind in the whole suite is wrapped (lib.sh).
export BM_WRAP_SEEN="$PWD/$BUILD/tests/tmp/valgrind-wrapped"
rm -rf "$BM_WRAP_SEEN"
# The long-running reliability tests keep their checks at a smaller size.
export BM_KILL_FILES=${BM_KILL_FILES:-400} BM_KILL_ROUNDS=${BM_KILL_ROUNDS:-8}
export BM_LOAD_SECONDS=${BM_LOAD_SECONDS:-20}
status=0
TIMEFORMAT="== valgrind run: %0R s on $jobs cores (CPU: %0U s user, %0S s system)"
time {
    ctest --test-dir "$BUILD" --output-on-failure --no-tests=error -j"$jobs" \
          --timeout 1500 "$@" || status=$?
}
logs=$(find "$BUILD/tests/tmp" -path '*/.wrap/vg-*.log' 2>/dev/null | wc -l)
echo "== $logs program calls ran under valgrind in the CLI tests; exit $status"
exit $status
