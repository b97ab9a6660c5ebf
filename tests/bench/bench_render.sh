#!/bin/bash
# bench_render.sh - render benchmarks (never run by CTest or CI; timings
# depend on the machine). Usage: tests/bench/bench_render.sh [BUILD_DIR]
#
#  1. An A4 landscape 300 dpi PNG (3508 x 2480) of a synthetic database of
#     10,000 incidents with the full basemap: `bordermap render`, end to end
#     (database, basemap, drawing, PNG), best of 3.
#  2. Mapnik (Debian's python3-mapnik, under /usr/bin/python3) drawing the
#     same basemap layers and incidents with labels at the same size and
#     extent (tests/bench/mapnik_map.py), best of 3. Target: bordermap takes
#     at most half Mapnik's time.
#  3. A kernel-density heatmap of 1,000,000 incidents (15 km bandwidth) on
#     the A4 page at 150 dpi: bm_render_map's time. Target: under 2 s.
set -eu
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${1:-$SRC/build}
BM=$BUILD/bordermap
OUT=${BENCH_OUT:-$BUILD/bench}
mkdir -p "$OUT"
export BORDERMAP_DATA=$SRC

if ! /usr/bin/python3 -c 'import mapnik' 2>/dev/null; then
    echo "installing python3-mapnik (Debian) for the comparison"
    if [ "$(id -u)" -eq 0 ]; then apt-get install -y python3-mapnik >/dev/null
    else sudo apt-get install -y python3-mapnik >/dev/null; fi
fi

best() { # best CMD...: prints the best wall time of 3 runs, in seconds
    local b=999999 t s e
    for _ in 1 2 3; do
        s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
        t=$(echo "$e - $s" | bc -l)
        b=$(echo "if ($t < $b) $t else $b" | bc -l)
    done
    printf '%.3f\n' "$b"
}

cmake --build "$BUILD" --target make_synthetic bench_heatmap bordermap -j2 >/dev/null
"$BUILD/tests/bench/make_synthetic" "$OUT/synthetic.sqlite" 10000
"$BM" export --db "$OUT/synthetic.sqlite" -o "$OUT/synthetic.csv" >/dev/null

t_bm=$(best "$BM" render --db "$OUT/synthetic.sqlite" --dpi 300 -o "$OUT/bordermap_10k_a4_300dpi.png")
echo "bordermap: 10,000 incidents, A4 300 dpi PNG: ${t_bm} s  ($OUT/bordermap_10k_a4_300dpi.png)"
t_mk=$(best /usr/bin/python3 "$SRC/tests/bench/mapnik_map.py" "$SRC/gazetteer/basemap.gpkg" \
       "$OUT/synthetic.csv" "$OUT/mapnik_10k_a4_300dpi.png")
echo "mapnik:    10,000 incidents, A4 300 dpi PNG: ${t_mk} s  ($OUT/mapnik_10k_a4_300dpi.png)"
ratio=$(echo "$t_bm / $t_mk" | bc -l)
printf 'ratio bordermap/mapnik: %.2f (target <= 0.50): %s\n' "$ratio" \
    "$(echo "$ratio <= 0.5" | bc -l | sed 's/1/PASS/;s/0/FAIL/')"

line=$("$BUILD/tests/bench/bench_heatmap" "$OUT/heatmap_1e6.png" 1000000 15)
echo "$line"
t_heat=$(echo "$line" | sed -n 's/.*render \([0-9.]*\) s.*/\1/p')
printf 'heatmap 1e6 render: %s s (target < 2 s): %s\n' "$t_heat" \
    "$(echo "$t_heat < 2" | bc -l | sed 's/1/PASS/;s/0/FAIL/')"
