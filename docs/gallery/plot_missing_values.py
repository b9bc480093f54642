"""
Learning with missing values
============================

Half the pixels of every training patch are missing (NaN). The online
learner learns its dictionary from the observed pixels only
(``missing_values=np.nan``: per-feature statistics, Mairal et al. 2010),
``transform`` codes each patch from its observed pixels, and the code
rebuilds the missing ones. The rebuild is compared with filling each
missing pixel with the mean of its patch's observed pixels.
"""

import os

import matplotlib.pyplot as plt
import numpy as np

from sparsecode import MiniBatchDictionaryLearning, extract_patches_2d
from sparsecode.data import camera

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests

rng = np.random.RandomState(0)
patches = extract_patches_2d(camera() / 255.0, (8, 8), max_patches=500 if QUICK else 5000, random_state=0)
X = patches.reshape(len(patches), -1)
missing = rng.rand(*X.shape) < 0.5
X_missing = np.where(missing, np.nan, X)

# 32 atoms: each patch keeps about 32 observed pixels, and a code over more
# atoms than observations would fit the observed pixels and guess the rest.
dl = MiniBatchDictionaryLearning(n_components=32, alpha=0.05, transform_algorithm="lasso_lars", transform_alpha=0.05,
                                 missing_values=np.nan, random_state=0).fit(X_missing)
rebuilt = dl.transform(X_missing) @ dl.components_

# %%
# The rebuilt pixels against the truth, and against the patch-mean fill.
means = np.nanmean(X_missing, axis=1, keepdims=True)
err_dict = np.sqrt(np.mean((rebuilt - X)[missing] ** 2))
err_mean = np.sqrt(np.mean((np.broadcast_to(means, X.shape) - X)[missing] ** 2))
print(f"RMS error on the missing pixels: dictionary {err_dict:.4f}, patch mean {err_mean:.4f}")

show = np.argsort(-X.std(axis=1))[:4]  # four patches with structure
fig, axes = plt.subplots(3, 4, figsize=(6, 4.8))
for col, i in enumerate(show):
    observed = np.ma.masked_array(X[i], missing[i])
    for row, (name, patch) in enumerate([("original", X[i]), ("observed", observed), ("rebuilt", rebuilt[i])]):
        ax = axes[row, col]
        ax.imshow(patch.reshape(8, 8), cmap="gray", vmin=0, vmax=1, interpolation="nearest")
        ax.set_axis_off()
        if col == 0:
            ax.set_title(name, loc="left", fontsize=9)
plt.tight_layout()
plt.show()
