"""Every public function and estimator has a numpydoc docstring (its
parameters, what it returns or holds, an example), and every example runs
and prints what it shows."""

import doctest
import importlib
import inspect

import numpy as np
import pytest

import sparsecode as sc
import sparsecode.dask as scd

MODULES = ["sparsecode." + m for m in ("_encode", "_estimators", "_sparse_pca", "_omp", "_patches", "_denoise", "_defaults", "data", "dask", "spams")]


def public():
    for name in sc.__all__:
        if name not in ("data", "__version__"):
            yield name, getattr(sc, name)
    yield "data.camera", sc.data.camera
    for name in scd.__all__:
        yield "dask." + name, getattr(scd, name)


@pytest.mark.parametrize("name,obj", list(public()), ids=lambda v: v if isinstance(v, str) else "")
def test_the_docstring_has_numpydocs_sections(name, obj):
    doc = inspect.getdoc(obj) or ""
    if inspect.isclass(obj):
        needed = ["Parameters", "Attributes", "Examples"]
    else:
        takes = [p for p in inspect.signature(obj).parameters]
        needed = (["Parameters"] if takes else []) + ["Returns", "Examples"]
    missing = [s for s in needed if f"\n{s}\n{'-' * len(s)}\n" not in "\n" + doc]
    assert not missing, f"{name} lacks {missing}"
    assert ">>> " in doc


@pytest.mark.parametrize("module", MODULES)
def test_the_examples_run(module):
    mod = importlib.import_module(module)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    tests = [t for t in finder.find(mod, module) if t.examples]
    with np.printoptions(legacy="1.25") if np.lib.NumpyVersion(np.__version__) >= "2.0.0" else np.printoptions():
        for t in tests:
            runner.run(t)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, f"{result.failed} of {result.attempted} examples failed in {module}"
