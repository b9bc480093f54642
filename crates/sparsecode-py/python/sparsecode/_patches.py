"""`extract_patches_2d` and `reconstruct_from_patches_2d` as in
:mod:`sklearn.feature_extraction.image`, computed by the core."""

from numbers import Integral, Real

import numpy as np
from sklearn.feature_extraction.image import _compute_n_patches
from sklearn.utils import check_array, check_random_state
from sklearn.utils._param_validation import Interval, RealNotInt, validate_params

from sklearn.feature_extraction import image as _ski

from . import _core
from ._docs import sklearn_sections
from ._util import count


@validate_params(
    {
        "image": [np.ndarray],
        "patch_size": [tuple, list],
        "max_patches": [Interval(RealNotInt, 0, 1, closed="neither"), Interval(Integral, 1, None, closed="left"), None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
@sklearn_sections(_ski.extract_patches_2d)
def extract_patches_2d(image, patch_size, *, max_patches=None, random_state=None):
    """All ``patch_size`` patches of ``image`` (h, w) or (h, w, channels), or
    ``max_patches`` of them at random: the same patches, in the same order
    and dtype, as scikit-learn's (the random corners are drawn from
    ``random_state`` exactly as scikit-learn draws them).

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import extract_patches_2d
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> patches = extract_patches_2d(image, (2, 2))
    >>> patches.shape, patches[0].tolist()
    ((9, 2, 2), [[0.0, 1.0], [4.0, 5.0]])
    """
    i_h, i_w = image.shape[:2]
    p_h, p_w = patch_size
    if p_h > i_h:
        raise ValueError("Height of the patch should be less than the height of the image.")
    if p_w > i_w:
        raise ValueError("Width of the patch should be less than the width of the image.")
    image = check_array(image, allow_nd=True)
    dtype = image.dtype
    img = np.ascontiguousarray(image.reshape((i_h, i_w, -1)), dtype=np.float64)
    n_colors = img.shape[-1]
    if n_colors not in (1, 3):
        raise ValueError(f"sparsecode handles 1 or 3 channels, got {n_colors}")
    if n_colors == 1:
        img = img.reshape(i_h, i_w)
    n_patches = _compute_n_patches(i_h, i_w, p_h, p_w, max_patches)
    corners = None
    if max_patches:
        rng = check_random_state(random_state)
        i_s = rng.randint(i_h - p_h + 1, size=n_patches)
        j_s = rng.randint(i_w - p_w + 1, size=n_patches)
        corners = list(zip(i_s.tolist(), j_s.tolist()))
    flat = _core.extract_patches(img, int(p_h), int(p_w), corners)
    patches = flat.astype(dtype, copy=False)
    if n_colors == 1:
        return patches.reshape((n_patches, p_h, p_w))
    return patches.reshape((n_patches, p_h, p_w, n_colors))


@sklearn_sections(_ski.reconstruct_from_patches_2d)
def reconstruct_from_patches_2d(patches, image_size):
    """The image of ``image_size`` (h, w[, channels]) rebuilt from all its
    patches (in extraction order), each pixel the mean of the patches that
    cover it, as scikit-learn's.

    Examples
    --------
    >>> import numpy as np
    >>> from sparsecode import extract_patches_2d, reconstruct_from_patches_2d
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> back = reconstruct_from_patches_2d(extract_patches_2d(image, (2, 2)), (4, 4))
    >>> bool(np.allclose(back, image))
    True
    """
    patches = np.asarray(patches)
    i_h, i_w = image_size[:2]
    p_h, p_w = patches.shape[1:3]
    channels = image_size[2] if len(image_size) > 2 else 1
    flat = np.ascontiguousarray(patches.reshape(patches.shape[0], -1), dtype=np.float64)
    i_h, i_w, channels = (count("image_size", v) for v in (i_h, i_w, channels))
    return _core.reconstruct_patches(flat, int(p_h), int(p_w), i_h, i_w, channels).reshape(image_size)
