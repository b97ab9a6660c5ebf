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
has '^evid_more: String' "shapefile short name evid_more"
has '^date_start: String' "shapefile field date_start"
has '^date_end: String' "shapefile field date_end"
has '^is_main: Integer' "shapefile field is_main"
summary "$WORK/all.gpkg"
has '^is_main: Integer\(Boolean\)' "GPKG is_main is a boolean"
has '^date_start: String' "GPKG date_start is ISO text"
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
jq -e '[.features[].properties | keys == (["actors","admin1","admin2","confidence","country","date_end","date_start","event_date","event_type","evidence","evidence_more","geo_precision","id","is_main","outlet","place","place_id","report_title","status","time_precision","url"])] | all' "$G" >/dev/null && ok || bad "GeoJSON property names"
jq -e '[.features[].properties.is_main | type == "number"] | all' "$G" >/dev/null && ok || bad "is_main is a number (0/1)"
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

# --redact: nothing that names or quotes the source (url, outlet, evidence,
# evidence_more, and the report's title, which names the story); said in
# the metadata.
run "$BM" export --db "$DB" --redact -o "$WORK/r.geojson"; expect_rc 0 "--redact geojson"
jq -e '[.features[].properties | has("url") or has("outlet") or has("evidence") or has("evidence_more") or has("report_title")] | any | not' "$WORK/r.geojson" >/dev/null && ok || bad "--redact drops url, outlet, evidence, evidence_more, report_title"
jq -e '[.features[].properties | has("date_start") and has("is_main")] | all' "$WORK/r.geojson" >/dev/null && ok || bad "--redact keeps the range and is_main"
title=$(jq -r '[.features[].properties.report_title | select(. != null)][0]' "$G")
[ -n "$title" ] && [ "$title" != null ] && ok || bad "the samples have report titles"
grep -qF -- "$title" "$WORK/r.geojson" && bad "--redact: a report title is still in the file" || ok
jq -e '.description | test("BORDERMAP_REDACTED=YES: evidence, evidence_more, report_title, outlet and url left out")' "$WORK/r.geojson" >/dev/null && ok || bad "--redact GeoJSON description"
run "$BM" export --db "$DB" --redact -o "$WORK/r.gpkg"; expect_rc 0 "--redact gpkg"
summary "$WORK/r.gpkg"
has 'BORDERMAP_REDACTED=YES' "--redact GPKG metadata"
has 'BORDERMAP_REDACTED_FIELDS=evidence,evidence_more,report_title,outlet,url' "--redact GPKG lists the fields"
if grep -Eq '^(url|outlet|evidence|evidence_more|report_title):' "$WORK/ogr"; then bad "--redact GPKG still has the fields"; else ok; fi

# Round trip: export -> import changes nothing (counts, fields, no audit).
for ext in geojson gpkg fgb shp csv kml; do
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
# a type other than the stored one (whatever the geoparser made of it)
new_type=arrest; [ "$(jq -r '.features[0].properties.event_type' "$G")" = arrest ] && new_type=bribery
cat >"$WORK/edit.geojson" <<JSON
{"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"id":$id,"event_type":"$new_type","actors":"border guards"},"geometry":{"type":"Point","coordinates":$(jq -c '.features[0].geometry.coordinates' "$G")}},
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
# Ranges: incidents of every date precision (imported: a day that is its
# report's main incident with further evidence, a month, mid-June, a
# season over the new year, a year, one dated only by its report, an
# undated one) in every format, read back, and through export -> import.
RDB="$WORK/ranges.sqlite"
cp "$DB" "$RDB"; rm -f "$RDB-wal" "$RDB-shm"
feat() { # feat ACTOR TYPE PROPS
    printf '{"type":"Feature","properties":{"actors":"%s","event_type":"%s","place":"Hoeryong"%s},"geometry":{"type":"Point","coordinates":[129.75,42.44]}}' "$1" "$2" "$3"
}
{
    echo '{"type":"FeatureCollection","features":['
    feat t-day arrest ',"event_date":"2024-06-15","time_precision":"day","is_main":1,"evidence":"One.","evidence_more":"Two.\nThree."'; echo ,
    feat t-month smuggling ',"event_date":"2024-06","time_precision":"month"'; echo ,
    feat t-period crackdown ',"event_date":"2024-06","time_precision":"period","date_start":"2024-06-11","date_end":"2024-06-20"'; echo ,
    feat t-season defection ',"event_date":"2023","time_precision":"season","date_start":"2023-12-01","date_end":"2024-02-29"'; echo ,
    feat t-year bribery ',"event_date":"2024","time_precision":"year"'; echo ,
    feat t-reported surveillance ',"event_date":"2024-06-15","time_precision":"reported"'; echo ,
    feat t-undated meeting ''
    echo ']}'
} >"$WORK/ranges-in.geojson"
run "$BM" import --db "$RDB" "$WORK/ranges-in.geojson"
expect_rc 0 "import incidents of every date precision"
expect_out "7 features read, 0 updated, 0 unchanged, 7 added, 0 skipped" "import of the ranges"
n_r=$(spatialite -silent "$RDB" "SELECT count(*) FROM incidents" 2>/dev/null)
audit_r=$(spatialite -silent "$RDB" "SELECT count(*) FROM audit" 2>/dev/null)
for ext in geojson gpkg fgb shp csv kml; do
    run "$BM" export --db "$RDB" -o "$WORK/ranges.$ext" --no-qml; expect_rc 0 "export ranges $ext"
    cp "$RDB" "$WORK/rr.sqlite"; rm -f "$WORK/rr.sqlite-wal" "$WORK/rr.sqlite-shm"
    run "$BM" import --db "$WORK/rr.sqlite" "$WORK/ranges.$ext"
    expect_rc 0 "import ranges $ext"
    expect_out "$n_r features read, 0 updated, $n_r unchanged, 0 added, 0 skipped" "import ranges $ext changes nothing"
    expect_eq "$(spatialite -silent "$WORK/rr.sqlite" "SELECT count(*) FROM audit" 2>/dev/null)" "$audit_r" "import ranges $ext: no audit rows"
done
# the values, as the GeoJSON export holds them
r() { jq -c --arg a "$1" "[.features[].properties | select(.actors == \$a) | $2][0]" "$WORK/ranges.geojson"; }
expect_eq "$(r t-day '[.date_start, .date_end, .is_main, .evidence_more]')" '["2024-06-15","2024-06-15",1,"Two.\nThree."]' "a day, main, further evidence"
expect_eq "$(r t-month '[.date_start, .date_end, .is_main]')" '["2024-06-01","2024-06-30",0]' "a month's range"
expect_eq "$(r t-period '[.time_precision, .date_start, .date_end]')" '["period","2024-06-11","2024-06-20"]' "mid-June"
expect_eq "$(r t-season '[.time_precision, .event_date, .date_start, .date_end]')" '["season","2023","2023-12-01","2024-02-29"]' "a winter"
expect_eq "$(r t-reported '[.time_precision, .date_start, .date_end]')" '["reported",null,"2024-06-15"]' "dated by its report: an open start"
expect_eq "$(r t-undated '[.event_date, .date_start, .date_end]')" '[null,null,null]' "undated: no range"
# KML: the range as a TimeSpan, read back by xmllint and OGR
K="$WORK/ranges.kml"
xmllint --noout "$K" 2>"$WORK/err" && ok || { bad "KML not well-formed"; cat "$WORK/err" >&2; }
ts() { # ts ACTOR PART: the TimeSpan's begin or end of that placemark
    xmllint --xpath "string(//*[local-name()='Placemark'][.//*[local-name()='SimpleData'][@name='actors']='$1']/*[local-name()='TimeSpan']/*[local-name()='$2'])" "$K" 2>/dev/null
}
expect_eq "$(ts t-day begin)/$(ts t-day end)" "2024-06-15T00:00:00/2024-06-15T23:59:59" "KML TimeSpan of a day: its first to its last second"
expect_eq "$(ts t-month begin)/$(ts t-month end)" "2024-06-01T00:00:00/2024-06-30T23:59:59" "KML TimeSpan of a month"
expect_eq "$(ts t-reported begin)/$(ts t-reported end)" "/2024-06-15T23:59:59" "KML TimeSpan of a reported date: no begin"
expect_eq "$(xmllint --xpath "count(//*[local-name()='Placemark'][.//*[local-name()='SimpleData'][@name='actors']='t-reported']/*[local-name()='TimeSpan']/*[local-name()='begin'])" "$K")" "0" "KML: the open range has no begin element"
expect_eq "$(xmllint --xpath "count(//*[local-name()='Placemark'][.//*[local-name()='SimpleData'][@name='actors']='t-undated']/*[local-name()='TimeSpan'])" "$K")" "0" "KML: no TimeSpan when undated"
# KML 2.2 puts a placemark's TimeSpan before its ExtendedData
expect_eq "$(xmllint --xpath "count(//*[local-name()='Placemark']/*[local-name()='TimeSpan'][following-sibling::*[local-name()='ExtendedData']])" "$K")" "6" "KML: TimeSpans before ExtendedData"
expect_eq "$(xmllint --xpath "count(//*[local-name()='Placemark'])" "$K")" "$n_r" "KML: one placemark per incident"
ogrinfo -ro -al -q "$K" -where "actors = 't-month'" >"$WORK/ogr" 2>&1
has 'begin \(DateTime\) = 2024/06/01 00:00:00' "OGR reads the KML TimeSpan's begin"
has 'end \(DateTime\) = 2024/06/30 23:59:59' "OGR reads the KML TimeSpan's end"
ogrinfo -ro -al -q "$K" -where "actors = 't-reported'" >"$WORK/ogr" 2>&1
has 'end \(DateTime\) = 2024/06/15 23:59:59' "OGR reads an open TimeSpan's end"
if grep -q 'begin (DateTime)' "$WORK/ogr"; then bad "an open TimeSpan read with a begin"; else ok; fi

# A range that contradicts its date, or is not a day, is named and skipped.
{
    echo '{"type":"FeatureCollection","features":['
    printf '{"type":"Feature","properties":{"id":9001,"event_type":"arrest","event_date":"2024-06","time_precision":"month","date_start":"2024-05-28","date_end":"2024-06-10"},"geometry":{"type":"Point","coordinates":[129.75,42.44]}},\n'
    printf '{"type":"Feature","properties":{"id":9002,"event_type":"arrest","event_date":"2024-06","time_precision":"period","date_start":"2024-06-11","date_end":"2024-06-31"},"geometry":{"type":"Point","coordinates":[129.75,42.44]}},\n'
    printf '{"type":"Feature","properties":{"event_type":"arrest","event_date":"2024-06","time_precision":"period","date_start":"2024-06-21","date_end":"2024-06-30"},"geometry":{"type":"Point","coordinates":[129.75,42.44]}}\n'
    echo ']}'
} >"$WORK/badrange.geojson"
cp "$RDB" "$WORK/br.sqlite"; rm -f "$WORK/br.sqlite-wal" "$WORK/br.sqlite-shm"
run "$BM" import --db "$WORK/br.sqlite" "$WORK/badrange.geojson"
expect_rc 1 "import of a bad range"
expect_err "badrange.geojson: feature id 9001: range 2024-05-28..2024-06-10 lies outside event_date 2024-06" "range outside its date named"
expect_err "badrange.geojson: feature id 9002: date_end '2024-06-31' is not a day" "a range that is not a day named"
expect_out "3 features read, 0 updated, 0 unchanged, 1 added, 2 skipped" "bad ranges skipped, the good one added"
expect_eq "$(spatialite -silent "$WORK/br.sqlite" "SELECT date_start || '..' || date_end FROM incidents WHERE id = (SELECT max(id) FROM incidents)" 2>/dev/null)" "2024-06-21..2024-06-30" "late June stored with its range"

run "$BM" import; expect_rc 2 "import without a file"
run "$BM" import --db "$WORK/ed.sqlite" "$WORK/missing.geojson"; expect_rc 1 "import of a missing file"; expect_err "missing.geojson" "missing file named"
finish
