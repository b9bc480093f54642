"""`sparse_encode`, `orthogonal_mp` and `orthogonal_mp_gram` with
scikit-learn's signatures and semantics, computed by the Rust core."""

import warnings
from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from sklearn import decomposition as _skd
from sklearn import linear_model as _sklm

from . import _core
from ._docs import sklearn_sections
from ._util import ALLOW_NAN, FLOATS, check_mask, contiguous, python_names, refuse, threads

#: The core's algorithms (its names, which include scikit-learn's).
ALGORITHMS = set(_core.ALGORITHMS)


def check_features(dictionary, X):
    """scikit-learn's error when the atoms and the signals differ in length."""
    if dictionary.ndim != 2 or dictionary.shape[1] != X.shape[1]:
        raise ValueError(
            "Dictionary and X have different numbers of features:"
            "dictionary.shape: {} X.shape{}".format(dictionary.shape, X.shape)
        )


# scikit-learn's dtype of the codes when X and the dictionary differ in
# dtype: X's for OMP, the dictionary's for LARS and Lasso-LARS (its
# ``lars_path`` runs in the dictionary's); NumPy's promotion for the others
# (scikit-learn's threshold; its lasso_cd refuses mixed dtypes).
_CODES_DTYPE_FROM = {"omp": "X", "lars": "dictionary", "lasso_lars": "dictionary"}


def _codes_dtype(algorithm, x_dtype, d_dtype):
    source = _CODES_DTYPE_FROM.get(algorithm)
    return x_dtype if source == "X" else d_dtype if source == "dictionary" else np.result_type(x_dtype, d_dtype)


@validate_params(
    {
        "X": ["array-like"],
        "dictionary": ["array-like"],
        "gram": ["array-like", None],
        "cov": ["array-like", None],
        "algorithm": [StrOptions(ALGORITHMS)],
        "n_nonzero_coefs": [Interval(Integral, 1, None, closed="left"), None],
        "alpha": [Interval(Real, 0, None, closed="left"), None],
        "copy_cov": ["boolean"],
        "init": [np.ndarray, None],
        "max_iter": [Interval(Integral, 0, None, closed="left")],
        "n_jobs": [Integral, None],
        "check_input": ["boolean"],
        "verbose": ["verbose"],
        "positive": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left"), None],
        "l2": [Interval(Real, 0, None, closed="left"), None],
        "output": [StrOptions({"dense", "csr"})],
        "mask": ["array-like", None],
    },
    prefer_skip_nested_validation=True,
)
@sklearn_sections(_skd.sparse_encode)
def sparse_encode(
    X,
    dictionary,
    *,
    gram=None,
    cov=None,
    algorithm="lasso_lars",
    n_nonzero_coefs=None,
    alpha=None,
    copy_cov=True,
    init=None,
    max_iter=1000,
    n_jobs=None,
    check_input=True,
    verbose=0,
    positive=False,
    tol=None,
    l2=None,
    output="dense",
    mask=None,
):
    """Sparse coding, as :func:`sklearn.decomposition.sparse_encode`.

    Each row of ``X`` is coded over the rows (atoms) of ``dictionary``.
    Beyond scikit-learn: ``algorithm`` may also be ``"lasso_goal"`` (the
    code of least ℓ1 norm with ``‖x − Dc‖² ≤ tol``), ``"ista"``, ``"fista"``
    or ``"hard_threshold"``; ``tol`` is OMP's squared-residual goal (it wins
    over ``n_nonzero_coefs``) or the iterative solvers' relative duality
    gap (``"lasso_cd"`` defaults to scikit-learn's 1e-8,
    ``defaults("encode")["lasso_cd_tol"]``); ``l2`` adds the elastic-net term ``½·l2·‖c‖²``
    to the Lasso solvers; ``output="csr"`` returns a SciPy CSR matrix built from the
    core's compressed codes, with no dense copy. Dense codes are written by
    the coding itself, straight into the returned array; when it is freed,
    its memory is kept for the next dense output that fits (the most recent
    one, up to 1 GiB), since fresh pages from the kernel can cost more than
    the coding.

    ``mask`` (beyond scikit-learn, which refuses NaN): a boolean array of
    ``X``'s shape, True where an entry is observed. Each row is then coded
    from its observed entries only, as SPAMS's ``lassoMask`` / ``ompMask``:
    the Lasso minimises ``½‖m ⊙ (x − Dc)‖² + f·α‖c‖₁`` and squared-residual
    goals (``tol``) become ``f·tol``, with ``f`` the row's observed
    fraction; missing entries are never read and may hold NaN.

    float32 input gives float32 codes; C- and Fortran-ordered arrays are read
    without a copy (others are copied once, in C order). ``n_jobs=None``
    uses every core; the codes never depend on the thread count. ``gram``
    and ``cov`` are refused: the core computes both itself.

    Parameters
    ----------
    tol : float, default=None
        OMP's squared-residual goal (it wins over ``n_nonzero_coefs``), the
        goal of ``"lasso_goal"``, or the iterative solvers' relative duality
        gap.
    l2 : float, default=None
        The elastic-net term ``½·l2·‖c‖²`` added to the Lasso solvers.
    output : {"dense", "csr"}, default="dense"
        ``"csr"``: a SciPy CSR matrix of the core's compressed codes.
    mask : array-like of bool, shape (n_samples, n_features), default=None
        True where an entry of ``X`` is observed.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import sparse_encode
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(12, 8)
    >>> D /= np.linalg.norm(D, axis=1, keepdims=True)
    >>> X = 2.0 * D[[3]] - 1.5 * D[[7]]
    >>> code = sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=2)
    >>> np.flatnonzero(code).tolist(), np.round(code[0, [3, 7]], 6).tolist()
    ([3, 7], [2.0, -1.5])
    """
    refuse("gram", gram, None)
    refuse("cov", cov, None)
    if check_input:
        X = check_array(X, dtype=FLOATS, order=None, **(ALLOW_NAN if mask is not None else {}))
        dictionary = check_array(dictionary, dtype=FLOATS, order=None)
    X = contiguous(np.asarray(X))
    if mask is not None:
        mask = check_mask(mask, X.shape)
        if not np.all(np.isfinite(X[mask])):
            raise ValueError("Input X contains NaN or infinity in its observed entries (mask)")
    dtype = _codes_dtype(algorithm, np.asarray(X).dtype, np.asarray(dictionary).dtype)
    X = contiguous(np.asarray(X, dtype=dtype))
    dictionary = contiguous(np.asarray(dictionary, dtype=dtype))
    check_features(dictionary, X)
    applies = _core.settings(algorithm)
    if positive and "positive" not in applies:
        raise ValueError(f"Positive constraint not supported for '{algorithm}' coding method.")
    n_samples, n_features = X.shape
    n_components = dictionary.shape[0]
    # The settings go to the core, which refuses those that do not apply
    # and fills those left at None. scikit-learn's conventions: alpha and
    # n_nonzero_coefs are ignored where they do not apply, and max_iter is
    # the Lasso solvers' cap (not the greedy solvers' atom count).
    kwargs = dict(positive=bool(positive), l2=l2, tol=tol, n_jobs=threads(n_jobs), csr=output == "csr")
    if "alpha" in applies:
        kwargs["alpha"] = None if alpha is None else float(alpha)
    if "max_iter" in applies and "n_nonzero" not in applies:
        kwargs["max_iter"] = int(max_iter)
    if "n_nonzero" in applies and n_nonzero_coefs is not None:
        kwargs["n_nonzero"] = int(n_nonzero_coefs)
    if init is not None:
        init = np.ascontiguousarray(init, dtype=X.dtype)
        if init.shape != (n_samples, n_components):
            raise ValueError(f"init must have shape {(n_samples, n_components)}, got {init.shape}")
        kwargs["init"] = init
    if mask is not None:
        if init is not None:
            raise ValueError("init (a warm start) and mask cannot be combined")
        kwargs["mask"] = mask
    if n_samples == 0:
        code = np.zeros((0, n_components), dtype=X.dtype)
        return sp.csr_matrix(code) if output == "csr" else code
    with python_names(n_nonzero="n_nonzero_coefs"):
        out, unconverged = _core.encode(dictionary, X, algorithm, report=True, **kwargs)
    if unconverged and algorithm == "omp":
        _warn_premature()
    elif unconverged:
        # scikit-learn's coordinate descent warns the same way.
        warnings.warn(
            f"Objective did not converge for {unconverged} of {n_samples} samples: the duality gap is still above "
            f"the tolerance after max_iter={max_iter} iterations. You might want to increase max_iter, check the "
            "scale of the features or consider increasing regularisation.",
            ConvergenceWarning,
            stacklevel=2,
        )
    if output == "csr":
        data, indices, indptr = out
        return sp.csr_matrix((data, indices, indptr), shape=(n_samples, n_components))
    return out


def _warn_premature():
    """scikit-learn's warning when OMP stops short of its count or goal."""
    warnings.warn(
        "Orthogonal matching pursuit ended prematurely due to linear dependence in the dictionary. "
        "The requested precision might not have been met.",
        RuntimeWarning,
        stacklevel=3,
    )


def _omp_out(codes, return_n_iter):
    """scikit-learn's orthogonal_mp output from the core's codes
    ``(n_targets, n_atoms)``: ``coef`` squeezed as scikit-learn squeezes it
    ((n_atoms,) for one target, even given as a column), and the atoms each
    target used with ``return_n_iter`` (an int for one target)."""
    coef = np.squeeze(codes.T)
    if return_n_iter:
        n_iter = np.count_nonzero(codes, axis=1)
        return coef, (int(n_iter[0]) if len(n_iter) == 1 else n_iter)
    return coef


def _path_out(paths, n_atoms, dtype, return_n_iter):
    """scikit-learn's ``return_path`` output from the core's paths (each
    target's atoms in the order chosen, and its coefficients after each
    step, packed): ``coef`` (n_atoms, n_targets, n_steps), cut to the last
    target's number of steps as scikit-learn cuts it, squeezed."""
    coef = np.zeros((n_atoms, len(paths), n_atoms), dtype=dtype)
    for k, (atoms, packed) in enumerate(paths):
        coef = coef[:, :, : len(atoms)]
        for step in range(len(atoms)):
            at = step * (step + 1) // 2
            coef[atoms[: step + 1], k, step] = packed[at : at + step + 1]
    coef = np.squeeze(coef)
    if return_n_iter:
        n_iter = [len(atoms) for atoms, _ in paths]
        return coef, (n_iter[0] if len(n_iter) == 1 else np.asarray(n_iter))
    return coef


def _check_sparsity(n_nonzero_coefs, tol, n_atoms):
    """scikit-learn's errors: more atoms asked for than the dictionary has
    (in its words, which say "features"), a negative goal."""
    if tol is None and n_nonzero_coefs is not None and n_nonzero_coefs > n_atoms:
        raise ValueError("The number of atoms cannot be more than the number of features")
    if tol is not None and tol < 0:
        raise ValueError("Epsilon cannot be negative")


@sklearn_sections(_sklm.orthogonal_mp)
def orthogonal_mp(X, y, *, n_nonzero_coefs=None, tol=None, precompute=False, copy_X=True, return_path=False, return_n_iter=False):
    """Orthogonal matching pursuit, as :func:`sklearn.linear_model.orthogonal_mp`:
    ``X`` (n_features, n_atoms) holds the atoms as columns, ``y`` is
    (n_features,) or (n_features, n_targets); ``tol`` is a squared residual
    norm. ``precompute`` (``True``, or ``"auto"`` with more rows than
    columns) takes the Gram form, its products by NumPy as in
    scikit-learn; ``copy_X`` changes nothing (the core never writes its
    inputs). ``return_path``
    returns the coefficients after each step, (n_atoms, n_targets, n_steps)
    squeezed, as scikit-learn does.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import orthogonal_mp
    >>> X = np.random.RandomState(0).randn(30, 10)
    >>> coef = orthogonal_mp(X, X[:, [1, 4]] @ [3.0, -2.0], n_nonzero_coefs=2)
    >>> np.flatnonzero(coef).tolist(), np.round(coef[[1, 4]], 6).tolist()
    ([1, 4], [3.0, -2.0])
    >>> path = orthogonal_mp(X, X[:, [1, 4]] @ [3.0, -2.0], n_nonzero_coefs=2, return_path=True)
    >>> path.shape, np.count_nonzero(path, axis=0).tolist()
    ((10, 2), [1, 2])
    """
    X = check_array(X, dtype=FLOATS, order=None)
    y = check_array(y, dtype=X.dtype, ensure_2d=False)
    if y.shape[0] != X.shape[0]:
        raise ValueError("X and y have inconsistent numbers of samples")
    _check_sparsity(n_nonzero_coefs, tol, X.shape[1])
    if tol is None and n_nonzero_coefs is None:
        # scikit-learn's rule for OMP as regression: 10% of the design's
        # columns (sparse_encode's counts the signal's length).
        n_nonzero_coefs = _core.default_omp_nonzero(X.shape[1])
    Y = y[:, None] if y.ndim == 1 else y
    if precompute == "auto":
        precompute = X.shape[0] > X.shape[1]
    if precompute or return_path or not np.all(np.any(X != 0, axis=0)):
        # A zero column is never chosen (scikit-learn accepts it); the core's
        # dictionary refuses zero atoms, its Gram form does not.
        norms = None if tol is None else np.sum(Y**2, axis=0)
        # The path, too, comes from the Gram form.
        return orthogonal_mp_gram(
            X.T @ X, X.T @ y, n_nonzero_coefs=n_nonzero_coefs, tol=tol, norms_squared=norms, return_path=return_path, return_n_iter=return_n_iter
        )
    kwargs = {"tol": float(tol)} if tol is not None else {"n_nonzero": n_nonzero_coefs}
    with python_names(n_nonzero="n_nonzero_coefs"):
        codes, short = _core.encode(np.ascontiguousarray(X.T), np.ascontiguousarray(Y.T), "omp", report=True, **kwargs)
    if short:
        _warn_premature()
    return _omp_out(codes, return_n_iter)


@sklearn_sections(_sklm.orthogonal_mp_gram)
def orthogonal_mp_gram(Gram, Xy, *, n_nonzero_coefs=None, tol=None, norms_squared=None, copy_Gram=True, copy_Xy=True, return_path=False, return_n_iter=False):
    """OMP from the Gram matrix ``Gram = XᵀX`` and ``Xy = Xᵀy``, as
    :func:`sklearn.linear_model.orthogonal_mp_gram`, computed by the core
    from those alone (``tol`` needs ``norms_squared``, as in
    scikit-learn); ``return_path`` as in :func:`orthogonal_mp`.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import orthogonal_mp_gram
    >>> X = np.random.RandomState(0).randn(30, 10)
    >>> y = X[:, [1, 4]] @ [3.0, -2.0]
    >>> coef = orthogonal_mp_gram(X.T @ X, X.T @ y, n_nonzero_coefs=2)
    >>> np.flatnonzero(coef).tolist()
    [1, 4]
    """
    Gram = check_array(Gram, dtype=FLOATS, order=None)
    Xy = check_array(Xy, dtype=Gram.dtype, ensure_2d=False)
    if tol is not None and norms_squared is None:
        raise ValueError("Gram OMP needs the precomputed norms in order to evaluate the error sum of squares.")
    _check_sparsity(n_nonzero_coefs, tol, Gram.shape[0])
    Y = Xy[:, None] if Xy.ndim == 1 else Xy
    norms = None if tol is None else [float(v) for v in np.atleast_1d(norms_squared)]
    with python_names(n_nonzero="n_nonzero_coefs"):
        codes, short = _core.omp_gram(
            np.ascontiguousarray(Gram), np.ascontiguousarray(Y.T), norms_squared=norms,
            n_nonzero=n_nonzero_coefs if tol is None else None, tol=None if tol is None else float(tol), path=bool(return_path),
        )
    if short:
        _warn_premature()
    if return_path:
        return _path_out(codes, len(Gram), Gram.dtype, return_n_iter)
    return _omp_out(codes, return_n_iter)
