"""``OrthogonalMatchingPursuit`` and ``OrthogonalMatchingPursuitCV``
(scikit-learn's regression estimators), the OMP functions' defaults and
their paths, against scikit-learn on the same data."""

import numpy as np
import pytest
import sklearn.linear_model as sklm
from sklearn.utils.estimator_checks import estimator_checks_generator

import sparsecode as sc


def design(n_samples=60, n_features=30, n_targets=None, seed=0):
    rs = np.random.RandomState(seed)
    X = rs.randn(n_samples, n_features)
    coef = np.zeros((n_features, n_targets or 1))
    for t in range(n_targets or 1):
        coef[rs.choice(n_features, 4, replace=False), t] = rs.randn(4) * 3
    y = X @ coef + 0.01 * rs.randn(n_samples, n_targets or 1) + 2.0
    return X, (y[:, 0] if n_targets is None else y)


@pytest.mark.parametrize("n_targets", [None, 3])
@pytest.mark.parametrize("fit_intercept", [True, False])
@pytest.mark.parametrize("kw", [{}, {"n_nonzero_coefs": 4}, {"tol": 0.5}])
def test_fits_as_scikit_learn(n_targets, fit_intercept, kw):
    X, y = design(n_targets=n_targets)
    ours = sc.OrthogonalMatchingPursuit(fit_intercept=fit_intercept, **kw).fit(X, y)
    theirs = sklm.OrthogonalMatchingPursuit(fit_intercept=fit_intercept, **kw).fit(X, y)
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-9)
    assert ours.n_nonzero_coefs_ == theirs.n_nonzero_coefs_
    np.testing.assert_array_equal(ours.n_iter_, theirs.n_iter_)
    np.testing.assert_allclose(ours.predict(X), theirs.predict(X), atol=1e-8)


def test_orthogonal_mp_defaults_to_scikit_learns_count():
    """10% of the design's columns (the atoms), not of its rows."""
    rs = np.random.RandomState(0)
    A, y = rs.randn(100, 30), rs.randn(100)
    assert np.count_nonzero(sc.orthogonal_mp(A, y)) == np.count_nonzero(sklm.orthogonal_mp(A, y)) == 3
    np.testing.assert_allclose(sc.orthogonal_mp(A, y), sklm.orthogonal_mp(A, y), atol=1e-10)
    G = A.T @ A
    np.testing.assert_allclose(sc.orthogonal_mp_gram(G, A.T @ y), sklm.orthogonal_mp_gram(G, A.T @ y), atol=1e-10)


@pytest.mark.parametrize("n_targets", [None, 3])
@pytest.mark.parametrize("gram", [False, True])
def test_the_path_is_scikit_learns(n_targets, gram):
    X, y = design(n_targets=n_targets, seed=4)
    kw = dict(n_nonzero_coefs=6, return_path=True, return_n_iter=True)
    if gram:
        ours, theirs = sc.orthogonal_mp_gram(X.T @ X, X.T @ y, **kw), sklm.orthogonal_mp_gram(X.T @ X, X.T @ y, **kw)
    else:
        ours, theirs = sc.orthogonal_mp(X, y, **kw), sklm.orthogonal_mp(X, y, **kw)
    assert ours[0].shape == theirs[0].shape
    np.testing.assert_allclose(ours[0], theirs[0], atol=1e-9)
    np.testing.assert_array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("fit_intercept", [True, False])
def test_cross_validation_chooses_as_scikit_learn(fit_intercept):
    X, y = design(n_samples=80, n_features=40, seed=2)
    ours = sc.OrthogonalMatchingPursuitCV(fit_intercept=fit_intercept, max_iter=10).fit(X, y)
    theirs = sklm.OrthogonalMatchingPursuitCV(fit_intercept=fit_intercept, max_iter=10).fit(X, y)
    assert ours.n_nonzero_coefs_ == theirs.n_nonzero_coefs_ == 4
    np.testing.assert_allclose(ours.coef_, theirs.coef_, atol=1e-9)
    np.testing.assert_allclose(ours.intercept_, theirs.intercept_, atol=1e-9)
    # Without max_iter, scikit-learn's default path length (the core's rule).
    assert sc.OrthogonalMatchingPursuitCV().fit(X, y).n_nonzero_coefs_ == sklm.OrthogonalMatchingPursuitCV().fit(X, y).n_nonzero_coefs_


def _checks(estimator):
    return list(estimator_checks_generator(estimator, mark="skip"))


@pytest.mark.parametrize(
    "check",
    _checks(sc.OrthogonalMatchingPursuit()) + _checks(sc.OrthogonalMatchingPursuitCV()),
    ids=lambda c: f"{type(c[0]).__name__}-{getattr(c[1], 'func', c[1]).__name__}" if isinstance(c, tuple) else str(c),
)
def test_check_estimator(check):
    estimator, check_fn = check
    check_fn(estimator)
