"""The seed's walkthrough, as a Python user runs it after `pip install
sparsecode` (run by `cargo xtask wheel` in a virtual environment without
Rust): 2000 random 8×8 patches of `camera`, 100 atoms learned with
alpha = 1, one patch coded and rebuilt."""

import shutil

import numpy as np

from sparsecode import MiniBatchDictionaryLearning, extract_patches_2d
from sparsecode.data import camera

assert shutil.which("cargo") is None and shutil.which("rustc") is None, "a Rust toolchain is on PATH"
img = camera() / 255.0
patches = extract_patches_2d(img, (8, 8), max_patches=2000, random_state=42)
X = patches.reshape(len(patches), -1)
dl = MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(X)
code = dl.transform(X[:1])
rebuilt = code @ dl.components_
assert dl.components_.shape == (100, 64) and code.shape == (1, 100)
assert np.allclose(np.linalg.norm(dl.components_, axis=1), 1.0)
print(f"100 atoms of 8×8 learned; patch 0 coded with {np.count_nonzero(code)} atoms, "
      f"rebuilt with relative error {np.linalg.norm(rebuilt - X[:1]) / np.linalg.norm(X[:1]):.2f}")
