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
    times = []
    for _ in range(3):
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


if __name__ == "__main__":
    main()
