#!/usr/bin/env bash
# Screenshots of the three Qt windows under a real X server (Xvfb), checked not to be blank: the
# grid at 40×40 and at 1,000×1,000, minimal, primes; and guestloop-qt's lookup example mid-load.
# The primes window is shot mid-run: Start is clicked (by the click hook) 0.3 s after launch.
#
#   scripts/qt-screenshots.sh [OUT_DIR]     (needs a built $CARGO_TARGET_DIR/debug/qt-frontend,
#                                            target/debug/qt-frontend by default)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
mkdir -p "$out"
app=${CARGO_TARGET_DIR:-$PWD/target}/debug/qt-frontend
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"

shoot() { # name, seconds before the shot, unique colours expected at least, the app's arguments
    local name=$1 wait=$2 least=$3 png="$out/$1.png"
    shift 3
    local app=${APP:-$app}
    rm -f "$png"
    GUESTLOOP_QT_CLOSE_AFTER_MS=$(awk "BEGIN { print int(($wait + 2) * 1000) }") WAIT=$wait PNG=$png \
    xvfb-run -a -s "-screen 0 1280x1000x24 -nolisten tcp" \
        sh -c '"$@" & sleep "$WAIT"; import -window root "$PNG"; wait $!' shoot "$app" "$@"
    local colours
    colours=$(identify -format %k "$png")
    if [ "$colours" -lt "$least" ]; then
        echo "FAIL: $png looks blank ($colours colours)" >&2
        return 1
    fi
    echo "ok: $png ($colours colours)"
}

shoot eratosthenes 4 50 eratosthenes --tick 0.01
# A million cells, one pixel-sized block each, part-way through a 50 µs-tick run.
shoot eratosthenes-1000x1000 4 50 eratosthenes --rows 1000 --cols 1000 --tick 0.00005
shoot minimal 3 8 minimal
# 10¹⁰ takes tens of seconds: at the shot the bar, the counts and the time are part-way.
GUESTLOOP_QT_CLICK_AFTER_MS=300:startButton shoot primes 3 8 primes --limit 10000000000
# The load (0.3 s on a guest timer, then 0.5 s of work) is part-way at 0.8 s: bar, Cancel.
APP=${CARGO_TARGET_DIR:-$PWD/target}/debug/guestloop-qt-lookup shoot lookup 0.8 8 --load-and-close 3000
