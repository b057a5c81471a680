#!/usr/bin/env bash
# Installs what the Qt demo needs if it is missing, then opens it (release build).
#
#   scripts/demo.sh                    the eratosthenes window (40×40, tick 0.1 s)
#   scripts/demo.sh minimal            the minimal window
#   scripts/demo.sh primes             the primes window (count to 10⁹ on worker threads)
#   scripts/demo.sh --rows 20 --tick 0.02 --seed 7
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ensure_rust
# The winit front-end's libraries too, so that `cargo run -p winit-frontend` works after this.
ensure_packages "${QT_PACKAGES[@]}" "${WINIT_PACKAGES[@]}"
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "error: no display (DISPLAY and WAYLAND_DISPLAY are unset): run this in a desktop session," >&2
    echo "or without one: xvfb-run -a scripts/demo.sh" >&2
    exit 1
fi
exec cargo run --release -p qt-frontend -- "$@"
