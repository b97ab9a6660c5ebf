#!/bin/bash
# render: styles, regions, extents, filters, heatmap, small multiples,
# classification banner, page sizes; town and incident names extractable
# from the PDF as text (pdftotext); usage errors.
. "$(dirname "$0")/lib.sh"

DB="$WORK/r.sqlite"
run "$BM" ingest --db "$DB" "$SRC/samples"
expect_rc 0 "ingest samples"
# however many incidents the geoparser finds in the samples (all undated)
ns=$(sqlite3 "$DB" "SELECT count(*) FROM incidents" 2>/dev/null)
[ "${ns:-0}" -gt 0 ] && ok || bad "no incidents in the samples"

# default: briefing on A4 landscape at 150 dpi, extent fitted to incidents
run "$BM" render --db "$DB" -o "$WORK/map.png"
expect_rc 0 "render default"
expect_eq "$(png_size "$WORK/map.png")" "1754x1240" "A4 landscape at 150 dpi"
run "$BM" render --db "$DB" -o "$WORK/map300.png" --dpi 300
expect_rc 0 "render at 300 dpi"
expect_eq "$(png_size "$WORK/map300.png")" "3508x2480" "A4 landscape at 300 dpi"

# PDF keeps text as text: town names, incident labels, furniture
run "$BM" render --db "$DB" -o "$WORK/map.pdf" --classification "UNCLASSIFIED // TEST"
expect_rc 0 "render pdf"
if command -v pdftotext >/dev/null; then
    pdftotext -layout "$WORK/map.pdf" "$WORK/map.txt"
    # (towns with no incident on their point: a province's incident coded
    # at its capital keeps the capital's own label off the map)
    for name in Musan Manpo Kanggye Wonsan Sinuiju Rajin CHINA; do
        grep -q "$name" "$WORK/map.txt" && ok || bad "town or country '$name' not text in the PDF"
    done
    # country names are letter-spaced
    tr -d ' ' < "$WORK/map.txt" | grep -q "NORTHKOREA" && ok || bad "NORTH KOREA not text in the PDF"
    grep -q "Hoeryong" "$WORK/map.txt" && ok || bad "incident label not text in the PDF"
    grep -q "scale true at" "$WORK/map.txt" && ok || bad "scale note not in the PDF"
    [ "$(grep -c "UNCLASSIFIED // TEST" "$WORK/map.txt")" -ge 2 ] && ok || bad "banner at top and bottom"
    grep -q "GeoNames" "$WORK/map.txt" && ok || bad "credits line"
    grep -q "$ns incidents on the map" "$WORK/map.txt" && ok || bad "subtitle with the count"
    pdfinfo "$WORK/map.pdf" | grep -Eq "Page size: +(841.89|842) x (595.276|595) pts" && ok || bad "PDF page is A4 landscape"
else
    bad "pdftotext missing (Debian poppler-utils)"
fi
run "$BM" render --db "$DB" -o "$WORK/map.svg"
expect_rc 0 "render svg"; grep -q '<svg' "$WORK/map.svg" && ok || bad "SVG content"
# SVG keeps text as text: town names, the title and the credits are <text>
# elements (not glyph outlines), in a well-formed document
xmllint --noout "$WORK/map.svg" 2>"$WORK/err" && ok || { bad "SVG not well-formed"; cat "$WORK/err" >&2; }
svgtext=$(xmllint --xpath '//*[local-name()="text"]/text()' "$WORK/map.svg" 2>/dev/null)
for t in Hyesan Musan Sinuiju "$ns incidents on the map" GeoNames; do
    grep -q "$t" <<<"$svgtext" && ok || bad "SVG lacks \"$t\" as text"
done
grep -q '<symbol' "$WORK/map.svg" && bad "SVG still has glyph outlines" || ok

# styles by name; the dark screen style in pixels
run "$BM" render --db "$DB" --style screen -o "$WORK/screen.png"
expect_rc 0 "screen style"
expect_eq "$(png_size "$WORK/screen.png")" "1920x1080" "screen style size"
run "$BM" render --db "$DB" --style nosuch -o "$WORK/x.png"
expect_rc 1 "unknown style name"; expect_err "nosuch" "unknown style named"

# regions, bbox, around
for region in border tumen yalu ryanggang north-hamgyong; do
    run "$BM" render --db "$DB" --region "$region" -o "$WORK/r-$region.png" --size 600x400
    expect_rc 0 "region $region"
done
run "$BM" render --db "$DB" --region tumen -o "$WORK/tumen.pdf"
pdftotext "$WORK/tumen.pdf" - 2>/dev/null | grep -q "Tumen (Musan" && ok || bad "region named in subtitle"
run "$BM" render --db "$DB" --region atlantis -o "$WORK/x.png"
expect_rc 2 "unknown region"; expect_err "atlantis" "unknown region named"
run "$BM" render --db "$DB" --bbox 129.5,42.2,130.2,43.0 -o "$WORK/bbox.png" --size 600x400
expect_rc 0 "bbox"
run "$BM" render --db "$DB" --bbox 130,42,129,43 -o "$WORK/x.png"
expect_rc 2 "bad bbox"
run "$BM" render --db "$DB" --around Hoeryong --radius 40km -o "$WORK/around.pdf"
expect_rc 0 "around a place"
pdftotext "$WORK/around.pdf" - 2>/dev/null | grep -q "40 km around" && ok || bad "around in subtitle"
run "$BM" render --db "$DB" --around 42.44,129.75 -o "$WORK/around2.png" --size 600x400
expect_rc 0 "around a point"
run "$BM" render --db "$DB" --radius 5km -o "$WORK/x.png"
expect_rc 2 "radius without around"
run "$BM" render --db "$DB" --region tumen --bbox 1,2,3,4 -o "$WORK/x.png"
expect_rc 2 "two extents"

# filters
run "$BM" render --db "$DB" --type arrest,bribery -o "$WORK/types.pdf"
expect_rc 0 "type filter"
expect_out "selected of $ns" "type filter counts"
pdftotext "$WORK/types.pdf" - 2>/dev/null | grep -q "crackdown" && bad "filtered type still drawn" || ok
run "$BM" render --db "$DB" --since 2030-01 -o "$WORK/none.png" --size 600x400
expect_rc 0 "since in the future: an empty map"
expect_out "0 incidents selected" "nothing selected"
run "$BM" render --db "$DB" --since 2024-13 -o "$WORK/x.png"
expect_rc 2 "bad --since"

# heatmap, small multiples
run "$BM" render --db "$DB" --heatmap 15 -o "$WORK/heat.png" --size 800x560
expect_rc 0 "heatmap"
run "$BM" render --db "$DB" --heatmap 0 -o "$WORK/x.png"
expect_rc 2 "heatmap bandwidth 0"
# the heatmap reads points only (no incident rows): it selects what the
# marker map selects under the same filters
for f in "" "--type arrest,crackdown" "--since 2020"; do
  # shellcheck disable=SC2086
  run "$BM" render --db "$DB" $f -o "$WORK/f.png" --force
  m=$(sed -n 's/.*: \([0-9]*\) incidents\{0,1\} selected of \([0-9]*\).*/\1 of \2/p' "$WORK/out")
  # shellcheck disable=SC2086
  run "$BM" render --db "$DB" $f --heatmap 10 -o "$WORK/f.png" --force
  h=$(sed -n 's/.*: \([0-9]*\) incidents\{0,1\} selected of \([0-9]*\).*/\1 of \2/p' "$WORK/out")
  [ -n "$m" ] && [ "$m" = "$h" ] && ok || bad "heatmap selects as the map does ($f): '$m' vs '$h'"
done
# a date that is not ISO text (edited into the database) is neither the
# title's date range nor a panel: it counts as undated
HDB="$WORK/heat.sqlite"
cp "$DB" "$HDB"
sqlite3 "$HDB" "UPDATE incidents SET date = '2023-05-02' WHERE id = (SELECT min(id) FROM incidents); UPDATE incidents SET date = 'unknown' WHERE id = (SELECT max(id) FROM incidents)" 2>/dev/null
for h in "" "--heatmap 10"; do
  # shellcheck disable=SC2086
  run "$BM" render --db "$HDB" $h -o "$WORK/dates.svg" --force
  expect_rc 0 "render with a malformed date ($h)"
  grep -q "Russia 2023-05-02<" "$WORK/dates.svg" && ok || bad "title dated by the ISO date only ($h)"
  grep -q "unknown" "$WORK/dates.svg" && bad "malformed date shown ($h)" || ok
done
run "$BM" render --db "$DB" --by week -o "$WORK/x.png"
expect_rc 2 "--by week"
run "$BM" render --db "$DB" --by month -o "$WORK/x.png"
expect_rc 1 "--by month with undated samples"; expect_err "dated" "says none is dated"

# Dates by their ranges: incidents of every precision over June and July
# 2024 (imported beside the undated samples), filtered by --since/--until,
# split by --by month and year, their dates said with their precision.
RDB="$WORK/ranges.sqlite"
cp "$DB" "$RDB"; rm -f "$RDB-wal" "$RDB-shm"
feat() { # feat PLACE LON LAT TYPE PROPS
    printf '{"type":"Feature","properties":{"place":"%s","event_type":"%s"%s},"geometry":{"type":"Point","coordinates":[%s,%s]}}' "$1" "$4" "$5" "$2" "$3"
}
{
    echo '{"type":"FeatureCollection","features":['
    feat Musan 129.21 42.23 arrest ',"event_date":"2024-06-15","time_precision":"day","is_main":1'; echo ,
    feat Chongjin 129.78 41.79 smuggling ',"event_date":"2024-06","time_precision":"month"'; echo ,
    feat Kimchaek 129.19 40.67 crackdown ',"event_date":"2024-06","time_precision":"period","date_start":"2024-06-11","date_end":"2024-06-20"'; echo ,
    feat Manpo 126.29 41.15 arrest ',"event_date":"2024-07-02","time_precision":"day"'; echo ,
    feat Kanggye 126.60 40.97 bribery ',"event_date":"2024-07","time_precision":"month"'; echo ,
    feat Sinuiju 124.40 40.10 surveillance ',"event_date":"2024-06-15","time_precision":"reported"'; echo ,
    feat Hamhung 127.54 39.92 bribery ',"event_date":"2024","time_precision":"year"'; echo ,
    feat Rason 130.30 42.25 defection ',"event_date":"2024","time_precision":"season","date_start":"2024-06-01","date_end":"2024-08-31"'; echo ,
    feat Kilju 129.33 40.96 meeting ''
    echo ']}'
} >"$WORK/ranges.geojson"
run "$BM" import --db "$RDB" "$WORK/ranges.geojson"
expect_rc 0 "import incidents of every precision"
nr=$(sqlite3 "$RDB" "SELECT count(*) FROM incidents" 2>/dev/null)
expect_eq "$nr" "$((ns + 9))" "the samples and 9 imported"
nu=$((ns + 1)) # undated: the samples and Kilju
pdf_text() { pdftotext "$1" - 2>/dev/null | tr '\n' ' ' | tr -s ' '; }
selected() { sed -n 's/.*: \([0-9]*\) incidents\{0,1\} selected of.*/\1/p' "$WORK/out"; }
# --since S keeps a range that starts on or after S's first day, --until U
# one that ends on or before U's last; an open range (dated by its report)
# passes --until only; undated ones neither.
while read -r want title args; do
    # shellcheck disable=SC2086
    run "$BM" render --db "$RDB" $args -o "$WORK/f.pdf" --force
    expect_rc 0 "render $args"
    expect_eq "$(selected)" "$want" "render $args selects $want"
    [ "$title" = - ] || { pdf_text "$WORK/f.pdf" | grep -qF -- "Russia $title " && ok || bad "render $args: title dated '$title': $(pdf_text "$WORK/f.pdf" | head -c 160)"; }
    # shellcheck disable=SC2086
    run "$BM" render --db "$RDB" $args --heatmap 10 -o "$WORK/f.png" --force
    expect_eq "$(selected)" "$want" "heatmap $args selects as the map does"
done <<'EOF'
3 2024-06 --since 2024-06 --until 2024-06
6 2024-06 --since 2024-06
2 2024-06-15 --until 2024-06-15
3 - --since 2024-06-12
7 2024 --since 2024
4 - --until 2024-06
8 2024 --until 2024-12-31
0 - --since 2024-08
EOF
run "$BM" render --db "$RDB" --since 2024-06 --until 2024-06 -o "$WORK/june.pdf" --force
pdf_text "$WORK/june.pdf" | grep -qF "2024-06 · 3 incidents on the map · 3 of $nr stored match" && ok || bad "subtitle of June: $(pdf_text "$WORK/june.pdf" | head -c 200)"
run "$BM" render --db "$RDB" --since 2024-02-30 -o "$WORK/x.png"
expect_rc 2 "--since a day that does not exist"

# --by month: June's day, month and mid-June; July's day and month; the
# year, the summer and the reported date span more than a month
run "$BM" render --db "$RDB" --by month -o "$WORK/month.pdf" --force
expect_rc 0 "--by month by ranges"
t=$(pdf_text "$WORK/month.pdf")
grep -qF "5 incidents on the map · one panel per month ($nu undated, 3 dated less precisely than a month: not shown)" <<<"$t" && ok || bad "--by month subtitle: $(head -c 240 <<<"$t")"
grep -qF "2024-06 · 3" <<<"$t" && ok || bad "--by month: June's panel holds 3"
grep -qF "2024-07 · 2" <<<"$t" && ok || bad "--by month: July's panel holds 2"
grep -qE "2024-0[58] · " <<<"$t" && bad "--by month: a panel for May or August" || ok
run "$BM" render --db "$RDB" --by month -o "$WORK/month.png" --force
expect_rc 0 "--by month PNG"
run "$BM" render --db "$RDB" --by year -o "$WORK/year.pdf" --force
t=$(pdf_text "$WORK/year.pdf")
grep -qF "7 incidents on the map · one panel per year ($nu undated, 1 dated less precisely than a year: not shown)" <<<"$t" && ok || bad "--by year subtitle: $(head -c 240 <<<"$t")"
grep -qF "2024 · 7" <<<"$t" && ok || bad "--by year: 2024's panel holds 7"
run "$BM" render --db "$RDB" --by month --since 2024-06 -o "$WORK/since.pdf" --force
t=$(pdf_text "$WORK/since.pdf")
grep -qF "5 incidents on the map · one panel per month (1 dated less precisely than a month: not shown) · 6 of $nr stored match" <<<"$t" && ok || bad "--by month --since 2024-06: the summer counted, nothing undated: $(head -c 240 <<<"$t")"
run "$BM" render --db "$RDB" --by month --since 2024-07 -o "$WORK/july.pdf" --force
t=$(pdf_text "$WORK/july.pdf")
grep -qF "2024-07 · 2" <<<"$t" && ok || bad "--by month --since 2024-07: July's panel"
grep -qF "2024-06 · " <<<"$t" && bad "--by month --since 2024-07: a June panel" || ok

# labels say a date with its precision
run "$BM" render --db "$RDB" --since 2024 -o "$WORK/labels.pdf" --force
t=$(pdf_text "$WORK/labels.pdf")
for l in "2024-06-15 · arrest · Musan" "June 2024 · smuggling · Chongjin" "mid-June 2024 · crackdown · Kimchaek" "July 2024 · bribery · Kanggye" "2024 · bribery · Hamhung" "summer 2024 · defection · Rason"; do
    grep -qF -- "$l" <<<"$t" && ok || bad "label '$l' not in the map"
done
run "$BM" render --db "$RDB" --until 2024-06-15 -o "$WORK/labels2.pdf" --force
grep -qF "by 2024-06-15 · surveillance · Sinuiju" <<<"$(pdf_text "$WORK/labels2.pdf")" && ok || bad "a reported date labelled 'by 2024-06-15'"

# an earlier file survives a failed render
cp "$WORK/map.png" "$WORK/keep.png"
run "$BM" render --db "$DB" --style "$SRC/tests/data/ref/nosuch.yaml" --force -o "$WORK/keep.png"
expect_rc 1 "missing style file"
cmp -s "$WORK/map.png" "$WORK/keep.png" && ok || bad "earlier file kept"
finish
