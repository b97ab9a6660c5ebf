#!/usr/bin/env bash
# Review and query from the command line: incident add/edit/delete/show/
# list, near with filters and formats, stats, ingest --force keeping the
# analyst's work, two ingests at once, and ingests killed midway.
. "$(dirname "$0")/lib.sh"
DB="$WORK/bm.sqlite"
sq() { spatialite -silent "$1" "$2" 2>/dev/null; }

run "$BM" ingest --db "$DB" "$SRC/samples"
expect_rc 0 "ingest samples"
n0=$(sq "$DB" "SELECT count(*) FROM incidents")
expect_eq "$(sq "$DB" "PRAGMA user_version")" "3" "schema version 3"
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
expect_eq "$(($(wc -l <"$WORK/out") - 1))" "$all" "csv rows"
run "$BM" near Hoeryong --radius 25km --db "$DB" --since 2024-13
expect_rc 1 "bad --since"; expect_err "2024-13" "bad date named"
run "$BM" near Hoeryong --db "$DB" --precision street
expect_rc 2 "bad --precision"

# stats
run "$BM" stats --db "$DB" --format json
expect_rc 0 "stats json"
expect_eq "$(jq '.total' "$WORK/out")" "$before" "stats total"
expect_eq "$(jq '[.type[].count] | add' "$WORK/out")" "$before" "type counts add up"
expect_eq "$(jq '[.month[].count] | add' "$WORK/out")" "$before" "month counts add up"
run "$BM" stats --db "$DB"
expect_rc 0 "stats text"; expect_out '^by province:' "stats text"; expect_out '\(undated\)' "undated counted apart"

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
