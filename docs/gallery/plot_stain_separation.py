"""
Stain separation with ``sparsecode.spams``
==========================================

Vahadane et al.'s stain separation (2016), written as StainTools writes it
with SPAMS, on scikit-image's ``immunohistochemistry`` image (haematoxylin
and DAB). The optical density ``OD = −log(I / 255)`` of each tissue pixel is
a non-negative mix of the stains' colours: ``trainDL`` with positive atoms
and codes learns the two stain colours, and ``lasso(pos=True)`` gives each
pixel's concentrations. Only the import line differs from SPAMS's code.
"""

import os

import matplotlib.pyplot as plt
import numpy as np
from skimage import data
from skimage.color import rgb_from_hed

import sparsecode.spams as spams  # in place of: import spams

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests

rgb = data.immunohistochemistry()
if QUICK:
    rgb = rgb[:128, :128]
od = -np.log(np.maximum(rgb.reshape(-1, 3).astype(float), 1) / 255)
tissue = od[np.linalg.norm(od, axis=1) > 0.15]

# %%
# The stain matrix: two non-negative atoms of three colours, from the
# tissue pixels (SPAMS's layout: signals are columns, Fortran order).
D = spams.trainDL(np.asfortranarray(tissue.T), K=2, lambda1=0.1, mode=2, modeD=0, posAlpha=True, posD=True, iter=200,
                  verbose=False)
D /= np.linalg.norm(D, axis=0)
D = D[:, np.argsort(-D[0])]  # haematoxylin absorbs the most red
# Against the fixed stain vectors of Ruifrok & Johnston (scikit-image's
# ``rgb2hed``), measured on other slides: the learned ones are this image's.
reference = rgb_from_hed[[0, 2]] / np.linalg.norm(rgb_from_hed[[0, 2]], axis=1, keepdims=True)
print("stain colours (optical density, RGB), and their angle to Ruifrok & Johnston's:")
for name, colour, ref in zip(["haematoxylin", "DAB"], D.T, reference):
    angle = np.degrees(np.arccos(np.clip(colour @ ref, -1, 1)))
    print(f"  {name}: {np.round(colour, 3).tolist()}, {angle:.1f}° from {np.round(ref, 3).tolist()}")

# %%
# Every pixel's concentrations, and the two stains drawn apart.
C = spams.lasso(np.asfortranarray(od.T), np.asfortranarray(D), lambda1=0.01, pos=True).toarray()
h, w = rgb.shape[:2]
fig, axes = plt.subplots(1, 3, figsize=(9.6, 3.6), layout="constrained")
axes[0].imshow(rgb)
axes[0].set_title("image")
for ax, name, k in [(axes[1], "haematoxylin", 0), (axes[2], "DAB", 1)]:
    alone = np.exp(-np.outer(C[k], D[:, k])).reshape(h, w, 3)  # the image with this stain only
    ax.imshow(np.clip(alone, 0, 1))
    ax.set_title(name)
for ax in axes:
    ax.set_axis_off()
plt.show()
