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

# KML with TimeSpans: QGIS reads them, and its time slider (the layer's
# temporal start and end from them) shows an incident on the days of its
# range: a day on that day only, a month, mid-June and a year within them,
# a winter over the new year. (An open range, dated by its report only,
# is left out of the check: GDAL 3.6's OGR SQL fails on its null begin,
# "Failed to parse date ''", and QGIS then hides it.)
KDB="$WORK/kml.sqlite"
cp "$DB" "$KDB"; rm -f "$KDB-wal" "$KDB-shm"
feat() { # feat ACTOR PROPS
    printf '{"type":"Feature","properties":{"actors":"%s","event_type":"arrest","place":"Musan"%s},"geometry":{"type":"Point","coordinates":[129.21,42.23]}}' "$1" "$2"
}
{
    echo '{"type":"FeatureCollection","features":['
    feat t-day ',"event_date":"2024-06-15","time_precision":"day"'; echo ,
    feat t-month ',"event_date":"2024-06","time_precision":"month"'; echo ,
    feat t-period ',"event_date":"2024-06","time_precision":"period","date_start":"2024-06-11","date_end":"2024-06-20"'; echo ,
    feat t-season ',"event_date":"2023","time_precision":"season","date_start":"2023-12-01","date_end":"2024-02-29"'; echo ,
    feat t-year ',"event_date":"2024","time_precision":"year"'; echo ,
    feat t-reported ',"event_date":"2024-06-15","time_precision":"reported"'
    echo ']}'
} >"$WORK/ranges.geojson"
run "$BM" import --db "$KDB" "$WORK/ranges.geojson"; expect_rc 0 "import incidents of every precision"
run "$BM" export --db "$KDB" -o "$WORK/inc.kml"; expect_rc 0 "export kml"
"$PY" "$SRC/tests/cli/qgis_check.py" --kml "$WORK/inc.kml" $((n + 6)) \
    2024-06-15=t-day+t-month+t-period+t-year 2024-06-16=t-month+t-period+t-year \
    2024-06-21=t-month+t-year 2024-01-31=t-season+t-year 2024-03-01=t-year \
    >"$WORK/out" 2>"$WORK/err"
rc=$?
expect_rc 0 "QGIS reads the KML's TimeSpans and its time slider shows the ranges"
[ "$(grep -c '^ok   time slider' "$WORK/out")" = 5 ] && ok || bad "kml: not every slider day was compared"
sed 's/^/  /' "$WORK/out"

"$PY" "$SRC/tests/cli/qgis_check.py" --db "$DB" "$n" >"$WORK/out" 2>"$WORK/err"
rc=$?
expect_rc 0 "QGIS opens the SpatiaLite database as a point layer"
sed 's/^/  /' "$WORK/out"
finish
