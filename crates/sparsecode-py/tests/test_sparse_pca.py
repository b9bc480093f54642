"""Sparse PCA by the core gives scikit-learn's components: the same
algorithm from the same start (the SVD for ``SparsePCA``; scikit-learn's
randomized SVD and its random stream for ``MiniBatchSparsePCA``)."""

import numpy as np
import pytest
import sklearn.decomposition as skd
from sklearn.datasets import make_friedman1

import sparsecode as sc


@pytest.mark.parametrize("name", ["SparsePCA", "MiniBatchSparsePCA"])
@pytest.mark.parametrize("method", ["lars", "cd"])
def test_the_components_are_scikit_learns(name, method):
    X, _ = make_friedman1(n_samples=120, n_features=20, random_state=3)
    kw = dict(n_components=4, alpha=0.5, method=method, random_state=1)
    if name == "MiniBatchSparsePCA":
        kw.update(batch_size=4, max_iter=5)
    ours, theirs = getattr(sc, name)(**kw).fit(X), getattr(skd, name)(**kw).fit(X)
    # Coordinate descent stops at a tolerance (its answers agree to it);
    # LARS is exact.
    atol = 1e-6 if method == "lars" else 2e-4
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=atol)
    np.testing.assert_allclose(ours.mean_, theirs.mean_, rtol=1e-12)
    np.testing.assert_allclose(ours.transform(X), theirs.transform(X), atol=100 * atol)
    assert ours.n_iter_ == theirs.n_iter_
    if name == "SparsePCA":
        np.testing.assert_allclose(ours.error_, theirs.error_, rtol=1e-8)


def test_float32_is_kept_and_follows_float64():
    X, _ = make_friedman1(n_samples=60, n_features=12, random_state=0)
    a = sc.SparsePCA(n_components=3, random_state=0).fit(X)
    b = sc.SparsePCA(n_components=3, random_state=0).fit(X.astype(np.float32))
    assert b.components_.dtype == np.float32 and b.transform(X.astype(np.float32)).dtype == np.float32
    np.testing.assert_allclose(a.components_, b.components_, atol=1e-4)


def test_verbose_prints_scikit_learns_lines(capsys):
    X, _ = make_friedman1(n_samples=40, n_features=10, random_state=0)
    sc.SparsePCA(n_components=2, verbose=2, max_iter=3).fit(X)
    assert "Iteration   0" in capsys.readouterr().out
    sc.MiniBatchSparsePCA(n_components=2, verbose=1, max_iter=1).fit(X)
    assert "Minibatch step 1/" in capsys.readouterr().out
