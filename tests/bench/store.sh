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
# The R*Tree SQL is also timed in one sqlite3 session with mod_spatialite
# loaded (.timer), beside bordermap in process and PostGIS in session.
#
# Usage: tests/bench/store.sh [--quick] [--sizes 1e5,1e6,1e7] [--runs N]
#                             [--build DIR] [--work DIR] [--no-postgis]
#   --quick      1e4 rows, fewer runs, no PostGIS (a smoke run)
#   --sizes      comma list (default 1e5,1e6)
#   --runs       timed runs per query (default 20; warm-up runs excluded)
#   --full-runs  timed runs of the full scan (default 3)
#   --full-warmup N  untimed full scans before them (default: --warmup)
#   --ingest-runs N  timed ingests per side (default 1; the database of the
#                last one is queried)
#   --no-ogr-ingest  leave out the ogr2ogr ingest (e.g. at 1e7, for time)
#   --warmup N   untimed runs before the timed ones (default 2)
#   --build      build folder (default build-perf, Release)
#   --no-build   use the programs already in the build folder
#   --work       scratch folder for CSVs and databases (default
#                ${TMPDIR:-/tmp}/bm-bench-store); can take several GB at 1e7
#   --md FILE    the table (default out/bench-store.md)
#   --tsv FILE   also append one line per side and measurement, tab-separated:
#                area size side runs min p50 p95 count unit
#                (tests/bench/run merges these into out/bench.md)
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
full_runs=3   # the full scans are slow: fewer timed runs
ingest_runs=1
ogr_ingest=1
WARMUP=2
full_warmup=
build_it=1
out=
tsv=
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1; sizes=1e4; runs=5; postgis=0 ;;
    --sizes) sizes=$2; shift ;;
    --runs) runs=$2; shift ;;
    --full-runs) full_runs=$2; shift ;;
    --ingest-runs) ingest_runs=$2; shift ;;
    --no-ogr-ingest) ogr_ingest=0 ;;
    --warmup) WARMUP=$2; shift ;;
    --full-warmup) full_warmup=$2; shift ;;
    --build) build=$2; shift ;;
    --no-build) build_it=0 ;;
    --work) work=$2; shift ;;
    --md) out=$2; shift ;;
    --tsv) tsv=$2; shift ;;
    --no-postgis) postgis=0 ;;
    -h|--help) sed -n '2,42p' "$0"; exit 0 ;;
    *) echo "store.sh: unknown argument $1" >&2; exit 2 ;;
  esac
  shift
done

# Hoeryong (gazetteer point) and the small query's centre.
LON=129.74601 LAT=42.44113 RADIUS=25000
SLON=129.85 SLAT=42.36 SRADIUS=1200

mkdir -p "$work" "$src/out"
if [ $build_it = 1 ]; then
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" --target bench_store bordermap -j2 >/dev/null
fi
bench=$build/tests/bench/bench_store
bm=$build/bordermap
for tool in ogr2ogr spatialite sqlite3 /usr/bin/time; do
  command -v "$tool" >/dev/null || { echo "store.sh: $tool not found" >&2; exit 1; }
done

# ---- helpers -------------------------------------------------------------
now_ms() { local t=$EPOCHREALTIME; echo "${t/./}" | awk '{printf "%.3f", $1/1000}'; }

# p50, p95 (nearest rank) and minimum of the numbers on stdin: "p50 p95 min"
pct() { sort -g | awk '{v[NR]=$1} END {i=int(NR*0.5+0.999999); j=int(NR*0.95+0.999999);
  if (i<1) i=1; if (j<1) j=1; printf "%.3f %.3f %.3f\n", v[i], v[j], v[1]}'; }

# emit AREA SIZE SIDE RUNS MIN P50 P95 COUNT UNIT: one line of --tsv
emit() { [ -z "$tsv" ] || printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$tsv"; }

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
  su postgres -c "$bin/pg_ctl -D '$pg_dir/data' -w -l '$pg_dir/log' -o \"-c listen_addresses='' -k '$pg_sock' -c shared_buffers=256MB -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=8GB -c maintenance_work_mem=1GB\" start" >/dev/null
  PATH=$bin:$PATH
}
psql_q() { psql -X -q -h "$pg_sock" -U postgres -d bench "$@"; }

# ---- runs ------------------------------------------------------------------
[ -n "$out" ] || out=$src/out/bench-store.md
rows_md=
box=$($bench box $LON $LAT $RADIUS)
read -r X0 Y0 X1 Y1 <<<"$box"
[ $postgis = 1 ] && [ "$(id -u)" = 0 ] && pg_start
[ $postgis = 1 ] && [ "$(id -u)" != 0 ] && { echo "store.sh: PostGIS needs root (su postgres); skipping" >&2; postgis=0; }

for size in ${sizes//,/ }; do
  n=$(awk -v s="$size" 'BEGIN {printf "%d", s}')
  csv=$work/inc-$n.csv db=$work/bm-$n.sqlite ogr=$work/ogr-$n.sqlite
  echo "== $n rows" >&2
  [ -s "$csv" ] || $bench gen "$n" "$csv"

  # ingest: bordermap, ingest_runs times (each into a new database)
  : >"$work/ingest.s"
  for ((k = 0; k < ingest_runs; k++)); do
    rm -f "$db" "$db"-wal "$db"-shm
    /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/ingest.time" \
      $bench ingest "$csv" "$db" >"$work/ingest.kv"
    kv ingest_s "$work/ingest.kv" >>"$work/ingest.s"
  done
  read -r bm_ingest_s bm_ingest_p95 bm_ingest_min < <(pct <"$work/ingest.s")
  bm_rps=$(awk -v n="$n" -v s="$bm_ingest_s" 'BEGIN {printf "%.0f", n/s}')
  bm_ingest_rss=$(kv maxrss_kb_time "$work/ingest.time")
  [ "$(kv rows "$work/ingest.kv")" = "$n" ] || fail "bordermap stored $(kv rows "$work/ingest.kv") rows, not $n"
  emit ingest "$n" bordermap "$ingest_runs" "$bm_ingest_min" "$bm_ingest_s" "$bm_ingest_p95" "$n" s
  # the stored rows are the CSV's rows: text fields and precision summed on
  # both sides (skipped above 1e6 rows, for time; coordinates are checked by
  # the query counts)
  if [ "$n" -le 1000000 ]; then
    want=$(awk -F, 'NR > 1 {s += length($3) + length($4) + length($5) + $8} END {printf "%d", s}' "$csv")
    got=$(sqlite3 "$db" "SELECT CAST(total(length(type) + length(date) + length(place_name) + precision) AS INTEGER) FROM incidents")
    [ "$want" = "$got" ] || fail "$n rows: bordermap's database does not hold the CSV's rows (checksum $got, CSV $want)"
  fi
  # ingest: ogr2ogr, the same rows
  ogr_rps=- ogr_rss=-
  if [ $ogr_ingest = 1 ]; then
    : >"$work/ogr.s"
    for ((k = 0; k < ingest_runs; k++)); do
      rm -f "$ogr"
      t0=$(now_ms)
      /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/ogr.time" \
        ogr2ogr -f SQLite -dsco SPATIALITE=YES "$ogr" "$csv" -nln incidents \
          -oo X_POSSIBLE_NAMES=lon -oo Y_POSSIBLE_NAMES=lat \
          -oo AUTODETECT_TYPE=YES -a_srs EPSG:4326
      t1=$(now_ms)
      awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", (b-a)/1000}' >>"$work/ogr.s"
    done
    read -r ogr_s ogr_p95 ogr_min < <(pct <"$work/ogr.s")
    ogr_rps=$(awk -v n="$n" -v s="$ogr_s" 'BEGIN {printf "%.0f", n/s}')
    ogr_rss=$(kv maxrss_kb_time "$work/ogr.time")
    ogr_n=$(sqlite3 "$ogr" "SELECT count(*) FROM incidents")
    [ "$ogr_n" = "$n" ] || fail "ogr2ogr loaded $ogr_n rows, not $n"
    emit ingest "$n" ogr2ogr "$ingest_runs" "$ogr_min" "$ogr_s" "$ogr_p95" "$ogr_n" s
    rm -f "$ogr"
  fi

  # query: bordermap in process
  /usr/bin/time -f "maxrss_kb_time=%M" -o "$work/q.time" \
    $bench query "$db" $LON $LAT $RADIUS "$runs" $WARMUP >"$work/q.kv"
  c_in=$(kv count "$work/q.kv")
  in_p50=$(kv p50_ms "$work/q.kv") in_p95=$(kv p95_ms "$work/q.kv") in_min=$(kv min_ms "$work/q.kv")
  q_rss=$(kv maxrss_kb_time "$work/q.time")
  emit query "$n" bordermap.inproc "$runs" "$in_min" "$in_p50" "$in_p95" "$c_in" ms
  # query: the whole command
  read -r cmd_p50 cmd_p95 cmd_min < <(time_cmd "$runs" "$bm" near "$LAT,$LON" \
    --radius ${RADIUS}m --db "$db" --format csv | pct)
  c_cmd=$(($(wc -l <"$work/last.out") - 1))
  emit query "$n" bordermap.cmd "$runs" "$cmd_min" "$cmd_p50" "$cmd_p95" "$c_cmd" ms
  # spatialite: full scan, ellipsoidal distance, rows ordered like bordermap's
  full_sql="SELECT id, type, date, place_name, lon, lat, d FROM (SELECT id, type, date, place_name, lon, lat, ST_Distance(geom, MakePoint($LON, $LAT, 4326), 1) AS d FROM incidents) WHERE d <= $RADIUS ORDER BY d, id;"
  read -r full_p50 full_p95 full_min < <(WARMUP=${full_warmup:-$WARMUP} time_cmd $full_runs spatialite -silent "$db" "$full_sql" | pct)
  c_full=$(wc -l <"$work/last.out")
  emit query "$n" spatialite.full.cmd "$full_runs" "$full_min" "$full_p50" "$full_p95" "$c_full" ms
  # spatialite: the same R*Tree search by hand
  rtree_sql="SELECT id, type, date, place_name, lon, lat, d FROM (SELECT i.id, i.type, i.date, i.place_name, i.lon, i.lat, ST_Distance(i.geom, MakePoint($LON, $LAT, 4326), 1) AS d FROM idx_incidents_geom AS x JOIN incidents AS i ON i.id = x.pkid WHERE x.xmin <= $X1 AND x.xmax >= $X0 AND x.ymin <= $Y1 AND x.ymax >= $Y0) WHERE d <= $RADIUS ORDER BY d, id;"
  read -r rt_p50 rt_p95 rt_min < <(time_cmd "$runs" spatialite -silent "$db" "$rtree_sql" | pct)
  c_rt=$(wc -l <"$work/last.out")
  emit query "$n" spatialite.rtree.cmd "$runs" "$rt_min" "$rt_p50" "$rt_p95" "$c_rt" ms
  # the same R*Tree SQL in one sqlite3 session (mod_spatialite, .timer: wall
  # time per statement, ms resolution), rows to /dev/null; one extra query
  # counts the rows
  { echo '.load mod_spatialite'; echo '.timer on'; echo '.output /dev/null'
    for ((k = 0; k < WARMUP + runs; k++)); do echo "$rtree_sql"; done
    echo '.timer off'; echo '.output stdout'; echo "SELECT count(*) FROM (${rtree_sql%;});"; } |
    sqlite3 -readonly "$db" >"$work/rts.out"
  sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p' "$work/rts.out" | tail -n "$runs" |
    awk '{printf "%.3f\n", $1 * 1000}' >"$work/rts.ms"
  read -r rts_p50 rts_p95 rts_min < <(pct <"$work/rts.ms")
  c_rts=$(tail -1 "$work/rts.out")
  emit query "$n" sqlite.rtree.session "$runs" "$rts_min" "$rts_p50" "$rts_p95" "$c_rts" ms

  # PostGIS
  pg_in_p50=- pg_in_p95=- pg_cmd_p50=- pg_cmd_p95=- c_pg=-
  if [ $postgis = 1 ]; then
    psql -X -q -h "$pg_sock" -U postgres -d postgres -c "DROP DATABASE IF EXISTS bench" -c "CREATE DATABASE bench" >/dev/null
    psql_q >/dev/null <<SQL
CREATE EXTENSION postgis;
BEGIN;
CREATE TABLE incidents (id bigint PRIMARY KEY, report bigint, type text,
  date text, place_name text, place_id text, admin1 text, precision int,
  confidence double precision, lon double precision, lat double precision,
  geog geography(Point, 4326)
    GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography) STORED);
\copy incidents (id, report, type, date, place_name, place_id, admin1, precision, confidence, lon, lat) FROM '$csv' WITH (FORMAT csv, HEADER true)
COMMIT;
CREATE INDEX incidents_geog ON incidents USING gist (geog);
VACUUM ANALYZE incidents;
SQL
    pg_sql="SELECT id, type, date, place_name, lon, lat, ST_Distance(geog, ST_MakePoint($LON, $LAT)::geography) AS d FROM incidents WHERE ST_DWithin(geog, ST_MakePoint($LON, $LAT)::geography, $RADIUS) ORDER BY d, id;"
    # in one session (no connection start-up), client-side \timing
    { echo '\timing on'; echo '\o /dev/null'; for ((k = 0; k < WARMUP + runs; k++)); do echo "$pg_sql"; done; } |
      psql_q 2>&1 | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' | tail -n "$runs" >"$work/pg.ms"
    read -r pg_in_p50 pg_in_p95 pg_in_min < <(pct <"$work/pg.ms")
    read -r pg_cmd_p50 pg_cmd_p95 pg_cmd_min < <(time_cmd "$runs" psql_q -A -t -c "$pg_sql" | pct)
    c_pg=$(wc -l <"$work/last.out")
    emit query "$n" postgis.session "$runs" "$pg_in_min" "$pg_in_p50" "$pg_in_p95" "$c_pg" ms
    emit query "$n" postgis.cmd "$runs" "$pg_cmd_min" "$pg_cmd_p50" "$pg_cmd_p95" "$c_pg" ms
  fi

  # small query (at most ~1,000 incidents)
  $bench query "$db" $SLON $SLAT $SRADIUS "$runs" $WARMUP >"$work/s.kv"
  s_count=$(kv count "$work/s.kv") s_p50=$(kv p50_ms "$work/s.kv") s_p95=$(kv p95_ms "$work/s.kv")
  read -r s_cmd_p50 s_cmd_p95 _ < <(time_cmd "$runs" "$bm" near "$SLAT,$SLON" \
    --radius ${SRADIUS}m --db "$db" --format csv | pct)
  s_cmd_count=$(($(wc -l <"$work/last.out") - 1))
  read -r help_p50 help_p95 _ < <(time_cmd "$runs" "$bm" --help | pct)

  # the counts must agree on every side
  for c in "$c_cmd" "$c_full" "$c_rt" "$c_rts"; do
    [ "$c" = "$c_in" ] || fail "$n rows: counts differ: in-process $c_in, command $c_cmd, full scan $c_full, R*Tree SQL $c_rt (session $c_rts), PostGIS $c_pg"
  done
  [ $postgis = 0 ] || [ "$c_pg" = "$c_in" ] ||
    fail "$n rows: PostGIS counts $c_pg, bordermap $c_in"
  [ "$s_cmd_count" = "$s_count" ] || fail "$n rows: small query: $s_count in process, $s_cmd_count by the command"

  ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (a == "-" || b == "-" || b == 0) print "-"; else printf "%.2fx", a/b}'; }
  rows_md+="| $n | $bm_rps | $ogr_rps | $(ratio "$bm_rps" "$ogr_rps") | $bm_ingest_rss / $ogr_rss | $c_in | $in_p50 / $in_p95 | $cmd_p50 / $cmd_p95 | $full_p50 / $full_p95 | $rt_p50 / $rt_p95 | $rts_p50 / $rts_p95 | $pg_in_p50 / $pg_in_p95 | $pg_cmd_p50 / $pg_cmd_p95 | $(ratio "$full_p50" "$in_p50") / $(ratio "$full_p50" "$cmd_p50") | $(ratio "$pg_in_p50" "$in_p50") / $(ratio "$pg_cmd_p50" "$cmd_p50") | $s_count | $s_p50 / $s_p95 | $s_cmd_p50 / $s_cmd_p95 | $help_p50 | $q_rss |
"
  echo "$n rows done: ingest ${bm_rps}/s vs ogr2ogr ${ogr_rps}/s; query $c_in hits p50 ${in_p50} ms (command ${cmd_p50} ms), full scan ${full_p50} ms, R*Tree SQL ${rt_p50} ms (session ${rts_p50} ms), PostGIS ${pg_in_p50} ms" >&2
done

{
  echo "# bordermap store benchmark"
  echo
  echo "$(date -u +%Y-%m-%dT%H:%MZ), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg); $runs timed runs per query after $WARMUP warm-up runs ($full_runs for the full scan, after ${full_warmup:-$WARMUP}); times in ms as p50 / p95; ingest: median of $ingest_runs."
  echo "Query: $RADIUS m around Hoeryong ($LAT N, $LON E); small query: $SRADIUS m around ($SLAT N, $SLON E)."
  echo "Ingest: rows per second from opening to closing the store (bordermap: store API, batch mode; ogr2ogr: the same CSV, -dsco SPATIALITE=YES); peak RSS in KB."
  echo "Full scan / R*Tree SQL: the spatialite shell, ST_Distance(geom, MakePoint(..., 4326), 1), rows ordered by distance; whole command. R*Tree SQL in session: the same statement in one sqlite3 session with mod_spatialite (.timer, ms resolution)."
  echo "PostGIS: ST_DWithin on geography with a GiST index; in session (psql \\timing) / whole psql command."
  echo
  echo "| rows | bordermap rows/s | ogr2ogr rows/s | ingest ratio | ingest peak RSS KB (bordermap / ogr2ogr) | hits | bordermap in process | bordermap command | spatialite full scan | spatialite R*Tree SQL | R*Tree SQL in session | PostGIS in session | PostGIS command | full scan / bordermap (in process / command) | PostGIS / bordermap (in session / command) | small hits | small in process | small command | \`bordermap --help\` p50 | query peak RSS KB |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
  printf '%s' "$rows_md"
} >"$out"
cat "$out"
