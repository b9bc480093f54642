"""Golden answers of SPAMS's Python API for `sparsecode.spams`'s tests.

Run by `cargo xtask golden --regen` in a throwaway virtual environment with
spams-bin. Problems the core was not tuned on: 8×8 patches of an image
drawn at random (sums of random oriented gratings and steps, seeded) over
a random unit dictionary and over a learned-looking one (normalised
patches), plus planted sparse mixtures; float64 and float32; for each case
SPAMS's codes (compressed) are saved in one .npz file in the output
folder, with the call's parameters in `params` and its inputs named (the
inputs themselves, once, in `inputs.npz`).
"""

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as ssp
import spams

out = Path(sys.argv[1])
out.mkdir(parents=True, exist_ok=True)
rs = np.random.RandomState(2026)


def image(n=96):
    yy, xx = np.mgrid[:n, :n] / n
    img = np.zeros((n, n))
    for _ in range(6):
        theta, f, a = rs.uniform(0, np.pi), rs.uniform(1, 12), rs.uniform(0.2, 1)
        img += a * np.sin(2 * np.pi * f * (np.cos(theta) * xx + np.sin(theta) * yy) + rs.uniform(0, 6))
    img += (xx + 0.3 * yy > 0.6) * 1.5
    return img + 0.05 * rs.randn(n, n)


def patches(img, m):
    i, j = rs.randint(0, img.shape[0] - 8, m), rs.randint(0, img.shape[1] - 8, m)
    P = np.stack([img[a : a + 8, b : b + 8].ravel() for a, b in zip(i, j)], axis=1)
    return P - P.mean(axis=0)


def unit(D):
    return D / np.linalg.norm(D, axis=0)


n = 200
inputs = {"X_img": patches(image(), n), "D_rand": unit(rs.randn(64, 128)), "D_patch": unit(patches(image(), 128) + 1e-3 * rs.randn(64, 128))}
support = np.zeros((128, n))
for s in range(n):
    support[rs.choice(128, 5, replace=False), s] = rs.randn(5)
inputs["X_planted"] = inputs["D_rand"] @ support + 0.01 * rs.randn(64, n)
inputs["B"] = rs.rand(64, n) > 0.3
inputs["W"] = rs.uniform(0.5, 2.0, (128, n))
np.savez_compressed(out / "inputs.npz", **inputs)
X_img, X_planted, D_rand, D_patch, B = "X_img", "X_planted", "D_rand", "D_patch", "B"

cases = [
    ("lasso", dict(lambda1=0.15, mode=2), X_img, D_patch, None),
    ("lasso", dict(lambda1=0.05, lambda2=0.1, mode=2), X_img, D_rand, None),
    ("lasso", dict(lambda1=0.2, mode=2, pos=True), X_img, D_patch, None),
    ("lasso", dict(lambda1=0.1, mode=2, L=4), X_planted, D_rand, None),
    ("lasso", dict(lambda1=0.5, mode=1), X_img, D_patch, None),
    ("lasso", dict(lambda1=0.05, mode=1, pos=True), X_planted, D_rand, None),
    ("lassoMask", dict(lambda1=0.1, mode=2), X_img, D_patch, B),
    ("lassoMask", dict(lambda1=0.3, mode=1), X_planted, D_rand, B),
    ("omp", dict(L=6), X_img, D_patch, None),
    ("omp", dict(eps=0.2), X_img, D_rand, None),
    ("omp", dict(L=3, eps=0.05), X_planted, D_rand, None),
    ("ompMask", dict(L=5), X_img, D_patch, B),
    ("ompMask", dict(eps=0.1, L=10), X_planted, D_rand, B),
]
for k, (fn, params, X, D, mask) in enumerate(cases):
    for dtype in (np.float64, np.float32):
        Xf, Df = np.asfortranarray(inputs[X], dtype=dtype), np.asfortranarray(inputs[D], dtype=dtype)
        args = (Xf, Df) if mask is None else (Xf, Df, np.asfortranarray(inputs[mask]))
        A = getattr(spams, fn)(*args, numThreads=1, **params)
        name = f"{k:02d}_{fn}_{np.dtype(dtype).name}"
        call = {"fn": fn, "X": X, "D": D, "B": mask, "params": params}
        np.savez_compressed(out / f"{name}.npz", data=A.data, indices=A.indices, indptr=A.indptr, call=json.dumps(call))
        print(name, A.nnz)
groups = np.arange(0, n, 4, dtype=np.int32)
group_cases = [
    ("somp", dict(L=4), X_planted, D_rand),
    ("somp", dict(L=8, eps=0.05), X_img, D_patch),
    ("l1L2BCD", dict(lambda1=0.3), X_planted, D_rand),
    ("l1L2BCD", dict(lambda1=0.5), X_img, D_patch),
]
for k, (fn, params, X, D) in enumerate(group_cases, start=len(cases)):
    for dtype in (np.float64, np.float32):
        Xf, Df = np.asfortranarray(inputs[X], dtype=dtype), np.asfortranarray(inputs[D], dtype=dtype)
        if fn == "somp":
            A = spams.somp(Xf, Df, groups, numThreads=1, **params)
        else:
            A = ssp.csc_matrix(spams.l1L2BCD(Xf, Df, np.zeros((Df.shape[1], Xf.shape[1]), dtype=dtype, order="F"), groups, numThreads=1, **params))
        name = f"{k:02d}_{fn}_{np.dtype(dtype).name}"
        call = {"fn": fn, "X": X, "D": D, "B": None, "groups": groups.tolist(), "params": params}
        np.savez_compressed(out / f"{name}.npz", data=A.data, indices=A.indices, indptr=A.indptr, call=json.dumps(call))
        print(name, A.nnz)
# Later additions (numbered after the cases above): lasso in mode 0,
# lassoWeighted, cd, omp's ℓ0 penalty, and the regularisation paths.
extra_cases = [
    ("lasso", dict(lambda1=2.0, mode=0), X_img, D_patch),
    ("lasso", dict(lambda1=1.0, mode=0, pos=True), X_planted, D_rand),
    ("lasso", dict(lambda1=1.5, mode=0, lambda2=0.1), X_img, D_rand),
    ("lassoWeighted", dict(lambda1=0.1, mode=2), X_img, D_patch),
    ("lassoWeighted", dict(lambda1=0.3, mode=1), X_planted, D_rand),
    ("lassoWeighted", dict(lambda1=2.0, mode=0, pos=True), X_img, D_rand),
    ("cd", dict(lambda1=0.15, mode=2), X_img, D_patch),
    ("omp", dict(lambda1=0.02), X_img, D_patch),
    ("omp", dict(lambda1=0.01, L=6), X_planted, D_rand),
    ("lasso", dict(lambda1=0.2, mode=2, return_reg_path=True), X_img, D_patch),
    ("omp", dict(L=6, return_reg_path=True), X_planted, D_rand),
    ("lasso", dict(lambda1=0.15, mode=2, ols=True), X_img, D_patch),
    ("lasso", dict(lambda1=0.05, mode=2, lambda2=0.1, ols=True), X_planted, D_rand),
]
for k, (fn, params, X, D) in enumerate(extra_cases, start=len(cases) + len(group_cases)):
    for dtype in (np.float64, np.float32):
        Xf, Df = np.asfortranarray(inputs[X], dtype=dtype), np.asfortranarray(inputs[D], dtype=dtype)
        extra, path = {}, None
        if fn == "lassoWeighted":
            A = spams.lassoWeighted(Xf, Df, np.asfortranarray(inputs["W"], dtype=dtype), numThreads=1, **params)
            extra["W"] = "W"
        elif fn == "cd":
            A = spams.cd(Xf, Df, ssp.csc_matrix((Df.shape[1], Xf.shape[1]), dtype=dtype), numThreads=1, **params)
        elif params.get("return_reg_path"):
            A, path = getattr(spams, fn)(Xf, Df, numThreads=1, **params)
        else:
            A = getattr(spams, fn)(Xf, Df, numThreads=1, **params)
        name = f"{k:02d}_{fn}_{np.dtype(dtype).name}"
        call = {"fn": fn, "X": X, "D": D, "B": None, "params": params, **extra}
        more = {} if path is None else {"path": path}
        np.savez_compressed(out / f"{name}.npz", data=A.data, indices=A.indices, indptr=A.indptr, call=json.dumps(call), **more)
        print(name, A.nnz)
# sparseProject (modes 1–5; SPAMS's mode 6 misses its own constraint, so
# the tests check ours from the mathematics) and decompSimplex.
project_cases = [
    dict(thrs=2.0, mode=1),
    dict(thrs=1.5, mode=1, pos=True),
    dict(thrs=3.0, mode=2, lambda1=0.5),
    dict(thrs=1.0, mode=3, lambda1=2.0, pos=True),
    dict(thrs=1.5, mode=4, lambda1=0.3),
    dict(thrs=1.0, mode=5, lambda1=0.1, lambda2=0.3, lambda3=0.2),
]
k0 = len(cases) + len(group_cases) + len(extra_cases)
for k, params in enumerate(project_cases, start=k0):
    for dtype in (np.float64, np.float32):
        U = np.asfortranarray(inputs[X_img], dtype=dtype)
        V = spams.sparseProject(U, numThreads=1, **dict({"pos": False}, **params))
        name = f"{k:02d}_sparseProject_{np.dtype(dtype).name}"
        np.savez_compressed(out / f"{name}.npz", V=V, call=json.dumps({"fn": "sparseProject", "X": X_img, "params": params}))
        print(name)
for k, (X, Z) in enumerate([(X_img, D_patch), (X_planted, D_rand)], start=k0 + len(project_cases)):
    for dtype in (np.float64, np.float32):
        Xf, Zf = np.asfortranarray(inputs[X], dtype=dtype), np.asfortranarray(inputs[Z][:, :40], dtype=dtype)
        A = spams.decompSimplex(Xf, Zf, numThreads=1)
        name = f"{k:02d}_decompSimplex_{np.dtype(dtype).name}"
        call = {"fn": "decompSimplex", "X": X, "D": Z, "B": None, "params": {}, "columns": 40}
        np.savez_compressed(out / f"{name}.npz", data=A.data, indices=A.indices, indptr=A.indptr, call=json.dumps(call))
        print(name, A.nnz)
# trainDL: SPAMS's dictionaries (float64), whose fit the tests compare ours
# with (learning draws at random, so the dictionaries themselves differ).
train_cases = [
    dict(K=32, lambda1=0.15, mode=2, iter=200, batchsize=64),
    dict(K=32, lambda1=4, mode=3, iter=200, batchsize=64),
    dict(K=16, lambda1=0.1, mode=2, iter=200, batchsize=64, posAlpha=True, posD=True),
]
k0 = len(cases) + len(group_cases) + len(extra_cases) + len(project_cases) + 2
for k, params in enumerate(train_cases, start=k0):
    Xf = np.asfortranarray(inputs[X_img] if not params.get("posD") else np.abs(inputs[X_img]))
    D = spams.trainDL(Xf, numThreads=1, verbose=False, **params)
    name = f"{k:02d}_trainDL_float64"
    np.savez_compressed(out / f"{name}.npz", D=D, call=json.dumps({"fn": "trainDL", "X": X_img, "params": params}))
    print(name)
# The utilities with a layout of their own: im2col_sliding, bayer and
# displayPatches (SPAMS's fails on RGB patches; the tests check those from
# the layout alone).
util = {"image": rs.randn(9, 11)}
util["im2col"] = spams.im2col_sliding(np.asfortranarray(util["image"]), 3, 4)
# RGB: SPAMS's colour layout (each image column as three), from its own generator.
util["image_rgb"] = np.random.RandomState(7).randn(6, 15)
util["im2col_rgb"] = spams.im2col_sliding(np.asfortranarray(util["image_rgb"]), 2, 3, True)
for size in (12, 27, 48):
    util[f"bayer_in_{size}"] = rs.randn(size)
    for off in range(4):
        util[f"bayer_{size}_{off}"] = spams.bayer(util[f"bayer_in_{size}"], off)
for shape in ((64, 10), (49, 30)):
    key = f"{shape[0]}x{shape[1]}"
    util[f"patches_{key}"] = rs.randn(*shape)
    util[f"display_{key}"] = spams.displayPatches(np.asfortranarray(util[f"patches_{key}"]))
    util[f"display_abs_{key}"] = spams.displayPatches(np.asfortranarray(np.abs(util[f"patches_{key}"])))
# proximalFlat: each flat regulariser on the image patches, groups of 4
# rows, once with pos and intercept.
prox_cases = [
    ("l0", dict(lambda1=0.3)), ("l1", dict(lambda1=0.2)), ("l2", dict(lambda1=0.7)), ("linf", dict(lambda1=0.5)),
    ("l2-not-squared", dict(lambda1=0.8)), ("elastic-net", dict(lambda1=0.2, lambda2=0.3)),
    ("fused-lasso", dict(lambda1=0.3, lambda2=0.1, lambda3=0.2)), ("group-lasso-l2", dict(lambda1=0.5)),
    ("group-lasso-linf", dict(lambda1=0.4)), ("sparse-group-lasso-l2", dict(lambda1=0.5, lambda2=0.1)),
    ("sparse-group-lasso-linf", dict(lambda1=0.4, lambda2=0.1)), ("l1", dict(lambda1=0.2, pos=True, intercept=True)),
    ("group-lasso-l2", dict(lambda1=0.5, pos=True)), ("fused-lasso", dict(lambda1=0.3, lambda2=0.1, lambda3=0.2, pos=True)),
]
U = np.asfortranarray(inputs[X_img][:, :30])
for k, (regul, params) in enumerate(prox_cases):
    util[f"prox_{k}"] = spams.proximalFlat(U, regul=regul, size_group=4, numThreads=1, **params)
util["prox_cases"] = json.dumps(prox_cases)
# archetypalAnalysis: SPAMS's archetypes of the image patches (the same
# start, the first p signals), whose fit the tests compare ours with.
for p in (4, 8):
    util[f"archetypes_{p}"] = spams.archetypalAnalysis(np.asfortranarray(inputs[X_img]), p=p, numThreads=1)
# fistaFlat with the square loss: the image patches over the patch
# dictionary as a design.
fista_cases = [
    ("l1", dict(lambda1=0.2)), ("elastic-net", dict(lambda1=0.2, lambda2=0.1)), ("group-lasso-l2", dict(lambda1=0.5)),
    ("l1", dict(lambda1=0.2, pos=True)), ("fused-lasso", dict(lambda1=0.1, lambda2=0.1, lambda3=0.0)),
]
Yf, Xf = np.asfortranarray(inputs[X_img][:, :20]), np.asfortranarray(inputs[D_patch])
for k, (regul, params) in enumerate(fista_cases):
    util[f"fista_{k}"] = spams.fistaFlat(Yf, Xf, np.zeros((128, 20), order="F"), loss="square", regul=regul, size_group=4, numThreads=1,
                                         max_it=5000, tol=1e-10, **params)
util["fista_cases"] = json.dumps(fista_cases)
np.savez_compressed(out / "utilities.npz", **util)
(out / "README.md").write_text(
    "SPAMS's answers (spams-bin, numThreads=1) for `tests/test_spams.py`, made by "
    "`xtask/python/golden_spams_api.py` (`cargo xtask golden --regen`). Do not edit.\n"
)
# fistaFlat's other losses, on a classification problem of their own (own
# seed, so that this section can be rerun alone from inputs.npz): the image
# patches as the design's rows, planted linear scores.
rl = np.random.RandomState(2027)
Xl = np.asfortranarray(unit(inputs[X_img].T))
planted = rl.randn(64, 3) * (rl.rand(64, 3) < 0.3)
scores = Xl @ planted + 0.3 * rl.randn(n, 3)
loss_inputs = {
    "Xl": Xl,
    "signs": np.asfortranarray(np.sign(scores)),
    "labels": np.asfortranarray(np.argmax(scores, axis=1).reshape(n, 1).astype(float)),
    "missing": np.asfortranarray(np.where(rl.rand(n, 3) < 0.2, np.nan, scores)),
}
loss_cases = [
    ("logistic", "signs", "l1", dict(lambda1=0.01)), ("logistic", "signs", "group-lasso-l2", dict(lambda1=0.02)),
    ("weighted-logistic", "signs", "l1", dict(lambda1=0.01)), ("weighted-logistic", "signs", "elastic-net", dict(lambda1=0.01, lambda2=0.01)),
    ("multi-logistic", "labels", "l1", dict(lambda1=0.005)), ("multi-logistic", "labels", "l2", dict(lambda1=0.01)),
    ("square-missing", "missing", "l1", dict(lambda1=0.1)), ("square-missing", "missing", "elastic-net", dict(lambda1=0.1, lambda2=0.1)),
]
for k, (loss, target, regul, params) in enumerate(loss_cases):
    Y = loss_inputs[target]
    W0 = np.zeros((64, 3 * Y.shape[1] if loss == "multi-logistic" else Y.shape[1]), order="F")
    loss_inputs[f"W_{k}"] = spams.fistaFlat(Y, Xl, W0, loss=loss, regul=regul, size_group=4, numThreads=1, max_it=5000, tol=1e-10, **params)
loss_inputs["cases"] = json.dumps(loss_cases)
np.savez_compressed(out / "losses.npz", **loss_inputs)
# The matrix regularisers (own seed, rerunnable alone from inputs.npz):
# proximalFlat on image patches, fistaFlat with the square loss over the
# patch dictionary. SPAMS's rank-vec thresholds below the exact prox's
# √(2λ), so the tests check it from the mathematics instead.
matrix_inputs = {}
matrix_prox = [
    ("l1l2", dict(lambda1=0.8)), ("l1linf", dict(lambda1=0.5)), ("l1l2+l1", dict(lambda1=0.8, lambda2=0.1)),
    ("l1linf+l1", dict(lambda1=0.5, lambda2=0.1)), ("trace-norm", dict(lambda1=1.0)), ("rank", dict(lambda1=0.5)),
    ("trace-norm-vec", dict(lambda1=0.3)), ("l1l2", dict(lambda1=0.8, pos=True, intercept=True)),
]
Um = np.asfortranarray(inputs[X_img][:, :12])
for k, (regul, params) in enumerate(matrix_prox):
    V, val = spams.proximalFlat(Um, regul=regul, size_group=8, numThreads=1, return_val_loss=True, **params)
    matrix_inputs[f"prox_{k}"], matrix_inputs[f"val_{k}"] = V, np.asarray(val).ravel()
matrix_fista = [("l1l2", dict(lambda1=0.5)), ("l1linf", dict(lambda1=0.3)), ("l1l2+l1", dict(lambda1=0.5, lambda2=0.05)), ("trace-norm", dict(lambda1=0.5))]
Ym, Xm = np.asfortranarray(inputs[X_img][:, :12]), np.asfortranarray(inputs[D_patch][:, :40])
for k, (regul, params) in enumerate(matrix_fista):
    matrix_inputs[f"fista_{k}"] = spams.fistaFlat(Ym, Xm, np.zeros((40, 12), order="F"), loss="square", regul=regul, numThreads=1,
                                                  max_it=5000, tol=1e-10, **params)
matrix_inputs["prox_cases"], matrix_inputs["fista_cases"] = json.dumps(matrix_prox), json.dumps(matrix_fista)
np.savez_compressed(out / "matrix.npz", **matrix_inputs)
# Robust archetypal analysis (rerunnable alone from inputs.npz): SPAMS's
# archetypes of the image patches, a few of them made outliers.
Xr = np.asfortranarray(inputs[X_img].copy())
Xr[:, ::25] *= 6
robust = {"X": Xr}
for p in (4, 8):
    robust[f"archetypes_{p}"] = spams.archetypalAnalysis(Xr, p=p, robust=True, epsilon=0.1, numThreads=1)
np.savez_compressed(out / "robust.npz", **robust)
# trainDL's batch mode (rerunnable alone from inputs.npz): SPAMS's learned
# atoms' objectives (each signal coded again for the mode), from a start
# of normalised signals, on the image patches and on planted mixtures.
batch = {}
batch_cases = [(2, 0.1, {}), (2, 0.1, {"posAlpha": True, "posD": True}), (1, 0.5, {}), (2, 0.05, {})]
for k, (mode, lam, extra) in enumerate(batch_cases):
    Xb = np.asfortranarray(inputs[X_img] if k < 3 else inputs[X_planted])
    D0 = Xb[:, :24] / np.linalg.norm(Xb[:, :24], axis=0)
    D0 = np.asfortranarray(np.abs(D0) if extra.get("posD") else D0)
    Db = spams.trainDL(Xb, D=D0, lambda1=lam, mode=mode, iter=20, batch=True, verbose=False, numThreads=1, **extra)
    A = spams.lasso(Xb, Db, lambda1=lam, mode=mode, pos=bool(extra.get("posAlpha")), numThreads=1).toarray()
    objective = np.abs(A).sum() if mode == 1 else 0.5 * ((Xb - Db @ A) ** 2).sum() + lam * np.abs(A).sum()
    batch[f"D0_{k}"], batch[f"objective_{k}"] = D0, objective
batch["cases"] = json.dumps(batch_cases)
batch["sources"] = json.dumps([X_img, X_img, X_img, X_planted])
np.savez_compressed(out / "batch.npz", **batch)
# trainDL continued from its model (rerunnable alone from inputs.npz):
# SPAMS's fit of 100 steps, then 100 more from its dictionary and model;
# the objective of the continued dictionary (the Lasso codes again).
Xm = np.asfortranarray(inputs[X_img])
model_params = dict(K=32, lambda1=0.15, mode=2, iter=100, batchsize=64)
D1, m1 = spams.trainDL(Xm, return_model=True, verbose=False, numThreads=1, **model_params)
D2 = spams.trainDL(Xm, D=D1, model=m1, verbose=False, numThreads=1, **model_params)
A2 = spams.lasso(Xm, D2, lambda1=model_params["lambda1"], numThreads=1).toarray()
np.savez_compressed(out / "model.npz", params=json.dumps(model_params), X=X_img,
                    objective=0.5 * ((Xm - D2 @ A2) ** 2).sum() + model_params["lambda1"] * np.abs(A2).sum())
