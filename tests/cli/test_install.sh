#!/usr/bin/env bash
# `cmake --install` gives a program that finds its installed data.
. "$(dirname "$0")/lib.sh"
BUILD=${1:?build dir}
unset BORDERMAP_DATA
run cmake --install "$BUILD" --prefix "$WORK/prefix"
expect_rc 0 "cmake --install"
for f in bin/bordermap share/bordermap/gazetteer/places.tsv share/bordermap/gazetteer/basemap.gpkg \
         share/bordermap/gazetteer/ATTRIBUTION share/bordermap/styles/briefing.yaml \
         lib/bordermap/bordermap-ogr.so lib/bordermap/bordermap-render.so; do
    [ -e "$WORK/prefix/$f" ] && ok || bad "installed $f missing"
done
# Run from elsewhere, with the source tree hidden from the data search by
# copying the binary's view: the installed data must be the one used.
cd "$WORK"
run "$WORK/prefix/bin/bordermap" geocode --format json Hoeryong
expect_rc 0 "installed geocode"
expect_eq "$(jq -r '.[0].candidates[0].kind' "$WORK/out")" "town" "installed geocode result"
run "$WORK/prefix/bin/bordermap" ingest --db "$WORK/i.sqlite" "$WORK/prefix/share/bordermap/samples"
expect_rc 0 "installed ingest of installed samples"
run "$WORK/prefix/bin/bordermap" render --db "$WORK/i.sqlite" -o "$WORK/i.png" --size 400x300
expect_rc 0 "installed render"
# The environment variable overrides.
BORDERMAP_DATA="$WORK" run "$WORK/prefix/bin/bordermap" geocode Hoeryong
expect_rc 1 "BORDERMAP_DATA override is honoured"; expect_err "BORDERMAP_DATA" "override named"
finish
