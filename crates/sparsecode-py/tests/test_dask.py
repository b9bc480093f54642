"""sparsecode.dask: codes of a dask array equal the in-memory codes, on the
threaded scheduler and on a two-process LocalCluster; the distributed
learner equals the in-memory one on one worker, keeps its quality on two,
and survives a worker killed in the middle of a fit."""

import os
import signal

import numpy as np
import pytest
import sklearn.decomposition as skd
from sklearn.base import clone
from sklearn.utils._test_common.instance_generator import INIT_PARAMS, PER_ESTIMATOR_XFAIL_CHECKS
from sklearn.utils.estimator_checks import estimator_checks_generator

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


# ---------------------------------------------------------------------------
# The distributed learner.


def cluster(n_workers):
    return distributed.LocalCluster(
        n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None
    )


def camera_patches(n=2000):
    img = sc.data.camera() / 255.0
    P = sc.extract_patches_2d(img, (8, 8), max_patches=n, random_state=42)
    return P.reshape(len(P), -1)


def objective(X, D, alpha=1.0):
    C = sc.sparse_encode(X, D, algorithm="lasso_lars", alpha=alpha)
    return 0.5 * np.sum((X - C @ D) ** 2) + alpha * np.abs(C).sum()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_in_process_rounds_give_the_in_memory_dictionary_bit_for_bit(dtype):
    X = camera_patches(900).astype(dtype)
    D0 = X[::30][:25]
    kw = dict(n_components=25, alpha=0.5, batch_size=64, shuffle=False, dict_init=D0, random_state=3, max_iter=3)
    ref = sc.MiniBatchDictionaryLearning(**kw).fit(X)
    # No distributed client: the rounds run here, over uneven blocks.
    got = scd.DaskDictionaryLearning(**kw).fit(da.from_array(X, chunks=((200, 450, 250), (64,))))
    assert got.components_.dtype == dtype
    assert got.n_steps_ == ref.n_steps_
    assert np.array_equal(got.components_, ref.components_)
    assert np.array_equal(got._A, ref._A) and np.array_equal(got._B, ref._B)
    assert got._ewa_cost == ref._ewa_cost


def test_one_worker_gives_the_in_memory_dictionary_bit_for_bit():
    X = camera_patches(2000)
    kw = dict(n_components=50, alpha=1.0, batch_size=200, shuffle=False, dict_init=X[:50], random_state=0, max_iter=2)
    ref = sc.MiniBatchDictionaryLearning(**kw).fit(X)
    with cluster(1) as c, distributed.Client(c) as client:
        got = scd.DaskDictionaryLearning(**kw).fit(da.from_array(X, chunks=(700, 64)), client=client)
    assert got.n_steps_ == ref.n_steps_ > 1
    assert np.array_equal(got.components_, ref.components_)
    assert got.n_samples_seen_ == 200 * got.n_steps_


def test_two_workers_reach_the_seed_objective():
    # The seed's run: 2000 camera patches, 100 atoms, alpha = 1.
    X = camera_patches()
    single = sc.MiniBatchDictionaryLearning(n_components=100, alpha=1, random_state=42).fit(X)
    with cluster(2) as c, distributed.Client(c) as client:
        est = scd.DaskDictionaryLearning(n_components=100, alpha=1, random_state=42)
        est.fit(da.from_array(X, chunks=(500, 64)), client=client)
        codes = est.transform(da.from_array(X, chunks=(500, 64))).compute()
    assert np.array_equal(codes, est.transform(X))
    ours, theirs = objective(X, est.components_), objective(X, single.components_)
    assert abs(ours - theirs) <= 0.005 * theirs, (ours, theirs)
    assert est.n_samples_seen_ == est.n_steps_ * 256


def test_a_worker_killed_mid_fit_changes_nothing():
    X = camera_patches(3000)
    kw = dict(n_components=40, alpha=1.0, batch_size=128, random_state=7, max_iter=1, tol=0, max_no_improvement=None)
    dX = da.from_array(X, chunks=(500, 64))
    with cluster(2) as c, distributed.Client(c) as client:
        calm = scd.DaskDictionaryLearning(**kw).fit(dX, client=client)
        victim = sorted(client.scheduler_info()["workers"])[1]
        pid = client.run(os.getpid, workers=[victim])[victim]
        killed = []

        def kill_at_step_5(local):
            if local["step"] == 5:
                os.kill(pid, signal.SIGKILL)
                killed.append(local["step"])

        est = scd.DaskDictionaryLearning(callback=kill_at_step_5, **kw).fit(dX, client=client)
        assert killed == [5]
    steps = -(-3000 // 128)
    assert est.n_steps_ == calm.n_steps_ == steps
    # Every round merged exactly once, and the same rounds as without the kill.
    assert est.n_samples_seen_ == steps * 128
    assert np.array_equal(est.components_, calm.components_)


def test_an_unreachable_cluster_is_a_clear_error_for_the_learner():
    X = camera_patches(300)
    with pytest.raises(OSError, match="127.0.0.1:9"):
        scd.DaskDictionaryLearning(n_components=5).fit(da.from_array(X, chunks=100), client="tcp://127.0.0.1:9")


def _dask_checks():
    theirs = skd.MiniBatchDictionaryLearning
    est = scd.DaskDictionaryLearning(**INIT_PARAMS.get(theirs, {}))
    xfail = dict(PER_ESTIMATOR_XFAIL_CHECKS.get(theirs, {}))
    for est_, check in estimator_checks_generator(est, expected_failed_checks=xfail, mark="skip"):
        name = getattr(check, "func", check).__name__
        yield pytest.param(clone(est_), check, id=f"DaskDictionaryLearning-{name}")


@pytest.mark.parametrize("estimator,check", list(_dask_checks()))
def test_check_estimator(estimator, check):
    check(estimator)
