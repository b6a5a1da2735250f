#!/usr/bin/env bash
# Refresh of the whole reconciliation platform (examples/reconciliation-platform/aws, staging
# sizing, 72 resources) against moto, with -parallelism=1 and -parallelism=10: wall time and
# peak RSS of `plinth plan -refresh-only` and of a full no-change `plinth plan`.
# Starts nothing itself: it needs a running moto (with the AWS-managed IAM policies loaded).
#
#   bash scripts/services.sh start moto && . .tools/services.env
#   PLINTH_BIN=/work/target-aws/debug/plinth bench/aws_refresh.sh       # ROUNDS=5 by default
#
# PLINTH_BIN must be a plinth built with the `aws` feature
# (`cargo build -p plinth --features aws`); default: $CARGO_TARGET_DIR/debug/plinth.
# Applies the platform once (project "b<random>"), measures, then destroys it.
# Writes the table to stdout (and bench/RESULTS-aws.md with WRITE_RESULTS=1).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
: "${PLINTH_TEST_MOTO_ENDPOINT:?needs a running moto: bash scripts/services.sh start moto && . .tools/services.env}"
ROUNDS=${ROUNDS:-5}
PLINTH=${PLINTH_BIN:-${CARGO_TARGET_DIR:-$ROOT/target}/debug/plinth}
[ -x "$PLINTH" ] || { echo "bench: $PLINTH not found (cargo build -p plinth --features aws)" >&2; exit 1; }

WORK=$(mktemp -d /tmp/plinth-aws-bench-XXXXXX)
DIR=$WORK/examples/reconciliation-platform/aws
mkdir -p "$WORK/examples/reconciliation-platform"
cp -r "$ROOT/modules" "$WORK/modules"
cp -r "$ROOT/examples/reconciliation-platform/aws" "$DIR"
rm -f "$DIR"/*.tfstate* 2>/dev/null || true
PROJECT="b$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
echo "project = \"$PROJECT\"" > "$DIR/bench.auto.tfvars"

# Only the emulator's endpoint and dummy credentials: nothing from the caller's AWS setup.
for v in $(env | grep -o '^AWS_[A-Z_]*' || true); do unset "$v"; done
export AWS_ENDPOINT_URL=$PLINTH_TEST_MOTO_ENDPOINT AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test
export AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export TF_CLI_CONFIG_FILE=/dev/null TF_IN_AUTOMATION=1 NO_COLOR=1

p() { (cd "$DIR" && "$PLINTH" "$@"); }
cleanup() {
  # moto 5.2 never finishes deleting a replication group and has no DeleteCacheSubnetGroup:
  # forget both (they stay in moto) so that destroy ends.
  p state rm module.redis.aws_elasticache_replication_group.this module.redis.aws_elasticache_subnet_group.this >/dev/null 2>&1 || true
  echo "bench: destroying $PROJECT (the Redis replication group and its subnet group stay in moto)..." >&2
  p destroy -input=false -auto-approve -var-file=staging.tfvars >"$WORK/destroy.log" 2>&1 \
    || echo "bench: destroy failed, see $WORK/destroy.log" >&2
  [ -s "$DIR/terraform.tfstate" ] && grep -q '"resources": \[\]' "$DIR/terraform.tfstate" && rm -rf "$WORK"
}
trap cleanup EXIT

p init -input=false >/dev/null
start=$(date +%s.%N)
if ! p apply -input=false -auto-approve -var-file=staging.tfvars >"$WORK/apply.log" 2>&1; then
  # Refresh still covers everything in state; say so (a provider bug may fail one resource).
  echo "bench: the apply reported errors (measuring the refresh of what is in state):" >&2
  grep -A3 'Error:' "$WORK/apply.log" | head -20 >&2
fi
apply_s=$(echo "$(date +%s.%N) - $start" | bc)
count=$(p state list | grep -vc '\.data\.\|^data\.')

# measure ARGS... → "seconds max_rss_mib"; the plan must succeed (exit 0, or 2: changes).
measure() {
  local start end code
  start=$(date +%s.%N)
  set +e
  (cd "$DIR" && /usr/bin/time -f '%M' -o "$WORK/rss" "$PLINTH" "$@" >"$WORK/last.out" 2>"$WORK/last.err")
  code=$?
  set -e
  end=$(date +%s.%N)
  if [ "$code" != 0 ] && [ "$code" != 2 ]; then
    echo "bench: plinth $* exited $code" >&2; tail -20 "$WORK/last.out" "$WORK/last.err" >&2; exit 1
  fi
  echo "$(echo "$end - $start" | bc) $(( $(tail -1 "$WORK/rss") / 1024 ))"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

declare -A T R
for mode in refresh-only plan; do
  for par in 1 10; do
    times=() ; rss=0
    for _ in $(seq 1 "$ROUNDS"); do
      if [ $mode = refresh-only ]; then
        read -r s m < <(measure plan -refresh-only -input=false -detailed-exitcode -var-file=staging.tfvars -parallelism=$par)
      else
        read -r s m < <(measure plan -input=false -detailed-exitcode -var-file=staging.tfvars -parallelism=$par)
      fi
      times+=("$s"); [ "$m" -gt "$rss" ] && rss=$m
    done
    T[$mode,$par]=$(printf '%s\n' "${times[@]}" | median)
    R[$mode,$par]=$rss
    echo "bench: $mode -parallelism=$par: ${times[*]} s (median ${T[$mode,$par]}), peak ${rss} MiB" >&2
  done
done

speed() { echo "scale=1; $1 / $2" | bc; }
table=$(cat <<TABLE
| command (${count} resources, moto, $(basename "$(dirname "$(dirname "$PLINTH")")")/$(basename "$(dirname "$PLINTH")") build) | -parallelism=1 | -parallelism=10 | speed-up |
|---|---|---|---|
| \`plan -refresh-only\` (median of $ROUNDS) | ${T[refresh-only,1]} s, ${R[refresh-only,1]} MiB | ${T[refresh-only,10]} s, ${R[refresh-only,10]} MiB | $(speed "${T[refresh-only,1]}" "${T[refresh-only,10]}")× |
| \`plan\` (refresh + diff, no changes) | ${T[plan,1]} s, ${R[plan,1]} MiB | ${T[plan,10]} s, ${R[plan,10]} MiB | $(speed "${T[plan,1]}" "${T[plan,10]}")× |

Apply from empty (same run, -parallelism=10): ${apply_s} s. Machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ).
TABLE
)
echo "$table"
if [ "${WRITE_RESULTS:-0}" = 1 ]; then
  { echo "# AWS refresh benchmark (bench/aws_refresh.sh)"; echo; echo "$table"; } > "$ROOT/bench/RESULTS-aws.md"
fi
