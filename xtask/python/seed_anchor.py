"""The seed's run (issue 4): MiniBatchDictionaryLearning(n_components=100,
alpha=1.0) on 2000 random 8x8 patches of camera in [0, 1]
(extract_patches_2d(..., max_patches=2000, random_state=42)), SPAMS trainDL,
and `sparsecode learn` on the same patches, in one run. Every dictionary is
scored the same way: sum of 0.5*||x - Dc||^2 + ||c||_1 with codes by
scikit-learn's lasso_lars at alpha = 1.
"""
import json, subprocess, sys, tempfile, time
from pathlib import Path

import numpy as np
import spams
from skimage import data
from sklearn.decomposition import MiniBatchDictionaryLearning, sparse_encode
from sklearn.feature_extraction.image import extract_patches_2d

binary = sys.argv[1]
extra = sys.argv[2:]  # more `sparsecode learn` arguments
img = data.camera() / 255.0
X = extract_patches_2d(img, (8, 8), max_patches=2000, random_state=42).reshape(2000, -1)


def score(D):
    D = D / np.maximum(np.linalg.norm(D, axis=1, keepdims=True), 1e-12)
    C = sparse_encode(X, D, algorithm="lasso_lars", alpha=1.0)
    return float(0.5 * ((X - C @ D) ** 2).sum() + np.abs(C).sum())


rows = []
skip_anchors = "--no-anchors" in extra
extra = [e for e in extra if e != "--no-anchors"]
t = time.perf_counter()
if not skip_anchors:
  sk = MiniBatchDictionaryLearning(n_components=100, alpha=1.0, random_state=0).fit(X)
  rows.append(("sklearn MiniBatchDictionaryLearning", time.perf_counter() - t, score(sk.components_)))
  Xf = np.asfortranarray(X.T)
  t = time.perf_counter()
  Ds = spams.trainDL(Xf, K=100, lambda1=1.0, iter=400, batchsize=256, numThreads=2, verbose=False)
  rows.append(("spams trainDL (400 x 256)", time.perf_counter() - t, score(np.asarray(Ds).T)))
with tempfile.TemporaryDirectory() as tmp:
    tmp = Path(tmp)
    np.save(tmp / "X.npy", X)
    for steps in [int(s) for s in __import__("os").environ.get("STEPS", "50 75 100 200 400").split()]:
        out = subprocess.run([binary, "learn", "--input", str(tmp / "X.npy"), "--atoms", "100", "--alpha", "1", "--method", "online",
                              "--steps", str(steps), *extra, "-o", str(tmp / "m.model"), "--dict-out", str(tmp / "D.npy"), "--json"],
                             check=True, capture_output=True, text=True)
        j = json.loads(out.stdout)
        rows.append((f"sparsecode online, {steps} steps", j["seconds_fit"], score(np.load(tmp / "D.npy"))))
for who, secs, obj in rows:
    print(f"{who:<40} {secs:8.3f} s  objective {obj:10.1f}")
