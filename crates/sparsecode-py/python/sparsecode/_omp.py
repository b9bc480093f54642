"""scikit-learn's OMP regression estimator, fitted by the core."""

import numpy as np
from sklearn import linear_model as _sklm
from sklearn.base import _fit_context
from sklearn.linear_model._base import _pre_fit
from sklearn.utils.validation import FLOAT_DTYPES, validate_data

from . import _core
from ._encode import orthogonal_mp


class OrthogonalMatchingPursuit(_sklm.OrthogonalMatchingPursuit):
    """:class:`sklearn.linear_model.OrthogonalMatchingPursuit`, fitted by the
    core's Batch-OMP: the same parameters (``n_nonzero_coefs`` or the
    squared-residual goal ``tol``, ``fit_intercept``, ``precompute``),
    attributes (``coef_``, ``intercept_``, ``n_iter_``, ``n_nonzero_coefs_``)
    and answers, one or many targets. ``precompute`` changes nothing here:
    the core always works from the Gram matrix, which it computes itself.

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
        # scikit-learn's centring (fit_intercept); the Gram matrix is the core's.
        X, y, X_offset, y_offset, X_scale, _, _ = _pre_fit(X, y, None, False, self.fit_intercept, copy=True, check_gram=False)
        if y.ndim == 1:
            y = y[:, np.newaxis]
        if self.n_nonzero_coefs is None and self.tol is None:
            self.n_nonzero_coefs_ = _core.default_omp_nonzero(n_features)
        elif self.tol is not None:
            self.n_nonzero_coefs_ = None
        else:
            self.n_nonzero_coefs_ = self.n_nonzero_coefs
        coef, self.n_iter_ = orthogonal_mp(X, y, n_nonzero_coefs=self.n_nonzero_coefs_, tol=self.tol, return_n_iter=True)
        self.coef_ = coef.T
        self._set_intercept(X_offset, y_offset, X_scale)
        return self
