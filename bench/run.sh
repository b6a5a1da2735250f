#!/usr/bin/env bash
# Plinth vs Terraform on N terraform_data resources (half depending on the other half):
# apply time, no-change plan time and peak RSS (/usr/bin/time -v), Plinth also at 10x N to
# show how it scales. Builds plinth in release mode first. Writes bench/RESULTS.md.
#
#   bench/run.sh                    # N=2000, Plinth also at 20000, Terraform if on PATH
#   SKIP_TERRAFORM=1 bench/run.sh   # Plinth only (Terraform takes ~2.5 minutes)
#   SKIP_TERRAFORM=1 TF_RECORDED=1 bench/run.sh  # compare with Terraform's recorded figures
#   N=500 BIG=5000 bench/run.sh     # smaller
#   PLINTH_BIN=target/debug/plinth  # skip the release build (testing the script)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
N=${N:-2000}
BIG=${BIG:-20000}
export TF_CLI_CONFIG_FILE=/dev/null
export TF_IN_AUTOMATION=1

if [ -n "${PLINTH_BIN:-}" ]; then
  PLINTH=$PLINTH_BIN # an already built binary (script testing)
else
  echo "bench: building plinth (release)..." >&2
  cargo build --release --locked -p plinth >&2
  TARGET_DIR=${CARGO_TARGET_DIR:-$ROOT/target}
  PLINTH=$TARGET_DIR/release/plinth
fi
[ -x "$PLINTH" ] || { echo "bench: $PLINTH not found" >&2; exit 1; }

WORK=$(mktemp -d /tmp/plinth-bench-XXXXXX)
trap 'rm -rf "$WORK"' EXIT

# measure TOOL LABEL DIR ARGS... → prints "seconds max_rss_kib exit"
measure() {
  local dir=$1; shift
  local out="$WORK/time.$$"
  local start end code
  start=$(date +%s.%N)
  set +e
  (cd "$dir" && /usr/bin/time -v -o "$out" "$@" >"$WORK/last.out" 2>"$WORK/last.err")
  code=$?
  set -e
  end=$(date +%s.%N)
  local rss
  rss=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$out")
  if [ "$code" -ne 0 ]; then
    echo "bench: '$*' in $dir exited $code:" >&2
    tail -20 "$WORK/last.out" "$WORK/last.err" >&2
  fi
  printf '%.2f %s %s\n' "$(echo "$end - $start" | bc -l)" "$rss" "$code"
}

run_tool() { # tool n → "apply_s apply_rss plan_s plan_rss"
  local tool=$1 n=$2 dir="$WORK/$1-$2"
  bash "$ROOT/bench/gen.sh" "$n" "$dir"
  local bin
  if [ "$tool" = terraform ]; then bin=terraform; else bin=$PLINTH; fi
  (cd "$dir" && "$bin" init -input=false >/dev/null 2>&1)
  read -r a_s a_rss a_code < <(measure "$dir" "$bin" apply -auto-approve -input=false -no-color)
  read -r p_s p_rss p_code < <(measure "$dir" "$bin" plan -input=false -no-color -detailed-exitcode)
  # plan -detailed-exitcode: 0 = no changes (what we expect after apply).
  echo "$a_s $a_rss $a_code $p_s $p_rss $p_code"
}

mib() { awk -v k="$1" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }

echo "bench: plinth, $N resources..." >&2
read -r pa pars pac pp pprs ppc < <(run_tool plinth "$N")
echo "bench: plinth, $BIG resources..." >&2
read -r ba bars bac bp bprs bpc < <(run_tool plinth "$BIG")

tf_line="| Terraform $(terraform version 2>/dev/null | head -1 | awk '{print $2}') | $N | not run | | | |"
if [ -z "${SKIP_TERRAFORM:-}" ] && command -v terraform >/dev/null 2>&1; then
  echo "bench: terraform, $N resources (takes minutes)..." >&2
  read -r ta tars tac tp tprs tpc < <(run_tool terraform "$N")
  tf_line="| Terraform $(terraform version | head -1 | awk '{print $2}') | $N | ${ta} s | ${tp} s | $(mib "$tars") / $(mib "$tprs") | apply exit $tac, plan exit $tpc |"
  ratio="Speed-ups at $N resources: apply $(echo "$ta / $pa" | bc -l | xargs printf '%.0f')x, no-change plan $(echo "$tp / $pp" | bc -l | xargs printf '%.0f')x, peak memory $(echo "$tars / $pars" | bc -l | xargs printf '%.0f')x less."
elif [ -n "${TF_RECORDED:-}" ]; then
  # Terraform's figures recorded earlier on this machine (shared/terraform-behaviour.md):
  # apply 113 s and 1.85 GB peak RSS, no-change plan 21 s, at 2,000 resources.
  tf_line="| Terraform 1.11.4 (recorded earlier on this machine, not re-run) | 2000 | 113 s | 21 s | 1850 MiB (apply) | |"
  ratio="Against the recorded Terraform figures at 2000 resources: apply $(echo "113 / $pa" | bc -l | xargs printf '%.0f')x faster, no-change plan $(echo "21 / $pp" | bc -l | xargs printf '%.0f')x faster, peak memory $(echo "1850 * 1024 / $pars" | bc -l | xargs printf '%.0f')x less."
else
  ratio="Terraform was not run (SKIP_TERRAFORM set or not on PATH)."
fi

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs)
cat > "$ROOT/bench/RESULTS.md" <<MD
# Benchmark: $N \`terraform_data\` resources, half depending on the other half

Measured by \`bench/run.sh\` on $(date -u +%Y-%m-%d) ($(nproc) cores, ${cpu}); wall-clock seconds,
peak RSS from \`/usr/bin/time -v\` (apply / plan). Plinth binary: \`${PLINTH#$ROOT/}\`; both tools use
local state and default parallelism (10).

| tool | resources | apply | no-change plan | peak RSS (apply / plan) | exit codes |
|---|---:|---:|---:|---:|---|
| Plinth | $N | ${pa} s | ${pp} s | $(mib "$pars") / $(mib "$pprs") | apply $pac, plan $ppc |
| Plinth | $BIG | ${ba} s | ${bp} s | $(mib "$bars") / $(mib "$bprs") | apply $bac, plan $bpc |
$tf_line

$ratio

Plan exit code 0 means \`-detailed-exitcode\` found no changes after the apply, as expected.
Reproduce: \`bench/run.sh\` (\`SKIP_TERRAFORM=1\` to skip Terraform, \`N=\`/\`BIG=\` to resize).
MD
cat "$ROOT/bench/RESULTS.md"
