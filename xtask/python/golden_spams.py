"""Adds SPAMS's golden codes to the solvers' golden folders.

Run by `cargo xtask golden --regen` (after golden_solvers.py) inside a
throwaway virtual environment with spams-bin. For every case folder it reads
dict.npy and X.npy and writes lasso_goal.npy: `spams.lasso` in mode 1, the
code of least l1 norm with ||x - D c||^2 <= goal, and spams.json with the goal
(a fraction of the smallest squared signal norm).
"""
import json
import sys
from pathlib import Path

import numpy as np
import spams

root = Path(sys.argv[1])
for d in sorted(p for p in root.iterdir() if p.is_dir()):
    D = np.load(d / "dict.npy")  # (n_atoms, n_features)
    X = np.load(d / "X.npy")  # (n_samples, n_features)
    goal = float(0.05 * (X**2).sum(axis=1).min())
    C = spams.lasso(np.asfortranarray(X.T), np.asfortranarray(D.T), lambda1=goal, mode=1, numThreads=1)
    np.save(d / "lasso_goal.npy", np.ascontiguousarray(C.toarray().T))
    (d / "spams.json").write_text(json.dumps({"lasso_goal": goal, "spams": "spams-bin"}, indent=1))
    print(d.name, "lasso_goal written")
