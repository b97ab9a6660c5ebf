#!/usr/bin/env bash
# Every command answers --help, --version works, mistakes give exit code 2.
. "$(dirname "$0")/lib.sh"

run "$BM" --version;           expect_rc 0 "--version"; expect_out '^bordermap [0-9]+\.[0-9]+\.[0-9]+$' "--version"
run "$BM" --help;              expect_rc 0 "--help";    expect_out 'ingest' "--help lists commands"
for cmd in ingest geocode geoparse near export import render; do
    run "$BM" "$cmd" --help;   expect_rc 0 "$cmd --help"; expect_out "^usage: bordermap $cmd" "$cmd --help"
    run "$BM" help "$cmd";     expect_rc 0 "help $cmd";   expect_out "^usage: bordermap $cmd" "help $cmd"
done
run "$BM";                     expect_rc 2 "no command"
run "$BM" frobnicate;          expect_rc 2 "unknown command"; expect_err "'frobnicate' is not a command" "unknown command"
run "$BM" ingest --bogus x;    expect_rc 2 "unknown option"; expect_err "ingest --help" "unknown option hint"
run "$BM" ingest;              expect_rc 2 "ingest without paths"
run "$BM" near Hoeryong --radius 3parsecs; expect_rc 2 "bad radius"; expect_err "unit" "bad radius message"
run "$BM" render -o "$WORK/map.gif"; expect_rc 2 "render to .gif"; expect_err "png" "render extension message"
run "$BM" export --format shapefile -o "$WORK/x.shp"; expect_rc 2 "unknown export format"
run "$BM" --data-dir "$WORK" geocode Hoeryong; expect_rc 1 "bad --data-dir"; expect_err "not a bordermap data folder" "bad --data-dir message"
finish
