import numpy as np
import pytest


@pytest.fixture
def rng():
    return np.random.RandomState(0)


def problem(n_features, n_atoms, n_samples, dtype, seed=0):
    """Unit atoms in rows, signals made of a few atoms plus noise."""
    rng = np.random.RandomState(seed)
    D = rng.randn(n_atoms, n_features)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    C = rng.randn(n_samples, n_atoms) * (rng.rand(n_samples, n_atoms) < 0.15)
    X = C @ D + 0.05 * rng.randn(n_samples, n_features)
    return X.astype(dtype), D.astype(dtype)
