#!/usr/bin/env bash
# The quickstart: builds plinth and runs the platform's pre-deployment step for real on this
# machine (generated secrets, a local CA and TLS certificate, a .env file), with local state
# and no cloud account: `plinth init`, `plinth plan`, `plinth apply`.
#
# The quickstart needs no cloud provider, so by default it builds plinth without the AWS
# provider (the AWS SDK crates take ~20 minutes to compile in release mode on 2 cores).
# PLINTH_FULL=1 builds the full binary (every provider, as `cargo build --release`).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "${PLINTH_FULL:-}" = 1 ]; then
  cargo build --release --locked -p plinth
else
  cargo build --release --locked -p plinth --no-default-features --features backend-s3
fi
PLINTH="${CARGO_TARGET_DIR:-$PWD/target}/release/plinth"
cd examples/quickstart
"$PLINTH" init -input=false
"$PLINTH" plan -input=false -out=quickstart.tfplan
"$PLINTH" apply -input=false quickstart.tfplan
echo
echo "Done. Files are in examples/quickstart/out/; state in examples/quickstart/terraform.tfstate."
echo "Try: $PLINTH -chdir=examples/quickstart plan   (No changes)   and   ... destroy"
