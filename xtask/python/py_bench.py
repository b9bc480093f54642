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
import sklearn.linear_model as sklm

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
        args += ["--tol", repr(sc.defaults("encode")["lasso_cd_tol"])]  # scikit-learn's gap tolerance, sparse_encode's default
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
    rows += sparse_pca_rows(img) + omp_rows()
    print("| task | `sparsecode encode` | sparsecode (dense) | dense, first call | sparsecode (csr) | scikit-learn | ratio (dense) | ours / theirs |")
    print("|---|---|---|---|---|---|---|---|")
    for label, a, f, c, b, q, e in rows:
        fresh = "" if f is None else f"{f:.3f} s"
        csr = "" if c is None else f"{c:.3f} s"
        enc = "" if e is None else f"{e:.3f} s"
        print(f"| {label} | {enc} | {a:.3f} s | {fresh} | {csr} | {b:.2f} s | {b / a:.0f}× | {q} |")


def sparse_pca_rows(img):
    """Sparse PCA of 400 random 32×32 crops of `camera` (each crop's mean
    removed; 1024 features), 6 components, α = 0.1, as scikit-learn's
    faces example; the mini-batch fit runs 5 epochs of 3 features per step
    (tol = 0, no early stop: the same work on both sides). Quality: the
    residual variance of the ridge reconstruction, ‖X̄ − UV‖² / ‖X̄‖²."""
    X = sc.extract_patches_2d(img, (32, 32), max_patches=400, random_state=0).reshape(400, -1)
    X = X - X.mean(axis=1, keepdims=True)

    def residual(est):
        Xc = X - est.mean_
        return np.sum((Xc - est.transform(X) @ est.components_) ** 2) / np.sum(Xc**2)

    out = []
    for name, kw in [
        ("SparsePCA", dict(n_components=6, alpha=0.1, max_iter=30, random_state=0)),
        ("MiniBatchSparsePCA", dict(n_components=6, alpha=0.1, batch_size=3, max_iter=5, tol=0.0, max_no_improvement=None, random_state=0)),
    ]:
        ours, est = median_time(lambda: getattr(sc, name)(**kw).fit(X), 3)
        theirs, ref = median_time(lambda: getattr(skd, name)(**kw).fit(X), 1)
        diff = np.abs(est.components_ - ref.components_).max()
        out.append((f"`{name}.fit`, 400 crops of 32×32", ours, None, None, theirs, f"residual {residual(est):.6f} / {residual(ref):.6f}, components max Δ {diff:.1e}", None))
    return out


def omp_rows():
    """OMP regression: a tall design (10,000 × 256, 8 non-zeros per target)
    with 1 and 256 targets, scikit-learn's defaults (fit_intercept, the Gram
    form); and OMP as coding, 10,000 targets over a 64 × 256 design of unit
    columns (orthogonal_mp's Batch-OMP regime). Quality: the largest
    coefficient difference."""
    rs = np.random.RandomState(0)
    X = rs.randn(10000, 256)
    D = rs.randn(64, 256)
    D /= np.linalg.norm(D, axis=0)
    out = []
    for label, A, n_targets, kw in [
        ("`OrthogonalMatchingPursuit.fit`, 10,000 × 256, 1 target", X, 1, {}),
        ("`OrthogonalMatchingPursuit.fit`, 10,000 × 256, 256 targets", X, 256, {}),
        ("`OrthogonalMatchingPursuit.fit`, 64 × 256, 10,000 targets", D, 10000, {"fit_intercept": False}),
    ]:
        coef = np.zeros((256, n_targets))
        for t in range(n_targets):
            coef[rs.choice(256, 8, replace=False), t] = rs.randn(8)
        y = A @ coef + 0.01 * rs.randn(len(A), n_targets)
        y = y[:, 0] if n_targets == 1 else y
        ours, est = median_time(lambda: sc.OrthogonalMatchingPursuit(n_nonzero_coefs=8, **kw).fit(A, y), 3)
        theirs, ref = median_time(lambda: sklm.OrthogonalMatchingPursuit(n_nonzero_coefs=8, **kw).fit(A, y), 1)
        out.append((label, ours, None, None, theirs, f"coef max Δ {np.abs(est.coef_ - ref.coef_).max():.1e}", None))
        if n_targets == 1:
            ours, est = median_time(lambda: sc.OrthogonalMatchingPursuitCV().fit(A, y), 3)
            theirs, ref = median_time(lambda: sklm.OrthogonalMatchingPursuitCV().fit(A, y), 1)
            out.append(("`OrthogonalMatchingPursuitCV.fit`, 10,000 × 256", ours, None, None, theirs, f"n_nonzero_coefs_ {est.n_nonzero_coefs_} / {ref.n_nonzero_coefs_}", None))
    return out


if __name__ == "__main__":
    main()
