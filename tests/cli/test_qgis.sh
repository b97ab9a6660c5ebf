#!/usr/bin/env bash
# QGIS opens what bordermap writes: the GeoJSON and GeoPackage exports with
# their .qml (right CRS, feature count, categorized symbols in the briefing
# style's colours) and the SpatiaLite database as a point layer. QGIS 3.22
# runs headless through Debian's python3-qgis (scripts/debian-packages.txt).
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
export QT_QPA_PLATFORM=offscreen
export XDG_RUNTIME_DIR="$WORK/xdg" && mkdir -p -m 0700 "$XDG_RUNTIME_DIR"
export HOME="$WORK/home" && mkdir -p "$HOME"
if ! "$PY" -c 'import qgis.core' 2>"$WORK/err"; then
    bad "python3-qgis does not load under $PY"; cat "$WORK/err" >&2; finish
fi
DB="$WORK/bm.sqlite"
run "$BM" ingest --db "$DB" "$SRC/samples"; expect_rc 0 "ingest samples"
n=$(spatialite -silent "$DB" "SELECT count(*) FROM incidents" 2>/dev/null)
[ "${n:-0}" -gt 0 ] && ok || bad "no incidents to export"

# The briefing style's colour per type, read from the style itself.
want=$(sed -n 's/^ *- {type: *\([a-z*]*\), *fill: *"\(#[0-9a-fA-F]\{6\}\)".*/\1=\2/p' \
       "$SRC/styles/briefing.yaml" | grep -v '^\*=' | paste -sd, -)
[ -n "$want" ] && ok || bad "no type colours read from styles/briefing.yaml"

for ext in geojson gpkg; do
    run "$BM" export --db "$DB" -o "$WORK/inc.$ext"
    expect_rc 0 "export $ext"
    [ -s "$WORK/inc.qml" ] && ok || bad "$ext: no .qml beside it"
    "$PY" "$SRC/tests/cli/qgis_check.py" "$WORK/inc.$ext" "$n" "$want" >"$WORK/out" 2>"$WORK/err"
    rc=$?
    expect_rc 0 "QGIS reads $ext with its .qml"
    grep -q '^ok   .*drawn' "$WORK/out" && ok || bad "$ext: no colour was compared"
    sed 's/^/  /' "$WORK/out"
    rm -f "$WORK/inc.qml"
done

"$PY" "$SRC/tests/cli/qgis_check.py" --db "$DB" "$n" >"$WORK/out" 2>"$WORK/err"
rc=$?
expect_rc 0 "QGIS opens the SpatiaLite database as a point layer"
sed 's/^/  /' "$WORK/out"
finish
