#!/usr/bin/env bash
# Regenerates tests/corpus/*.golden with the real `terraform fmt` (the oracle).
# Files are formatted in place in a temporary copy, because `terraform fmt -` (stdin)
# appends a final newline to its output while in-place formatting keeps the file's own.
set -euo pipefail
cd "$(dirname "$0")/corpus"
command -v terraform >/dev/null || { echo "terraform is not on the PATH" >&2; exit 1; }
export TF_CLI_CONFIG_FILE=/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for f in *; do
  case "$f" in *.golden) continue ;; esac
  cp -- "$f" "$tmp/$f"
  terraform fmt -list=false "$tmp/$f"
  cp -- "$tmp/$f" "$f.golden"
done
echo "regenerated $(ls *.golden | wc -l) golden files"
