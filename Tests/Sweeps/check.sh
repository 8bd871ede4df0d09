#!/usr/bin/env bash
# The sharding check CI runs: Tests/Sweeps/sweep.tau unsharded, then as two shards run by GNU
# parallel and merged with `tau merge`; the merged tables, the figure the merge re-draws and
# what it prints must equal the unsharded run's byte for byte. Usage: Tests/Sweeps/check.sh
# [path/to/tau]
set -euo pipefail
cd "$(dirname "$0")/../.."
tau="${1:-.build/debug/tau}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$tau" run Tests/Sweeps/sweep.tau -- --out "$work/whole" >"$work/whole.txt"
parallel --will-cite --halt now,fail=1 "$tau" run Tests/Sweeps/sweep.tau --shard {}/2 --quiet -- --out "$work/shards" ::: 1 2
"$tau" merge "$work/shards" >"$work/merged.txt"
for file in efflr.csv slopes.json profiles.svg; do
  cmp "$work/whole/$file" "$work/shards/$file"
done
cmp "$work/whole.txt" "$work/merged.txt"
echo "sweep check: 2 shards under GNU parallel merged into the unsharded tables, figure and output"
