#!/usr/bin/env bash
# Tau's figures next to the C/OpenBLAS references, measured in alternating rounds so that machine
# noise hits both alike. Prints one table row per figure: the median over rounds of each, and
# Tau / C. Usage: Benchmarks/compare.sh [rounds] (default 3); needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
tau=.build/release/tau
out=$(mktemp)
trap 'rm -f "$out"' EXIT
bash Benchmarks/reference/run.sh >/dev/null  # build the references once
for _ in $(seq "$rounds"); do
  "$tau" bench --seconds 0.3 >>"$out"
  MIN_SECONDS=0.3 Benchmarks/reference/bin/gemm >>"$out"
  MIN_SECONDS=0.3 Benchmarks/reference/bin/multiply_add >>"$out"
done
sort "$out" | awk -F'\t' "$(cat Benchmarks/median.awk)"'
  { values[$1] = values[$1] " " $2; unit[$1] = $3; if ($1 !~ /^c\//) order[++count] = $1 }
  END {
    printf "| figure | Tau | C/OpenBLAS | Tau / C | unit |\n|---|---:|---:|---:|---|\n"
    for (i = 1; i <= count; i++) {
      name = order[i]; if (seen[name]++) continue
      tau = median(values[name]); ref = ("c/" name in values) ? median(values["c/" name]) : ""
      ratio = (ref != "") ? sprintf("%.2f", tau / ref) : "–"
      printf "| %s | %.1f | %s | %s | %s |\n", name, tau, (ref != "" ? sprintf("%.1f", ref) : "–"), ratio, unit[name]
    }
  }'
