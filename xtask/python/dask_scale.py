"""The distributed learner at scale (issue 9): a lazily generated data set
of random 8x8 patches of several images, built inside the workers and never
gathered here, learned with 256 atoms on a LocalCluster of 1 and then 2
worker processes (one thread each). Prints, per cluster size, patches per
second, each round's time split into coding / update / the rest (transfer
and scheduling), bytes sent per round and the peak memory of each worker.

    python dask_scale.py [--patches 10000000] [--batch 8192] [--workers 1 2]

Run it in the environment `cargo xtask test` builds (target/py-test); it
uses scikit-image's sample images when scikit-image is installed, else
flips and rotations of the embedded camera image.
"""

import argparse
import json
import resource
import time

import numpy as np

_IMAGES = None


def images():
    """Gray images in [0, 1], loaded once per worker process."""
    global _IMAGES
    if _IMAGES is None:
        import sparsecode

        cam = sparsecode.data.camera() / 255.0
        try:
            from skimage import color, data

            imgs = [cam]
            for name in ["coins", "moon", "brick", "grass", "gravel", "text", "page", "clock", "horse"]:
                img = np.asarray(getattr(data, name)(), dtype=np.float64)
                if img.ndim == 3:
                    img = color.rgb2gray(img[..., :3]) if img.shape[2] >= 3 else img[..., 0]
                elif img.max() > 1.0:
                    img = img / 255.0
                imgs.append(img.astype(np.float64))
        except ImportError:
            imgs = [cam, cam[::-1], cam[:, ::-1], cam.T, np.rot90(cam), cam[::2, ::2]]
        _IMAGES = imgs
    return _IMAGES


def make_block(block_id=None, rows=0, seed=0):
    """`rows` random 8x8 patches (float32, rows of 64) for block `block_id`."""
    rng = np.random.default_rng([seed, block_id[0]])
    imgs = images()
    which = rng.integers(0, len(imgs), size=rows)
    out = np.empty((rows, 64), dtype=np.float32)
    for i, img in enumerate(imgs):
        sel = np.flatnonzero(which == i)
        r = rng.integers(0, img.shape[0] - 7, size=len(sel))
        c = rng.integers(0, img.shape[1] - 7, size=len(sel))
        win = np.lib.stride_tricks.sliding_window_view(img, (8, 8))
        out[sel] = win[r, c].reshape(len(sel), 64)
    return out


def peak_rss_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def run(n_workers, n_patches, block, batch, atoms, seed):
    import dask.array as da
    import distributed

    from sparsecode.dask import DaskDictionaryLearning

    n_blocks = -(-n_patches // block)
    chunks = tuple(min(block, n_patches - i * block) for i in range(n_blocks))
    with distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, distributed.Client(cluster) as client:
        X = da.map_blocks(
            lambda block_id=None, block_info=None: make_block(block_id, block_info[None]["chunk-shape"][0], seed),
            chunks=(chunks, (64,)),
            dtype=np.float32,
            meta=np.empty((0, 64), dtype=np.float32),
        )
        est = DaskDictionaryLearning(n_components=atoms, alpha=1.0, batch_size=batch, max_iter=1, tol=0, max_no_improvement=None, random_state=seed)
        t0 = time.perf_counter()
        est.fit(X, client=client)
        total = time.perf_counter() - t0
        mem = client.run(peak_rss_mb)
    r = est.round_seconds_
    steady = r[1:]
    return {
        "workers": n_workers,
        "patches": n_patches,
        "batch": batch,
        "atoms": atoms,
        "rounds": int(est.n_steps_),
        "samples_seen": int(est.n_samples_seen_),
        "fit_seconds": total,
        "setup_seconds": float(total - r[:, 2].sum()),
        "first_round_seconds": float(r[0, 2]),
        "patches_per_second": float(batch * len(steady) / steady[:, 2].sum()),
        "round_median": float(np.median(steady[:, 2])),
        "code_median": float(np.median(steady[:, 0])),
        "update_median": float(np.median(steady[:, 1])),
        "other_median": float(np.median(steady[:, 2] - steady[:, 0] - steady[:, 1])),
        "bytes_per_round": est.bytes_per_round_,
        "peak_worker_mb": sorted(mem.values()),
        "ewa_cost": float(est._ewa_cost),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--patches", type=int, default=10_000_000)
    ap.add_argument("--block", type=int, default=250_000)
    ap.add_argument("--batch", type=int, default=8192)
    ap.add_argument("--atoms", type=int, default=256)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    for w in args.workers:
        res = run(w, args.patches, args.block, args.batch, args.atoms, args.seed)
        print(json.dumps(res), flush=True)


if __name__ == "__main__":
    main()
