#!/usr/bin/env python3
"""PyTorch peer of examples/paper/s1_efflr.tau (paper.md §5, experiment S1): effective-learning-rate
profiles of three gated RNNs trained with plain SGD on the adding task.

Models (paper.md §2; n = 64, m = 4, no biases, readout ŷ = W_o h_T, h_0 = 0, U(±1/√fan_in)):
leaky with a constant gate α = 0.8, a scalar gate and a per-unit ("multi") gate. Training: adding
task (paper.md §8) with T = 80, a fresh batch of 64 each step, MSE, torch.optim.SGD(lr=1e-2),
800 steps, float32. At checkpoints 0, 50, 200, 400, 600, 800, on a fixed probe batch of 12
sequences, in float64:
  - the exact per-step Jacobians J_t by their closed forms (paper.md §3),
  - all-pairs sensitivities S_{t,k} = ‖P_{t,k}‖₂, 1 ≤ k < t ≤ T, exact spectral norms: for each
    k, P_{t,k} = J_t P_{t-1,k} reused over t and batched over the sequences, the norms of all
    (t, b) for one k in one torch.linalg.matrix_norm(ord=2) call (operators.sensitivity_reuse),
  - the efflr profile with both zeroth-order predictors (the candidate gate g and the retention
    1-g, products over the transport's steps k+1..t, mean over units), and the log-log fit of
    log S on log P over the pairs whose P lies within its 1%–99% quantiles.

Writes OUT/s1_profiles.csv (model, seed, step, predictor, lag, metric, value) and
OUT/s1_slopes.csv (model, seed, step, loss, slope_gate, r2_gate, slope_retention, r2_retention),
and prints the Tau script's summary table. Figures are skipped (no matplotlib): the Tau script's
SVG plots are drawn from exactly these CSV columns.

The last line is `tau bench`'s format, `torch/paper/s1/1seed<TAB>seconds<TAB>s` (`Nseeds` for
--seeds N), the wall time from the start of the script (torch's import included); lines starting
with `#` are comments, among them the time of each phase (training, probing and its parts).

The model code here (cells, forward pass, closed-form Jacobians, tasks, training) is shared with
paper_s2.py, which imports it.
"""
import argparse
import csv
import math
import os
import sys
import time
import zlib

START = time.perf_counter()  # wall time counts from here, torch's import included

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402

from operators import exact_norm, gate_predictor, median, sensitivity_reuse  # noqa: E402

IMPORTED = time.perf_counter()
F32, F64 = torch.float32, torch.float64
ALPHA = 0.8  # the leaky cell's constant gate


# ---------------------------------------------------------------------------------------------
# Output


def comment(text):
    print(f"# {text}", flush=True)


def bench_line(name, seconds):
    print(f"torch/{name}\t{seconds:.6g}\ts", flush=True)


def seeds_tag(seeds):
    return "1seed" if seeds == 1 else f"{seeds}seeds"


def write_csv(path, header, rows):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        writer.writerows(rows)


class Clock:
    """Seconds spent per named phase (accumulated over the whole run)."""

    def __init__(self):
        self.seconds = {}

    def add(self, name, since):
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - since
        return now


def stream(*keys):
    """A torch.Generator seeded deterministically from `keys` (a named, independent stream)."""
    return torch.Generator().manual_seed(zlib.crc32(repr(keys).encode()))


# ---------------------------------------------------------------------------------------------
# Models (paper.md §2): cells "plain", "leaky" (constant gate α), "scalar", "multi". Parameters
# are a dict: wr [n, n], wi [n, m], for gated cells wrg [w, n], wig [w, m] (w = 1 scalar, n multi),
# and the readout wo [1, n]. Every function works on a batch ([B, n] states) and, for the
# per-example gradients of paper_s2.py, on one sequence ([n] states) too.


def init_model(cell, n, m, seed):
    """U(±1/√fan_in) for every matrix (PyTorch's default nn.Linear initialisation), float32."""
    gen = stream("init", cell, seed)

    def uniform(shape, fan_in):
        return (torch.rand(shape, generator=gen, dtype=F64) * 2 - 1) / math.sqrt(fan_in)

    p = {"wr": uniform((n, n), n), "wi": uniform((n, m), m)}
    width = {"scalar": 1, "multi": n}.get(cell)
    if width:
        p["wrg"], p["wig"] = uniform((width, n), n), uniform((width, m), m)
    p["wo"] = uniform((1, n), n)
    return {name: value.to(F32) for name, value in p.items()}


def step(cell, p, h, x):
    """One step: (h_t, a_t, g_t) from h_{t-1} [..., n] and u_t [..., m]; g is None for the plain
    cell, the float α for the leaky cell, else σ(W_rg h + W_ig u) [..., w]."""
    a = h @ p["wr"].T + x @ p["wi"].T
    if cell == "plain":
        return torch.tanh(a), a, None
    g = ALPHA if cell == "leaky" else torch.sigmoid(h @ p["wrg"].T + x @ p["wig"].T)
    return g * torch.tanh(a) + (1 - g) * h, a, g


def predict(cell, p, u):
    """ŷ = W_o h_T [B] for inputs u [B, T, m] (the training forward pass)."""
    h = u.new_zeros(u.shape[0], p["wr"].shape[0])
    for t in range(u.shape[1]):
        h = step(cell, p, h, u[:, t])[0]
    return (h @ p["wo"].T).squeeze(-1)


def forward(cell, p, u):
    """States H [B, T+1, n] (H[:, 0] = h_0 = 0), pre-activations A [B, T, n] and gates G [B, T, w]
    (A[:, t-1] = a_t, G[:, t-1] = g_t; G = α everywhere for the leaky cell, None for plain)."""
    batch, length, _ = u.shape
    h = u.new_zeros(batch, p["wr"].shape[0])
    hs, as_, gs = [h], [], []
    for t in range(length):
        h, a, g = step(cell, p, h, u[:, t])
        hs.append(h), as_.append(a), gs.append(g)
    if cell == "plain":
        G = None
    elif cell == "leaky":
        G = u.new_full((batch, length, 1), ALPHA)
    else:
        G = torch.stack(gs, 1)
    return torch.stack(hs, 1), torch.stack(as_, 1), G


def jacobians(cell, p, h_prev, a, g):
    """Closed-form J_t = dh_t/dh_{t-1} (paper.md §3), batched over the leading dimensions of
    h_prev, a [..., n] and g [..., w] → [..., n, n]:
      plain  D W_r;   leaky  (1-α) I + α D W_r;
      scalar/multi  diag(1-g) + diag(g) D W_r + diag(φ(a) - h_{t-1}) diag(g(1-g)) W_rg
    (for the scalar gate w = 1: g broadcasts over units and the last term is rank one)."""
    phi = torch.tanh(a)
    d = 1 - phi * phi
    if cell == "plain":
        return d.unsqueeze(-1) * p["wr"]
    if cell == "leaky":
        J = (ALPHA * d).unsqueeze(-1) * p["wr"]
        J.diagonal(dim1=-2, dim2=-1).add_(1 - ALPHA)
        return J
    J = (g * d).unsqueeze(-1) * p["wr"] + ((phi - h_prev) * g * (1 - g)).unsqueeze(-1) * p["wrg"]
    J.diagonal(dim1=-2, dim2=-1).add_(1 - g)
    return J


def step_jacobians(cell, p, u):
    """J [B, T, n, n] with J[:, t-1] = J_t, and the gates G (as in forward)."""
    H, A, G = forward(cell, p, u)
    return jacobians(cell, p, H[:, :-1], A, G), G


def as_f64(p):
    return {name: value.detach().to(F64) for name, value in p.items()}


def check_jacobians(cells, n=16, m=4):
    """The closed forms against torch.autograd.functional.jacobian of one step, to 1e-10."""
    for cell in cells:
        gen = stream("check", cell)
        p = as_f64(init_model(cell, n, m, 0))
        h = torch.rand(n, generator=gen, dtype=F64) * 2 - 1
        x = torch.rand(m, generator=gen, dtype=F64)
        auto = torch.autograd.functional.jacobian(lambda v: step(cell, p, v, x)[0], h)
        _, a, g = step(cell, p, h, x)
        error = (auto - jacobians(cell, p, h, a, g)).abs().max().item()
        assert error < 1e-10, f"{cell}: closed-form Jacobian differs from autograd by {error}"
        comment(f"check: {cell} closed-form Jacobian matches autograd to {error:.1e}")


# ---------------------------------------------------------------------------------------------
# Tasks (paper.md §8): batch(gen, n, length, channels) → inputs [n, T, m], targets [n], float64.


def adding(gen, n, length, channels):
    """channels-1 U[0,1] channels + a marker channel; one marker in [0, T/2), one in [T/2, T);
    target = sum of channel 0 at the markers."""
    X = torch.rand(n, length, channels, generator=gen, dtype=F64)
    X[:, :, -1] = 0
    half = length // 2
    first = torch.randint(0, half, (n,), generator=gen)
    second = half + torch.randint(0, length - half, (n,), generator=gen)
    rows = torch.arange(n)
    X[rows, first, -1] = 1
    X[rows, second, -1] = 1
    return X, X[rows, first, 0] + X[rows, second, 0]


def ar2(gen, n, length, channels):
    """x_t = 1.6 x_{t-1} - 0.7 x_{t-2} + ε_t, ε ~ N(0, 0.05²), x_0 = x_{-1} = 0; target x_T;
    inputs i.i.d. U[0,1] distractors (as in the reference)."""
    X = torch.rand(n, length, channels, generator=gen, dtype=F64)
    noise = 0.05 * torch.randn(n, length, generator=gen, dtype=F64)
    previous, current = X.new_zeros(n), X.new_zeros(n)
    for t in range(length):
        previous, current = current, 1.6 * current - 0.7 * previous + noise[:, t]
    return X, current


def movingavg(gen, n, length, channels):
    """Channel 0 ~ U[0,1], the others 0; target = mean of the last 8 values."""
    X = torch.zeros(n, length, channels, dtype=F64)
    X[:, :, 0] = torch.rand(n, length, generator=gen, dtype=F64)
    return X, X[:, -8:, 0].mean(1)


def delaysum(gen, n, length, channels):
    """All channels U[0,1] (1… are distractors); target = ¼ Σ_{d∈{4,12,24,36}} u_{T-1-d}."""
    X = torch.rand(n, length, channels, generator=gen, dtype=F64)
    return X, sum(X[:, length - 1 - d, 0] for d in (4, 12, 24, 36)) / 4


NARMA_BOUND = 10.0  # |y_t| above this means the recursion diverged (typical y_t < 1)
NARMA_REDRAWN = [0, 0]  # sequences redrawn, sequences drawn (reported by paper_s2.py)


def narma10(gen, n, length, channels):
    """u ~ U[0, 0.5] in channel 0 (others 0); y_0 = 0,
    y_{t+1} = 0.3 y_t + 0.05 y_t Σ_{i=0}^{9} y_{t-i} + 1.5 u_{t-9} u_t + 0.1; target y_T.
    The recursion diverges (to inf within a few steps) for about 1 sequence in 1000 at T = 120,
    i.e. in several percent of the batches of 64; such a sequence (any |y_t| > NARMA_BOUND) is
    redrawn, so that training sees finite targets. paper.md and Tau's generator do not say what
    to do (Tau's training stops on the non-finite loss); the reference trains on the NaNs."""
    u = 0.5 * torch.rand(n, length, generator=gen, dtype=F64)
    X = torch.zeros(n, length, channels, dtype=F64)
    X[:, :, 0] = u
    y = [X.new_zeros(n)]  # y[t] = y_t
    window = X.new_zeros(n)  # Σ_{i=0}^{9} y_{t-i} (terms before y_0 are 0), kept as a running sum
    largest = X.new_zeros(n)
    for t in range(length):
        window = window + y[t] - (y[t - 10] if t >= 10 else 0)
        delayed = u[:, t - 9] if t >= 9 else 0
        y.append(0.3 * y[t] + 0.05 * y[t] * window + 1.5 * delayed * u[:, t] + 0.1)
        largest = torch.maximum(largest, y[-1].abs().nan_to_num(math.inf))
    target = y[length]
    bad = largest > NARMA_BOUND
    NARMA_REDRAWN[0] += int(bad.sum())
    NARMA_REDRAWN[1] += n
    if bad.any():
        X[bad], target[bad] = narma10(gen, int(bad.sum()), length, channels)
    return X, target


TASKS = {"adding": adding, "ar2": ar2, "movingavg": movingavg, "delaysum": delaysum, "narma10": narma10}


# ---------------------------------------------------------------------------------------------
# Training


def train(cell, p0, task, length, channels, data_seed, optimizer, lr, steps, batch, checkpoints, clock):
    """Trains a float32 copy of p0 for `steps` updates, a fresh batch each step from the stream
    ("train", task, data_seed) (so every model of one seed sees the same batches). Returns
    ({step: float64 parameters} at the checkpoints (0 = before training), per-step losses)."""
    params = {name: value.clone().requires_grad_() for name, value in p0.items()}
    opt = (torch.optim.SGD if optimizer == "sgd" else torch.optim.Adam)(list(params.values()), lr=lr)
    gen = stream("train", task, data_seed)
    saved = {0: as_f64(params)} if 0 in checkpoints else {}
    losses = []
    for k in range(1, steps + 1):
        t0 = time.perf_counter()
        x, y = TASKS[task](gen, batch, length, channels)
        x, y = x.to(F32), y.to(F32)
        t0 = clock.add("training: data", t0)
        loss = ((predict(cell, params, x) - y) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(loss.item())
        if not math.isfinite(losses[-1]):
            raise RuntimeError(f"{cell} on {task}: the loss is not finite at step {k}")
        if k in checkpoints:
            saved[k] = as_f64(params)
        clock.add("training: steps", t0)
    return saved, losses


# ---------------------------------------------------------------------------------------------
# Effective learning rates (paper.md §5)


def efflr(S, GP, trim=0.01):
    """Profile of sensitivities S [B, T, T] (S[b, t-1, k-1] = S_{t,k}) against the predictor GP
    (same layout): (empirical, predicted, fitted profiles over lags 1..T-1, slope, R², pairs used).
    Medians over batch and t per lag; the fit is ordinary least squares of log S on log P over the
    pairs (positive, finite) whose P lies within its [trim, 1-trim] quantiles."""
    length = S.shape[1]
    lags = range(1, length)
    empirical = torch.stack([median(torch.diagonal(S, -h, 1, 2)) for h in lags])
    predicted = torch.stack([median(torch.diagonal(GP, -h, 1, 2)) for h in lags])
    mask = torch.ones(length, length, dtype=torch.bool).tril(-1).expand_as(S)
    s, gp = S[mask], GP[mask]
    ok = (s > 0) & (gp > 0) & torch.isfinite(s) & torch.isfinite(gp)
    s, gp = s[ok], gp[ok]
    lo, hi = torch.quantile(gp, torch.tensor([trim, 1 - trim], dtype=F64))
    keep = (gp >= lo) & (gp <= hi)
    x, y = torch.log(gp[keep]), torch.log(s[keep])
    xc, yc = x - x.mean(), y - y.mean()
    slope = ((xc * yc).sum() / (xc * xc).sum()).item()
    r2 = (1 - ((yc - slope * xc) ** 2).sum() / (yc * yc).sum()).item()
    predicted = predicted / predicted[0]
    return empirical / empirical[0], predicted, predicted ** slope, slope, r2, int(keep.sum())


def check_sensitivity(cell, p, u, S):
    """One S_{t,k} against the spectral norm of autograd's Jacobian of h_t with respect to h_k."""
    H, _, _ = forward(cell, p, u)
    length = u.shape[1]
    b, t = 0, min(length, 12)
    k = max(1, t - 6)

    def run(h):
        for s in range(k + 1, t + 1):
            h = step(cell, p, h, u[b, s - 1])[0]
        return h

    exact = exact_norm(torch.autograd.functional.jacobian(run, H[b, k]))
    error = (abs(exact - S[b, t - 1, k - 1]) / exact).item()
    assert error < 1e-10, f"{cell}: S_(t,k) differs from autograd's transport by {error}"
    comment(f"check: {cell} S_{{{t},{k}}} matches autograd's transport norm to {error:.1e} (relative)")


# ---------------------------------------------------------------------------------------------
# The experiment


MODELS = ["leaky", "scalar", "multi"]
CHECKPOINTS = [0, 50, 200, 400, 600, 800]
LENGTH, INPUT, TRAIN_BATCH, PROBE_BATCH, LR = 80, 4, 64, 12, 1e-2


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", default="results/s1")
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--steps", type=int, default=800)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="torch.set_num_threads (default 2)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    comment(f"torch {torch.__version__}, {torch.get_num_threads()} threads, CPU; training float32, "
            f"probes float64; load average {os.getloadavg()[0]:.2f} at start")
    check_jacobians(MODELS)

    checkpoints = [c for c in CHECKPOINTS if c <= args.steps]
    clock = Clock()
    profiles, slopes = [], []
    summary = {}  # (model, step) → [(slope_gate, r2_gate, slope_retention, r2_retention)]
    for model in MODELS:
        for seed in range(1, args.seeds + 1):
            p0 = init_model(model, args.hidden, INPUT, seed)
            probe, _ = adding(stream("probe", "adding", seed), PROBE_BATCH, LENGTH, INPUT)
            saved, losses = train(model, p0, "adding", LENGTH, INPUT, seed, "sgd", LR, args.steps,
                                  TRAIN_BATCH, checkpoints, clock)
            for c in checkpoints:
                p = saved[c]
                t0 = time.perf_counter()
                J, G = step_jacobians(model, p, probe)
                t0 = clock.add("probing: jacobians", t0)
                S = sensitivity_reuse(J, exact_norm)
                t0 = clock.add("probing: sensitivity", t0)
                if c == 0 and seed == 1:
                    check_sensitivity(model, p, probe, S)
                    t0 = time.perf_counter()  # the check is not timed
                fits = {}
                for predictor, factor in [("gate", G), ("retention", 1 - G)]:
                    empirical, predicted, fitted, slope, r2, _ = efflr(S, gate_predictor(factor))
                    fits[predictor] = (slope, r2)
                    curves = {"empirical": empirical, "predicted": predicted, "fitted": fitted}
                    for metric, values in curves.items():
                        profiles += [(model, seed, c, predictor, lag, metric, f"{v:.17g}")
                                     for lag, v in enumerate(values.tolist(), 1)]
                clock.add("probing: efflr", t0)
                loss = losses[max(0, c - 1)] if losses else float("nan")
                row = (*fits["gate"], *fits["retention"])
                slopes.append((model, seed, c, loss, *row))
                summary.setdefault((model, c), []).append(row)

    t0 = time.perf_counter()
    write_csv(os.path.join(args.out, "s1_profiles.csv"),
              ["model", "seed", "step", "predictor", "lag", "metric", "value"], profiles)
    write_csv(os.path.join(args.out, "s1_slopes.csv"),
              ["model", "seed", "step", "loss", "slope_gate", "r2_gate", "slope_retention", "r2_retention"],
              slopes)
    clock.add("output: csv", t0)

    # Summary: mean over seeds per model and checkpoint, as the Tau script prints.
    print("model   step   slope (gate)   R²      slope (retention)   R²")
    for model in MODELS:
        for c in checkpoints:
            mean = [sum(column) / len(column) for column in zip(*summary[(model, c)])]
            print(f"{model:<7} {c:>4}   {mean[0]:>12.6f}   {mean[1]:.4f}  {mean[2]:>17.6f}   {mean[3]:.4f}")

    report(clock, "paper/s1", args.seeds)


def report(clock, name, seeds):
    """Per-phase `#` lines, then the machine-readable total."""
    total = time.perf_counter() - START
    comment(f"phase imports (torch, helpers): {IMPORTED - START:.3f} s")
    for group in ["training", "probing"]:
        parts = {k: v for k, v in clock.seconds.items() if k.startswith(group + ":")}
        detail = ", ".join(f"{k.split(': ')[1]} {v:.3f} s" for k, v in parts.items())
        comment(f"phase {group}: {sum(parts.values()):.3f} s ({detail})")
    for k, v in clock.seconds.items():
        if not k.startswith(("training:", "probing:")):
            comment(f"phase {k}: {v:.3f} s")
    comment(f"load average {os.getloadavg()[0]:.2f} at the end")
    bench_line(f"{name}/{seeds_tag(seeds)}", total)


if __name__ == "__main__":
    main()
