#!/usr/bin/env bash
# The sharding check CI runs: Tests/Sweeps/sweep.tau unsharded, then as two shards run by GNU
# parallel and merged with `tau merge`; the merged tables must equal the unsharded ones byte for
# byte. Usage: Tests/Sweeps/check.sh [path/to/tau]
set -euo pipefail
cd "$(dirname "$0")/../.."
tau="${1:-.build/debug/tau}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
"$tau" run Tests/Sweeps/sweep.tau -- --out "$work/whole" >/dev/null
parallel --will-cite --halt now,fail=1 "$tau" run Tests/Sweeps/sweep.tau --shard {}/2 -- --out "$work/shards" ::: 1 2
"$tau" merge "$work/shards"
for table in efflr.csv slopes.json; do
  cmp "$work/whole/$table" "$work/shards/$table"
done
echo "sweep check: 2 shards under GNU parallel merged into the unsharded tables"
