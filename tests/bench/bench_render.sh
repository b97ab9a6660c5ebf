#!/usr/bin/env bash
# bench_render.sh - render benchmarks (never run by CTest or CI; timings
# depend on the machine).
#
# Usage: tests/bench/bench_render.sh [BUILD_DIR] [options]
#   --n N          incidents on the A4 map (default 10000)
#   --dpi N        its resolution (default 300: 3508 x 2480 px)
#   --runs N       timed runs per side (default 3), after --warmup N (1)
#   --heat-n N     incidents in the heatmaps (default 1000000)
#   --heat-db DB --heat-csv CSV
#                  the heatmap's incidents as a bordermap database and the
#                  same rows as CSV (tests/bench/run passes store.sh's);
#                  default: written here with bench_store gen + ingest
#   --no-mapnik, --no-gmt   leave a peer out
#   --no-build     use the programs already in BUILD_DIR
#   --out DIR      images and scratch files (default BUILD_DIR/bench)
#   --tsv FILE     append one line per side: area size side runs min p50
#                  p95 count unit (tests/bench/run merges these)
#
#  1. An A4 landscape PNG at 300 dpi (3508 x 2480) of a synthetic database
#     of 10,000 incidents (make_synthetic, fixed seed) over the full
#     basemap, extent 123-131.6 E, 39-43.9 N on every side:
#     `bordermap render`, end to end (database, basemap, drawing, PNG).
#  2. Mapnik (Debian's python3-mapnik, under /usr/bin/python3) drawing the
#     same basemap layers and incidents with labels at the same size and
#     extent (tests/bench/mapnik_map.py). Target: bordermap takes at most
#     half Mapnik's time.
#  3. GMT (Debian's gmt) drawing the same (tests/bench/gmt_map.sh map).
#  4. A kernel-density heatmap (15 km bandwidth) on the A4 page at 150 dpi:
#     bm_render_map's time for 1,000,000 incidents in memory
#     (bench_heatmap; target: under 2 s), and end to end from the same
#     1,000,000 rows: `bordermap render --heatmap 15` from its database
#     beside GMT from the CSV (tests/bench/gmt_map.sh heat).
# Times are wall clock; each side's output is checked for its incident
# count. The min and median of the timed runs are printed.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$SRC/build
if [ $# -gt 0 ] && [ "${1#-}" = "$1" ]; then BUILD=$1; shift; fi
n=10000 dpi=300 runs=3 warmup=1 heat_n=1000000 heat_db= heat_csv=
mapnik=1 gmt=1 build_it=1 out= tsv=
while [ $# -gt 0 ]; do
    case $1 in
        --n) n=$2; shift ;;
        --dpi) dpi=$2; shift ;;
        --runs) runs=$2; shift ;;
        --warmup) warmup=$2; shift ;;
        --heat-n) heat_n=$2; shift ;;
        --heat-db) heat_db=$2; shift ;;
        --heat-csv) heat_csv=$2; shift ;;
        --no-mapnik) mapnik=0 ;;
        --no-gmt) gmt=0 ;;
        --no-build) build_it=0 ;;
        --out) out=$2; shift ;;
        --tsv) tsv=$2; shift ;;
        -h|--help) sed -n '2,36p' "$0"; exit 0 ;;
        *) echo "bench_render.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift
done
BM=$BUILD/bordermap
OUT=${out:-${BENCH_OUT:-$BUILD/bench}}
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
export BORDERMAP_DATA=$SRC
BBOX=123,39,131.6,43.9          # the Mapnik and GMT maps' extent
HBOX=123.5,39.4,131,43.5        # the heatmaps' extent

if [ $mapnik = 1 ] && ! /usr/bin/python3 -c 'import mapnik' 2>/dev/null; then
    echo "bench_render.sh: installing python3-mapnik (Debian) for the comparison" >&2
    if [ "$(id -u)" -eq 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-mapnik >/dev/null
    else sudo apt-get install -y -q python3-mapnik >/dev/null; fi
fi
if [ $gmt = 1 ] && ! command -v gmt >/dev/null; then
    echo "bench_render.sh: gmt not found (apt-get install gmt); leaving GMT out" >&2
    gmt=0
fi

# timed LABEL CMD...: WARMUP untimed and RUNS timed runs of CMD (stdout to
# $OUT/last.out); prints "min median" in seconds (median: nearest rank)
timed() {
    local label=$1 k t0 t1; shift
    : >"$OUT/times"
    for ((k = 0; k < warmup + runs; k++)); do
        t0=$EPOCHREALTIME
        "$@" >"$OUT/last.out"
        t1=$EPOCHREALTIME
        [ $k -lt $warmup ] || awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}' >>"$OUT/times"
    done
    sort -g "$OUT/times" | awk '{v[NR] = $1} END {printf "%.3f %.3f\n", v[1], v[int((NR + 1) / 2)]}'
}
emit() { [ -z "$tsv" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }
fail() { echo "bench_render.sh: $*" >&2; exit 1; }

if [ $build_it = 1 ]; then
    cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release >/dev/null
    cmake --build "$BUILD" --target make_synthetic bench_heatmap bench_store bordermap -j2 >/dev/null
fi

# ---- 1-3: the A4 map of N incidents ------------------------------------------
"$BUILD/tests/bench/make_synthetic" "$OUT/synthetic.sqlite" "$n" >/dev/null
rm -f "$OUT/synthetic.csv"
"$BM" export --db "$OUT/synthetic.sqlite" -o "$OUT/synthetic.csv" --no-qml >/dev/null
rows=$(($(wc -l <"$OUT/synthetic.csv") - 1))
[ "$rows" = "$n" ] || fail "exported $rows incidents, not $n"

# the output is removed before each run (bordermap never replaces a file
# unless told to; GMT and Mapnik overwrite theirs)
bm_map() { rm -f "$OUT/bordermap_map.png"; "$BM" render --db "$OUT/synthetic.sqlite" --dpi "$dpi" \
    --bbox "$BBOX" -o "$OUT/bordermap_map.png"; }
read -r bm_min bm_med < <(timed bordermap bm_map)
got=$(sed -n 's/.*: \([0-9]*\) incidents selected.*/\1/p' "$OUT/last.out")
[ "$got" = "$n" ] || fail "bordermap render drew $got incidents, not $n"
emit render "$n" bordermap "$runs" "$bm_min" "$bm_med" - "$got" s
echo "bordermap: $n incidents, A4 $dpi dpi PNG: min ${bm_min} s, median ${bm_med} s  ($OUT/bordermap_map.png)"

if [ $mapnik = 1 ]; then
    read -r mk_min mk_med < <(timed mapnik /usr/bin/python3 "$SRC/tests/bench/mapnik_map.py" \
        "$SRC/gazetteer/basemap.gpkg" "$OUT/synthetic.csv" "$OUT/mapnik_map.png" "$dpi")
    got=$(($(wc -l <"$OUT/mapnik_map.png.incidents.csv") - 1))
    [ "$got" = "$n" ] || fail "Mapnik drew $got incidents, not $n"
    emit render "$n" mapnik "$runs" "$mk_min" "$mk_med" - "$got" s
    echo "mapnik:    $n incidents, A4 $dpi dpi PNG: min ${mk_min} s, median ${mk_med} s  ($OUT/mapnik_map.png)"
    ratio=$(awk -v a="$bm_med" -v b="$mk_med" 'BEGIN {printf "%.2f", a / b}')
    echo "ratio bordermap/mapnik (median): $ratio (target <= 0.50): $(awk -v r="$ratio" 'BEGIN {print (r <= 0.5) ? "PASS" : "FAIL"}')"
fi

if [ $gmt = 1 ]; then
    "$SRC/tests/bench/gmt_map.sh" prepare "$SRC/gazetteer/basemap.gpkg" "$OUT/gmt-basemap"
    read -r gm_min gm_med < <(timed gmt "$SRC/tests/bench/gmt_map.sh" map "$OUT/gmt-basemap" \
        "$OUT/synthetic.csv" "$OUT/gmt_map.png" "$dpi")
    got=$(sed -n 's/.* \([0-9]*\) incidents.*/\1/p' "$OUT/last.out")
    [ "$got" = "$n" ] || fail "GMT drew $got incidents, not $n"
    emit render "$n" gmt "$runs" "$gm_min" "$gm_med" - "$got" s
    echo "gmt:       $n incidents, A4 $dpi dpi PNG: min ${gm_min} s, median ${gm_med} s  ($OUT/gmt_map.png)"
fi

# ---- 4: heatmaps ---------------------------------------------------------------
rm -f "$OUT/heatmap_render_only.png"
line=$("$BUILD/tests/bench/bench_heatmap" "$OUT/heatmap_render_only.png" "$heat_n" 15)
echo "$line"
t_heat=$(echo "$line" | sed -n 's/.*render \([0-9.]*\) s.*/\1/p')
emit heatmap_render "$heat_n" bordermap.render_only 1 "$t_heat" "$t_heat" - "$heat_n" s
echo "heatmap $heat_n render only: $t_heat s (target < 2 s): $(awk -v t="$t_heat" 'BEGIN {print (t < 2) ? "PASS" : "FAIL"}')"

if [ -z "$heat_db" ]; then
    heat_csv=$OUT/heat-$heat_n.csv heat_db=$OUT/heat-$heat_n.sqlite
    [ -s "$heat_csv" ] || "$BUILD/tests/bench/bench_store" gen "$heat_n" "$heat_csv"
    if [ ! -s "$heat_db" ]; then
        rm -f "$heat_db" "$heat_db"-wal "$heat_db"-shm
        "$BUILD/tests/bench/bench_store" ingest "$heat_csv" "$heat_db" >/dev/null
    fi
fi
bm_heat() { rm -f "$OUT/bordermap_heatmap.png"; "$BM" render --db "$heat_db" --heatmap 15 --dpi 150 \
    --bbox "$HBOX" -o "$OUT/bordermap_heatmap.png"; }
read -r hb_min hb_med < <(timed bordermap bm_heat)
got=$(sed -n 's/.*: \([0-9]*\) incidents selected.*/\1/p' "$OUT/last.out")
[ "$got" = "$heat_n" ] || fail "bordermap heatmap read $got incidents, not $heat_n"
emit heatmap "$heat_n" bordermap "$runs" "$hb_min" "$hb_med" - "$got" s
echo "bordermap: heatmap of $heat_n incidents from its database, A4 150 dpi: min ${hb_min} s, median ${hb_med} s (target < 2 s end to end): $(awk -v t="$hb_med" 'BEGIN {print (t < 2) ? "PASS" : "FAIL"}')"
if [ $gmt = 1 ]; then
    read -r hg_min hg_med < <(timed gmt "$SRC/tests/bench/gmt_map.sh" heat "$OUT/gmt-basemap" \
        "$heat_csv" "$OUT/gmt_heatmap.png" 15 "$HBOX" 150)
    got=$(sed -n 's/.* \([0-9]*\) incidents.*/\1/p' "$OUT/last.out")
    [ "$got" = "$heat_n" ] || fail "GMT heatmap read $got incidents, not $heat_n"
    emit heatmap "$heat_n" gmt "$runs" "$hg_min" "$hg_med" - "$got" s
    echo "gmt:       heatmap of $heat_n incidents from CSV, A4 150 dpi: min ${hg_min} s, median ${hg_med} s"
fi
