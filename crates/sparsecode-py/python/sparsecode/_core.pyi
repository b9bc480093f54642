"""Types of the Rust core (``sparsecode._core``), for IDEs and type
checkers. ``tests/test_doors.py`` checks that this stub names every function
and class of the module and their parameters, in order."""

from typing import Any, Callable, Optional, Sequence

import numpy as np
from numpy.typing import NDArray

__version__: str
PROJECTIONS: list[str]
REGULARIZERS: list[str]
LOSSES: list[str]
MATRIX_REGULARIZERS: list[str]
ALGORITHMS: list[str]
INITS: list[str]

FloatArray = NDArray[np.floating[Any]]
Progress = Callable[[int, Optional[int], float, Optional[float]], Any]
NumpyState = tuple[Any, int, int, float]

def encode(
    dictionary: FloatArray,
    x: FloatArray,
    algorithm: str,
    n_jobs: Optional[int] = None,
    init: Optional[FloatArray] = None,
    csr: bool = False,
    mask: Optional[NDArray[np.bool_]] = None,
    report: bool = False,
    weights: Optional[FloatArray] = None,
    **coder: Any,
) -> Any: ...
def settings(algorithm: str) -> list[str]: ...
def refit(
    dictionary: FloatArray,
    x: FloatArray,
    data: FloatArray,
    indices: Sequence[int],
    indptr: Sequence[int],
    l2: float,
    gram: bool = False,
    n_jobs: Optional[int] = None,
) -> Any: ...
def project(
    u: FloatArray,
    projection: str,
    radius: float,
    l1: float,
    l2: float,
    tv: float,
    positive: bool = False,
    n_jobs: Optional[int] = None,
) -> FloatArray: ...
def simplex(z: FloatArray, x: FloatArray, n_jobs: Optional[int] = None) -> Any: ...
def fista(
    x: FloatArray,
    y: FloatArray,
    w0: FloatArray,
    regularizer: str,
    lambda1: float,
    lambda2: float,
    lambda3: float,
    loss: str,
    groups: Optional[Sequence[int]] = None,
    positive: bool = False,
    intercept: bool = False,
    max_iter: Optional[int] = None,
    tol: Optional[float] = None,
    ista: bool = False,
    info: bool = False,
    n_jobs: Optional[int] = None,
) -> Any: ...
def archetypal(
    x: FloatArray,
    n_archetypes: int,
    iterations: Optional[int] = None,
    random_init: bool = False,
    seed: Optional[int] = None,
    init: Optional[FloatArray] = None,
    robust: Optional[float] = None,
    n_jobs: Optional[int] = None,
) -> tuple[FloatArray, Any, Any, list[float]]: ...
def regularize(
    u: FloatArray,
    regularizer: str,
    lambda1: float,
    lambda2: float,
    lambda3: float,
    groups: Optional[Sequence[int]] = None,
    positive: bool = False,
    intercept: bool = False,
    values: bool = False,
    n_jobs: Optional[int] = None,
) -> Any: ...
def omp_gram(
    gram: FloatArray,
    xy_t: FloatArray,
    norms_squared: Optional[Sequence[float]] = None,
    n_nonzero: Optional[int] = None,
    tol: Optional[float] = None,
    path: bool = False,
) -> tuple[Any, int]: ...
def encode_gram(
    gram: FloatArray,
    xy_t: FloatArray,
    norms_squared: Sequence[float],
    algorithm: str,
    n_jobs: Optional[int] = None,
    **coder: Any,
) -> tuple[FloatArray, NDArray[np.int32], NDArray[np.int64]]: ...
def somp(
    dictionary: FloatArray, x: FloatArray, starts: list[int], max_atoms: int, tol: Optional[float] = None, n_jobs: Optional[int] = None
) -> tuple[FloatArray, NDArray[np.int32], NDArray[np.int64]]: ...
def group_lasso(
    dictionary: FloatArray,
    x: FloatArray,
    starts: list[int],
    lam: float,
    max_iter: Optional[int] = None,
    tol: Optional[float] = None,
    n_jobs: Optional[int] = None,
) -> tuple[FloatArray, NDArray[np.int32], NDArray[np.int64]]: ...
def default_omp_nonzero(n_atoms: int) -> int: ...
def default_omp_path_length(n_atoms: int) -> int: ...
def fit_dictionary(
    x: FloatArray,
    method: str,
    n_atoms: int,
    alpha: Optional[float] = None,
    batch_size: Optional[int] = None,
    max_epochs: Optional[int] = None,
    max_steps: Optional[int] = None,
    shuffle: Optional[bool] = None,
    seed: Optional[int] = None,
    positive_dict: bool = False,
    positive_code: bool = False,
    tol: Optional[float] = None,
    max_no_improvement: Optional[int] = None,
    init: Optional[str] = None,
    dict_init: Optional[FloatArray] = None,
    forget_rho: Optional[float] = None,
    epoch_windows: bool = False,
    atom_set: Optional[tuple[str, tuple[float, float, float, float]]] = None,
    algorithm: Optional[str] = None,
    coder_max_iter: Optional[int] = None,
    n_nonzero: Optional[int] = None,
    goal: Optional[float] = None,
    max_nonzero: Optional[int] = None,
    exact: bool = False,
    n_jobs: Optional[int] = None,
    mask: Optional[NDArray[np.bool_]] = None,
    numpy_state: Optional[NumpyState] = None,
    progress: Optional[Progress] = None,
    coder: Optional[dict[str, Any]] = None,
    seconds: Optional[float] = None,
    resume: Optional[tuple[NDArray[np.float64], NDArray[np.float64], int]] = None,
) -> tuple[FloatArray, list[float], float, str, Optional[FloatArray], Optional[FloatArray], Optional[NumpyState]]: ...
def initial_dictionary(
    x: FloatArray, n_atoms: int, init: str, dict_init: Optional[FloatArray] = None, seed: Optional[int] = None
) -> FloatArray: ...
def sparse_pca(
    x: FloatArray,
    method: str,
    n_components: int,
    alpha: Optional[float] = None,
    max_epochs: Optional[int] = None,
    tol: Optional[float] = None,
    batch_size: Optional[int] = None,
    shuffle: Optional[bool] = None,
    seed: Optional[int] = None,
    max_no_improvement: Optional[int] = None,
    dict_init: Optional[FloatArray] = None,
    start_components: Optional[FloatArray] = None,
    algorithm: Optional[str] = None,
    coder_max_iter: Optional[int] = None,
    n_jobs: Optional[int] = None,
    numpy_state: Optional[NumpyState] = None,
    progress: Optional[Progress] = None,
) -> tuple[FloatArray, FloatArray, list[float], float, str, Optional[NumpyState]]: ...
def sparse_pca_transform(x: FloatArray, components: FloatArray, mean: FloatArray, ridge_alpha: float) -> FloatArray: ...
def online_step(
    dictionary: FloatArray,
    a: FloatArray,
    b: FloatArray,
    step: int,
    x: FloatArray,
    alpha: float,
    algorithm: Optional[str] = None,
    positive_code: bool = False,
    positive_dict: bool = False,
    coder_max_iter: Optional[int] = None,
    seed: Optional[int] = None,
    n_jobs: Optional[int] = None,
    numpy_state: Optional[NumpyState] = None,
) -> Any: ...
def batch_stats(
    dictionary: FloatArray,
    x: FloatArray,
    alpha: float,
    algorithm: Optional[str] = None,
    positive_code: bool = False,
    coder_max_iter: Optional[int] = None,
    n_jobs: Optional[int] = None,
) -> Any: ...
def extract_patches(image: FloatArray, ph: int, pw: int, corners: Optional[Sequence[tuple[int, int]]] = None) -> FloatArray: ...
def reconstruct_patches(patches: FloatArray, ph: int, pw: int, height: int, width: int, channels: int) -> FloatArray: ...
def denoise(
    image: FloatArray,
    sigma: float,
    patch: Optional[int] = None,
    n_atoms: Optional[int] = None,
    iterations: Optional[int] = None,
    gain: Optional[float] = None,
    lambda_factor: Optional[float] = None,
    max_training: Optional[int] = None,
    seed: Optional[int] = None,
    learner: Optional[str] = None,
    steps: Optional[int] = None,
    sparsity_weights: Optional[bool] = None,
    non_local: Optional[str] = None,
    colour: Optional[str] = None,
    method: Optional[str] = None,
    n_jobs: Optional[int] = None,
) -> tuple[FloatArray, float]: ...
def inpaint(
    image: FloatArray,
    known: NDArray[np.bool_],
    sigma: Optional[float] = None,
    patch: Optional[int] = None,
    n_atoms: Optional[int] = None,
    max_atoms: Optional[int] = None,
    steps: Optional[int] = None,
    refine: Optional[int] = None,
    max_training: Optional[int] = None,
    seed: Optional[int] = None,
    n_jobs: Optional[int] = None,
) -> tuple[FloatArray, float]: ...
def known_pixels(image: FloatArray, missing: float) -> NDArray[np.bool_]: ...
def observed(x: FloatArray, missing: float) -> NDArray[np.bool_]: ...
def estimate_sigma(image: FloatArray) -> float: ...
def camera() -> FloatArray: ...
def defaults(kind: str, sigma: Optional[float] = None, method: Optional[str] = None) -> dict[str, Any]: ...
def threads_for(n: int) -> int: ...
def _panic_for_tests() -> None: ...

class Schedule:
    batch_size: int
    max_steps: int
    steps_per_epoch: int
    def __init__(self, n_samples: int, batch_size: Optional[int] = None, max_epochs: Optional[int] = None, max_steps: Optional[int] = None) -> None: ...
    def range(self, step: int) -> tuple[int, int]: ...
    def epochs(self, steps: int) -> int: ...

class OnlineRun:
    n_steps: int
    objective: float
    records: list[tuple[float, float, int]]
    def __init__(
        self,
        dictionary: FloatArray,
        n_samples: int,
        batch_size: Optional[int] = None,
        seed: Optional[int] = None,
        positive_dict: bool = False,
        tol: Optional[float] = None,
        max_no_improvement: Optional[int] = None,
        forget_rho: Optional[float] = None,
        numpy_state: Optional[NumpyState] = None,
    ) -> None: ...
    def step(self, parts: Any, pool: FloatArray) -> Optional[str]: ...
    def state(self) -> tuple[FloatArray, FloatArray, FloatArray]: ...
def regularize_matrix(
    u: FloatArray,
    regularizer: str,
    lambda1: float,
    lambda2: float,
    size_group: int,
    positive: bool = False,
    intercept: bool = False,
    values: bool = False,
) -> Any: ...
def fista_matrix_py(
    x: FloatArray,
    y: FloatArray,
    w0: FloatArray,
    regularizer: str,
    lambda1: float,
    lambda2: float,
    size_group: int,
    positive: bool = False,
    intercept: bool = False,
    max_iter: Optional[int] = None,
    tol: Optional[float] = None,
    ista: bool = False,
    n_jobs: Optional[int] = None,
) -> tuple[FloatArray, int]: ...
