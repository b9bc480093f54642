"""Codes against scikit-learn's on random problems; layouts, dtypes,
copies, the GIL and thread counts."""

import sys
import threading
import tracemalloc

import numpy as np
import pytest
import scipy.sparse as sp
import sklearn.decomposition as skd
import sklearn.linear_model as sklm

import sparsecode as sc
from sparsecode import _core
from conftest import problem

SHAPES = [(16, 24, 40), (64, 100, 30), (10, 5, 25), (64, 256, 20)]
DTYPES = [np.float64, np.float32]


def lasso_objective(X, D, C, alpha):
    X, D, C = (np.asarray(a, dtype=np.float64) for a in (X, D, C))
    return 0.5 * np.sum((X - C @ D) ** 2, axis=1) + alpha * np.abs(C).sum(axis=1)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("algorithm", ["omp", "lars"])
def test_greedy_supports_equal_scikit_learns(shape, dtype, algorithm):
    X, D = problem(*shape, dtype)
    k = min(3, shape[1])
    ours = sc.sparse_encode(X, D, algorithm=algorithm, n_nonzero_coefs=k)
    theirs = skd.sparse_encode(X, D, algorithm=algorithm, n_nonzero_coefs=k)
    assert ours.dtype == dtype
    assert np.array_equal(ours != 0, theirs != 0)
    tol = 1e-4 if dtype == np.float32 else 1e-9
    np.testing.assert_allclose(ours, theirs, atol=tol * np.abs(theirs).max())


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("algorithm", ["lasso_lars", "lasso_cd", "fista"])
@pytest.mark.parametrize("positive", [False, True])
def test_lasso_objectives_no_worse_than_scikit_learns(shape, dtype, algorithm, positive):
    X, D = problem(*shape, dtype)
    alpha = 0.1
    ours = sc.sparse_encode(X, D, algorithm=algorithm, alpha=alpha, positive=positive, max_iter=20000)
    sk_algorithm = "lasso_cd" if algorithm == "fista" else algorithm
    theirs = skd.sparse_encode(X, D, algorithm=sk_algorithm, alpha=alpha, positive=positive)
    assert ours.dtype == dtype
    if positive:
        assert (ours >= 0).all()
    mine, ref = lasso_objective(X, D, ours, alpha), lasso_objective(X, D, theirs, alpha)
    # float32 arithmetic rounds the objective itself at ~1e-7 relative, and
    # FISTA's float32 iterates stall a few ulps from the optimum.
    rel = 1e-7 if dtype == np.float64 else (1e-5 if algorithm == "fista" else 2e-6)
    assert np.all(mine <= ref * (1 + rel) + 1e-12), np.max(mine / ref - 1)


@pytest.mark.parametrize("dtype", DTYPES)
def test_threshold_equals_scikit_learns(dtype):
    X, D = problem(16, 24, 30, dtype)
    for positive in (False, True):
        ours = sc.sparse_encode(X, D, algorithm="threshold", alpha=0.2, positive=positive)
        theirs = skd.sparse_encode(X, D, algorithm="threshold", alpha=0.2, positive=positive)
        np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_csr_output_is_the_dense_codes():
    X, D = problem(16, 24, 50, np.float64)
    dense = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=4)
    csr = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=4, output="csr")
    assert sp.issparse(csr) and csr.format == "csr" and csr.shape == dense.shape
    np.testing.assert_array_equal(csr.toarray(), dense)
    assert csr.nnz == np.count_nonzero(dense)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dense_outputs_reuse_freed_memory_and_rewrite_it_whole(dtype):
    X, D = problem(20, 50, 300, dtype)
    first = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=3)
    want = first.copy()
    assert first.flags.writeable and first.flags.c_contiguous and first.dtype == dtype
    # The caller writes into the array, then frees it: its memory is the
    # next output's, which must not show any of it.
    first[:] = 7.0
    address = first.ctypes.data
    del first
    again = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=3)
    assert again.ctypes.data == address
    np.testing.assert_array_equal(again, want)
    # An output kept alive is not reused; a smaller one fits in the spare.
    other = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1)
    assert other.ctypes.data != again.ctypes.data
    np.testing.assert_array_equal(other, sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1, output="csr").toarray())
    del again
    fewer = sc.sparse_encode(X[:100], D, algorithm="omp", n_nonzero_coefs=3)
    np.testing.assert_array_equal(fewer, want[:100])
    # With a mask, the dense output goes through the same memory.
    masked = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=3, mask=np.ones(X.shape, bool))
    np.testing.assert_array_equal(masked, want)


def test_layouts_give_the_same_codes():
    X, D = problem(16, 24, 50, np.float64)
    base = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1)
    fortran = sc.sparse_encode(np.asfortranarray(X), np.asfortranarray(D), algorithm="lasso_lars", alpha=0.1)
    wide = np.zeros((50, 32))
    wide[:, ::2] = X
    strided = sc.sparse_encode(wide[:, ::2], D, algorithm="lasso_lars", alpha=0.1)
    np.testing.assert_array_equal(base, fortran)
    np.testing.assert_array_equal(base, strided)


def test_extra_algorithms():
    X, D = problem(16, 24, 30, np.float64)
    goal = sc.sparse_encode(X, D, algorithm="lasso_goal", tol=0.05)
    assert np.all(np.sum((X - goal @ D) ** 2, axis=1) <= 0.05 * (1 + 1e-6))
    omp_goal = sc.sparse_encode(X, D, algorithm="omp", tol=0.05)
    assert np.all(np.sum((X - omp_goal @ D) ** 2, axis=1) <= 0.05 * (1 + 1e-6))
    en = sc.sparse_encode(X, D, algorithm="lasso_cd", alpha=0.1, l2=0.5)
    assert np.count_nonzero(en) > 0
    ista = sc.sparse_encode(X, D, algorithm="ista", alpha=0.1, max_iter=50000)
    lars = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1)
    np.testing.assert_allclose(lasso_objective(X, D, ista, 0.1), lasso_objective(X, D, lars, 0.1), rtol=1e-6)


def test_errors_name_the_parameter():
    X, D = problem(16, 24, 10, np.float64)
    with pytest.raises(ValueError, match="Positive constraint not supported for 'omp'"):
        sc.sparse_encode(X, D, algorithm="omp", positive=True)
    with pytest.raises(ValueError, match="gram"):
        sc.sparse_encode(X, D, gram=D @ D.T)
    with pytest.raises(ValueError, match="different numbers of features"):
        sc.sparse_encode(X[:, :5], D)
    with pytest.raises(ValueError, match="algorithm"):
        sc.sparse_encode(X, D, algorithm="magic")
    with pytest.raises(ValueError):
        sc.sparse_encode(np.full_like(X, np.nan), D)


def test_results_do_not_depend_on_n_jobs():
    X, D = problem(64, 100, 2000, np.float64)
    one = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1, n_jobs=1)
    two = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1, n_jobs=2)
    default = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.1)
    np.testing.assert_array_equal(one, two)
    np.testing.assert_array_equal(one, default)


@pytest.mark.parametrize("order", ["C", "F"])
def test_no_copy_of_the_input(order):
    X, D = problem(64, 16, 20000, np.float64)
    X = np.asarray(X, order=order)
    sc.sparse_encode(X[:10], D, algorithm="omp", n_nonzero_coefs=2)  # warm up imports
    tracemalloc.start()
    codes = sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=2)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert codes.shape == (20000, 16)
    # The codes themselves are allocated by NumPy (and traced); a copy of
    # the input would add X.nbytes on top of them.
    assert peak - codes.nbytes < X.nbytes // 4, f"{peak} bytes traced for a {X.nbytes}-byte input and {codes.nbytes} bytes of codes"


def test_the_gil_is_released_while_coding():
    """With a thread switch interval far longer than the call, a thread that
    kept the GIL while the core codes would run to its end before the main
    thread ran again; the main thread runs while the core is still coding
    only if the call releases the GIL. No timing is compared."""
    X, D = problem(64, 256, 40000, np.float64)
    entered, done, seen = threading.Event(), threading.Event(), []

    def work():
        entered.set()
        # The binding itself: between `entered` and the core, nothing else
        # that could release the GIL.
        _core.encode(D, X, "lasso_lars", n_jobs=1, alpha=0.05)
        done.set()

    old = sys.getswitchinterval()
    sys.setswitchinterval(1000.0)
    try:
        t = threading.Thread(target=work)
        t.start()
        entered.wait()
        seen.append(done.is_set())
        t.join()
    finally:
        sys.setswitchinterval(old)
    assert seen == [False], "the main thread ran only after the core was done: the GIL was held"


def test_orthogonal_mp_matches_scikit_learn():
    X, D = problem(32, 48, 8, np.float64)
    A = D.T  # atoms as columns
    for kwargs in ({"n_nonzero_coefs": 4}, {"tol": 0.1}):
        ours = sc.orthogonal_mp(A, X.T, **kwargs)
        theirs = sklm.orthogonal_mp(A, X.T, **kwargs)
        np.testing.assert_allclose(ours, theirs, atol=1e-8)
        one = sc.orthogonal_mp(A, X[0], **kwargs)
        np.testing.assert_allclose(one, sklm.orthogonal_mp(A, X[0], **kwargs), atol=1e-8)
    G, Xy = A.T @ A, A.T @ X.T
    norms = np.sum(X**2, axis=1)
    for kwargs in ({"n_nonzero_coefs": 4}, {"tol": 0.1, "norms_squared": norms}):
        ours = sc.orthogonal_mp_gram(G, Xy, **kwargs)
        theirs = sklm.orthogonal_mp_gram(G, Xy, **kwargs)
        np.testing.assert_allclose(ours, theirs, atol=1e-7)
