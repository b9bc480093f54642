"""Image denoising over a dictionary learned from the noisy image."""

import numpy as np

from . import _core
from ._util import threads


def denoise(image, sigma, *, patch_size=8, n_atoms=256, learner="online", steps=400, iterations=20, gain=1.1,
            lambda_factor=20.0, max_training=65000, sparsity_weights=True, random_state=0, n_jobs=None, return_report=False):
    """Denoises a gray (h, w) or RGB (h, w, 3) ``image`` with Gaussian noise of
    standard deviation ``sigma`` (in the image's units): a dictionary is
    learned on the image's own patches (online, or K-SVD with
    ``learner="ksvd"``), every patch is coded by OMP to the error goal
    ``patch²·(gain·σ)²`` and the patches are blended with the noisy image
    (Elad & Aharon 2006). Returns the image as float64 (and the mean atoms
    per patch with ``return_report=True``)."""
    img = np.ascontiguousarray(image, dtype=np.float64)
    if not np.all(np.isfinite(img)):
        raise ValueError("the image holds NaN or infinite values")
    out, mean_nnz = _core.denoise(
        img, float(sigma), patch=int(patch_size), n_atoms=int(n_atoms), iterations=int(iterations), gain=float(gain),
        lambda_factor=float(lambda_factor), max_training=int(max_training), seed=int(random_state), learner=learner,
        steps=int(steps), sparsity_weights=bool(sparsity_weights), n_jobs=threads(n_jobs),
    )
    return (out, {"mean_nnz": mean_nnz}) if return_report else out
