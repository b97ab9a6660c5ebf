#!/usr/bin/env bash
# Throughput and memory of `bordermap geoparse` on one core: the shipped
# sample reports replicated to SIZE_MB (default 100) of report text, in
# files of the samples' own size, geoparsed by one process (jsonl to
# /dev/null). Prints MB/s and the peak resident memory, and the same for a
# tenth of the text, so that memory growth with the number of reports
# shows; each line also gives MB/s by the process's own CPU time (user,
# and user + system), which other work on a shared machine disturbs less
# than the wall clock. Not a test (tests never time things); run by hand:
#     tests/bench/bench_geoparse.sh [BORDERMAP] [SIZE_MB] [RUNS]
# With RUNS > 1 the large set is geoparsed once more untimed (warm-up) and
# then RUNS times, and a last line gives the minimum and median; with
# $BENCH_TSV set, that line is also appended there, tab-separated:
#     geoparse SIZE_BYTES bordermap RUNS MIN_S MEDIAN_S - WORDS s
# (words: whitespace-separated, as the literature's words per second count).
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BM=${1:-$SRC/build/bordermap}
SIZE_MB=${2:-100}
RUNS=${3:-1}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export BORDERMAP_DATA="$SRC"

make_set() { # make_set DIR MB: copies of the samples, written by one process
    python3 - "$1" "$2" "$SRC"/samples/*.txt <<'PY'
import os, sys
out, mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
texts = [open(f, 'rb').read() for f in files]
words = [len(t.split()) for t in texts]
os.makedirs(out, exist_ok=True)
have = i = w = 0
while have < mb * 1000000:
    t = texts[i % len(texts)]
    with open(os.path.join(out, '%d.txt' % i), 'wb') as f:
        f.write(t)
    have += len(t)
    w += words[i % len(texts)]
    i += 1
open(out + '.size', 'w').write('%d %d %d\n' % (have, i, w))
PY
}

run_set() { # run_set DIR
    local bytes files words t0 t1 rss user sys
    read -r bytes files words <"$1.size"
    # one process, pinned to one core
    /usr/bin/time -f '%M %U %S' -o "$WORK/rss" taskset -c 0 \
        "$BM" geoparse --format jsonl "$1"/*.txt >/dev/null 2>"$WORK/err" &
    local pid=$!
    t0=$(date +%s.%N)
    wait $pid
    t1=$(date +%s.%N)
    read -r rss user sys < <(tail -1 "$WORK/rss")
    awk -v b="$bytes" -v f="$files" -v t0="$t0" -v t1="$t1" -v r="$rss" \
        -v u="$user" -v y="$sys" \
        'BEGIN { s = t1 - t0; c = u + y; u = u > 0 ? u : 0.01; c = c > 0 ? c : 0.01
                 printf "%7.1f MB in %6d reports: %6.2f s, %6.1f MB/s; CPU user %.2f s, %.1f MB/s, user+sys %.2f s, %.1f MB/s; peak RSS %.1f MB\n", b / 1e6, f, s, b / 1e6 / s, u, b / 1e6 / u, c, b / 1e6 / c, r / 1024 }'
    awk -v t0="$t0" -v t1="$t1" 'BEGIN {printf "%.3f\n", t1 - t0}' >>"$WORK/times"
}

make_set "$WORK/small" $((SIZE_MB >= 10 ? SIZE_MB / 10 : 1))
make_set "$WORK/large" "$SIZE_MB"
run_set "$WORK/small"
[ "$RUNS" -le 1 ] || run_set "$WORK/large" >/dev/null   # warm-up
: >"$WORK/times"
for ((k = 0; k < RUNS; k++)); do run_set "$WORK/large"; done
if [ "$RUNS" -gt 1 ] || [ -n "${BENCH_TSV:-}" ]; then
    read -r bytes files words <"$WORK/large.size"
    read -r tmin tmed < <(sort -g "$WORK/times" | awk '{v[NR] = $1} END {print v[1], v[int((NR + 1) / 2)]}')
    awk -v b="$bytes" -v w="$words" -v a="$tmin" -v m="$tmed" -v n="$RUNS" 'BEGIN {
        printf "%.1f MB (%d words), %d runs: min %.2f s, median %.2f s: %.1f MB/s, %.0f words/s (median)\n",
            b / 1e6, w, n, a, m, b / 1e6 / m, w / m }'
    [ -z "${BENCH_TSV:-}" ] ||
        printf 'geoparse\t%s\tbordermap\t%s\t%s\t%s\t-\t%s\ts\n' "$bytes" "$RUNS" "$tmin" "$tmed" "$words" >>"$BENCH_TSV"
fi
