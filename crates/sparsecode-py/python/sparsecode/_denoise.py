"""Image denoising and inpainting over dictionaries learned from the image itself."""

import numpy as np

from . import _core
from ._util import threads


def denoise(image, sigma, *, patch_size=None, n_atoms=256, learner="online", steps=400, iterations=20, gain=1.1,
            lambda_factor=20.0, max_training=65000, sparsity_weights=True, non_local="average", colour="opponent", random_state=0,
            n_jobs=None, return_report=False):
    """Denoises a gray (h, w) or RGB (h, w, 3) ``image`` with Gaussian noise of
    standard deviation ``sigma`` (in the image's units; ``"auto"`` estimates
    it with :func:`estimate_sigma`): a dictionary is
    learned on the image's own patches (online, or K-SVD with
    ``learner="ksvd"``), every patch is coded by OMP to the error goal
    ``patch²·(gain·σ)²`` and the patches are blended with the noisy image
    (Elad & Aharon 2006). Then the non-local pass (``non_local="average"``):
    every patch is replaced by the mean of up to 8 similar noisy patches
    (block matching on that first estimate) coded to the goal for the mean's
    lower noise; ``"somp"`` codes the groups by simultaneous OMP instead (as
    LSSC), ``"group_lasso"`` by its convex form, ``"none"`` skips the pass. A colour image is denoised channel by
    channel in the opponent colour space (``colour="opponent"``), or in R, G,
    B (``"rgb"``), or with one dictionary over patches of all three channels
    (``"joint"`` in the opponent space, ``"joint-rgb"`` in R, G, B; Mairal,
    Elad & Sapiro 2008). Returns the image as float64 (and the
    mean atoms per patch with ``return_report=True``)."""
    img = np.ascontiguousarray(image, dtype=np.float64)
    if not np.all(np.isfinite(img)):
        raise ValueError("the image holds NaN or infinite values")
    if isinstance(sigma, str):
        if sigma != "auto":
            raise ValueError(f"sigma must be a number or 'auto', got {sigma!r}")
        sigma = estimate_sigma(img)
    out, mean_nnz = _core.denoise(
        img, float(sigma), patch=None if patch_size is None else int(patch_size), n_atoms=int(n_atoms), iterations=int(iterations), gain=float(gain),
        lambda_factor=float(lambda_factor), max_training=int(max_training), seed=int(random_state), learner=learner,
        steps=int(steps), sparsity_weights=bool(sparsity_weights), non_local=non_local, colour=colour, n_jobs=threads(n_jobs),
    )
    return (out, {"mean_nnz": mean_nnz, "sigma": float(sigma)}) if return_report else out


def estimate_sigma(image):
    """The standard deviation of additive Gaussian noise in a gray or RGB
    ``image``, estimated from the image itself as scikit-image's
    ``estimate_sigma`` does (median absolute finest diagonal Daubechies-2
    wavelet coefficient / 0.6745; the mean over channels)."""
    img = np.ascontiguousarray(image, dtype=np.float64)
    if not np.all(np.isfinite(img)):
        raise ValueError("the image holds NaN or infinite values")
    return _core.estimate_sigma(img)


def inpaint(image, known=None, *, missing_values=None, sigma=None, patch_size=None, n_atoms=None, max_atoms=None, steps=None,
            refine=None, max_training=None, random_state=0, n_jobs=None, return_report=False):
    """Fills the missing pixels of a gray (h, w) or RGB (h, w, 3) ``image``.

    The missing pixels are those where the boolean ``known`` (h, w) is False,
    or, with ``missing_values`` (``np.nan`` for NaN), the pixels any of whose
    channels equals it. Each patch is coded by masked OMP over a dictionary
    (the overcomplete DCT, then one learned from the image), the coded
    patches are averaged over the missing pixels, and refinement passes
    re-code the estimate (see ``sparsecode inpaint --help`` for the
    parameters, whose defaults are those of the command line). Known pixels
    are returned unchanged. Returns the image as float64 (and the mean atoms
    per patch with ``return_report=True``)."""
    img = np.asarray(image, dtype=np.float64)
    if img.ndim not in (2, 3):
        raise ValueError("an image is 2-D, or 3-D with channels last")
    flags = np.ones(img.shape[:2], dtype=bool) if known is None else np.asarray(known, dtype=bool)
    if flags.shape != img.shape[:2]:
        raise ValueError(f"known must have shape {img.shape[:2]}, got {flags.shape}")
    if missing_values is not None:
        hit = np.isnan(img) if np.isnan(missing_values) else img == missing_values
        flags = flags & ~(hit if img.ndim == 2 else hit.any(axis=2))
    if known is None and missing_values is None:
        raise ValueError("say which pixels are missing: known=... or missing_values=...")
    cells = img[flags] if img.ndim == 2 else img[flags].ravel()
    if not np.all(np.isfinite(cells)):
        raise ValueError("the known pixels hold NaN or infinite values")
    img = np.ascontiguousarray(np.where(flags if img.ndim == 2 else flags[..., None], img, 0.0))
    opt = lambda v, cast: None if v is None else cast(v)
    out, mean_nnz = _core.inpaint(
        img, np.ascontiguousarray(flags), sigma=opt(sigma, float), patch=opt(patch_size, int), n_atoms=opt(n_atoms, int),
        max_atoms=opt(max_atoms, int), steps=opt(steps, int), refine=opt(refine, int), max_training=opt(max_training, int),
        seed=int(random_state), n_jobs=threads(n_jobs),
    )
    return (out, {"mean_nnz": mean_nnz}) if return_report else out
