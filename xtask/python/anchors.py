"""Times SPAMS and scikit-learn on issue 2's workload, and `sparsecode
encode` on the very same arrays in the same run.

Run by `cargo xtask anchors` in a throwaway virtual environment with
scikit-learn, scikit-image and spams-bin. Prints a table of median seconds.
"""
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import spams
from skimage import data
from sklearn.decomposition import sparse_encode
from sklearn.feature_extraction.image import extract_patches_2d

binary = sys.argv[1]
repeats = int(sys.argv[2]) if len(sys.argv) > 2 else 5


def odct(n, l):
    d = np.zeros((n, l))
    for k in range(l):
        v = np.cos(np.pi * np.arange(n) * k / l)
        if k > 0:
            v = v - v.mean()
        d[:, k] = v / np.linalg.norm(v)
    return d


rng = np.random.default_rng(0)
img = data.camera().astype(np.float64) + 20.0 * rng.standard_normal((512, 512))
X = extract_patches_2d(img, (8, 8)).reshape(-1, 64)
X = X - X.mean(axis=1, keepdims=True)
d1 = odct(8, 16)
D = np.kron(d1, d1)  # 64 x 256, atoms in columns
D /= np.linalg.norm(D, axis=0)
tol = 64 * (1.15 * 20) ** 2
Xf = np.asfortranarray(X.T)  # SPAMS: signals in columns
Df = np.asfortranarray(D)


def median_time(f, n=repeats):
    ts = []
    out = None
    for _ in range(n):
        t = time.perf_counter()
        out = f()
        ts.append(time.perf_counter() - t)
    return float(np.median(ts)), out


rows = []
for prec, dt in (("f64", np.float64), ("f32", np.float32)):
    Xp, Dp = np.asfortranarray(Xf.astype(dt)), np.asfortranarray(Df.astype(dt))
    t, a = median_time(lambda: spams.omp(Xp, Dp, L=8, numThreads=2))
    rows.append(("spams", prec, "omp8", t, a.nnz / X.shape[0]))
    t, a = median_time(lambda: spams.omp(Xp, Dp, eps=tol, numThreads=2))
    rows.append(("spams", prec, "omp_tol", t, a.nnz / X.shape[0]))
    t, a = median_time(lambda: spams.lasso(Xp, Dp, lambda1=60.0, mode=2, numThreads=2))
    rows.append(("spams", prec, "lasso_lars", t, a.nnz / X.shape[0]))
    t, a = median_time(lambda: spams.lasso(Xp, Dp, lambda1=tol, mode=1, numThreads=2))
    rows.append(("spams", prec, "lasso_goal", t, a.nnz / X.shape[0]))

# scikit-learn on a 1/16 subset (it is far slower), scaled up.
sub = X[: X.shape[0] // 16]
t, c = median_time(lambda: sparse_encode(sub, D.T, algorithm="omp", n_nonzero_coefs=8, n_jobs=2), 1)
rows.append(("sklearn(x16)", "f64", "omp8", 16 * t, (c != 0).sum(1).mean()))
t, c = median_time(lambda: sparse_encode(sub, D.T, algorithm="lasso_lars", alpha=60.0, n_jobs=2), 1)
rows.append(("sklearn(x16)", "f64", "lasso_lars", 16 * t, (c != 0).sum(1).mean()))

with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    for prec, dt in (("f64", np.float64), ("f32", np.float32)):
        np.save(tmp / "X.npy", np.ascontiguousarray(X.astype(dt)))
        np.save(tmp / "D.npy", np.ascontiguousarray(D.T.astype(dt)))
        for name, extra in (("omp8", ["--algorithm", "omp", "--n-nonzero", "8"]),
                            ("omp_tol", ["--algorithm", "omp", "--tol", str(tol)]),
                            ("lasso_lars", ["--algorithm", "lasso-lars", "--alpha", "60"]),
                            ("lasso_goal", ["--algorithm", "lasso-goal", "--tol", str(tol)])):
            ts, nnz = [], 0.0
            for _ in range(repeats):
                out = subprocess.run([binary, "encode", "--dict", str(tmp / "D.npy"), "--input", str(tmp / "X.npy"),
                                      "-o", str(tmp / "c.npz"), "--json", *extra], check=True, capture_output=True, text=True)
                j = json.loads(out.stdout)
                ts.append(j["seconds_encode"])
                nnz = j["mean_nnz"]
            rows.append(("sparsecode", prec, name, float(np.median(ts)), nnz))

print(f"{'who':<14}{'prec':<6}{'task':<12}{'median s':>10}{'mean nnz':>10}")
for who, prec, task, t, nnz in rows:
    print(f"{who:<14}{prec:<6}{task:<12}{t:>10.3f}{nnz:>10.3f}")
