#!/usr/bin/env bash
# Installs what the tests need if it is missing, then runs every test: formatting, lints,
# unit, doc, property and snapshot tests.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/deps.sh
ensure_rust

export INSTA_UPDATE=no  # a snapshot that differs fails; review changes with `cargo insta review`

echo "== cargo fmt --check"
cargo fmt --all --check
echo "== cargo clippy"
cargo clippy --workspace --all-targets -- -D warnings
echo "== cargo test"
cargo test --workspace
