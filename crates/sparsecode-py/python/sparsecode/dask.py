"""Sparse coding on Dask arrays (the optional extra ``sparsecode[dask]``).

``sparse_encode(X, dictionary, ...)`` takes a ``dask.array`` of shape
``(n_samples, n_features)`` chunked by rows and returns a dask array of the
codes ``(n_samples, n_atoms)`` with the same row chunks. Each block is coded
by the compiled core with the GIL released, so the threaded scheduler runs
blocks in parallel as well as worker processes do; a signal's code never
depends on its neighbours, the block sizes or the thread count, so the
result equals :func:`sparsecode.sparse_encode` on the whole array, bit for
bit.

The dictionary is a NumPy array: it is put into the graph once
(``dask.delayed``) and every block's task refers to it, so a distributed
scheduler sends it to each worker once, not once per block.
"""

import numpy as np

from ._encode import check_features
from ._encode import sparse_encode as _sparse_encode

__all__ = ["sparse_encode"]


def _encode_block(block, dictionary, kwargs):
    return _sparse_encode(block, dictionary, **kwargs)


def sparse_encode(X, dictionary, *, n_jobs=1, **kwargs):
    """:func:`sparsecode.sparse_encode` over the row blocks of the dask array
    ``X``; returns a dask array (call ``.compute()``).

    ``X`` may be chunked along its columns too: it is rechunked to whole
    rows first. ``n_jobs`` is the core's thread count inside each block
    (1 by default: Dask already runs one block per worker thread);
    ``output="csr"`` is refused (a dask array of SciPy matrices is not a
    dask array of codes). Other keywords are those of
    :func:`sparsecode.sparse_encode`.
    """
    import dask
    import dask.array as da

    if kwargs.get("output", "dense") != "dense":
        raise ValueError("sparsecode.dask.sparse_encode returns dense codes; output='csr' is not supported")
    X = da.asarray(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim} dimensions")
    if X.dtype not in (np.float32, np.float64):
        X = X.astype(np.float64)
    dictionary = np.ascontiguousarray(dictionary, dtype=X.dtype)
    check_features(dictionary, X)
    if len(X.chunks[1]) > 1:
        X = X.rechunk({1: X.shape[1]})
    kwargs = dict(kwargs, n_jobs=n_jobs)
    d = dask.delayed(dictionary, pure=True)
    k = dictionary.shape[0]
    return X.map_blocks(
        _encode_block,
        d,
        kwargs,
        chunks=(X.chunks[0], (k,)),
        dtype=X.dtype,
        meta=np.empty((0, k), dtype=X.dtype),
    )
