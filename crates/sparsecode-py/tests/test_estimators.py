"""The estimators are scikit-learn estimators: check_estimator, clone,
pickle, pipelines, grid search; errors and learning quality."""

import pickle

import numpy as np
import pytest
import sklearn.decomposition as skd
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._test_common.instance_generator import (
    INIT_PARAMS,
    PER_ESTIMATOR_CHECK_PARAMS,
    PER_ESTIMATOR_XFAIL_CHECKS,
)
from sklearn.utils.estimator_checks import estimator_checks_generator

import sparsecode as sc
from conftest import problem


def _instances():
    """Each estimator as scikit-learn's own test suite builds its
    counterpart (same test parameters, same expected failures)."""
    pairs = [
        (sc.SparseCoder, skd.SparseCoder),
        (sc.DictionaryLearning, skd.DictionaryLearning),
        (sc.MiniBatchDictionaryLearning, skd.MiniBatchDictionaryLearning),
        (sc.SparsePCA, skd.SparsePCA),
        (sc.MiniBatchSparsePCA, skd.MiniBatchSparsePCA),
        (sc.KSVD, None),
    ]
    for ours, theirs in pairs:
        params = dict(INIT_PARAMS.get(theirs, {})) if theirs else {"n_components": 3, "max_iter": 3}
        est = ours(**params)
        xfail = dict(PER_ESTIMATOR_XFAIL_CHECKS.get(theirs, {})) if theirs else {}
        per_check = PER_ESTIMATOR_CHECK_PARAMS.get(theirs, {}) if theirs else {}
        for est_, check in estimator_checks_generator(est, expected_failed_checks=xfail, mark="skip"):
            name = getattr(check, "func", check).__name__
            if name in per_check:
                est_ = clone(est_).set_params(**per_check[name])
            yield pytest.param(est_, check, id=f"{ours.__name__}-{name}")


@pytest.mark.parametrize("estimator,check", list(_instances()))
def test_check_estimator(estimator, check):
    check(estimator)


def camera_patches(n=2000):
    img = sc.data.camera() / 255.0
    P = sc.extract_patches_2d(img, (8, 8), max_patches=n, random_state=42)
    return P.reshape(len(P), -1)


def objective(X, D, alpha):
    C = skd.sparse_encode(X, D, algorithm="lasso_lars", alpha=alpha)
    return 0.5 * np.sum((X - C @ D) ** 2) + alpha * np.abs(C).sum()


def test_minibatch_objective_no_worse_than_scikit_learns():
    X = camera_patches(1000)
    ours = sc.MiniBatchDictionaryLearning(n_components=50, alpha=1, random_state=42).fit(X)
    theirs = skd.MiniBatchDictionaryLearning(n_components=50, alpha=1, random_state=42).fit(X)
    assert ours.components_.shape == (50, 64)
    assert np.all(np.linalg.norm(ours.components_, axis=1) <= 1 + 1e-9)
    assert ours.n_steps_ >= 1 and ours.n_iter_ >= 1
    assert objective(X, ours.components_, 1.0) <= objective(X, theirs.components_, 1.0) * (1 + 1e-9)


@pytest.mark.parametrize(
    "kw",
    [
        # More atoms than features: scikit-learn's start has 36 zero atoms,
        # replaced at the first step with draws from random_state.
        dict(n_components=100, alpha=1, random_state=42),
        dict(n_components=30, alpha=0.5, batch_size=100, random_state=np.random.RandomState(5)),
        dict(n_components=80, alpha=2, shuffle=False, max_iter=3, random_state=7),
        dict(n_components=40, alpha=1, tol=0, max_no_improvement=None, max_iter=2, random_state=1),
        # 0: scikit-learn stops at the first step its rules look at (issue 26).
        dict(n_components=20, alpha=1, tol=0, max_no_improvement=0, batch_size=50, random_state=3),
    ],
)
def test_minibatch_takes_scikit_learns_steps(kw):
    """The same random_state gives scikit-learn's start, shuffle and atom
    replacements, so the fit ends where scikit-learn's does, up to
    rounding, and a RandomState moves on by the same draws."""
    X = camera_patches(1500)
    X = 8 * (X - X.mean(axis=1, keepdims=True))
    rs = kw["random_state"]
    ours = sc.MiniBatchDictionaryLearning(**{**kw, "random_state": pickle.loads(pickle.dumps(rs))})
    theirs = skd.MiniBatchDictionaryLearning(**{**kw, "random_state": pickle.loads(pickle.dumps(rs))})
    ours.fit(X)
    theirs.fit(X)
    assert ours.n_steps_ == theirs.n_steps_ and ours.n_iter_ == theirs.n_iter_
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-6)
    np.testing.assert_allclose(ours._A, theirs._A, rtol=1e-6, atol=1e-9)
    assert ours._ewa_cost == pytest.approx(theirs._ewa_cost, rel=1e-9)
    assert objective(X, ours.components_, kw["alpha"]) == pytest.approx(objective(X, theirs.components_, kw["alpha"]), rel=1e-9)
    if isinstance(rs, np.random.RandomState):
        a, b = ours.random_state.get_state(), theirs.random_state.get_state()
        assert np.array_equal(a[1], b[1]) and a[2:] == b[2:]
    # partial_fit continues from fit with the same generator.
    ours.partial_fit(X[:200])
    theirs.partial_fit(X[:200])
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-6)


def test_minibatch_partial_fit_takes_scikit_learns_steps():
    X = camera_patches(900)
    X = 8 * (X - X.mean(axis=1, keepdims=True))
    ours = sc.MiniBatchDictionaryLearning(n_components=90, alpha=1, random_state=3)
    theirs = skd.MiniBatchDictionaryLearning(n_components=90, alpha=1, random_state=3)
    for batch in np.array_split(X, 6):
        ours.partial_fit(batch)
        theirs.partial_fit(batch)
    assert ours.n_steps_ == theirs.n_steps_ == 6
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-6)
    np.testing.assert_allclose(ours._B, theirs._B, rtol=1e-6, atol=1e-9)


def test_float32_is_learned_in_float32():
    X = camera_patches(500).astype(np.float32)
    est = sc.MiniBatchDictionaryLearning(n_components=20, alpha=1, max_iter=3, random_state=0).fit(X)
    assert est.components_.dtype == np.float32 and est._A.dtype == np.float32
    assert est.transform(X).dtype == np.float32


def test_partial_fit_steps_and_statistics():
    X = camera_patches(600)
    est = sc.MiniBatchDictionaryLearning(n_components=20, alpha=1, random_state=0)
    for batch in np.array_split(X, 6):
        est.partial_fit(batch)
    assert est.n_steps_ == 6 and est.components_.shape == (20, 64)
    assert est._A.shape == (20, 20) and est._B.shape == (64, 20)
    np.testing.assert_allclose(est._A, est._A.T, atol=1e-12)
    # It lowers the objective from its start.
    start = sc.MiniBatchDictionaryLearning(n_components=20, alpha=1, random_state=0).partial_fit(X[:100])
    assert objective(X, est.components_, 1.0) < objective(X, start.components_, 1.0)


def test_dictionary_learning_objective_never_rises():
    X, _ = problem(12, 18, 200, np.float64)
    est = sc.DictionaryLearning(n_components=18, alpha=0.3, max_iter=30, tol=1e-12, random_state=0, transform_algorithm="lasso_lars")
    code = est.fit_transform(X)
    assert code.shape == (200, 18)
    # From the first feasible dictionary on (the SVD start has atoms of norm
    # > 1), the objective never rises.
    errors = est.error_[1:]
    assert len(errors) >= 5 and np.all(np.diff(errors) <= 1e-10 * errors[:-1])
    code2, D, errors = sc.dict_learning(X, 18, alpha=0.3, max_iter=30, tol=1e-12, random_state=0)
    np.testing.assert_allclose(D, est.components_)
    code_o, D_o = sc.dict_learning_online(X, 18, alpha=0.3, max_iter=5, random_state=0)
    assert code_o.shape == (200, 18) and D_o.shape == (18, 12)


def test_ksvd_learns_and_codes():
    X, D = problem(16, 24, 1500, np.float64, seed=3)
    est = sc.KSVD(n_components=24, n_nonzero_coefs=4, max_iter=20, random_state=0).fit(X)
    assert est.components_.shape == (24, 16) and est.n_iter_ == 20
    codes = est.transform(X)
    assert np.all(np.count_nonzero(codes, axis=1) <= 4)
    assert est.error_[-1] < est.error_[0]
    exact = sc.KSVD(n_components=24, tol=0.05, exact=True, max_iter=5, random_state=0).fit(X)
    assert exact.error_[-1] < exact.error_[0]
    goal = np.sum((X - exact.transform(X) @ exact.components_) ** 2, axis=1)
    assert np.mean(goal <= 0.05 * (1 + 1e-9)) > 0.9


def test_clone_pickle_pipeline_grid_search():
    X = camera_patches(300)
    est = sc.MiniBatchDictionaryLearning(n_components=10, alpha=1, max_iter=2, random_state=0, transform_algorithm="lasso_lars")
    fitted = clone(est).fit(X)
    again = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(again.transform(X), fitted.transform(X))
    pipe = make_pipeline(StandardScaler(), clone(est)).fit(X)
    assert pipe.transform(X).shape == (300, 10)
    score = lambda e, X, y=None: -np.abs(e.transform(X)).sum()  # noqa: E731
    grid = GridSearchCV(clone(est), {"alpha": [0.5, 1.0]}, cv=2, scoring=score).fit(X)
    # Our estimator takes scikit-learn's steps, so the search ends where
    # scikit-learn's own ends, with the same scores.
    sk_est = skd.MiniBatchDictionaryLearning(n_components=10, alpha=1, max_iter=2, random_state=0, transform_algorithm="lasso_lars")
    theirs = GridSearchCV(sk_est, {"alpha": [0.5, 1.0]}, cv=2, scoring=score).fit(X)
    assert grid.best_params_ == theirs.best_params_
    np.testing.assert_allclose(grid.cv_results_["mean_test_score"], theirs.cv_results_["mean_test_score"], rtol=1e-4)
    coder = sc.SparseCoder(dictionary=fitted.components_, transform_algorithm="omp", transform_n_nonzero_coefs=3)
    assert np.all(np.count_nonzero(coder.transform(X), axis=1) <= 3)
    assert list(fitted.get_feature_names_out())[:2] == ["minibatchdictionarylearning0", "minibatchdictionarylearning1"]


def test_unsupported_parameters_are_refused_by_name():
    X = camera_patches(100)
    with pytest.raises(ValueError, match="callback"):
        sc.MiniBatchDictionaryLearning(n_components=5, callback=lambda l: None).fit(X)
    with pytest.raises(ValueError, match="code_init"):
        sc.DictionaryLearning(n_components=5, code_init=np.zeros((100, 5))).fit(X)
    with pytest.raises(ValueError, match="n_components"):
        sc.MiniBatchDictionaryLearning(n_components=-1).fit(X)


def test_a_zero_row_in_dict_init_is_accepted_as_scikit_learn_accepts_it():
    rng = np.random.RandomState(0)
    X = rng.randn(200, 8)
    init = rng.randn(5, 8)
    init[2] = 0.0
    import sklearn.decomposition as skd

    skd.MiniBatchDictionaryLearning(n_components=5, dict_init=init, max_iter=2, random_state=0).fit(X)
    est = sc.MiniBatchDictionaryLearning(n_components=5, dict_init=init, max_iter=2, random_state=0).fit(X)
    assert np.all(np.isfinite(est.components_)) and np.linalg.norm(est.components_[2]) > 0
