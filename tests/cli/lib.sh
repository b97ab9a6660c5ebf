# lib.sh - helpers for bordermap's CLI tests (sourced by each test script).
# Every test gets: $BM (the program), $SRC (repo root), $WORK (a fresh
# scratch folder). check/expect_* count passes and failures; finish prints
# "N passed, N failed" and exits non-zero on any failure.
set -u
BM=${BM:?BM must name the bordermap program}
SRC=${SRC:?SRC must name the source tree}
WORK=${WORK:?WORK must name a scratch folder}
rm -rf "$WORK" && mkdir -p "$WORK"
export BORDERMAP_DATA="$SRC"
# BM_WRAP (e.g. "valgrind --error-exitcode=99 ..."; tests/valgrind.sh sets
# it) runs $BM under that command, through a small script so that "$BM"
# stays one word. Only the first call of each kind is wrapped: the kind is
# the subcommand ("ingest", "incident add"), the output's extension, the
# --format and whether --heatmap or --by is given. Calls of a kind already
# wrapped run as they are, which keeps a valgrind run of the whole suite
# within minutes; BM_WRAP_SEEN (a folder) shares what was wrapped between
# tests, and BM_WRAP_ALL=1 wraps every call. A wrapped call that leaves
# anything in its log ($WORK/.wrap/*.log, when BM_WRAP writes one with
# --log-file=@WRAPDIR@/NAME.log) fails the test in finish.
if [ -n "${BM_WRAP:-}" ]; then
    BM_REAL=$BM
    BM="$WORK/.bordermap-wrapped"
    mkdir -p "$WORK/.wrap" "${BM_WRAP_SEEN:-$WORK/.wrap}"
    cat >"$BM" <<WRAP
#!/bin/sh
key="" cmd="" prev=""
for a in "\$@"; do
    case \$prev in
        --data-dir|--mode|--db|--style|--type|--actor|--since|--until|--date|--source|--place|--at|--radius|--near|--around|--title|--subtitle|--classification|--bbox|--region|--size|--dpi|--evidence|--status|--precision|-n|-r) prev=""; continue ;;
        -o|--output) key="\$key.\${a##*.}"; prev=""; continue ;;
        --format) key="\$key.\$a"; prev=""; continue ;;
    esac
    prev=\$a
    case \$a in
        --output=*) key="\$key.\${a##*.}" ;;
        --heatmap|--by) key="\$key\$a"; prev=--size ;;
        -*) ;;
        *) if [ -z "\$cmd" ]; then cmd=\$a
           elif [ "\$cmd" = incident ]; then cmd="incident-\$a"; fi ;;
    esac
done
seen="${BM_WRAP_SEEN:-$WORK/.wrap}/seen-\$(printf %s "\$cmd\$key" | tr -c 'A-Za-z0-9_.-' _)"
if [ "${BM_WRAP_ALL:-0}" = 1 ] || mkdir "\$seen" 2>/dev/null; then
    exec ${BM_WRAP//@WRAPDIR@/$WORK/.wrap} "$BM_REAL" "\$@"
fi
exec "$BM_REAL" "\$@"
WRAP
    chmod +x "$BM"
fi
passed=0
failed=0

ok()   { passed=$((passed + 1)); }
bad()  { failed=$((failed + 1)); echo "FAIL: $*" >&2; }

# run CMD... : runs it, keeping stdout in $WORK/out, stderr in $WORK/err and
# the exit code in $rc.
run() {
    "$@" >"$WORK/out" 2>"$WORK/err"
    rc=$?
}
expect_rc() { # expect_rc CODE WHAT
    if [ "$rc" -eq "$1" ]; then ok; else
        bad "$2: exit code $rc, expected $1"; sed 's/^/  stderr: /' "$WORK/err" | head -20 >&2
    fi
}
expect_out() { # expect_out REGEX WHAT
    if grep -Eq -- "$1" "$WORK/out"; then ok; else
        bad "$2: stdout lacks /$1/"; head -20 "$WORK/out" | sed 's/^/  stdout: /' >&2
    fi
}
expect_no_out() {
    if grep -Eq -- "$1" "$WORK/out"; then
        bad "$2: stdout has /$1/"; grep -E -- "$1" "$WORK/out" | head -5 | sed 's/^/  stdout: /' >&2
    else ok; fi
}
expect_err() {
    if grep -Eq -- "$1" "$WORK/err"; then ok; else
        bad "$2: stderr lacks /$1/"; head -20 "$WORK/err" | sed 's/^/  stderr: /' >&2
    fi
}
expect_eq() { # expect_eq ACTUAL EXPECTED WHAT
    if [ "$1" = "$2" ]; then ok; else bad "$3: got '$1', expected '$2'"; fi
}
# PNG width and height from the IHDR chunk.
png_size() {
    local w h
    w=$(od -An -tu1 -j16 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    h=$(od -An -tu1 -j20 -N4 "$1" | awk '{print $1*16777216+$2*65536+$3*256+$4}')
    echo "${w}x${h}"
}
finish() {
    if [ -n "${BM_WRAP:-}" ]; then
        local log
        for log in "$WORK"/.wrap/*.log; do
            [ -s "$log" ] || continue
            bad "$BM_WRAP reported (${log##*/}):"; head -60 "$log" >&2
        done
        echo "wrapped calls: $(ls "$WORK"/.wrap/*.log 2>/dev/null | wc -l)"
    fi
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}

# json_floor FILE JQ-PATH MIN WHAT: the number at JQ-PATH in the JSON FILE
# is at least MIN (a null or missing value fails)
json_floor() {
    local v
    v=$(jq -r "$2" "$1")
    if awk -v v="$v" -v m="$3" 'BEGIN { exit !(v != "null" && v + 0 >= m) }'; then ok
    else bad "$4: $v, expected >= $3"; fi
}
