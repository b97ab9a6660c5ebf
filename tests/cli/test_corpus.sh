#!/usr/bin/env bash
# Accuracy on the project's own corpus (tests/data/reports: 40 reports
# written for bordermap, with hand annotations), so that every run of the
# suite, on a fresh clone without ../shared, measures what an analyst
# relies on: the main incident's type, place and month, no invented year,
# the places. The floors sit a little under the figures measured when they
# were set (type 0.90, place 0.90, month 0.90, in-region recall 0.98,
# precision 1.00): a change that lowers one is a regression to explain.
. "$(dirname "$0")/lib.sh"

CORPUS="$SRC/tests/data/reports"

# the annotations are consistent (offsets, formats, dates after reports)
if python3 "$CORPUS/check_gold.py" >"$WORK/check.log" 2>&1; then ok
else bad "tests/data/reports/check_gold.py failed"; tail -5 "$WORK/check.log" >&2; fi

run "$BM" eval --format json "$CORPUS" "$CORPUS/gold"
expect_rc 0 "eval on the project's corpus"
cp "$WORK/out" "$WORK/eval.json"
floor() { json_floor "$WORK/eval.json" "$1" "$2" "corpus $3"; }
floor '.reports' 40 "reports scored"
floor '.main_type' 0.85 "main incident type"
floor '.main_location' 0.85 "main incident place"
floor '.main_date_month' 0.85 "main incident month"
floor '.incidents_dated_share' 0.60 "share of dated incidents"
floor '.in_recall' 0.95 "in-region recall"
floor '.in_precision' 0.95 "in-region precision"
y=$(jq -r '.years_invented' "$WORK/eval.json")
if [ "$y" = 0 ]; then ok; else bad "corpus: $y event years the reports do not state"; fi

# every report dated "unknown" gives undated incidents only
run "$BM" geoparse --format jsonl "$CORPUS"/p0*.txt
expect_rc 0 "geoparse the corpus"
undated_reports=$(grep -l '^Date: unknown' "$CORPUS"/p0*.txt | xargs -n1 basename | sed 's/\.txt$//' | sort)
leaked=$(jq -r 'select(.type == "incident" and .event_date != null) | .file' "$WORK/out" |
         xargs -r -n1 basename | sed 's/\.txt$//' | sort -u | comm -12 - <(echo "$undated_reports"))
if [ -z "$leaked" ]; then ok; else bad "reports without a date got dated incidents: $leaked"; fi
finish
