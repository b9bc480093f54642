"""
The seed's walkthrough: a dictionary of camera patches
=======================================================

scikit-learn's dictionary-learning walkthrough, with ``sparsecode`` in
place of ``sklearn.decomposition``: 2000 random 8×8 patches of the
``camera`` image, 100 atoms learned online with α = 1, the atoms drawn as a
grid of little images (edges, corners, textures), one patch encoded, its
non-zeros counted, and the patch rebuilt from its code.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np

from sparsecode import MiniBatchDictionaryLearning, extract_patches_2d
from sparsecode.data import camera

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests

# %%
# Patches and the dictionary
# --------------------------
# The image is embedded in the package (no download). Each patch is a row
# of ``X``, as scikit-learn takes it.
img = camera() / 255.0
patches = extract_patches_2d(img, (8, 8), max_patches=300 if QUICK else 2000, random_state=42)
X = patches.reshape(len(patches), -1)

n_atoms = 36 if QUICK else 100
start = time.perf_counter()
dico = MiniBatchDictionaryLearning(n_components=n_atoms, alpha=1, random_state=42).fit(X)
print(f"{n_atoms} atoms learned from {len(X)} patches in {time.perf_counter() - start:.2f} s")

side = int(np.sqrt(n_atoms))
fig, axes = plt.subplots(side, side, figsize=(5, 5))
for atom, ax in zip(dico.components_, axes.ravel()):
    ax.imshow(atom.reshape(8, 8), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
fig.suptitle("The learned atoms")
plt.show()

# %%
# One patch, coded and rebuilt
# ----------------------------
# ``transform`` codes the patch as scikit-learn's estimator does by
# default: OMP with a tenth of the features' count of atoms (here 6). The
# rebuild is the code times the atoms.
code = dico.transform(X[:1])
rebuilt = code @ dico.components_
print("non-zeros in the patch's code:", np.count_nonzero(code))
print("relative error of the rebuild:", np.linalg.norm(X[0] - rebuilt[0]) / np.linalg.norm(X[0]))

fig, (a, b) = plt.subplots(1, 2, figsize=(5, 2.6))
a.imshow(X[0].reshape(8, 8), cmap="gray", interpolation="nearest")
a.set_title("patch")
b.imshow(rebuilt[0].reshape(8, 8), cmap="gray", interpolation="nearest")
b.set_title(f"rebuilt from {np.count_nonzero(code)} atoms")
for ax in (a, b):
    ax.set_axis_off()
plt.show()
