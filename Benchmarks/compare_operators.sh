#!/usr/bin/env bash
# Tau's operators next to a straightforward PyTorch implementation of the same definitions
# (Benchmarks/peers/operators.py), in alternating rounds; prints a table of medians in seconds.
# Usage: Benchmarks/compare_operators.sh [rounds] (default 3); needs a release build. Run it on
# an idle machine: PyTorch's threads slow down badly when they share the cores.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  .build/release/tau bench --filter operators/ --seconds 1 >>"$out"
  python3 Benchmarks/peers/operators.py 2>/dev/null | grep -v '^#' >>"$out" || true
done
sort "$out" | awk -F'\t' "$(cat Benchmarks/median.awk)"'
  { values[$1] = values[$1] " " ($3 == "ms" ? $2 / 1000 : $2) }
  $1 ~ /^operators\// { name = substr($1, 11); if (!(name in seen)) { seen[name] = 1; order[++count] = name } }
  END {
    printf "| operator | Tau s | PyTorch s | PyTorch / Tau |\n|---|---:|---:|---:|\n"
    for (i = 1; i <= count; i++) {
      name = order[i]; tau = median(values["operators/" name])
      split(name, parts, "/"); torch = ""
      for (key in values) if (key ~ ("^torch/" parts[1] "(-[a-z0-9-]+)?/f64/" parts[3] "$")) {
        printf "| %s vs %s | %.4f | %.4f | %.1f |\n", name, substr(key, 7), tau, median(values[key]), median(values[key]) / tau
        torch = key
      }
      if (torch == "") printf "| %s | %.4f | – | – |\n", name, tau
    }
  }'
