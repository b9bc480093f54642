"""Times the sparsecode Python package against scikit-learn, side by side in
one process on this machine (run by `cargo xtask py-bench`).

Coding: the camera workload (all 255,025 8×8 patches of `camera` plus
Gaussian noise σ = 20, means removed, the 256-atom overcomplete DCT);
scikit-learn on 1/16 of the patches with n_jobs=2, scaled by 16.
Learning: the seed's run (2000 random 8×8 patches in [0, 1], random_state
42, 100 atoms, alpha = 1) with MiniBatchDictionaryLearning's defaults,
every dictionary scored by Σ ½‖x − Dc‖² + ‖c‖₁ with Lasso-LARS codes.
"""

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


def main():
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
            # Interleaved: ours, theirs, ours, ours; medians.
            ours1, codes = median_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, **kw), 1)
            theirs, ref = median_time(lambda: skd.sparse_encode(X[sub], D, algorithm=algorithm, n_jobs=2, **kw), 1)
            ours2, _ = median_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, **kw), 2)
            ours = float(np.median([ours1, ours2, ours2]))
            csr, _ = median_time(lambda: sc.sparse_encode(X, D, algorithm=algorithm, output="csr", **kw), 3)
            theirs *= 16
            mine = codes[sub]
            quality = f"nnz {np.count_nonzero(mine) / mine.shape[0]:.2f} / {np.count_nonzero(ref) / ref.shape[0]:.2f}"
            if algorithm != "omp":
                obj = lambda C: 0.5 * np.sum((X[sub].astype(np.float64) - C.astype(np.float64) @ D.astype(np.float64)) ** 2) + kw["alpha"] * np.abs(C).sum()
                quality += f", objective rel. {obj(mine) / obj(ref) - 1:+.1e}"
            rows.append((f"{label} ({np.dtype(dtype).name})", ours, csr, theirs, quality))
    img = sc.data.camera() / 255.0
    P = sc.extract_patches_2d(img, (8, 8), max_patches=2000, random_state=42).reshape(2000, -1)

    def objective(D):
        C = skd.sparse_encode(P, D, algorithm="lasso_lars", alpha=1.0)
        return 0.5 * np.sum((P - C @ D) ** 2) + np.abs(C).sum()

    ours, est = median_time(lambda: sc.MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(P), 3)
    theirs, ref = median_time(lambda: skd.MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(P), 1)
    rows.append(("MiniBatchDictionaryLearning.fit, seed's run", ours, None, theirs, f"objective {objective(est.components_):.1f} / {objective(ref.components_):.1f}"))
    print("| task | sparsecode (dense) | sparsecode (csr) | scikit-learn | ratio | ours / theirs |")
    print("|---|---|---|---|---|---|")
    for label, a, c, b, q in rows:
        csr = "" if c is None else f"{c:.3f} s"
        print(f"| {label} | {a:.3f} s | {csr} | {b:.2f} s | {b / a:.0f}× | {q} |")


if __name__ == "__main__":
    main()
