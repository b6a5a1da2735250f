#!/usr/bin/env bash
# Fuzzes the loader and evaluator (lang/tests/fuzz.rs: arbitrary text, mutated valid
# configurations, generated expressions) for SECONDS (default 600), re-running the property
# tests with fresh random seeds until the time is up. Any panic fails the run and proptest
# prints the minimal failing input.
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-600}
cargo test -p plinth-lang --test fuzz --no-run -q
start=$(date +%s); rounds=0
while [ $(( $(date +%s) - start )) -lt "$secs" ]; do
  PLINTH_FUZZ_CASES=${PLINTH_FUZZ_CASES:-3000} cargo test -p plinth-lang --test fuzz -q >/dev/null
  rounds=$((rounds + 1))
done
echo "fuzz: $rounds rounds of ${PLINTH_FUZZ_CASES:-3000} cases per property in $(( $(date +%s) - start )) s, no panic"
