"""The image bundled with the package."""

from . import _core


def camera():
    """scikit-image's ``camera`` (512 × 512, gray, values 0..255 as float64),
    embedded in the core: no download, no scikit-image needed."""
    return _core.camera()
