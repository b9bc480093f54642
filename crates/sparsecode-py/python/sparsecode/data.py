"""The image bundled with the package."""

from . import _core

__all__ = ["camera"]


def camera():
    """scikit-image's ``camera`` (512 × 512, gray, values 0..255 as float64),
    embedded in the core: no download, no scikit-image needed.

    Returns
    -------
    image : ndarray of shape (512, 512), float64
        The photograph, values from 0 to 255.

    Examples
    --------
    >>> from sparsecode.data import camera
    >>> img = camera()
    >>> img.shape, img.dtype.name, float(img.min()) >= 0.0, float(img.max()) <= 255.0
    ((512, 512), 'float64', True, True)
    """
    return _core.camera()
