#!/usr/bin/env python3
"""Fixtures for Tau's `convention: "reference"`, computed by the reference code itself.

The functions between the VERBATIM markers are copied unchanged from the paper author's
repository lorenzolivi/effective-learning-rates at commit d70851c4ce8e235b4c513dab410e5d0a49cd08b9
(s1_effective_lr.py, s2_joint_anisotropy.py and appendixA_check.py; their files cannot be imported without running
their command lines). This script builds the reference's scalar-gate, multi-gate and leaky RNNs
with fixed small weights, runs those functions on a fixed batch with recorded power-iteration
start vectors, in float64 and in float32, runs appendix A's first-order check on its own cell
(float64, as it does), and writes
Tests/TauDynamicsTests/Fixtures/reference_conventions.json, which the Swift tests read (no
PyTorch at test time).

    python3 Benchmarks/validation/reference_conventions.py
"""
import json, os
import numpy as np
import torch
import torch.nn as nn

# ---------------------------- VERBATIM s1_effective_lr.py ---------------------------- #

def d_tanh(a: torch.Tensor) -> torch.Tensor:
    return 1.0 - torch.tanh(a) ** 2


def to_numpy(x: torch.Tensor) -> np.ndarray:
    return x.detach().cpu().numpy()


class LeakyRNN(nn.Module):
    def __init__(self, ni, nh, no, alpha: float):
        super().__init__()
        self.Wr = nn.Linear(nh, nh, bias=False)
        self.Wi = nn.Linear(ni, nh, bias=False)
        self.Wo = nn.Linear(nh, no, bias=False)
        self.alpha = float(alpha)

    def step(self, x, u):
        a = self.Wr(x) + self.Wi(u)
        phi = torch.tanh(a)
        x_next = self.alpha * phi + (1 - self.alpha) * x
        return x_next, a, phi, None, None

    def forward_full(self, u):
        B, T, _ = u.shape
        nh = self.Wr.out_features
        x = torch.zeros(B, nh, device=u.device)
        X, As, Phis = [], [], []
        for t in range(T):
            x, a, phi, _, _ = self.step(x, u[:, t])
            X.append(x); As.append(a); Phis.append(phi)
        X = torch.stack(X, 1)
        y_hat = self.Wo(X[:, -1, :])
        return X, torch.stack(As, 1), torch.stack(Phis, 1), None, None, y_hat


class ScalarGateRNN(LeakyRNN):
    def __init__(self, ni, nh, no):
        super().__init__(ni, nh, no, alpha=1.0)
        self.Wrg = nn.Linear(nh, 1, bias=False)
        self.Wig = nn.Linear(ni, 1, bias=False)

    def step(self, x, u):
        a = self.Wr(x) + self.Wi(u)
        phi = torch.tanh(a)
        ag = self.Wrg(x) + self.Wig(u)     # (B,1)
        g = torch.sigmoid(ag)              # (B,1)
        x_next = g * phi + (1 - g) * x
        return x_next, a, phi, g, ag

    def forward_full(self, u):
        B, T, _ = u.shape
        nh = self.Wr.out_features
        x = torch.zeros(B, nh, device=u.device)
        X, As, Phis, Gs, AGs = [], [], [], [], []
        for t in range(T):
            x, a, phi, g, ag = self.step(x, u[:, t])
            X.append(x); As.append(a); Phis.append(phi); Gs.append(g); AGs.append(ag)
        X = torch.stack(X, 1)
        y_hat = self.Wo(X[:, -1, :])
        return X, torch.stack(As, 1), torch.stack(Phis, 1), torch.stack(Gs, 1), torch.stack(AGs, 1), y_hat


class MultiGateRNN(LeakyRNN):
    def __init__(self, ni, nh, no):
        super().__init__(ni, nh, no, alpha=1.0)
        self.Wrg = nn.Linear(nh, nh, bias=False)
        self.Wig = nn.Linear(ni, nh, bias=False)

    def step(self, x, u):
        a = self.Wr(x) + self.Wi(u)
        phi = torch.tanh(a)
        ag = self.Wrg(x) + self.Wig(u)     # (B,nh)
        g = torch.sigmoid(ag)              # (B,nh)
        x_next = g * phi + (1 - g) * x
        return x_next, a, phi, g, ag

    def forward_full(self, u):
        B, T, _ = u.shape
        nh = self.Wr.out_features
        x = torch.zeros(B, nh, device=u.device)
        X, As, Phis, Gs, AGs = [], [], [], [], []
        for t in range(T):
            x, a, phi, g, ag = self.step(x, u[:, t])
            X.append(x); As.append(a); Phis.append(phi); Gs.append(g); AGs.append(ag)
        X = torch.stack(X, 1)
        y_hat = self.Wo(X[:, -1, :])
        return X, torch.stack(As, 1), torch.stack(Phis, 1), torch.stack(Gs, 1), torch.stack(AGs, 1), y_hat


def compute_J_blocks(model, X, As, G=None, AG=None):
    """
    Build per-time Jacobian blocks J_j = ∂x_j / ∂x_{j-1}, list(T) of (B,nh,nh).
    """
    B, T, nh = X.shape
    I = torch.eye(nh, device=X.device).unsqueeze(0).expand(B, nh, nh)
    Wr = model.Wr.weight  # (nh,nh)
    Js = []

    for j in range(1, T + 1):
        xjm1 = X[:, j - 1]
        a = As[:, j - 1]
        D = torch.diag_embed(d_tanh(a))
        DWr = torch.matmul(D, Wr.unsqueeze(0).expand(B, -1, -1))

        if isinstance(model, LeakyRNN) and not isinstance(model, (ScalarGateRNN, MultiGateRNN)):
            J = model.alpha * DWr + (1 - model.alpha) * I

        elif isinstance(model, ScalarGateRNN):
            assert G is not None and AG is not None
            g = G[:, j - 1, :]             # (B,1)
            ag = AG[:, j - 1, :]           # (B,1)
            sigp = torch.sigmoid(ag) * (1 - torch.sigmoid(ag))  # (B,1)
            term1 = g.view(B, 1, 1) * DWr
            term2 = (1 - g).view(B, 1, 1) * I
            phi = torch.tanh(a)
            d = (phi - xjm1).unsqueeze(2)  # (B,nh,1)
            row = sigp.view(B, 1) * model.Wrg.weight  # (B,nh)
            term3 = torch.matmul(d, row.unsqueeze(1))  # (B,nh,nh)
            J = term1 + term2 + term3

        else:  # MultiGateRNN
            assert G is not None and AG is not None
            g = G[:, j - 1, :]             # (B,nh)
            ag = AG[:, j - 1, :]           # (B,nh)
            sigp = torch.sigmoid(ag) * (1 - torch.sigmoid(ag))  # (B,nh)
            term1 = torch.matmul(torch.diag_embed(g), DWr)      # diag(g) * D*Wr
            term2 = torch.diag_embed(1 - g)                     # diag(1-g)
            phi = torch.tanh(a)
            Jg = torch.matmul(torch.diag_embed(sigp),
                              model.Wrg.weight.unsqueeze(0).expand(B, -1, -1))
            term3 = torch.matmul(torch.diag_embed(phi - xjm1), Jg)
            J = term1 + term2 + term3

        Js.append(J)

    return Js


def product_sensitivities(Js, iters=5):
    """
    Approximate S_{t,k} = ||∏_{j=k+1}^t J_j||_2 via a few power iterations.
    Returns S of shape (B,T,T) with zeros for k>t.
    """
    B, nh, _ = Js[0].shape
    T = len(Js)
    S = torch.zeros(B, T, T, device=Js[0].device)
    for b in range(B):
        for t in range(T):
            P = torch.eye(nh, device=Js[0].device)
            for j in range(t, 0, -1):  # J_t ... J_1
                P = torch.matmul(Js[j][b], P)
                # Power iteration for norm(P)
                v = torch.randn(nh, device=P.device)
                v = v / (v.norm() + 1e-12)
                for _ in range(iters):
                    v = torch.matmul(P, v)
                    v = v / (v.norm() + 1e-12)
                Sv = torch.matmul(P, v)
                S[b, t, j - 1] = Sv.norm()
    return S


def gate_product_predictor(model, G, T, B, device, alpha=None):
    """
    Returns GP of shape (B,T,T):
      - leaky  : GP_{t,k} = α^{t-k}
      - scalar : ∏ scalar g over (k+1..t)
      - multi  : mean over neurons of ∏ g^{(i)} over (k+1..t)
    """
    if isinstance(model, LeakyRNN) and not isinstance(model, (ScalarGateRNN, MultiGateRNN)):
        assert alpha is not None
        GP = torch.zeros(B, T, T, device=device)
        for t in range(T):
            for k in range(t + 1):
                GP[:, t, k] = alpha ** (t - k)
        return GP

    if isinstance(model, ScalarGateRNN):
        assert G is not None
        g = G.squeeze(-1)  # (B,T)
        GP = torch.zeros(B, T, T, device=g.device)
        for t in range(T):
            prod = torch.ones(B, device=g.device)
            for j in range(t, -1, -1):
                prod = prod * g[:, j]
                GP[:, t, j] = prod
        return GP

    # multi-gate
    assert G is not None
    B, T, nh = G.shape
    GP = torch.zeros(B, T, T, device=G.device)
    for t in range(T):
        prod = torch.ones(B, nh, device=G.device)
        for j in range(t, -1, -1):
            prod = prod * G[:, j, :]
            GP[:, t, j] = prod.mean(dim=-1)  # mean across neurons
    return GP


def per_lag_median_profile(S, GP):
    """
    S, GP: tensors (B,T,T). Returns lag-wise medians over (t,k) s.t. t-k=h.
    h ranges 1..T-1. Returns arrays of shape (T-1,) for S_med and GP_med.
    """
    B, T, _ = S.shape
    S_med = []
    GP_med = []
    for h in range(1, T):
        Ss = []
        GPs = []
        for t in range(h, T):
            k = t - h
            Ss.append(S[:, t, k])
            GPs.append(GP[:, t, k])
        S_med.append(torch.median(torch.stack(Ss, dim=-1).reshape(-1)))
        GP_med.append(torch.median(torch.stack(GPs, dim=-1).reshape(-1)))
    return torch.stack(S_med), torch.stack(GP_med)  # (T-1,), (T-1,)


def fit_loglog_slope(S, GP, trim=0.01):
    """
    Fit log S = a + s log GP with central trimming on GP.
    Returns slope s, R^2, low/high trims used.
    """
    Sv = to_numpy(S.reshape(-1))
    GPv = to_numpy(GP.reshape(-1))
    valid = np.isfinite(Sv) & np.isfinite(GPv) & (Sv > 0) & (GPv > 0)
    if valid.sum() < 50:
        return np.nan, np.nan, np.nan, np.nan
    lo, hi = np.quantile(GPv[valid], [trim, 1 - trim])
    central = valid & (GPv >= lo) & (GPv <= hi)
    x = np.log(GPv[central])[:, None]
    y = np.log(Sv[central])[:, None]
    Xmat = np.hstack([np.ones_like(x), x])
    beta, *_ = np.linalg.lstsq(Xmat, y, rcond=None)
    slope = float(beta[1, 0])
    intercept = float(beta[0, 0])
    yhat = Xmat @ beta
    ss_res = float(np.sum((y - yhat) ** 2))
    ss_tot = float(np.sum((y - y.mean()) ** 2))
    r2 = 1 - ss_res / ss_tot if ss_tot > 0 else np.nan
    return slope, r2, float(lo), float(hi)

# --------------------------- END VERBATIM s1_effective_lr.py ------------------------- #

# -------------------------- VERBATIM s2_joint_anisotropy.py -------------------------- #

def median_iqr(vals):
    vals = np.array(vals, dtype=float)
    if vals.size == 0:
        return np.nan, np.nan, np.nan
    return (np.nanmedian(vals),
            np.nanpercentile(vals, 25),
            np.nanpercentile(vals, 75))

def to_np(x):
    return x.detach().cpu().numpy()

@torch.no_grad()
def sample_tk_pairs(T, B, lags, per_lag=64, rng=None):
    if rng is None: rng = np.random.RandomState(0)
    pairs = {h: [] for h in lags}
    for h in lags:
        if h <= 0 or h >= T: continue
        cand = []
        for b in range(B):
            for t in range(h, T):
                k = t - h
                cand.append((b,t,k))
        if len(cand) <= per_lag:
            pairs[h] = cand
        else:
            idx = rng.choice(len(cand), size=per_lag, replace=False)
            pairs[h] = [cand[i] for i in idx]
    return pairs

@torch.no_grad()
def product_matrix(Js, b, t, k):
    nh = Js[0].shape[-1]
    M = torch.eye(nh, device=Js[0].device, dtype=Js[0].dtype)
    for j in range(t, k, -1):
        M = torch.matmul(Js[j-1][b], M)
    return M

@torch.no_grad()
def topk_svd(M, k=16):
    M64 = M.to(torch.float64)
    U, S, Vh = torch.linalg.svd(M64, full_matrices=False)
    k = min(k, S.shape[-1])
    return U[:, :k], S[:k], Vh[:k, :]

def anisotropy_index(sigmas, r=10):
    s = to_np(sigmas)
    if s.size == 0: return np.nan
    rr = min(max(1, r), len(s))
    return float(s[0] / (s[rr-1] + 1e-12))

def energy_concentration(sigmas, r=10):
    s = to_np(sigmas)
    if s.size == 0: return np.nan
    rr = min(max(1, r), len(s))
    s2 = (s**2).sum() + 1e-12
    top = (s[:rr]**2).sum()
    return float(top / s2)

# ------------------------ END VERBATIM s2_joint_anisotropy.py ------------------------ #

# --------------------------- VERBATIM appendixA_check.py ---------------------------- #
# (its module-level torch.set_default_dtype(torch.float64) is done in frechet() below)

def diag(v):
    return torch.diag(v)

def product(mats):
    P = torch.eye(mats[0].shape[0], device=mats[0].device)
    for M in mats[::-1]:
        P = M @ P
    return P

def first_derivative(A_list, B_list):
    """L_F(0,B) = sum_i (prod_{j<i} A_j) B_i (prod_{j>i} A_j).

    Since product() computes F = A_0 @ A_1 @ ... @ A_{n-1}, the
    Frechet derivative at eps=0 of prod(A_j + eps B_j) is:
        dF/deps = sum_i  L[i] @ B_i @ R[i+1]
    where L[i] = A_0 @ ... @ A_{i-1}  (left prefix, L[0] = I)
          R[i] = A_i @ ... @ A_{n-1}  (right suffix, R[n] = I).
    """
    n = len(A_list); H = A_list[0].shape[0]
    I = torch.eye(H, device=A_list[0].device)
    R = [None]*(n+1); L = [None]*(n+1)
    R[n] = I
    for i in range(n-1, -1, -1):
        R[i] = A_list[i] @ R[i+1]
    L[0] = I
    for i in range(1, n+1):
        L[i] = L[i-1] @ A_list[i-1]
    S = torch.zeros_like(I)
    for i in range(n):
        S = S + L[i] @ B_list[i] @ R[i+1]
    return S

def operator_norm(M):
    return torch.linalg.svdvals(M).max().item()

def fit_slope(x, y):
    x = torch.as_tensor(x, dtype=torch.float64)
    y = torch.as_tensor(y, dtype=torch.float64)
    X = torch.stack([x.log(), torch.ones_like(x)], dim=1)
    beta = torch.linalg.lstsq(X, y.log().unsqueeze(1)).solution.squeeze(1)
    return float(beta[0].item())

class BaseCell(nn.Module):
    def __init__(self, ni, nh):
        super().__init__()
        self.Wi = nn.Linear(ni, nh, bias=False)
        self.Wr = nn.Linear(nh, nh, bias=False)
        nn.init.normal_(self.Wi.weight, std=0.2)
        nn.init.normal_(self.Wr.weight, std=0.2)
    def preact(self, x, h):
        return self.Wi(x) + self.Wr(h)

class GateScalar(nn.Module):
    def __init__(self, ni, nh):
        super().__init__()
        self.gx = nn.Linear(nh, 1, bias=False)
        self.gu = nn.Linear(ni, 1, bias=False)
        nn.init.normal_(self.gx.weight, std=0.2)
        nn.init.normal_(self.gu.weight, std=0.2)
    def forward(self, x, h):
        return torch.sigmoid(self.gx(h) + self.gu(x))  # [B,1]

class GateMulti(nn.Module):
    def __init__(self, ni, nh):
        super().__init__()
        self.gx = nn.Linear(nh, nh, bias=False)
        self.gu = nn.Linear(ni, nh, bias=False)
        nn.init.normal_(self.gx.weight, std=0.2)
        nn.init.normal_(self.gu.weight, std=0.2)
    def forward(self, x, h):
        return torch.sigmoid(self.gx(h) + self.gu(x))  # [B,H]

def make_signal(T, B, ni, seed=0, device="cpu"):
    gen = torch.Generator(device=device).manual_seed(seed)
    t = torch.linspace(0, 12, T, device=device)
    sigs = []
    base = torch.linspace(0.03, 0.09, ni, device=device)
    for k in range(ni):
        phase = torch.randn((), generator=gen, device=device)
        freq = base[k]
        sigs.append(torch.sin(freq * t + phase))
    u = torch.stack(sigs, dim=1).unsqueeze(1).repeat(1, B, 1)  # [T,B,ni]
    u = u + 0.05 * torch.randn(u.shape, generator=gen, device=device)
    return u

def build_factors(cell, gate, u, device="cpu", scalar_gate=False):
    """
    Constructs per-step Jacobian factors along one trajectory (batch=1):

      Dominant part (called A_j in the paper):
         A_j = diag(1 - g_j) + diag(g_j) @ (diag(phi'(a_j)) @ W_r)

      Gate-induced correction:
         B_j = diag(d_j) @ J^g_j,  with  d_j = phi(a_j) - h_j ,
         phi = tanh,  J^g_j = diag(g_j*(1-g_j)) @ W_{r,g}  (scalar variant uses mean slope).

    Returns lists [A_1,...,A_T], [B_1,...,B_T].
    """
    phi = torch.tanh
    T, B, ni = u.shape
    H = cell.Wr.out_features
    h = torch.zeros(B, H, device=device)
    A_list, B_list = [], []

    Wrg = gate.gx.weight  # [1,H] (scalar) or [H,H] (multi)

    for j in range(T):
        a = cell.preact(u[j], h)     # [B,H]
        x = phi(a)                   # [B,H]
        g = gate(u[j], h)            # [B,1] or [B,H]
        if scalar_gate and g.size(1) == 1:
            g = g.expand(B, H)
        h = g * x + (1.0 - g) * h

        a0, x0, g0, h0 = a[0], x[0], g[0], h[0]
        D = 1.0 - torch.tanh(a0)**2
        Acore = diag(D) @ cell.Wr.weight
        A_list.append(diag(1.0 - g0) + diag(g0) @ Acore)

        if scalar_gate:
            scalar = (g0 * (1.0 - g0)).mean()
            Dg = scalar * torch.ones(H, device=device)
            Jg = diag(Dg) @ Wrg.repeat(H, 1)
        else:
            Dg = g0 * (1.0 - g0)
            Jg = diag(Dg) @ Wrg

        d = x0 - h0
        B_list.append(diag(d) @ Jg)

    return A_list, B_list

def compute_errors(A_list, B_list, eps_list):
    F0 = product(A_list)
    L1 = first_derivative(A_list, B_list)
    errs = []
    for e in eps_list:
        M_eps = [A_list[i] + e*B_list[i] for i in range(len(A_list))]
        F_eps = product(M_eps)
        T1 = F0 + e*L1
        errs.append(torch.linalg.norm(F_eps - T1).item())
    return np.array(errs), F0, L1

# ------------------------- END VERBATIM appendixA_check.py -------------------------- #


B, T, NI, NH = 5, 6, 2, 4
TRIM, ITERS, SEED = 0.01, 5, 7
LAGS, AI_R, SVD_K = [1, 2, 4], 2, 4


def weights(kind, rng):
    """Fixed weights, rounded to float32 so that both precisions start from the same model."""
    def draw(*shape, scale):
        return (rng.standard_normal(shape) * scale).astype(np.float32).astype(np.float64)
    w = {"Wr": draw(NH, NH, scale=0.9 / np.sqrt(NH)), "Wi": draw(NH, NI, scale=1.0)}
    if kind == "scalar":
        w["Wrg"], w["Wig"] = draw(1, NH, scale=1.0), draw(1, NI, scale=1.0)
    if kind == "multi":
        w["Wrg"], w["Wig"] = draw(NH, NH, scale=1.0), draw(NH, NI, scale=1.0)
    return w


def build(kind, w, dtype):
    model = {"leaky": lambda: LeakyRNN(NI, NH, 1, alpha=0.8), "scalar": lambda: ScalarGateRNN(NI, NH, 1),
             "multi": lambda: MultiGateRNN(NI, NH, 1)}[kind]().to(dtype)
    with torch.no_grad():
        for name, value in w.items():
            getattr(model, name).weight.copy_(torch.tensor(value, dtype=dtype))
    return model


def run(kind, model, u, dtype):
    """The probe of s1_effective_lr.py's run_probe_and_plots, and the Jacobian part of S2."""
    torch.set_default_dtype(dtype)
    with torch.no_grad():
        X, As, Phis, G, AG, _ = model.forward_full(u)
        Js = compute_J_blocks(model, X, As, G, AG)
        torch.manual_seed(SEED)
        S = product_sensitivities(Js, iters=ITERS)
        GP = gate_product_predictor(model, G if kind != "leaky" else None, T, B, "cpu", alpha=0.8)
        s, r2, lo, hi = fit_loglog_slope(S, GP, trim=TRIM)
        S_med, GP_med = per_lag_median_profile(S, GP)
        eps = 1e-12
        S_norm = S_med / (S_med[0] + eps)
        P0_norm = GP_med / (GP_med[0] + eps)
        Pf_norm = torch.pow(P0_norm + eps, s if np.isfinite(s) else 1.0)
        # S2's collect_stats on every pair (per_lag exceeds the candidates, so no sampling).
        pairs = sample_tk_pairs(T, B, LAGS, per_lag=64, rng=np.random.RandomState(0))
        ai, ce = [], []
        for h in LAGS:
            AI, CE = [], []
            for (b, t, k) in pairs[h]:
                M = product_matrix(Js, b, t, k)
                _, sig, _ = topk_svd(M, k=SVD_K)
                AI.append(anisotropy_index(sig, r=AI_R)); CE.append(energy_concentration(sig, r=AI_R))
            ai.append(median_iqr(AI)[0]); ce.append(median_iqr(CE)[0])
    # float32 results keep the 9 digits that identify a float32.
    digits = (lambda v: float(v)) if dtype == torch.float64 else (lambda v: float("%.9g" % v))
    flat = lambda x: [digits(v) for v in np.asarray(to_numpy(x), dtype=np.float64).reshape(-1)]
    jacobians = {"J": flat(torch.stack(Js, 1))} if dtype == torch.float64 else {}
    return {**jacobians, "S": flat(S), "GP": flat(GP), "empirical": flat(S_norm),
            "predicted": flat(P0_norm), "fitted": flat(Pf_norm), "slope": float(s), "r2": float(r2),
            "ai": [float(v) for v in ai], "ce": [float(v) for v in ce]}


def starts(dtype):
    """The vectors product_sensitivities draws, in its order, after torch.manual_seed(SEED) with
    `dtype` the default (the draws differ between precisions): starts[b, t, j-1] is the start of
    the pair it stores at S[b, t, j-1], which is Tau's [b, t-1, k-1] for t = t+1, k = j."""
    torch.manual_seed(SEED)
    v = np.zeros((B, T, T, NH))
    for b in range(B):
        for t in range(T):
            for j in range(t, 0, -1):
                v[b, t, j - 1] = torch.randn(NH, dtype=dtype).numpy()
    return v


def frechet(gate_type, seed=0, T=8, H=4, ni=3):
    """appendixA_check.py's run_one up to its numbers: the factors of one trajectory, the
    truncation errors on its default ε grid, the slope over the first 5, and r_j."""
    torch.set_default_dtype(torch.float64)
    eps_list = [1e-5, 3e-5, 1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1, 3e-1, 1]
    torch.manual_seed(seed); np.random.seed(seed)
    cell = BaseCell(ni, H)
    gate = GateMulti(ni, H) if gate_type == "multi" else GateScalar(ni, H)
    u = make_signal(T=T, B=1, ni=ni, seed=seed)
    A_list, B_list = build_factors(cell, gate, u, scalar_gate=(gate_type == "scalar"))
    errs, _, _ = compute_errors(A_list, B_list, eps_list)
    slope = fit_slope(np.array(eps_list[:5]), np.array(errs[:5]))
    ratios = [operator_norm(b) / operator_norm(a) for a, b in zip(A_list, B_list)]
    weights = {"Wr": cell.Wr.weight, "Wi": cell.Wi.weight, "Wrg": gate.gx.weight, "Wig": gate.gu.weight}
    out = {"T": T, "nh": H, "ni": ni, "eps": eps_list, "inputs": [float(x) for x in u.reshape(-1)],
           "weights": {k: [float(x) for x in v.detach().reshape(-1)] for k, v in weights.items()},
           "error": [float(e) for e in errs], "slope": slope, "ratio": ratios}
    torch.set_default_dtype(torch.float32)
    return out


def main():
    rng = np.random.RandomState(2024)
    u = rng.uniform(-1, 1, (B, T, NI)).astype(np.float32).astype(np.float64)
    out = {"source": "lorenzolivi/effective-learning-rates@d70851c4ce8e235b4c513dab410e5d0a49cd08b9",
           "B": B, "T": T, "ni": NI, "nh": NH, "trim": TRIM, "iters": ITERS, "lags": LAGS,
           "r": AI_R, "k": SVD_K, "inputs": [float(x) for x in u.reshape(-1)],
           "starts_f64": [float(x) for x in starts(torch.float64).reshape(-1)],
           "starts_f32": [float(x) for x in starts(torch.float32).reshape(-1)], "models": {}}
    for kind in ["leaky", "scalar", "multi"]:
        w = weights(kind, rng)
        entry = {"weights": {k: [float(x) for x in v.reshape(-1)] for k, v in w.items()}}
        for name, dtype in [("f64", torch.float64), ("f32", torch.float32)]:
            torch.set_default_dtype(dtype)
            entry[name] = run(kind, build(kind, w, dtype), torch.tensor(u, dtype=dtype), dtype)
        torch.set_default_dtype(torch.float32)
        out["models"][kind] = entry
        print(kind, "slope f64", entry["f64"]["slope"], "f32", entry["f32"]["slope"])
    out["frechet"] = {kind: frechet(kind) for kind in ["scalar", "multi"]}
    print("frechet slopes", [out["frechet"][k]["slope"] for k in ["scalar", "multi"]])
    path = os.path.join(os.path.dirname(__file__), "..", "..", "Tests", "TauDynamicsTests",
                        "Fixtures", "reference_conventions.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
    print("wrote", os.path.normpath(path), os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
