#!/usr/bin/env bash
# Tau's BPTT figures next to the Python peers (JAX jit + lax.scan, PyTorch eager), in
# alternating rounds; prints a table of medians. Peers that are not installed are skipped.
# Usage: Benchmarks/compare_training.sh [rounds] (default 3); needs a release build.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
for _ in $(seq "$rounds"); do
  .build/release/tau bench --filter bptt --seconds 1 >>"$out"
  PEERS=bptt MIN_SECONDS=1 python3 Benchmarks/peers/bptt.py 2>/dev/null | grep -v '^#' >>"$out" || true
done
sort "$out" | awk -F'\t' "$(cat Benchmarks/median.awk)"'
  { values[$1] = values[$1] " " $2; if ($1 ~ /^bptt\//) order[++count] = $1 }
  END {
    printf "| workload | Tau µs | JAX µs | PyTorch µs | Tau GFLOP/s | JAX / Tau | PyTorch / Tau |\n|---|---:|---:|---:|---:|---:|---:|\n"
    for (i = 1; i <= count; i++) {
      name = order[i]; if (seen[name]++) continue
      tau = median(values[name]); flops = name; sub(/^bptt/, "bptt-flops", flops)
      jax = ("jax/" name in values) ? median(values["jax/" name]) : ""
      torch = ("torch/" name in values) ? median(values["torch/" name]) : ""
      printf "| %s | %.0f | %s | %s | %s | %s | %s |\n", name, tau, (jax != "" ? sprintf("%.0f", jax) : "–"), (torch != "" ? sprintf("%.0f", torch) : "–"), (flops in values ? sprintf("%.1f", median(values[flops])) : "–"), (jax != "" ? sprintf("%.2f", jax / tau) : "–"), (torch != "" ? sprintf("%.2f", torch / tau) : "–")
    }
  }'
