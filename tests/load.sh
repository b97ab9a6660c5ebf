#!/usr/bin/env bash
# load.sh - concurrent load on one database (issue 8, item 4; see
# docs/reliability.md). Not a benchmark: it checks that nothing fails,
# nothing is lost and nothing is stored twice while several processes work
# at once, and prints what they did.
#
#   tests/load.sh [--seconds 60] [--writers 4] [--readers 4] [--bm PROGRAM]
#                 [--work DIR]
#
# For the given time, each writer runs `bordermap ingest` on batches of 10
# reports of its own (distinct texts) plus, every third batch, a batch
# of 10 reports shared by all writers (so the same report arrives from
# several processes at once); each reader runs, in turn, `near Hoeryong
# --format json`, `incident list --format json`, `stats --format json` and
# `export --force` (GeoJSON). Every command must exit 0 (SQLITE_BUSY is
# waited out: WAL, busy timeout 30 s). At the end the database must pass
# integrity_check, hold every report once (distinct sha256 = rows), hold
# every report whole (mentions and incidents of its sample), and hold the
# sum of what the writers said they stored. Prints the operations done per
# kind, their slowest time and the errors; exits 1 on any error or check
# that fails.
set -u
SRC=$(cd "$(dirname "$0")/.." && pwd)
SECONDS_RUN=60 WRITERS=4 READERS=4
BM=${BM:-$SRC/build/bordermap}
WORK=""
while [ $# -gt 0 ]; do
    case $1 in
        --seconds) SECONDS_RUN=$2; shift 2 ;;
        --writers) WRITERS=$2; shift 2 ;;
        --readers) READERS=$2; shift 2 ;;
        --bm) BM=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        -h|--help) sed -n '2,22p' "$0"; exit 0 ;;
        *) echo "load.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
[ -x "$BM" ] || [ -n "${BM_WRAP:-}" ] || { echo "load.sh: no program at $BM (--bm PROGRAM or BM=...)" >&2; exit 2; }
if [ -z "$WORK" ]; then
    WORK=$(mktemp -d)
    trap 'rm -rf "$WORK"' EXIT
fi
rm -rf "$WORK/load" && mkdir -p "$WORK/load"
L="$WORK/load"
export BORDERMAP_DATA=${BORDERMAP_DATA:-$SRC}
DB="$L/load.sqlite"
PER_WRITER=1200  # more than a writer gets through in 60 s on two cores

# The reports: copies of the samples made distinct, kNNNN_sS.txt (sample S).
python3 - "$SRC/samples" "$L/reports" "$WRITERS" "$PER_WRITER" <<'PY'
import datetime, glob, os, sys
src, out, writers, per = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
texts = [open(f, encoding="utf-8").read() for f in sorted(glob.glob(src + "/*.txt"))]
d0 = datetime.date(2010, 1, 1)
def write(folder, i):
    k = i % len(texts)
    first, body = texts[k].split("\n", 1)
    os.makedirs(folder, exist_ok=True)
    with open("%s/k%05d_s%d.txt" % (folder, i, k), "w", encoding="utf-8") as f:
        f.write("Title: %s (load %d)\nSource: Load\nDate: %s\n\n%s\nLoad copy %d.\n"
                % (first, i, (d0 + datetime.timedelta(days=i % 5000)).isoformat(), body, i))
n = 0
for w in range(writers):
    for _ in range(per):
        write("%s/w%d" % (out, w), n); n += 1
for _ in range(30):
    write("%s/shared" % out, n); n += 1
PY
mkdir -p "$L/ref"
cp "$L"/reports/w0/k0000[0-4]_s*.txt "$L/ref/"
"$BM" ingest -q --db "$L/ref.sqlite" "$L/ref" >/dev/null || { echo "load.sh: reference ingest failed" >&2; exit 1; }
"$BM" ingest -q --db "$DB" "$SRC/samples" >/dev/null || { echo "load.sh: first ingest failed" >&2; exit 1; }

now() { date +%s.%N; }
end=$(awk -v t="$(now)" -v s="$SECONDS_RUN" 'BEGIN { printf "%.3f", t + s }')
left() { awk -v t="$(now)" -v e="$end" 'BEGIN { exit !(t < e) }'; }

# op LOG KIND CMD...: runs CMD, appends "KIND rc seconds" to LOG; the
# command's stdout goes to $out_file, stderr to LOG.err.
op() {
    local log=$1 kind=$2 t0 t1 rc
    shift 2
    t0=$(now)
    "$@" >"$out_file" 2>>"$log.err"
    rc=$?
    t1=$(now)
    echo "$kind $rc $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')" >>"$log"
    return $rc
}

writer() { # writer N
    local w=$1 log="$L/writer$1" out_file="$L/writer$1.out" b=0 files i
    mapfile -t files < <(ls "$L/reports/w$w"/*.txt)
    mapfile -t shared < <(ls "$L/reports/shared"/*.txt)
    : >"$log"
    while left; do
        if [ $((b % 3)) -eq 2 ]; then
            i=$(( (b / 3 * 10) % ${#shared[@]} ))
            op "$log" ingest "$BM" ingest -q --db "$DB" "${shared[@]:i:10}"
        else
            i=$(( (b - b / 3) * 10 % ${#files[@]} ))
            op "$log" ingest "$BM" ingest -q --db "$DB" "${files[@]:i:10}"
        fi
        sed -n 's/^\([0-9]*\) stored, \([0-9]*\) already stored, \([0-9]*\) failed.*/stored \1 dup \2 failed \3/p' "$out_file" >>"$log.counts"
        b=$((b + 1))
    done
}

reader() { # reader N
    local r=$1 log="$L/reader$1" out_file="$L/reader$1.out" k=$1
    : >"$log"
    while left; do
        case $((k % 4)) in
            0) op "$log" near "$BM" near --db "$DB" Hoeryong --radius 30km --format json &&
                   { jq -e '.count >= 3' "$out_file" >/dev/null || echo "near: bad answer" >>"$log.err"; } ;;
            1) op "$log" list "$BM" incident list --db "$DB" --format json &&
                   { jq -e '.count >= 18' "$out_file" >/dev/null || echo "list: bad answer" >>"$log.err"; } ;;
            2) op "$log" stats "$BM" stats --db "$DB" --format json &&
                   { jq -e '.total >= 18' "$out_file" >/dev/null || echo "stats: bad answer" >>"$log.err"; } ;;
            3) op "$log" export "$BM" export --db "$DB" --force --no-qml -o "$L/export$r.geojson" &&
                   { jq -e '.features | length >= 18' "$L/export$r.geojson" >/dev/null || echo "export: bad file" >>"$L/reader$r.err"; } ;;
        esac
        k=$((k + 1))
    done
}

t_start=$(now)
pids=()
for w in $(seq 0 $((WRITERS - 1))); do writer "$w" & pids+=($!); done
for r in $(seq 0 $((READERS - 1))); do reader "$r" & pids+=($!); done
wait "${pids[@]}"
t_end=$(now)

status=0
fail() { echo "FAIL: $*" >&2; status=1; }
# figures per kind: count, errors (non-zero exit), slowest
cat "$L"/writer[0-9] "$L"/writer[0-9][0-9] "$L"/reader[0-9] "$L"/reader[0-9][0-9] 2>/dev/null >"$L/all"
printf 'load: %d writers, %d readers, %.1f s\n' "$WRITERS" "$READERS" \
    "$(awk -v a="$t_start" -v b="$t_end" 'BEGIN { print b - a }')"
printf '  %-8s %7s %7s %9s %9s\n' kind ops errors "mean s" "max s"
awk '{ n[$1]++; if ($2 != 0) e[$1]++; if ($3 > mx[$1]) mx[$1] = $3; s[$1] += $3 }
     END { for (k in n) printf "  %-8s %7d %7d %9.3f %9.3f\n", k, n[k], e[k] + 0, s[k] / n[k], mx[k] }' \
    "$L/all" | sort
errors=$(awk '$2 != 0' "$L/all" | wc -l)
[ "$errors" -eq 0 ] || fail "$errors commands failed"
for f in "$L"/*.err; do
    [ -s "$f" ] && { fail "$(basename "$f" .err) said:"; sort "$f" | uniq -c | sort -rn | head -5 >&2; }
done
for kind in ingest near list stats export; do
    grep -q "^$kind " "$L/all" || fail "no $kind operation ran"
done

# nothing lost, nothing twice, every report whole
stored=$(cat "$L"/writer*.counts 2>/dev/null | awk '{ s += $2 } END { print s + 0 }')
failed=$(cat "$L"/writer*.counts 2>/dev/null | awk '{ s += $6 } END { print s + 0 }')
res=$(python3 - "$DB" "$L/ref.sqlite" "$stored" <<'PY'
import re, sqlite3, sys
c = sqlite3.connect(sys.argv[1]); ref = sqlite3.connect(sys.argv[2]); stored = int(sys.argv[3])
out = []
ic = c.execute("PRAGMA integrity_check").fetchall()
if ic != [("ok",)]: out.append("integrity_check %s" % ic[:3])
rows, shas = c.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone()
if rows != shas: out.append("%d rows for %d texts" % (rows, shas))
if rows != 5 + stored: out.append("%d reports, but 5 + %d stored were reported" % (rows, stored))
q = ("SELECT r.path, coalesce(m.n, 0), coalesce(i.n, 0) FROM reports r"
     " LEFT JOIN (SELECT report_id, count(*) n FROM mentions GROUP BY report_id) m ON m.report_id = r.id"
     " LEFT JOIN (SELECT report_id, count(*) n FROM incidents GROUP BY report_id) i ON i.report_id = r.id")
want = {re.search(r"_s(\d)\.txt$", p).group(1): (m, i) for p, m, i in ref.execute(q)}
bad = [p for p, m, i in c.execute(q) if re.search(r"_s(\d)\.txt$", p) and (m, i) != want[re.search(r"_s(\d)\.txt$", p).group(1)]]
if bad: out.append("%d partial reports, e.g. %s" % (len(bad), bad[0]))
inc = c.execute("SELECT count(*) FROM incidents").fetchone()[0]
idx = c.execute("SELECT count(*) FROM idx_incidents_geom").fetchone()[0]
if inc != idx: out.append("%d incidents, %d in the spatial index" % (inc, idx))
print("; ".join(out) if out else "ok: %d reports (%d stored under load), %d incidents, every report once and whole" % (rows, stored, inc))
PY
)
case $res in ok:*) echo "  $res" ;; *) fail "$res" ;; esac
[ "$failed" -eq 0 ] || fail "writers reported $failed failed reports"
[ "$status" -eq 0 ] && echo "load: no errors" || echo "load: FAILED" >&2
exit $status
