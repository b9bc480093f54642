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

import time

import numpy as np
from sklearn.base import _fit_context
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from . import _core
from ._docs import sklearn_sections
from ._encode import check_features
from ._encode import sparse_encode as _sparse_encode
from ._estimators import MiniBatchDictionaryLearning
from ._util import FLOATS, contiguous, count, numpy_state, refuse, seed_of, threads

__all__ = ["DaskDictionaryLearning", "sparse_encode"]


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

    Parameters
    ----------
    X : dask array of shape (n_samples, n_features)
        The signals, as rows.
    dictionary : ndarray of shape (n_components, n_features)
        The atoms, as rows.
    n_jobs : int, default=1
        The core's threads inside each block.
    **kwargs
        :func:`sparsecode.sparse_encode`'s keywords.

    Returns
    -------
    code : dask array of shape (n_samples, n_components)
        Lazy: call ``.compute()``.

    Examples
    --------
    >>> import dask.array as da
    >>> import numpy as np
    >>> from sparsecode.dask import sparse_encode
    >>> D = np.eye(4)[:3]
    >>> X = da.from_array(np.array([[0.0, 3.0, 0.5, 0.0]] * 6), chunks=(2, 4))
    >>> sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=1).compute()[0]
    array([0., 3., 0.])
    """
    import dask
    import dask.array as da

    if kwargs.get("output", "dense") != "dense":
        raise ValueError("sparsecode.dask.sparse_encode returns dense codes; output='csr' is not supported")
    if kwargs.get("mask") is not None:
        raise ValueError("sparsecode.dask.sparse_encode does not take mask (one mask for every block would not fit them); "
                         "code incomplete rows with sparsecode.sparse_encode(..., mask=...) on each block")
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


# ---------------------------------------------------------------------------
# Distributed online dictionary learning.

#: Rows of each worker's mini-batch sent back as candidates for restarting
#: unused atoms (the in-memory learner draws them from its whole batch; with
#: one worker and batches of up to this size the two are the same).
POOL_ROWS = 256


def _gather_rows(blocks, picks, n_features, dtype):
    """A group's rows of a mini-batch, as one fresh C-ordered array of
    ``dtype`` (blocks unpickled on a worker may be unaligned). ``picks`` is
    ``("slices", [(block, start, stop), ...])``: those rows in that order;
    ``("draw", m, seed)``: ``m`` rows drawn uniformly with replacement from
    all the group's blocks by a generator seeded with ``seed``; or
    ``("rows", which, rows)``: row ``rows[i]`` of block ``which[i]``. The
    first two are a few numbers whatever the batch size, so a round's
    message to a worker stays small."""
    kind = picks[0]
    if kind == "slices":
        parts = [np.asarray(blocks[i])[start:stop] for i, start, stop in picks[1]]
        out = np.empty((sum(len(p) for p in parts), n_features), dtype=dtype)
        np.concatenate(parts, out=out, casting="unsafe")
        return out
    if kind == "draw":
        _, m, seed = picks
        offsets = np.cumsum([0] + [len(b) for b in blocks])
        idx = np.random.default_rng(seed).integers(0, offsets[-1], size=m)
        which = np.searchsorted(offsets, idx, side="right") - 1
        rows = idx - offsets[which]
    else:
        _, which, rows = picks
    out = np.empty((len(rows), n_features), dtype=dtype)
    for i, block in enumerate(blocks):
        sel = which == i
        if sel.any():
            out[sel] = np.asarray(block)[rows[sel]]
    return out


def _group_stats(blocks, picks, dictionary, coder):
    """One worker's share of a round: its rows of the round's mini-batch,
    coded with ``dictionary`` by the core. Returns NumPy arrays and numbers
    only (``batch_stats``'s ``(A, Bᵀ, n, cost, nnz)``, the first
    :data:`POOL_ROWS` rows of the batch, and the seconds it took), so
    driver and workers never exchange Rust objects."""
    start = time.perf_counter()
    dictionary = contiguous(dictionary)  # unpickled from the wire: maybe unaligned
    batch = _gather_rows(blocks, picks, dictionary.shape[1], dictionary.dtype)
    stats = _core.batch_stats(dictionary, batch, **coder)
    return stats + (batch[:POOL_ROWS], time.perf_counter() - start)


class _Plan:
    """Which rows each round reads, and which worker group reads them.

    Blocks are dealt to ``n_groups`` groups in turn (block ``i`` to group
    ``i mod n_groups``). A round's mini-batch is, without shuffling, the next
    ``batch_size`` rows in order, cycling as the in-memory learner does
    (the last batch of a pass is shorter); with shuffling, ``batch_size``
    rows drawn uniformly with replacement: the driver splits the count
    among the groups (multinomially, by their rows) and each group draws its
    own rows from a generator seeded by the seed, the round and the group,
    so the driver never holds a permutation of all rows and sends a few
    numbers a round. Both depend only on the seed, the block sizes and the
    number of groups."""

    def __init__(self, chunks, n_groups, batch_size, max_epochs, shuffle, seed):
        self.offsets = np.concatenate([[0], np.cumsum(chunks)]).astype(np.int64)
        self.n = int(self.offsets[-1])
        self.n_groups = n_groups
        block_ids = np.arange(len(chunks))
        self.group_of = block_ids % n_groups
        self.position = block_ids // n_groups
        self.group_rows = np.bincount(self.group_of, weights=np.asarray(chunks, dtype=np.float64), minlength=n_groups)
        self.batch_size = batch_size
        # The in-memory learners' schedule, from the core.
        self.schedule = _core.Schedule(self.n, batch_size, max_epochs)
        self.shuffle = shuffle
        self.seed = seed
        self.rng = np.random.default_rng(seed)

    def blocks_of(self, g):
        return [i for i in range(len(self.group_of)) if self.group_of[i] == g]

    def round(self, step):
        """``(group, picks)`` for every group that reads rows in round
        ``step``, in group order (``picks`` as :func:`_gather_rows` takes
        them)."""
        if self.shuffle:
            counts = self.rng.multinomial(self.batch_size, self.group_rows / self.n)
            return [(g, ("draw", int(m), [self.seed, step, g])) for g, m in enumerate(counts) if m > 0]
        start, end = self.schedule.range(step)
        slices = [[] for _ in range(self.n_groups)]
        first = int(np.searchsorted(self.offsets, start, side="right")) - 1
        for i in range(first, len(self.offsets) - 1):
            lo, hi = max(start, self.offsets[i]), min(end, self.offsets[i + 1])
            if lo >= hi:
                break
            slices[self.group_of[i]].append((int(self.position[i]), int(lo - self.offsets[i]), int(hi - self.offsets[i])))
        return [(g, ("slices", sl)) for g, sl in enumerate(slices) if sl]

    def sample(self, size):
        """``size`` distinct rows at random, in order (the start's sample)."""
        idx = np.arange(self.n) if size >= self.n else np.sort(self.rng.choice(self.n, size=size, replace=False))
        block = np.searchsorted(self.offsets, idx, side="right") - 1
        group = self.group_of[block]
        return [
            (g, ("rows", self.position[block[group == g]], idx[group == g] - self.offsets[block[group == g]]))
            for g in range(self.n_groups)
            if (group == g).any()
        ]


class _Local:
    """Rounds run in this process, on the blocks in memory."""

    def __init__(self, blocks, plan):
        self.groups = [[blocks[i] for i in plan.blocks_of(g)] for g in range(plan.n_groups)]
        self.n_workers = 1

    def rows(self, parts, n_features, dtype):
        return [_gather_rows(self.groups[g], picks, n_features, dtype) for g, picks in parts]

    def stats(self, parts, dictionary, coder):
        return [_group_stats(self.groups[g], picks, dictionary, coder) for g, picks in parts]


class _Distributed:
    """Rounds run on a ``distributed`` cluster: block ``i`` is computed and
    kept on worker ``i mod n_groups`` (of the workers sorted by address), and
    each group's task is sent where its blocks are, or anywhere if that
    worker is gone (lost blocks are recomputed from the graph)."""

    def __init__(self, client, blocks, plan, workers):
        self.client = client
        self.workers = workers
        self.n_workers = len(workers)
        futures = [
            client.compute(b, workers=[workers[plan.group_of[i]]], allow_other_workers=True)
            for i, b in enumerate(blocks)
        ]
        self.groups = [[futures[i] for i in plan.blocks_of(g)] for g in range(plan.n_groups)]

    def _run(self, fn, parts, *args):
        futs = [
            self.client.submit(
                fn, self.groups[g], picks, *args, workers=[self.workers[g]], allow_other_workers=True, pure=False
            )
            for g, picks in parts
        ]
        return self.client.gather(futs)

    def rows(self, parts, n_features, dtype):
        return self._run(_gather_rows, parts, n_features, dtype)

    def stats(self, parts, dictionary, coder):
        # The dictionary is scattered once per round, to one worker; each
        # other worker fetches it once, from a peer (a broadcast would wait
        # on a worker that died unnoticed).
        d = self.client.scatter(dictionary, hash=False)
        # Arrays unpickled from the wire may be unaligned: realigned here.
        return [
            tuple(contiguous(v) if isinstance(v, np.ndarray) else v for v in part)
            for part in self._run(_group_stats, parts, d, coder)
        ]


def _is_dask(X):
    return type(X).__module__.startswith("dask.")


@sklearn_sections(MiniBatchDictionaryLearning)
class DaskDictionaryLearning(MiniBatchDictionaryLearning):
    """:class:`sparsecode.MiniBatchDictionaryLearning` fitted on a
    ``dask.array`` across a ``distributed`` cluster, with the same
    parameters.

    Each round (one mini-batch step) the driver broadcasts the dictionary
    once; every worker gathers its rows of the round's mini-batch from the
    blocks it holds, codes them with the compiled core and returns only its
    statistics ``Σ ccᵀ``, ``Σ xcᵀ``, its sample count and cost (NumPy
    arrays) and up to :data:`POOL_ROWS` rows as candidates for restarting
    unused atoms; the driver merges them once, in a fixed order, and updates
    the dictionary with the in-memory learner's forgetting, atom updates
    and stopping rules (the library's ``OnlineRun``).

    ``batch_size`` is the round's mini-batch over all workers. Without
    ``shuffle`` the rounds read the rows in order, as the in-memory learner
    does, so with one worker the dictionary is the in-memory learner's, bit
    for bit; with ``shuffle`` (the default) each round draws its rows
    uniformly with replacement. The start is ``dict_init``, or the SVD of
    up to ``20 · n_components`` rows drawn at random (all rows when there
    are no more: the in-memory start). Results depend on the seed, the
    block sizes and the number of workers at the start of the fit, not on
    where blocks are computed, so a fit survives the loss of a worker with
    the same answer.

    ``fit(X, client=None)`` uses ``client`` (a ``distributed.Client`` or a
    scheduler's address such as ``"tcp://scheduler:8786"``), else the
    current ``distributed`` client; with none, or when ``X`` is a NumPy
    array, the rounds run in this process (a dask ``X`` is computed here).
    ``n_jobs`` is the core's threads in each task (``None``: 1, since Dask
    already runs a task per worker thread). ``callback(locals())`` is
    called after every round, as scikit-learn does. Beyond scikit-learn's
    attributes: ``n_samples_seen_`` (signals merged into the statistics),
    ``round_seconds_`` (each round's ``(coding, update, whole round)``
    seconds; coding is the slowest worker's) and ``bytes_per_round_``.

    Examples
    --------
    Without a ``distributed`` client the rounds run in this process:

    >>> import dask.array as da
    >>> import numpy as np
    >>> from sparsecode.dask import DaskDictionaryLearning
    >>> X = da.from_array(np.random.RandomState(0).randn(600, 16), chunks=(200, 16))
    >>> dl = DaskDictionaryLearning(n_components=8, batch_size=64, max_iter=2, random_state=0).fit(X)
    >>> dl.components_.shape
    (8, 16)
    """

    def _refuse_unsupported(self):
        refuse("verbose", self.verbose, False)
        # Learning from incomplete rows is the in-memory learner's; across
        # workers it is not built (it would be silently ignored).
        refuse("missing_values", self.missing_values, None)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None, *, client=None):
        self._refuse_unsupported()
        own = isinstance(client, str)
        client = _client(client)
        try:
            return self._fit(X, client)
        finally:
            if own:
                client.close()

    def _fit(self, X, client):
        if _is_dask(X):
            import dask.array as da

            X = da.asarray(X)
            if X.ndim != 2:
                raise ValueError(f"X must be 2-D (n_samples, n_features), got {X.ndim} dimensions")
            if X.dtype not in (np.float32, np.float64):
                X = X.astype(np.float64)
            if any(np.isnan(c) for c in X.chunks[0] + X.chunks[1]):
                raise ValueError("X has unknown chunk sizes (NaN): call X.compute_chunk_sizes() first")
            if X.shape[0] == 0 or X.shape[1] == 0:
                raise ValueError(f"Found array with {X.shape[0]} sample(s) and {X.shape[1]} feature(s) while a minimum of 1 is required.")
            if len(X.chunks[1]) > 1:
                X = X.rechunk({1: X.shape[1]})
            self.n_features_in_ = X.shape[1]
            chunks = X.chunks[0]
            if client is None:
                blocks = np.split(contiguous(np.asarray(X.compute())), np.cumsum(chunks)[:-1])
            else:
                blocks = X.to_delayed().ravel().tolist()
        else:
            # An array in memory is learned here, whatever the client.
            client = None
            X = contiguous(validate_data(self, X, dtype=FLOATS, copy=False))
            chunks, blocks = (X.shape[0],), [X]
        self._check_params(X)
        n, n_features = X.shape
        dtype = np.dtype(X.dtype)
        k, bs = count("n_components", self._n_components), count("batch_size", self._batch_size)
        # Atoms are replaced with draws from random_state, as the in-memory
        # learner draws them; the rounds' rows from a seed drawn from it.
        self._random_state = check_random_state(self.random_state)
        state = numpy_state(self._random_state)
        seed = seed_of(self.random_state)
        workers = sorted(client.scheduler_info()["workers"]) if client is not None else [None]
        plan = _Plan(chunks, min(len(workers), len(chunks)), bs, count("max_iter", self.max_iter), bool(self.shuffle), seed)
        if client is None:
            rounds = _Local(blocks, plan)
        else:
            rounds = _Distributed(client, blocks, plan, workers[: plan.n_groups])

        dictionary = self._dict_init(n_features)
        if dictionary is None:
            sample = np.concatenate(rounds.rows(plan.sample(max(20 * k, bs)), n_features, dtype))
            dictionary = _core.initial_dictionary(sample, k, init="svd", seed=seed)
        run = _core.OnlineRun(
            np.ascontiguousarray(dictionary, dtype=dtype),
            n,
            batch_size=bs,
            seed=seed,
            numpy_state=state,
            positive_dict=bool(self.positive_dict),
            tol=float(self.tol),
            max_no_improvement=-1 if self.max_no_improvement is None else count("max_no_improvement", self.max_no_improvement),
        )
        coder = dict(
            alpha=float(self.alpha),
            algorithm=self._fit_algorithm,
            positive_code=bool(self.positive_code),
            coder_max_iter=count("transform_max_iter", self.transform_max_iter),
            n_jobs=1 if self.n_jobs is None else threads(self.n_jobs),
        )
        seen, seconds, sent = 0, [], []
        for step in range(plan.schedule.max_steps):
            began = time.perf_counter()
            components = run.state()[0]
            parts = rounds.stats(plan.round(step), components, coder)
            coded = time.perf_counter()
            stop = run.step([p[:5] for p in parts], np.concatenate([p[5] for p in parts]))
            seen += sum(p[2] for p in parts)
            ended = time.perf_counter()
            seconds.append((max(p[6] for p in parts), ended - coded, ended - began))
            sent.append(components.nbytes * rounds.n_workers + sum(p[0].nbytes + p[1].nbytes + p[5].nbytes for p in parts))
            if self.callback is not None:
                self.callback(locals())
            if stop is not None:
                break
        self.components_, A, B = run.state()
        self._A, self._B = A, B.T
        self._ewa_cost = run.objective
        self.n_steps_ = run.n_steps
        self.n_iter_ = float(plan.schedule.epochs(self.n_steps_))
        self.n_samples_seen_ = seen
        self.round_seconds_ = np.asarray(seconds)
        self.bytes_per_round_ = float(np.mean(sent)) if sent else 0.0
        return self

    def transform(self, X):
        """Codes of ``X``; a dask array's row blocks are coded on the
        cluster (a dask array of codes, as :func:`sparse_encode` here)."""
        if not _is_dask(X):
            return super().transform(X)
        check_is_fitted(self)
        if len(X.chunks[1]) > 1:
            X = X.rechunk({1: X.shape[1]})
        k = self.components_.shape[0] * (2 if self.split_sign else 1)
        dtype = X.dtype if X.dtype in (np.float32, np.float64) else np.float64
        return X.map_blocks(
            _transform_block, self, chunks=(X.chunks[0], (k,)), dtype=dtype,
            meta=np.empty((0, k), dtype=dtype),
        )


def _transform_block(block, estimator):
    return MiniBatchDictionaryLearning.transform(estimator, block)


def _client(client):
    """``client`` (a ``distributed.Client``, or a scheduler's address),
    else the current ``distributed`` client, else ``None``."""
    if isinstance(client, str):
        from distributed import Client

        try:
            return Client(client, timeout="10s", set_as_default=False)
        except OSError as e:
            raise OSError(f"cannot reach the Dask scheduler at {client}: {e}") from e
    if client is not None:
        if not hasattr(client, "scheduler_info"):
            raise TypeError(f"client must be a distributed.Client or a scheduler's address, got {client!r}")
        if getattr(client, "status", "running") != "running":
            raise ValueError(f"client is {client.status}: pass a running distributed.Client")
        return client
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None
