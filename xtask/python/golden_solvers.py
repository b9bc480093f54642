"""Makes the solvers' golden files with scikit-learn.

Run by `cargo xtask golden --regen` inside a throwaway virtual environment
(scikit-learn is never a dependency of the Rust crates). Writes small .npy
files and a params.json next to them; the Rust test
`crates/sc-solvers/tests/golden.rs` and `cargo xtask golden` compare every
algorithm with them.
"""
import json
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.decomposition import sparse_encode
from sklearn.linear_model import orthogonal_mp_gram

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)


def case(name, n_features, n_atoms, n_samples, seed, alpha, k, tol_frac):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((n_atoms, n_features))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    # Signals: sparse combinations of atoms plus noise, so that every
    # solver has real work to do.
    C = np.zeros((n_samples, n_atoms))
    for s in range(n_samples):
        idx = rng.choice(n_atoms, size=rng.integers(2, 7), replace=False)
        C[s, idx] = rng.standard_normal(idx.size) * 2.0
    X = C @ D + 0.1 * rng.standard_normal((n_samples, n_features))
    gram = D @ D.T
    cov = D @ X.T
    norms2 = (X**2).sum(axis=1)
    tol = float(tol_frac * norms2.min())
    res = {
        "omp": sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=k),
        "omp_tol": orthogonal_mp_gram(gram, cov, tol=tol, norms_squared=norms2).T,
        "lars": sparse_encode(X, D, algorithm="lars", n_nonzero_coefs=k),
        "lasso_lars": sparse_encode(X, D, algorithm="lasso_lars", alpha=alpha),
        "lasso_lars_pos": sparse_encode(X, D, algorithm="lasso_lars", alpha=alpha, positive=True),
        "lasso_cd": sparse_encode(X, D, algorithm="lasso_cd", alpha=alpha, max_iter=10000),
        "lasso_cd_pos": sparse_encode(X, D, algorithm="lasso_cd", alpha=alpha, positive=True, max_iter=10000),
        "threshold": sparse_encode(X, D, algorithm="threshold", alpha=alpha),
        "threshold_pos": sparse_encode(X, D, algorithm="threshold", alpha=alpha, positive=True),
    }
    d = out / name
    d.mkdir(exist_ok=True)
    np.save(d / "dict.npy", D)
    np.save(d / "X.npy", X)
    for key, val in res.items():
        np.save(d / f"{key}.npy", np.ascontiguousarray(val))
    (d / "params.json").write_text(json.dumps(
        {"alpha": alpha, "n_nonzero": k, "omp_tol": tol, "sklearn": sklearn.__version__}, indent=1))


def lars_case(name, n_features, n_atoms, n_samples, seed, k):
    """LARS deep enough into the path that coefficients change sign, where
    scikit-learn flips the sign and adds no atom at the next step (codes
    with fewer than k atoms): random unit atoms, Gaussian signals."""
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((n_atoms, n_features))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rng.standard_normal((n_samples, n_features))
    d = out / name
    d.mkdir(exist_ok=True)
    np.save(d / "dict.npy", D)
    np.save(d / "X.npy", X)
    np.save(d / "lars.npy", np.ascontiguousarray(sparse_encode(X, D, algorithm="lars", n_nonzero_coefs=k)))
    (d / "params.json").write_text(json.dumps({"n_nonzero": k, "sklearn": sklearn.__version__}, indent=1))


case("small", n_features=20, n_atoms=40, n_samples=30, seed=0, alpha=0.3, k=5, tol_frac=0.05)
case("patch", n_features=64, n_atoms=128, n_samples=40, seed=1, alpha=0.8, k=8, tol_frac=0.02)
lars_case("lars_signs", n_features=64, n_atoms=256, n_samples=400, seed=2, k=20)
print("golden files written to", out)
