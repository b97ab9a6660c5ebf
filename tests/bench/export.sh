#!/usr/bin/env bash
# Export benchmark (not a test): every incident of a bordermap database
# written as GeoJSON by `bordermap export` and by ogr2ogr reading the same
# database with SQL that selects the same fields (id, event_type, ...,
# status: the field set `bordermap export` writes, reports joined for
# report_title, outlet and url), with the same layer options (RFC 7946,
# 7 decimals, the same description). Both go through GDAL's GeoJSON writer,
# so the two files must be byte for byte the same: the script checks that
# (exit 1 otherwise) and times each side, whole command, WARMUP untimed and
# RUNS timed runs.
#
# Usage: tests/bench/export.sh DB [--runs N] [--warmup N] [--build DIR]
#                              [--no-build] [--work DIR] [--tsv FILE]
#   DB       a bordermap database (e.g. store.sh's bm-1000000.sqlite)
#   --runs   timed runs per side (default 3), after --warmup (default 1)
#   --build  build folder (default build-bench, Release); --no-build uses
#            the bordermap already there
#   --work   scratch folder for the two GeoJSON files (default
#            ${TMPDIR:-/tmp}/bm-bench-export)
#   --tsv    append "export SIZE SIDE RUNS MIN MEDIAN - COUNT s" lines
set -euo pipefail
src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-bench
work=${TMPDIR:-/tmp}/bm-bench-export
runs=3 warmup=1 build_it=1 tsv= db=
while [ $# -gt 0 ]; do
  case $1 in
    --runs) runs=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --build) build=$2; shift ;;
    --no-build) build_it=0 ;;
    --work) work=$2; shift ;;
    --tsv) tsv=$2; shift ;;
    -h|--help) sed -n '2,21p' "$0"; exit 0 ;;
    -*) echo "export.sh: unknown argument $1" >&2; exit 2 ;;
    *) db=$1 ;;
  esac
  shift
done
[ -n "$db" ] && [ -s "$db" ] || { echo "export.sh: give a bordermap database" >&2; exit 2; }
mkdir -p "$work"
if [ $build_it = 1 ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target bordermap -j2 >/dev/null
fi
bm=$build/bordermap
export BORDERMAP_DATA=$src

# the field set and order of `bordermap export` (src/export/export.c)
sql="SELECT i.id AS id, i.type AS event_type, i.date AS event_date,
  i.date_precision AS time_precision, i.date_start AS date_start,
  i.date_end AS date_end, i.place_name AS place, i.place_id AS place_id,
  i.admin1 AS admin1, i.admin2 AS admin2, i.country AS country,
  CASE i.precision WHEN 1 THEN 'town' WHEN 2 THEN 'county' WHEN 3 THEN 'province'
    WHEN 4 THEN 'country' ELSE 'unknown' END AS geo_precision,
  i.actor AS actors, i.sentence AS evidence, i.evidence_more AS evidence_more,
  r.title AS report_title, r.source AS outlet, r.url AS url,
  i.confidence AS confidence, i.status AS status, i.is_main AS is_main,
  i.geom AS geom
FROM incidents AS i LEFT JOIN reports AS r ON r.id = i.report_id ORDER BY i.id"

timed() { # timed CMD...: prints "min median" seconds of the timed runs
  local k t0 t1
  : >"$work/times"
  for ((k = 0; k < warmup + runs; k++)); do
    t0=$EPOCHREALTIME
    "$@" >/dev/null
    t1=$EPOCHREALTIME
    [ $k -lt $warmup ] || awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}' >>"$work/times"
  done
  sort -g "$work/times" | awk '{v[NR] = $1} END {printf "%.3f %.3f\n", v[1], v[int((NR + 1) / 2)]}'
}
emit() { [ -z "$tsv" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }

n=$(sqlite3 "$db" "SELECT count(*) FROM incidents")
bm_out=$work/bordermap.geojson ogr_out=$work/ogr2ogr.geojson
bm_export() { rm -f "$bm_out"; "$bm" export --db "$db" -o "$bm_out" --no-qml; }
read -r bm_min bm_med < <(timed bm_export)
ogr_export() {
  rm -f "$ogr_out"
  ogr2ogr -f GeoJSON -lco RFC7946=YES -lco COORDINATE_PRECISION=7 \
    -lco "DESCRIPTION=bordermap incidents" -a_srs EPSG:4326 -nln incidents \
    "$ogr_out" "$db" -sql "$sql"
}
read -r ogr_min ogr_med < <(timed ogr_export)

c_bm=$(grep -c '^{ "type": "Feature"' "$bm_out" || true)
c_ogr=$(grep -c '^{ "type": "Feature"' "$ogr_out" || true)
[ "$c_bm" = "$n" ] || { echo "export.sh: bordermap wrote $c_bm features, not $n" >&2; exit 1; }
cmp -s "$bm_out" "$ogr_out" || { echo "export.sh: the two GeoJSON files differ ($c_bm / $c_ogr features, $(stat -c %s "$bm_out") / $(stat -c %s "$ogr_out") bytes)" >&2; exit 1; }
bytes=$(stat -c %s "$bm_out")
emit export "$n" bordermap "$runs" "$bm_min" "$bm_med" - "$c_bm" s
emit export "$n" ogr2ogr "$runs" "$ogr_min" "$ogr_med" - "$c_ogr" s
echo "export of $n incidents to GeoJSON ($bytes bytes, identical files): bordermap min ${bm_min} s, median ${bm_med} s; ogr2ogr min ${ogr_min} s, median ${ogr_med} s; ratio (median) $(awk -v a="$bm_med" -v b="$ogr_med" 'BEGIN {printf "%.2f", a / b}')"
rm -f "$bm_out" "$ogr_out"
