#!/usr/bin/env bash
# Bad input is named, the rest of the batch goes on, nothing stored is lost.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"
mkdir -p "$WORK/batch"
cp "$SRC/samples/002_9dc829e434d8636f.txt" "$WORK/batch/a_good.txt"
head -c 3000 /dev/urandom >"$WORK/batch/b_binary.txt"; printf '\0' >>"$WORK/batch/b_binary.txt"
printf 'Title: Bad bytes\n\nArrest in Hyesan \xff\xfe on Monday.\n' >"$WORK/batch/c_latin1.txt"
: >"$WORK/batch/d_empty.txt"
printf 'Title: Hyesan sweep\nSource: Test\nURL: none\nDate: 2024-03-02\n\nBorder guards in Hyesan arrested two smugglers on March 1.\n' >"$WORK/batch/e_header.txt"

run "$BM" ingest --db "$DB" "$WORK/batch"
expect_rc 1 "batch with bad files"
expect_err "b_binary.txt: binary" "binary file named"
expect_err "c_latin1.txt:3: invalid UTF-8" "invalid UTF-8 named with its line"
expect_err "d_empty.txt" "empty file named"
expect_out '^2 stored, 0 already stored, 3 failed' "good files stored"
expect_eq "$(spatialite -silent "$DB" "SELECT count(*) FROM reports")" "2" "two reports stored"

# A missing file and a folder passed as a file.
run "$BM" ingest --db "$DB" "$WORK/nope.txt" "$SRC/samples/000_bb4ea8e8aa9c4ef1.txt"
expect_rc 1 "missing file"; expect_err "nope.txt" "missing file named"
expect_out '^1 stored' "the other file still stored"

# A database file that is not a database: clear error, file untouched.
printf 'not a database at all\n' >"$WORK/fake.sqlite"
sum=$(cksum <"$WORK/fake.sqlite")
run "$BM" ingest --db "$WORK/fake.sqlite" "$WORK/batch/a_good.txt"
expect_rc 3 "fake database"; expect_err "fake.sqlite" "fake database named"
expect_eq "$(cksum <"$WORK/fake.sqlite")" "$sum" "fake database untouched"

# A malformed style names its file and line; an earlier map survives.
run "$BM" render --db "$DB" -o "$WORK/map.png" --size 400x300
expect_rc 0 "render before"
sum=$(cksum <"$WORK/map.png")
printf 'name: broken\ntitle: "x"\n  extent: [1, 2\nsize: {width: 10}\n' >"$WORK/bad.yaml"
run "$BM" render --db "$DB" --style "$WORK/bad.yaml" --force -o "$WORK/map.png"
expect_rc 1 "malformed style"; expect_err "bad.yaml:[0-9]+" "malformed style named with line"
expect_eq "$(cksum <"$WORK/map.png")" "$sum" "earlier map intact"

# An export into a folder that cannot be written leaves no partial file.
run "$BM" export --db "$DB" -o /proc/bordermap-cannot/x.geojson
expect_rc 4 "unwritable export"; expect_err "x.geojson|bordermap-cannot" "unwritable export named"
finish
