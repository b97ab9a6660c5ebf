#!/usr/bin/env bash
# Bad input, one case at a time (issue 8, item 2): each is named in a clear
# message, gives its documented exit code (README: 1 some input failed,
# 3 the database, 4 an output), the other files of the batch still ingest,
# and nothing stored before is lost (counts before and after).
#
# Runs as root too: where a file mode does not stop root (an unreadable
# file, a read-only database) the case runs as the user nobody through
# setpriv, and is skipped with a printed reason only when that is not
# possible. A full disk is a file size limit (ulimit -f, which bordermap
# turns into an error instead of dying of SIGXFSZ) and, when mount works,
# a 1 MB tmpfs.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"
S="$SRC/samples"
q() { spatialite -silent "$1" "$2" 2>/dev/null; }
counts() { # "reports incidents mentions" of a database
    echo "$(q "$1" 'SELECT count(*) FROM reports') $(q "$1" 'SELECT count(*) FROM incidents') $(q "$1" 'SELECT count(*) FROM mentions')"
}
skip() { echo "SKIP: $*"; }

# A new report each time: the sample with a title of our own (distinct text).
new_report() { # new_report FILE TITLE
    { printf 'Title: %s\nSource: Test\nDate: 2024-05-01\n\n%s.\n' "$2" "$2"
      tail -n +2 "$S/002_9dc829e434d8636f.txt"; } >"$1"
}

run "$BM" ingest -q --db "$DB" "$S"
expect_rc 0 "first ingest"
before=$(counts "$DB")
# as many incidents as geoparse finds in the samples (the extractor's
# business, not this test's)
ninc=$("$BM" geoparse --format jsonl "$S"/*.txt | grep -c '"type": "incident"')
expect_eq "$before" "5 $ninc $(q "$DB" 'SELECT count(*) FROM mentions')" "five samples stored"

# ---- a batch of bad files beside two good ones -----------------------------
B="$WORK/batch"
mkdir -p "$B/sub"
new_report "$B/a_good.txt" "Good report one"
: >"$B/b_empty.txt"
head -c 4096 /dev/urandom >"$B/c_binary.txt"; printf '\0\1\2' >>"$B/c_binary.txt" # binary
printf 'Title: Bad bytes\n\nArrest in Hyesan \xc3\x28 on Monday.\n' >"$B/d_latin.txt"
printf 'Title: NUL\n\nArrest in Hyesan\0 on Monday.\n' >"$B/e_nul.txt"
python3 - "$B/f_50mb.txt" "$B/g_longline.txt" <<'PY'
import sys
# 50 MB: above the 8 MiB a report may be
with open(sys.argv[1], "w") as f:
    f.write("Title: Fifty megabytes\n\n")
    line = "Border guards in Hyesan arrested two smugglers on Monday.\n"
    f.write(line * (50_000_000 // len(line) + 1))
# one line of a million characters: allowed, and stored
with open(sys.argv[2], "w") as f:
    f.write("Title: One long line from Musan\n\n")
    s = "Police in Musan searched houses for phones near the Tumen river. "
    f.write((s * (1_000_000 // len(s) + 1))[:1_000_000] + "\n")
PY
ln -s h_loop.txt "$B/h_loop.txt"                               # a link to itself
ln -s .. "$B/sub/up"                                           # a folder loop
mkfifo "$B/i_fifo.txt"                                         # would block a read
mkdir "$B/j_folder.txt"                                        # a folder named .txt (searched: empty)
new_report "$B/sub/k_good.txt" "Good report two"

run timeout 120 "$BM" ingest --db "$DB" "$B"
expect_rc 1 "batch with bad files"
expect_err "b_empty.txt" "empty file named"
expect_err "c_binary.txt: binary" "binary file named"
expect_err "d_latin.txt:3: invalid UTF-8" "invalid UTF-8 named with its line"
expect_err "e_nul.txt: binary file \(contains NUL" "NUL bytes named"
expect_err "f_50mb.txt: [0-9]+ bytes, larger than a report can be \(8 MiB\)" "50 MB report refused with the limit"
expect_err "h_loop.txt: cannot read: Too many levels of symbolic links" "symlink loop (file) named"
expect_err "sub/up: skipped: a symbolic link loop" "symlink loop (folder) named, not followed"
expect_err "i_fifo.txt: is a FIFO" "FIFO named, not read"
expect_out "^stored   .*a_good.txt" "good file stored"
expect_out "^stored   .*g_longline.txt" "million-character line stored"
expect_out "^stored   .*sub/k_good.txt" "good file in a subfolder stored"
expect_out "^3 stored, 0 already stored, 7 failed" "summary counts"
after=$(counts "$DB")
read -r r0 i0 m0 <<<"$before"; read -r r1 i1 m1 <<<"$after"
expect_eq "$r1" "$((r0 + 3))" "three reports added, none lost"
[ "$i1" -ge "$i0" ] && [ "$m1" -gt "$m0" ] && ok || bad "incidents/mentions went down: $before -> $after"
expect_eq "$(q "$DB" "SELECT length(body) > 999999 FROM reports WHERE title = 'One long line from Musan'")" "1" "long line stored whole"
expect_eq "$(q "$DB" 'PRAGMA integrity_check')" "ok" "integrity after the batch"
before=$after

# ---- paths that cannot be read -----------------------------------------------
new_report "$WORK/l_good.txt" "Good report three"
run "$BM" ingest --db "$DB" "$WORK/missing.txt" "$WORK/l_good.txt/x" "$B/i_fifo.txt" "$B/j_folder.txt" "$WORK/l_good.txt"
expect_rc 1 "missing, not-a-folder, FIFO"
expect_err "missing.txt: cannot read: No such file" "missing path named"
expect_err "l_good.txt/x: cannot read: Not a directory" "path through a file named"
expect_err "i_fifo.txt: is a FIFO" "FIFO given by name refused"
expect_out "^1 stored" "the good file of the batch stored"
before=$(counts "$DB")

# Unreadable (permission): chmod 000 stops any user but root; as root the
# case runs as nobody.
as_nobody=""
if [ "$(id -u)" -ne 0 ]; then
    as_nobody=" "
elif command -v setpriv >/dev/null &&
     setpriv --reuid=65534 --regid=65534 --clear-groups "$BM" geocode Hyesan >/dev/null 2>&1; then
    as_nobody="setpriv --reuid=65534 --regid=65534 --clear-groups"
fi
if [ -n "$as_nobody" ]; then
    U="$WORK/unreadable"; mkdir -p "$U"; chmod 777 "$U"
    new_report "$U/m_secret.txt" "Unreadable"; chmod 000 "$U/m_secret.txt"
    new_report "$U/n_good.txt" "Readable"; chmod 644 "$U/n_good.txt"
    run $as_nobody "$BM" ingest --db "$U/u.sqlite" "$U"
    expect_rc 1 "unreadable file"
    expect_err "m_secret.txt: cannot read: Permission denied" "unreadable file named"
    expect_out "^1 stored, 0 already stored, 1 failed" "readable file still stored"
    chmod 644 "$U/m_secret.txt"
else
    skip "unreadable file: running as root and cannot switch to nobody (setpriv); the FIFO, missing and not-a-folder cases above stand in"
fi

# ---- styles with values of the wrong type ------------------------------------
run "$BM" render --db "$DB" -o "$WORK/map.png" --size 400x300
expect_rc 0 "render before"
sum=$(cksum <"$WORK/map.png")
i=0
for style in 'size:\n  width: "wide"\n  height: 300\n' 'incidents:\n  size: [1, 2]\n' \
             'layers: "not a list"\n' 'background: 12\n' 'page:\n  dpi: 99999\n'; do
    i=$((i + 1))
    printf "name: wrong$i\n$style" >"$WORK/wrong$i.yaml"
    run "$BM" render --db "$DB" --style "$WORK/wrong$i.yaml" --force -o "$WORK/map.png"
    expect_rc 1 "style with a wrong type ($i)"
    expect_err "wrong$i.yaml:[0-9]+: " "wrong type named with file and line ($i)"
done
expect_eq "$(cksum <"$WORK/map.png")" "$sum" "earlier map intact after bad styles"

# ---- databases that are not usable --------------------------------------------
# Not a database: every command says so, exit 3, the file untouched.
printf 'not a database at all\n%.0s' {1..200} >"$WORK/fake.sqlite"
sum=$(cksum <"$WORK/fake.sqlite")
run "$BM" ingest --db "$WORK/fake.sqlite" "$WORK/l_good.txt"; expect_rc 3 "ingest into a non-database"
expect_err "fake.sqlite: cannot open database: not a SQLite database" "non-database named"
run "$BM" near --db "$WORK/fake.sqlite" Hyesan; expect_rc 3 "near on a non-database"
run "$BM" export --db "$WORK/fake.sqlite" -o "$WORK/fake.geojson"; expect_rc 3 "export from a non-database"
[ ! -e "$WORK/fake.geojson" ] && ok || bad "export from a non-database left a file"
expect_eq "$(cksum <"$WORK/fake.sqlite")" "$sum" "non-database untouched"

# Truncated: a copy cut at 60%.
cp "$DB" "$WORK/cut.sqlite"
truncate -s $(( $(stat -c %s "$DB") * 6 / 10 )) "$WORK/cut.sqlite"
sum=$(cksum <"$WORK/cut.sqlite")
run "$BM" near --db "$WORK/cut.sqlite" Hyesan; expect_rc 3 "near on a truncated database"
expect_err "cut.sqlite: .*damaged or truncated" "truncated database named"
run "$BM" ingest --db "$WORK/cut.sqlite" "$WORK/l_good.txt"; expect_rc 3 "ingest into a truncated database"
expect_eq "$(cksum <"$WORK/cut.sqlite")" "$sum" "truncated database not written to"

# A folder given as the database.
run "$BM" stats --db "$WORK/batch"; expect_rc 3 "folder as database"
expect_err "batch: is a folder" "folder as database named"

# Read-only: the file (and its folder) cannot be written by this user.
# Writes fail with exit 3 and a message saying so; reading still works;
# nothing changes.
if [ -n "$as_nobody" ]; then
    R="$WORK/readonly"; mkdir -p "$R"
    cp "$DB" "$R/ro.sqlite"; chmod 444 "$R/ro.sqlite"; chmod 555 "$R"
    rbefore=$(counts "$R/ro.sqlite")
    sum=$(cksum <"$R/ro.sqlite")
    new_report "$WORK/o_new.txt" "Into a read-only store"; chmod 644 "$WORK/o_new.txt"
    run $as_nobody "$BM" ingest --db "$R/ro.sqlite" "$WORK/o_new.txt"
    expect_rc 3 "ingest into a read-only database"
    expect_err "ro.sqlite: .*read-only" "read-only database named"
    run $as_nobody "$BM" incident add --db "$R/ro.sqlite" --place Musan --type arrest
    expect_rc 3 "incident add on a read-only database"
    want=$("$BM" near --db "$DB" Hoeryong --radius 30km | head -1)
    run $as_nobody "$BM" near --db "$R/ro.sqlite" Hoeryong --radius 30km
    expect_rc 0 "near reads a read-only database"
    expect_eq "$(head -1 "$WORK/out")" "$want" "read-only database answers as the original"
    expect_eq "$(counts "$R/ro.sqlite")" "$rbefore" "read-only database unchanged (counts)"
    expect_eq "$(cksum <"$R/ro.sqlite")" "$sum" "read-only database unchanged (bytes)"
    chmod 755 "$R"
else
    skip "read-only database: running as root and cannot switch to nobody (setpriv)"
fi

# ---- a full disk ----------------------------------------------------------------
# A file size limit: the WAL cannot grow past 1 MB, so a 7 MB report cannot
# be stored, while a small report of the same batch can.
F="$WORK/full"; mkdir -p "$F"
python3 - "$F/p_big.txt" "$S/001_906319b050b5263b.txt" <<'PY'
import sys
body = open(sys.argv[2]).read().split("\n", 1)[1]
with open(sys.argv[1], "w") as f:
    f.write("Title: Seven megabytes\n\n")
    while f.tell() < 7_000_000:
        f.write(body)
PY
new_report "$F/q_small.txt" "Small report on a full disk"
FDB="$WORK/f.sqlite"   # the samples: ~0.5 MB, under the limit
run "$BM" ingest -q --db "$FDB" "$S"; expect_rc 0 "ingest before the full disk"
before=$(counts "$FDB")
run bash -c 'ulimit -f 1024; exec "$@"' _ "$BM" ingest --db "$FDB" "$F"
expect_rc 3 "ingest with a file size limit"
expect_err "cannot store report 'Seven megabytes': .*(disk|file size limit)" "full disk named with the report"
expect_out "^stored   .*q_small.txt" "small report of the batch stored"
read -r r0 i0 m0 <<<"$before"; read -r r1 i1 m1 <<<"$(counts "$FDB")"
expect_eq "$r1" "$((r0 + 1))" "one report added, none lost (file size limit)"
expect_eq "$(q "$FDB" 'PRAGMA integrity_check')" "ok" "integrity after a full disk"
# Outputs: nothing written, no temporary left, exit 4.
run bash -c 'ulimit -f 64; exec "$@"' _ "$BM" export --db "$DB" -o "$WORK/full.gpkg"
expect_rc 4 "export with a file size limit"; expect_err "full.gpkg" "full export named"
run bash -c 'ulimit -f 64; exec "$@"' _ "$BM" render --db "$DB" -o "$WORK/full.png" --size 2000x2000
expect_rc 4 "render with a file size limit"; expect_err "full.png" "full render named"
ls "$WORK" | grep -Eq '^full\.|\.tmp-' && bad "a full disk left files: $(ls "$WORK" | grep -E '^full\.|\.tmp-')" || ok

# A real full disk (ENOSPC): a 1 MB tmpfs, when this user may mount one.
T="$WORK/tmpfs"; mkdir -p "$T"
if mount -t tmpfs -o size=1m bm-test "$T" 2>/dev/null; then
    cp "$FDB" "$T/t.sqlite" 2>/dev/null || truncate -s 0 "$T/t.sqlite"
    if [ -s "$T/t.sqlite" ]; then
        tbefore=$(counts "$T/t.sqlite")
        run "$BM" ingest --db "$T/t.sqlite" "$F/p_big.txt"
        expect_rc 3 "ingest on a full tmpfs"
        expect_err "t.sqlite: cannot store report .*(disk is full|disk)" "full tmpfs named"
        expect_eq "$(counts "$T/t.sqlite")" "$tbefore" "full tmpfs: nothing lost"
        expect_eq "$(q "$T/t.sqlite" 'PRAGMA integrity_check')" "ok" "full tmpfs: integrity"
    else
        skip "tmpfs: the database does not fit in 1 MB"
    fi
    umount "$T"
else
    skip "full tmpfs: cannot mount here (not root, or no mount permission); the file size limit above stands in"
fi

# The exit codes are documented where users look.
run "$BM" --help
expect_out "Exit codes: 0 success; 1 some input failed" "--help lists the exit codes"
finish
