#!/usr/bin/env bash
# Every host's drift, lateness and wake latency in one run, printed as one table: GLib, the
# blocking loop and the frame driver (guestloop-glib's bench), Qt on its offscreen platform and
# winit on an Xvfb of its own (xvfb-run), each measured by `guestloop_tests::host_figures`.
# Release builds; about 75 s once built. Run it on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."

for package in guestloop-glib guestloop-qt guestloop-winit; do
    cargo bench --quiet -p "$package" --no-run
done
cargo bench --quiet -p guestloop-glib --bench hosts
QT_QPA_PLATFORM=offscreen cargo bench --quiet -p guestloop-qt --bench host -- --no-header
xvfb-run -a cargo bench --quiet -p guestloop-winit --bench host -- --no-header
