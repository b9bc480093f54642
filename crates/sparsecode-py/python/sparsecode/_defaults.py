"""The core's defaults, as the package's own functions and the command line
use them."""

from . import _core


def defaults(kind, sigma=None, method=None):
    """The core's defaults for ``kind``, by the core's parameter names: the
    values that ``denoise``, ``inpaint``, ``KSVD``, the learners and
    ``sparse_encode`` take for parameters left at ``None`` (and the command
    line for options left out).

    Parameters
    ----------
    kind : {"denoise", "inpaint", "online", "batch", "ksvd", "encode"}
        Whose defaults.
    sigma : float, default=None
        For ``"denoise"``: the noise level, on which some defaults depend
        (without it, only those that do not), in gray levels of an 8-bit
        image; ``denoise`` chooses by σ in the image's own gray levels
        (σ·256 for an image in ``[0, 1]``).
    method : {"wnnm", "dictionary"}, default=None
        For ``"denoise"``: the method whose settings are listed (``None``:
        the default method). ``denoise`` refuses a setting its method does
        not read, so each method lists only its own.

    Returns
    -------
    defaults : dict
        Parameter name to default value.

    Examples
    --------
    >>> from sparsecode import defaults
    >>> d = defaults("online")
    >>> d["alpha"], d["batch_size"]
    (1.0, 256)
    >>> sorted(defaults("denoise", 20.0))
    ['colour', 'method']
    >>> defaults("denoise", 20.0, method="dictionary")["n_atoms"]
    256
    """
    return _core.defaults(kind, sigma, method)
