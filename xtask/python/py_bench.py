"""Times the sparsecode Python package against scikit-learn, side by side in
one process on this machine (run by `cargo xtask py-bench`).

Coding: the camera workload (all 255,025 8×8 patches of `camera` plus
Gaussian noise σ = 20, means removed, the 256-atom overcomplete DCT);
scikit-learn on 1/16 of the patches with n_jobs=2, scaled by 16.
Learning: the seed's run (2000 random 8×8 patches in [0, 1], random_state
42, 100 atoms, alpha = 1) with MiniBatchDictionaryLearning's defaults,
every dictionary scored by Σ ½‖x − Dc‖² + ‖c‖₁ with Lasso-LARS codes.
With the `sparsecode` binary as first argument, its `encode` time (the
JSON's `seconds_encode`, files excluded) on the same arrays is timed in the
same run, median of 3. Dense outputs are timed as a loop over batches runs
them (each freed before the next call, so its memory is reused: medians of
3) and as a first call, into fresh memory from the kernel.
"""

import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np
import sklearn.decomposition as skd

import sparsecode as sc


def odct(p, l):
    d = np.cos(np.pi * np.outer(np.arange(p), np.arange(l)) / l)
    d[:, 1:] -= d[:, 1:].mean(axis=0)
    d /= np.linalg.norm(d, axis=0)
    return np.kron(d, d).T  # (l², p²), atoms as rows


def median_time(f, repeat):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def steady_time(f, repeat):
    """Median time of `f` when each result is freed before the next call,
    as in a loop over batches: a dense output then reuses the memory of the
    one freed before it."""
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
        del out
    return float(np.median(times))


def cli_time(cli, tmp, X, D, algorithm, kw):
    """Median of 3 `sparsecode encode` runs' own encode time."""
    xp, dp = os.path.join(tmp, "x.npy"), os.path.join(tmp, "d.npy")
    np.save(xp, X)
    np.save(dp, D)
    args = [cli, "encode", "--dict", dp, "--input", xp, "--output", os.path.join(tmp, "c.npz"), "--json",
            "--algorithm", algorithm.replace("_", "-")]
    if "n_nonzero_coefs" in kw:
        args += ["--n-nonzero", str(kw["n_nonzero_coefs"])]
    if "alpha" in kw:
        args += ["--alpha", str(kw["alpha"])]
    if algorithm == "lasso_cd":
        args += ["--tol", repr(sc._core.LASSO_CD_TOL)]  # scikit-learn's gap tolerance, sparse_encode's default
    times = [json.loads(subprocess.run(args, check=True, capture_output=True, text=True).stdout)["seconds_encode"] for _ in range(3)]
    return float(np.median(times))


def main():
    cli = sys.argv[1] if len(sys.argv) > 1 else None
    tmp = tempfile.mkdtemp()
    rng = np.random.RandomState(0)
    noisy = sc.data.camera() + 20 * rng.randn(512, 512)
    X64 = sc.extract_patches_2d(noisy, (8, 8)).reshape(-1, 64)
    X64 -= X64.mean(axis=1, keepdims=True)
    D64 = odct(8, 16)
    sub = slice(0, X64.shape[0] // 16)
    rows = []
    tasks = [
        ("OMP, 8 atoms", "omp", dict(n_nonzero_coefs=8)),
        ("Lasso-LARS, α = 60", "lasso_lars", dict(alpha=60.0)),
        ("Lasso-CD, α = 60", "lasso_cd", dict(alpha=60.0)),
    ]
    for dtype in (np.float64, np.float32):
        X, D = X64.astype(dtype), D64.astype(dtype)
        for label, algorithm, kw in tasks:
            # A first call, into fresh memory (the previous output is alive).
            fresh, codes = median_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, **kw), 1)
            mine = codes[sub].copy()
            theirs, ref = median_time(lambda: skd.sparse_encode(X[sub], D, algorithm=algorithm, n_jobs=2, **kw), 1)
            del codes
            ours = steady_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, **kw), 3)
            csr = steady_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, output="csr", **kw), 3)
            theirs *= 16
            quality = f"nnz {np.count_nonzero(mine) / mine.shape[0]:.2f} / {np.count_nonzero(ref) / ref.shape[0]:.2f}"
            if algorithm != "omp":
                obj = lambda C: 0.5 * np.sum((X[sub].astype(np.float64) - C.astype(np.float64) @ D.astype(np.float64)) ** 2) + kw["alpha"] * np.abs(C).sum()
                quality += f", objective rel. {obj(mine) / obj(ref) - 1:+.1e}"
            cli_s = cli_time(cli, tmp, X, D, algorithm, kw) if cli else None
            rows.append((f"{label} ({np.dtype(dtype).name})", ours, fresh, csr, theirs, quality, cli_s))
    img = sc.data.camera() / 255.0
    P = sc.extract_patches_2d(img, (8, 8), max_patches=2000, random_state=42).reshape(2000, -1)

    def objective(D):
        C = skd.sparse_encode(P, D, algorithm="lasso_lars", alpha=1.0)
        return 0.5 * np.sum((P - C @ D) ** 2) + np.abs(C).sum()

    ours, est = median_time(lambda: sc.MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(P), 3)
    theirs, ref = median_time(lambda: skd.MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(P), 1)
    rows.append(("MiniBatchDictionaryLearning.fit, seed's run", ours, None, None, theirs, f"objective {objective(est.components_):.4f} / {objective(ref.components_):.4f}", None))
    print("| task | `sparsecode encode` | sparsecode (dense) | dense, first call | sparsecode (csr) | scikit-learn | ratio (dense) | ours / theirs |")
    print("|---|---|---|---|---|---|---|---|")
    for label, a, f, c, b, q, e in rows:
        fresh = "" if f is None else f"{f:.3f} s"
        csr = "" if c is None else f"{c:.3f} s"
        enc = "" if e is None else f"{e:.3f} s"
        print(f"| {label} | {enc} | {a:.3f} s | {fresh} | {csr} | {b:.2f} s | {b / a:.0f}× | {q} |")


if __name__ == "__main__":
    main()
