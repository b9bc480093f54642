"""Hostile input through the Python door (issue 26): what a careless or
hostile caller passes must end in a Python exception that names the
problem, or in scikit-learn's answer; never an interpreter abort, a
``PanicException`` or a blow-up past the machine's memory. Crash-prone
cases run in a subprocess."""

import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import sklearn.decomposition as skd

import sparsecode as sc
from sparsecode import _core


def run_alone(code):
    """Runs ``code`` in a fresh interpreter; returns (exit status, stderr)."""
    p = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=300)
    return p.returncode, p.stderr


# -- Silent wrong answers ---------------------------------------------------


@pytest.mark.parametrize("algorithm", ["omp", "lasso_lars", "ista", "fista", "hard_threshold", "lasso_goal"])
def test_sparse_coder_codes_through_the_core(algorithm, monkeypatch):
    """scikit-learn's ``SparseCoder.transform`` calls its base class's coding;
    ours must reach the core, for every algorithm it advertises."""
    rs = np.random.RandomState(0)
    D = rs.randn(12, 8)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rs.randn(5, 8)
    calls = []
    real = _core.encode
    monkeypatch.setattr(_core, "encode", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
    kw = {"transform_alpha": 0.1} if algorithm not in ("omp", "lasso_goal") else {}
    if algorithm == "lasso_goal":
        kw = {"transform_tol": 0.5}
    codes = sc.SparseCoder(dictionary=D, transform_algorithm=algorithm, **kw).transform(X)
    assert calls == [algorithm]
    assert codes.shape == (5, 12)
    if algorithm in ("omp", "lasso_lars"):
        theirs = skd.SparseCoder(dictionary=D, transform_algorithm=algorithm, **kw).transform(X)
        np.testing.assert_allclose(codes, theirs, atol=1e-9)


# -- Threads ----------------------------------------------------------------


def test_thread_counts_are_capped_to_the_machine():
    """``n_jobs`` past the cores runs on the cores (as joblib caps it); the
    answer does not change."""
    assert 1 <= _core.threads_for(10_000) <= os.cpu_count()
    assert _core.threads_for(1) == 1
    X, D = np.random.RandomState(1).randn(20, 8), np.random.RandomState(2).randn(10, 8)
    np.testing.assert_array_equal(sc.sparse_encode(X, D, algorithm="omp", n_jobs=300), sc.sparse_encode(X, D, algorithm="omp", n_jobs=1))


# -- Crashes and blow-ups ---------------------------------------------------


def test_a_dense_output_too_large_for_the_machine_is_a_memory_error():
    """200,000 one-feature signals over 200,000 atoms: 320 GB of dense codes
    from 3.2 MB of input. A MemoryError, in the same interpreter."""
    status, err = run_alone(
        """
        import numpy as np, sparsecode as sc
        X = np.ones((200_000, 1)); D = np.ones((200_000, 1))
        try:
            sc.sparse_encode(X, D, algorithm="threshold", alpha=0.5)
        except MemoryError as e:
            print("MemoryError", e)
            raise SystemExit(0)
        raise SystemExit(3)
        """
    )
    assert status == 0, err


def test_a_panic_in_the_core_is_an_ordinary_exception():
    """Whatever slips past the checks reaches Python as a RuntimeError, which
    ``except Exception`` catches (not pyo3's ``PanicException``)."""
    with pytest.raises(RuntimeError, match="internal error"):
        _core._panic_for_tests()


def test_max_patches_is_validated_as_scikit_learn_validates_it():
    img = np.arange(100.0).reshape(10, 10)
    from sklearn.feature_extraction.image import extract_patches_2d as sk_extract

    for bad in (0, -3, 1.5, "all"):
        with pytest.raises(ValueError, match="max_patches") as ours:
            sc.extract_patches_2d(img, (3, 3), max_patches=bad)
        with pytest.raises(ValueError) as theirs:
            sk_extract(img, (3, 3), max_patches=bad)
        assert type(ours.value) is type(theirs.value)


def test_inpaint_refuses_what_it_cannot_read_as_known_or_missing():
    img = sc.data.camera()[:32, :32].copy()
    known = np.ones((32, 32))
    known[::3, ::2] = 0
    for bad in (0.5, np.nan):
        k = known.copy()
        k[0, 1] = bad
        with pytest.raises(ValueError, match="known must be boolean"):
            sc.inpaint(img, k)
    with pytest.raises(ValueError, match="no pixel is missing"):
        sc.inpaint(img, missing_values=-12345)
    # 0/1 numbers are read as booleans.
    np.testing.assert_array_equal(sc.inpaint(img, known, steps=2, refine=1), sc.inpaint(img, known.astype(bool), steps=2, refine=1))


def test_random_state_is_taken_as_scikit_learn_takes_it():
    img = sc.data.camera()[:32, :32] + 10 * np.random.RandomState(0).randn(32, 32)
    kw = dict(method="dictionary", n_atoms=64, steps=5, patch_size=6)
    np.testing.assert_array_equal(sc.denoise(img, 10, random_state=None, **kw), sc.denoise(img, 10, **kw))
    a = sc.denoise(img, 10, random_state=np.random.RandomState(3), **kw)
    np.testing.assert_array_equal(a, sc.denoise(img, 10, random_state=np.random.RandomState(3), **kw))
    with pytest.raises(ValueError, match="random_state"):
        sc.denoise(img, 10, random_state=-1, **kw)


def test_omp_gram_on_a_zero_or_rank_deficient_gram_answers_as_scikit_learn():
    import warnings

    import sklearn.linear_model as sklm

    rs = np.random.RandomState(4)
    A = rs.randn(6, 3) @ rs.randn(3, 10)  # 10 atoms of rank 3
    G, Xy = A.T @ A, A.T @ rs.randn(6)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs_zero = sklm.orthogonal_mp_gram(np.zeros((5, 5)), np.zeros(5), n_nonzero_coefs=2)
        theirs = sklm.orthogonal_mp_gram(G, Xy, n_nonzero_coefs=3)
    np.testing.assert_array_equal(sc.orthogonal_mp_gram(np.zeros((5, 5)), np.zeros(5), n_nonzero_coefs=2), theirs_zero)
    np.testing.assert_allclose(sc.orthogonal_mp_gram(G, Xy, n_nonzero_coefs=3), theirs, atol=1e-8)


def test_denoise_does_not_depend_on_the_images_units():
    """Tiny units used to underflow to an all-NaN image."""
    img = sc.data.camera()[:40, :40] + 20 * np.random.RandomState(6).randn(40, 40)
    for kw in [dict(method="dictionary", n_atoms=64, steps=10), {}]:
        base = sc.denoise(img, 20, **kw)
        np.testing.assert_array_equal(sc.denoise(img * 2.0**-40, 20 * 2.0**-40, **kw), base * 2.0**-40)
        tiny = sc.denoise(img * 1e-310, 20e-310, **kw)
        assert np.all(np.isfinite(tiny))
        assert np.abs(tiny / 1e-310 - base).mean() < 1.0


def test_dask_refuses_what_it_would_ignore():
    da = pytest.importorskip("dask.array")
    from sparsecode.dask import DaskDictionaryLearning
    from sparsecode.dask import sparse_encode as dask_encode

    X = da.from_array(np.random.RandomState(0).randn(40, 8), chunks=(10, 8))
    with pytest.raises(ValueError, match="missing_values"):
        DaskDictionaryLearning(n_components=4, missing_values=np.nan).fit(X)
    with pytest.raises(ValueError, match="mask"):
        dask_encode(X, np.eye(8), algorithm="omp", mask=np.ones((40, 8), dtype=bool))


@pytest.mark.parametrize("call", ["denoise", "inpaint"])
def test_a_one_pixel_patch_is_refused_in_pythons_words(call):
    img = sc.data.camera()[:24, :24].copy()
    known = np.ones((24, 24), dtype=bool)
    known[::2, ::3] = False
    with pytest.raises(ValueError, match="`patch_size`: must be at least 2"):
        sc.denoise(img, 10, method="dictionary", patch_size=1) if call == "denoise" else sc.inpaint(img, known, patch_size=1)


@pytest.mark.parametrize("est", [sc.SparseCoder(np.eye(8)), sc.DictionaryLearning(), sc.MiniBatchDictionaryLearning()])
def test_transform_tol_is_a_parameter_of_every_coding_estimator(est):
    """``transform_algorithm="lasso_goal"`` needs its goal: ``transform_tol``."""
    assert est.get_params()["transform_tol"] is None
    from sklearn.base import clone

    assert clone(est.set_params(transform_tol=0.25)).transform_tol == 0.25


def test_integers_past_64_bits_name_their_parameter():
    X, D = np.random.RandomState(1).randn(6, 8), np.random.RandomState(2).randn(10, 8)
    with pytest.raises(ValueError, match="n_nonzero"):
        sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=2**70)
    with pytest.raises(ValueError, match="max_iter"):
        sc.sparse_encode(X, D, algorithm="lasso_cd", max_iter=2**70)
    # n_jobs past the cores runs on the cores, whatever its size.
    np.testing.assert_array_equal(sc.sparse_encode(X, D, algorithm="omp", n_jobs=2**70), sc.sparse_encode(X, D, algorithm="omp"))


def test_atom_counts_past_the_features_or_atoms_as_scikit_learn():
    import sklearn.linear_model as sklm

    rs = np.random.RandomState(0)
    D, X = rs.randn(5, 8), rs.randn(7, 8)
    # LARS past the atoms: a count of steps; after a sign change (rows 1 and
    # 6 here) the extra steps still move the codes, as scikit-learn's do.
    for k in (6, 7, 9):
        np.testing.assert_allclose(
            sc.sparse_encode(X, D, algorithm="lars", n_nonzero_coefs=k),
            skd.sparse_encode(X, D, algorithm="lars", n_nonzero_coefs=k),
            atol=1e-9,
        )
    A, y = rs.randn(4, 6), rs.randn(4)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = sklm.orthogonal_mp(A, y, n_nonzero_coefs=5)
    np.testing.assert_allclose(sc.orthogonal_mp(A, y, n_nonzero_coefs=5), theirs, atol=1e-8)
    with pytest.raises(ValueError, match="number of atoms"):
        sc.orthogonal_mp(A, y, n_nonzero_coefs=7)


@pytest.mark.parametrize("value", [-3, 2**70, 2.5, "8"])
def test_a_count_out_of_range_is_refused_by_its_python_name(value):
    img = sc.data.camera()[:24, :24].copy()
    known = np.ones((24, 24), dtype=bool)
    known[::2, ::3] = False
    with pytest.raises(ValueError, match="patch_size"):
        sc.denoise(img, 10, patch_size=value)
    with pytest.raises(ValueError, match="max_atoms"):
        sc.inpaint(img, known, max_atoms=value)


def test_dask_learner_says_what_is_wrong_with_its_input():
    da = pytest.importorskip("dask.array")
    from sparsecode.dask import DaskDictionaryLearning

    X = da.from_array(np.random.RandomState(0).randn(40, 8), chunks=(10, 8))
    unknown = X[X[:, 0] > -100]  # a boolean index leaves NaN chunk sizes
    with pytest.raises(ValueError, match="unknown chunk sizes"):
        DaskDictionaryLearning(n_components=4).fit(unknown)
    with pytest.raises(ValueError, match="0 sample"):
        DaskDictionaryLearning(n_components=4).fit(X[:0])
    with pytest.raises(TypeError, match="client must be"):
        DaskDictionaryLearning(n_components=4).fit(X, client=42)


# -- Round two: memory, zero iterations, degenerate data --------------------


@pytest.mark.parametrize("call", ["denoise", "inpaint"])
def test_an_image_too_large_for_the_memory_left_is_a_memory_error(call):
    """The pipelines ask for their memory before any work: with the address
    space capped at 4 GB, a 12000×12000 image (1.2 GB) is refused with a
    MemoryError that says what it was for, instead of an abort mid-way."""
    status, err = run_alone(
        f"""
        import resource
        resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))
        import numpy as np, sparsecode as sc
        img = np.ones((12000, 12000)); img[0, 0] = 0.0
        try:
            sc.denoise(img, 0.1) if "{call}" == "denoise" else sc.inpaint(img, missing_values=0.0)
        except MemoryError as e:
            assert "{call.rstrip("e")}ing a 12000×12000" in str(e), e
            raise SystemExit(0)
        raise SystemExit(3)
        """
    )
    assert status == 0, err


def test_reconstructing_an_image_size_past_the_machine_is_refused_before_allocating():
    patches = np.zeros((4, 2, 2))
    with pytest.raises(ValueError, match="expected"):
        sc.reconstruct_from_patches_2d(patches, (10**9, 10**9))


def test_zero_iterations_answer_as_scikit_learn():
    import warnings

    X = np.random.RandomState(0).randn(30, 8)
    ours = sc.DictionaryLearning(n_components=5, max_iter=0, random_state=0)
    theirs = skd.DictionaryLearning(n_components=5, max_iter=0, random_state=0)
    np.testing.assert_allclose(ours.fit_transform(X), theirs.fit_transform(X), atol=1e-12)
    np.testing.assert_allclose(ours.components_, theirs.components_, atol=1e-12)
    assert ours.n_iter_ == theirs.n_iter_ == 0
    mb = sc.MiniBatchDictionaryLearning(n_components=5, max_iter=0, random_state=0).fit(X)
    mb_theirs = skd.MiniBatchDictionaryLearning(n_components=5, max_iter=0, random_state=0).fit(X)
    np.testing.assert_allclose(mb.components_, mb_theirs.components_, atol=1e-12)
    assert mb.n_steps_ == mb_theirs.n_steps_ == 0
    D = np.random.RandomState(1).randn(6, 8)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for algorithm in ("lasso_cd", "lasso_lars"):
            np.testing.assert_array_equal(
                sc.sparse_encode(X, D, algorithm=algorithm, max_iter=0, alpha=0.1),
                skd.sparse_encode(X, D, algorithm=algorithm, max_iter=0, alpha=0.1),
            )


def test_all_zero_data_is_learned_from_as_scikit_learn_does():
    """Every atom of scikit-learn's start is zero on all-zero data; the fit
    replaces them and ends with finite atoms and zero codes."""
    X = np.zeros((30, 8))
    est = sc.MiniBatchDictionaryLearning(n_components=4, random_state=0).fit(X)
    assert np.all(np.isfinite(est.components_)) and np.any(est.components_ != 0)
    assert not np.any(est.transform(X))


def test_data_with_no_observed_value_is_refused():
    X = np.full((30, 8), np.nan)
    with pytest.raises(ValueError, match="every value of X is missing"):
        sc.MiniBatchDictionaryLearning(n_components=4, missing_values=np.nan, random_state=0).fit(X)


def test_a_noise_estimate_needs_a_whole_filter():
    for side in (1, 2, 3):
        with pytest.raises(ValueError, match="at least 4×4"):
            sc.estimate_sigma(np.random.RandomState(side).rand(side, side))
    assert sc.estimate_sigma(np.random.RandomState(4).rand(4, 4)) > 0


def test_data_whose_squares_overflow_is_refused_by_the_learners():
    X = np.random.RandomState(0).randn(50, 16) * 1e300
    for est in (sc.KSVD(n_components=8, random_state=0), sc.MiniBatchDictionaryLearning(n_components=8, random_state=0)):
        with pytest.raises(ValueError, match="squared norm overflows"):
            est.fit(X)


def test_a_refused_array_is_named_by_its_shape_not_printed():
    X, D = np.random.RandomState(0).randn(7, 8), np.random.RandomState(1).randn(10, 8)
    with pytest.raises(ValueError, match=r"got an array of shape \(10, 10\)") as e:
        sc.sparse_encode(X, D, algorithm="lasso_lars", gram=D @ D.T)
    assert len(str(e.value)) < 200


@pytest.mark.parametrize("algorithm", ["omp", "lasso_lars", "lasso_cd", "lars", "threshold"])
def test_dask_one_row_blocks_code_bit_for_bit_as_the_whole_array(algorithm):
    da = pytest.importorskip("dask.array")
    from sparsecode.dask import sparse_encode as dask_encode

    rs = np.random.RandomState(0)
    X, D = rs.randn(7, 8), rs.randn(10, 8)
    whole = sc.sparse_encode(X, D, algorithm=algorithm)
    np.testing.assert_array_equal(dask_encode(da.from_array(X, chunks=(1, 8)), D, algorithm=algorithm).compute(), whole)


def test_core_checks_name_the_python_parameters():
    X, D = np.random.RandomState(0).randn(7, 8), np.random.RandomState(1).randn(10, 8)
    with pytest.raises(ValueError, match="`n_nonzero_coefs`: must be between 1 and the number of atoms") as e:
        sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=11)
    assert "`n_nonzero`" not in str(e.value)
    with pytest.raises(ValueError, match="^n_nonzero_coefs:"):
        sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=2**70)
    with pytest.raises(ValueError, match="`n_nonzero_coefs`"):
        sc.KSVD(n_components=8, n_nonzero_coefs=99).fit(X)


def test_values_whose_squares_overflow_or_underflow_are_named():
    X, D = np.random.RandomState(0).randn(7, 8), np.random.RandomState(1).randn(10, 8)
    for algorithm in ("omp", "lasso_lars", "lasso_cd", "threshold"):
        with pytest.raises(ValueError, match="signal 0 is too large"):
            sc.sparse_encode(X * 1e200, D, algorithm=algorithm)
    with pytest.raises(ValueError, match="atom 0 of the dictionary is too large"):
        sc.sparse_encode(X, D * 1e200, algorithm="omp")
    with pytest.raises(ValueError, match="squares underflow"):
        sc.sparse_encode(X, D * 1e-200, algorithm="omp")


@pytest.mark.parametrize("algorithm", ["omp", "lasso_lars", "lars", "threshold"])
@pytest.mark.parametrize("dtypes", [(np.float32, np.float64), (np.float64, np.float32)])
def test_mixed_dtypes_give_scikit_learns_dtype(algorithm, dtypes):
    """scikit-learn's codes take X's dtype for OMP, the dictionary's for the
    LARS family, NumPy's promotion for thresholding; so do ours, through
    every door."""
    import warnings

    rs = np.random.RandomState(0)
    X, D = rs.randn(30, 8).astype(dtypes[0]), rs.randn(5, 8).astype(dtypes[1])
    kw = dict(transform_algorithm=algorithm, transform_alpha=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for m, (ours, theirs) in {
            "sparse_encode": (sc.sparse_encode(X, D, algorithm=algorithm, alpha=0.1), skd.sparse_encode(X, D, algorithm=algorithm, alpha=0.1)),
            "SparseCoder": (sc.SparseCoder(D, **kw).transform(X), skd.SparseCoder(D, **kw).transform(X)),
        }.items():
            assert ours.dtype == theirs.dtype, m
            np.testing.assert_allclose(ours, theirs, atol=1e-4, err_msg=m)


@pytest.mark.parametrize(
    "name, call",
    [
        ("max_iter", lambda X: sc.MiniBatchDictionaryLearning(n_components=4, max_iter=2**70).fit(X)),
        ("max_no_improvement", lambda X: sc.MiniBatchDictionaryLearning(n_components=4, max_no_improvement=2**70).fit(X)),
        ("transform_max_iter", lambda X: sc.MiniBatchDictionaryLearning(n_components=4, transform_max_iter=2**70).fit(X)),
        ("max_iter", lambda X: sc.DictionaryLearning(n_components=4, max_iter=2**70).fit(X)),
        ("n_components", lambda X: sc.DictionaryLearning(n_components=2**70).fit(X)),
        ("n_nonzero_coefs", lambda X: sc.KSVD(n_components=4, n_nonzero_coefs=2**70).fit(X)),
        ("n_components", lambda X: sc.KSVD(n_components=2**70).fit(X)),
        ("image_size", lambda X: sc.reconstruct_from_patches_2d(np.zeros((4, 2, 2)), (2**70, 2**70))),
    ],
)
def test_estimator_counts_past_64_bits_name_their_parameter(name, call):
    """A count the core cannot hold: a ValueError naming the parameter, not a
    bare OverflowError."""
    with pytest.raises(ValueError, match=f"^{name} must be a whole number"):
        call(np.random.RandomState(0).rand(30, 8))
