#!/usr/bin/env bash
# The quickstart: builds plinth and runs the platform's pre-deployment step for real on this
# machine (generated secrets, a local CA and TLS certificate, a .env file), with local state
# and no cloud account: `plinth init`, `plinth plan`, `plinth apply`.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked -p plinth
PLINTH="$PWD/target/release/plinth"
cd examples/quickstart
"$PLINTH" init -input=false
"$PLINTH" plan -input=false -out=quickstart.tfplan
"$PLINTH" apply -input=false quickstart.tfplan
echo
echo "Done. Files are in examples/quickstart/out/; state in examples/quickstart/terraform.tfstate."
echo "Try: $PLINTH -chdir=examples/quickstart plan   (No changes)   and   ... destroy"
