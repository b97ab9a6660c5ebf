#!/usr/bin/env bash
# The whole path on the shipped samples: ingest -> near -> export -> render.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"

run "$BM" ingest --db "$DB" "$SRC/samples"
expect_rc 0 "ingest samples"
expect_out '^5 stored, 0 already stored, 0 failed' "ingest stores the five samples"
n_db=$(spatialite -silent "$DB" "SELECT count(*) FROM incidents" 2>/dev/null)
if [ -n "$n_db" ] && [ "$n_db" -ge 5 ]; then ok; else bad "incidents in db: '$n_db', expected >= 5"; fi
expect_eq "$(spatialite -silent "$DB" "SELECT count(*) FROM reports")" "5" "reports in db"

# The same reports again: stored once.
run "$BM" ingest --db "$DB" --format json "$SRC/samples"
expect_rc 0 "re-ingest"
expect_eq "$(jq '.already_stored' "$WORK/out")" "5" "re-ingest skips all five"
expect_eq "$(jq '.incidents_in_db' "$WORK/out")" "$n_db" "re-ingest adds no incidents"

# A spatial layer: geometry registered in EPSG:4326 with a spatial index.
expect_eq "$(spatialite -silent "$DB" "SELECT srid || ' ' || geometry_type || ' ' || spatial_index_enabled FROM geometry_columns WHERE f_table_name='incidents' AND f_geometry_column='geom'")" \
          "4326 1 1" "incidents.geom is a POINT layer in EPSG:4326 with an index"
expect_eq "$(spatialite -silent "$DB" "SELECT count(*) FROM incidents WHERE ST_Within(geom, BuildMbr(124,38,131.5,43.5,4326))")" \
          "$(spatialite -silent "$DB" "SELECT count(*) FROM incidents WHERE lon BETWEEN 124 AND 131.5 AND lat BETWEEN 38 AND 43.5")" \
          "geometry agrees with lon/lat columns"
expect_eq "$(spatialite -silent "$DB" "SELECT CheckSpatialIndex('incidents','geom')")" "1" "spatial index is consistent"

# near: the Hoeryong incident, not the Hyesan one.
run "$BM" near Hoeryong --radius 30km --db "$DB" --format json
expect_rc 0 "near Hoeryong"
hits=$(jq -r '.incidents[] | .place' "$WORK/out" | sort -u | tr '\n' ' ')
case "$hits" in *Hoeryong*) ok ;; *) bad "near Hoeryong 30km: places '$hits' lack Hoeryong" ;; esac
case "$hits" in *Hyesan*) bad "near Hoeryong 30km returned Hyesan" ;; *) ok ;; esac
maxd=$(jq '[.incidents[].distance_m] | max // 0' "$WORK/out")
if awk -v d="$maxd" 'BEGIN{exit !(d <= 30000)}'; then ok; else bad "distance $maxd m beyond the radius"; fi
sorted=$(jq '[.incidents[].distance_m] | . == sort' "$WORK/out")
expect_eq "$sorted" "true" "near results sorted by distance"
jq -e '[.incidents[] | has("date_start") and has("date_end") and (.is_main | type == "boolean") and has("evidence_more")] | all' "$WORK/out" >/dev/null && ok || bad "near json: date range, is_main, evidence_more"
run "$BM" near Hoeryong --radius 30km --db "$DB"
expect_rc 0 "near text"; expect_out 'km of Hoery' "near text header"; expect_out '^ +[0-9]+\.[0-9] km' "near text distances"
# list and stats read what ingest stored
run "$BM" incident list --db "$DB" --format json
expect_rc 0 "incident list json"
expect_eq "$(jq '.count' "$WORK/out")" "$n_db" "list: every incident"
expect_eq "$(jq '[.incidents[] | select(.is_main)] | length <= 5' "$WORK/out")" "true" "list: at most one main incident per report"
run "$BM" incident list --db "$DB" --format csv
expect_rc 0 "incident list csv"
expect_out ',sentence,date_start,date_end,is_main,evidence_more'$'\r''?$' "list csv: the range, is_main and evidence_more"
run "$BM" stats --db "$DB" --format json
expect_rc 0 "stats"
expect_eq "$(jq '[.month[].count] | add' "$WORK/out")" "$n_db" "stats: every incident under a month, a year or none"
run "$BM" near Hyesan --radius 30km --db "$DB" --format json
case "$(jq -r '.incidents[].place' "$WORK/out" | tr '\n' ' ')" in *Hyesan*) ok ;; *) bad "near Hyesan lacks Hyesan" ;; esac
case "$(jq -r '.incidents[].place' "$WORK/out" | tr '\n' ' ')" in *Hoeryong*) bad "near Hyesan has Hoeryong" ;; *) ok ;; esac
run "$BM" near 42.44,129.75 --radius 5km --db "$DB" --format json
expect_rc 0 "near LAT,LON"
run "$BM" near Atlantisville --db "$DB"
expect_rc 1 "near unknown town"; expect_err "Atlantisville" "unknown town named"

# export: OGR reads one EPSG:4326 point per incident back.
for fmt in geojson gpkg csv kml; do
    run "$BM" export --db "$DB" -o "$WORK/incidents.$fmt"
    expect_rc 0 "export $fmt"
    expect_out "wrote $n_db incident" "export $fmt count"
done
ogrinfo -ro -al -so "$WORK/incidents.geojson" >"$WORK/ogr" 2>&1
if grep -q "Feature Count: $n_db\$" "$WORK/ogr"; then ok; else bad "ogrinfo feature count"; cat "$WORK/ogr" >&2; fi
if grep -q "Geometry: Point" "$WORK/ogr"; then ok; else bad "GeoJSON geometry not Point"; fi
if grep -Eq 'ID\["EPSG",4326\]|EPSG:4326|WGS 84' "$WORK/ogr"; then ok; else bad "GeoJSON not EPSG:4326"; fi
ogrinfo -ro -al -so "$WORK/incidents.gpkg" >"$WORK/ogr" 2>&1
if grep -q "Feature Count: $n_db\$" "$WORK/ogr" && grep -q 'ID\["EPSG",4326\]' "$WORK/ogr"; then ok; else bad "GPKG count/SRS"; fi
# lon/lat order: every exported x is a longitude of the region.
jq -e '[.features[].geometry.coordinates[0]] | all(. > 120 and . < 135)' "$WORK/incidents.geojson" >/dev/null && ok || bad "GeoJSON x is not longitude"
jq -e '[.features[].properties | has("event_type") and has("evidence") and has("report_title")] | all' "$WORK/incidents.geojson" >/dev/null && ok || bad "GeoJSON properties"

# render: PNG of the requested size, plus PDF and SVG.
run "$BM" render --db "$DB" -o "$WORK/map.png" --size 900x700
expect_rc 0 "render png"
expect_eq "$(png_size "$WORK/map.png")" "900x700" "PNG size"
run "$BM" render --db "$DB" -o "$WORK/map.pdf"
expect_rc 0 "render pdf"; [ "$(head -c 5 "$WORK/map.pdf")" = "%PDF-" ] && ok || bad "PDF header"
run "$BM" render --db "$DB" -o "$WORK/map.svg"
expect_rc 0 "render svg"; grep -q '<svg' "$WORK/map.svg" && ok || bad "SVG content"

# No database yet: a clear error, nothing created.
run "$BM" near Hoeryong --db "$WORK/none.sqlite"
expect_rc 3 "near without db"; expect_err "none.sqlite" "missing db named"
[ ! -e "$WORK/none.sqlite" ] && ok || bad "near created a database"
finish
