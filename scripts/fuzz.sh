#!/usr/bin/env bash
# Run every libFuzzer binary in DIR for SECONDS each, starting from its committed corpus
# (read-only: new inputs go to a temporary directory). Fails on the first crash.
set -euo pipefail
dir=$1
secs=${2:-60}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$(cd "$(dirname "$0")/.." && pwd)
for bin in "$dir"/fuzz_*; do
  name=$(basename "$bin")
  corpus="$root/tests/fuzz/corpus/${name#fuzz_}"
  mkdir -p "$work/$name"
  dict=()
  [ -f "$root/tests/fuzz/${name#fuzz_}.dict" ] && dict=(-dict="$root/tests/fuzz/${name#fuzz_}.dict")
  echo "fuzzing $name for ${secs}s"
  "$bin" "${dict[@]}" -max_total_time="$secs" -print_final_stats=1 -artifact_prefix="$work/" \
    "$work/$name" "$corpus" 2>&1 | grep -E "^(stat::number_of_executed_units|INFO: Loaded|==[0-9]+==ERROR|SUMMARY)" || true
  if ls "$work"/crash-* "$work"/leak-* "$work"/timeout-* >/dev/null 2>&1; then
    echo "fuzzing $name found a failing input" >&2
    exit 1
  fi
done
echo "fuzzing passed"
