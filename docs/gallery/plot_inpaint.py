"""
Inpainting 60% missing pixels
=============================

``sparsecode.inpaint`` fills the pixels of a ``camera`` crop of which 60%
were removed at random, by masked OMP over a dictionary learned from the
observed pixels; scikit-image's biharmonic inpainting fills the same
pixels for comparison. Known pixels are returned unchanged by both.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np

import sparsecode
from sparsecode.data import camera

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests

size = 64 if QUICK else 256
clean = camera()[100:100 + size, 180:180 + size] / 255.0
known = np.random.RandomState(1).rand(*clean.shape) >= 0.6
damaged = np.where(known, clean, 0.0)


def psnr(x):
    return 10 * np.log10(1 / np.mean((x - clean) ** 2))


start = time.perf_counter()
ours = sparsecode.inpaint(damaged, known)
results = [("60% removed", damaged, None), ("sparsecode", ours, time.perf_counter() - start)]

# %%
# scikit-image's biharmonic inpainting, when scikit-image is installed.
try:
    from skimage.restoration import inpaint_biharmonic
except ImportError:
    inpaint_biharmonic = None
if inpaint_biharmonic is not None:
    start = time.perf_counter()
    theirs = inpaint_biharmonic(damaged, ~known)
    results.append(("biharmonic (scikit-image)", theirs, time.perf_counter() - start))

fig, axes = plt.subplots(1, len(results), figsize=(3.2 * len(results), 3.8), layout="constrained")
for ax, (name, image, seconds) in zip(axes, results):
    ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(name + ("" if seconds is None else f"\n{psnr(image):.2f} dB, {seconds:.2f} s"))
    ax.set_axis_off()
plt.show()
