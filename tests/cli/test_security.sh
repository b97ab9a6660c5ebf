#!/usr/bin/env bash
# Security (issue 8, item 5): SQL only through prepared statements
# (injection strings in place names, filters, fields and report text are
# data: tables survive and results are right); no shell-outs; every file
# written is 0600 unless --mode/BORDERMAP_MODE says otherwise; no output is
# replaced without --force.
. "$(dirname "$0")/lib.sh"
DB="$WORK/sec.sqlite"
q() { spatialite -silent "$DB" "$1" 2>/dev/null; }
mode() { stat -c %a "$1"; }
tables="audit bordermap_meta incidents mentions reports suppressed"
have_tables() {
    local t got
    for t in $tables; do
        got=$(q "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '$t'")
        [ "$got" = 1 ] || { bad "$1: table $t missing"; return; }
    done
    ok
}

run "$BM" ingest -q --db "$DB" "$SRC/samples"; expect_rc 0 "ingest"
n_inc=$(q "SELECT count(*) FROM incidents"); n_rep=$(q "SELECT count(*) FROM reports")

# ---- the source: no shell-outs, SQL only in the store ------------------------
hits=$(grep -rEn '\b(system|popen|execl|execlp|execle|execv|execvp|execvpe|posix_spawnp?|fork)[[:space:]]*\(' "$SRC/src" | grep -v '^\s*/\?\*' || true)
expect_eq "$hits" "" "no shell-outs or child processes in src/"
hits=$(grep -rln 'sqlite3_\|spatialite_' "$SRC/src" | grep -v '/src/store/' || true)
expect_eq "$hits" "" "SQLite called only from src/store"
# The only sqlite3_exec is exec_sql(), and every call passes a constant (a
# literal, a table of literals, or the trigger text read back from the
# database itself); sqlite3_mprintf builds no SQL from user data.
expect_eq "$(grep -c 'sqlite3_exec(' "$SRC/src/store/store_spatialite.c")" "1" "one sqlite3_exec, inside exec_sql"
bad_exec=$(python3 - "$SRC/src/store/store_spatialite.c" <<'PY'
import re, sys
src = open(sys.argv[1]).read()
allowed = ("schema_sql[i]", "v2_extra_sql[i]", "incidents_sql", "drop",
           "s->trigger_sql[i]", "cookie_sql")  # cookie_sql: an integer
def args_at(i):  # the text of the call's arguments, up to its closing paren
    depth, j, in_str = 1, i, False
    while depth:
        c = src[j]
        if in_str:
            if c == "\\": j += 1
            elif c == '"': in_str = False
        elif c == '"': in_str = True
        elif c == "(": depth += 1
        elif c == ")": depth -= 1
        j += 1
    return src[i:j - 1]
for m in re.finditer(r"\bexec_sql\(", src):
    call = " ".join(args_at(m.end()).split())
    if call.startswith("sqlite3 *db"):
        continue  # the definition
    arg = call.split(",", 1)[1].strip()
    # literals (adjacent ones, macros between them), or a choice of two
    if re.fullmatch(r'("([^"\\]|\\.)*"\s*|[A-Z_]+\s*)+', arg) or arg in allowed or \
       re.fullmatch(r'readonly \? "[^"]*" : "[^"]*"', arg):
        continue
    print("line %d: exec_sql(%s)" % (src.count("\n", 0, m.start()) + 1, call))
PY
)
expect_eq "$bad_exec" "" "exec_sql only runs constant SQL"
expect_eq "$(grep -n 'sqlite3_mprintf(' "$SRC/src/store/store_spatialite.c" | grep -v '"%s"\|DROP TRIGGER \\"%w\\"' || true)" "" "mprintf: only copies and a quoted trigger name"

# ---- injection strings --------------------------------------------------------
run "$BM" near --db "$DB" "Hyesan'; DROP TABLE incidents;--" --radius 30km
expect_rc 1 "near with an injection string as the place"
expect_err "no place named 'Hyesan'; DROP TABLE incidents;--'" "the string is named as a place"
run "$BM" near --db "$DB" 'Hyesan" OR 1=1 --'; expect_rc 1 "near with a double-quote string"
run "$BM" incident list --db "$DB" --actor "x' OR 1=1 --" --format json
expect_rc 0 "actor filter with an injection string"
expect_eq "$(jq .count "$WORK/out")" "0" "no incident has that actor"
run "$BM" incident list --db "$DB" --actor "%" --format json
expect_eq "$(jq .count "$WORK/out")" "0" "--actor % is a literal percent sign"
run "$BM" incident list --db "$DB" --actor "_" --format json
expect_eq "$(jq .count "$WORK/out")" "0" "--actor _ is a literal underscore"
run "$BM" incident list --db "$DB" --type "arrest' OR '1'='1" --format json
expect_eq "$(jq .count "$WORK/out")" "0" "--type with an injection string"
run "$BM" incident list --db "$DB" --since "2024' OR 1=1 --"
expect_rc 1 "--since with an injection string is a bad date"; expect_err "2024' OR 1=1" "bad date named"
run "$BM" stats --db "$DB" --actor "'); DELETE FROM incidents; --" --format json
expect_rc 0 "stats with an injection string"; expect_eq "$(jq .total "$WORK/out")" "0" "stats counts nothing"
run "$BM" export --db "$DB" --actor "x' OR 1=1 --" -o "$WORK/inj.geojson"
expect_rc 0 "export with an injection filter"; expect_eq "$(jq '.features | length' "$WORK/inj.geojson")" "0" "export: no feature"
run "$BM" geocode "'; DROP TABLE places; --"; expect_rc 1 "geocode with an injection string"

# Strings stored and read back verbatim.
actor="Robert'); DROP TABLE incidents;--"
evidence='He said "x"; DELETE FROM reports; -- and left. 100% _sure_ \ backslash'
run "$BM" incident add --db "$DB" --place Musan --type arrest --date 2024-02-03 --actor "$actor" --evidence "$evidence"
expect_rc 0 "incident add with injection strings"
id=$(sed -n 's/^added incident \([0-9]*\):.*/\1/p' "$WORK/out")
run "$BM" incident show --db "$DB" "$id" --format json
expect_eq "$(jq -r .actor "$WORK/out")" "$actor" "actor stored verbatim"
expect_eq "$(jq -r .sentence "$WORK/out")" "$evidence" "evidence stored verbatim"
run "$BM" incident list --db "$DB" --actor "Robert'); DROP" --format json
expect_eq "$(jq .count "$WORK/out")" "1" "the actor filter finds exactly it"
expect_eq "$(jq .incidents[0].id "$WORK/out")" "$id" "... by its id"
run "$BM" incident edit --db "$DB" "$id" --actor "O'Brien\"; --"
expect_rc 0 "edit with quotes"
expect_eq "$(q "SELECT actor FROM incidents WHERE id = $id")" "O'Brien\"; --" "edited actor verbatim"
expect_eq "$(q "SELECT new_value FROM audit WHERE incident_id = $id AND field = 'actor' ORDER BY id DESC LIMIT 1")" "O'Brien\"; --" "audit row verbatim"

# A report whose title and text carry SQL.
mkdir -p "$WORK/inj"
{ printf "Title: x'); DROP TABLE reports; --\nSource: Bobby' Tables\nDate: 2024-03-01\n\n"
  printf "Border guards in Hyesan'; DELETE FROM incidents; -- arrested two smugglers on Monday.\n"; } >"$WORK/inj/r.txt"
run "$BM" ingest --db "$DB" "$WORK/inj"; expect_rc 0 "ingest a report carrying SQL"
expect_eq "$(q "SELECT count(*) FROM reports WHERE title = 'x''); DROP TABLE reports; --' AND source = 'Bobby'' Tables'")" "1" "title and source stored verbatim"
have_tables "after the injection strings"
expect_eq "$(q "SELECT count(*) FROM reports")" "$((n_rep + 1))" "reports: the samples and the new one"
[ "$(q "SELECT count(*) FROM incidents")" -ge $((n_inc + 1)) ] && ok || bad "incidents lost"
expect_eq "$(q "PRAGMA integrity_check")" "ok" "integrity after the injection strings"

# ---- file modes -----------------------------------------------------------------
umask 022   # what a shell usually has: bordermap must not rely on it
expect_eq "$(mode "$DB")" "600" "new database 0600"
# The -wal and -shm files exist while a writer works: catch them mid-ingest.
mkdir -p "$WORK/many"
for i in $(seq 1 300); do
    { printf 'Title: Copy %d\n\n' "$i"; tail -n +2 "$SRC/samples/002_9dc829e434d8636f.txt"; printf '\nCopy %d.\n' "$i"; } >"$WORK/many/c$i.txt"
done
MDB="$WORK/many.sqlite"   # (KML export of many incidents is slow: keep $DB small)
"$BM" ingest -q --db "$MDB" "$WORK/many" >/dev/null 2>&1 &
pid=$!
wal=""; shm=""
for _ in $(seq 1 1000); do
    [ -e "$MDB-wal" ] && [ -e "$MDB-shm" ] && { wal=$(mode "$MDB-wal" 2>/dev/null); shm=$(mode "$MDB-shm" 2>/dev/null); break; }
    sleep 0.01
done
wait "$pid"
expect_eq "$(mode "$MDB")" "600" "database made by a busy ingest 0600"
if [ -n "$wal" ]; then
    expect_eq "$wal" "600" "-wal 0600"; expect_eq "$shm" "600" "-shm 0600"
else
    echo "SKIP: the ingest ended before its -wal file could be seen"
fi
for ext in geojson gpkg kml csv fgb shp; do
    run "$BM" export --db "$DB" -o "$WORK/m/e.$ext"; expect_rc 0 "export $ext"
    expect_eq "$(mode "$WORK/m/e.$ext")" "600" "export .$ext 0600"
done
for f in "$WORK"/m/e.qml "$WORK"/m/e.dbf "$WORK"/m/e.shx "$WORK"/m/e.prj; do
    expect_eq "$(mode "$f")" "600" "$(basename "$f") 0600"
done
expect_eq "$(mode "$WORK/m")" "700" "folder made for an export 0700"
for ext in png pdf svg; do
    run "$BM" render --db "$DB" -o "$WORK/m/map.$ext" --size 400x300; expect_rc 0 "render $ext"
    expect_eq "$(mode "$WORK/m/map.$ext")" "600" "map .$ext 0600"
done
(umask 000; "$BM" export --db "$DB" -o "$WORK/m/u0.csv" >/dev/null)
expect_eq "$(mode "$WORK/m/u0.csv")" "600" "0600 under umask 000 too"
# Asked otherwise.
run "$BM" export --db "$DB" --mode 0644 -o "$WORK/m/shared.geojson"; expect_rc 0 "export --mode 0644"
expect_eq "$(mode "$WORK/m/shared.geojson")" "644" "export --mode 0644"
expect_eq "$(mode "$WORK/m/shared.qml")" "644" ".qml follows --mode"
BORDERMAP_MODE=0640 run "$BM" render --db "$DB" -o "$WORK/m/group.png" --size 400x300
expect_eq "$(mode "$WORK/m/group.png")" "640" "BORDERMAP_MODE=0640"
run "$BM" --mode 0644 ingest -q --db "$WORK/shared.sqlite" "$SRC/samples/000_bb4ea8e8aa9c4ef1.txt"
expect_rc 0 "global --mode"; expect_eq "$(mode "$WORK/shared.sqlite")" "644" "database --mode 0644"
run "$BM" ingest -q --mode 0666 --db "$WORK/shared.sqlite" "$SRC/samples/001_906319b050b5263b.txt"
expect_eq "$(mode "$WORK/shared.sqlite")" "644" "an existing database keeps its mode"
run "$BM" export --db "$DB" --mode 0400 -o "$WORK/m/x.geojson"; expect_rc 2 "--mode without owner write"
run "$BM" render --db "$DB" --mode 999 -o "$WORK/m/x.png"; expect_rc 2 "--mode not octal"
BORDERMAP_MODE=rw run "$BM" stats --db "$DB"; expect_rc 2 "bad BORDERMAP_MODE"; expect_err "BORDERMAP_MODE=rw" "bad BORDERMAP_MODE named"

# ---- no output replaced without --force ----------------------------------------
sum=$(cksum <"$WORK/m/e.geojson")
run "$BM" export --db "$DB" --type arrest -o "$WORK/m/e.geojson"
expect_rc 4 "export over an existing file"
expect_err "e.geojson: already exists; not replaced \(pass --force" "existing export named, --force suggested"
expect_eq "$(cksum <"$WORK/m/e.geojson")" "$sum" "existing export untouched"
run "$BM" export --db "$DB" --type arrest --force -o "$WORK/m/e.geojson"; expect_rc 0 "export --force"
[ "$(cksum <"$WORK/m/e.geojson")" != "$sum" ] && ok || bad "export --force did not replace"
expect_eq "$(mode "$WORK/m/e.geojson")" "600" "replaced export 0600"
# a new export beside an existing .qml keeps the .qml
qsum=$(cksum <"$WORK/m/shared.qml")
run "$BM" export --db "$DB" -o "$WORK/m/shared.gpkg"; expect_rc 0 "gpkg beside an existing .qml"
expect_err "shared.qml exists: kept" "kept .qml said"
expect_eq "$(cksum <"$WORK/m/shared.qml")" "$qsum" ".qml kept"
sum=$(cksum <"$WORK/m/map.png")
run "$BM" render --db "$DB" -o "$WORK/m/map.png" --size 500x400
expect_rc 4 "render over an existing file"; expect_err "map.png: already exists" "existing map named"
expect_eq "$(cksum <"$WORK/m/map.png")" "$sum" "existing map untouched"
run "$BM" render --db "$DB" -o "$WORK/m/map.png" --size 500x400 --force; expect_rc 0 "render --force"
expect_eq "$(png_size "$WORK/m/map.png")" "500x400" "render --force replaced the map"
# a symbolic link at the output path is not followed or replaced
ln -s "$WORK/elsewhere.geojson" "$WORK/m/link.geojson"
run "$BM" export --db "$DB" -o "$WORK/m/link.geojson"; expect_rc 4 "export onto a symlink"
[ ! -e "$WORK/elsewhere.geojson" ] && ok || bad "export followed a symlink"
ls "$WORK/m" | grep -q '\.tmp-' && bad "temporary files left: $(ls "$WORK/m" | grep '\.tmp-')" || ok
finish
