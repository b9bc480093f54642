"""
Learning on a Dask cluster
==========================

``sparsecode.dask.DaskDictionaryLearning`` learns one dictionary from a
Dask array spread over the workers of a cluster: each worker codes its own
blocks and sends back only the small statistics the update needs. Here the
cluster is a ``LocalCluster`` of two workers in this process; the same code
runs on any ``distributed`` cluster. ``sparsecode.dask.sparse_encode``
codes a Dask array block by block.
"""

import logging
import os

import dask.array as da
import matplotlib.pyplot as plt
import numpy as np
from dask.distributed import Client, LocalCluster

from sparsecode import extract_patches_2d
from sparsecode.dask import DaskDictionaryLearning, sparse_encode
from sparsecode.data import camera

QUICK = os.environ.get("SPARSECODE_DOCS_QUICK") == "1"  # small data for the tests
logging.getLogger("distributed").setLevel(logging.WARNING)  # the cluster's start and stop, unlogged

patches = extract_patches_2d(camera() / 255.0, (8, 8), max_patches=2000 if QUICK else 20000, random_state=0)
X = patches.reshape(len(patches), -1)
X -= X.mean(axis=1, keepdims=True)
Xd = da.from_array(X, chunks=len(X) // 4)  # four blocks

with LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None) as cluster, \
        Client(cluster) as client:
    dl = DaskDictionaryLearning(n_components=36 if QUICK else 64, alpha=0.5, random_state=0).fit(Xd, client=client)
    codes = sparse_encode(Xd, dl.components_, algorithm="omp", n_nonzero_coefs=4).compute()

print("dictionary:", dl.components_.shape, "codes:", codes.shape)
print("mean non-zeros per patch:", np.count_nonzero(codes, axis=1).mean())

side = int(np.sqrt(len(dl.components_)))
fig, axes = plt.subplots(side, side, figsize=(5, 5))
for atom, ax in zip(dl.components_, axes.ravel()):
    ax.imshow(atom.reshape(8, 8), cmap="gray", interpolation="nearest")
    ax.set_axis_off()
fig.suptitle("Atoms learned across two Dask workers")
plt.show()
