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
    echo "$passed passed, $failed failed"
    [ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
    exit $?
}
