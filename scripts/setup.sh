#!/usr/bin/env bash
# README command (a): install what bordermap needs, build it, and run the
# main job on the shipped sample reports. Afterwards out/ holds
#   out/bordermap.sqlite   the SpatiaLite database (reports, incidents)
#   out/incidents.geojson  every incident, for QGIS (+ incidents.qml, its style)
#   out/map.png, out/map.pdf  the briefing map
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release
cmake --build build -j"$(nproc)"
bm=build/bordermap
mkdir -p out
$bm ingest --db out/bordermap.sqlite samples/
# --force: running the set-up again replaces the outputs of the last run
# (bordermap never replaces a file without it).
$bm export --db out/bordermap.sqlite --force -o out/incidents.geojson
$bm render --db out/bordermap.sqlite --force -o out/map.png
$bm render --db out/bordermap.sqlite --force -o out/map.pdf
echo
echo "Done. Try: $bm near Hoeryong --radius 30km"
