#!/usr/bin/env bash
# Throughput and memory of `bordermap geoparse` on one core: the shipped
# sample reports replicated to SIZE_MB (default 100) of report text, in
# files of the samples' own size, geoparsed by one process (jsonl to
# /dev/null). Prints MB/s and the peak resident memory, and the same for a
# tenth of the text, so that memory growth with the number of reports
# shows. Not a test (tests never time things); run by hand:
#     tests/bench/bench_geoparse.sh [BORDERMAP] [SIZE_MB]
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BM=${1:-$SRC/build/bordermap}
SIZE_MB=${2:-100}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
export BORDERMAP_DATA="$SRC"

make_set() { # make_set DIR MB: copies of the samples, written by one process
    python3 - "$1" "$2" "$SRC"/samples/*.txt <<'PY'
import os, sys
out, mb, files = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
texts = [open(f, 'rb').read() for f in files]
os.makedirs(out, exist_ok=True)
have = i = 0
while have < mb * 1000000:
    t = texts[i % len(texts)]
    with open(os.path.join(out, '%d.txt' % i), 'wb') as f:
        f.write(t)
    have += len(t)
    i += 1
open(out + '.size', 'w').write('%d %d\n' % (have, i))
PY
}

run_set() { # run_set DIR
    local bytes files t0 t1 rss
    read -r bytes files <"$1.size"
    # one process, pinned to one core
    /usr/bin/time -f '%M' -o "$WORK/rss" taskset -c 0 \
        "$BM" geoparse --format jsonl "$1"/*.txt >/dev/null 2>"$WORK/err" &
    local pid=$!
    t0=$(date +%s.%N)
    wait $pid
    t1=$(date +%s.%N)
    rss=$(tail -1 "$WORK/rss")
    awk -v b="$bytes" -v f="$files" -v t0="$t0" -v t1="$t1" -v r="$rss" \
        'BEGIN { s = t1 - t0; printf "%7.1f MB in %6d reports: %6.2f s, %6.1f MB/s, peak RSS %.1f MB\n", b / 1e6, f, s, b / 1e6 / s, r / 1024 }'
}

make_set "$WORK/small" $((SIZE_MB / 10))
make_set "$WORK/large" "$SIZE_MB"
run_set "$WORK/small"
run_set "$WORK/large"
