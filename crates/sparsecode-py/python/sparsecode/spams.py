"""SPAMS's Python API, answered by the sparsecode core.

``import sparsecode.spams as spams`` in place of ``import spams``: the
functions below take SPAMS's names, positional and keyword parameters and
defaults, and SPAMS's layouts — signals are the columns of ``X``
``(n_features, n_signals)``, atoms the columns of ``D`` ``(n_features,
n_atoms)`` — in Fortran order read in place, C order accepted too, float32
or float64; codes come back as ``scipy.sparse.csc_matrix`` ``(n_atoms,
n_signals)``, as SPAMS returns them. ``numThreads=-1`` uses every core; the
answers never depend on the thread count. Bad input raises a Python
exception (with SPAMS's message where SPAMS has one) where SPAMS aborts
the process.

Provided (the coding problems are the core's, tested against
``spams-bin``'s answers; ``docs/spams.md`` keeps the status table):

- ``lasso`` in modes 0 (``‖x − Dα‖²`` within the ℓ1 budget ``lambda1``),
  1 (the code of least ℓ1 norm within a squared error ``lambda1``) and 2
  (``½‖x − Dα‖² + lambda1‖α‖₁ + ½·lambda2‖α‖²``), with ``pos``, ``L`` (a
  cap on the homotopy's steps), ``return_reg_path`` and
  ``max_length_path``, from ``D`` or from the Gram form ``Q = DᵀD``,
  ``q = DᵀX``;
- ``lassoMask`` (the same problems on each signal's observed rows ``B``),
  ``lassoWeighted`` (a weight per coefficient and signal) and ``cd`` (the
  exact solution of the problems SPAMS's coordinate descent approaches);
- ``omp`` and ``ompMask`` with ``L`` (atoms per signal), ``eps`` (a
  squared-residual goal) and ``lambda1`` (an ℓ0 penalty), alone or
  together, and ``return_reg_path``;
- ``somp`` (simultaneous OMP over groups of signals) and ``l1L2BCD`` (its
  convex form, the group Lasso, in mode 2);
- ``proximalFlat`` with the flat vector regularisers (``l0``, ``l1``,
  ``l2``, ``linf``, ``l2-not-squared``, ``elastic-net``, ``fused-lasso``,
  the group and sparse group Lassos, ``none``), ``pos`` and ``intercept``,
  and ``fistaFlat`` with the same regularisers and the square, missing-data
  square, logistic, weighted logistic and multi-class logistic losses; the
  matrix regularisers ``l1l2``, ``l1linf``, ``l1l2+l1``, ``l1linf+l1``,
  ``trace-norm``, ``rank``, ``trace-norm-vec`` and ``rank-vec`` in both
  (``fistaFlat`` with the square loss);
- ``sparseProject`` (modes 1–6: the ℓ1 and elastic-net balls, the
  fused-Lasso signal approximator and its ball), ``decompSimplex`` (least
  squares on the simplex) and ``archetypalAnalysis``;
- the learners ``trainDL`` (modes 0–5, ``modeD`` 0–3, ``posAlpha``,
  ``posD``, ``iter`` in steps or seconds), ``trainDL_Memory``, ``nmf`` and
  ``nnsc``, on the core's online learner with SPAMS's statistics;
- the utilities ``normalize``, ``sort``, ``calcAAt``, ``calcXAt``,
  ``calcXY``, ``calcXYt``, ``calcXtY``, ``invSym``, ``mult`` and
  ``conjGrad`` (NumPy and SciPy's products and solvers), and the layouts
  ``bayer``, ``im2col_sliding`` (with ``RGB``) and ``displayPatches``.

Not yet provided (each raises ``NotImplementedError`` saying so):
``lasso`` in mode 1 with ``lambda2``; ``l1L2BCD`` in mode 1 (SPAMS has no mode 0); the proximal toolbox
``fistaFlat``'s ``hinge`` and ``cur`` losses, ``l1linf+row-column``, and
``return_optim_info`` with a matrix regulariser; ``trainDL``'s ``batch`` in modes 0, 3–5, with ``modeD`` 1–3 or with ``model``, and ``modeD=2`` with
``posD``; and tree- and
graph-structured sparsity (``fistaTree``, ``fistaGraph``, ``proximalTree``,
``proximalGraph``, ``structTrainDL``).
"""

import numpy as np
import scipy.sparse as ssp

from . import _core
from ._util import python_names, threads

__all__ = [
    "lasso",
    "lassoMask",
    "lassoWeighted",
    "cd",
    "sparseProject",
    "decompSimplex",
    "trainDL",
    "trainDL_Memory",
    "proximalFlat",
    "fistaFlat",
    "archetypalAnalysis",
    "bayer",
    "im2col_sliding",
    "displayPatches",
    "nmf",
    "nnsc",
    "omp",
    "ompMask",
    "somp",
    "l1L2BCD",
    "normalize",
    "sort",
    "calcAAt",
    "calcXAt",
    "calcXY",
    "calcXYt",
    "calcXtY",
    "invSym",
    "mult",
    "conjGrad",
]

# SPAMS's constants for lasso's `mode`.
L1COEFFS, L2ERROR, PENALTY = 0, 1, 2
SPARSITY, L2ERROR2, PENALTY2 = 0, 1, 2


def _not_yet(what):
    raise NotImplementedError(f"sparsecode.spams: {what} is not yet provided (docs/spams.md lists what is)")


def _float(a, name):
    """``a`` as a float32 or float64 array (SPAMS's types; others become
    float64)."""
    a = np.asarray(a)
    if a.dtype not in (np.float32, np.float64):
        a = a.astype(np.float64)
    if a.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array, got {a.ndim} dimension(s)")
    return a


def _problem(X, D):
    """SPAMS's ``X`` (n_features, n_signals) and ``D`` (n_features, n_atoms)
    as the core's rows: ``X.T`` and ``D.T`` in C order, which for
    Fortran-ordered inputs are the same bytes (no copy); one dtype."""
    X, D = _float(X, "X"), _float(D, "D")
    if X.shape[0] != D.shape[0]:
        raise ValueError(f"X and D must have the same number of rows (features): X has {X.shape[0]}, D has {D.shape[0]}")
    dtype = np.result_type(X.dtype, D.dtype)
    return np.ascontiguousarray(X.T, dtype=dtype), np.ascontiguousarray(D.T, dtype=dtype)


def _mask(B, shape):
    B = np.asarray(B)
    if B.shape != shape:
        raise ValueError(f"B must have the shape of X, {shape}, got {B.shape}")
    return np.ascontiguousarray(B.T != 0)


def _threads(numThreads):
    return None if numThreads is None or int(numThreads) <= 0 else threads(int(numThreads))


def _codes(Xr, Dr, algorithm, numThreads, mask=None, weights=None, **coder):
    """The codes as SPAMS returns them: ``csc_matrix`` (n_atoms, n_signals),
    made from the core's compressed codes without a copy."""
    with python_names(n_nonzero="L", tol="lambda1" if algorithm == "lasso_goal" else "eps", alpha="lambda1", l2="lambda2", l0="lambda1"):
        data, indices, indptr = _core.encode(Dr, Xr, algorithm, n_jobs=_threads(numThreads), csr=True, mask=mask, weights=weights, **coder)
    return ssp.csc_matrix((data, indices, indptr), shape=(Dr.shape[0], Xr.shape[0]))


def _lasso_algorithm(mode, lambda1, lambda2, pos, L):
    """The core's coder for ``lasso``'s ``mode``: its name and settings."""
    cap = {} if L is None or int(L) < 0 else {"max_iter": int(L)}
    l2 = {"l2": float(lambda2)} if lambda2 else {}
    if mode == PENALTY:
        return "lasso_lars", dict(alpha=float(lambda1), positive=bool(pos), **l2, **cap)
    if mode == L2ERROR:
        if lambda2:
            _not_yet("lasso in mode 1 with lambda2")
        return "lasso_goal", dict(tol=float(lambda1), positive=bool(pos), **cap)
    if mode == L1COEFFS:
        return "lasso_budget", dict(alpha=float(lambda1), positive=bool(pos), **l2, **cap)
    raise ValueError(f"lasso : mode must be 0, 1 or 2, got {mode!r}")


def _lasso(X, D, B, L, lambda1, lambda2, mode, pos, numThreads):
    if lambda1 is None:
        raise ValueError("lasso : lambda1 must be defined")
    Xr, Dr = _problem(X, D)
    mask = None if B is None else _mask(B, (Xr.shape[1], Xr.shape[0]))
    algorithm, coder = _lasso_algorithm(mode, lambda1, lambda2, pos, L)
    return _codes(Xr, Dr, algorithm, numThreads, mask, **coder)


def _lasso_gram(X, Q, q, L, lambda1, lambda2, mode, pos, numThreads):
    """``lasso`` from ``Q = DᵀD`` (n_atoms, n_atoms), ``q = DᵀX`` (n_atoms,
    n_signals) and the signals ``X`` (their squared norms, for mode 1)."""
    if Q is None or q is None:
        raise ValueError("lasso : Q and q must be given together")
    X, Q, q = _float(X, "X"), _float(Q, "Q"), _float(q, "q")
    K, n = q.shape
    if Q.shape != (K, K):
        raise ValueError(f"lasso : Q must be square, of q's {K} rows, got shape {Q.shape}")
    if X.shape[1] != n:
        raise ValueError(f"lasso : X and q must have as many columns (signals): X has {X.shape[1]}, q has {n}")
    dtype = np.result_type(X.dtype, Q.dtype, q.dtype)
    norms = np.einsum("ij,ij->j", X, X, dtype=np.float64).tolist()
    algorithm, coder = _lasso_algorithm(mode, lambda1, lambda2, pos, L)
    with python_names(n_nonzero="L", tol="lambda1", alpha="lambda1", l2="lambda2"):
        data, indices, indptr = _core.encode_gram(np.ascontiguousarray(Q, dtype=dtype), np.ascontiguousarray(q.T, dtype=dtype), norms, algorithm,
                                                  n_jobs=_threads(numThreads), **coder)
    return ssp.csc_matrix((data, indices, indptr), shape=(K, n))


def _path(code_with, steps, n_atoms, dtype):
    """A regularisation path as SPAMS returns it for the first signal: a
    dense ``(n_atoms, steps)`` array whose column ``c`` is the code after
    ``c`` steps of the algorithm (``code_with(c)``; column 0 is zero), zero
    after the path's end."""
    path = np.zeros((n_atoms, steps), dtype=dtype, order="F")
    last = None
    for c in range(1, steps):
        code = code_with(c)
        if last is not None and code.nnz == last.nnz and np.array_equal(code.indices, last.indices) and np.array_equal(code.data, last.data):
            break
        path[code.indices, c] = code.data
        last = code
    return path


def lasso(X, D=None, Q=None, q=None, return_reg_path=False, L=-1, lambda1=None, lambda2=0.0, mode=PENALTY, pos=False, ols=False,
          numThreads=-1, max_length_path=-1, verbose=False, cholesky=False):
    """SPAMS's ``lasso``: for each column ``x`` of ``X``, mode 2 minimises
    ``½‖x − Dα‖² + lambda1‖α‖₁ + ½·lambda2‖α‖²``; mode 1 finds the ``α`` of
    least ℓ1 norm with ``‖x − Dα‖² ≤ lambda1``; mode 0 minimises
    ``‖x − Dα‖²`` with ``‖α‖₁ ≤ lambda1`` (with ``lambda2``, over the Gram
    matrix plus ``lambda2·I``, as SPAMS). ``pos`` keeps ``α ≥ 0``; ``L``
    caps the homotopy's steps, and so does ``max_length_path``; ``ols``
    refits each code by least squares (with the ridge ``lambda2``) on its
    support.
    ``return_reg_path`` also returns the first signal's path: column ``c``
    is its code after ``c`` steps. ``cholesky`` and ``verbose`` change
    nothing (the core's homotopy is exact).

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, atoms as columns.
    Q, q : ndarrays of shapes (n_atoms, n_atoms) and (n_atoms, n_signals)
        Instead of ``D``, the Gram form: ``Q = DᵀD`` and ``q = DᵀX`` (the
        homotopy reads nothing else; ``X`` gives the squared norms).
    lambda1 : float
        The penalty (mode 2), the squared-error goal (mode 1) or the ℓ1
        budget (mode 0).
    lambda2 : float, default=0
        The ridge term (modes 0 and 2).
    mode : {0, 1, 2}, default=2
        The problem.
    pos : bool, default=False
        Non-negative codes.
    L : int, default=-1
        At most this many homotopy steps (-1: no cap).
    return_reg_path : bool, default=False
        Also return the first signal's path.
    max_length_path : int, default=-1
        The path's columns (-1: ``4·n_atoms``, SPAMS's); it caps the steps
        too.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.
    path : ndarray of shape (n_atoms, max_length_path)
        With ``return_reg_path``: the first signal's code after each step.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = np.asfortranarray(rng.randn(16, 32))
    >>> D /= np.linalg.norm(D, axis=0)
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> alpha = spams.lasso(X, D, lambda1=0.01)
    >>> alpha.shape, sorted(alpha.nonzero()[0].tolist())
    ((32, 1), [3, 9])
    """
    if Q is not None or q is not None:
        if lambda1 is None:
            raise ValueError("lasso : lambda1 must be defined")
        n_atoms = np.shape(Q)[0] if np.ndim(Q) == 2 else 0
        length = 4 * n_atoms if max_length_path is None or int(max_length_path) <= 0 else int(max_length_path)
        L = length - 1 if L is None or int(L) < 0 else min(int(L), length - 1)
        alpha = _lasso_gram(X, Q, q, L, lambda1, lambda2, mode, pos, numThreads)
        if ols:
            data, indices, indptr = _core.refit(np.ascontiguousarray(Q, dtype=alpha.dtype), np.ascontiguousarray(np.asarray(q).T, dtype=alpha.dtype),
                                                alpha.data, alpha.indices, alpha.indptr, l2=float(lambda2), gram=True, n_jobs=_threads(numThreads))
            alpha = ssp.csc_matrix((data, indices, indptr), shape=alpha.shape)
        if not return_reg_path:
            return alpha
        X1, q1 = np.asarray(X)[:, :1], np.asarray(q)[:, :1]
        return alpha, _path(lambda c: _lasso_gram(X1, Q, q1, c if L is None else min(c, L), lambda1, lambda2, mode, pos, 1)[:, 0],
                            length, n_atoms, alpha.dtype)
    if D is None:
        raise ValueError("lasso : you must give D or Q and q")
    if lambda1 is None:
        raise ValueError("lasso : lambda1 must be defined")
    n_atoms = np.shape(D)[1] if np.ndim(D) == 2 else 0
    length = 4 * n_atoms if max_length_path is None or int(max_length_path) <= 0 else int(max_length_path)
    # The path's first column is the zero code: it holds length − 1 steps.
    L = length - 1 if L is None or int(L) < 0 else min(int(L), length - 1)
    alpha = _lasso(X, D, None, L, lambda1, lambda2, mode, pos, numThreads)
    if ols:
        # Least squares (with the ridge lambda2) on each code's support.
        Xr, Dr = _problem(X, D)
        data, indices, indptr = _core.refit(Dr, Xr, alpha.data, alpha.indices, alpha.indptr, l2=float(lambda2), n_jobs=_threads(numThreads))
        alpha = ssp.csc_matrix((data, indices, indptr), shape=alpha.shape)
    if not return_reg_path:
        return alpha
    Xr, Dr = _problem(X, D)
    name, coder = _lasso_algorithm(mode, lambda1, lambda2, pos, L)
    cap = coder.pop("max_iter", None)

    def steps(c):
        return _codes(Xr[:1], Dr, name, 1, None, max_iter=c if cap is None else min(c, cap), **coder)[:, 0]

    return alpha, _path(steps, length, Dr.shape[0], Xr.dtype)


def lassoMask(X, D, B, L=-1, lambda1=None, lambda2=0.0, mode=PENALTY, pos=False, numThreads=-1, verbose=False):
    """SPAMS's ``lassoMask``: ``lasso``'s problems on each signal's
    observed rows, ``B`` (the shape of ``X``) true where observed; the
    penalty and the goal are scaled by each signal's observed fraction, as
    SPAMS scales them. Missing entries of ``X`` are never read.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, atoms as columns.
    B : ndarray of bool, shape (n_features, n_signals)
        True where an entry of ``X`` is observed.
    lambda1, lambda2, mode, pos, L, numThreads
        As in :func:`lasso`.

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D /= np.linalg.norm(D, axis=0)
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> B = np.asfortranarray(rng.rand(16, 1) > 0.2)
    >>> spams.lassoMask(X, np.asfortranarray(D), B, lambda1=0.01).shape
    (32, 1)
    """
    return _lasso(X, D, B, L, lambda1, lambda2, mode, pos, numThreads)


def lassoWeighted(X, D, W, L=-1, lambda1=None, mode=PENALTY, pos=False, numThreads=-1, verbose=False):
    """SPAMS's ``lassoWeighted``: :func:`lasso` with a weight per
    coefficient and per signal, ``W`` of shape ``(n_atoms, n_signals)``
    (every entry > 0): for each column ``x`` of ``X`` and ``w`` of ``W``,
    mode 2 minimises ``½‖x − Dα‖² + lambda1 Σ wⱼ|αⱼ|``, mode 1 finds the
    least ``Σ wⱼ|αⱼ|`` with ``‖x − Dα‖² ≤ lambda1``, and mode 0 minimises
    ``‖x − Dα‖²`` with ``Σ wⱼ|αⱼ| ≤ lambda1``. The core's Lasso homotopy,
    exact for the weighted problem.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, atoms as columns.
    W : ndarray of shape (n_atoms, n_signals)
        The weights, > 0.
    lambda1 : float
        The penalty (mode 2), the squared-error goal (mode 1) or the
        weighted ℓ1 budget (mode 0).
    mode : {0, 1, 2}, default=2
        The problem.
    pos : bool, default=False
        Non-negative codes.
    L : int, default=-1
        At most this many homotopy steps (-1: no cap).
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> W = np.ones((32, 1), order="F")
    >>> W[9] = 50.0  # atom 9 made expensive
    >>> alpha = spams.lassoWeighted(X, D, W, lambda1=0.05)
    >>> bool(alpha[9, 0] == 0), bool(alpha[3, 0] > 0)
    (True, True)
    """
    if lambda1 is None:
        raise ValueError("lassoWeighted : lambda1 must be defined")
    Xr, Dr = _problem(X, D)
    W = np.asarray(W)
    if W.shape != (Dr.shape[0], Xr.shape[0]):
        raise ValueError(f"W must have shape {(Dr.shape[0], Xr.shape[0])} (n_atoms, n_signals), got {W.shape}")
    algorithm, coder = _lasso_algorithm(mode, lambda1, 0.0, pos, L)
    return _codes(Xr, Dr, algorithm, numThreads, weights=np.ascontiguousarray(W.T, dtype=Xr.dtype), **coder)


def cd(X, D, A0, lambda1=None, mode=PENALTY, itermax=100, tol=0.001, numThreads=-1):
    """SPAMS's ``cd``: the Lasso by coordinate descent from the codes
    ``A0``, mode 2 (``½‖x − Dα‖² + lambda1‖α‖₁``) or mode 1 (least ‖α‖₁
    with ``‖x − Dα‖² ≤ lambda1``). Both problems are convex and the core
    solves them exactly (its Lasso homotopy), so ``A0``, ``itermax`` and
    ``tol`` change nothing but SPAMS's run time; the answers are the exact
    ones SPAMS's coordinate descent approaches.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, unit atoms as columns.
    A0 : array or sparse matrix of shape (n_atoms, n_signals)
        SPAMS's starting codes (their shape is checked).
    lambda1 : float
        The penalty (mode 2) or the squared-error goal (mode 1).
    mode : {1, 2}, default=2
        The problem.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> A0 = np.zeros((32, 1), order="F")
    >>> sorted(spams.cd(X, D, A0, lambda1=0.01).nonzero()[0].tolist())
    [3, 9]
    """
    if lambda1 is None:
        raise ValueError("cd : lambda1 must be defined")
    if mode not in (L2ERROR, PENALTY):
        raise ValueError(f"cd : mode must be 1 or 2, got {mode!r}")
    if np.shape(A0) != (np.shape(D)[1], np.shape(X)[1]):
        raise ValueError(f"A0 must have shape {(np.shape(D)[1], np.shape(X)[1])} (n_atoms, n_signals), got {np.shape(A0)}")
    return _lasso(X, D, None, -1, lambda1, 0.0, mode, False, numThreads)


def _omp(X, D, B, L, eps, lambda1, return_reg_path, numThreads):
    if L is None and eps is None and lambda1 is None:
        raise ValueError("omp : You should either provide L, eps or lambda")
    Xr, Dr = _problem(X, D)
    mask = None if B is None else _mask(B, (Xr.shape[1], Xr.shape[0]))
    most = min(Xr.shape[1], Dr.shape[0])
    L = most if L is None else int(L)
    if L < 0:
        raise ValueError(f"omp : L must be ≥ 0, got {L}")
    L = min(L, most)

    # SPAMS's omp is forward selection (order-recursive matching pursuit).
    def code(Xs, L, mask, threads):
        if L == 0:
            return ssp.csc_matrix((Dr.shape[0], Xs.shape[0]), dtype=Xs.dtype)
        if eps is None and lambda1 is None:
            return _codes(Xs, Dr, "ormp", threads, mask, n_nonzero=L)
        goal = {} if eps is None else {"tol": float(eps)}
        penalty = {} if lambda1 is None else {"l0": float(lambda1)}
        return _codes(Xs, Dr, "ormp", threads, mask, max_iter=L, **goal, **penalty)

    alpha = code(Xr, L, mask, numThreads)
    if not return_reg_path:
        return alpha
    # Each step adds one atom to the last step's, so the path's column c is
    # the code with at most c atoms.
    first = None if mask is None else mask[:1]
    return alpha, _path(lambda c: code(Xr[:1], min(c, L), first, 1)[:, 0], most + 1, Dr.shape[0], Xr.dtype)[:, 1:]


def omp(X, D, L=None, eps=None, lambda1=None, return_reg_path=False, numThreads=-1):
    """SPAMS's ``omp``: each column of ``X`` coded over the columns of ``D``
    (of unit norm) by forward selection, as SPAMS does it (order-recursive
    matching pursuit: each step adds the atom that most reduces the
    residual, where scikit-learn's OMP adds the most correlated one; the
    core's ``"ormp"``), with at most ``L`` atoms
    (default: as many as the signal length or the atoms allow) and, with
    ``eps``, stopping once ``‖x − Dα‖² ≤ eps``.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, unit atoms as columns.
    L : int, default=None
        Atoms per signal at most.
    eps : float, default=None
        The squared-residual goal.
    lambda1 : float, default=None
        The ℓ0 penalty.
    return_reg_path : bool, default=False
        Also return the first signal's path.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.
    path : ndarray of shape (n_atoms, min(n_features, n_atoms))
        With ``return_reg_path``: the first signal's code after each step.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> alpha = spams.omp(X, D, L=2)
    >>> sorted(alpha.nonzero()[0].tolist()), np.round(alpha[[3, 9], 0].toarray().ravel(), 6).tolist()
    ([3, 9], [2.0, -1.0])
    """
    return _omp(X, D, None, L, eps, lambda1, return_reg_path, numThreads)


def ompMask(X, D, B, L=None, eps=None, lambda1=None, return_reg_path=False, numThreads=-1):
    """SPAMS's ``ompMask``: :func:`omp` on each signal's observed rows
    (``B`` true where observed), the goal scaled by the observed fraction as
    SPAMS scales it.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, unit atoms as columns.
    B : ndarray of bool, shape (n_features, n_signals)
        True where an entry of ``X`` is observed.
    L, eps, lambda1, return_reg_path, numThreads
        As in :func:`omp` (``eps`` and ``lambda1`` scaled by each signal's
        observed fraction).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ [[2.0], [-1.0]])
    >>> B = np.asfortranarray(rng.rand(16, 1) > 0.2)
    >>> sorted(spams.ompMask(X, D, B, L=2).nonzero()[0].tolist())
    [3, 9]
    """
    return _omp(X, D, B, L, eps, lambda1, return_reg_path, numThreads)


def _starts(list_groups, n_signals):
    starts = np.asarray(list_groups).ravel()
    if starts.size == 0 or starts[0] != 0 or np.any(np.diff(starts) <= 0) or starts[-1] >= n_signals:
        raise ValueError("list_groups must start at 0 and increase, below the number of signals")
    return [int(v) for v in starts]


def somp(X, D, list_groups, L=None, eps=0.0, numThreads=-1):
    """SPAMS's ``somp``: simultaneous OMP. The columns of ``X`` come in
    groups starting at the columns ``list_groups``; the signals of a group
    share at most ``L`` atoms of ``D``, and a group stops sooner once its
    squared residual is at most ``eps`` per signal.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, unit atoms as columns.
    list_groups : array of int
        The first column of each group (from 0, increasing).
    L : int
        Atoms per group at most.
    eps : float, default=0
        The squared-residual goal per signal (0: none).
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_atoms, n_signals)
        The codes; a group's signals share their atoms.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ rng.randn(2, 4))
    >>> alpha = spams.somp(X, D, np.array([0, 2], dtype=np.int32), L=2)
    >>> [sorted(alpha[:, s].nonzero()[0].tolist()) for s in range(4)]
    [[3, 9], [3, 9], [3, 9], [3, 9]]
    """
    if L is None:
        raise ValueError("somp : L must be defined")
    Xr, Dr = _problem(X, D)
    starts = _starts(list_groups, Xr.shape[0])
    with python_names(max_atoms="L", tol="eps"):
        data, indices, indptr = _core.somp(Dr, Xr, starts, int(L), tol=float(eps) if eps else None, n_jobs=_threads(numThreads))
    return ssp.csc_matrix((data, indices, indptr), shape=(Dr.shape[0], Xr.shape[0]))


def l1L2BCD(X, D, alpha0, list_groups, lambda1=None, mode=PENALTY, itermax=100, tol=1e-3, numThreads=-1):
    """SPAMS's ``l1L2BCD`` in mode 2: for each group of columns of ``X``
    (starting at ``list_groups``), the group Lasso
    ``min_A ½‖X_g − D A‖²_F + lambda1 Σ_j ‖A_j‖₂`` (an atom is used by every
    signal of the group or by none), by block coordinate descent. The core
    solves each group to its own tolerance (1e-6, finer than SPAMS's
    default ``tol``); the problem is convex, so ``alpha0``, ``itermax`` and
    ``tol`` change nothing but SPAMS's run time.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    D : ndarray of shape (n_features, n_atoms)
        The dictionary, atoms as columns.
    alpha0 : ndarray of shape (n_atoms, n_signals)
        SPAMS's starting codes (its shape and dtype are those returned).
    list_groups : array of int
        The first column of each group (from 0, increasing).
    lambda1 : float
        The penalty.
    mode : {2}, default=2
        The problem (mode 1 is not yet provided; SPAMS itself has no mode 0,
        which raises ValueError).
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : ndarray of shape (n_atoms, n_signals)
        The codes, dense, as SPAMS returns them.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> D = rng.randn(16, 32)
    >>> D = np.asfortranarray(D / np.linalg.norm(D, axis=0))
    >>> X = np.asfortranarray(D[:, [3, 9]] @ rng.randn(2, 4))
    >>> A = spams.l1L2BCD(X, D, np.zeros((32, 4), order="F"), np.array([0], dtype=np.int32), lambda1=0.05)
    >>> sorted(set(np.flatnonzero(np.abs(A).sum(axis=1)).tolist()))
    [3, 9]
    """
    if lambda1 is None:
        raise ValueError("l1L2BCD : lambda1 must be defined")
    if mode == L1COEFFS:
        # SPAMS has no mode 0 here either: it prints "Mode not implemented"
        # and returns alpha0 as it was.
        raise ValueError("l1L2BCD : mode 0 (the ℓ1/ℓ2 constraint) is not implemented, in SPAMS either")
    if mode != PENALTY:
        _not_yet("l1L2BCD in mode 1")
    Xr, Dr = _problem(X, D)
    alpha0 = np.asarray(alpha0)
    if alpha0.shape != (Dr.shape[0], Xr.shape[0]):
        raise ValueError(f"alpha0 must have shape {(Dr.shape[0], Xr.shape[0])}, got {alpha0.shape}")
    starts = _starts(list_groups, Xr.shape[0])
    with python_names(lam="lambda1"):
        data, indices, indptr = _core.group_lasso(Dr, Xr, starts, float(lambda1), n_jobs=_threads(numThreads))
    codes = ssp.csr_matrix((data, indices, indptr), shape=(Xr.shape[0], Dr.shape[0]))
    return np.asfortranarray(codes.T.toarray(), dtype=alpha0.dtype if alpha0.dtype in (np.float32, np.float64) else Xr.dtype)


# SPAMS's sparseProject modes, as the core's projections and the weights
# each reads: (name, radius, l1, l2, tv) from (thrs, lambda1, lambda2,
# lambda3).
_PROJECTIONS = {
    1: lambda t, l1, l2, l3: ("l1_ball", t, 0.0, 0.0, 0.0),
    2: lambda t, l1, l2, l3: ("elastic_ball", t, l1, 1.0, 0.0),
    3: lambda t, l1, l2, l3: ("elastic_ball", t, 1.0, 0.5 * l1, 0.0),
    4: lambda t, l1, l2, l3: ("soft_l2_ball", t, l1, 0.0, 0.0),
    5: lambda t, l1, l2, l3: ("fused_prox", 0.0, l1, l3, l2),
    6: lambda t, l1, l2, l3: ("fused_ball", t, l1, l3, l2),
}


def sparseProject(U, thrs=1.0, mode=1, lambda1=0.0, lambda2=0.0, lambda3=0.0, pos=0, numThreads=-1):
    """SPAMS's ``sparseProject``: each column ``u`` of ``U`` projected (a
    new array is returned):

    1. on the ℓ1 ball, ``argmin ‖u − v‖²`` s.t. ``‖v‖₁ ≤ thrs``;
    2. ``argmin ‖u − v‖²`` s.t. ``‖v‖² + lambda1‖v‖₁ ≤ thrs``;
    3. ``argmin ‖u − v‖²`` s.t. ``‖v‖₁ + ½·lambda1‖v‖² ≤ thrs``;
    4. ``argmin ½‖u − v‖² + lambda1‖v‖₁`` s.t. ``‖v‖² ≤ thrs``;
    5. the fused-Lasso signal approximator,
       ``argmin ½‖u − v‖² + lambda1‖v‖₁ + lambda2·FL(v) + ½·lambda3‖v‖²``
       with ``FL(v) = Σ|vᵢ₊₁ − vᵢ|``;
    6. ``argmin ‖u − v‖²`` s.t.
       ``lambda1‖v‖₁ + lambda2·FL(v) + ½·lambda3‖v‖² ≤ thrs``.

    ``pos`` adds ``v ≥ 0`` in modes 1–4. Every mode is exact (the core's
    ``prox`` module). SPAMS's own mode 6 misses its constraint (or
    returns NaN) and its default ``pos=0`` is refused by SPAMS itself;
    here both work.

    Parameters
    ----------
    U : ndarray of shape (n, n_vectors)
        The vectors, as columns.
    thrs : float, default=1.0
        The ball's radius.
    mode : {1, 2, 3, 4, 5, 6}, default=1
        The problem.
    lambda1, lambda2, lambda3 : float, default=0
        The weights of each mode.
    pos : bool, default=False
        Non-negative results (modes 1–4).
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    V : ndarray of shape (n, n_vectors)
        The projections, in Fortran order.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> V = spams.sparseProject(np.asfortranarray([[3.0], [1.0], [-0.5]]), thrs=2.0)
    >>> (V.ravel() + 0.0).tolist()
    [2.0, 0.0, 0.0]
    """
    U = _float(U, "U")
    if int(mode) not in _PROJECTIONS:
        raise ValueError(f"sparseProject : mode must be 1 to 6, got {mode!r}")
    name, radius, l1, l2, tv = _PROJECTIONS[int(mode)](float(thrs), float(lambda1), float(lambda2), float(lambda3))
    positive = bool(pos) and int(mode) <= 4
    with python_names(radius="thrs"):
        V = _core.project(np.ascontiguousarray(U.T), name, radius=radius, l1=l1, l2=l2, tv=tv, positive=positive, n_jobs=_threads(numThreads))
    return V.T


def decompSimplex(X, Z, computeXtX=False, numThreads=-1):
    """SPAMS's ``decompSimplex``: each column ``x`` of ``X`` as the convex
    combination of the columns of ``Z`` nearest to it,
    ``argmin ‖x − Zα‖²`` s.t. ``α ≥ 0``, ``Σα = 1``, by the core's exact
    active-set method. ``computeXtX`` changes nothing.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    Z : ndarray of shape (n_features, n_points)
        The points (archetypes), as columns.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    alpha : scipy.sparse.csc_matrix of shape (n_points, n_signals)
        The weights: non-negative, each column summing to one.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> Z = np.asfortranarray([[0.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    >>> X = np.asfortranarray([[0.25], [0.5]])
    >>> np.round(spams.decompSimplex(X, Z).toarray().ravel(), 12).tolist()
    [0.25, 0.25, 0.5]
    """
    Xr, Zr = _problem(X, Z)
    data, indices, indptr = _core.simplex(Zr, Xr, n_jobs=_threads(numThreads))
    return ssp.csc_matrix((data, indices, indptr), shape=(Zr.shape[0], Xr.shape[0]))


# trainDL's `mode`: the core's coder and its settings, from lambda1 and
# lambda2.
_TRAIN_CODERS = {
    0: lambda l1, l2: ("lasso_budget", {"alpha": l1}),
    1: lambda l1, l2: ("lasso_goal", {"tol": l1}),
    2: lambda l1, l2: ("lasso_lars", {"alpha": l1, **({"l2": l2} if l2 else {})}),
    3: lambda l1, l2: ("ormp", {"n_nonzero": int(l1)}),
    4: lambda l1, l2: ("ormp", {"tol": l1}),
    5: lambda l1, l2: ("ormp", {"l0": l1}),
}
# trainDL's modeD: the set of the atoms (the core's projection name and its
# (radius, l1, l2, tv) weights), from gamma1 and gamma2; 0 is the unit ball.
_ATOM_SETS = {
    0: lambda g1, g2: None,
    1: lambda g1, g2: ("elastic_ball", (1.0, g1, 1.0, 0.0)),  # ‖d‖² + γ₁‖d‖₁ ≤ 1
    2: lambda g1, g2: ("fused_ball", (1.0, g1, 2.0, g2)),  # ‖d‖² + γ₁‖d‖₁ + γ₂FL(d) ≤ 1
    3: lambda g1, g2: ("elastic_ball", (1.0, g1, 1.0 - g1, 0.0)),  # (1 − γ₁)‖d‖² + γ₁‖d‖₁ ≤ 1
}
# SPAMS's mini-batch size when batchsize is not given.
_SPAMS_BATCH = 512


def trainDL(X, return_model=False, model=None, D=None, numThreads=-1, batchsize=-1, K=-1, lambda1=None, lambda2=10e-10, iter=-1,
            t0=1e-5, mode=PENALTY, posAlpha=False, posD=False, expand=False, modeD=0, whiten=False, clean=True, verbose=True,
            gamma1=0.0, gamma2=0.0, rho=1.0, iter_updateD=None, stochastic_deprecated=False, modeParam=0, batch=False,
            log_deprecated=False, logName=""):
    """SPAMS's ``trainDL``: online dictionary learning (Mairal, Bach, Ponce
    & Sapiro 2009) by the core's online learner, its atoms in the unit ℓ2
    ball (``modeD=0``; 1: ``‖d‖² + gamma1‖d‖₁ ≤ 1``; 2: ``‖d‖² +
    gamma1‖d‖₁ + gamma2·FL(d) ≤ 1``; 3: ``(1 − gamma1)‖d‖² + gamma1‖d‖₁ ≤
    1``), each mini-batch coded for SPAMS's ``mode``: 0, an
    ℓ1 budget (``‖α‖₁ ≤ lambda1``); 1, the least ℓ1 within
    ``‖x − Dα‖² ≤ lambda1``; 2, ``½‖x − Dα‖² + lambda1‖α‖₁ +
    ½·lambda2‖α‖²``; 3, OMP with ``lambda1`` atoms; 4, OMP to
    ``‖x − Dα‖² ≤ lambda1``; 5, OMP with the ℓ0 penalty ``lambda1``.
    ``posAlpha`` and ``posD`` keep codes and atoms non-negative; ``iter``
    steps of ``batchsize`` signals, or, negative, that many seconds (as
    SPAMS: the result then depends on the machine's speed); ``D`` starts
    the dictionary (otherwise random signals do); ``clean`` (always on)
    replaces unused atoms. ``t0``, ``rho``, ``modeParam``, ``expand``,
    ``whiten``, ``verbose`` and the deprecated switches change nothing.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    K : int
        Atoms (optional when ``D`` is given).
    lambda1 : float
        The mode's parameter.
    lambda2 : float, default=1e-9
        Mode 2's ridge.
    iter : int, default=-1
        Mini-batch steps, or (negative) seconds (with ``batch``: passes over
        every signal).
    mode : {0, 1, 2, 3, 4, 5}, default=2
        The coding problem.
    batch : bool, default=False
        SPAMS's batch mode (modes 1 and 2, ``modeD=0``): each iteration
        codes every signal, then updates the atoms from all the codes (the
        core's batch learner, which stops early once an iteration no longer
        lowers the objective).
    posAlpha, posD : bool, default=False
        Non-negative codes, non-negative atoms.
    modeD : {0, 1, 2, 3}, default=0
        The atoms' set (above).
    gamma1, gamma2 : float, default=0
        Its weights.
    batchsize : int, default=-1
        Signals per step (-1: 512, SPAMS's).
    D : ndarray of shape (n_features, K), default=None
        The starting dictionary.
    return_model : bool, default=False
        Also return the learner's statistics ``{'A', 'B', 'iter'}``.
    model : dict, default=None
        An earlier call's model (``return_model``): the fit continues from
        its statistics and step count (pass that call's dictionary as
        ``D``); they count as the previous pass's codes, forgotten as SPAMS
        forgets them, until this call's first pass over ``X`` ends.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    D : ndarray of shape (n_features, K)
        The dictionary, atoms as columns, in Fortran order.
    model : dict
        With ``return_model``: ``A`` (K, K), ``B`` (n_features, K) and
        ``iter`` (the steps taken, a given model's included), as SPAMS
        returns them.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> X = np.asfortranarray(np.abs(rng.randn(3, 500)))
    >>> D = spams.trainDL(X, K=2, lambda1=0.1, iter=50, posAlpha=True, posD=True)
    >>> D.shape, bool(D.min() >= 0), bool(np.all(np.linalg.norm(D, axis=0) <= 1 + 1e-9))
    ((3, 2), True, True)
    """
    if lambda1 is None:
        raise ValueError("trainDL : lambda1 must be defined")
    if int(modeD) not in _ATOM_SETS:
        raise ValueError(f"trainDL : modeD must be 0 to 3, got {modeD!r}")
    if int(modeD) == 2 and posD:
        _not_yet("trainDL with modeD=2 and posD (non-negative atoms in the fused-Lasso ball)")
    atom_set = _ATOM_SETS[int(modeD)](float(gamma1), float(gamma2))
    if int(mode) not in _TRAIN_CODERS:
        raise ValueError(f"trainDL : mode must be 0 to 5, got {mode!r}")
    X = _float(X, "X")
    Xr = np.ascontiguousarray(X.T)
    dict_init = None
    if D is not None:
        D = _float(D, "D")
        if D.shape[0] != X.shape[0]:
            raise ValueError(f"X and D must have the same number of rows (features): X has {X.shape[0]}, D has {D.shape[0]}")
        dict_init = np.ascontiguousarray(D.T, dtype=np.float64)
        K = D.shape[1] if int(K) <= 0 else int(K)
    if int(K) <= 0:
        raise ValueError("trainDL : K must be given (the number of atoms) when D is not")
    resume, done = None, 0
    if model is not None:
        # SPAMS's `model`: the statistics and step count of an earlier fit,
        # continued from (with `D`, its dictionary).
        if batch:
            _not_yet("trainDL's batch mode with model")
        try:
            A, B, done = np.asarray(model["A"], dtype=np.float64), np.asarray(model["B"], dtype=np.float64), int(model["iter"])
        except (KeyError, TypeError) as e:
            raise ValueError(f"trainDL : model must be the dict {{'A', 'B', 'iter'}} that return_model gave ({e})") from None
        if A.shape != (int(K), int(K)) or B.shape != (X.shape[0], int(K)):
            raise ValueError(f"trainDL : model's A must be ({int(K)}, {int(K)}) and B ({X.shape[0]}, {int(K)}), got {A.shape} and {B.shape}")
        if done < 0:
            raise ValueError(f"trainDL : model's iter must be ≥ 0, got {done}")
        # In the layout the core returns them in (A, and B transposed).
        resume = (np.ascontiguousarray(A), np.ascontiguousarray(B.T), done)
    algorithm, coder = _TRAIN_CODERS[int(mode)](float(lambda1), float(lambda2))
    steps = int(iter)
    run = {"max_steps": steps} if steps > 0 else {"seconds": float(-steps)} if steps < 0 else {"max_steps": 0}
    if batch:
        # SPAMS's batch mode: every signal coded at each iteration, then the
        # atoms updated from all the codes (the core's batch learner).
        if atom_set is not None or int(mode) not in (L2ERROR, PENALTY):
            _not_yet("trainDL's batch mode with modeD 1–3 or mode 0, 3, 4, 5")
        epochs = {"max_epochs": steps} if steps > 0 else {"seconds": float(-steps), "max_epochs": 2**62} if steps < 0 else {"max_epochs": 0}
        with python_names(n_atoms="K", alpha="lambda1", tol="lambda1", n_nonzero="lambda1", l0="lambda1", l2="lambda2"):
            components, _, _, _, A, B, _ = _core.fit_dictionary(
                Xr, "batch", int(K), alpha=float(lambda1) if int(mode) in (0, 2) else None, positive_dict=bool(posD), positive_code=bool(posAlpha),
                tol=0.0, dict_init=dict_init, algorithm=algorithm, coder=coder, n_jobs=_threads(numThreads), **epochs)
        D = np.asfortranarray(components.T, dtype=X.dtype)
        if not return_model:
            return D
        return D, {"A": None if A is None else np.asfortranarray(A, dtype=X.dtype), "B": None if B is None else np.asfortranarray(np.asarray(B).T, dtype=X.dtype),
                   "iter": steps}
    with python_names(n_atoms="K", batch_size="batchsize", alpha="lambda1", tol="lambda1", n_nonzero="lambda1", l0="lambda1", l2="lambda2"):
        components, objectives, _, _, A, B, _ = _core.fit_dictionary(
            Xr,
            "online",
            int(K),
            alpha=float(lambda1) if int(mode) in (0, 2) else None,
            batch_size=_SPAMS_BATCH if int(batchsize) <= 0 else int(batchsize),
            max_epochs=2**62,
            shuffle=True,
            positive_dict=bool(posD),
            positive_code=bool(posAlpha),
            tol=0.0,
            max_no_improvement=-1,
            dict_init=dict_init,
            epoch_windows=True,
            atom_set=atom_set,
            algorithm=algorithm,
            coder=coder,
            n_jobs=_threads(numThreads),
            resume=resume,
            **run,
        )
    D = np.asfortranarray(components.T, dtype=X.dtype)
    if not return_model:
        return D
    # `iter`: every step taken, the model's included (one objective a step).
    return D, {"A": np.asfortranarray(A, dtype=X.dtype), "B": np.asfortranarray(np.asarray(B).T, dtype=X.dtype), "iter": done + len(objectives)}


def trainDL_Memory(X, D=None, numThreads=-1, batchsize=-1, K=-1, lambda1=None, iter=-1, t0=1e-5, mode=PENALTY, posD=False, expand=False,
                   modeD=0, whiten=False, clean=True, gamma1=0.0, gamma2=0.0, rho=1.0, iter_updateD=1, stochastic_deprecated=False,
                   modeParam=0, batch=False, log_deprecated=False, logName=""):
    """SPAMS's ``trainDL_Memory``: :func:`trainDL` (SPAMS keeps the codes
    in memory to go faster; the core's learner is the same either way).

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    K, lambda1, iter, mode, posD, modeD, gamma1, gamma2, batchsize, D, numThreads
        As in :func:`trainDL`.

    Returns
    -------
    D : ndarray of shape (n_features, K)
        The dictionary.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> X = np.asfortranarray(np.random.RandomState(0).randn(8, 300))
    >>> spams.trainDL_Memory(X, K=4, lambda1=0.1, iter=20).shape
    (8, 4)
    """
    return trainDL(X, D=D, numThreads=numThreads, batchsize=batchsize, K=K, lambda1=lambda1, iter=iter, mode=mode, posD=posD, modeD=modeD,
                   gamma1=gamma1, gamma2=gamma2, batch=batch)


def _nonnegative(X, lambda1, return_lasso, model, numThreads, batchsize, K, iter, batch):
    """``nmf`` and ``nnsc``: trainDL with non-negative codes and atoms, and
    the non-negative codes on request."""
    U = trainDL(X, model=model, numThreads=numThreads, batchsize=batchsize, K=K, iter=iter, lambda1=lambda1, mode=PENALTY, posAlpha=True,
                posD=True, batch=batch)
    if not return_lasso:
        return U
    return U, lasso(X, D=U, numThreads=numThreads, lambda1=lambda1, mode=PENALTY, pos=True)


def nmf(X, return_lasso=False, model=None, numThreads=-1, batchsize=-1, K=-1, iter=-1, t0=1e-5, clean=True, rho=1.0, modeParam=0,
        batch=False):
    """SPAMS's ``nmf``: non-negative matrix factorisation
    ``min ½‖X − UV‖²_F`` with ``U ≥ 0``, ``V ≥ 0`` (the atoms of ``U`` in
    the unit ball), learned online as :func:`trainDL` with
    ``lambda1 = 0``, ``posAlpha`` and ``posD``; with ``return_lasso``, also
    the non-negative codes ``V``.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    K, iter, batchsize, numThreads
        As in :func:`trainDL`.
    return_lasso : bool, default=False
        Also return the codes.

    Returns
    -------
    U : ndarray of shape (n_features, K)
        The atoms.
    V : scipy.sparse.csc_matrix of shape (K, n_signals)
        With ``return_lasso``: the codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> X = np.asfortranarray(np.abs(np.random.RandomState(0).randn(6, 400)))
    >>> U, V = spams.nmf(X, K=3, iter=30, return_lasso=True)
    >>> bool(U.min() >= 0), bool(V.toarray().min() >= 0)
    (True, True)
    """
    return _nonnegative(X, 0.0, return_lasso, model, numThreads, batchsize, K, iter, batch)


def nnsc(X, return_lasso=False, model=None, lambda1=None, numThreads=-1, batchsize=-1, K=-1, iter=-1, t0=1e-5, clean=True, rho=1.0,
         modeParam=0, batch=False):
    """SPAMS's ``nnsc``: non-negative sparse coding,
    ``min ½‖X − UV‖²_F + lambda1‖V‖₁`` with ``U ≥ 0``, ``V ≥ 0``, learned
    online as :func:`trainDL` with ``posAlpha`` and ``posD``; with
    ``return_lasso``, also the codes ``V``, non-negative (SPAMS's own
    ``nnsc`` returns them without the sign constraint it learned with).

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    lambda1 : float
        The penalty.
    K, iter, batchsize, numThreads
        As in :func:`trainDL`.
    return_lasso : bool, default=False
        Also return the codes.

    Returns
    -------
    U : ndarray of shape (n_features, K)
        The atoms.
    V : scipy.sparse.csc_matrix of shape (K, n_signals)
        With ``return_lasso``: the codes.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> X = np.asfortranarray(np.abs(np.random.RandomState(0).randn(6, 400)))
    >>> U = spams.nnsc(X, K=3, lambda1=0.1, iter=30)
    >>> U.shape, bool(U.min() >= 0)
    ((6, 3), True)
    """
    if lambda1 is None:
        raise ValueError("nnsc : lambda1 must be defined")
    return _nonnegative(X, float(lambda1), return_lasso, model, numThreads, batchsize, K, iter, batch)


def _groups(n, size_group, groups, who):
    """Each of the ``n`` coefficients' group: ``groups`` (SPAMS's labels),
    or consecutive runs of ``size_group``."""
    if groups is not None:
        return [int(g) for g in np.asarray(groups).ravel()]
    size = int(size_group)
    if size < 1:
        raise ValueError(f"{who} : size_group must be ≥ 1, got {size_group!r}")
    return [i // size for i in range(n)]


def _matrix_regul(regul):
    """The core's name of SPAMS's ``regul`` if it regularises the whole
    matrix (``l1l2`` … ``rank-vec``), else None."""
    name = str(regul).lower()
    return name.replace("-", "_") if name in {n.replace("_", "-") for n in _core.MATRIX_REGULARIZERS} else None


def _regul(regul, who):
    """SPAMS's ``regul`` as the core's regulariser name."""
    name = str(regul).lower()
    if name not in {n.replace("_", "-") for n in _core.REGULARIZERS}:
        if name in ("l1linf+row-column", "l1-constraint", "graph", "tree-l0", "tree-l2", "tree-linf", "graph-ridge", "graph-l2",
                    "multi-task-tree", "multi-task-graph"):
            _not_yet(f"{who} with regul={regul!r}")
        raise ValueError(f"{who} : unknown regul {regul!r}; expected one of {sorted(n.replace('_', '-') for n in _core.REGULARIZERS)}")
    return name.replace("-", "_")


def fistaFlat(Y, X, W0, return_optim_info=False, numThreads=-1, max_it=1000, L0=1.0, fixed_step=False, gamma=1.5, lambda1=1.0, delta=1.0,
              lambda2=0.0, lambda3=0.0, a=1.0, b=0.0, c=1.0, tol=0.000001, it0=100, max_iter_backtracking=1000, compute_gram=False,
              lin_admm=False, admm=False, intercept=False, resetflow=False, regul="", loss="", verbose=False, pos=False, clever=False,
              log=False, ista=False, subgrad=False, logName="", is_inner_weights=False, inner_weights=None, size_group=1, groups=None,
              sqrt_step=True, transpose=False, linesearch_mode=0):
    """SPAMS's ``fistaFlat``: for each column ``y`` of ``Y``,
    ``argmin_w loss(y, Xw) + ψ(w)``, ``ψ`` one of :func:`proximalFlat`'s
    regularisers (``regul``, ``lambda1``, ``lambda2``, ``lambda3``,
    ``groups`` or ``size_group``, ``pos``, ``intercept``), by the core's
    FISTA from ``W0`` (ISTA with ``ista``). Its step is ``1/L`` with ``L``
    known in closed form (``‖X‖₂²`` for the square loss, which runs in Gram
    form, times the loss's curvature bound for the others), so ``L0``,
    ``gamma``, ``fixed_step``, the line searches and ``compute_gram``
    change nothing; a column stops when a step moves it by at most ``tol``
    relative to its size, or after ``max_it`` steps.

    Parameters
    ----------
    Y : ndarray of shape (m, n)
        The targets, as columns.
    X : ndarray of shape (m, p)
        The design.
    W0 : ndarray of shape (p, n)
        The starting coefficients.
    loss : {"square", "square-missing", "logistic", "weighted-logistic", "multi-logistic"}
        ``½‖y − Xw‖²``; the same over the entries of ``y`` that are not
        NaN; ``(1/m) Σ log(1 + exp(−y_i x_iᵀw))`` for ``y_i = ±1``; the
        same with each class weighing as much (``1/n₊`` and ``1/n₋`` per
        sample); ``(1/m) Σ log Σ_r exp(x_iᵀ(w_r − w_{y_i}))`` for class
        labels ``y_i`` in ``0..N-1``, ``W0`` then ``(p, N·n)`` (a block of
        ``N`` columns per column of ``Y``, ``ψ`` on each column). ``hinge``
        and ``cur`` are not yet provided.
    regul : str
        The regulariser, as :func:`proximalFlat` names it.
    lambda1, lambda2, lambda3 : float
        Its weights.
    max_it : int, default=1000
        Steps per column at most.
    tol : float, default=1e-6
        The relative change that stops a column.
    ista : bool, default=False
        ISTA instead of FISTA.
    numThreads : int, default=-1
        Threads (-1: every core).

    return_optim_info : bool, default=False
        Also return SPAMS's figures, ``(4, n)``: each column's objective,
        a lower bound on its optimum (the dual objective at the residual),
        the relative duality gap, and the step count. The bound and the gap
        are -1 where the core writes no conjugate of the regulariser
        (``l0``, ``fused-lasso``, the sparse group Lassos, ``none``) and
        with ``intercept``.

    Returns
    -------
    W : ndarray of shape (p, n)
        The coefficients, in Fortran order.
    optim_info : ndarray of shape (4, n)
        With ``return_optim_info``.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> X = np.asfortranarray(rng.randn(20, 8))
    >>> Y = np.asfortranarray(X[:, [2]] * 3.0)
    >>> W = spams.fistaFlat(Y, X, np.zeros((8, 1), order="F"), loss="square", regul="l1", lambda1=0.1)
    >>> int(np.argmax(np.abs(W))), W.shape
    (2, (8, 1))
    """
    loss_name = str(loss).lower()
    if loss_name not in {n.replace("_", "-") for n in _core.LOSSES}:
        if loss_name in ("hinge", "cur"):
            _not_yet(f"fistaFlat with loss={loss!r}")
        raise ValueError(f"fistaFlat : unknown loss {loss!r}; expected one of {sorted(n.replace('_', '-') for n in _core.LOSSES)}")
    if subgrad or admm or lin_admm or transpose:
        _not_yet("fistaFlat's subgrad, admm, lin_admm and transpose")
    matrix = _matrix_regul(regul)
    name = None if matrix is not None else _regul(regul, "fistaFlat")
    Y, X, W0 = _float(Y, "Y"), _float(X, "X"), _float(W0, "W0")
    if X.shape[0] != Y.shape[0]:
        raise ValueError(f"X and Y must have the same number of rows: X has {X.shape[0]}, Y has {Y.shape[0]}")
    if loss_name == "multi-logistic":
        if W0.shape[0] != X.shape[1] or Y.shape[1] == 0 or W0.shape[1] % Y.shape[1] or W0.shape[1] < 2 * Y.shape[1]:
            raise ValueError(f"W0 must have shape ({X.shape[1]}, N·{Y.shape[1]}) for N ≥ 2 classes, got {W0.shape}")
    elif W0.shape != (X.shape[1], Y.shape[1]):
        raise ValueError(f"W0 must have shape {(X.shape[1], Y.shape[1])}, got {W0.shape}")
    dtype = np.result_type(Y.dtype, X.dtype)
    rows = lambda A: np.ascontiguousarray(A.T, dtype=dtype)  # noqa: E731
    if matrix is not None:
        if loss_name != "square" or return_optim_info:
            _not_yet(f"fistaFlat with regul={regul!r} and loss={loss!r} or return_optim_info (the square loss is)")
        W, _ = _core.fista_matrix_py(rows(X), rows(Y), rows(W0), matrix, lambda1=float(lambda1), lambda2=float(lambda2),
                                     size_group=int(size_group), positive=bool(pos), intercept=bool(intercept), max_iter=int(max_it),
                                     tol=float(tol), ista=bool(ista), n_jobs=_threads(numThreads))
        return np.asfortranarray(W.T)
    out = _core.fista(rows(X), rows(Y), rows(W0), name, lambda1=float(lambda1), lambda2=float(lambda2), lambda3=float(lambda3),
                      groups=_groups(X.shape[1], size_group, groups, "fistaFlat"), positive=bool(pos), intercept=bool(intercept),
                      max_iter=int(max_it), tol=float(tol), ista=bool(ista), info=bool(return_optim_info),
                      loss=loss_name.replace("-", "_"), n_jobs=_threads(numThreads))
    W = np.asfortranarray(out[0].T)
    return (W, np.asfortranarray(out[2])) if return_optim_info else W


def archetypalAnalysis(X, p=10, Z0=None, returnAB=False, robust=False, epsilon=1e-3, computeXtX=False, stepsFISTA=3, stepsAS=50,
                       randominit=False, numThreads=-1):
    """SPAMS's ``archetypalAnalysis`` (Chen, Mairal & Harchaoui 2014): ``p``
    archetypes ``Z = XB``, each a convex combination of the columns of
    ``X``, with each column of ``X`` a convex combination ``ZA`` of them,
    minimising ``‖X − ZA‖²_F``, by the core's block-coordinate scheme with
    exact simplex steps (``stepsFISTA + stepsAS`` iterations). The start is
    ``Z0``, or the first ``p`` signals (random ones with ``randominit``).
    With ``robust``, the fit is the Huber sum of the residuals' norms
    (linear above ``epsilon``), so that outliers pull the archetypes less
    (iteratively reweighted, as SPAMS). ``computeXtX`` changes nothing.

    Parameters
    ----------
    X : ndarray of shape (n_features, n_signals)
        The signals, as columns.
    p : int, default=10
        Archetypes.
    Z0 : ndarray of shape (n_features, p), default=None
        The starting archetypes.
    returnAB : bool, default=False
        Also return the weights ``A`` and ``B``.
    stepsFISTA, stepsAS : int, default=3, 50
        Their sum is the number of iterations.
    randominit : bool, default=False
        Start from random signals.
    robust : bool, default=False
        Robust archetypal analysis.
    epsilon : float, default=1e-3
        Where the robust fit's Huber function turns from quadratic to linear.
    numThreads : int, default=-1
        Threads (-1: every core).

    Returns
    -------
    Z : ndarray of shape (n_features, p)
        The archetypes, in Fortran order.
    A : scipy.sparse.csc_matrix of shape (p, n_signals)
        With ``returnAB``: each signal's weights on the archetypes.
    B : scipy.sparse.csc_matrix of shape (n_signals, p)
        With ``returnAB``: each archetype's weights on the signals.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> rng = np.random.RandomState(0)
    >>> X = np.asfortranarray(rng.rand(4, 200))
    >>> Z, A, B = spams.archetypalAnalysis(X, p=3, returnAB=True)
    >>> Z.shape, A.shape, B.shape, bool(np.allclose(A.sum(axis=0), 1))
    ((4, 3), (3, 200), (200, 3), True)
    """
    X = _float(X, "X")
    init = None
    if Z0 is not None:
        Z0 = _float(Z0, "Z0")
        if Z0.shape[0] != X.shape[0]:
            raise ValueError(f"X and Z0 must have the same number of rows (features): X has {X.shape[0]}, Z0 has {Z0.shape[0]}")
        p = Z0.shape[1]
        init = np.ascontiguousarray(Z0.T, dtype=X.dtype)
    with python_names(n_archetypes="p", epsilon2="epsilon"):
        Z, (ad, ai, ap), (bd, bi, bp), _ = _core.archetypal(np.ascontiguousarray(X.T), int(p), iterations=int(stepsFISTA) + int(stepsAS),
                                                            random_init=bool(randominit), init=init,
                                                            robust=float(epsilon) if robust else None, n_jobs=_threads(numThreads))
    Z = np.asfortranarray(Z.T)
    if not returnAB:
        return Z
    n = X.shape[1]
    return Z, ssp.csc_matrix((ad, ai, ap), shape=(int(p), n)), ssp.csc_matrix((bd, bi, bp), shape=(n, int(p)))


def bayer(X, offset):
    """SPAMS's ``bayer``: a copy of the RGB patch ``X`` with a Bayer
    mosaic applied, each pixel keeping one channel. ``X`` is a vector of
    ``3·s²`` values, the channels one after the other, each an ``s × s``
    patch in column-major order; at row ``i``, column ``j``, red is kept
    where ``(i, j) ≡ (a, b)`` (mod 2), blue where ``(i, j) ≡ (1 − a, 1 − b)``
    and green elsewhere, for ``offset`` 0, 1, 2, 3 giving ``(a, b)`` =
    (0, 0), (0, 1), (1, 0), (1, 1).

    Parameters
    ----------
    X : ndarray of shape (3·s²,)
        The RGB patch.
    offset : {0, 1, 2, 3}
        Where red sits in the 2×2 cell.

    Returns
    -------
    Y : ndarray of shape (3·s²,)
        The mosaic: zero where a channel is not kept.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.bayer(np.arange(1.0, 13.0), 0).astype(int).tolist()
    [1, 0, 0, 0, 0, 6, 7, 0, 0, 0, 0, 12]
    """
    X = np.asarray(X)
    s = int(round(np.sqrt(X.size / 3))) if X.ndim == 1 else -1
    if X.ndim != 1 or 3 * s * s != X.size:
        raise ValueError(f"bayer : X must be a vector of 3·s² values (an s×s RGB patch), got shape {X.shape}")
    if int(offset) not in (0, 1, 2, 3):
        raise ValueError(f"bayer : offset must be 0, 1, 2 or 3, got {offset!r}")
    a, b = divmod(int(offset), 2)
    i, j = np.meshgrid(np.arange(s) % 2, np.arange(s) % 2, indexing="ij")
    red = (i == a) & (j == b)
    blue = (i != a) & (j != b)
    keep = np.stack([red, ~(red | blue), blue]).transpose(0, 2, 1).ravel()
    return np.where(keep, X, 0).astype(X.dtype, copy=False)


def im2col_sliding(A, m, n, RGB=False):
    """SPAMS's ``im2col_sliding``: every ``m × n`` patch of the image ``A``
    as a column, each patch in column-major order, the patches ordered by
    their top-left corner in column-major order (rows first).

    Parameters
    ----------
    A : ndarray of shape (H, W)
        The image; with ``RGB``, SPAMS's colour layout: ``W = 3·w``, each
        image column as three columns (R, G, B), and the windows slide over
        the three planes set side by side, as SPAMS's do.
    m, n : int
        The patch's height and width.
    RGB : bool, default=False
        ``A`` in SPAMS's colour layout.

    Returns
    -------
    B : ndarray of shape (m·n, (H − m + 1)·(W − n + 1))
        The patches, in Fortran order.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.im2col_sliding(np.arange(12.0).reshape(3, 4), 2, 2)[:, :2].tolist()
    [[0.0, 4.0], [4.0, 8.0], [1.0, 5.0], [5.0, 9.0]]
    """
    A = _float(A, "A")
    if RGB:
        # SPAMS's layout: A holds each image column as three columns (R, G,
        # B); the windows slide over the three planes set side by side.
        if A.ndim != 2 or A.shape[1] % 3:
            raise ValueError(f"im2col_sliding : with RGB, A holds three columns (R, G, B) per image column, got shape {A.shape}")
        k, w = np.arange(A.shape[1]), A.shape[1] // 3
        A = A[:, 3 * (k % w) + k // w]
    m, n = int(m), int(n)
    if not (1 <= m <= A.shape[0] and 1 <= n <= A.shape[1]):
        raise ValueError(f"im2col_sliding : the patch ({m}×{n}) must fit in the image {A.shape}")
    windows = np.lib.stride_tricks.sliding_window_view(A, (m, n))  # (H-m+1, W-n+1, m, n)
    # Each patch column-major (its columns after one another), patches
    # column-major over their corners.
    return np.asfortranarray(windows.transpose(3, 2, 1, 0).reshape(m * n, -1))


def displayPatches(D):
    """SPAMS's ``displayPatches``: the columns of ``D`` (square patches, or
    RGB ones of ``3·s²`` values) as one picture, a grid of ``⌈√K⌉ × ⌈√K⌉``
    cells separated by one-pixel borders, for ``matplotlib``'s ``imshow``.
    The values are centred (unless all are non-negative), clipped at 4.5
    standard deviations and scaled to [0, 1]; each patch is read in
    column-major order.

    Parameters
    ----------
    D : ndarray of shape (s² or 3·s², K)
        The patches, as columns.

    Returns
    -------
    picture : ndarray of shape ((s + 1)·g + 1, (s + 1)·g + 1, 1 or 3)
        The grid, ``g = ⌈√K⌉``, values in [0, 1], borders 0.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.displayPatches(np.random.RandomState(0).randn(64, 10)).shape
    (37, 37, 1)
    """
    D = np.asarray(D, dtype=np.float64)
    if D.ndim != 2:
        raise ValueError(f"displayPatches : D must be a 2-D array, got {D.ndim} dimension(s)")
    n, K = D.shape
    channels = 1 if int(round(np.sqrt(n))) ** 2 == n else 3
    edge = int(round(np.sqrt(n / channels)))
    if channels * edge * edge != n:
        raise ValueError(f"displayPatches : a patch must hold s² or 3·s² values, got {n}")
    centre = 0.0 if D.min() >= 0 else D.mean()
    spread = np.sqrt(np.mean((D - centre) ** 2))
    V = np.clip(D - centre, -4.5 * spread, 4.5 * spread)
    lo, hi = V.min(), V.max()
    V = (V - lo) / (hi - lo) if hi > lo else np.zeros_like(V)
    grid = int(np.ceil(np.sqrt(K)))
    side = (edge + 1) * grid + 1
    out = np.zeros((side, side, channels), order="F")
    for k in range(K):
        r, c = divmod(k, grid)
        cell = V[:, k].reshape((edge, edge, channels), order="F")
        out[r * (edge + 1) + 1 : (r + 1) * (edge + 1), c * (edge + 1) + 1 : (c + 1) * (edge + 1), :] = cell
    return out


def proximalFlat(U, return_val_loss=False, numThreads=-1, lambda1=1.0, lambda2=0.0, lambda3=0.0, intercept=False, resetflow=False, regul="",
                 verbose=False, pos=False, clever=True, size_group=1, groups=None, transpose=False):
    """SPAMS's ``proximalFlat``: for each column ``u`` of ``U``, the
    proximal operator ``argmin_v ½‖u − v‖² + ψ(v)`` of the regulariser
    ``regul``: ``l0`` (``lambda1‖v‖₀``), ``l1`` (``lambda1‖v‖₁``), ``l2``
    (``½·lambda1‖v‖²``), ``linf`` (``lambda1‖v‖∞``), ``l2-not-squared``
    (``lambda1‖v‖₂``), ``elastic-net`` (``lambda1‖v‖₁ + ½·lambda2‖v‖²``),
    ``fused-lasso`` (``lambda1·FL(v) + lambda2‖v‖₁ + ½·lambda3‖v‖²``),
    ``group-lasso-l2`` and ``group-lasso-linf`` (``lambda1 Σ_g ‖v_g‖``),
    ``sparse-group-lasso-l2`` and ``sparse-group-lasso-linf`` (plus
    ``lambda2‖v‖₁``), and ``none``; the groups are ``groups`` (a group
    index per row, from 1) or consecutive runs of ``size_group`` rows.
    ``pos`` adds ``v ≥ 0``; ``intercept`` leaves the last row as it is.
    Each operator is exact (the core's ``regularizer`` module).

    Parameters
    ----------
    U : ndarray of shape (n, n_vectors)
        The vectors, as columns.
    regul : str
        The regulariser.
    lambda1, lambda2, lambda3 : float
        Its weights.
    pos : bool, default=False
        Non-negative results.
    intercept : bool, default=False
        Leave the last row unregularised.
    size_group : int, default=1
        The groups' size, when ``groups`` is not given.
    groups : ndarray of int32, shape (n,), default=None
        Each row's group.
    numThreads : int, default=-1
        Threads (-1: every core).

    return_val_loss : bool, default=False
        Also return the regulariser's value at each result divided by
        ``lambda1`` (SPAMS's ``val_regularizer``; the value itself when
        ``lambda1`` is 0).

    Returns
    -------
    V : ndarray of shape (n, n_vectors)
        The proximal points, in Fortran order.
    val_regularizer : ndarray of shape (n_vectors,)
        With ``return_val_loss``.

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> U = np.asfortranarray([[3.0], [-0.5], [1.0]])
    >>> spams.proximalFlat(U, regul="l1", lambda1=1.0).ravel().tolist()
    [2.0, 0.0, 0.0]
    """
    if transpose:
        _not_yet("proximalFlat's transpose")
    U = _float(U, "U")
    matrix = _matrix_regul(regul)
    if matrix is not None:
        out = _core.regularize_matrix(np.ascontiguousarray(U.T), matrix, lambda1=float(lambda1), lambda2=float(lambda2),
                                      size_group=int(size_group), positive=bool(pos), intercept=bool(intercept), values=bool(return_val_loss))
        return _with_values(out, return_val_loss, lambda1)
    name = _regul(regul, "proximalFlat")
    labels = _groups(U.shape[0], size_group, groups, "proximalFlat")
    out = _core.regularize(np.ascontiguousarray(U.T), name, lambda1=float(lambda1), lambda2=float(lambda2), lambda3=float(lambda3),
                           groups=labels, positive=bool(pos), intercept=bool(intercept), values=bool(return_val_loss),
                           n_jobs=_threads(numThreads))
    return _with_values(out, return_val_loss, lambda1)


def _with_values(out, values, lambda1):
    """The prox's points as SPAMS's columns, and with ``values`` the
    regulariser's value, relative to its first weight as SPAMS reports it."""
    if not values:
        return out.T
    psi = np.asarray(out[1], dtype=out[0].dtype)
    return out[0].T, (psi / lambda1 if lambda1 != 0 else psi)


def normalize(A):
    """SPAMS's ``normalize``: a copy of ``A`` with each column scaled to
    unit ℓ2 norm (a zero column stays zero).

    Parameters
    ----------
    A : ndarray of shape (m, n)

    Returns
    -------
    B : ndarray of shape (m, n)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.normalize(np.array([[3.0, 0.0], [4.0, 0.0]])).tolist()
    [[0.6, 0.0], [0.8, 0.0]]
    """
    A = np.array(A, copy=True)
    norms = np.sqrt(np.sum(A * A, axis=0))
    norms[norms == 0] = 1
    A /= norms
    return A


def sort(X, mode=True):
    """SPAMS's ``sort``: a sorted copy of the vector ``X``, increasing
    (``mode=True``) or decreasing.

    Parameters
    ----------
    X : ndarray of shape (n,)
    mode : bool, default=True

    Returns
    -------
    Y : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.sort(np.array([2.0, -1.0, 3.0]), False).tolist()
    [3.0, 2.0, -1.0]
    """
    y = np.sort(np.asarray(X))
    return y if mode else y[::-1].copy()


def _dense(A):
    return A.toarray() if ssp.issparse(A) else np.asarray(A)


def calcAAt(A):
    """SPAMS's ``calcAAt``: ``A Aᵀ`` for a sparse ``A`` (a dense array).

    Parameters
    ----------
    A : scipy.sparse matrix of shape (m, n)

    Returns
    -------
    AAt : ndarray of shape (m, m)

    Examples
    --------
    >>> import scipy.sparse as ssp
    >>> import sparsecode.spams as spams
    >>> spams.calcAAt(ssp.csc_matrix([[1.0, 2.0], [0.0, 3.0]])).tolist()
    [[5.0, 6.0], [6.0, 9.0]]
    """
    return _dense(A @ A.T)


def calcXAt(X, A):
    """SPAMS's ``calcXAt``: ``X Aᵀ`` for a dense ``X`` and a sparse ``A``.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    A : scipy.sparse matrix of shape (p, n)

    Returns
    -------
    XAt : ndarray of shape (m, p)

    Examples
    --------
    >>> import numpy as np, scipy.sparse as ssp
    >>> import sparsecode.spams as spams
    >>> spams.calcXAt(np.eye(2), ssp.csc_matrix([[1.0, 2.0]])).tolist()
    [[1.0], [2.0]]
    """
    return _dense(np.asarray(X) @ A.T)


def calcXY(X, Y):
    """SPAMS's ``calcXY``: ``X Y``.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    Y : ndarray of shape (n, p)

    Returns
    -------
    Z : ndarray of shape (m, p)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.calcXY(np.eye(2), np.ones((2, 1))).tolist()
    [[1.0], [1.0]]
    """
    return np.asarray(X) @ np.asarray(Y)


def calcXYt(X, Y):
    """SPAMS's ``calcXYt``: ``X Yᵀ``.

    Parameters
    ----------
    X : ndarray of shape (m, n)
    Y : ndarray of shape (p, n)

    Returns
    -------
    Z : ndarray of shape (m, p)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.calcXYt(np.eye(2), np.ones((1, 2))).tolist()
    [[1.0], [1.0]]
    """
    return np.asarray(X) @ np.asarray(Y).T


def calcXtY(X, Y):
    """SPAMS's ``calcXtY``: ``Xᵀ Y``.

    Parameters
    ----------
    X : ndarray of shape (n, m)
    Y : ndarray of shape (n, p)

    Returns
    -------
    Z : ndarray of shape (m, p)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.calcXtY(np.ones((2, 1)), np.eye(2)).tolist()
    [[1.0, 1.0]]
    """
    return np.asarray(X).T @ np.asarray(Y)


def invSym(A):
    """SPAMS's ``invSym``: the inverse of a symmetric matrix.

    Parameters
    ----------
    A : ndarray of shape (n, n)

    Returns
    -------
    B : ndarray of shape (n, n)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.invSym(np.array([[2.0, 0.0], [0.0, 4.0]])).tolist()
    [[0.5, 0.0], [0.0, 0.25]]
    """
    from scipy import linalg

    return linalg.inv(np.asarray(A), check_finite=True).astype(np.asarray(A).dtype, copy=False)


def mult(X, Y, transX=False, transY=False):
    """SPAMS's ``mult``: ``op(X) op(Y)``, each transposed on request.

    Parameters
    ----------
    X, Y : ndarray
    transX, transY : bool, default=False

    Returns
    -------
    Z : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> spams.mult(np.ones((2, 1)), np.eye(2), transX=True).tolist()
    [[1.0, 1.0]]
    """
    X, Y = np.asarray(X), np.asarray(Y)
    return (X.T if transX else X) @ (Y.T if transY else Y)


def conjGrad(A, b, x0=None, tol=1e-10, itermax=None):
    """SPAMS's ``conjGrad``: the solution of ``A x = b`` for a symmetric
    positive definite ``A`` by conjugate gradient (SciPy's), from ``x0``,
    to the relative residual ``tol``, in at most ``itermax`` iterations
    (default: the size of ``A``).

    Parameters
    ----------
    A : ndarray of shape (n, n)
    b : ndarray of shape (n,)
    x0 : ndarray of shape (n,), default=None
    tol : float, default=1e-10
    itermax : int, default=None

    Returns
    -------
    x : ndarray of shape (n,)

    Examples
    --------
    >>> import numpy as np
    >>> import sparsecode.spams as spams
    >>> np.round(spams.conjGrad(np.array([[2.0, 0.0], [0.0, 4.0]]), np.array([1.0, 1.0])), 6).tolist()
    [0.5, 0.25]
    """
    from scipy.sparse.linalg import cg

    A, b = np.asarray(A), np.asarray(b)
    n = A.shape[1]
    try:
        x, _ = cg(A, b, x0=x0, rtol=tol, maxiter=n if itermax is None else int(itermax))
    except TypeError:  # SciPy < 1.12 names it tol
        x, _ = cg(A, b, x0=x0, tol=tol, maxiter=n if itermax is None else int(itermax))
    return x.astype(A.dtype, copy=False)


def _missing(name, what):
    def f(*args, **kwargs):
        _not_yet(what)

    f.__name__ = f.__qualname__ = name
    f.__doc__ = f"SPAMS's ``{name}``: not yet provided by sparsecode (raises ``NotImplementedError``)."
    return f


for _name in ("fistaTree", "fistaGraph", "proximalTree", "proximalGraph", "structTrainDL"):
    globals()[_name] = _missing(_name, f"{_name}")
del _name
