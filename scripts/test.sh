#!/usr/bin/env bash
# Runs every test of the project on a fresh machine.
#
# Starts (and stops) every service the tests need by itself. Today the tests need no server:
# the engine, state and built-in providers run locally, and the Terraform differential tests
# use the `terraform` binary when it is on the PATH (they skip, saying so, when it is not).
# Later issues (AWS/moto, remote backends) add their emulators here, started on 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v cargo >/dev/null 2>&1; then
  echo "cargo is required: install Rust (https://rustup.rs) and re-run." >&2
  exit 1
fi
if command -v terraform >/dev/null 2>&1; then
  echo "test.sh: terraform $(TF_CLI_CONFIG_FILE=/dev/null terraform version | head -1) found: differential tests will run"
else
  echo "test.sh: no terraform on PATH: differential tests will skip"
fi

export TF_CLI_CONFIG_FILE=/dev/null
export CARGO_TERM_COLOR=never
# Build once with the binary so e2e tests find target/*/plinth.
cargo build --workspace --all-targets --locked
cargo test --workspace --locked --no-fail-fast "$@"
