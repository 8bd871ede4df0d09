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
  function row(tau, peers, label,    t, p, n, i, names, sum) {
    if (!(("operators/" tau) in values)) return
    t = median(values["operators/" tau]); n = split(peers, names, "+"); sum = 0
    for (i = 1; i <= n; i++) {
      if (!(("torch/" names[i]) in values)) { printf "| %s | %.4f | %s | – | – |\n", tau, t, label; return }
      sum += median(values["torch/" names[i]])
    }
    printf "| %s | %.4f | %s | %.4f | %.1f |\n", tau, t, label, sum, sum / t
  }
  END {
    s1 = "/f64/multi-n64-T80-B12"; s2 = "/f64/multi-n64-T120-B64"
    printf "| Tau operator | Tau s | PyTorch peer | PyTorch s | PyTorch / Tau |\n|---|---:|---|---:|---:|\n"
    row("jacobians" s1, "jacobians" s1, "closed-form Jacobians, batched")
    row("sensitivity" s1, "sensitivity-loop" s1, "per-pair loop, exact norms (extrapolated)")
    row("sensitivity" s1, "sensitivity-reuse" s1, "prefix reuse, batched exact norms")
    row("sensitivity-power5" s1, "sensitivity-reuse-power5" s1, "prefix reuse, 5 power steps")
    row("efflr" s1, "sensitivity-reuse" s1 "+efflr" s1, "sensitivities + profile and fit")
    row("anisotropy" s2, "anisotropy" s2, "per-pair products, batched svdvals")
    row("gradcov/f64/multi-n64-T120-M256", "gradcov/f64/multi-n64-T120-M256", "autograd, one example at a time")
    row("gradcov/f64/multi-n64-T120-M256", "gradcov-vmap/f64/multi-n64-T120-M256", "torch.func vmap(grad)")
    row("frechet/f64/multi-n64-T100", "frechet/f64/multi-n64-T100", "prefix/suffix products")
    row("lyapunov" s1, "lyapunov" s1, "QR method, batched")
  }'
