#!/usr/bin/env bash
# Runs the fuzz harnesses with libFuzzer, one after the other, each for a
# set time. Builds them first (clang, -DBM_FUZZ=ON) in build-fuzz/ (or
# $BM_FUZZ_BUILD) when needed.
#
#   tests/fuzz/run.sh [--seconds N] [harness...]
#
# Harnesses: report geoparse date style import (default: all). N defaults
# to 60. Each harness starts from its seed corpus (tests/fuzz/corpus/<h>/)
# and the kept crashes (tests/fuzz/regress/<h>/); what it learns goes to
# <build>/fuzz-corpus/<h>/, which later runs reuse (it is not part of the
# project). A crash, leak, timeout or out-of-memory input is copied into
# tests/fuzz/regress/<h>/ - keep it there once fixed: CTest replays those
# files in every build - and the script exits 1 after running the rest.
# Extra libFuzzer flags can be given in $BM_FUZZ_FLAGS.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
all=(report geoparse date style import)
seconds=60
harnesses=()
while [ $# -gt 0 ]; do
    case "$1" in
        --seconds) seconds=${2:?--seconds needs a number}; shift 2 ;;
        --seconds=*) seconds=${1#*=}; shift ;;
        -h|--help) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        -*) echo "run.sh: unknown option $1" >&2; exit 2 ;;
        *) harnesses+=("$1"); shift ;;
    esac
done
case "$seconds" in ''|*[!0-9]*) echo "run.sh: --seconds takes a whole number" >&2; exit 2 ;; esac
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")
for h in "${harnesses[@]}"; do
    case " ${all[*]} " in *" $h "*) ;; *) echo "run.sh: no harness '$h' (${all[*]})" >&2; exit 2 ;; esac
done

build=${BM_FUZZ_BUILD:-$root/build-fuzz}
cc=${CC:-clang}
command -v "$cc" >/dev/null || { echo "run.sh: $cc not found (apt-get install clang libclang-rt-14-dev)" >&2; exit 1; }
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "== configure $build (libFuzzer + ASan + UBSan)"
    CC=$cc cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBM_FUZZ=ON >/dev/null
fi
echo "== build ${harnesses[*]}"
targets=()
for h in "${harnesses[@]}"; do targets+=(--target "fuzz_$h"); done
mkdir -p "$build/fuzz-logs"
# clang's warnings about code gcc builds cleanly are noise here: the log
# keeps them, and is shown when the build fails.
if ! cmake --build "$build" -j"$(nproc)" "${targets[@]}" >"$build/fuzz-logs/build.log" 2>&1; then
    tail -40 "$build/fuzz-logs/build.log" >&2
    echo "run.sh: the fuzz build failed (log: $build/fuzz-logs/build.log)" >&2
    exit 1
fi

# Per harness: the longest input worth trying.
declare -A max_len=([report]=8192 [geoparse]=8192 [date]=64 [style]=4096 [import]=4096)

export BORDERMAP_DATA=${BORDERMAP_DATA:-$root}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:strict_string_checks=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$root/tests/lsan.supp:print_suppressions=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
failed=()
summary=()
for h in "${harnesses[@]}"; do
    bin="$build/fuzz/fuzz_$h"
    work="$build/fuzz-corpus/$h"
    art="$build/fuzz-artifacts/$h"
    log="$build/fuzz-logs/$h.log"
    mkdir -p "$work" "$art" "$(dirname "$log")" "$here/regress/$h"
    dict=()
    [ -f "$here/dict/$h.dict" ] && dict=(-dict="$here/dict/$h.dict")
    echo "== fuzz $h for ${seconds}s (log: $log)"
    start=$(date +%s)
    rc=0
    # The harnesses that need files make their scratch folder under
    # $TMPDIR; a crash skips their clean-up, so each run gets one of its
    # own, in memory when /dev/shm is there, removed afterwards.
    shm=/dev/shm; [ -d "$shm" ] && [ -w "$shm" ] || shm=${TMPDIR:-/tmp}
    scratch=$(mktemp -d "$shm/bm-fuzz-run.XXXXXX")
    # shellcheck disable=SC2086
    TMPDIR=$scratch "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
        -max_len="${max_len[$h]}" -print_final_stats=1 \
        -artifact_prefix="$art/" "${dict[@]}" ${BM_FUZZ_FLAGS:-} \
        "$work" "$here/corpus/$h" "$here/regress/$h" >"$log" 2>&1 || rc=$?
    rm -rf "$scratch"
    took=$(( $(date +%s) - start ))
    # (a crash while loading the corpus leaves no status lines: || true)
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
    [ -n "$execs" ] || execs=$( (grep -o '^#[0-9]*' "$log" || true) | tail -1 | tr -d '#')
    kept=0
    for f in "$art"/crash-* "$art"/leak-* "$art"/timeout-* "$art"/oom-* \
             "$art"/slow-unit-*; do
        [ -f "$f" ] || continue
        case "$(basename "$f")" in slow-unit-*) continue ;; esac
        cp "$f" "$here/regress/$h/"
        echo "   kept $(basename "$f") in tests/fuzz/regress/$h/"
        rm -f "$f"
        kept=$((kept + 1))
    done
    if [ "$rc" -eq 72 ] && [ "$kept" -eq 0 ]; then
        result=stopped # libFuzzer interrupted (SIGINT/SIGTERM)
        failed+=("$h")
    elif [ "$rc" -ne 0 ] || [ "$kept" -gt 0 ]; then
        echo "   FAILED (exit $rc): $h; the end of $log:"
        (grep -E "ERROR: |SUMMARY: |runtime error|Test unit written" "$log" || true) | head -20 | sed 's/^/   /'
        failed+=("$h")
        result=FAILED
    else
        result=ok
    fi
    corp=$( (grep -o 'corp: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
    cov=$( (grep -o 'cov: [0-9]*' "$log" || true) | tail -1 | cut -d' ' -f2)
    summary+=("$(printf '%-9s %-7s %5ss %12s execs  cov %s  corpus %s' "$h" "$result" "$took" "${execs:-?}" "${cov:-?}" "${corp:-?}")")
done

echo "== summary"
printf '   %s\n' "${summary[@]}"
if [ ${#failed[@]} -gt 0 ]; then
    echo "run.sh: ${failed[*]} found a problem; inputs kept in tests/fuzz/regress/" >&2
    exit 1
fi
