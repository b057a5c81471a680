#!/usr/bin/env bash
# Screenshots of both Qt windows under a real X server (Xvfb), checked not to be blank.
#
#   scripts/qt-screenshots.sh [OUT_DIR]     (needs a built target/debug/qt-frontend)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
mkdir -p "$out"
app=$PWD/target/debug/qt-frontend
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"

shoot() { # demo, seconds before the shot, unique colours expected at least
    local demo=$1 wait=$2 least=$3 png="$out/$1.png"
    rm -f "$png"
    GUESTLOOP_QT_CLOSE_AFTER_MS=$(( (wait + 2) * 1000 )) \
    xvfb-run -a -s "-screen 0 1280x1000x24 -nolisten tcp" \
        sh -c "'$app' $demo --tick 0.01 & sleep $wait; import -window root '$png'; wait \$!"
    local colours
    colours=$(identify -format %k "$png")
    if [ "$colours" -lt "$least" ]; then
        echo "FAIL: $png looks blank ($colours colours)" >&2
        return 1
    fi
    echo "ok: $png ($colours colours)"
}

shoot eratosthenes 4 50
shoot minimal 3 8
