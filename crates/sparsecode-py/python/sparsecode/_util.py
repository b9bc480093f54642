"""Helpers shared by the Python layer: array layout, thread counts, seeds."""

import os

import numpy as np
from sklearn.utils import check_random_state

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
    return n_jobs


def seed_of(random_state):
    """A 63-bit seed for the core, drawn from ``random_state`` as
    scikit-learn draws its own (an int gives the same seed every time)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int64).max))


def refuse(name, value, default):
    """Raise for a scikit-learn parameter the core cannot honour."""
    if value is not default and not (default is False and not value):
        raise ValueError(
            f"sparsecode does not support the parameter {name!r} (got {value!r}); "
            f"leave it at its default {default!r}"
        )
