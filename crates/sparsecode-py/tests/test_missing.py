"""Missing data: masked coding, learning with missing_values, inpainting.

Masked coding is checked against scikit-learn on the observed entries (the
same problem by construction: OMP on the observed rows, the Lasso with the
penalty scaled by the observed fraction, SPAMS's definition) and against the
unmasked path when nothing is missing.
"""

import numpy as np
import pytest
import sklearn.decomposition as skd
from sklearn.base import clone
from sklearn.linear_model import orthogonal_mp

import sparsecode as sc


def incomplete(n=60, n_features=24, n_atoms=40, missing=0.4, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    D = rng.standard_normal((n_atoms, n_features))
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    C = np.zeros((n, n_atoms))
    for s in range(n):
        C[s, rng.choice(n_atoms, 3, replace=False)] = rng.standard_normal(3)
    X = C @ D + 0.01 * rng.standard_normal((n, n_features))
    mask = rng.random(X.shape) >= missing
    mask[np.arange(n), rng.integers(n_features, size=n)] = True
    return X.astype(dtype), D.astype(dtype), mask


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_masked_omp_is_omp_on_the_observed_entries(dtype):
    X, D, mask = incomplete(dtype=dtype)
    Xn = np.where(mask, X, np.nan)
    codes = sc.sparse_encode(Xn, D, algorithm="omp", n_nonzero_coefs=3, mask=mask)
    assert codes.dtype == dtype
    for s in range(X.shape[0]):
        m = mask[s]
        ref = orthogonal_mp(D[:, m].T.astype(np.float64), X[s, m].astype(np.float64), n_nonzero_coefs=min(3, m.sum()))
        assert set(np.flatnonzero(codes[s])) == set(np.flatnonzero(ref))
        np.testing.assert_allclose(codes[s], ref, atol=1e-4 if dtype == np.float32 else 1e-9)


def test_masked_lasso_is_the_scaled_lasso_on_the_observed_entries():
    X, D, mask = incomplete()
    alpha = 0.05
    codes = sc.sparse_encode(np.where(mask, X, np.nan), D, algorithm="lasso_lars", alpha=alpha, mask=mask)
    for s in range(X.shape[0]):
        m = mask[s]
        ref = skd.sparse_encode(X[s : s + 1, m], D[:, m], algorithm="lasso_lars", alpha=alpha * m.mean())[0]
        np.testing.assert_allclose(codes[s], ref, atol=1e-8)


def test_a_full_mask_changes_nothing_and_nan_needs_a_mask():
    X, D, _ = incomplete()
    full = np.ones(X.shape, dtype=bool)
    np.testing.assert_array_equal(sc.sparse_encode(X, D, algorithm="omp", mask=full), sc.sparse_encode(X, D, algorithm="omp"))
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError):
        sc.sparse_encode(Xn, D, algorithm="omp")
    with pytest.raises(ValueError, match="mask"):
        sc.sparse_encode(X, D, algorithm="omp", mask=full[:, 1:])
    mask = full.copy()
    mask[0, 0] = False
    sc.sparse_encode(Xn, D, algorithm="omp", mask=mask)  # NaN where missing is fine


@pytest.mark.parametrize("Est", [sc.MiniBatchDictionaryLearning, sc.KSVD])
def test_learners_take_nan_as_missing_when_asked(Est):
    X, D, mask = incomplete(n=400, n_features=16, n_atoms=12, missing=0.3, seed=3)
    Xn = np.where(mask, X, np.nan)
    kw = dict(n_components=12, random_state=0, missing_values=np.nan)
    if Est is sc.KSVD:
        kw.update(n_nonzero_coefs=3, max_iter=5)
    else:
        kw.update(alpha=0.05, max_iter=3)
    est = Est(**kw).fit(Xn)
    assert np.all(np.isfinite(est.components_))
    code = est.transform(Xn)
    assert code.shape == (400, 12) and np.all(np.isfinite(code))
    # The estimator is still a scikit-learn estimator: clone keeps the parameter.
    assert clone(est).get_params()["missing_values"] is np.nan
    with pytest.raises(ValueError):
        Est(**{**kw, "missing_values": None}).fit(Xn)


def test_partial_fit_refuses_missing_values():
    X, _, mask = incomplete()
    est = sc.MiniBatchDictionaryLearning(n_components=5, missing_values=np.nan)
    with pytest.raises(ValueError, match="missing_values"):
        est.partial_fit(np.where(mask, X, np.nan))


def test_inpaint_keeps_known_pixels_and_fills_the_others():
    img = sc.data.camera()[128:256, 128:256].astype(np.float64)
    rng = np.random.default_rng(1)
    known = rng.random(img.shape) >= 0.5
    damaged = np.where(known, img, np.nan)
    out = sc.inpaint(damaged, missing_values=np.nan, steps=20, refine=1, max_training=2000)
    np.testing.assert_array_equal(out[known], img[known])
    assert np.all(np.isfinite(out))
    # Far better than leaving the holes at the mean of the known pixels.
    mean_fill = np.where(known, img, img[known].mean())
    err = lambda a: np.mean((a - img)[~known] ** 2)
    assert err(out) < 0.2 * err(mean_fill)
    out2 = sc.inpaint(np.where(known, img, 0.0), known, steps=20, refine=1, max_training=2000)
    np.testing.assert_array_equal(out, out2)
    with pytest.raises(ValueError):
        sc.inpaint(img, known[1:])


def test_inpaint_reads_an_image_in_0_1_as_the_same_image_in_0_255():
    """scikit-image's floats are in [0, 1]: the defaults' noise levels are
    gray levels of the image's own scale, so the answer is the 0–255 one
    divided by 256 (a power of two apart: the same bits), and close to it
    divided by 255; in its units, a given σ means the same at both scales."""
    img = sc.data.camera()[128:256, 128:256].astype(np.float64)
    known = np.random.default_rng(2).random(img.shape) >= 0.6
    damaged = np.where(known, img, 0.0)
    kw = dict(steps=20, refine=4, max_training=2000)
    out = sc.inpaint(damaged, known, **kw)
    np.testing.assert_array_equal(sc.inpaint(damaged / 256, known, **kw), out / 256)
    psnr = lambda a: 10 * np.log10(255**2 / np.mean((a - img)[~known] ** 2))
    assert abs(psnr(255 * sc.inpaint(damaged / 255, known, **kw)) - psnr(out)) < 0.05
    np.testing.assert_array_equal(sc.inpaint(damaged / 256, known, sigma=2 / 256, **kw), sc.inpaint(damaged, known, sigma=2, **kw) / 256)


def test_denoise_reads_an_image_in_0_1_as_the_same_image_in_0_255():
    """The denoiser's choices by σ (WNNM's patch and group sizes) are made
    in gray levels of the image's own scale: σ = 50/256 on the image over
    256 is σ = 50 on the image, the same bits scaled."""
    img = sc.data.camera()[200:264, 200:264].astype(np.float64)
    noisy = img + np.random.default_rng(3).normal(0, 50, img.shape)
    np.testing.assert_array_equal(sc.denoise(noisy / 256, 50 / 256), sc.denoise(noisy, 50) / 256)
