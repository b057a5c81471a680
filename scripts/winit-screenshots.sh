#!/usr/bin/env bash
# Screenshots of the winit windows under a real X server (Xvfb), checked not to be blank: the
# eratosthenes grid mid-run, a 1000×1000 grid, and the minimal window before a click and after
# its answer (the two must differ). Each window is then closed with Esc, and must exit with 0.
#
#   scripts/winit-screenshots.sh [OUT_DIR]   (needs a built $CARGO_TARGET_DIR/debug/winit-frontend,
#                                             target/debug/winit-frontend by default)
set -euo pipefail
self=$(realpath "$0")

# Inside xvfb-run (this script again, with --inside): starts the app, waits for its window, clicks the minimal window's button if
# asked (it is centred in the lower half), takes the shots, then presses Esc and returns the
# app's exit code.
inside() {
    "$@" &
    local pid=$!
    local id
    id=$(timeout 20 xdotool search --sync --onlyvisible --name '^guestloop: ' | head -n 1)
    if [ -n "${BEFORE:-}" ]; then sleep 0.5; import -window root "$BEFORE"; fi
    if [ -n "${CLICK:-}" ]; then
        eval "$(xdotool getwindowgeometry --shell "$id")"
        xdotool mousemove --window "$id" $((WIDTH / 2)) $((HEIGHT * 3 / 4)) click 1
    fi
    sleep "$WAIT"
    import -window root "$PNG"
    xdotool windowfocus --sync "$id" key Escape
    wait "$pid"
}
if [ "${1:-}" = --inside ]; then
    shift
    inside "$@"
    exit
fi

cd "$(dirname "$0")/.."
out=${1:-target/screenshots}
mkdir -p "$out"
app=${CARGO_TARGET_DIR:-$PWD/target}/debug/winit-frontend

shoot() { # name, seconds before the shot, unique colours expected at least, screen, app arguments
    local name=$1 wait=$2 least=$3 screen=$4 png="$out/winit-$1.png"
    shift 4
    rm -f "$png"
    if ! WAIT=$wait PNG=$png xvfb-run -a -s "-screen 0 ${screen}x24 -nolisten tcp" \
        "$self" --inside "$app" "$@"; then
        echo "FAIL: the $name window did not exit with 0 on Esc" >&2
        return 1
    fi
    local colours
    colours=$(identify -format %k "$png")
    if [ "$colours" -lt "$least" ]; then
        echo "FAIL: $png looks blank ($colours colours)" >&2
        return 1
    fi
    echo "ok: $png ($colours colours)"
}

shoot eratosthenes 4 50 1280x1000 --tick 0.01
shoot eratosthenes-1000x1000 8 50 1400x1200 --rows 1000 --cols 1000 --tick 0.001
before="$out/winit-minimal.png"
BEFORE=$before CLICK=1 shoot minimal-answered 1.6 4 640x240 minimal
difference=$(compare -metric AE "$before" "$out/winit-minimal-answered.png" null: 2>&1 || true)
if [ "${difference%% *}" = 0 ]; then
    echo "FAIL: the minimal window looks the same 1.6 s after its button was clicked" >&2
    exit 1
fi
echo "ok: $before and the answer differ in $difference pixels"
