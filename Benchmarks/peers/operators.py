#!/usr/bin/env python3
"""PyTorch peer of Tau's built-in operators (paper.md §3-6): per-step Jacobians, sensitivities
S_{t,k} = ‖P_{t,k}‖₂ (a naive per-pair loop and a vectorised prefix-reuse version, exact and
5-iteration power norms), effective-learning-rate profile and calibration, propagation and update
(gradient covariance) anisotropy, the Fréchet check and the Lyapunov spectrum.

Model: the leaky RNN with a per-unit ("multi") gate, no biases, h_0 = 0,
    h_t = g_t ⊙ tanh(W_r h_{t-1} + W_i u_t) + (1 - g_t) ⊙ h_{t-1},  g_t = σ(W_rg h_{t-1} + W_ig u_t),
weights U(±1/√fan_in) (seeded), n = 64, m = 4, probe batch B = 12 of length T = 80, inputs U[0,1].
CPU, float64, two threads; this is the straightforward code a careful PyTorch user would write.

Prints `tau bench`'s line format `name<TAB>value<TAB>unit` with a torch/ prefix; lines starting
with `#` are comments (diagnostics, counts, how a figure was obtained). Timing: a call taking more
than 10 s is timed once; otherwise the median of repeated calls (a first call under 1 s is a
warm-up and is dropped; at least 5 samples and MIN_SECONDS (default 1.5) for calls under 1 s, at
least 3 samples for longer ones). The correctness asserts run outside the timed calls.

ONLY=name1,name2 selects figures (names: see FIGURES); FULL_LOOP=1 also runs the naive loop over
every pair once, to validate its extrapolation. The naive sensitivity loop is O(B T³ n³):
it is measured on a fixed random sample of pairs and extrapolated (see sensitivity_loop_figure).
"""
import math
import os
import statistics
import sys
import time

MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "1.5"))
LONG_CALL = 10.0  # seconds: time such a call once
FIGURES = ["jacobians", "sensitivity-loop", "sensitivity-reuse", "efflr", "anisotropy", "gradcov",
           "frechet", "lyapunov"]
N, INPUT, LENGTH, BATCH = 64, 4, 80, 12  # the S1 probe
PROBE = f"multi-n{N}-T{LENGTH}-B{BATCH}"
LOOP_PAIRS = 400  # pairs the naive sensitivity loop is measured on
S2_LENGTH, S2_BATCH, S2_PAIRS, S2_LAGS = 120, 64, 64, [1, 2, 4, 8, 12, 16, 24, 32, 40]
GRAD_EXAMPLES, GRAD_INPUT = 256, 6

try:
    import torch
except ImportError as error:  # reported in main
    torch, TORCH_ERROR = None, error
else:
    F64 = torch.float64


# ---------------------------------------------------------------------------------------------
# Timing and output


def timed(call):
    """(median seconds, last result, samples) as described in the module docstring."""
    t0 = time.perf_counter()
    result = call()
    first = time.perf_counter() - t0
    if first > LONG_CALL:
        return first, result, 1
    samples = [first] if first >= 1 else []
    minimum = 3 if first >= 1 else 5
    start = time.perf_counter()
    while len(samples) < minimum or (first < 1 and time.perf_counter() - start < MIN_SECONDS):
        t0 = time.perf_counter()
        result = call()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples), result, len(samples)


def busy_seconds():
    """(CPU seconds all processes have been busy, of which this process) or None off Linux."""
    try:
        with open("/proc/stat") as stat:
            fields = [int(x) for x in stat.readline().split()[1:]]
    except (OSError, ValueError):
        return None
    own = os.times()
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK"), own.user + own.system


def line(name, value, unit):
    print(f"torch/{name}\t{value:.6g}\t{unit}", flush=True)


def comment(text):
    print(f"# {text}", flush=True)


# ---------------------------------------------------------------------------------------------
# Model and Jacobians (paper.md §2-3)


def uniform(gen, shape, bound):
    return (torch.rand(shape, generator=gen, dtype=F64) * 2 - 1) * bound


def init_params(seed, n, m, readout=False):
    """U(±1/√fan_in), as PyTorch's default Linear initialisation."""
    gen = torch.Generator().manual_seed(seed)
    p = {"wr": uniform(gen, (n, n), 1 / math.sqrt(n)), "wi": uniform(gen, (n, m), 1 / math.sqrt(m)),
         "wrg": uniform(gen, (n, n), 1 / math.sqrt(n)), "wig": uniform(gen, (n, m), 1 / math.sqrt(m))}
    if readout:
        p["wo"] = uniform(gen, (1, n), 1 / math.sqrt(n))
    return p


def cell(p, h, x):
    """One step for a batch: (h_t, a_t, g_t) from h_{t-1} [..., n] and u_t [..., m]."""
    a = h @ p["wr"].T + x @ p["wi"].T
    g = torch.sigmoid(h @ p["wrg"].T + x @ p["wig"].T)
    return g * torch.tanh(a) + (1 - g) * h, a, g


def forward(p, u):
    """States H [B, T+1, n] (H[:, 0] = h_0 = 0), pre-activations A and gates G [B, T, n]
    (A[:, t-1] = a_t, G[:, t-1] = g_t)."""
    batch, length, _ = u.shape
    h = u.new_zeros(batch, p["wr"].shape[0])
    hs, as_, gs = [h], [], []
    for t in range(length):
        h, a, g = cell(p, h, u[:, t])
        hs.append(h), as_.append(a), gs.append(g)
    return torch.stack(hs, 1), torch.stack(as_, 1), torch.stack(gs, 1)


def jacobian_parts(p, h_prev, a, g):
    """Frozen-gate part diag(1-g) + diag(g) D W_r and gate part diag(φ(a) - h_{t-1}) diag(g(1-g)) W_rg
    of J_t, batched over any leading dimensions of h_prev, a, g [..., n] → [..., n, n]."""
    phi = torch.tanh(a)
    frozen = (g * (1 - phi * phi)).unsqueeze(-1) * p["wr"]
    frozen = frozen + torch.diag_embed(1 - g)
    gate = ((phi - h_prev) * g * (1 - g)).unsqueeze(-1) * p["wrg"]
    return frozen, gate


def jacobians(p, h_prev, a, g):
    """J_t = frozen + gate part (same formula as jacobian_parts, with fewer temporaries)."""
    phi = torch.tanh(a)
    J = (g * (1 - phi * phi)).unsqueeze(-1) * p["wr"] + ((phi - h_prev) * g * (1 - g)).unsqueeze(-1) * p["wrg"]
    J.diagonal(dim1=-2, dim2=-1).add_(1 - g)
    return J


def step_jacobians(p, u):
    """J [B, T, n, n] with J[:, t-1] = J_t = dh_t/dh_{t-1}, and the gates G [B, T, n]."""
    H, A, G = forward(p, u)
    return jacobians(p, H[:, :-1], A, G), G


class Probe:
    """The S1 probe (seed 0): parameters, inputs, Jacobians, gates; S filled in on demand."""

    def __init__(self):
        self.p = init_params(0, N, INPUT)
        self.u = torch.rand(BATCH, LENGTH, INPUT, generator=torch.Generator().manual_seed(1), dtype=F64)
        self.J, self.G = step_jacobians(self.p, self.u)
        self.S = None
        self.loop_values = None  # (pairs, sensitivities) of the naive loop, checked against S at the end

    def check(self):
        if self.loop_values is not None:
            pairs, values = self.loop_values
            S = self.sensitivities()
            reference = torch.stack([S[b, t - 1, k - 1] for b, t, k in pairs])
            error = ((values - reference).abs() / reference).max().item()
            assert error < 1e-10, "loop and reuse sensitivities differ"
            comment(f"check: naive-loop and prefix-reuse sensitivities agree to {error:.1e} (relative)")

    def sensitivities(self):
        if self.S is None:
            self.S = sensitivity_reuse(self.J, exact_norm)
        return self.S


# ---------------------------------------------------------------------------------------------
# Sensitivities (paper.md §3, §5)


def all_pairs(batch, length):
    """Every (b, t, k) with 1 ≤ k < t ≤ T."""
    return [(b, t, k) for b in range(batch) for t in range(2, length + 1) for k in range(1, t)]


def products(pairs):
    """Matrix products the naive loop does: P_{t,k} = J_t ⋯ J_{k+1} takes t-k-1."""
    return sum(t - k - 1 for _, t, k in pairs)


def sensitivity_loop(J, pairs, times=None):
    """The naive per-pair loop: every P_{t,k} built from scratch, its exact spectral norm."""
    out = []
    for b, t, k in pairs:
        t0 = time.perf_counter()
        P = J[b, t - 1]
        for j in range(t - 1, k, -1):
            P = P @ J[b, j - 1]
        out.append(torch.linalg.matrix_norm(P, ord=2))
        if times is not None:
            times.append(time.perf_counter() - t0)
    return torch.stack(out)


def exact_norm(P):
    return torch.linalg.matrix_norm(P, ord=2)


def power_norm(P, iterations, gen):
    """‖P‖₂ estimate: v ← Pᵀ(P v)/‖·‖ from a random unit start, then ‖P v‖; batched."""
    v = torch.randn(P.shape[:-1], generator=gen, dtype=P.dtype)
    v = v / v.norm(dim=-1, keepdim=True)
    for _ in range(iterations):
        v = (P.mT @ (P @ v.unsqueeze(-1))).squeeze(-1)
        v = v / v.norm(dim=-1, keepdim=True)
    return (P @ v.unsqueeze(-1)).squeeze(-1).norm(dim=-1)


def sensitivity_reuse(J, norm):
    """S [B, T, T], S[b, t-1, k-1] = norm(P_{t,k}) for k < t (0 elsewhere): for each k,
    P_{t,k} = J_t P_{t-1,k} by one torch.bmm over the batch per pair; the norms of all t for one k
    in one batched call."""
    batch, length, n, _ = J.shape
    S = J.new_zeros(batch, length, length)
    Jt = J.transpose(0, 1).contiguous()  # Jt[t-1] = J_t for the whole batch
    for k in range(1, length):
        P = Jt[k]  # P_{k+1,k} = J_{k+1}
        Ps = [P]
        for t in range(k + 2, length + 1):
            P = torch.bmm(Jt[t - 1], P)
            Ps.append(P)
        S[:, k:, k - 1] = norm(torch.stack(Ps)).T
    return S


# ---------------------------------------------------------------------------------------------
# Effective learning rates (paper.md §5)


def median(x):
    return torch.quantile(x.reshape(-1), 0.5)  # NumPy's median (linear interpolation)


def gate_predictor(G):
    """GP [B, T, T], GP[b, t-1, k-1] = mean over units of ∏_{j=k+1}^{t} g_j (valid for k < t)."""
    C = torch.log(G).cumsum(1)  # C[:, t-1] = Σ_{j≤t} log g_j
    return torch.exp(C[:, :, None, :] - C[:, None, :, :]).mean(-1)


def efflr(S, G):
    """(empirical profile, predicted profile, fitted profile, slope, R², pairs used)."""
    length = S.shape[1]
    GP = gate_predictor(G)
    empirical = torch.stack([median(torch.diagonal(S, -h, 1, 2)) for h in range(1, length)])
    predicted = torch.stack([median(torch.diagonal(GP, -h, 1, 2)) for h in range(1, length)])
    mask = torch.ones(length, length, dtype=torch.bool).tril(-1).expand_as(S)
    s, gp = S[mask], GP[mask]
    lo, hi = torch.quantile(gp, torch.tensor([0.01, 0.99], dtype=F64))
    keep = (gp >= lo) & (gp <= hi)
    x, y = torch.log(gp[keep]), torch.log(s[keep])
    xc, yc = x - x.mean(), y - y.mean()
    slope = (xc * yc).sum() / (xc * xc).sum()
    r2 = 1 - ((yc - slope * xc) ** 2).sum() / (yc * yc).sum()
    predicted = predicted / predicted[0]
    return empirical / empirical[0], predicted, predicted ** slope, slope, r2, int(keep.sum())


# ---------------------------------------------------------------------------------------------
# Anisotropy (paper.md §6)


def propagation_anisotropy(p, u, lags, pairs_per_lag, seed):
    """{lag: (median AI, median CE)} over sampled (b, t, k) with t - k = lag; P_{t,k} by its product
    loop (batched over the sampled pairs), top-16 singular values."""
    batch, length, _ = u.shape
    H, A, G = forward(p, u)
    gen = torch.Generator().manual_seed(seed)
    out = {}
    for h in lags:
        b = torch.randint(0, batch, (pairs_per_lag,), generator=gen)
        t = torch.randint(h + 1, length + 1, (pairs_per_lag,), generator=gen)  # k = t - h ≥ 1
        P = jacobians(p, H[b, t - 1], A[b, t - 1], G[b, t - 1])
        for j in range(1, h):
            s = t - j
            P = P @ jacobians(p, H[b, s - 1], A[b, s - 1], G[b, s - 1])
        sv = torch.linalg.svdvals(P)[:, :16]
        ai = sv[:, 0] / sv[:, 9]
        ce = (sv[:, :10] ** 2).sum(1) / (sv ** 2).sum(1)
        out[h] = (median(ai).item(), median(ce).item())
    return out


def adding_task(seed, examples, length, channels):
    """paper.md §8: channels-1 U[0,1] channels + a mask channel, one marker in [0, T/2), one in
    [T/2, T); target = sum of channel 0 at the markers."""
    gen = torch.Generator().manual_seed(seed)
    X = torch.rand(examples, length, channels, generator=gen, dtype=F64)
    X[:, :, -1] = 0
    first = torch.randint(0, length // 2, (examples,), generator=gen)
    second = torch.randint(length // 2, length, (examples,), generator=gen)
    rows = torch.arange(examples)
    X[rows, first, -1] = 1
    X[rows, second, -1] = 1
    return X, X[rows, first, 0] + X[rows, second, 0]


NAMES = ["wr", "wi", "wrg", "wig", "wo"]


def example_loss(params, x, y):
    """(W_o h_T - y)² for one example x [T, m]."""
    wr, wi, wrg, wig, wo = params
    h = x.new_zeros(wr.shape[0])
    for t in range(x.shape[0]):
        g = torch.sigmoid(wrg @ h + wig @ x[t])
        h = g * torch.tanh(wr @ h + wi @ x[t]) + (1 - g) * h
    return ((wo @ h - y) ** 2).sum()


def per_example_loop(p, X, Y):
    """G [M, P]: one example at a time with autograd, as the reference implementation does."""
    params = [p[name].detach().clone().requires_grad_() for name in NAMES]
    rows = []
    for x, y in zip(X, Y):
        grads = torch.autograd.grad(example_loss(params, x, y), params)
        rows.append(torch.cat([g.reshape(-1) for g in grads]))
    return torch.stack(rows)


def per_example_vmap(p, X, Y):
    from torch.func import grad, vmap

    grads = vmap(grad(example_loss), in_dims=(None, 0, 0))(tuple(p[name] for name in NAMES), X, Y)
    return torch.cat([g.reshape(g.shape[0], -1) for g in grads], 1)


def update_anisotropy(G):
    """(AI, CE, columns kept) of the per-example gradient matrix G [M, P]."""
    G = G / G.norm(dim=1, keepdim=True)
    G = G - G.mean(0)
    keep = G.norm(dim=0) > 1e-10 * math.sqrt(G.shape[0])
    S = torch.linalg.svdvals(G[:, keep])
    return (S[0] / S[9]).item(), ((S[:10] ** 2).sum() / (S ** 2).sum()).item(), int(keep.sum())


# ---------------------------------------------------------------------------------------------
# Fréchet check (paper.md §4) and Lyapunov spectrum


def frechet_setup(seed=0, n=64, m=3, length=100):
    gen = torch.Generator().manual_seed(seed)
    p = {name: 0.2 * torch.randn(shape, generator=gen, dtype=F64)
         for name, shape in [("wr", (n, n)), ("wi", (n, m)), ("wrg", (n, n)), ("wig", (n, m))]}
    f = 1 + 6 * torch.rand(m, generator=gen, dtype=F64)
    phase = 2 * math.pi * torch.rand(m, generator=gen, dtype=F64)
    t = torch.arange(length, dtype=F64)[:, None]
    return p, torch.sin(2 * math.pi * f * t / length + phase)[None]  # u [1, T, m]


def frechet(p, u, eps):
    """(E(ε) per ε, slope of log E vs log ε over the 5 smallest ε, r_j, F(1), F(0), L[B])."""
    H, A, G = forward(p, u)
    Af, Bg = jacobian_parts(p, H[0, :-1], A[0], G[0])  # [T, n, n], index j-1 for step j
    length, n, _ = Af.shape

    def product(e):  # F(ε) = (A_T + εB_T) ⋯ (A_1 + εB_1)
        P = Af[0] + e * Bg[0]
        for j in range(1, length):
            P = (Af[j] + e * Bg[j]) @ P
        return P

    eye = torch.eye(n, dtype=F64)
    prefix = [eye]  # prefix[i] = ∏_{j<i} A_j
    for j in range(length - 1):
        prefix.append(Af[j] @ prefix[-1])
    suffix = [eye] * length  # suffix[i] = ∏_{j>i} A_j
    for i in range(length - 1, 0, -1):
        suffix[i - 1] = suffix[i] @ Af[i]
    L = (torch.stack(suffix) @ Bg @ torch.stack(prefix)).sum(0)
    F0 = product(0.0)
    E = torch.stack([torch.linalg.matrix_norm(product(e) - F0 - e * L) for e in eps.tolist()])
    x, y = torch.log(eps[:5]), torch.log(E[:5])
    xc = x - x.mean()
    slope = (xc * (y - y.mean())).sum() / (xc * xc).sum()
    r = torch.linalg.matrix_norm(Bg, ord=2) / torch.linalg.matrix_norm(Af, ord=2)
    return E, slope, r, product(1.0), F0, L, (Af + Bg)


def lyapunov(J):
    """Exponents [B, n] by the QR method: Q ← qr(J_t Q), λ = Σ_t log|diag R_t| / T."""
    batch, length, n, _ = J.shape
    Q = torch.eye(n, dtype=J.dtype).expand(batch, n, n)
    total = J.new_zeros(batch, n)
    for t in range(length):
        Q, R = torch.linalg.qr(J[:, t] @ Q)
        total += torch.log(torch.diagonal(R, dim1=-2, dim2=-1).abs())
    return total / length


# ---------------------------------------------------------------------------------------------
# Figures


def jacobians_figure(probe):
    p, u = probe.p, probe.u
    # Closed form against autograd on one step of one sample.
    H, A, G = forward(p, u)
    b, t = 3, 17
    auto = torch.autograd.functional.jacobian(lambda h: cell(p, h, u[b, t - 1])[0], H[b, t - 1])
    assert (auto - probe.J[b, t - 1]).abs().max() < 1e-10, "closed-form Jacobian differs from autograd"
    seconds, _, count = timed(lambda: step_jacobians(p, u))
    line(f"jacobians/f64/{PROBE}", seconds, "s")
    comment(f"jacobians: forward pass + closed-form J_t for all B·T steps, median of {count}; "
            f"matches autograd to {(auto - probe.J[b, t - 1]).abs().max().item():.1e}")


def sensitivity_loop_figure(probe):
    J = probe.J
    everything = all_pairs(BATCH, LENGTH)
    pick = torch.randperm(len(everything), generator=torch.Generator().manual_seed(2))[:LOOP_PAIRS]
    subset = sorted(everything[i] for i in pick.tolist())
    done, total = products(subset), products(everything)
    times = []
    seconds, values, count = timed(lambda: (times.clear(), sensitivity_loop(J, subset, times))[1])
    probe.loop_values = (subset, values)
    line(f"sensitivity-loop-measured/f64/{PROBE}", seconds, "s")
    comment(f"sensitivity-loop-measured: {len(subset)} pairs of {len(everything)} (uniform random sample "
            f"without replacement, seed 2; lags {min(t - k for _, t, k in subset)}..{max(t - k for _, t, k in subset)}), "
            f"median of {count}")
    comment(f"sensitivity-loop-measured: {done} matrix products (64×64 @ 64×64) of {total} for all pairs, "
            f"{len(subset)} spectral norms of {len(everything)}")
    if os.environ.get("FULL_LOOP"):  # validate the extrapolation: run every pair once
        t0 = time.perf_counter()
        values = sensitivity_loop(J, everything)
        comment(f"sensitivity-loop: FULL_LOOP run of all {len(everything)} pairs took {time.perf_counter() - t0:.4g} s (once)")
        probe.loop_values = (everything, values)
    line(f"sensitivity-loop/f64/{PROBE}", seconds * total / done, "s")
    # Cross-check: least squares of the per-pair times on (1, products) over the last timed call.
    per_pair = torch.tensor(times, dtype=F64)
    design = torch.tensor([[1.0, t - k - 1] for _, t, k in subset], dtype=F64)
    c0, c1 = torch.linalg.lstsq(design, per_pair[:, None]).solution[:, 0].tolist()
    comment(f"sensitivity-loop: EXTRAPOLATED, not run: measured × (all products / subset products) = "
            f"{seconds:.4g} s × {total}/{done}; a two-term fit per pair (time = {c0 * 1e6:.0f} µs + "
            f"{c1 * 1e6:.1f} µs × products) gives {c0 * len(everything) + c1 * total:.4g} s")


def sensitivity_reuse_figure(probe):
    J = probe.J
    seconds, S, count = timed(lambda: sensitivity_reuse(J, exact_norm))
    probe.S = S
    line(f"sensitivity-reuse/f64/{PROBE}", seconds, "s")
    comment(f"sensitivity-reuse: prefix reuse, one torch.bmm per pair, torch.linalg.matrix_norm(ord=2) "
            f"batched over (t, b) per k; from precomputed Jacobians; median of {count}")
    seconds, S5, count = timed(lambda: sensitivity_reuse(J, lambda P: power_norm(P, 5, torch.Generator().manual_seed(3))))
    line(f"sensitivity-reuse-power5/f64/{PROBE}", seconds, "s")
    mask = torch.ones(LENGTH, LENGTH, dtype=torch.bool).tril(-1).expand_as(S)
    ratio = S5[mask] / S[mask]
    assert ratio.max() <= 1 + 1e-12, "a power-iteration estimate exceeds the exact norm"
    comment(f"sensitivity-reuse-power5: 5 power iterations, seeded start; estimate/exact over all pairs: "
            f"min {ratio.min().item():.4f}, median {median(ratio).item():.6f}; median of {count}")
    # Converged power iteration against the exact norm on a few transports of every lag class.
    Ps = []
    for b in range(4):
        for t, k in [(2, 1), (10, 5), (40, 20), (80, 1), (75, 60)]:
            P = J[b, t - 1]
            for j in range(t - 1, k, -1):
                P = P @ J[b, j - 1]
            Ps.append(P)
    P = torch.stack(Ps)
    sv = torch.linalg.svdvals(P)
    estimate = power_norm(P, 3000, torch.Generator().manual_seed(4))
    gapped = sv[:, 1] / sv[:, 0] < 0.95
    error = ((estimate - sv[:, 0]).abs() / sv[:, 0])[gapped]
    assert gapped.sum() >= 10 and error.max() < 1e-10, "power iteration does not converge to the exact norm"


def efflr_figure(probe):
    S, G = probe.sensitivities(), probe.G
    seconds, result, count = timed(lambda: efflr(S, G))
    empirical, predicted, fitted, slope, r2, used = result
    line(f"efflr/f64/{PROBE}", seconds, "s")
    comment(f"efflr: post-processing only (S and gates given), median of {count}; candidate-gate predictor; "
            f"slope s = {slope.item():.6f}, R² = {r2.item():.6f} over {used} pairs")
    pick = [1, 2, 5, 10, 20, 40, 79]
    comment("efflr profile h:empirical/predicted/fitted " +
            " ".join(f"{h}:{empirical[h - 1]:.4g}/{predicted[h - 1]:.4g}/{fitted[h - 1]:.4g}" for h in pick))
    # Checks: the gate predictor against a direct product, the fit against lstsq.
    GP = gate_predictor(G)
    b, t, k = 5, 60, 23
    direct = G[b, k:t].prod(0).mean()
    assert abs(GP[b, t - 1, k - 1] - direct) < 1e-12 * direct
    mask = torch.ones(LENGTH, LENGTH, dtype=torch.bool).tril(-1).expand_as(S)
    gp, s = GP[mask], S[mask]
    lo, hi = torch.quantile(gp, torch.tensor([0.01, 0.99], dtype=F64))
    keep = (gp >= lo) & (gp <= hi)
    design = torch.stack([torch.ones(int(keep.sum()), dtype=F64), torch.log(gp[keep])], 1)
    solution = torch.linalg.lstsq(design, torch.log(s[keep])[:, None]).solution
    assert abs(solution[1, 0] - slope) < 1e-9


def anisotropy_figure(_):
    p = init_params(10, N, INPUT)
    u = torch.rand(S2_BATCH, S2_LENGTH, INPUT, generator=torch.Generator().manual_seed(11), dtype=F64)
    seconds, result, count = timed(lambda: propagation_anisotropy(p, u, S2_LAGS, S2_PAIRS, 12))
    line(f"anisotropy/f64/multi-n{N}-T{S2_LENGTH}-B{S2_BATCH}", seconds, "s")
    comment(f"anisotropy: forward + Jacobians of the sampled steps + products + svdvals, "
            f"{S2_PAIRS} pairs × {len(S2_LAGS)} lags, m = {INPUT}, median of {count}")
    comment("anisotropy lag:AI/CE " + " ".join(f"{h}:{ai:.4g}/{ce:.4f}" for h, (ai, ce) in result.items()))
    # Check: one product against autograd through the composed steps.
    H, _, _ = forward(p, u)
    b, t, k = 7, 50, 46

    def run(h):
        for s in range(k + 1, t + 1):
            h = cell(p, h, u[b, s - 1])[0]
        return h

    _, A, G = forward(p, u)
    P = jacobians(p, H[b, t - 1], A[b, t - 1], G[b, t - 1])
    for s in range(t - 1, k, -1):
        P = P @ jacobians(p, H[b, s - 1], A[b, s - 1], G[b, s - 1])
    assert (torch.autograd.functional.jacobian(run, H[b, k]) - P).abs().max() < 1e-10


def gradcov_figure(_):
    p = init_params(20, N, GRAD_INPUT, readout=True)
    X, Y = adding_task(21, GRAD_EXAMPLES, S2_LENGTH, GRAD_INPUT)
    name = f"multi-n{N}-T{S2_LENGTH}-M{GRAD_EXAMPLES}"
    seconds, (G, stats), count = timed(lambda: (lambda G: (G, update_anisotropy(G)))(per_example_loop(p, X, Y)))
    line(f"gradcov/f64/{name}", seconds, "s")
    comment(f"gradcov: per-example autograd loop (adding task, m = {GRAD_INPUT}) + row norm, centring, "
            f"svdvals; AI = {stats[0]:.6g}, CE = {stats[1]:.6f}, {stats[2]} of {G.shape[1]} columns kept; "
            f"median of {count}")
    try:
        per_example_vmap(p, X[:2], Y[:2])
    except Exception as error:  # noqa: BLE001 - any failure of torch.func means the variant is skipped
        comment(f"torch/gradcov-vmap skipped: {type(error).__name__}: {error}")
        return
    seconds, (Gv, statsv), count = timed(lambda: (lambda G: (G, update_anisotropy(G)))(per_example_vmap(p, X, Y)))
    assert (Gv - G).abs().max() < 1e-10 * G.abs().max(), "vmap gradients differ from the loop"
    assert abs(statsv[0] - stats[0]) < 1e-8 * stats[0] and abs(statsv[1] - stats[1]) < 1e-10
    line(f"gradcov-vmap/f64/{name}", seconds, "s")
    comment(f"gradcov-vmap: torch.func.vmap(grad(loss)) over the examples, same statistics; median of {count}")


def frechet_figure(_):
    p, u = frechet_setup()
    eps = torch.logspace(-5, 0, 11, dtype=F64)
    seconds, result, count = timed(lambda: frechet(p, u, eps))
    E, slope, r, F1, F0, L, J = result
    line("frechet/f64/multi-n64-T100", seconds, "s")
    line("frechet-slope/f64/multi-n64-T100", slope.item(), "1")
    comment(f"frechet: forward, A_j/B_j, F(ε) for 11 ε, L[B] by prefix/suffix products, r_j; median of {count}")
    comment("frechet ε:E/C₂ " + " ".join(f"{e:.0e}:{x:.3e}/{x / e ** 2:.3g}" for e, x in zip(eps.tolist(), E.tolist())))
    comment(f"frechet r_j = ‖B_j‖₂/‖A_j‖₂: min {r.min().item():.4g}, median {median(r).item():.4g}, "
            f"max {r.max().item():.4g}; ‖F(0)‖_F = {torch.linalg.matrix_norm(F0).item():.4g}, "
            f"‖L[B]‖_F = {torch.linalg.matrix_norm(L).item():.4g}")
    assert abs(slope.item() - 2) < 0.05, f"Fréchet remainder slope {slope.item()} is not ≈ 2"
    P = J[0]
    for j in range(1, J.shape[0]):
        P = J[j] @ P
    assert (P - F1).abs().max() <= 1e-10 * P.abs().max(), "F(1) differs from the transport"


def lyapunov_figure(probe):
    J = probe.J
    seconds, lam, count = timed(lambda: lyapunov(J))
    line(f"lyapunov/f64/{PROBE}", seconds, "s")
    mean = lam.mean(0)
    comment(f"lyapunov: QR method from precomputed Jacobians, median of {count}; batch-mean exponents "
            f"λ1..3 = {', '.join(f'{x:.5f}' for x in mean[:3].tolist())}, λn = {mean[-1].item():.5f}")
    logdet = torch.linalg.slogdet(J).logabsdet.sum(1) / J.shape[1]
    assert (lam.sum(1) - logdet).abs().max() < 1e-10, "Lyapunov exponents do not sum to the mean log|det J|"


RUNS = {"jacobians": jacobians_figure, "sensitivity-loop": sensitivity_loop_figure,
        "sensitivity-reuse": sensitivity_reuse_figure, "efflr": efflr_figure,
        "anisotropy": anisotropy_figure, "gradcov": gradcov_figure, "frechet": frechet_figure,
        "lyapunov": lyapunov_figure}


def main():
    only = [name.strip() for name in os.environ.get("ONLY", "").split(",") if name.strip()]
    unknown = [name for name in only if name not in RUNS]
    if unknown:
        sys.exit(f"unknown figure(s) {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    if torch is None:
        print(f"# torch skipped: {TORCH_ERROR}", flush=True)
        return
    torch.set_num_threads(2)
    comment(f"torch {torch.__version__}, {torch.get_num_threads()} threads, float64, CPU; "
            f"load average {os.getloadavg()[0]:.2f} at start (other work on the machine slows OpenMP badly)")
    probe = Probe()
    for name in FIGURES:
        if not only or name in only:
            before, start = busy_seconds(), time.perf_counter()
            RUNS[name](probe)
            after, wall = busy_seconds(), time.perf_counter() - start
            if before and after:
                other = ((after[0] - before[0]) - (after[1] - before[1])) / wall
                if other > 0.25:
                    comment(f"WARNING: other processes kept {other:.2f} of the cores busy during {name}; "
                            f"its figures are contended")
    probe.check()
    comment(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
