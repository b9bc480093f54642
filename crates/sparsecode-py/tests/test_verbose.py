"""``verbose``: the core reports each iteration to a Python callable and
the package prints scikit-learn's lines; an exception raised there stops
the fit."""

import re

import numpy as np
import pytest
import sklearn.decomposition as skd

import sparsecode as sc
from sparsecode import _core


def lines(capsys):
    return capsys.readouterr().out.splitlines()


def test_minibatch_prints_scikit_learns_lines(capsys):
    X = np.random.RandomState(0).randn(200, 8)
    kw = dict(n_components=6, batch_size=20, max_iter=3, random_state=0, verbose=1)
    sc.MiniBatchDictionaryLearning(**kw).fit(X)
    ours = lines(capsys)
    skd.MiniBatchDictionaryLearning(**kw).fit(X)
    theirs = lines(capsys)
    shape = re.compile(r"Minibatch step (\d+)/(\d+): mean batch cost: [0-9.e+-]+(, ewa cost: [0-9.e+-]+)?$")
    assert ours[0] == theirs[0] == "[dict_learning]"
    # The same steps, the same totals, the smoothed cost from the same step on.
    strip = lambda ls: [(m.group(1), m.group(2), m.group(3) is None) for m in map(shape.match, ls) if m]
    assert strip(ours) == strip(theirs)
    assert [l for l in ours if l.startswith("Converged")] == [l for l in theirs if l.startswith("Converged")]


@pytest.mark.parametrize("verbose", [1, 2])
def test_dictionary_learning_prints_scikit_learns_lines(capsys, verbose):
    X = np.random.RandomState(0).randn(30, 8)
    sc.DictionaryLearning(n_components=4, max_iter=5, random_state=0, verbose=verbose).fit(X)
    out = capsys.readouterr().out
    if verbose == 1:
        assert out.startswith("[dict_learning] ") and out.count(".") >= 1
    else:
        rows = out.splitlines()
        assert rows and all(re.match(r"Iteration +\d+ \(elapsed time: +\d+s, +[0-9.]+mn, current cost +[0-9.a-z]+\)", r) for r in rows if r.startswith("Iteration"))
        assert rows[0].startswith("Iteration   0")


def test_quiet_by_default(capsys):
    sc.MiniBatchDictionaryLearning(n_components=4, max_iter=2, random_state=0).fit(np.random.RandomState(0).randn(50, 8))
    assert capsys.readouterr().out == ""


def test_an_exception_in_the_progress_callable_stops_the_fit():
    calls = []

    def stop(iteration, total, objective, smoothed):
        calls.append(iteration)
        if iteration == 3:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        _core.fit_dictionary(np.random.RandomState(0).randn(100, 8), "online", 4, batch_size=10, max_epochs=5, progress=stop)
    assert calls == [1, 2, 3]


def test_a_lasso_that_stops_at_max_iter_warns_as_scikit_learn():
    from sklearn.exceptions import ConvergenceWarning

    rs = np.random.RandomState(0)
    # 40 atoms over 20 features: coordinate descent needs many passes (10
    # atoms: its exact solve on the support settles in one).
    D40, D, X = rs.randn(40, 20), rs.randn(10, 20), rs.randn(3, 20)
    for algorithm, d in (("lasso_cd", D40), ("ista", D), ("fista", D)):
        with pytest.warns(ConvergenceWarning, match="did not converge for 3 of 3"):
            sc.sparse_encode(X, d, algorithm=algorithm, alpha=0.01, max_iter=1)
        with pytest.warns(ConvergenceWarning, match="did not converge for 3 of 3"):
            sc.sparse_encode(X, d, algorithm=algorithm, alpha=0.01, max_iter=1, output="csr")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        sc.sparse_encode(X, D, algorithm="lasso_cd", alpha=0.01)
        sc.sparse_encode(X, D, algorithm="omp", n_nonzero_coefs=3)
