#!/usr/bin/env python3
"""PyTorch peer of examples/paper/s2_anisotropy.tau (paper.md §6, experiment S2): propagation
anisotropy (singular values of transports) and update anisotropy (the spectrum of per-example
gradients) of three arms on five tasks.

Arms: a plain RNN trained with torch.optim.Adam(lr=1e-3), and the scalar- and multi-gated leaky
RNNs trained with torch.optim.SGD(lr=1e-2) (paper.md §2; n = 64, m = 6, no biases, readout W_o h_T,
h_0 = 0, U(±1/√fan_in)). Tasks adding, ar2, movingavg, delaysum, narma10 (paper.md §8), T = 120, a
fresh batch of 64 each step, MSE, 1200 steps, float32. At checkpoints 0, 400, 800, 1200, in float64:
  - propagation anisotropy on a fixed probe batch of 64: for each lag h in 1, 2, 4, 8, 12, 16, 24,
    32, 40, 64 (b, t, k) with t - k = h, 1 ≤ k < t ≤ T, drawn without replacement; P_{t,k} from the
    closed-form Jacobians (batched over the 64 pairs), top-16 singular values by
    torch.linalg.svdvals; AI = σ1/σ10, CE = Σ_{i≤10}σ²/Σ_{i≤16}σ²; medians (and AI quartiles),
  - gradient covariance: per-example gradients of M = 256 fresh examples by torch.func
    (vmap of grad; a per-example autograd loop if vmap fails), flattened over all parameters and
    the readout; rows normalised, columns centred, near-constant columns dropped (norm ≤ 1e-10·√M);
    singular values S; AI = S1/S10, CE = Σ_{i≤10}S²/ΣS² (operators.update_anisotropy).

Writes OUT/s2_transport.csv (arm, task, seed, step, lag, metric, value) and OUT/s2_gradcov.csv
(arm, task, seed, step, ai, ce, columns), and prints the Tau script's summary table. Figures are
skipped (no matplotlib): the Tau script's SVG plots are drawn from exactly these CSV columns.

The last line is `tau bench`'s format, `torch/paper/s2/1seed<TAB>seconds<TAB>s` (`Nseeds` for
--seeds N), the wall time from the start of the script (torch's import included); lines starting
with `#` are comments, among them the time of each phase (training, probing and its parts).
Models, tasks and training come from paper_s1.py.
"""
import argparse
import os
import sys
import time
from functools import partial

START = time.perf_counter()  # wall time counts from here, torch's import included

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

import paper_s1  # noqa: E402
from operators import median, update_anisotropy  # noqa: E402
from paper_s1 import (F64, TASKS, Clock, comment, forward, init_model, jacobians, report,  # noqa: E402
                      step, stream, train, write_csv)

paper_s1.START = START  # report() measures from this script's start

ARMS = [("plain+adam", "plain", "adam", 1e-3), ("scalar+sgd", "scalar", "sgd", 1e-2),
        ("multi+sgd", "multi", "sgd", 1e-2)]
CHECKPOINTS = [0, 400, 800, 1200]
LAGS = [1, 2, 4, 8, 12, 16, 24, 32, 40]
LENGTH, INPUT, TRAIN_BATCH, PROBE_BATCH, PAIRS = 120, 6, 64, 64, 64
R, TOP = 10, 16  # AI = σ1/σ_R; CE over the top R of TOP singular values


# ---------------------------------------------------------------------------------------------
# Propagation anisotropy (paper.md §6)


def quantile(x, q):
    return torch.quantile(x, q).item()  # linear interpolation, as NumPy


def anisotropy(cell, p, u, lags, pairs, seed):
    """{lag: (median AI, median CE, AI q25, AI q75, pairs)} over up to `pairs` (b, t, k) per lag
    with t - k = lag, drawn without replacement from all B·(T-lag) candidates by a stream seeded
    from (seed, lag). P_{t,k} = J_t ⋯ J_{k+1} is built batched over the pairs, the Jacobians of the
    sampled steps in closed form; pairs with non-finite singular values are skipped."""
    batch, length, _ = u.shape
    H, A, G = forward(cell, p, u)
    n = H.shape[-1]
    top = min(TOP, n)
    rank = min(R, top)

    def J(b, s):  # J_s for the sequences b
        return jacobians(cell, p, H[b, s - 1], A[b, s - 1], None if G is None else G[b, s - 1])

    out = {}
    for h in lags:
        candidates = batch * (length - h)
        chosen = (torch.arange(candidates) if candidates <= pairs
                  else torch.randperm(candidates, generator=stream("anisotropy", seed, h))[:pairs])
        b, t = chosen // (length - h), h + 1 + chosen % (length - h)
        P = J(b, t)
        for j in range(1, h):
            P = P @ J(b, t - j)
        sv = torch.linalg.svdvals(P)[:, :top]
        sv = sv[torch.isfinite(sv).all(1)]
        ai = sv[:, 0] / sv[:, rank - 1]
        ce = (sv[:, :rank] ** 2).sum(1) / (sv ** 2).sum(1)
        out[h] = (median(ai).item(), median(ce).item(), quantile(ai, 0.25), quantile(ai, 0.75), len(sv))
    return out


# ---------------------------------------------------------------------------------------------
# Update anisotropy: per-example gradients (paper.md §6)


def example_loss(params, x, y, cell):
    """(W_o h_T - y)² for one sequence x [T, m] (each example's own MSE)."""
    h = x.new_zeros(params["wr"].shape[0])
    for t in range(x.shape[0]):
        h = step(cell, params, h, x[t])[0]
    return ((params["wo"] @ h - y) ** 2).sum()


def per_example_vmap(cell, p, X, Y):
    """G [M, P] by torch.func.vmap(grad(loss)) over the examples; columns by sorted name."""
    from torch.func import grad, vmap

    grads = vmap(grad(partial(example_loss, cell=cell)), in_dims=(None, 0, 0))(p, X, Y)
    return torch.cat([grads[name].reshape(X.shape[0], -1) for name in sorted(grads)], 1)


def per_example_loop(cell, p, X, Y):
    """G [M, P] one example at a time with autograd (the fallback)."""
    params = {name: value.clone().requires_grad_() for name, value in p.items()}
    names = sorted(params)
    rows = []
    for x, y in zip(X, Y):
        grads = torch.autograd.grad(example_loss(params, x, y, cell), [params[k] for k in names])
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def choose_per_example(cells):
    """vmap if it works and agrees with the loop (to 1e-10) on a tiny model for every cell."""
    try:
        for cell in cells:
            p = {k: v.to(F64) for k, v in init_model(cell, 8, INPUT, 0).items()}
            X, Y = TASKS["adding"](stream("check", "vmap"), 3, 10, INPUT)
            loop, vm = per_example_loop(cell, p, X, Y), per_example_vmap(cell, p, X, Y)
            error = ((vm - loop).abs().max() / loop.abs().max()).item()
            assert error < 1e-10, f"{cell}: vmap per-example gradients differ from the loop by {error}"
            comment(f"check: {cell} per-example gradients, vmap matches the autograd loop to {error:.1e}")
    except Exception as error:  # noqa: BLE001 - any failure of torch.func: use the loop
        comment(f"torch.func vmap unavailable ({type(error).__name__}: {error}); per-example autograd loop")
        return per_example_loop
    return per_example_vmap


# ---------------------------------------------------------------------------------------------
# The experiment


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/s2")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--steps", type=int, default=1200)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--samples", type=int, default=256, help="M, examples of the gradient covariance")
    parser.add_argument("--tasks", default="all", help="all or one of " + ", ".join(TASKS))
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = parser.parse_args()
    if args.tasks != "all" and args.tasks not in TASKS:
        parser.error(f"--tasks must be all or one of {', '.join(TASKS)}")
    if args.samples < R:
        parser.error(f"--samples must be ≥ {R}")
    torch.set_num_threads(args.threads)
    comment(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU; training float32, "
            f"probes float64; load average {os.getloadavg()[0]:.2f} at start")
    paper_s1.check_jacobians([cell for _, cell, _, _ in ARMS])
    per_example = choose_per_example([cell for _, cell, _, _ in ARMS])

    tasks = list(TASKS) if args.tasks == "all" else [args.tasks]
    checkpoints = [c for c in CHECKPOINTS if c <= args.steps]
    clock = Clock()
    transport, updates = [], []
    summary = {}  # (task, step, arm) → [(AI lag 1, AI last lag, CE last lag, gradcov AI, gradcov CE)]
    for task in tasks:
        for seed in range(1, args.seeds + 1):
            probe, _ = TASKS[task](stream("probe", task, seed), PROBE_BATCH, LENGTH, INPUT)
            for arm, cell, optimizer, lr in ARMS:
                p0 = init_model(cell, args.hidden, INPUT, seed)
                saved, _ = train(cell, p0, task, LENGTH, INPUT, seed, optimizer, lr, args.steps,
                                 TRAIN_BATCH, checkpoints, clock)
                for c in checkpoints:
                    p = saved[c]
                    t0 = time.perf_counter()
                    a = anisotropy(cell, p, probe, LAGS, PAIRS, seed)
                    t0 = clock.add("probing: anisotropy", t0)
                    for h, values in a.items():
                        transport += [(arm, task, seed, c, h, metric, f"{v:.17g}")
                                      for metric, v in zip(["ai", "ce", "ai_q25", "ai_q75", "pairs"], values)]
                    X, Y = TASKS[task](stream("gradcov", task, seed, c), args.samples, LENGTH, INPUT)
                    t0 = clock.add("probing: gradcov data", t0)
                    G = per_example(cell, p, X, Y)
                    t0 = clock.add("probing: gradcov per-example gradients", t0)
                    gai, gce, columns = update_anisotropy(G)
                    clock.add("probing: gradcov spectrum", t0)
                    updates.append((arm, task, seed, c, f"{gai:.17g}", f"{gce:.17g}", columns))
                    summary.setdefault((task, c, arm), []).append(
                        (a[LAGS[0]][0], a[LAGS[-1]][0], a[LAGS[-1]][1], gai, gce))

    t0 = time.perf_counter()
    write_csv(os.path.join(args.out, "s2_transport.csv"),
              ["arm", "task", "seed", "step", "lag", "metric", "value"], transport)
    write_csv(os.path.join(args.out, "s2_gradcov.csv"),
              ["arm", "task", "seed", "step", "ai", "ce", "columns"], updates)
    clock.add("output: csv", t0)

    # Summary: mean over seeds per task, checkpoint and arm, as the Tau script prints.
    print("task       step  arm          AI(lag 1)  AI(lag 40)  CE(lag 40)  gradcov AI  gradcov CE")
    for task in tasks:
        for c in checkpoints:
            for arm, _, _, _ in ARMS:
                m = [sum(column) / len(column) for column in zip(*summary[(task, c, arm)])]
                print(f"{task:<10} {c:>4}  {arm:<11}  {m[0]:>9.4g}  {m[1]:>10.4g}  {m[2]:>10.4f}  "
                      f"{m[3]:>10.4g}  {m[4]:>10.4f}")

    redrawn, drawn = paper_s1.NARMA_REDRAWN
    if drawn:
        comment(f"narma10: redrew {redrawn} of {drawn} sequences whose recursion diverged (|y_t| > "
                f"{paper_s1.NARMA_BOUND:g}); see paper_s1.narma10")
    report(clock, "paper/s2", args.seeds)


if __name__ == "__main__":
    main()
