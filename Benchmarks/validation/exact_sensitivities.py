"""Checks Tau's exact sensitivities against NumPy: every P_{t,k} = J_t ⋯ J_{k+1} formed
explicitly from the saved Jacobians, its spectral norm from LAPACK's SVD (np.linalg.norm(P, 2)).
Usage: python3 exact_sensitivities.py FOLDER (written by exact_sensitivities.tau)."""
import glob
import os
import sys

import numpy as np

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/exact"
tags = sorted(os.path.basename(p)[2:-4] for p in glob.glob(f"{folder}/S_*.npy"))
for tag in tags:
    J = np.load(f"{folder}/J_{tag}.npy")  # [B, T, n, n], J[b, t-1] = J_t
    S = np.load(f"{folder}/S_{tag}.npy")  # [B, T, T], S[b, t-1, k-1] = ‖P_{t,k}‖₂
    batch, length = J.shape[:2]
    worst, pairs, above, gap = 0.0, 0, 0, 0.0
    for b in range(batch):
        for k in range(1, length):
            P = J[b, k]  # P_{k+1,k} = J_{k+1}
            for t in range(k + 1, length + 1):
                if t > k + 1:
                    P = J[b, t - 1] @ P
                sigma = np.linalg.svd(P, compute_uv=False)
                error = abs(S[b, t - 1, k - 1] - sigma[0]) / sigma[0]
                if error > worst:
                    worst, gap = error, sigma[1] / sigma[0]
                pairs, above = pairs + 1, above + (error > 1e-12)
    print(f"{tag}: {pairs} pairs, largest relative error {worst:.2e} (there σ₂/σ₁ = {gap:.4f}), "
          f"{above} above 1e-12")
