#!/usr/bin/env bash
# Runs every test of the project on a fresh machine.
#
# Starts (and stops, on every exit) every service the tests need by itself: the emulators of
# the remote state backends (moto, PostgreSQL, fake-gcs-server, Azurite; scripts/services.sh),
# on 127.0.0.1. A service that cannot be installed or started is reported and its tests skip,
# saying so. The Terraform differential tests use the `terraform` binary when it is on the
# PATH (they skip, saying so, when it is not). PLINTH_NO_SERVICES=1 skips starting services.
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

if [ "${PLINTH_NO_SERVICES:-}" != 1 ]; then
  trap 'bash scripts/services.sh stop || true' EXIT
  if ! bash scripts/services.sh start; then
    echo "test.sh: some services did not start: the tests that need them will skip (see .tools/*.log)" >&2
  fi
  # shellcheck disable=SC1091
  [ -f .tools/services.env ] && . .tools/services.env
else
  echo "test.sh: PLINTH_NO_SERVICES=1: backend tests against servers will skip"
fi

export TF_CLI_CONFIG_FILE=/dev/null
export CARGO_TERM_COLOR=never
cargo test --workspace --locked --no-fail-fast "$@"
