"""`sparse_encode`, `orthogonal_mp` and `orthogonal_mp_gram` with
scikit-learn's signatures and semantics, computed by the Rust core."""

from numbers import Integral, Real

import numpy as np
import scipy.sparse as sp
from sklearn.utils import check_array
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from . import _core
from ._util import ALLOW_NAN, FLOATS, check_mask, contiguous, refuse, threads

#: scikit-learn's algorithms and ours.
SKLEARN_ALGORITHMS = {"lasso_lars", "lasso_cd", "lars", "omp", "threshold"}
ALGORITHMS = SKLEARN_ALGORITHMS | {"lasso_goal", "ista", "fista", "hard_threshold"}
_ITERATIVE = {"lasso_lars", "lasso_cd", "ista", "fista", "lasso_goal"}
_ALPHA = {"lasso_lars", "lasso_cd", "ista", "fista", "threshold", "hard_threshold"}


def check_features(dictionary, X):
    """scikit-learn's error when the atoms and the signals differ in length."""
    if dictionary.ndim != 2 or dictionary.shape[1] != X.shape[1]:
        raise ValueError(
            "Dictionary and X have different numbers of features:"
            "dictionary.shape: {} X.shape{}".format(dictionary.shape, X.shape)
        )


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
    ``_core.LASSO_CD_TOL``); ``l2`` adds the elastic-net term ``½·l2·‖c‖²``
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
    dictionary = contiguous(np.asarray(dictionary, dtype=X.dtype))
    check_features(dictionary, X)
    if positive and algorithm in ("omp", "lars"):
        raise ValueError(f"Positive constraint not supported for '{algorithm}' coding method.")
    if l2 is not None and algorithm not in ("lasso_lars", "lasso_cd", "ista", "fista"):
        raise ValueError(f"l2 applies to the Lasso solvers, not to {algorithm!r}")
    n_samples, n_features = X.shape
    n_components = dictionary.shape[0]
    kwargs = dict(positive=bool(positive), l2=l2, n_jobs=threads(n_jobs), csr=output == "csr")
    if algorithm in ("omp", "lars"):
        if n_nonzero_coefs is None:
            n_nonzero_coefs = min(max(n_features / 10, 1), n_components)
        kwargs["n_nonzero"] = int(n_nonzero_coefs)
    if algorithm in _ALPHA:
        kwargs["alpha"] = 1.0 if alpha is None else float(alpha)
    if algorithm in _ITERATIVE:
        kwargs["max_iter"] = int(max_iter)
    if tol is not None:
        if algorithm in ("lars", "lasso_lars", "threshold", "hard_threshold"):
            raise ValueError(f"tol does not apply to {algorithm!r}")
        kwargs["tol"] = float(tol)
    elif algorithm == "lasso_goal":
        raise ValueError("algorithm='lasso_goal' needs tol (the squared-residual goal)")
    if init is not None:
        if algorithm not in ("lasso_cd", "ista", "fista"):
            raise ValueError(f"init (a warm start) applies to lasso_cd, ista and fista, not to {algorithm!r}")
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
    out = _core.encode(dictionary, X, algorithm, **kwargs)
    if output == "csr":
        data, indices, indptr = out
        return sp.csr_matrix((data, indices, indptr), shape=(n_samples, n_components))
    return out


def _omp(dictionary, Y, n_nonzero_coefs, tol, return_n_iter, return_path):
    """Codes the columns of ``Y`` (n_features, n_targets) over the columns of
    ``dictionary`` (n_features, n_atoms); scikit-learn's orthogonal_mp
    output layout."""
    refuse("return_path", return_path, False)
    n_features, n_atoms = dictionary.shape
    if tol is None:
        if n_nonzero_coefs is None:
            n_nonzero_coefs = max(int(0.1 * n_features), 1)
        if n_nonzero_coefs > n_features:
            raise ValueError("The number of atoms cannot be more than the number of features")
        if n_nonzero_coefs > n_atoms:
            raise ValueError("The number of atoms cannot be more than the number of atoms in the dictionary")
    elif tol < 0:
        raise ValueError("Epsilon cannot be negative")
    one = Y.ndim == 1
    Y2 = Y[:, None] if one else Y
    kwargs = {"tol": float(tol)} if tol is not None else {"n_nonzero": int(n_nonzero_coefs)}
    D = np.ascontiguousarray(dictionary.T, dtype=Y2.dtype)
    codes = _core.encode(D, np.ascontiguousarray(Y2.T), "omp", **kwargs)
    coef = codes.T
    coef = coef[:, 0] if one else coef
    if return_n_iter:
        n_iter = np.count_nonzero(codes, axis=1)
        return coef, (int(n_iter[0]) if one else n_iter)
    return coef


def orthogonal_mp(X, y, *, n_nonzero_coefs=None, tol=None, precompute=False, copy_X=True, return_path=False, return_n_iter=False):
    """Orthogonal matching pursuit, as :func:`sklearn.linear_model.orthogonal_mp`:
    ``X`` (n_features, n_atoms) holds the atoms as columns, ``y`` is
    (n_features,) or (n_features, n_targets); ``tol`` is a squared residual
    norm. ``precompute`` and ``copy_X`` change nothing here (the core always
    uses the Gram matrix and never writes its inputs)."""
    X = check_array(X, dtype=FLOATS, order=None)
    y = check_array(y, dtype=X.dtype, ensure_2d=False)
    if y.ndim == 1 and y.shape[0] != X.shape[0] or y.ndim == 2 and y.shape[0] != X.shape[0]:
        raise ValueError("X and y have inconsistent numbers of samples")
    return _omp(X, y, n_nonzero_coefs, tol, return_n_iter, return_path)


def orthogonal_mp_gram(Gram, Xy, *, n_nonzero_coefs=None, tol=None, norms_squared=None, copy_Gram=True, copy_Xy=True, return_path=False, return_n_iter=False):
    """OMP from the Gram matrix ``Gram = XᵀX`` and ``Xy = Xᵀy``, as
    :func:`sklearn.linear_model.orthogonal_mp_gram`: the problem is rebuilt
    as an equivalent one on ``rank(Gram)`` features (``Gram = LᵀL``, ``Lᵀz =
    Xy``), whose squared residuals differ from the original ones by
    ``norms_squared − ‖z‖²`` (so ``tol`` needs ``norms_squared``, as in
    scikit-learn)."""
    Gram = check_array(Gram, dtype=FLOATS, order=None)
    Xy = np.asarray(Xy, dtype=Gram.dtype)
    if tol is not None and norms_squared is None:
        raise ValueError("Gram OMP needs the precomputed norms in order to evaluate the error sum of squares.")
    w, V = np.linalg.eigh(Gram.astype(np.float64))
    keep = w > w.max() * 1e-12 * Gram.shape[0]
    L = np.sqrt(w[keep])[:, None] * V[:, keep].T  # rank × n_atoms, LᵀL = Gram
    Y = Xy[:, None] if Xy.ndim == 1 else Xy
    Z = (V[:, keep].T @ Y) / np.sqrt(w[keep])[:, None]
    if tol is not None:
        norms = np.atleast_1d(np.asarray(norms_squared, dtype=np.float64))
        extra = norms - np.sum(Z * Z, axis=0)
        tols = tol - extra
        if np.ptp(tols) > 1e-9 * max(1.0, abs(tol)):
            cols = [_omp(L.astype(Gram.dtype), Z[:, j].astype(Gram.dtype), None, max(t, 0.0), return_n_iter, return_path) for j, t in enumerate(tols)]
            if return_n_iter:
                coef = np.stack([c[0] for c in cols], axis=1)
                n_iter = np.array([c[1] for c in cols])
                return (coef[:, 0], int(n_iter[0])) if Xy.ndim == 1 else (coef, n_iter)
            coef = np.stack(cols, axis=1)
            return coef[:, 0] if Xy.ndim == 1 else coef
        tol = max(float(tols[0]), 0.0)
    Z = Z[:, 0] if Xy.ndim == 1 else Z
    if tol is None and n_nonzero_coefs is None:
        n_nonzero_coefs = max(int(0.1 * Gram.shape[0]), 1)
    if tol is None and n_nonzero_coefs > Gram.shape[0]:
        raise ValueError("The number of atoms cannot be more than the number of features")
    return _omp(L.astype(Gram.dtype), Z.astype(Gram.dtype), n_nonzero_coefs if tol is None else None, tol, return_n_iter, return_path)
