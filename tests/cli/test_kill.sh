#!/usr/bin/env bash
# Crash safety (issue 8, item 3): an ingest of many reports is killed with
# SIGKILL at random moments, 20 times; after each kill the database passes
# PRAGMA integrity_check and holds no partial report; a final complete run
# leaves every report stored once.
#
# The reports are copies of the five samples, each made distinct (its own
# title, date and a closing sentence), named kNNNN_sS.txt for sample S. A
# copy has as many place mentions and incidents as its sample (checked on
# the complete store), so "no partial report" is: every stored report has
# exactly its sample's mentions and incidents. Half of the runs are plain
# ingests (new reports are added), half are `ingest --force` (every report
# is rewritten: its mentions and incidents deleted and stored again), so
# kills land in both kinds of transaction.
#
# BM_KILL_FILES (default 2000), BM_KILL_ROUNDS (20) and BM_KILL_SEED (the
# random seed, printed) change the run.
. "$(dirname "$0")/lib.sh"
N=${BM_KILL_FILES:-2000}
ROUNDS=${BM_KILL_ROUNDS:-20}
SEED=${BM_KILL_SEED:-$$}
RANDOM=$SEED
echo "seed $SEED ($N reports, $ROUNDS kills)"
DB="$WORK/kill.sqlite"
R="$WORK/reports"

python3 - "$SRC/samples" "$R" "$N" <<'PY'
import datetime, glob, os, sys
src, out, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
texts = [open(f, encoding="utf-8").read() for f in sorted(glob.glob(src + "/*.txt"))]
os.makedirs(out, exist_ok=True)
d0 = datetime.date(2015, 1, 1)
for i in range(n):
    k = i % len(texts)
    first, body = texts[k].split("\n", 1)
    title = first[len("Title: "):] if first.startswith("Title: ") else first
    if first.startswith("Title: "):  # a header block: keep the body only
        body = body.split("\n\n", 1)[1] if "\n\n" in body else body
    with open("%s/k%04d_s%d.txt" % (out, i, k), "w", encoding="utf-8") as f:
        f.write("Title: %s (copy %d)\nSource: Test\nDate: %s\n\n%s\nThis is copy %d.\n"
                % (title, i, (d0 + datetime.timedelta(days=i)).isoformat(), body, i))
PY

# The reference: one copy of each sample, stored without interruption.
mkdir -p "$WORK/ref"
cp "$R"/k000[0-4]_s*.txt "$WORK/ref/"
run "$BM" ingest -q --db "$WORK/ref.sqlite" "$WORK/ref"
expect_rc 0 "reference ingest"

# check DB: integrity, no partial report, index and triggers intact. Prints
# "reports=R incidents=I" on success; the problems otherwise (exit 1).
check() {
    python3 - "$1" "$WORK/ref.sqlite" <<'PY'
import re, sqlite3, sys
db, ref = sys.argv[1], sys.argv[2]
c = sqlite3.connect(db)
problems = []
ic = c.execute("PRAGMA integrity_check").fetchall()
if ic != [("ok",)]:
    problems.append("integrity_check: %s" % ic[:5])
tables = {n for (n,) in c.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
if not tables and not problems:
    # killed while the store was being created: its schema is one
    # transaction, so there is none yet (the next run creates it)
    print("reports=0 (no schema yet)")
    sys.exit(0)
fk = c.execute("PRAGMA foreign_key_check").fetchall()
if fk:
    problems.append("foreign_key_check: %d rows" % len(fk))
def per_report(conn):
    return conn.execute(
        "SELECT r.path, coalesce(m.n, 0), coalesce(i.n, 0) FROM reports r"
        " LEFT JOIN (SELECT report_id, count(*) AS n FROM mentions GROUP BY report_id) m ON m.report_id = r.id"
        " LEFT JOIN (SELECT report_id, count(*) AS n FROM incidents GROUP BY report_id) i ON i.report_id = r.id"
        ).fetchall()
want = {}
for path, m, i in per_report(sqlite3.connect(ref)):
    want[re.search(r"_s(\d+)\.txt$", path).group(1)] = (m, i)
partial = [(p, m, i) for p, m, i in per_report(c)
           if (m, i) != want[re.search(r"_s(\d+)\.txt$", p).group(1)]]
if partial:
    problems.append("%d partial reports, e.g. %s (want %s)" % (
        len(partial), partial[0], want[re.search(r"_s(\d+)", partial[0][0]).group(1)]))
rows, shas = c.execute("SELECT count(*), count(DISTINCT sha256) FROM reports").fetchone()
if rows != shas:
    problems.append("%d report rows for %d distinct texts" % (rows, shas))
# every incident is in the spatial index, or in the tail of a batch whose
# indexing the kill interrupted (bordermap_meta 'rtree_from'; searches read
# the tail, and the next batch indexes it)
inc = c.execute("SELECT count(*) FROM incidents").fetchone()[0]
tail = c.execute("SELECT coalesce((SELECT CAST(value AS INTEGER) FROM bordermap_meta WHERE key = 'rtree_from'), 9223372036854775807)").fetchone()[0]
missing = c.execute("SELECT count(*) FROM incidents WHERE id NOT IN (SELECT pkid FROM idx_incidents_geom) AND id < ?", (tail,)).fetchone()[0]
if missing:
    problems.append("%d incidents neither in the spatial index nor in the batch's tail" % missing)
orphans = c.execute("SELECT count(*) FROM idx_incidents_geom WHERE pkid NOT IN (SELECT id FROM incidents)").fetchone()[0]
if orphans:
    problems.append("%d spatial index entries without an incident" % orphans)
trig = c.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incidents'").fetchone()[0]
rtrig = sqlite3.connect(ref).execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'incidents'").fetchone()[0]
if trig != rtrig:
    problems.append("%d triggers on incidents, the reference has %d" % (trig, rtrig))
if problems:
    print("; ".join(problems))
    sys.exit(1)
print("reports=%d incidents=%d" % (rows, inc))
PY
}

# How long one whole run takes here (build type, machine load, a wrapper
# such as valgrind): the kill moments are drawn across it, so that they
# land at the gazetteer load, in the first reports and deep in the run
# whatever the speed (a fixed window let fast runs finish first).
ts=$(date +%s.%N)
run "$BM" ingest -q --db "$WORK/timing.sqlite" "$R"
expect_rc 0 "timing ingest (uninterrupted)"
span=$(awk -v a="$ts" -v b="$(date +%s.%N)" \
    'BEGIN { s = (b - a) * 0.9; if (s < 0.2) s = 0.2; printf "%.3f", s }')
rm -f "$WORK/timing.sqlite"*
echo "kills land 0.05 .. ${span}s into a run (90% of an uninterrupted one)"

kills=0 completed=0 rounds=0
t0=$(date +%s.%N)
while [ "$kills" -lt "$ROUNDS" ] && [ "$rounds" -lt $((ROUNDS * 3)) ]; do
    rounds=$((rounds + 1))
    force=""
    # every other kill lands in a --force rewrite, once there is something
    # stored to rewrite, and every one once all is stored (a plain run
    # would only skip)
    if [ -f "$DB" ] && { [ $((rounds % 2)) -eq 0 ] || [ "$completed" -gt 0 ]; }; then
        force=--force
    fi
    # 0.05 s .. 90% of a whole run
    delay=$(awk -v r="$RANDOM" -v s="$span" \
        'BEGIN { printf "%.3f", 0.05 + (r % 1000) / 1000 * (s - 0.05) }')
    "$BM" ingest -q $force --db "$DB" "$R" >/dev/null 2>"$WORK/kill-err" &
    pid=$!
    sleep "$delay"
    if kill -KILL "$pid" 2>/dev/null; then
        wait "$pid" 2>/dev/null
        kills=$((kills + 1))
        what="killed after ${delay}s${force:+ (--force)}"
    else
        wait "$pid"; rc=$?
        completed=$((completed + 1))
        what="finished before ${delay}s${force:+ (--force)}, exit $rc"
        # a whole rewrite finished first: runs are faster now than when
        # timed, so draw from a shorter window (a plain run that only
        # adds what a kill left out is short by nature and says nothing)
        [ -n "$force" ] && span=$(awk -v d="$delay" -v s="$span" \
            'BEGIN { t = d * 0.9; if (t < 0.2) t = 0.2; printf "%.3f", (t < s ? t : s) }')
        [ "$rc" -eq 0 ] && ok || { bad "uninterrupted run exit $rc"; cat "$WORK/kill-err" >&2; }
    fi
    [ -f "$DB" ] || { echo "round $rounds: $what; no database yet"; continue; }
    if res=$(check "$DB"); then
        ok; echo "round $rounds: $what: $res"
    else
        bad "round $rounds ($what): $res"
    fi
done
[ "$kills" -eq "$ROUNDS" ] && ok || bad "only $kills of $ROUNDS kills landed in $rounds rounds"

# The final, complete run stores the rest: every report once.
run "$BM" ingest -q --db "$DB" "$R"
expect_rc 0 "final complete ingest"
if res=$(check "$DB"); then ok; else bad "after the final run: $res"; fi
want=$(python3 - "$WORK/ref.sqlite" "$R" <<'PY'
import os, re, sqlite3, sys
per = {re.search(r"_s(\d+)\.txt$", p).group(1): n for p, n in sqlite3.connect(sys.argv[1]).execute(
    "SELECT r.path, (SELECT count(*) FROM incidents i WHERE i.report_id = r.id) FROM reports r")}
files = os.listdir(sys.argv[2])
print("reports=%d incidents=%d" % (len(files), sum(per[re.search(r"_s(\d+)\.txt$", f).group(1)] for f in files)))
PY
)
expect_eq "$res" "$want" "all reports and incidents, once"
run "$BM" ingest -q --db "$DB" "$R"
expect_out "^0 stored, $N already stored, 0 failed" "a second complete run stores nothing"
t1=$(date +%s.%N)
awk -v k="$kills" -v c="$completed" -v a="$t0" -v b="$t1" \
    'BEGIN { printf "%d kills survived (%d runs finished first) in %.1f s\n", k, c, b - a }'
finish
