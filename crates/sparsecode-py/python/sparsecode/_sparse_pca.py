"""scikit-learn's sparse PCA estimators, computed by the Rust core
(``sparsecode::dict::sparse_pca``).

Each class subclasses scikit-learn's own (its parameters, defaults,
validation, ``get_feature_names_out``, ``inverse_transform``, cloning and
pickling are scikit-learn's) and replaces the computation: ``fit`` (centring,
dictionary learning on the transposed data, coding of the features, sign
and scale of the components) and ``transform`` (ridge regression) run in
the core, in the data's float type.
"""

import numpy as np
from sklearn import decomposition as _sk
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._docs import sklearn_sections
from ._estimators import MiniBatchDictionaryLearning
from ._util import FLOATS, contiguous, count, numpy_state, python_names, refuse, set_numpy_state, threads
from ._verbose import BatchLines, MiniBatchLines


class _CoreSparsePCA:
    """``fit`` and ``transform`` of both sparse PCAs by the core."""

    def _n_components(self, X):
        return X.shape[1] if self.n_components is None else count("n_components", self.n_components)

    def _fit_core(self, X, method, progress, random_state, **kw):
        with python_names():
            components, mean, objectives, _, stop, state = _core.sparse_pca(
                X,
                method,
                self._n_components(X),
                alpha=float(self.alpha),
                max_epochs=count("max_iter", self.max_iter),
                tol=float(self.tol),
                algorithm="lasso_" + self.method,
                n_jobs=threads(self.n_jobs),
                progress=progress,
                **kw,
            )
        if progress is not None:
            progress.stopped(stop, len(objectives))
        if state is not None:
            set_numpy_state(random_state, state)
        self.components_ = components
        self.mean_ = mean
        self.n_components_ = len(components)
        return objectives

    def transform(self, X):
        """The coordinates of the rows of ``X`` on the components: ridge
        regression with penalty ``ridge_alpha`` (scikit-learn's
        ``transform``), by the core.

        Parameters
        ----------
        X : ndarray of shape (n_samples, n_features)
            Data with the features seen in ``fit``.

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
            The coordinates, in the wider float type of ``X`` and of the
            components.
        """
        check_is_fitted(self)
        X = validate_data(self, X, dtype=FLOATS, reset=False)
        dtype = np.result_type(X.dtype, self.components_.dtype)
        as_ = lambda a: np.ascontiguousarray(a, dtype=dtype)  # noqa: E731
        return _core.sparse_pca_transform(contiguous(X.astype(dtype, copy=False)), as_(self.components_), as_(self.mean_), float(self.ridge_alpha))


@sklearn_sections(_sk.SparsePCA)
class SparsePCA(_CoreSparsePCA, _sk.SparsePCA):
    """:class:`sklearn.decomposition.SparsePCA` computed by the core.

    Batch dictionary learning of the transposed, centred data (exact Lasso
    coding, by LARS or coordinate descent, then one block-coordinate pass
    over the atoms, until the objective's relative change is below
    ``tol``), starting from its SVD or from ``U_init``; the components are
    the features' Lasso codes over the learned atoms, signs fixed as
    scikit-learn's ``svd_flip`` fixes them, scaled to unit norm.
    ``verbose`` prints scikit-learn's lines.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import SparsePCA
    >>> X = np.random.RandomState(0).randn(200, 30)
    >>> spca = SparsePCA(n_components=5, alpha=2, random_state=0).fit(X)
    >>> spca.components_.shape, spca.transform(X).shape
    ((5, 30), (200, 5))
    >>> bool(np.mean(spca.components_ == 0) > 0.5)
    True
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learns the sparse components of ``X`` (n_samples, n_features)."""
        X = contiguous(validate_data(self, X, dtype=FLOATS))
        # The core continues random_state's stream (scikit-learn's draws
        # when an unused atom is replaced).
        random_state = check_random_state(self.random_state)
        given = self.U_init is not None and self.V_init is not None
        objectives = self._fit_core(
            X,
            "batch",
            BatchLines(self.verbose) if self.verbose else None,
            random_state,
            numpy_state=numpy_state(random_state),
            dict_init=np.ascontiguousarray(np.asarray(self.U_init, dtype=np.float64).T) if given else None,
            start_components=np.ascontiguousarray(self.V_init, dtype=np.float64) if given else None,
        )
        self.error_ = np.asarray(objectives)
        self.n_iter_ = len(objectives)
        return self


@sklearn_sections(_sk.MiniBatchSparsePCA)
class MiniBatchSparsePCA(_CoreSparsePCA, _sk.MiniBatchSparsePCA):
    """:class:`sklearn.decomposition.MiniBatchSparsePCA` computed by the
    core.

    Online dictionary learning of the transposed, centred data (``batch_size``
    features per step, scikit-learn's forgetting rule and stopping rules
    ``tol`` and ``max_no_improvement``), starting from scikit-learn's
    randomized SVD drawn from ``random_state``, which the core continues
    for the shuffle and atom restarts (the fit takes scikit-learn's steps); the
    components are the features' Lasso codes over the learned atoms,
    scaled to unit norm. ``callback`` is refused; ``verbose`` prints
    scikit-learn's lines.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import MiniBatchSparsePCA
    >>> X = np.random.RandomState(0).randn(200, 30)
    >>> spca = MiniBatchSparsePCA(n_components=5, batch_size=10, max_iter=10, random_state=0).fit(X)
    >>> spca.components_.shape
    (5, 30)
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Learns the sparse components of ``X`` (n_samples, n_features)."""
        refuse("callback", self.callback, None)
        X = contiguous(validate_data(self, X, dtype=FLOATS))
        batch_size = count("batch_size", self.batch_size)
        random_state = check_random_state(self.random_state)
        # scikit-learn's start, drawn from random_state as scikit-learn's
        # MiniBatchDictionaryLearning draws it on the centred, transposed
        # data; the core continues the same RandomState, so the fit takes
        # scikit-learn's steps.
        start = MiniBatchDictionaryLearning(n_components=self._n_components(X))
        start._n_components, start._random_state = start.n_components, random_state
        init = start._sklearn_start(np.ascontiguousarray((X - X.mean(axis=0)).T))
        objectives = self._fit_core(
            X,
            "online",
            MiniBatchLines() if self.verbose else None,
            random_state,
            dict_init=np.ascontiguousarray(init, dtype=np.float64),
            numpy_state=numpy_state(random_state),
            batch_size=batch_size,
            shuffle=bool(self.shuffle),
            max_no_improvement=-1 if self.max_no_improvement is None else count("max_no_improvement", self.max_no_improvement),
        )
        # Epochs over the features, the signals of the transposed problem.
        self.n_iter_ = float(_core.Schedule(X.shape[1], batch_size).epochs(len(objectives)))
        return self
