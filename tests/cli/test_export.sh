#!/usr/bin/env bash
# export: every format read back with ogrinfo (count, CRS, field types),
# RFC 7946 GeoJSON, the QGIS style, filters, --redact, and the round trip
# export -> import that must change nothing.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"

run "$BM" ingest --db "$DB" "$SRC/samples"; expect_rc 0 "ingest samples"
n_db=$(spatialite -silent "$DB" "SELECT count(*) FROM incidents" 2>/dev/null)

# ogrinfo's summary of a file, in $WORK/ogr
summary() { ogrinfo -ro -so -al "$1" >"$WORK/ogr" 2>&1; }
has() { # has REGEX WHAT
    if grep -Eq -- "$1" "$WORK/ogr"; then ok; else bad "$2: ogrinfo lacks /$1/"; head -40 "$WORK/ogr" >&2; fi
}

for ext in geojson gpkg fgb shp kml csv; do
    run "$BM" export --db "$DB" -o "$WORK/all.$ext"
    expect_rc 0 "export $ext"; expect_out "wrote $n_db incidents" "export $ext count"
    summary "$WORK/all.$ext"
    has "Feature Count: $n_db\$" "$ext feature count"
    case $ext in
    csv|kml) ;;  # no declared types / CRS worth checking beyond the count
    *)
        has 'ID\["EPSG",4326\]' "$ext CRS EPSG:4326"
        # GeoJSON has no declared types: OGR reads small ids as Integer
        if [ $ext = geojson ]; then has '^id: Integer' "$ext id integer"
        else has '^id: Integer64' "$ext id Integer64"; fi
        has '^confidence: Real' "$ext confidence Real"
        has '^event_type: String' "$ext event_type String"
        ;;
    esac
done
# Shapefile field names are at most 10 bytes: the explicit short names.
summary "$WORK/all.shp"
has '^time_prec: String' "shapefile short name time_prec"
has '^geo_prec: String' "shapefile short name geo_prec"
has '^rep_title: String' "shapefile short name rep_title"
for side in shx dbf prj cpg; do
    [ -f "$WORK/all.$side" ] && ok || bad "shapefile sidecar .$side"
done
[ -z "$(ls "$WORK" | grep '\.tmp-')" ] && ok || bad "temp files left: $(ls "$WORK" | grep '\.tmp-')"
run "$BM" export --db "$DB" --format "ESRI Shapefile" -o "$WORK/named.shp"; expect_rc 0 "--format 'ESRI Shapefile'"
run "$BM" export --db "$DB" --format FlatGeobuf -o "$WORK/named.fgb"; expect_rc 0 "--format FlatGeobuf"

# GeoJSON: RFC 7946 - no crs member, [lon, lat] inside the region, <= 7
# decimals, the documented properties.
G="$WORK/all.geojson"
jq -e 'has("crs") | not' "$G" >/dev/null && ok || bad "GeoJSON has a crs member"
jq -e '[.features[].geometry.coordinates | .[0] >= 124 and .[0] <= 131 and .[1] >= 37 and .[1] <= 43.1] | all' "$G" >/dev/null && ok || bad "coordinates [lon,lat] in the region"
if grep -Eq '[0-9]\.[0-9]{8,}' <(jq -c '.features[].geometry.coordinates[]' "$G"); then bad "coordinates with more than 7 decimals"; else ok; fi
jq -e '[.features[].properties | keys == (["actors","admin1","admin2","confidence","country","event_date","event_type","evidence","geo_precision","id","outlet","place","place_id","report_title","status","time_precision","url"])] | all' "$G" >/dev/null && ok || bad "GeoJSON property names"
jq -e '[.features[].properties | (.id | type) == "number" and (.confidence | type) == "number"] | all' "$G" >/dev/null && ok || bad "id and confidence are numbers"

# The QGIS style beside GeoJSON and GPKG (not beside the others).
for ext in geojson gpkg; do
    run "$BM" export --db "$DB" --force -o "$WORK/q.$ext"; expect_out "wrote the QGIS style $WORK/q.qml" "$ext writes .qml"
    xmllint --noout "$WORK/q.qml" 2>"$WORK/err" && ok || { bad "$ext .qml not well-formed"; cat "$WORK/err" >&2; }
done
types=$(jq -r '[.features[].properties.event_type] | unique | join(" ")' "$G")
cats=$(xmllint --xpath '//categories/category/@value' "$WORK/q.qml" | sed 's/ *value="\([^"]*\)"/\1/g' | tr '\n' ' ' | sed 's/ *$//')
expect_eq "$cats" "$types" "one .qml category per type present"
expect_eq "$(xmllint --xpath 'string(//renderer-v2/@attr)' "$WORK/q.qml")" "event_type" ".qml categorizes on event_type"
# arrest is wine (#882255) and a circle in the briefing style
expect_eq "$(xmllint --xpath 'string(//symbol[@name=//category[@value="arrest"]/@symbol]//Option[@name="color"]/@value)' "$WORK/q.qml")" "136,34,85,255" "arrest colour from the briefing style"
run "$BM" export --db "$DB" --no-qml -o "$WORK/noqml.geojson"; expect_rc 0 "--no-qml"
[ ! -e "$WORK/noqml.qml" ] && ok || bad "--no-qml still wrote a .qml"

# Filters: the same selection as near.
run "$BM" near Hoeryong --radius 25km --type arrest --db "$DB" --format json
want=$(jq '[.incidents[].id] | sort' "$WORK/out" | jq -c .)
run "$BM" export --db "$DB" --near Hoeryong --radius 25km --type arrest -o "$WORK/near.geojson"
expect_rc 0 "export --near"
expect_eq "$(jq -c '[.features[].properties.id] | sort' "$WORK/near.geojson")" "$want" "export --near selects as near does"
run "$BM" export --db "$DB" --type surveillance -o "$WORK/s.geojson"
expect_eq "$(jq -r '[.features[].properties.event_type] | unique | join(",")' "$WORK/s.geojson")" "surveillance" "--type"
run "$BM" export --db "$DB" --status manual -o "$WORK/m.geojson"
expect_eq "$(jq '.features | length' "$WORK/m.geojson")" "0" "--status manual (none yet)"
run "$BM" export --db "$DB" --radius 5km -o "$WORK/x.geojson"; expect_rc 2 "--radius without --near"
run "$BM" export --db "$DB" --status sleepy -o "$WORK/x.geojson"; expect_rc 2 "bad --status"

# --redact: no url, outlet or evidence; said in the metadata.
run "$BM" export --db "$DB" --redact -o "$WORK/r.geojson"; expect_rc 0 "--redact geojson"
jq -e '[.features[].properties | has("url") or has("outlet") or has("evidence")] | any | not' "$WORK/r.geojson" >/dev/null && ok || bad "--redact drops url, outlet, evidence"
jq -e '.description | test("BORDERMAP_REDACTED=YES")' "$WORK/r.geojson" >/dev/null && ok || bad "--redact GeoJSON description"
run "$BM" export --db "$DB" --redact -o "$WORK/r.gpkg"; expect_rc 0 "--redact gpkg"
summary "$WORK/r.gpkg"
has 'BORDERMAP_REDACTED=YES' "--redact GPKG metadata"
if grep -Eq '^(url|outlet|evidence):' "$WORK/ogr"; then bad "--redact GPKG still has the fields"; else ok; fi

# Round trip: export -> import changes nothing (counts, fields, no audit).
for ext in geojson gpkg fgb shp csv; do
    cp "$DB" "$WORK/rt.sqlite"
    rm -f "$WORK/rt.sqlite-wal" "$WORK/rt.sqlite-shm"
    run "$BM" import --db "$WORK/rt.sqlite" "$WORK/all.$ext"
    expect_rc 0 "import $ext"
    expect_out "$n_db features read, 0 updated, $n_db unchanged, 0 added, 0 skipped" "import $ext changes nothing"
    expect_eq "$(spatialite -silent "$WORK/rt.sqlite" "SELECT count(*) FROM audit" 2>/dev/null)" "0" "import $ext: no audit rows"
    expect_eq "$(spatialite -silent "$WORK/rt.sqlite" "SELECT count(*) FROM incidents" 2>/dev/null)" "$n_db" "import $ext: count"
done
run "$BM" export --db "$WORK/rt.sqlite" -o "$WORK/rt.geojson"
expect_eq "$(jq -c '.features' "$WORK/rt.geojson" | md5sum)" "$(jq -c '.features' "$G" | md5sum)" "round trip: same features"

# Edits, new incidents and bad features.
id=$(jq '.features[0].properties.id' "$G")
cat >"$WORK/edit.geojson" <<JSON
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":$id,"event_type":"arrest","actors":"border guards"},"geometry":{"type":"Point","coordinates":$(jq -c '.features[0].geometry.coordinates' "$G")}},
{"type":"Feature","properties":{"event_type":"smuggling","place":"Musan","event_date":"2024-03","time_precision":"month"},"geometry":{"type":"Point","coordinates":[129.2,42.23]}},
{"type":"Feature","properties":{"id":424242,"event_type":"arrest"},"geometry":null},
{"type":"Feature","properties":{"event_type":"picnic"},"geometry":{"type":"Point","coordinates":[129.2,42.23]}}
]}
JSON
cp "$DB" "$WORK/ed.sqlite"; rm -f "$WORK/ed.sqlite-wal" "$WORK/ed.sqlite-shm"
run "$BM" import --db "$WORK/ed.sqlite" "$WORK/edit.geojson"
expect_rc 1 "import with bad features"
expect_err "edit.geojson: feature id 424242: no geometry" "bad geometry named"
expect_err "edit.geojson: feature .*unknown event_type 'picnic'" "unknown type named"
expect_out "1 updated, 0 unchanged, 1 added, 2 skipped" "import summary"
expect_eq "$(spatialite -silent "$WORK/ed.sqlite" "SELECT status FROM incidents WHERE id=$id" 2>/dev/null)" "reviewed" "updated incident is reviewed"
expect_eq "$(spatialite -silent "$WORK/ed.sqlite" "SELECT group_concat(field) FROM (SELECT field FROM audit WHERE incident_id=$id AND command='import' ORDER BY field)" 2>/dev/null)" "actor,status,type" "audit rows of the edit"
expect_eq "$(spatialite -silent "$WORK/ed.sqlite" "SELECT count(*) FROM incidents WHERE status='manual'" 2>/dev/null)" "1" "new feature added as manual"
run "$BM" import; expect_rc 2 "import without a file"
run "$BM" import --db "$WORK/ed.sqlite" "$WORK/missing.geojson"; expect_rc 1 "import of a missing file"; expect_err "missing.geojson" "missing file named"
finish
