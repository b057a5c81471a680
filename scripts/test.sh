#!/usr/bin/env bash
# Installs what the tests need if it is missing, then runs every test: formatting, lints, unit,
# doc, property and snapshot tests, the executor's tests under valgrind's memcheck, the Qt
# front-end's tests on Qt's offscreen platform, the winit front-end's and the GTK example's tests
# on an Xvfb of their own (the GLib host's on a real GLib main loop), and screenshots of the Qt
# and winit windows under Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ensure_rust
ensure_packages "${QT_PACKAGES[@]}" "${WINIT_PACKAGES[@]}" "${GTK_PACKAGES[@]}" "${TEST_PACKAGES[@]}"

export INSTA_UPDATE=no  # a snapshot that differs fails; review changes with `cargo insta review`
# The winit tests start their own Xvfb; without xvfb-run or xdotool they would only say they
# skipped. Here they must run.
export GUESTLOOP_REQUIRE_XVFB=1
export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
chmod 700 "$XDG_RUNTIME_DIR"

echo "== cargo fmt --check"
cargo fmt --all --check
# The Qt app's and the terminal's tests drive them through hooks the demo binaries do not have.
hooks=(--features qt-frontend/test-hooks,tui-check/test-hooks)
echo "== cargo clippy"
cargo clippy --workspace --all-targets "${hooks[@]}" -- -D warnings
echo "== invariant: core/src reads no wall clock (only its doc examples, host code for users, do)"
if grep -rnE 'Instant::now|SystemTime' core/src | grep -vE '^[^:]+:[0-9]+:[[:space:]]*//[/!]'; then
    echo "error: the lines above read a wall clock in core/src" >&2
    exit 1
fi
echo "== invariant: in core, only the task cell has unsafe code"
if git grep -n 'allow(unsafe_code)' -- core ':!core/src/task/cell.rs'; then
    echo "error: the lines above allow unsafe code in core outside core/src/task/cell.rs" >&2
    exit 1
fi
echo "== cargo test"
cargo test --workspace "${hooks[@]}"
echo "== the published crates: docs, a plain guestloop's items and dependencies, packages"
published=(-p guestloop -p guestloop-qt -p guestloop-glib -p guestloop-winit)
# Only these packages: a plain guestloop, with none of the features the tests turn on.
rm -rf target/doc/guestloop
RUSTDOCFLAGS="-D warnings" cargo doc --no-deps "${published[@]}"
for gated in sieve minimal primes conformance; do
    if [ -e "target/doc/guestloop/$gated" ]; then
        echo "error: a plain guestloop documents its '$gated' module" >&2
        exit 1
    fi
done
deps=$(cargo tree -p guestloop -e normal --depth 1 --prefix none | tail -n +2 | cut -d' ' -f1 | sort | xargs)
if [ "$deps" != "futures-core pin-project-lite thiserror" ]; then
    echo "error: guestloop depends on '$deps'; every dependency must be one the executor uses" >&2
    exit 1
fi
# Each is built from its package, as crates.io would, against the others packaged beside it.
# Cargo takes a registry crate for immutable: it reuses an unpacked copy (in a registry/src folder
# named after target/package's path) and a build of it without comparing either with the new
# package. So a machine that packaged an older commit at the same path would verify against that
# older guestloop (CI did, at c09e642): both go first. The build's own folder costs a build.
rm -rf "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/guestloop{,-qt,-glib,-winit}-[0-9]* \
    target/package-verify
CARGO_TARGET_DIR=target/package-verify cargo package "${published[@]}"
echo "== MSRV: guestloop on the rust-version it claims"
msrv=$(sed -n 's/^rust-version = "\(.*\)"$/\1/p' Cargo.toml)
if command -v rustup > /dev/null && timeout 300 rustup toolchain install "$msrv" --profile minimal; then
    CARGO_TARGET_DIR=target/msrv cargo +"$msrv" check -p guestloop --all-targets
else
    echo "skipped: rustup could not install Rust $msrv"
fi
echo "== loom: every interleaving of the executor's cross-thread handshake, a task cell's references and a cancel token's waiters"
# A cfg of our own (other crates read `cfg(loom)`), and a target dir of its own, since the flag
# changes every crate's build.
RUSTFLAGS="--cfg guestloop_loom" CARGO_TARGET_DIR=target/loom \
    cargo test -p guestloop --lib --release loom
echo "== memcheck: core's tests, the executor's behaviour tests and the wake storm under valgrind"
# The task cell is `unsafe` code. Miri needs a nightly toolchain; valgrind does not. Any error (a
# read after free, a double free, an uninitialised read) or a block no pointer reaches any more (a
# leaked task cell, say) fails the run. Memory still reachable from threads the test harness
# leaves running at exit is not an error. The cancelled primes count is left out: it waits for
# worker threads by the wall clock, and valgrind runs everything dozens of times slower.
# Valgrind runs one thread at a time; its default hand-over is unfair, and a check that waits on
# other threads then took 3 to 29 s from one run to the next (a CI run timed out at 30 s). Fair
# scheduling makes it take the same time every run.
test_binaries() {
    cargo test "$@" --no-run --message-format=json |
        sed -n 's/.*"executable":"\([^"]*\)".*/\1/p'
}
for binary in $(test_binaries -p guestloop --lib --features demos,conformance) \
    $(test_binaries -p guestloop-tests --lib --test wake_storm); do
    echo "-- $binary"
    valgrind --tool=memcheck --fair-sched=yes --error-exitcode=101 -q --leak-check=full \
        --errors-for-leak-kinds=definite --show-leak-kinds=definite "$binary" --test-threads=2
done
echo "== Qt windows under Xvfb"
scripts/qt-screenshots.sh
echo "== winit windows under Xvfb"
scripts/winit-screenshots.sh
echo "== the demo binaries have no test hooks"
# Without the features, in release, as scripts/demo.sh builds them (the features of their
# dependencies differ from the test build's, so this is a build of its own either way): one build.
cargo build --release -p qt-frontend --bin qt-frontend -p tui-check --bin tui-check \
    -p winit-frontend --bin winit-frontend -p guestloop-glib-gtk-minimal --bin gtk-minimal
for binary in qt-frontend tui-check winit-frontend gtk-minimal; do
    if strings "target/release/$binary" | grep -E 'GUESTLOOP_QT_|TUI_CHECK_PANIC|GUESTLOOP_WINIT_'; then
        echo "error: the demo binary $binary carries the test hooks above" >&2
        exit 1
    fi
done
