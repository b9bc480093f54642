"""sparsecode.dask: codes of a dask array equal the in-memory codes, on the
threaded scheduler and on a two-process LocalCluster."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")

import sparsecode as sc  # noqa: E402
import sparsecode.dask as scd  # noqa: E402


def problem(dtype, n=3000, nf=36, k=60, seed=0):
    rng = np.random.RandomState(seed)
    D = rng.randn(k, nf)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = rng.randn(n, nf)
    return X.astype(dtype), D.astype(dtype)


CASES = [
    ("omp", dict(n_nonzero_coefs=5)),
    ("lasso_lars", dict(alpha=0.3)),
    ("lasso_cd", dict(alpha=0.3)),
    ("threshold", dict(alpha=0.3)),
]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("algorithm,kw", CASES)
def test_threaded_scheduler_gives_the_in_memory_codes_bit_for_bit(dtype, algorithm, kw):
    X, D = problem(dtype)
    ref = sc.sparse_encode(X, D, algorithm=algorithm, **kw)
    # Uneven row blocks and split columns (rechunked to whole rows).
    dX = da.from_array(X, chunks=((700, 1000, 1300), (20, 16)))
    out = scd.sparse_encode(dX, D, algorithm=algorithm, **kw)
    assert out.chunks[0] == (700, 1000, 1300)
    got = out.compute(scheduler="threads")
    assert got.dtype == ref.dtype
    assert np.array_equal(got, ref)


def test_refuses_csr_and_mismatched_features():
    X, D = problem(np.float64, n=100)
    dX = da.from_array(X, chunks=50)
    with pytest.raises(ValueError, match="csr"):
        scd.sparse_encode(dX, D, output="csr")
    with pytest.raises(ValueError, match="features"):
        scd.sparse_encode(dX, D[:, :10])


def test_two_worker_processes_give_the_in_memory_codes():
    X, D = problem(np.float64, n=4000)
    ref = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=0.3)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            dX = da.from_array(X, chunks=(1000, 36))
            got = client.compute(scd.sparse_encode(dX, D, algorithm="lasso_lars", alpha=0.3)).result()
    assert np.array_equal(got, ref)


def test_an_unreachable_scheduler_is_a_clear_error():
    with pytest.raises(OSError):
        distributed.Client("tcp://127.0.0.1:9", timeout="2s")


def test_unaligned_input_is_copied_not_refused():
    # Arrays unpickled from a network buffer (Dask's workers) can be unaligned.
    X, D = problem(np.float64, n=50)
    buf = bytearray(X.nbytes + 1)
    Xu = np.frombuffer(buf, dtype=np.float64, offset=1, count=X.size).reshape(X.shape)
    Xu[...] = X
    assert not Xu.flags.aligned
    assert np.array_equal(sc.sparse_encode(Xu, D, algorithm="omp", n_nonzero_coefs=3), sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=3))
