"""scikit-learn's own tests, run against sparsecode with only their import
line changed: the installed scikit-learn's
``decomposition/tests/test_dict_learning.py``, its names imported from
``sparsecode`` instead of ``sklearn.decomposition``. A drop-in passes them
all."""

import subprocess
import sys
from pathlib import Path

import pytest
import sklearn


def run_theirs(tmp_path, relative, old, new):
    src = Path(sklearn.__file__).parent / relative
    if not src.exists():
        pytest.skip(f"this scikit-learn ships without {relative}")
    text = src.read_text()
    assert old in text, f"{relative} no longer imports as expected"
    test = tmp_path / f"test_theirs_{src.stem}.py"
    test.write_text(text.replace(old, new, 1))
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "ignore::pytest.PytestUnknownMarkWarning", str(test)],
        capture_output=True, text=True, timeout=1200, cwd=tmp_path,
    )
    return p.returncode, p.stdout[-4000:] + p.stderr[-2000:]


def test_scikit_learns_dictionary_learning_tests_pass(tmp_path):
    status, out = run_theirs(
        tmp_path, "decomposition/tests/test_dict_learning.py", "from sklearn.decomposition import (", "from sparsecode import ("
    )
    assert status == 0, out
