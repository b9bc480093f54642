"""scikit-learn's OMP regression estimators, fitted by the core."""

import numpy as np
from sklearn import linear_model as _sklm
from sklearn.base import _fit_context
from sklearn.linear_model._base import _pre_fit
from sklearn.model_selection import check_cv
from sklearn.utils import as_float_array
from sklearn.utils._metadata_requests import _raise_for_params, _routing_enabled, process_routing
from sklearn.utils.validation import FLOAT_DTYPES, validate_data

from . import _core
from ._docs import sklearn_sections
from ._encode import orthogonal_mp, orthogonal_mp_gram


@sklearn_sections(_sklm.OrthogonalMatchingPursuit)
class OrthogonalMatchingPursuit(_sklm.OrthogonalMatchingPursuit):
    """:class:`sklearn.linear_model.OrthogonalMatchingPursuit`, fitted by the
    core's Batch-OMP: the same parameters (``n_nonzero_coefs`` or the
    squared-residual goal ``tol``, ``fit_intercept``, ``precompute``),
    attributes (``coef_``, ``intercept_``, ``n_iter_``, ``n_nonzero_coefs_``)
    and answers, one or many targets. ``precompute`` chooses the Gram form
    as in scikit-learn (``"auto"``: more samples than features), the Gram
    matrix then NumPy's product, the pursuit the core's.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import OrthogonalMatchingPursuit
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(50, 20)
    >>> y = X[:, [2, 7]] @ [1.5, -2.0]
    >>> reg = OrthogonalMatchingPursuit(n_nonzero_coefs=2, fit_intercept=False).fit(X, y)
    >>> np.flatnonzero(reg.coef_).tolist(), np.round(reg.coef_[[2, 7]], 6).tolist()
    ([2, 7], [1.5, -2.0])
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Fits the model to the design ``X`` (n_samples, n_features) and the
        targets ``y`` (n_samples,) or (n_samples, n_targets)."""
        X, y = validate_data(self, X, y, multi_output=True, y_numeric=True, dtype=FLOAT_DTYPES)
        n_features = X.shape[1]
        # scikit-learn's centring (fit_intercept) and its choice of the Gram
        # form (`precompute`; "auto": more samples than features), the
        # products by NumPy as there; the pursuit is the core's.
        X, y, X_offset, y_offset, X_scale, Gram, Xy = _pre_fit(X, y, None, self.precompute, self.fit_intercept, copy=True)
        if y.ndim == 1:
            y = y[:, np.newaxis]
        if self.n_nonzero_coefs is None and self.tol is None:
            self.n_nonzero_coefs_ = _core.default_omp_nonzero(n_features)
        elif self.tol is not None:
            self.n_nonzero_coefs_ = None
        else:
            self.n_nonzero_coefs_ = self.n_nonzero_coefs
        if Gram is False:
            coef, self.n_iter_ = orthogonal_mp(X, y, n_nonzero_coefs=self.n_nonzero_coefs_, tol=self.tol, return_n_iter=True)
        else:
            norms = np.sum(y**2, axis=0) if self.tol is not None else None
            coef, self.n_iter_ = orthogonal_mp_gram(Gram, Xy, n_nonzero_coefs=self.n_nonzero_coefs_, tol=self.tol, norms_squared=norms, return_n_iter=True)
        self.coef_ = coef.T
        self._set_intercept(X_offset, y_offset, X_scale)
        return self


def _path_residues(X_train, y_train, X_test, y_test, fit_intercept, max_iter):
    """The residues on the held-out rows of every step of the OMP path
    fitted on the others, (n_steps, n_test): scikit-learn's
    ``_omp_path_residues``, the path computed by the core."""
    if fit_intercept:
        X_mean, y_mean = X_train.mean(axis=0), y_train.mean(axis=0)
        X_train, X_test = X_train - X_mean, X_test - X_mean
        y_train, y_test = y_train - y_mean, y_test - y_mean
    coefs = orthogonal_mp(X_train, y_train, n_nonzero_coefs=max_iter, return_path=True)
    if coefs.ndim == 1:
        coefs = coefs[:, np.newaxis]
    return coefs.T @ X_test.T - y_test


@sklearn_sections(_sklm.OrthogonalMatchingPursuitCV)
class OrthogonalMatchingPursuitCV(_sklm.OrthogonalMatchingPursuitCV):
    """:class:`sklearn.linear_model.OrthogonalMatchingPursuitCV`: the number
    of atoms chosen by cross-validation over the core's OMP paths (each
    fold's path up to ``max_iter`` atoms, scikit-learn's default
    ``min(max(n_features // 10, 5), n_features)`` read from the core), then
    refitted by :class:`OrthogonalMatchingPursuit`. Parameters and
    attributes are scikit-learn's (``n_nonzero_coefs_``, ``coef_``,
    ``intercept_``, ``n_iter_``); folds run one after the other, each on
    every core.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import OrthogonalMatchingPursuitCV
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(100, 30)
    >>> y = X[:, [3, 11, 20]] @ [2.0, -1.0, 3.0] + 0.01 * rng.randn(100)
    >>> reg = OrthogonalMatchingPursuitCV().fit(X, y)
    >>> reg.n_nonzero_coefs_, np.flatnonzero(reg.coef_).tolist()
    (3, [3, 11, 20])
    """

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, **fit_params):
        """Fits the model to ``X`` (n_samples, n_features) and ``y``
        (n_samples,), choosing the number of atoms by cross-validation."""
        _raise_for_params(fit_params, self, "fit")
        X, y = validate_data(self, X, y, y_numeric=True, ensure_min_features=2)
        X = as_float_array(X, copy=False, ensure_all_finite=False)
        cv = check_cv(self.cv, classifier=False)
        split = process_routing(self, "fit", **fit_params).splitter.split if _routing_enabled() else {}
        max_iter = self.max_iter or _core.default_omp_path_length(X.shape[1])
        folds = [
            _path_residues(X[train], y[train], X[test], y[test], self.fit_intercept, max_iter)
            for train, test in cv.split(X, **split)
        ]
        shortest = min(len(fold) for fold in folds)
        mse = np.array([(fold[:shortest] ** 2).mean(axis=1) for fold in folds])
        self.n_nonzero_coefs_ = int(np.argmin(mse.mean(axis=0)) + 1)
        omp = OrthogonalMatchingPursuit(n_nonzero_coefs=self.n_nonzero_coefs_, fit_intercept=self.fit_intercept).fit(X, y)
        self.coef_, self.intercept_, self.n_iter_ = omp.coef_, omp.intercept_, omp.n_iter_
        return self
