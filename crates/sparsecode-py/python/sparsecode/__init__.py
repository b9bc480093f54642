"""sparsecode: sparse coding and dictionary learning, a drop-in for
scikit-learn's estimators computed by a Rust core.

Change ``from sklearn.decomposition import MiniBatchDictionaryLearning`` to
``from sparsecode import MiniBatchDictionaryLearning`` and nothing else.

Parameters of sparsecode's own functions and estimators (``denoise``,
``inpaint``, ``KSVD``) left at ``None`` take the core's defaults, the same
as the command line's: ``sparsecode.defaults("denoise", sigma)`` lists them.
"""

from . import data
from ._core import __version__
from ._defaults import defaults
from ._denoise import denoise, estimate_sigma, inpaint
from ._encode import orthogonal_mp, orthogonal_mp_gram, sparse_encode
from ._estimators import (
    KSVD,
    DictionaryLearning,
    MiniBatchDictionaryLearning,
    SparseCoder,
    dict_learning,
    dict_learning_online,
)
from ._omp import OrthogonalMatchingPursuit, OrthogonalMatchingPursuitCV
from ._patches import extract_patches_2d, reconstruct_from_patches_2d
from ._sparse_pca import MiniBatchSparsePCA, SparsePCA

__all__ = [
    "KSVD",
    "DictionaryLearning",
    "MiniBatchDictionaryLearning",
    "MiniBatchSparsePCA",
    "OrthogonalMatchingPursuit",
    "OrthogonalMatchingPursuitCV",
    "SparseCoder",
    "SparsePCA",
    "data",
    "defaults",
    "denoise",
    "dict_learning",
    "dict_learning_online",
    "estimate_sigma",
    "extract_patches_2d",
    "inpaint",
    "orthogonal_mp",
    "orthogonal_mp_gram",
    "reconstruct_from_patches_2d",
    "sparse_encode",
    "__version__",
]
