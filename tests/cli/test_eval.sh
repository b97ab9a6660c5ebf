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
        (.time_precision |
           IN("day","week","month","season","year","reported",null)) and
        (.main | type == "boolean") and
        (.date_start | str_or_null) and (.date_end | str_or_null) and
        ((.event_date == null) == (.date_end == null)) and
        (.evidence_more | type == "array" and all(.[]; type == "string")) and
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
# exactly one main incident per report, the first
if jq -e -s 'group_by(.file) | all(.[]; [.[] | select(.type == "incident")] |
      length == 0 or (.[0].main and ([.[] | select(.main)] | length) == 1))' \
      "$WORK/out" >/dev/null; then ok
else bad "each report needs one main incident, given first"; fi

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
floor() { json_floor "$WORK/eval.json" "$1" "$2" "eval $3"; }
floor '.reports' 45 "reports scored"
floor '.in_precision' 0.95 "in-region precision (target)"
floor '.in_recall' 0.87 "in-region recall"
# the strict figures of issue 17 on the development set (unseen reports
# are judged against 0.85 / 0.90 / 0.80)
floor '.main_type' 0.85 "main incident type"
floor '.main_location' 0.85 "main incident place"
floor '.main_date_month' 0.60 "main incident month"
floor '.incidents_dated_share' 0.20 "share of dated incidents"
y=$(jq -r '.years_invented' "$WORK/eval.json")
if [ "$y" -eq 0 ]; then ok; else bad "eval: $y event years the report does not state"; fi

# --split scores both halves; --half one of them
run "$BM" eval --split --format json "$DEV" "$DEV/gold"
expect_rc 0 "eval --split"
if jq -e '(.halves["1"].reports + .halves["2"].reports) == .reports and
          .halves["1"].reports > 0 and .halves["2"].reports > 0' "$WORK/out" >/dev/null
then ok; else bad "eval --split: the halves do not add up"; fi
h1=$(jq -r '.halves["1"].reports' "$WORK/out")
run "$BM" eval --half 1 --format json "$DEV" "$DEV/gold"
expect_rc 0 "eval --half 1"
if [ "$(jq -r .reports "$WORK/out")" = "$h1" ]; then ok; else bad "eval --half 1 scores another set than --split's half 1"; fi
run "$BM" eval --half 3 "$DEV" "$DEV/gold"
expect_rc 2 "eval --half 3"

run "$BM" eval "$DEV" "$WORK/no-gold"
expect_rc 1 "eval with a missing gold folder"
expect_err 'mentions.tsv' "eval names the missing gold file"
run "$BM" eval "$DEV"
expect_rc 2 "eval with one argument"
finish
