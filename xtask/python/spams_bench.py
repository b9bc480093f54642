"""`sparsecode.spams` timed against SPAMS (spams-bin), both in this one
process on this machine, every call with numThreads=-1 (all cores), medians
of 3, interleaved. The workload: 20,000 random 8×8 patches of `camera`
(means removed) over the 256-atom overcomplete DCT (atoms as columns,
Fortran order, as SPAMS takes them); masks keep 70% of each patch; groups
of 8 signals. Prints a Markdown table: time each, the ratio, and the
objective (ours / SPAMS's)."""

import contextlib
import os
import sys
import time

import numpy as np
import spams as theirs

import sparsecode as sc
import sparsecode.spams as ours


def odct(p, l):
    d = np.cos(np.pi * np.outer(np.arange(p), np.arange(l)) / l)
    d[:, 1:] -= d[:, 1:].mean(axis=0)
    d /= np.linalg.norm(d, axis=0)
    return np.kron(d, d)  # (p², l²), atoms as columns


@contextlib.contextmanager
def quiet_stdout():
    """SPAMS's C++ prints to the process's standard output (archetypal
    analysis's "RSS" lines): silence file descriptor 1 around its calls."""
    sys.stdout.flush()
    saved = os.dup(1)
    with open(os.devnull, "w") as null:
        os.dup2(null.fileno(), 1)
        try:
            yield
        finally:
            sys.stdout.flush()
            os.dup2(saved, 1)
            os.close(saved)


def median(f):
    """The median time of ``f`` over 3 runs, or, for a call of a few
    milliseconds, over as many runs as fill half a second (at most 25):
    three runs of a 5 ms call measure the machine's noise more than the
    call."""
    times = []
    while len(times) < 3 or (sum(times) < 0.5 and len(times) < 25):
        t = time.perf_counter()
        out = f()
        times.append(time.perf_counter() - t)
    return float(np.median(times)), out


def main():
    img = sc.data.camera() / 255.0
    P = sc.extract_patches_2d(img, (8, 8), max_patches=20000, random_state=0).reshape(20000, 64)
    X = np.asfortranarray((P - P.mean(axis=1, keepdims=True)).T)
    D = np.asfortranarray(odct(8, 16))
    B = np.asfortranarray(np.random.RandomState(0).rand(*X.shape) > 0.3)
    groups = np.arange(0, X.shape[1], 8, dtype=np.int32)
    W = np.asfortranarray(np.random.RandomState(1).uniform(0.5, 2.0, (D.shape[1], X.shape[1])))
    X2 = np.asfortranarray(X[:, :2000])
    Z = np.asfortranarray(X[:, np.random.RandomState(2).choice(X.shape[1], 64, replace=False)])
    sq = lambda A: np.sum((X - D @ A) ** 2)  # noqa: E731

    def group_lasso(A):
        rows = np.sqrt(np.add.reduceat(A**2, groups, axis=1))  # each atom's row norm, group by group
        return 0.5 * sq(A) + 0.2 * rows.sum()

    l1 = lambda A: np.abs(A).sum()  # noqa: E731
    calls = [
        ("lasso, mode 2, λ = 0.05", "lasso", (X, D), dict(lambda1=0.05), lambda A: 0.5 * sq(A) + 0.05 * l1(A)),
        ("lasso, mode 1, ε = 0.05", "lasso", (X, D), dict(lambda1=0.05, mode=1), l1),
        ("lasso, mode 2, pos", "lasso", (X, D), dict(lambda1=0.05, pos=True), lambda A: 0.5 * sq(A) + 0.05 * l1(A)),
        ("lassoMask, mode 2", "lassoMask", (X, D, B), dict(lambda1=0.05), None),
        ("omp, L = 8", "omp", (X, D), dict(L=8), sq),
        ("omp, ε = 0.05", "omp", (X, D), dict(eps=0.05), sq),
        ("ompMask, L = 8", "ompMask", (X, D, B), dict(L=8), None),
        ("somp, groups of 8, L = 8", "somp", (X, D, groups), dict(L=8), sq),
        ("l1L2BCD, groups of 8, λ = 0.2", "l1L2BCD", (X, D, np.zeros((D.shape[1], X.shape[1]), order="F"), groups), dict(lambda1=0.2), group_lasso),
        ("lasso, mode 0, ‖α‖₁ ≤ 1", "lasso", (X, D), dict(lambda1=1.0, mode=0), sq),
        ("lassoWeighted, mode 2, λ = 0.05", "lassoWeighted", (X, D, W), dict(lambda1=0.05), lambda A: 0.5 * sq(A) + 0.05 * np.abs(W * A).sum()),
        ("omp, ℓ0 penalty λ = 0.005", "omp", (X, D), dict(lambda1=0.005), lambda A: 0.5 * sq(A) + 0.005 * np.count_nonzero(A)),
        ("sparseProject, ℓ1 ball", "sparseProject", (X,), dict(thrs=1.0, mode=1, pos=False), None),
        ("proximalFlat, group-lasso-l2", "proximalFlat", (X,), dict(regul="group-lasso-l2", lambda1=0.1, size_group=4), None),
        ("fistaFlat, l1, 2,000 signals", "fistaFlat", (X2, D, np.zeros((D.shape[1], X2.shape[1]), order="F")),
         dict(loss="square", regul="l1", lambda1=0.05), lambda A: 0.5 * np.sum((X2 - D @ A) ** 2) + 0.05 * l1(A)),
        ("decompSimplex, 64 points", "decompSimplex", (X, Z), dict(), lambda A: np.sum((X - Z @ A) ** 2)),
        ("archetypalAnalysis, p = 16, 2,000 signals", "archetypalAnalysis", (X2,), dict(p=16),
         lambda Zs: np.sum((X2 - Zs @ ours.decompSimplex(X2, np.asfortranarray(Zs)).toarray()) ** 2)),
        ("trainDL, K = 100, 100 steps of 256", "trainDL", (X,), dict(K=100, lambda1=0.1, iter=100, batchsize=256, verbose=False), None),
    ]
    print("| call | sparsecode.spams | SPAMS | ratio | objective (ours / SPAMS) |")
    print("|---|---|---|---|---|")
    total_ours = total_theirs = 0.0
    for label, name, args, kw, objective in calls:
        a, A = median(lambda: getattr(ours, name)(*args, numThreads=-1, **kw))
        with quiet_stdout():
            b, Bt = median(lambda: getattr(theirs, name)(*args, numThreads=-1, **kw))
        total_ours, total_theirs = total_ours + a, total_theirs + b
        dense = lambda M: M.toarray() if hasattr(M, "toarray") else M  # noqa: E731
        q = "" if objective is None else f"{objective(dense(A)):.6g} / {objective(dense(Bt)):.6g}"
        print(f"| `{label}` | {a:.3f} s | {b:.3f} s | {b / a:.1f}× | {q} |")
    print(f"| all of them | {total_ours:.3f} s | {total_theirs:.3f} s | {total_theirs / total_ours:.1f}× | |")
    stain_separation()


def vahadane(lib, od):
    """Vahadane's stain matrix and concentrations as StainTools computes
    them with SPAMS, on the library `lib`: trainDL with K = 2, positive
    atoms and codes on the tissue pixels' optical densities, then
    lasso(pos=True) on every pixel. Returns the unit stains (3, 2),
    haematoxylin first, and the concentrations (2, n_pixels)."""
    tissue = tissue_of(od)
    D = lib.trainDL(tissue, K=2, lambda1=0.1, mode=2, modeD=0, posAlpha=True, posD=True, iter=200, verbose=False,
                    numThreads=-1)
    D = D / np.linalg.norm(D, axis=0)
    D = np.asfortranarray(D[:, np.argsort(-D[0])])
    return D, lib.lasso(od, D, lambda1=0.01, pos=True, numThreads=-1).toarray()


def tissue_of(od):
    """The tissue pixels' optical densities (columns; the background's are
    near 0)."""
    return np.asfortranarray(od[:, np.linalg.norm(od, axis=0) > 0.15])


def stain_separation():
    """The stain-separation example of the gallery
    (docs/gallery/plot_stain_separation.py), on both libraries: scikit-image's
    immunohistochemistry image (512 × 512, haematoxylin and DAB)."""
    from skimage import data
    from skimage.color import rgb_from_hed

    rgb = data.immunohistochemistry()
    od = np.asfortranarray(-np.log(np.maximum(rgb.reshape(-1, 3).astype(float), 1) / 255).T)
    a, (Da, _) = median(lambda: vahadane(ours, od))
    with quiet_stdout():
        b, (Db, _) = median(lambda: vahadane(theirs, od))
    ref = rgb_from_hed[[0, 2]].T / np.linalg.norm(rgb_from_hed[[0, 2]], axis=1)
    angle = lambda u, v: np.degrees(np.arccos(np.clip(np.sum(u * v, axis=0), -1, 1)))  # noqa: E731
    tissue = tissue_of(od)

    def learned(D):  # trainDL's objective on the tissue, the codes exact (both libraries' lasso agree)
        C = ours.lasso(tissue, np.asfortranarray(D), lambda1=0.1, pos=True).toarray()
        return 0.5 * np.sum((tissue - D @ C) ** 2) + 0.1 * C.sum()

    print()
    print("Stain separation (Vahadane; `docs/gallery/plot_stain_separation.py`) on scikit-image's "
          "`immunohistochemistry` (512 × 512), the whole pipeline (trainDL, then lasso on every pixel):")
    print()
    print("| | sparsecode.spams | SPAMS |")
    print("|---|---|---|")
    print(f"| time | {a:.3f} s | {b:.3f} s ({b / a:.1f}×) |")
    for k, name in enumerate(["haematoxylin", "DAB"]):
        print(f"| {name}: stain (OD, RGB); its angle to Ruifrok & Johnston's | {np.round(Da[:, k], 3).tolist()}; "
              f"{angle(Da, ref)[k]:.1f}° | {np.round(Db[:, k], 3).tolist()}; {angle(Db, ref)[k]:.1f}° |")
    print(f"| the two libraries' stains apart | {angle(Da, Db)[0]:.2f}° and {angle(Da, Db)[1]:.2f}° | |")
    print(f"| trainDL's objective on the tissue pixels, ½‖X − DC‖² + 0.1‖C‖₁ | {learned(Da):.7g} | {learned(Db):.7g} |")


if __name__ == "__main__":
    main()
