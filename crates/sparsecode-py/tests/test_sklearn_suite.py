"""scikit-learn's own tests, run against sparsecode with only their import
line changed: the installed scikit-learn's
``decomposition/tests/test_dict_learning.py`` and ``test_sparse_pca.py``
(their names imported from ``sparsecode`` instead of
``sklearn.decomposition``; ``PCA`` stays scikit-learn's) and
``linear_model/tests/test_omp.py`` for our names. A drop-in passes them
all."""

import subprocess
import sys
from pathlib import Path

import pytest
import sklearn


def run_theirs(tmp_path, relative, old, new, deselect=(), plugins=()):
    src = Path(sklearn.__file__).parent / relative
    if not src.exists():
        pytest.skip(f"this scikit-learn ships without {relative}")
    text = src.read_text()
    assert old in text, f"{relative} no longer imports as expected"
    test = tmp_path / f"test_theirs_{src.stem}.py"
    test.write_text(text.replace(old, new, 1))
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnknownMarkWarning", str(test)]
        + [f"--deselect={test.name}::{name}" for name in deselect]
        + [arg for plugin in plugins for arg in ("-p", plugin)],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path,
    )
    return p.returncode, p.stdout[-4000:] + p.stderr[-2000:]


def test_scikit_learns_dictionary_learning_tests_pass(tmp_path):
    status, out = run_theirs(
        tmp_path, "decomposition/tests/test_dict_learning.py", "from sklearn.decomposition import (", "from sparsecode import ("
    )
    assert status == 0, out


def test_scikit_learns_sparse_pca_tests_pass(tmp_path):
    status, out = run_theirs(
        tmp_path,
        "decomposition/tests/test_sparse_pca.py",
        "from sklearn.decomposition import PCA, MiniBatchSparsePCA, SparsePCA",
        "from sklearn.decomposition import PCA\nfrom sparsecode import MiniBatchSparsePCA, SparsePCA",
        # scikit-learn's conftest gives its tests their `global_random_seed`
        # (42, or SKLEARN_TESTS_GLOBAL_RANDOM_SEED: all 100 pass).
        plugins=("sklearn.conftest",),
    )
    assert status == 0, out


def test_scikit_learns_omp_tests_pass_for_our_names(tmp_path):
    old = """from sklearn.linear_model import (
    LinearRegression,
    OrthogonalMatchingPursuit,
    OrthogonalMatchingPursuitCV,
    orthogonal_mp,
    orthogonal_mp_gram,
)"""
    new = """from sklearn.linear_model import LinearRegression
from sparsecode import OrthogonalMatchingPursuit, OrthogonalMatchingPursuitCV, orthogonal_mp, orthogonal_mp_gram"""
    status, out = run_theirs(tmp_path, "linear_model/tests/test_omp.py", old, new)
    assert status == 0, out
