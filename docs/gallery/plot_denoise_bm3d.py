"""
Denoising against BM3D
======================

A crop of ``camera`` with Gaussian noise of σ = 25 (on the 0–255 scale)
added, denoised by ``sparsecode.denoise`` (WNNM, the default) and by BM3D
(the ``bm3d`` package from PyPI, the reference implementation), each timed.
The measurement over eight images and three noise levels, with images held
out from tuning, is in the denoising page of the measurements.
"""

import os
import time

import matplotlib.pyplot as plt
import numpy as np

import sparsecode
from sparsecode.data import camera

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests

size = 64 if QUICK else 256
clean = camera()[128:128 + size, 160:160 + size] / 255.0
sigma = 25 / 255
noisy = clean + np.random.RandomState(0).normal(0, sigma, clean.shape)


def psnr(x):
    return 10 * np.log10(1 / np.mean((x - clean) ** 2))


start = time.perf_counter()
ours = sparsecode.denoise(noisy, sigma)
ours_time = time.perf_counter() - start

# %%
# BM3D is optional here: the example still runs without it.
try:
    import bm3d
except ImportError:
    bm3d = None
if bm3d is not None:
    start = time.perf_counter()
    theirs = bm3d.bm3d(noisy, sigma_psd=sigma)
    theirs_time = time.perf_counter() - start

panels = [("noisy", noisy, psnr(noisy), None), ("sparsecode (WNNM)", ours, psnr(ours), ours_time)]
if bm3d is not None:
    panels.append(("BM3D", theirs, psnr(theirs), theirs_time))
fig, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.8), layout="constrained")
for ax, (name, image, db, seconds) in zip(axes, panels):
    ax.imshow(np.clip(image, 0, 1), cmap="gray", vmin=0, vmax=1)
    ax.set_title(f"{name}\n{db:.2f} dB" + (f", {seconds:.2f} s" if seconds is not None else ""))
    ax.set_axis_off()
plt.show()
for name, _, db, seconds in panels:
    print(f"{name}: {db:.2f} dB" + (f" in {seconds:.2f} s" if seconds is not None else ""))
