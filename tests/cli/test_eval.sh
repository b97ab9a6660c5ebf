#!/usr/bin/env bash
# `bordermap eval` on the development set beside the repository
# (../shared/reports/dev with its gold/), and the documented jsonl format of
# `bordermap geoparse`. Skipped (exit 77) when the development set is absent.
. "$(dirname "$0")/lib.sh"

DEV="${BM_DEV_SET:-$SRC/../shared/reports/dev}"

# The jsonl format (docs/geoparse-format.md) holds on the shipped samples.
run "$BM" geoparse --format jsonl "$SRC"/samples/*.txt
expect_rc 0 "geoparse --format jsonl samples"
if jq -e -s '
    def num_or_null: (type == "number" or type == "null");
    def str_or_null: (type == "string" or type == "null");
    length > 0 and all(.[];
      (.file | type == "string") and
      if .type == "incident" then
        (.event_type | IN("arrest","detention","bribery","crackdown",
           "inspection","surveillance","lecture","execution","smuggling",
           "defection","repatriation","killing","meeting","other")) and
        (.event_date | str_or_null) and
        (.time_precision | IN("day","week","month","year",null)) and
        (.actors | type == "array" and all(.[]; type == "string")) and
        (.place_id | str_or_null) and (.name | str_or_null) and
        (.lat | num_or_null) and (.lon | num_or_null) and
        (.geo_precision | IN(1,2,3,null)) and
        (.evidence | type == "string") and
        (.confidence | type == "number" and . >= 0 and . <= 1)
      else
        (.surface | type == "string") and
        (.start | type == "number") and (.end | type == "number") and
        .end > .start and
        (.place_id | str_or_null) and (.name | str_or_null) and
        (.kind | str_or_null) and (.country | str_or_null) and
        (.admin1 | str_or_null) and (.admin2 | str_or_null) and
        (.lat | num_or_null) and (.lon | num_or_null) and
        ((.lat == null) == (.lon == null)) and
        (.confidence | type == "number" and . >= 0 and . <= 1) and
        (.reason | type == "string")
      end)' "$WORK/out" >/dev/null; then ok
else bad "geoparse jsonl does not follow docs/geoparse-format.md"; head -3 "$WORK/out" >&2; fi

# --date and --source are accepted; a wrong date is a usage error
run "$BM" geoparse --format jsonl --date 2024-01-18 --source "Daily NK" "$SRC"/samples/000_*.txt
expect_rc 0 "geoparse --date --source"
run "$BM" geoparse --date "not a date" "$SRC"/samples/000_*.txt
expect_rc 2 "geoparse --date nonsense"

if [ ! -f "$DEV/gold/mentions.tsv" ]; then
    [ "$failed" -eq 0 ] || finish
    echo "$passed passed; no development set at $DEV: eval part skipped"
    exit 77
fi

run "$BM" eval "$DEV" "$DEV/gold"
expect_rc 0 "eval (text)"
expect_out '^recall \(within tol_km\)' "eval prints recall"
expect_out '^misses \(' "eval lists misses"

run "$BM" eval --format json "$DEV" "$DEV/gold"
expect_rc 0 "eval --format json"
cp "$WORK/out" "$WORK/eval.json"
# Floors: the figures reached when this test was written (see
# docs/geoparse-format.md); a change that lowers one is a regression. The
# issue's targets that are met are asserted as targets.
floor() { # floor JQ-PATH MIN WHAT
    v=$(jq -r "$1" "$WORK/eval.json")
    if awk -v v="$v" -v m="$2" 'BEGIN { exit !(v != "null" && v + 0 >= m) }'; then ok
    else bad "eval $3: $v, expected >= $2"; fi
}
floor '.reports' 45 "reports scored"
floor '.in_region.precision' 0.95 "in-region precision (target)"
floor '.in_region.resolved' 0.95 "in-region recognized within tolerance (target)"
floor '.in_region.recall' 0.87 "in-region recall"
floor '.all.incident_location' 0.78 "main incident location"
floor '.all.incident_type' 0.80 "main incident type"
y=$(jq -r '.years_unsupported' "$WORK/eval.json")
if [ "$y" -le 1 ]; then ok; else bad "eval: $y event years the text does not support"; fi

run "$BM" eval "$DEV" "$WORK/no-gold"
expect_rc 1 "eval with a missing gold folder"
expect_err 'mentions.tsv' "eval names the missing gold file"
run "$BM" eval "$DEV"
expect_rc 2 "eval with one argument"
finish
