"""Checks Tau's exact sensitivities against NumPy: every P_{t,k} = J_t ⋯ J_{k+1} formed
explicitly from the saved Jacobians, its spectral norm from LAPACK's SVD (np.linalg.norm(P, 2)).
Usage: python3 exact_sensitivities.py FOLDER (written by exact_sensitivities.tau)."""
import sys

import numpy as np

folder = sys.argv[1] if len(sys.argv) > 1 else "/tmp/exact"
for tag in ["multi_0", "multi_200", "scalar_0", "scalar_200"]:
    J = np.load(f"{folder}/J_{tag}.npy")  # [B, T, n, n], J[b, t-1] = J_t
    S = np.load(f"{folder}/S_{tag}.npy")  # [B, T, T], S[b, t-1, k-1] = ‖P_{t,k}‖₂
    batch, length = J.shape[:2]
    worst, pairs, above = 0.0, 0, 0
    for b in range(batch):
        for k in range(1, length):
            P = J[b, k]  # P_{k+1,k} = J_{k+1}
            for t in range(k + 1, length + 1):
                if t > k + 1:
                    P = J[b, t - 1] @ P
                exact = np.linalg.norm(P, 2)
                error = abs(S[b, t - 1, k - 1] - exact) / exact
                worst, pairs, above = max(worst, error), pairs + 1, above + (error > 1e-12)
    print(f"{tag}: {pairs} pairs, largest relative error {worst:.2e}, {above} above 1e-12")
