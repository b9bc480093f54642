"""Helpers shared by the Python layer: array layout, thread counts, seeds."""

import contextlib
import os
import re

import numpy as np
from sklearn.utils import check_random_state

from . import _core

FLOATS = [np.float64, np.float32]


def contiguous(a):
    """`a` itself when it is C- or Fortran-contiguous and aligned (read in
    place by the core), else a C-ordered copy: the only copy the package
    makes of data. (Arrays unpickled from a network buffer, as Dask's
    workers receive them, can be unaligned.)"""
    if (a.flags.c_contiguous or a.flags.f_contiguous) and a.flags.aligned:
        return a
    # A fresh array (np.ascontiguousarray would keep an unaligned one).
    return np.array(a, order="C")


def threads(n_jobs):
    """scikit-learn's ``n_jobs`` as a thread count for the core: ``None``
    uses every core (the core's results never depend on the count), -1 every
    core, ``-k`` all but ``k - 1``."""
    if n_jobs is None:
        return None
    n_jobs = int(n_jobs)
    if n_jobs == 0:
        raise ValueError("n_jobs == 0 has no meaning")
    if n_jobs < 0:
        return max(1, (os.cpu_count() or 1) + 1 + n_jobs)
    # Past the machine's cores, the cores (the core's rule); no overflow.
    return _core.threads_for(min(n_jobs, 1 << 62))


def seed_of(random_state):
    """A 63-bit seed for the core, drawn from ``random_state`` as
    scikit-learn draws its own (an int gives the same seed every time)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int64).max))


def numpy_state(random_state):
    """``random_state``'s state for the core, which continues it: its 624
    words, position and kept Gaussian value (``RandomState.get_state()``)."""
    _, key, pos, has_gauss, gauss = random_state.get_state(legacy=True)
    return key.tolist(), int(pos), bool(has_gauss), float(gauss)


def set_numpy_state(random_state, state):
    """Moves ``random_state`` on to the core's state after its draws, as if
    it had made them itself."""
    key, pos, has_gauss, gauss = state
    random_state.set_state(("MT19937", np.asarray(key, dtype=np.uint32), pos, int(has_gauss), gauss))


def refuse(name, value, default):
    """Raise for a scikit-learn parameter the core cannot honour."""
    if value is not default and not (default is False and not value):
        shape = getattr(value, "shape", None)
        got = f"an array of shape {tuple(shape)}" if shape is not None else repr(value)
        if len(got) > 80:
            got = f"{got[:77]}..."
        raise ValueError(
            f"sparsecode does not support the parameter {name!r} (got {got}); "
            f"leave it at its default {default!r}"
        )


def _finite_keyword():
    """scikit-learn's name of the check_array keyword that lets NaN through
    (``ensure_all_finite`` since 1.6, ``force_all_finite`` before)."""
    import inspect

    from sklearn.utils import check_array

    return "ensure_all_finite" if "ensure_all_finite" in inspect.signature(check_array).parameters else "force_all_finite"


#: ``{keyword: "allow-nan"}`` for check_array / validate_data.
ALLOW_NAN = {_finite_keyword(): "allow-nan"}


def observed_mask(X, missing_values):
    """The boolean array of the observed entries of ``X``: those that are not
    ``missing_values`` (the core's rule: NaN matches NaN). Infinite observed
    values are refused."""
    if missing_values is None:
        return None
    mask = _core.observed(np.ascontiguousarray(X, dtype=np.float64), float(missing_values))
    if not np.all(np.isfinite(X[mask])):
        raise ValueError("Input contains infinity or a value too large for the observed entries")
    return mask


def check_mask(mask, shape):
    """``mask`` as a C-ordered boolean array of ``shape``."""
    mask = np.ascontiguousarray(mask, dtype=bool)
    if mask.shape != tuple(shape):
        raise ValueError(f"mask must have the shape of X {tuple(shape)}, got {mask.shape}")
    return mask


# The core's names of parameters that Python spells otherwise; an error
# from the core names the parameter the caller passed.
_LEARNER_NAMES = {"n_atoms": "n_components", "seed": "random_state", "threads": "n_jobs", "max_epochs": "max_iter", "iterations": "max_iter"}


@contextlib.contextmanager
def python_names(**names):
    """Inside, a ``ValueError`` from the core that names a parameter by its
    core name (``n_nonzero``) names it by the Python one instead
    (``python_names(n_nonzero="n_nonzero_coefs")``); learners' common names
    are always translated."""
    try:
        yield
    except ValueError as e:
        msg = new = str(e)
        for rust, python in {**_LEARNER_NAMES, **names}.items():
            new = re.sub(rf"(`|^){rust}(`|:)", rf"\g<1>{python}\g<2>", new)
        if new == msg:
            raise
        raise type(e)(new) from None


def count(name, value):
    """A count parameter as the core takes it (``None``: the core's default):
    a whole number from 0 to 2**63, refused by its Python name otherwise
    (the core then checks its own range, e.g. a patch side of at least 2)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 0 <= int(value) < 2**63:
        raise ValueError(f"{name} must be a whole number from 0 to 2**63, got {value!r}")
    return int(value)
