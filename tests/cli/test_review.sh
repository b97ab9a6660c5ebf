#!/usr/bin/env bash
# Review and query from the command line: incident add/edit/delete/show/
# list, date precisions, ranges and the main incident of a report, near
# with filters and formats, stats, ingest --force keeping the analyst's
# work, two ingests at once, and ingests killed midway.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"
sq() { spatialite -silent "$1" "$2" 2>/dev/null; }

run "$BM" ingest --db "$DB" "$SRC/samples"
expect_rc 0 "ingest samples"
n0=$(sq "$DB" "SELECT count(*) FROM incidents")
expect_eq "$(sq "$DB" "PRAGMA user_version")" "4" "schema version 4"
expect_eq "$(sq "$DB" "PRAGMA journal_mode")" "wal" "WAL journal"
if [ "$(sq "$DB" "SELECT count(*) FROM mentions")" -gt 0 ]; then ok; else bad "mentions stored"; fi

# add at a place and at a point
run "$BM" incident add --db "$DB" --place Hoeryong --type arrest --date 2024-01-07 --actor "border guards" --evidence "Two smugglers were held."
expect_rc 0 "incident add --place"; expect_out '^added incident [0-9]+' "add prints the id"
id1=$(sed -E 's/^added incident ([0-9]+).*/\1/' "$WORK/out")
run "$BM" incident add --db "$DB" --at 42.0,129.0 --type smuggling --date 2023-12
expect_rc 0 "incident add --at"
id2=$(sed -E 's/^added incident ([0-9]+).*/\1/' "$WORK/out")
run "$BM" incident add --db "$DB" --type arrest
expect_rc 2 "add without a place"
run "$BM" incident add --db "$DB" --place Atlantisville --type arrest
expect_rc 1 "add at an unknown place"; expect_err "Atlantisville" "unknown place named"

# show in json
run "$BM" incident show "$id1" --db "$DB" --format json
expect_rc 0 "show json"
expect_eq "$(jq -r '.status' "$WORK/out")" "manual" "added incident is manual"
expect_eq "$(jq -r '.province' "$WORK/out")" "North Hamgyong" "province from the gazetteer"
expect_eq "$(jq -r '.history[0].field' "$WORK/out")" "created" "history starts with created"

# edit an extracted incident: becomes reviewed, audit has old and new
aid=$(sq "$DB" "SELECT id FROM incidents WHERE status='auto' ORDER BY id LIMIT 1")
run "$BM" incident edit "$aid" --db "$DB" --type execution --date 2024-03-02 --place Musan
expect_rc 0 "edit"; expect_out 'status reviewed' "edit marks reviewed"
expect_eq "$(sq "$DB" "SELECT type || ' ' || status || ' ' || date FROM incidents WHERE id=$aid")" "execution reviewed 2024-03-02" "edit stored"
expect_eq "$(sq "$DB" "SELECT new_value FROM audit WHERE incident_id=$aid AND field='type'")" "execution" "audit new value"
if [ -n "$(sq "$DB" "SELECT old_value FROM audit WHERE incident_id=$aid AND field='lat'")" ]; then ok; else bad "audit old lat"; fi
run "$BM" incident show "$aid" --db "$DB"
expect_rc 0 "show text"; expect_out 'history:' "show has history"; expect_out 'type +.* -> execution' "history line"
run "$BM" incident edit 999999 --db "$DB" --type x
expect_rc 1 "edit a missing incident"; expect_err "no incident 999999" "missing id named"
expect_eq "$(sq "$DB" "SELECT date_start || ' ' || date_end || ' ' || is_main FROM incidents WHERE id=$id1")" "2024-01-07 2024-01-07 0" "--date sets the range"
expect_eq "$(sq "$DB" "SELECT date_precision || ' ' || date_start || ' ' || date_end FROM incidents WHERE id=$id2")" "month 2023-12-01 2023-12-31" "a month's range"

# dates: a precision, a narrowed range, the main incident of a report
rid=$(sq "$DB" "SELECT report_id FROM incidents WHERE status='auto' GROUP BY report_id HAVING count(*) >= 2 ORDER BY report_id LIMIT 1")
m1=$(sq "$DB" "SELECT id FROM incidents WHERE report_id=$rid AND status='auto' ORDER BY id LIMIT 1")
m2=$(sq "$DB" "SELECT id FROM incidents WHERE report_id=$rid AND status='auto' ORDER BY id LIMIT 1 OFFSET 1")
run "$BM" incident edit "$m1" --db "$DB" --date 2024-06 --date-precision period --date-start 2024-06-11 --date-end 2024-06-20 --main yes
expect_rc 0 "edit --date-precision period --date-start --date-end --main yes"
expect_eq "$(sq "$DB" "SELECT date || ' ' || date_precision || ' ' || date_start || ' ' || date_end || ' ' || is_main FROM incidents WHERE id=$m1")" \
          "2024-06 period 2024-06-11 2024-06-20 1" "part of a month with its range, main"
run "$BM" incident show "$m1" --db "$DB"
expect_rc 0 "show a period"
expect_out '^  date +2024-06 \(period: 2024-06-11 \.\. 2024-06-20\)$' "show prints the range"
expect_out "^incident $m1 .*main incident of its report" "show marks the main incident"
expect_out 'date_end +\(none\) -> 2024-06-20' "history has the range"
expect_out 'is_main +0 -> 1' "history has is_main"
run "$BM" incident edit "$m2" --db "$DB" --main yes
expect_rc 0 "another incident of the report made main"
expect_out "incident $m1 is no longer the main incident of report $rid" "edit names the incident that lost it"
expect_eq "$(sq "$DB" "SELECT group_concat(id) FROM incidents WHERE report_id=$rid AND is_main=1")" "$m2" "one main incident per report"
expect_eq "$(sq "$DB" "SELECT old_value || '>' || new_value || ' ' || command FROM audit WHERE incident_id=$m1 AND field='is_main' ORDER BY id DESC LIMIT 1")" \
          "1>0 incident edit" "the former main incident's change audited"
run "$BM" incident edit "$m2" --db "$DB" --date 2024-06-15 --date-precision reported
expect_rc 0 "edit --date-precision reported"
expect_eq "$(sq "$DB" "SELECT coalesce(date_start, 'open') || ' ' || date_end FROM incidents WHERE id=$m2")" "open 2024-06-15" "a reported date: open start"
run "$BM" incident show "$m2" --db "$DB"
expect_out '^  date +2024-06-15 \(reported: on or before 2024-06-15\)$' "show a reported date"
run "$BM" incident edit "$m2" --db "$DB" --date-end 2024-06-14
expect_rc 0 "--date-end alone narrows the stored range"
expect_eq "$(sq "$DB" "SELECT date || ' ' || coalesce(date_start, 'open') || ' ' || date_end FROM incidents WHERE id=$m2")" "2024-06-15 open 2024-06-14" "range narrowed, date kept"
# refused, and nothing changed
before_m1=$(sq "$DB" "SELECT date || date_precision || date_start || date_end || is_main || updated FROM incidents WHERE id=$m1")
for bad_date in 2024-13-45 9999-99-99 2024-02-30 2023-02-29 2024-6-01; do
    run "$BM" incident edit "$m1" --db "$DB" --date "$bad_date"
    expect_rc 2 "impossible --date $bad_date refused"; expect_err "'$bad_date'" "bad date $bad_date named"
done
run "$BM" incident edit "$m1" --db "$DB" --date-precision none
expect_rc 2 "--date-precision none refused"; expect_err "date-precision none" "none named"
run "$BM" incident edit "$m1" --db "$DB" --date-precision fortnight
expect_rc 2 "unknown --date-precision refused"; expect_err "'fortnight' is unknown" "unknown precision named"
run "$BM" incident edit "$m1" --db "$DB" --date-start 2024-05-31
expect_rc 2 "--date-start before the date's month"; expect_err "outside what the date 2024-06 \(period\) allows: 2024-06-01 \.\. 2024-06-30" "allowed range said"
run "$BM" incident edit "$m1" --db "$DB" --date-start 2024-06-25
expect_rc 2 "--date-start after --date-end"; expect_err "after the end of the range, 2024-06-20" "start after end said"
run "$BM" incident edit "$m1" --db "$DB" --date-end 2024-06-31
expect_rc 2 "--date-end of a day that does not exist"; expect_err "'2024-06-31'" "bad day named"
run "$BM" incident edit "$m1" --db "$DB" --date 2024-06-03 --date-precision month
expect_rc 2 "a day's date for a month precision"; expect_err "written YYYY-MM" "shape said"
run "$BM" incident edit "$m1" --db "$DB" --main perhaps
expect_rc 2 "--main perhaps"
run "$BM" incident add --db "$DB" --at 42.0,129.0 --type arrest --main yes
expect_rc 2 "--main on add"
run "$BM" incident edit "$id1" --db "$DB" --main yes
expect_rc 2 "--main yes on an incident of no report"; expect_err "belongs to no report" "why said"
expect_eq "$(sq "$DB" "SELECT date || date_precision || date_start || date_end || is_main || updated FROM incidents WHERE id=$m1")" "$before_m1" "refused edits changed nothing"
# a season over the new year: narrowed to its months
run "$BM" incident edit "$m1" --db "$DB" --date 2023 --date-precision season --date-start 2023-12-01 --date-end 2024-02-29
expect_rc 0 "a winter season"
expect_eq "$(sq "$DB" "SELECT date_precision || ' ' || date_start || ' ' || date_end FROM incidents WHERE id=$m1")" "season 2023-12-01 2024-02-29" "season range"
run "$BM" incident edit "$m1" --db "$DB" --date 2024-06 --date-precision period --date-start 2024-06-11 --date-end 2024-06-20
expect_rc 0 "back to a part of June"

# list and near: the main incident marked, the precision beside the date,
# the new fields in json and csv
run "$BM" incident list --db "$DB" --report "$rid"
expect_rc 0 "list a report"
expect_out "^ +$m2 +reviewed +2024-06-15 reported +\*" "table: precision beside the date, * before the main incident's type"
expect_out "^ +$m1 +reviewed +2024-06 period +[a-z]" "table: no * for the others"
run "$BM" incident list --db "$DB" --report "$rid" --format json
expect_eq "$(jq -r ".incidents[] | select(.id==$m1) | [.date_start, .date_end, (.is_main|tostring), (.evidence_more|tostring)] | join(\" \")" "$WORK/out")" \
          "2024-06-11 2024-06-20 false null" "json: range and is_main"
expect_eq "$(jq -r ".incidents[] | select(.id==$m2) | [(.date_start|tostring), .date_end, (.is_main|tostring)] | join(\" \")" "$WORK/out")" \
          "null 2024-06-14 true" "json: an open start is null, the main one true"
run "$BM" incident list --db "$DB" --report "$rid" --format csv
expect_out '^id,type,date,date_precision,.*,sentence,date_start,date_end,is_main,evidence_more'$'\r''?$' "csv header ends with the new columns"
# (evidence_more, last, may hold the extractor's further sentences)
expect_out "^$m1,.*,2024-06-11,2024-06-20,0," "csv row of a period"
expect_out "^$m2,.*,,2024-06-14,1," "csv row of the main incident"
m2_at=$(sq "$DB" "SELECT lat || ',' || lon FROM incidents WHERE id=$m2")
run "$BM" near "$m2_at" --radius 1km --db "$DB"
expect_rc 0 "near the main incident"
expect_out '^ +[0-9]+\.[0-9] km  \*[a-z]+ .* 2024-06-14 reported|^ +[0-9]+\.[0-9] km  \*[a-z]+ .* 2024-06-15 reported' "near table marks the main incident and shows the precision"
expect_out '^\(\* the main incident of its report\)$' "near table explains the mark"
run "$BM" near "$m2_at" --radius 1km --db "$DB" --format json
expect_eq "$(jq ".incidents[] | select(.id==$m2) | .is_main" "$WORK/out")" "true" "near json is_main"
jq -e '[.incidents[] | has("date_start") and has("date_end") and has("is_main") and has("evidence_more")] | all' "$WORK/out" >/dev/null && ok || bad "near json carries the new fields"

# delete an extracted incident
did=$(sq "$DB" "SELECT id FROM incidents WHERE status='auto' ORDER BY id LIMIT 1")
dtype=$(sq "$DB" "SELECT type FROM incidents WHERE id=$did")
run "$BM" incident delete "$did" --db "$DB"
expect_rc 0 "delete"
expect_eq "$(sq "$DB" "SELECT count(*) FROM incidents WHERE id=$did")" "0" "deleted"
expect_eq "$(sq "$DB" "SELECT count(*) FROM audit WHERE incident_id=$did AND field='deleted'")" "1" "delete audited"

# re-ingest with --force: reviewed and manual stay, deleted stays deleted
before=$(sq "$DB" "SELECT count(*) FROM incidents")
run "$BM" ingest --db "$DB" --force --format json "$SRC/samples"
expect_rc 0 "ingest --force"
expect_eq "$(jq '.refreshed' "$WORK/out")" "5" "five refreshed"
expect_eq "$(sq "$DB" "SELECT count(*) FROM incidents")" "$before" "same number of incidents after --force"
expect_eq "$(sq "$DB" "SELECT type || ' ' || status FROM incidents WHERE id=$aid")" "execution reviewed" "reviewed edit survives"
expect_eq "$(sq "$DB" "SELECT count(*) FROM incidents WHERE id IN ($id1, $id2)")" "2" "manual incidents survive"
expect_eq "$(sq "$DB" "SELECT count(*) FROM reports")" "5" "no new reports"
expect_eq "$(sq "$DB" "SELECT date_precision || ' ' || date_start || ' ' || date_end FROM incidents WHERE id=$m1")" "period 2024-06-11 2024-06-20" "a reviewed range survives --force"
expect_eq "$(sq "$DB" "SELECT group_concat(id) FROM incidents WHERE report_id=$rid AND is_main=1")" "$m2" "the analyst's main incident survives --force, alone"
run "$BM" ingest --db "$DB" "$SRC/samples"
expect_eq "$(sq "$DB" "SELECT count(*) FROM incidents")" "$before" "plain re-ingest adds nothing"

# list with filters and formats
run "$BM" incident list --db "$DB" --status manual --format json
expect_eq "$(jq '.count' "$WORK/out")" "2" "list --status manual"
run "$BM" incident list --db "$DB" --since 2024-01 --until 2024-01-31 --format csv
expect_rc 0 "list csv"; expect_out '^id,type,date' "csv header"
expect_eq "$(grep -c '^[0-9]' "$WORK/out")" "1" "one incident in January 2024"

# near: filters, formats
run "$BM" near Hoeryong --radius 25km --db "$DB" --format json
expect_rc 0 "near json"
all=$(jq '.count' "$WORK/out")
if [ "$all" -ge 2 ]; then ok; else bad "near Hoeryong found $all"; fi
run "$BM" near Hoeryong --radius 25km --db "$DB" --since 2024-01-01 --format json
expect_eq "$(jq '[.incidents[].id] | sort | join(",")' "$WORK/out")" "\"$id1\"" "near --since keeps only the dated manual one"
run "$BM" near Hoeryong --radius 25km --db "$DB" --type arrest,smuggling --format json
jq -e '[.incidents[].type] | all(. == "arrest" or . == "smuggling")' "$WORK/out" >/dev/null && ok || bad "near --type"
run "$BM" near Hoeryong --radius 25km --db "$DB" --actor "BORDER GUARDS" --format json
jq -e '.count >= 1 and ([.incidents[].actor] | all(test("border guards"; "i")))' "$WORK/out" >/dev/null && ok || bad "near --actor"
run "$BM" near Hoeryong --radius 25km --db "$DB" --precision town --format json
jq -e '[.incidents[].precision] | all(. == "town")' "$WORK/out" >/dev/null && ok || bad "near --precision"
run "$BM" near Hoeryong --radius 25km --db "$DB" --format geojson
expect_rc 0 "near geojson"
expect_eq "$(jq -r '.type' "$WORK/out")" "FeatureCollection" "geojson type"
expect_eq "$(jq '.features | length' "$WORK/out")" "$all" "geojson count"
jq -e '[.features[].properties.distance_m] | . == sort' "$WORK/out" >/dev/null && ok || bad "geojson sorted"
cp "$WORK/out" "$WORK/near.geojson"
ogrinfo -ro -so -al "$WORK/near.geojson" >"$WORK/ogr" 2>&1 && grep -q "Feature Count: $all" "$WORK/ogr" && ok || bad "ogrinfo reads near geojson"
run "$BM" near Hoeryong --radius 25km --db "$DB" --format csv
# records, not lines: a quoted field may hold line breaks (evidence_more)
expect_eq "$(python3 -c 'import csv, sys; print(sum(1 for _ in csv.reader(open(sys.argv[1], newline=""))) - 1)' "$WORK/out")" "$all" "csv rows"
run "$BM" near Hoeryong --radius 25km --db "$DB" --since 2024-13
expect_rc 2 "bad --since"; expect_err "2024-13" "bad date named"
run "$BM" near Hoeryong --radius 25km --db "$DB" --until 2024-02-30
expect_rc 2 "impossible --until"; expect_err "'2024-02-30' for --until" "impossible date named"
# --since/--until by the range: June 2024 holds the part of June, not the
# date known only from its report (open start), which passes --until
run "$BM" incident list --db "$DB" --since 2024-06 --until 2024-06 --format json
expect_eq "$(jq -r '[.incidents[].id] | join(",")' "$WORK/out")" "$m1" "list of June 2024"
run "$BM" incident list --db "$DB" --until 2024-06 --format json
jq -e "[.incidents[].id] | index($m2) != null" "$WORK/out" >/dev/null && ok || bad "a reported date passes --until"
run "$BM" incident list --db "$DB" --since 2000 --format json
jq -e "[.incidents[].id] | index($m2) == null" "$WORK/out" >/dev/null && ok || bad "a reported date never passes --since"
run "$BM" incident list --db "$DB" --since 2024-06-15 --format json
jq -e "[.incidents[].id] | index($m1) == null" "$WORK/out" >/dev/null && ok || bad "a part of June from the 11th is not since June 15"
run "$BM" near Hoeryong --db "$DB" --precision street
expect_rc 2 "bad --precision"

# stats
run "$BM" stats --db "$DB" --format json
expect_rc 0 "stats json"
expect_eq "$(jq '.total' "$WORK/out")" "$before" "stats total"
expect_eq "$(jq '[.type[].count] | add' "$WORK/out")" "$before" "type counts add up"
expect_eq "$(jq '[.month[].count] | add' "$WORK/out")" "$before" "month counts add up"
expect_eq "$(jq -c '[.month[] | select(.key == "2024-06" or .key == "2024-01" or .key == "2023-12") | .key + ":" + (.count|tostring)]' "$WORK/out")" \
          '["2023-12:1","2024-01:1","2024-06:1"]' "stats by month: the month a range lies in"
run "$BM" stats --db "$DB"
expect_rc 0 "stats text"; expect_out '^by province:' "stats text"; expect_out '\(undated/imprecise\)' "undated and imprecise counted apart"

# ---- many reports: two ingests at once, and kills midway -----------------
R="$WORK/reports"
mkdir -p "$R/a" "$R/b"
towns=(Hoeryong Musan Onsong Hyesan Sinuiju Manpo Namyang Chongjin)
for i in $(seq 1 200); do
    t=${towns[$((i % 8))]}
    d=$([ $((i % 2)) -eq 0 ] && echo a || echo b)
    printf 'Report %d from %s\n\nState security agents arrested %d people in %s on January %d, 2024. Smugglers in %s paid bribes to border guards.\n' \
        "$i" "$t" "$i" "$t" $((i % 28 + 1)) "${towns[$(((i + 3) % 8))]}" >"$R/$d/r$i.txt"
done
C="$WORK/concurrent.sqlite"
"$BM" ingest -q --db "$C" "$R" >"$WORK/c1" 2>&1 &
p1=$!
"$BM" ingest -q --db "$C" "$R/b" "$R/a" >"$WORK/c2" 2>&1 &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
expect_eq "$r1 $r2" "0 0" "two ingests at once both succeed"
expect_eq "$(sq "$C" "SELECT count(*) FROM reports")" "200" "each report stored once"
expect_eq "$(sq "$C" "SELECT count(*) - count(DISTINCT sha256) FROM reports")" "0" "no duplicate reports"
ninc=$(sq "$C" "SELECT count(*) FROM incidents")
t0=$(date +%s%N)
"$BM" ingest -q --db "$WORK/serial.sqlite" "$R" >/dev/null 2>&1
ms=$((($(date +%s%N) - t0) / 1000000)); [ "$ms" -gt 0 ] || ms=1
expect_eq "$ninc" "$(sq "$WORK/serial.sqlite" "SELECT count(*) FROM incidents")" "same incidents as one ingest"
expect_eq "$(sq "$C" "PRAGMA integrity_check")" "ok" "integrity after concurrent ingests"

# The killed store is read with the plain sqlite3 shell: the spatialite
# shell would add SpatiaLite's metadata tables to a store killed before its
# schema was made, and bordermap then (rightly) refuses it as not its own.
sq3() { sqlite3 "$1" "$2" 2>/dev/null; }
K="$WORK/killed.sqlite"
per_report="$WORK/per_report"
sq "$WORK/serial.sqlite" "SELECT r.sha256 || ' ' || count(i.id) FROM reports r LEFT JOIN incidents i ON i.report_id = r.id GROUP BY r.id ORDER BY 1" >"$per_report"
for k in 1 2 3 4 5; do
    "$BM" ingest -q --db "$K" "$R" >/dev/null 2>&1 &
    pid=$!
    # once the store is open, somewhere within the time an ingest takes
    for w in $(seq 1 500); do [ -e "$K-wal" ] && break; sleep 0.005; done
    sleep "$(awk -v ms="$ms" -v r="$RANDOM" 'BEGIN{printf "%.3f", ms * 0.3 * r / 32768 / 1000}')"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    expect_eq "$(sq3 "$K" "PRAGMA integrity_check")" "ok" "integrity after kill $k"
    # every stored report holds all its incidents
    sq3 "$K" "SELECT r.sha256 || ' ' || count(i.id) FROM reports r LEFT JOIN incidents i ON i.report_id = r.id GROUP BY r.id ORDER BY 1" >"$WORK/got"
    echo "kill $k: $(wc -l <"$WORK/got") reports stored"
    if [ ! -s "$WORK/got" ] || comm -23 "$WORK/got" "$per_report" | grep -q .; then
        if [ -s "$WORK/got" ]; then bad "partial report after kill $k"; comm -23 "$WORK/got" "$per_report" | head -3 >&2; else ok; fi
    else ok; fi
done
run "$BM" ingest -q --db "$K" "$R"
expect_rc 0 "ingest after kills"
expect_eq "$(sq "$K" "SELECT count(*) FROM reports")" "200" "all reports after re-run"
expect_eq "$(sq "$K" "SELECT count(*) FROM incidents")" "$ninc" "no duplicate incidents after re-run"
expect_eq "$(sq "$K" "SELECT CheckSpatialIndex('incidents','geom')")" "1" "spatial index consistent after kills"
finish
