"""Patches, reconstruction, the embedded image and denoising."""

import numpy as np
import pytest
import sklearn.feature_extraction.image as ski

import sparsecode as sc


def test_camera():
    img = sc.data.camera()
    assert img.shape == (512, 512) and img.dtype == np.float64
    assert img.min() >= 0 and img.max() <= 255


@pytest.mark.parametrize("max_patches", [None, 100, 0.01])
def test_patches_equal_scikit_learns(max_patches):
    img = sc.data.camera()[:64, :80].astype(np.uint8)
    ours = sc.extract_patches_2d(img, (8, 6), max_patches=max_patches, random_state=3)
    theirs = ski.extract_patches_2d(img, (8, 6), max_patches=max_patches, random_state=3)
    assert ours.dtype == theirs.dtype
    np.testing.assert_array_equal(ours, theirs)
    rgb = np.random.RandomState(0).rand(20, 24, 3)
    np.testing.assert_array_equal(
        sc.extract_patches_2d(rgb, (5, 4), max_patches=max_patches, random_state=1),
        ski.extract_patches_2d(rgb, (5, 4), max_patches=max_patches, random_state=1),
    )


def test_reconstruction_equals_scikit_learns():
    rng = np.random.RandomState(0)
    for size, patch in [((20, 24), (5, 4)), ((20, 24, 3), (3, 3))]:
        img = rng.rand(*size)
        P = ski.extract_patches_2d(img, patch) + rng.rand(*ski.extract_patches_2d(img, patch).shape) * 0.1
        np.testing.assert_allclose(sc.reconstruct_from_patches_2d(P, size), ski.reconstruct_from_patches_2d(P, size), atol=1e-12)
    with pytest.raises(ValueError):
        sc.extract_patches_2d(rng.rand(4, 4), (5, 2))


def test_denoise_raises_psnr():
    clean = sc.data.camera()[128:256, 128:256]
    noisy = clean + 20 * np.random.RandomState(0).randn(*clean.shape)
    out, report = sc.denoise(noisy, 20, method="dictionary", n_atoms=64, steps=50, return_report=True)
    psnr = lambda a: 10 * np.log10(255**2 / np.mean((a - clean) ** 2))
    assert out.shape == clean.shape
    assert psnr(out) > psnr(noisy) + 4
    assert report["mean_nnz"] > 0
    with pytest.raises(ValueError, match="sigma"):
        sc.denoise(noisy, -1)
    # The non-local pass is on by default; "none" gives the per-patch denoiser.
    alone = sc.denoise(noisy, 20, method="dictionary", n_atoms=64, steps=50, non_local="none")
    assert not np.allclose(alone, out)
    with pytest.raises(ValueError, match="non_local"):
        sc.denoise(noisy, 20, method="dictionary", non_local="bm3d")


def test_denoise_by_wnnm():
    """``method="wnnm"`` (the default): the core's WNNM, by its name in
    either spelling; an unknown method, a joint colour mode and the learned
    dictionary's settings are refused by the core."""
    clean = sc.data.camera()[128:224, 128:224]
    noisy = clean + 20 * np.random.RandomState(1).randn(*clean.shape)
    psnr = lambda a: 10 * np.log10(255**2 / np.mean((a - clean) ** 2))
    out, report = sc.denoise(noisy, 20, method="wnnm", return_report=True)
    assert psnr(out) > psnr(noisy) + 6
    assert report["mean_nnz"] >= 0
    np.testing.assert_array_equal(out, sc.denoise(noisy, 20, method="WNNM"))
    np.testing.assert_array_equal(out, sc.denoise(noisy, 20))
    assert sc.defaults("denoise")["method"] == "wnnm"
    for name, value in [("patch", 8), ("n_atoms", 64), ("non_local", "none"), ("random_state", 3)]:
        with pytest.raises(ValueError, match="does not apply to method wnnm"):
            sc.denoise(noisy, 20, **{"patch_size" if name == "patch" else name: value})
    with pytest.raises(ValueError, match="unknown method"):
        sc.denoise(noisy, 20, method="bm3d")
    rgb = np.stack([noisy, noisy, noisy], axis=2)
    with pytest.raises(ValueError, match="channel by channel"):
        sc.denoise(rgb, 20, method="wnnm", colour="joint")


def test_colour_images_are_denoised_jointly_or_channel_by_channel():
    gray = sc.data.camera()[128:192, 128:192].astype(np.float64)
    clean = np.stack([gray, 0.8 * gray + 20, 0.6 * gray + 40], axis=2)
    noisy = clean + 20 * np.random.RandomState(1).randn(*clean.shape)
    psnr = lambda a: 10 * np.log10(255**2 / np.mean((a - clean) ** 2))
    outs = {}
    for colour in ["opponent", "rgb", "joint", "joint-rgb"]:
        outs[colour], report = sc.denoise(noisy, 20, method="dictionary", n_atoms=100, steps=40, colour=colour, return_report=True)
        assert outs[colour].shape == clean.shape
        assert psnr(outs[colour]) > psnr(noisy) + 3, colour
    assert not np.allclose(outs["joint"], outs["opponent"])
    with pytest.raises(ValueError, match="colour"):
        sc.denoise(noisy, 20, colour="cmyk")


@pytest.mark.parametrize("page", ["README.md", "docs/python.md", "docs/dask.md"])
def test_the_python_examples_run_as_written(page, tmp_path, monkeypatch):
    import pathlib
    import re

    path = pathlib.Path(__file__).resolve().parents[3] / page
    blocks = re.findall(r"```python\n(.*?)```", path.read_text(), re.S)
    assert blocks, f"{page} has a Python example"
    monkeypatch.chdir(tmp_path)
    for block in blocks:
        exec(compile(block, page, "exec"), {})


def test_sigma_auto_estimates_the_noise():
    import sparsecode as sc

    img = sc.data.camera()
    rng = np.random.default_rng(4)
    for sigma in (15, 25, 50):
        noisy = img + sigma * rng.standard_normal(img.shape)
        assert abs(sc.estimate_sigma(noisy) / sigma - 1) < 0.05
    _, report = sc.denoise(img[:96, :96] + 25 * rng.standard_normal((96, 96)), "auto", return_report=True)
    assert abs(report["sigma"] / 25 - 1) < 0.1
    with pytest.raises(ValueError):
        sc.denoise(img, "guess")
