#!/usr/bin/env bash
# A short run of tests/load.sh (10 s: 4 processes ingesting and 4 querying
# one database at once): no command fails, nothing is lost or stored twice.
# The full minute is `tests/load.sh --bm build/bordermap` (by hand; see
# docs/reliability.md).
. "$(dirname "$0")/lib.sh"
run bash "$SRC/tests/load.sh" --seconds "${BM_LOAD_SECONDS:-10}" --bm "$BM" --work "$WORK"
cat "$WORK/out"
expect_rc 0 "load run"; sed 's/^/  /' "$WORK/err" | head -20 >&2
expect_out "^load: no errors" "no errors under load"
expect_out "^  ok: " "nothing lost or twice"
for kind in ingest near list stats export; do
    expect_out "^  $kind +[0-9]+ +0 " "$kind ran without errors"
done
finish
