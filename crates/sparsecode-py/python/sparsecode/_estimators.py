"""scikit-learn's sparse-coding estimators, computed by the Rust core.

Each class subclasses scikit-learn's own (so its parameters, defaults,
validation, error types, ``get_feature_names_out``, cloning and pickling are
scikit-learn's) and replaces only the computation: coding goes through
:func:`sparsecode.sparse_encode`, learning through the core's learners.
"""

import contextlib
from numbers import Integral, Real

import numpy as np
from sklearn import decomposition as _sk
from sklearn.base import BaseEstimator, _fit_context
from sklearn.decomposition._dict_learning import _BaseSparseCoding, _check_positive_coding
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data
from threadpoolctl import threadpool_limits

from . import _core
from ._docs import sklearn_sections
from ._encode import ALGORITHMS, sparse_encode
from ._verbose import BatchLines, MiniBatchLines
from ._util import ALLOW_NAN, FLOATS, contiguous, count, numpy_state, observed_mask, python_names, refuse, seed_of, set_numpy_state, threads


def _with_algorithms(constraints, key):
    """scikit-learn's parameter constraints with our extra algorithms allowed."""
    out = dict(constraints)
    out[key] = [StrOptions(ALGORITHMS)]
    return out


class _CoreCoding:
    """Coding (``transform``) by the core, scikit-learn's semantics."""

    def _validate(self, X, **kw):
        """``validate_data`` that lets ``missing_values`` through, and the
        mask of the observed entries (``None`` without missing values)."""
        missing = getattr(self, "missing_values", None)
        X = validate_data(self, X, dtype=FLOATS, **kw, **(ALLOW_NAN if missing is not None else {}))
        return X, observed_mask(X, missing)

    def _transform(self, X, dictionary):
        X, mask = self._validate(X, reset=False)
        if hasattr(self, "alpha") and self.transform_alpha is None:
            alpha = self.alpha
        else:
            alpha = self.transform_alpha
        code = sparse_encode(
            X,
            dictionary,
            algorithm=self.transform_algorithm,
            n_nonzero_coefs=self.transform_n_nonzero_coefs,
            alpha=alpha,
            n_jobs=self.n_jobs,
            positive=self.positive_code,
            tol=getattr(self, "transform_tol", None),
            mask=mask,
            **({} if self.transform_max_iter is None else {"max_iter": self.transform_max_iter}),
        )
        if self.split_sign:
            n_samples, n_features = code.shape
            split = np.empty((n_samples, 2 * n_features), dtype=code.dtype)
            split[:, :n_features] = np.maximum(code, 0)
            split[:, n_features:] = -np.minimum(code, 0)
            code = split
        return code

    def _refuse_unsupported(self):
        refuse("callback", getattr(self, "callback", None), None)

    def _fit_method(self):
        return "lasso_" + self.fit_algorithm


_TOL = {"transform_tol": [Interval(Real, 0, None, closed="left"), None]}


@sklearn_sections(_sk.SparseCoder)
class SparseCoder(_CoreCoding, _sk.SparseCoder):
    """:class:`sklearn.decomposition.SparseCoder`, coding by the core (any
    :func:`sparse_encode` algorithm as ``transform_algorithm``). Beyond
    scikit-learn, ``transform_tol`` is :func:`sparse_encode`'s ``tol``: the
    squared-residual goal of ``"omp"`` and ``"lasso_goal"``, or the
    iterative solvers' tolerance.

    Parameters
    ----------
    transform_tol : float, default=None
        :func:`sparse_encode`'s ``tol``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import SparseCoder
    >>> D = np.eye(4)[:3]
    >>> SparseCoder(D, transform_algorithm="omp", transform_n_nonzero_coefs=1).transform([[0.0, 3.0, 0.5, 0.0]])
    array([[0., 3., 0.]])
    """

    # scikit-learn < 1.8's SparseCoder declares no constraints.
    _parameter_constraints = {**_with_algorithms(getattr(_sk.SparseCoder, "_parameter_constraints", {}), "transform_algorithm"), **_TOL}

    def __init__(
        self,
        dictionary,
        *,
        transform_algorithm="omp",
        transform_n_nonzero_coefs=None,
        transform_alpha=None,
        split_sign=False,
        n_jobs=None,
        positive_code=False,
        transform_max_iter=1000,
        transform_tol=None,
    ):
        super().__init__(
            dictionary, transform_algorithm=transform_algorithm, transform_n_nonzero_coefs=transform_n_nonzero_coefs,
            transform_alpha=transform_alpha, split_sign=split_sign, n_jobs=n_jobs, positive_code=positive_code,
            transform_max_iter=transform_max_iter,
        )
        self.transform_tol = transform_tol

    def transform(self, X, y=None):
        """Codes the rows of ``X`` over ``dictionary`` by the core.
        (scikit-learn's own ``transform`` calls its base class's coding,
        past this class's.)"""
        return self._transform(X, self.dictionary)


@sklearn_sections(_sk.DictionaryLearning)
class DictionaryLearning(_CoreCoding, _sk.DictionaryLearning):
    """:class:`sklearn.decomposition.DictionaryLearning`: batch learning by
    the core (exact Lasso coding of every sample, then one block-coordinate
    pass over the atoms, until the objective's relative change is below
    ``tol``). The dictionary starts from the SVD of ``X`` (scikit-learn's
    start) or ``dict_init``; ``code_init`` and ``callback`` are refused;
    ``verbose`` prints scikit-learn's lines. The fit takes scikit-learn's
    steps: its cost, its stopping rule, and its draws from ``random_state``
    when an unused atom is replaced.

    Parameters
    ----------
    transform_tol : float, default=None
        :func:`sparse_encode`'s ``tol`` for ``transform``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import DictionaryLearning
    >>> X = np.random.RandomState(0).randn(40, 12)
    >>> dl = DictionaryLearning(n_components=6, alpha=0.5, max_iter=20, random_state=0)
    >>> code = dl.fit_transform(X)
    >>> dl.components_.shape, code.shape
    ((6, 12), (40, 6))
    """

    _parameter_constraints = {**_with_algorithms(_sk.DictionaryLearning._parameter_constraints, "transform_algorithm"), **_TOL}

    def __init__(
        self,
        n_components=None,
        *,
        alpha=1,
        max_iter=1000,
        tol=1e-08,
        fit_algorithm="lars",
        transform_algorithm="omp",
        transform_n_nonzero_coefs=None,
        transform_alpha=None,
        n_jobs=None,
        code_init=None,
        dict_init=None,
        callback=None,
        verbose=False,
        split_sign=False,
        random_state=None,
        positive_code=False,
        positive_dict=False,
        transform_max_iter=1000,
        transform_tol=None,
    ):
        super().__init__(
            n_components=n_components, alpha=alpha, max_iter=max_iter, tol=tol, fit_algorithm=fit_algorithm,
            transform_algorithm=transform_algorithm, transform_n_nonzero_coefs=transform_n_nonzero_coefs,
            transform_alpha=transform_alpha, n_jobs=n_jobs, code_init=code_init, dict_init=dict_init, callback=callback,
            verbose=verbose, split_sign=split_sign, random_state=random_state, positive_code=positive_code,
            positive_dict=positive_dict, transform_max_iter=transform_max_iter,
        )
        self.transform_tol = transform_tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit_transform(self, X, y=None):
        self._refuse_unsupported()
        refuse("code_init", self.code_init, None)
        _check_positive_coding(self.fit_algorithm, self.positive_code)
        X = contiguous(validate_data(self, X, dtype=FLOATS))
        n_components = X.shape[1] if self.n_components is None else count("n_components", self.n_components)
        dict_init = None if self.dict_init is None else np.ascontiguousarray(self.dict_init, dtype=np.float64)
        if dict_init is not None and dict_init.shape != (n_components, X.shape[1]):
            raise ValueError(f"dict_init must have shape {(n_components, X.shape[1])}, got {dict_init.shape}")
        if self.max_iter == 0:
            return self._svd_start(X, n_components)
        lines = BatchLines(self.verbose) if self.verbose else None
        # The core continues random_state's stream (scikit-learn's draws
        # when an unused atom is replaced) and hands it back.
        random_state = check_random_state(self.random_state)
        with python_names():
            components, objectives, _, stop, _, _, state = _core.fit_dictionary(
                X,
                "batch",
                n_components,
                alpha=float(self.alpha),
                max_epochs=count("max_iter", self.max_iter),
                tol=float(self.tol),
                numpy_state=numpy_state(random_state),
                positive_dict=bool(self.positive_dict),
                positive_code=bool(self.positive_code),
                init="svd",
                dict_init=dict_init,
                algorithm=self._fit_method(),
                coder_max_iter=count("transform_max_iter", self.transform_max_iter),
                n_jobs=threads(self.n_jobs),
                progress=lines,
            )
        set_numpy_state(random_state, state)
        self.components_ = components
        self.error_ = np.asarray(objectives)
        self.n_iter_ = len(objectives)
        if lines is not None:
            lines.stopped(stop, self.n_iter_)
        return sparse_encode(
            X, components, algorithm=self._fit_method(), alpha=self.alpha, max_iter=self.transform_max_iter,
            n_jobs=self.n_jobs, positive=self.positive_code,
        )


    def _svd_start(self, X, n_components):
        """``max_iter=0``: scikit-learn's answer, its start untouched (the
        SVD's right singular vectors scaled by the singular values, signs
        fixed by ``svd_flip``, zero rows past the rank) and the left
        singular vectors as the codes; no iteration, no error recorded."""
        from scipy import linalg
        from sklearn.utils.extmath import svd_flip

        code, S, dictionary = linalg.svd(X, full_matrices=False)
        code, dictionary = svd_flip(code, dictionary)
        dictionary = S[:, np.newaxis] * dictionary
        pad = max(n_components - len(dictionary), 0)
        self.components_ = np.r_[dictionary[:n_components], np.zeros((pad, X.shape[1]), X.dtype)]
        self.error_ = np.zeros(0)
        self.n_iter_ = 0
        return np.c_[code[:, :n_components], np.zeros((len(code), pad), X.dtype)]


@sklearn_sections(_sk.MiniBatchDictionaryLearning)
class MiniBatchDictionaryLearning(_CoreCoding, _sk.MiniBatchDictionaryLearning):
    """:class:`sklearn.decomposition.MiniBatchDictionaryLearning`: online
    learning by the core, with scikit-learn's forgetting rule, atom
    updates, restarts and stopping rules (``tol``, ``max_no_improvement``).
    ``random_state`` means what it means to scikit-learn: the dictionary
    starts from scikit-learn's own randomized SVD of ``X`` (or
    ``dict_init``), and the core continues the same NumPy ``RandomState``
    for the shuffle and for replacing unused atoms, so the fit takes
    scikit-learn's steps and ends at its dictionary up to rounding (and
    ``random_state``, when it is a ``RandomState``, moves on as
    scikit-learn moves it). ``partial_fit`` takes one step on the batch it
    is given. float32 data are learned in float32, statistics included.
    ``callback`` is refused; ``verbose`` prints scikit-learn's lines.

    ``missing_values`` (beyond scikit-learn, which refuses NaN): entries of
    ``X`` equal to it (``np.nan`` matches NaN) are missing. ``fit`` then
    learns from the observed entries only (online learning with per-feature
    statistics, Mairal et al. 2010) and ``transform`` codes each sample from
    its observed entries (:func:`sparse_encode` with ``mask``);
    ``partial_fit`` refuses it.

    Parameters
    ----------
    missing_values : float, default=None
        The value of missing entries (``np.nan`` matches NaN).
    transform_tol : float, default=None
        :func:`sparse_encode`'s ``tol`` for ``transform``.

    Examples
    --------
    The seed's walkthrough: 100 atoms learned from 2000 patches of
    ``camera``, one patch coded and rebuilt.

    >>> import numpy as np
    >>> from sparsecode import MiniBatchDictionaryLearning, extract_patches_2d
    >>> from sparsecode.data import camera
    >>> patches = extract_patches_2d(camera() / 255.0, (8, 8), max_patches=2000, random_state=42)
    >>> X = patches.reshape(len(patches), -1)
    >>> dl = MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(X)
    >>> code = dl.transform(X[:1])
    >>> dl.components_.shape, code.shape, int(np.count_nonzero(code)) <= 64
    ((100, 64), (1, 100), True)
    """

    _parameter_constraints = {
        **_with_algorithms(_sk.MiniBatchDictionaryLearning._parameter_constraints, "transform_algorithm"),
        "missing_values": [Real, None],
        **_TOL,
    }

    def __init__(
        self,
        n_components=None,
        *,
        alpha=1,
        max_iter=1000,
        fit_algorithm="lars",
        n_jobs=None,
        batch_size=256,
        shuffle=True,
        dict_init=None,
        transform_algorithm="omp",
        transform_n_nonzero_coefs=None,
        transform_alpha=None,
        verbose=False,
        split_sign=False,
        random_state=None,
        positive_code=False,
        positive_dict=False,
        transform_max_iter=1000,
        callback=None,
        tol=1e-3,
        max_no_improvement=10,
        missing_values=None,
        transform_tol=None,
    ):
        super().__init__(
            n_components=n_components, alpha=alpha, max_iter=max_iter, fit_algorithm=fit_algorithm, n_jobs=n_jobs,
            batch_size=batch_size, shuffle=shuffle, dict_init=dict_init, transform_algorithm=transform_algorithm,
            transform_n_nonzero_coefs=transform_n_nonzero_coefs, transform_alpha=transform_alpha, verbose=verbose,
            split_sign=split_sign, random_state=random_state, positive_code=positive_code, positive_dict=positive_dict,
            transform_max_iter=transform_max_iter, callback=callback, tol=tol, max_no_improvement=max_no_improvement,
        )
        self.missing_values = missing_values
        self.transform_tol = transform_tol

    def _dict_init(self, n_features):
        if self.dict_init is None:
            return None
        d = np.ascontiguousarray(self.dict_init, dtype=np.float64)
        if d.shape != (self._n_components, n_features):
            raise ValueError(f"dict_init must have shape {(self._n_components, n_features)}, got {d.shape}")
        return d

    def _sklearn_start(self, X):
        """scikit-learn's initial dictionary (its randomized SVD of ``X``, or
        ``dict_init``), drawn from ``self._random_state``. On small data
        one BLAS thread is several times faster than two."""
        small = X.size < (1 << 20)
        with threadpool_limits(1, user_api="blas") if small else contextlib.nullcontext():
            return self._initialize_dict(X, self._random_state)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        self._refuse_unsupported()
        X, mask = self._validate(X, copy=False)
        X = contiguous(X)
        self._check_params(X)
        n_samples = X.shape[0]
        init = self._dict_init(X.shape[1])  # checks dict_init's shape
        self._random_state = check_random_state(self.random_state)
        state = None
        if mask is None:
            # scikit-learn's own start, drawn from the same random_state,
            # which the core then continues.
            init = np.ascontiguousarray(self._sklearn_start(X), np.float64)
            state = numpy_state(self._random_state)
        lines = MiniBatchLines() if self.verbose else None
        with python_names():
            components, objectives, ewa, stop, A, B, state = _core.fit_dictionary(
                X,
                "online",
                count("n_components", self._n_components),
                alpha=float(self.alpha),
                batch_size=count("batch_size", self._batch_size),
                max_epochs=count("max_iter", self.max_iter),
                shuffle=bool(self.shuffle),
                seed=seed_of(self._random_state) if mask is not None else 0,
                positive_dict=bool(self.positive_dict),
                positive_code=bool(self.positive_code),
                tol=float(self.tol),
                max_no_improvement=-1 if self.max_no_improvement is None else count("max_no_improvement", self.max_no_improvement),
                init="svd",
                dict_init=init,
                algorithm=self._fit_algorithm,
                coder_max_iter=count("transform_max_iter", self.transform_max_iter),
                n_jobs=threads(self.n_jobs),
                mask=mask,
                numpy_state=state,
                progress=lines,
            )
        if lines is not None:
            lines.stopped(stop, len(objectives))
        if state is not None:
            set_numpy_state(self._random_state, state)
        self.n_steps_ = len(objectives)
        self.n_iter_ = float(_core.Schedule(n_samples, int(self._batch_size)).epochs(self.n_steps_))
        self.components_ = components
        # The masked learner keeps per-feature statistics, which partial_fit cannot continue.
        self._A, self._B = (A, B.T) if A is not None else (None, None)
        self._ewa_cost = ewa
        return self

    @_fit_context(prefer_skip_nested_validation=True)
    def partial_fit(self, X, y=None):
        self._refuse_unsupported()
        refuse("missing_values", self.missing_values, None)
        if hasattr(self, "components_") and getattr(self, "_A", None) is None:
            raise ValueError("partial_fit cannot continue a fit made with missing_values")
        has_components = hasattr(self, "components_")
        X = contiguous(validate_data(self, X, dtype=FLOATS, reset=not has_components))
        if not has_components:
            self._check_params(X)
            self._dict_init(X.shape[1])  # checks dict_init's shape
            self._random_state = check_random_state(self.random_state)
            components = np.ascontiguousarray(self._sklearn_start(X))
            k = self._n_components
            self.n_steps_ = 0
            self._A = np.zeros((k, k), dtype=X.dtype)
            self._B = np.zeros((X.shape[1], k), dtype=X.dtype)
        else:
            components = self.components_
        dtype = components.dtype
        X = X.astype(dtype, copy=False)
        components, A, B, _, state = _core.online_step(
            np.ascontiguousarray(components),
            np.ascontiguousarray(self._A, dtype=dtype),
            np.ascontiguousarray(self._B.T, dtype=dtype),
            int(self.n_steps_),
            X,
            float(self.alpha),
            algorithm=self._fit_algorithm,
            positive_code=bool(self.positive_code),
            positive_dict=bool(self.positive_dict),
            coder_max_iter=count("transform_max_iter", self.transform_max_iter),
            n_jobs=threads(self.n_jobs),
            numpy_state=numpy_state(self._random_state),
        )
        set_numpy_state(self._random_state, state)
        self.components_, self._A, self._B = components, A, B.T
        self.n_steps_ += 1
        return self


class KSVD(_CoreCoding, _BaseSparseCoding, BaseEstimator):
    """K-SVD (Aharon, Elad & Bruckstein 2006): OMP coding of every sample
    (``n_nonzero_coefs`` atoms, or the squared-residual goal ``tol``), then
    each atom updated from the samples that use it — by the approximate
    step of Rubinstein et al. (default) or the exact rank-1 SVD
    (``exact=True``); unused and too-coherent atoms are replaced.

    Parameters follow scikit-learn's conventions; those left at ``None`` are
    the core's defaults (``sparsecode.defaults("ksvd")``: its number of iterations, a
    start from random samples, and scikit-learn's OMP sparsity
    ``min(max(n_features / 10, 1), n_components)``). ``transform`` codes by
    OMP with the same sparsity or goal unless ``transform_algorithm`` says
    otherwise. ``error_`` holds ``‖X − CD‖²_F / n_samples`` per iteration.

    ``missing_values`` (e.g. ``np.nan``): entries equal to it are missing;
    samples are coded by masked OMP on their observed entries and each atom
    is fitted to the observed entries of its users (masked K-SVD), and
    ``error_`` counts the observed entries only.

    Parameters
    ----------
    n_components : int, default=None
        Number of atoms (``None``: the number of features).
    n_nonzero_coefs : int, default=None
        Atoms per sample when coding (``None``: the core's rule).
    tol : float, default=None
        Squared-residual goal per sample instead of a count.
    max_nonzero_coefs : int, default=None
        Cap on atoms per sample under a goal.
    max_iter : int, default=None
        K-SVD iterations (``None``: the core's default).
    exact : bool, default=False
        The exact rank-1 SVD atom update instead of the approximate one.
    init : {"data", "dct", "svd"}, default=None
        The initial dictionary (``None``: the core's default).
    dict_init : ndarray of shape (n_components, n_features), default=None
        A given initial dictionary.
    transform_algorithm : str, default=None
        :func:`sparse_encode`'s algorithm for ``transform`` (``None``: OMP).
    transform_n_nonzero_coefs, transform_alpha, transform_max_iter : default=None
        Their :func:`sparse_encode` counterparts for ``transform``.
    n_jobs : int, default=None
        Threads (``None``: every core); results do not depend on it.
    split_sign : bool, default=False
        Split codes into their positive and negative parts.
    random_state : int, RandomState instance or None, default=None
        The seed of every random choice.
    missing_values : float, default=None
        The value of missing entries (``np.nan`` matches NaN).

    Attributes
    ----------
    components_ : ndarray of shape (n_components, n_features)
        The learned atoms, of unit norm.
    error_ : ndarray of shape (n_iter,)
        ``‖X − CD‖²_F / n_samples`` after each iteration.
    n_iter_ : int
        Iterations run.
    n_features_in_ : int
        Number of features seen during ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import KSVD
    >>> X = np.random.RandomState(0).randn(200, 16)
    >>> ksvd = KSVD(n_components=24, n_nonzero_coefs=3, max_iter=5, random_state=0).fit(X)
    >>> code = ksvd.transform(X)
    >>> ksvd.components_.shape, int(np.count_nonzero(code, axis=1).max())
    ((24, 16), 3)
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left"), None],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "max_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "max_iter": [Interval(Integral, 1, None, closed="left"), None],
        "exact": ["boolean"],
        "init": [StrOptions(set(_core.INITS)), None],
        "dict_init": [np.ndarray, None],
        "transform_algorithm": [StrOptions(ALGORITHMS), None],
        "transform_n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "transform_alpha": [Interval(Real, 0, None, closed="left"), None],
        "transform_max_iter": [Interval(Integral, 0, None, closed="left"), None],
        "n_jobs": [Integral, None],
        "split_sign": ["boolean"],
        "random_state": ["random_state"],
        "missing_values": [Real, None],
    }

    def __init__(
        self,
        n_components=None,
        *,
        n_nonzero_coefs=None,
        tol=None,
        max_nonzero_coefs=None,
        max_iter=None,
        exact=False,
        init=None,
        dict_init=None,
        transform_algorithm=None,
        transform_n_nonzero_coefs=None,
        transform_alpha=None,
        transform_max_iter=None,
        n_jobs=None,
        split_sign=False,
        random_state=None,
        missing_values=None,
    ):
        self.n_components = n_components
        self.n_nonzero_coefs = n_nonzero_coefs
        self.tol = tol
        self.max_nonzero_coefs = max_nonzero_coefs
        self.max_iter = max_iter
        self.exact = exact
        self.init = init
        self.dict_init = dict_init
        self.transform_algorithm = transform_algorithm
        self.transform_n_nonzero_coefs = transform_n_nonzero_coefs
        self.transform_alpha = transform_alpha
        self.transform_max_iter = transform_max_iter
        self.n_jobs = n_jobs
        self.split_sign = split_sign
        self.random_state = random_state
        self.missing_values = missing_values

    positive_code = False

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        X, mask = self._validate(X)
        X = contiguous(X)
        k = X.shape[1] if self.n_components is None else count("n_components", self.n_components)
        dict_init = None if self.dict_init is None else np.ascontiguousarray(self.dict_init, dtype=np.float64)
        with python_names(n_nonzero="n_nonzero_coefs", max_nonzero="max_nonzero_coefs"):
            components, objectives, _, _, _, _, _ = _core.fit_dictionary(
                X,
                "ksvd",
                k,
                max_epochs=count("max_iter", self.max_iter),
                seed=seed_of(self.random_state),
                init=self.init,
                dict_init=dict_init,
                n_nonzero=count("n_nonzero_coefs", self.n_nonzero_coefs),
                goal=None if self.tol is None else float(self.tol),
                max_nonzero=count("max_nonzero_coefs", self.max_nonzero_coefs),
                exact=bool(self.exact),
                n_jobs=threads(self.n_jobs),
                mask=mask,
            )
        self.components_ = components
        self.error_ = np.asarray(objectives)
        self.n_iter_ = len(objectives)
        return self

    def transform(self, X):
        check_is_fitted(self)
        return self._transform(X, self.components_)

    def _transform(self, X, dictionary):
        if self.transform_algorithm is not None and self.transform_algorithm != "omp":
            return super()._transform(X, dictionary)
        X, mask = self._validate(X, reset=False)
        n_nonzero = self.transform_n_nonzero_coefs or self.n_nonzero_coefs
        code = sparse_encode(
            X, dictionary.astype(X.dtype, copy=False), algorithm="omp", n_nonzero_coefs=n_nonzero, tol=self.tol, n_jobs=self.n_jobs, mask=mask
        )
        if self.split_sign:
            code = np.hstack([np.maximum(code, 0), -np.minimum(code, 0)])
        return code

    @property
    def _n_features_out(self):
        return self.components_.shape[0]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


@sklearn_sections(_sk.dict_learning)
def dict_learning(X, n_components, *, alpha, max_iter=100, tol=1e-8, method="lars", n_jobs=None, dict_init=None, code_init=None, callback=None, verbose=False, random_state=None, return_n_iter=False, positive_dict=False, positive_code=False, method_max_iter=1000):
    """:func:`sklearn.decomposition.dict_learning`: returns ``(code,
    dictionary, errors)`` (and ``n_iter`` with ``return_n_iter``), computed
    by :class:`DictionaryLearning`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import dict_learning
    >>> X = np.random.RandomState(0).randn(30, 8)
    >>> code, dictionary, errors = dict_learning(X, n_components=5, alpha=0.5, random_state=0)
    >>> code.shape, dictionary.shape, bool(errors[-1] <= errors[0])
    ((30, 5), (5, 8), True)
    """
    est = DictionaryLearning(
        n_components=n_components, alpha=alpha, max_iter=max_iter, tol=tol, fit_algorithm=method, n_jobs=n_jobs,
        dict_init=dict_init, code_init=code_init, callback=callback, verbose=verbose, random_state=random_state,
        positive_dict=positive_dict, positive_code=positive_code, transform_max_iter=method_max_iter,
    )
    code = est.fit_transform(X)
    if return_n_iter:
        return code, est.components_, est.error_, est.n_iter_
    return code, est.components_, est.error_


@sklearn_sections(_sk.dict_learning_online)
def dict_learning_online(X, n_components=2, *, alpha=1, max_iter=100, return_code=True, dict_init=None, callback=None, batch_size=256, verbose=False, shuffle=True, n_jobs=None, method="lars", random_state=None, positive_dict=False, positive_code=False, method_max_iter=1000, tol=1e-3, max_no_improvement=10):
    """:func:`sklearn.decomposition.dict_learning_online`: returns ``(code,
    dictionary)``, or the dictionary alone with ``return_code=False``,
    computed by :class:`MiniBatchDictionaryLearning`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import dict_learning_online
    >>> X = np.random.RandomState(0).randn(100, 8)
    >>> code, dictionary = dict_learning_online(X, n_components=5, alpha=0.5, max_iter=5, random_state=0)
    >>> code.shape, dictionary.shape
    ((100, 5), (5, 8))
    """
    est = MiniBatchDictionaryLearning(
        n_components=n_components, alpha=alpha, max_iter=max_iter, n_jobs=n_jobs, fit_algorithm=method,
        batch_size=batch_size, shuffle=shuffle, dict_init=dict_init, random_state=random_state,
        transform_algorithm="lasso_" + method, transform_alpha=alpha, positive_code=positive_code,
        positive_dict=positive_dict, transform_max_iter=method_max_iter, verbose=verbose, callback=callback, tol=tol,
        max_no_improvement=max_no_improvement,
    ).fit(X)
    if not return_code:
        return est.components_
    return est.transform(X), est.components_
