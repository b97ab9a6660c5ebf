#!/usr/bin/env bash
# The gazetteer answers the names analysts use, through the CLI.
. "$(dirname "$0")/lib.sh"

# name, expected lat, lon, tolerance in degrees, expected kind of the best candidate
while IFS='|' read -r name lat lon tol kind; do
    run "$BM" geocode --format json "$name"
    expect_rc 0 "geocode $name"
    got=$(jq -r '.[0].candidates[0] | "\(.lat) \(.lon) \(.kind)"' "$WORK/out")
    read -r glat glon gkind <<<"$got"
    if awk -v a="$glat" -v b="$glon" -v la="$lat" -v lo="$lon" -v t="$tol" \
        'BEGIN { d1=a-la; d2=b-lo; exit !(d1*d1 < t*t && d2*d2 < t*t) }'; then ok
    else bad "geocode $name: best at $glat,$glon, expected near $lat,$lon"; fi
    expect_eq "$gkind" "$kind" "geocode $name kind"
done <<'EOF2'
Hoeryong|42.441|129.746|0.05|town
Hoeryŏng|42.441|129.746|0.05|town
Onsong County|42.957|129.993|0.05|county
Musan county|42.226|129.208|0.05|county
Rason|42.4|130.4|0.3|province
Hyesan|41.402|128.178|0.05|town
Namyang|42.951|129.859|0.05|town
North Hamgyong Province|41.8|129.3|1.0|province
Ryanggang Province|41.2|128.0|1.0|province
EOF2

run "$BM" geocode Hoeryong
expect_rc 0 "geocode text"; expect_out 'Hoery' "geocode text names the place"; expect_out '42\.44' "geocode text shows latitude"
run "$BM" geocode Atlantisville
expect_rc 1 "unknown name"; expect_err "Atlantisville" "unknown name is named"
run "$BM" geocode --format json Hoeryong Atlantisville
expect_rc 1 "mixed known/unknown"
expect_eq "$(jq '.[1].candidates | length' "$WORK/out")" "0" "unknown name has no candidates in json"
finish
