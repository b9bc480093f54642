"""sparsecode: sparse coding and dictionary learning, a drop-in for
scikit-learn's estimators computed by a Rust core.

Change ``from sklearn.decomposition import MiniBatchDictionaryLearning`` to
``from sparsecode import MiniBatchDictionaryLearning`` and nothing else.
"""

from . import data
from ._core import __version__
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
from ._patches import extract_patches_2d, reconstruct_from_patches_2d

__all__ = [
    "KSVD",
    "DictionaryLearning",
    "MiniBatchDictionaryLearning",
    "SparseCoder",
    "data",
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
