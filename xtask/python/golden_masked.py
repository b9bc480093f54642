"""Golden codes of masked sparse coding (signals with missing entries).

Run by `cargo xtask golden --regen` inside a throwaway virtual environment
with scikit-learn and spams-bin. Writes into the folder given:

- dict.npy (n_atoms, n_features), unit atoms; X.npy (n_samples, n_features);
  mask.npy, 1.0 where an entry is observed. The signals: 4 fully observed,
  8 sharing one mask (30% missing), 8 sharing another (60% missing), one
  with nothing observed, the rest with masks of their own (10-70% missing).
  Missing entries of X hold NaN: they must never be read.
- lasso_mask.npy: `spams.lassoMask` in mode 2 (penalty lambda1 scaled by
  the observed fraction, SPAMS's definition) at lambda1 = params' alpha;
- lasso_mask_goal.npy: `spams.lassoMask` in mode 1 (least l1 norm with the
  squared residual on the observed rows <= goal x observed fraction);
- omp_mask.npy, omp_mask_tol.npy: scikit-learn's `orthogonal_mp` on the
  observed rows (n_nonzero_coefs, and tol x observed fraction). SPAMS's
  `ompMask` is not the reference for OMP: it runs ORMP (another selection
  rule) and takes every masked atom as a unit atom, so its coefficients are
  not least-squares fits on the observed rows.
- params.json.
"""
import json
import sys
from pathlib import Path

import numpy as np
import spams
from sklearn.linear_model import orthogonal_mp

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rng = np.random.default_rng(20261202)
n_features, n_atoms, n_samples = 30, 60, 48
D = rng.standard_normal((n_atoms, n_features))
D /= np.linalg.norm(D, axis=1, keepdims=True)
C = np.zeros((n_samples, n_atoms))
for s in range(n_samples):
    C[s, rng.choice(n_atoms, 4, replace=False)] = rng.standard_normal(4) * 2
X = C @ D + 0.05 * rng.standard_normal((n_samples, n_features))

mask = np.ones((n_samples, n_features), dtype=bool)
shared30 = rng.random(n_features) >= 0.3
shared60 = rng.random(n_features) >= 0.6
mask[4:12] = shared30
mask[12:20] = shared60
mask[20] = False
for s in range(21, n_samples):
    mask[s] = rng.random(n_features) >= rng.uniform(0.1, 0.7)
    mask[s, rng.integers(n_features)] = True
Xn = X.copy()
Xn[~mask] = np.nan

alpha = 0.1
goal = float(0.05 * (X**2).sum(axis=1).min())
n_nonzero = 5
F = np.asfortranarray
Xz = np.where(mask, X, 0.0)
lasso = spams.lassoMask(F(Xz.T), F(D.T), F(mask.T), lambda1=alpha, mode=2, numThreads=1).toarray().T
lasso_goal = spams.lassoMask(F(Xz.T), F(D.T), F(mask.T), lambda1=goal, mode=1, numThreads=1).toarray().T
omp = np.zeros((n_samples, n_atoms))
omp_tol = np.zeros((n_samples, n_atoms))
for s in range(n_samples):
    m = mask[s]
    if not m.any():
        continue
    frac = m.sum() / n_features
    omp[s] = orthogonal_mp(D[:, m].T, X[s, m], n_nonzero_coefs=min(n_nonzero, int(m.sum())))
    if (X[s, m] ** 2).sum() > goal * frac:
        omp_tol[s] = orthogonal_mp(D[:, m].T, X[s, m], tol=goal * frac)

np.save(out / "dict.npy", D)
np.save(out / "X.npy", Xn)
np.save(out / "mask.npy", mask.astype(np.float64))
np.save(out / "lasso_mask.npy", lasso)
np.save(out / "lasso_mask_goal.npy", lasso_goal)
np.save(out / "omp_mask.npy", omp)
np.save(out / "omp_mask_tol.npy", omp_tol)
(out / "params.json").write_text(json.dumps({"alpha": alpha, "goal": goal, "n_nonzero": n_nonzero, "spams": "spams-bin"}, indent=1))
print(out, "masked golden codes written")
