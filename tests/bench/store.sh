#!/usr/bin/env bash
# Store benchmark (issue 5, "Scale, measured"). Not a test: nothing here
# runs under CTest. For each size it:
#   1. writes the seeded synthetic incidents as CSV (bench_store gen),
#   2. ingests them with bordermap (bench_store ingest: the store API, batch
#      mode, time from opening to closing the store) and with
#      ogr2ogr -f SQLite -dsco SPATIALITE=YES (the same CSV),
#   3. runs the 25 km query around Hoeryong: bordermap in process
#      (bench_store query) and as the whole command (bordermap near), the
#      spatialite shell's full scan with ellipsoidal ST_Distance, the same
#      R*Tree search written by hand in SQL, and PostGIS ST_DWithin on a
#      geography column with a GiST index,
#   4. a small query (1.2 km, at most ~1,000 incidents even at 1e7), in
#      process and as the whole command,
# checks that every side returns the same number of incidents (exit 1
# otherwise), and writes a table of figures and ratios to out/bench-store.md.
#
# Usage: tests/bench/store.sh [--quick] [--sizes 1e5,1e6,1e7] [--runs N]
#                             [--build DIR] [--work DIR] [--no-postgis]
#   --quick      1e4 rows, fewer runs, no PostGIS (a smoke run)
#   --sizes      comma list (default 1e5,1e6)
#   --runs       timed runs per query (default 20; warm-up runs excluded)
#   --build      build folder (default build-perf, Release)
#   --work       scratch folder for CSVs and databases (default
#                ${TMPDIR:-/tmp}/bm-bench-store); can take several GB at 1e7
#   --no-postgis skip PostGIS
# PostGIS needs `apt-get install -y postgresql postgis` (Debian); the script
# starts a throwaway cluster in the work folder, listening on a Unix socket
# only, as user postgres, and stops and removes it at the end.
set -euo pipefail

src=$(cd "$(dirname "$0")/../.." && pwd)
build=$src/build-perf
work=${TMPDIR:-/tmp}/bm-bench-store
sizes=1e5,1e6
runs=20
quick=0
postgis=1
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; sizes=1e4; runs=5; postgis=0 ;;
    --sizes) sizes=$2; shift ;;
    --runs) runs=$2; shift ;;
    --build) build=$2; shift ;;
    --work) work=$2; shift ;;
    --no-postgis) postgis=0 ;;
    -h|--help) sed -n '2,30p' "$0"; exit 0 ;;
    *) echo "store.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# Hoeryong (gazetteer point) and the small query's centre.
LON=129.74601 LAT=42.44113 RADIUS=25000
SLON=129.85 SLAT=42.36 SRADIUS=1200
WARMUP=2

mkdir -p "$work" "$src/out"
cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target bench_store bordermap -j2 >/dev/null
bench=$build/tests/bench/bench_store
bm=$build/bordermap
for tool in ogr2ogr spatialite /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "store.sh: $tool not found" >&2; exit 1; }
done

# ---- helpers -------------------------------------------------------------
now_ms() { local t=$EPOCHREALTIME; echo "${t/./}" | awk '{printf "%.3f", $1/1000}'; }

# p50 and p95 (nearest rank) of the numbers on stdin: "p50 p95"
pct() { sort -g | awk '{v[NR]=$1} END {i=int(NR*0.5+0.999999); j=int(NR*0.95+0.999999);
  if (i<1) i=1; if (j<1) j=1; printf "%.3f %.3f\n", v[i], v[j]}'; }

# time_cmd N CMD... : runs CMD WARMUP+N times (stdout to $work/last.out),
# prints the N timed wall times in ms, one a line
time_cmd() {
  local n=$1; shift
  for ((k = 0; k < WARMUP + n; k++)); do
    local t0 t1
    t0=$(now_ms)
    "$@" >"$work/last.out"
    t1=$(now_ms)
    [ $k -ge $WARMUP ] && awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b-a}'
  done
}

kv() { sed -n "s/^$1=//p" "$2"; }
fail() { echo "store.sh: $*" >&2; exit 1; }

pg_dir= pg_sock=
pg_stop() {
  if [ -n "$pg_dir" ] && [ -d "$pg_dir" ]; then
    su postgres -c "pg_ctl -D '$pg_dir/data' -m fast -w stop" >/dev/null 2>&1 || true
    rm -rf "$pg_dir"
  fi
}
trap pg_stop EXIT

pg_start() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  [ -n "$bin" ] || { echo "store.sh: PostgreSQL not installed; skipping PostGIS" >&2; postgis=0; return; }
  ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 ||
    { echo "store.sh: PostGIS not installed (apt-get install -y postgis); skipping" >&2; postgis=0; return; }
  pg_dir=$(mktemp -d "$work/pg.XXXXXX")
  chown postgres "$pg_dir"
  pg_sock=$pg_dir
  su postgres -c "$bin/initdb -D '$pg_dir/data' -A trust -U postgres" >/dev/null
  su postgres -c "$bin/pg_ctl -D '$pg_dir/data' -w -l '$pg_dir/log' -o \"-c listen_addresses='' -k '$pg_sock' -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off\" start" >/dev/null
  PATH=$bin:$PATH
}
psql_q() { psql -X -q -h "$pg_sock" -U postgres -d bench "$@"; }

# ---- runs ------------------------------------------------------------------
out=$src/out/bench-store.md
rows_md=
box=$($bench box $LON $LAT $RADIUS)
read -r X0 Y0 X1 Y1 <<<"$box"
[ $postgis = 1 ] && [ "$(id -u)" = 0 ] && pg_start
[ $postgis = 1 ] && [ "$(id -u)" != 0 ] && { echo "store.sh: PostGIS needs root (su postgres); skipping" >&2; postgis=0; }

full_runs=3   # the full scans are slow: fewer timed runs
for size in ${sizes//,/ }; do
  n=$(awk -v s="$size" 'BEGIN {printf "%d", s}')
  csv=$work/inc-$n.csv db=$work/bm-$n.sqlite ogr=$work/ogr-$n.sqlite
  echo "== $n rows" >&2
  [ -s "$csv" ] || $bench gen "$n" "$csv"

  # ingest: bordermap
  rm -f "$db" "$db"-wal "$db"-shm
  /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/ingest.time" \
    $bench ingest "$csv" "$db" >"$work/ingest.kv"
  bm_rps=$(kv ingest_rps "$work/ingest.kv")
  bm_ingest_s=$(kv ingest_s "$work/ingest.kv")
  bm_ingest_rss=$(kv maxrss_kb_time "$work/ingest.time")
  # ingest: ogr2ogr, the same rows
  rm -f "$ogr"
  t0=$(now_ms)
  /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/ogr.time" \
    ogr2ogr -f SQLite -dsco SPATIALITE=YES "$ogr" "$csv" -nln incidents \
      -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
      -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326
  t1=$(now_ms)
  ogr_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", (b-a)/1000}')
  ogr_rps=$(awk -v n="$n" -v s="$ogr_s" 'BEGIN {printf "%.0f", n/s}')
  ogr_rss=$(kv maxrss_kb_time "$work/ogr.time")
  ogr_n=$(sqlite3 "$ogr" "SELECT count(*) FROM incidents")
  [ "$ogr_n" = "$n" ] || fail "ogr2ogr loaded $ogr_n rows, not $n"

  # query: bordermap in process
  /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/q.time" \
    $bench query "$db" $LON $LAT $RADIUS "$runs" $WARMUP >"$work/q.kv"
  c_in=$(kv count "$work/q.kv")
  in_p50=$(kv p50_ms "$work/q.kv") in_p95=$(kv p95_ms "$work/q.kv")
  q_rss=$(kv maxrss_kb_time "$work/q.time")
  # query: the whole command
  read -r cmd_p50 cmd_p95 < <(time_cmd "$runs" "$bm" near "$LAT,$LON" \
    --radius ${RADIUS}m --db "$db" --format csv | pct)
  c_cmd=$(($(wc -l <"$work/last.out") - 1))
  # spatialite: full scan, ellipsoidal distance, rows ordered like bordermap's
  full_sql="SELECT id, type, date, place_name, lon, lat, d FROM (SELECT id, type, date, place_name, lon, lat, ST_Distance(geom, MakePoint($LON, $LAT, 4326), 1) AS d FROM incidents) WHERE d <= $RADIUS ORDER BY d, id;"
  read -r full_p50 full_p95 < <(time_cmd $full_runs spatialite -silent "$db" "$full_sql" | pct)
  c_full=$(wc -l <"$work/last.out")
  # spatialite: the same R*Tree search by hand
  rtree_sql="SELECT id, type, date, place_name, lon, lat, d FROM (SELECT i.id, i.type, i.date, i.place_name, i.lon, i.lat, ST_Distance(i.geom, MakePoint($LON, $LAT, 4326), 1) AS d FROM idx_incidents_geom AS x JOIN incidents AS i ON i.id = x.pkid WHERE x.xmin <= $X1 AND x.xmax >= $X0 AND x.ymin <= $Y1 AND x.ymax >= $Y0) WHERE d <= $RADIUS ORDER BY d, id;"
  read -r rt_p50 rt_p95 < <(time_cmd "$runs" spatialite -silent "$db" "$rtree_sql" | pct)
  c_rt=$(wc -l <"$work/last.out")

  # PostGIS
  pg_in_p50=- pg_in_p95=- pg_cmd_p50=- pg_cmd_p95=- c_pg=-
  if [ $postgis = 1 ]; then
    psql -X -q -h "$pg_sock" -U postgres -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
    psql_q >/dev/null <<SQL
CREATE EXTENSION postgis;
CREATE TABLE incidents (id bigint PRIMARY KEY, report bigint, type text,
  date text, place_name text, place_id text, admin1 text, precision int,
  confidence double precision, lon double precision, lat double precision);
\copy incidents FROM '$csv' WITH (FORMAT csv, HEADER true)
ALTER TABLE incidents ADD COLUMN geog geography(Point, 4326);
UPDATE incidents SET geog = ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography;
CREATE INDEX incidents_geog ON incidents USING gist (geog);
VACUUM ANALYZE incidents;
SQL
    pg_sql="SELECT id, type, date, place_name, lon, lat, ST_Distance(geog, ST_MakePoint($LON, $LAT)::geography) AS d FROM incidents WHERE ST_DWithin(geog, ST_MakePoint($LON, $LAT)::geography, $RADIUS) ORDER BY d, id;"
    # in one session (no connection start-up), client-side \timing
    { echo '\timing on'; echo '\o /dev/null'; for ((k = 0; k < WARMUP + runs; k++)); do echo "$pg_sql"; done; } |
      psql_q 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n "$runs" >"$work/pg.ms"
    read -r pg_in_p50 pg_in_p95 < <(pct <"$work/pg.ms")
    read -r pg_cmd_p50 pg_cmd_p95 < <(time_cmd "$runs" psql_q -A -t -c "$pg_sql" | pct)
    c_pg=$(wc -l <"$work/last.out")
  fi

  # small query (at most ~1,000 incidents)
  $bench query "$db" $SLON $SLAT $SRADIUS "$runs" $WARMUP >"$work/s.kv"
  s_count=$(kv count "$work/s.kv") s_p50=$(kv p50_ms "$work/s.kv") s_p95=$(kv p95_ms "$work/s.kv")
  read -r s_cmd_p50 s_cmd_p95 < <(time_cmd "$runs" "$bm" near "$SLAT,$SLON" \
    --radius ${SRADIUS}m --db "$db" --format csv | pct)
  s_cmd_count=$(($(wc -l <"$work/last.out") - 1))
  read -r help_p50 help_p95 < <(time_cmd "$runs" "$bm" --help | pct)

  # the counts must agree on every side
  for c in "$c_cmd" "$c_full" "$c_rt"; do
    [ "$c" = "$c_in" ] || fail "$n rows: counts differ: in-process $c_in, command $c_cmd, full scan $c_full, R*Tree SQL $c_rt, PostGIS $c_pg"
  done
  [ $postgis = 0 ] || [ "$c_pg" = "$c_in" ] ||
    fail "$n rows: PostGIS counts $c_pg, bordermap $c_in"
  [ "$s_cmd_count" = "$s_count" ] || fail "$n rows: small query: $s_count in process, $s_cmd_count by the command"

  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx", a/b}'; }
  rows_md+="| $n | $bm_rps | $ogr_rps | $(ratio "$bm_rps" "$ogr_rps") | $bm_ingest_rss / $ogr_rss | $c_in | $in_p50 / $in_p95 | $cmd_p50 / $cmd_p95 | $full_p50 / $full_p95 | $rt_p50 / $rt_p95 | $pg_in_p50 / $pg_in_p95 | $pg_cmd_p50 / $pg_cmd_p95 | $(ratio "$full_p50" "$in_p50") / $(ratio "$full_p50" "$cmd_p50") | $(ratio "$pg_in_p50" "$in_p50") / $(ratio "$pg_cmd_p50" "$cmd_p50") | $s_count | $s_p50 / $s_p95 | $s_cmd_p50 / $s_cmd_p95 | $help_p50 | $q_rss |
"
  echo "$n rows done: ingest ${bm_rps}/s vs ogr2ogr ${ogr_rps}/s; query $c_in hits p50 ${in_p50} ms (command ${cmd_p50} ms), full scan ${full_p50} ms, R*Tree SQL ${rt_p50} ms, PostGIS ${pg_in_p50} ms" >&2
done

{
  echo "# bordermap store benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $runs timed runs per query after $WARMUP warm-up runs ($full_runs for the full scan); times in ms as p50 / p95."
  echo "Query: $RADIUS m around Hoeryong ($LAT N, $LON E); small query: $SRADIUS m around ($SLAT N, $SLON E)."
  echo "Ingest: rows per second from opening to closing the store (bordermap: store API, batch mode; ogr2ogr: the same CSV, -dsco SPATIALITE=YES); peak RSS in KB."
  echo "Full scan / R*Tree SQL: the spatialite shell, ST_Distance(geom, MakePoint(..., 4326), 1), rows ordered by distance; whole command."
  echo "PostGIS: ST_DWithin on geography with a GiST index; in session (psql \\timing) / whole psql command."
  echo
  echo "| rows | bordermap rows/s | ogr2ogr rows/s | ingest ratio | ingest peak RSS KB (bordermap / ogr2ogr) | hits | bordermap in process | bordermap command | spatialite full scan | spatialite R*Tree SQL | PostGIS in session | PostGIS command | full scan / bordermap (in process / command) | PostGIS / bordermap (in session / command) | small hits | small in process | small command | \`bordermap --help\` p50 | query peak RSS KB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows_md"
} >"$out"
cat "$out"
