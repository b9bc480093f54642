"""One source of truth: the Python door states no default of its own (the
core's fill every ``None``), reads names as the core spells them, and gives
the same answer, to the bit, as the command line for the same call."""

import inspect
import pathlib
import subprocess

import numpy as np
import pytest

import sparsecode as sc
from sparsecode import _core
from sparsecode._util import seed_of

ROOT = pathlib.Path(__file__).resolve().parents[3]


def cli():
    """The `sparsecode` binary that `cargo test --workspace` builds (the
    README's test command builds it before this suite runs)."""
    path = ROOT / "target" / "debug" / "sparsecode"
    if not path.exists():
        subprocess.run(["cargo", "build", "-q", "-p", "sparsecode-cli"], cwd=ROOT, check=True)
    return str(path)


def run(*args):
    subprocess.run([cli(), *map(str, args)], check=True, capture_output=True)


def test_sparsecodes_own_parameters_default_to_the_core():
    """Every parameter that the core owns is ``None`` in the signature of
    sparsecode's own functions and estimators."""
    own = {
        sc.denoise: {"image", "sigma", "return_report", "n_jobs"},
        sc.inpaint: {"image", "known", "missing_values", "return_report", "n_jobs"},
        sc.KSVD.__init__: {"self", "exact", "split_sign", "n_jobs", "dict_init", "missing_values"},
    }
    for fn, outside in own.items():
        for name, p in inspect.signature(fn).parameters.items():
            if name not in outside:
                assert p.default is None, f"{fn.__qualname__}({name}={p.default!r}): the core owns this default"


def test_the_cores_defaults_given_explicitly_change_nothing():
    """Passing ``sparsecode.defaults(...)`` gives the same bits as leaving
    every parameter at ``None``."""
    img = sc.data.camera()[200:248, 180:228].copy()
    noisy = img + 20 * np.random.RandomState(0).randn(*img.shape)
    # The default method (WNNM) reads only these; the learned dictionary, the rest.
    assert sc.defaults("denoise", 20.0) == {"colour": "opponent", "method": "wnnm"}
    d = sc.defaults("denoise", 20.0, method="dictionary")
    assert d["n_atoms"] == 256 and d["non_local"] == "average" and d["method"] == "dictionary"
    names = {"patch": "patch_size", "seed": "random_state"}
    for method in [None, "dictionary"]:
        explicit = {names.get(k, k): v for k, v in sc.defaults("denoise", 20.0, method=method).items()}
        plain = sc.denoise(noisy, 20.0) if method is None else sc.denoise(noisy, 20.0, method=method)
        np.testing.assert_array_equal(sc.denoise(noisy, 20.0, **explicit), plain)
    known = np.random.RandomState(1).rand(*img.shape) > 0.4
    e = {names.get(k, k): v for k, v in sc.defaults("inpaint").items()}
    np.testing.assert_array_equal(sc.inpaint(img, known, **e), sc.inpaint(img, known))
    with pytest.raises(ValueError, match="no defaults"):
        sc.defaults("nothing")


def test_names_are_the_cores_in_either_spelling():
    assert set(_core.ALGORITHMS) >= {"omp", "lars", "lasso_lars", "lasso_cd", "threshold", "hard_threshold"}
    img = sc.data.camera()[:40, :40].copy()
    rgb = np.stack([img, 0.8 * img + 20, 0.6 * img + 40], axis=2) + 15 * np.random.RandomState(2).randn(40, 40, 3)
    kw = dict(method="dictionary", n_atoms=64, steps=20, patch_size=6)
    np.testing.assert_array_equal(sc.denoise(rgb, 15, colour="joint-rgb", **kw), sc.denoise(rgb, 15, colour="joint_rgb", **kw))
    np.testing.assert_array_equal(
        sc.denoise(img, 15, non_local="group-lasso", **kw), sc.denoise(img, 15, non_local="group_lasso", **kw)
    )
    with pytest.raises(ValueError, match="unknown colour"):
        sc.denoise(img, 15, colour="yuv")
    # scikit-learn's own functions validate as scikit-learn does, against the core's names.
    with pytest.raises(ValueError, match="lasso_goal"):
        sc.sparse_encode(img[:, :8], img[:4, :8], algorithm="lasso")


def test_applicability_is_the_cores():
    """A setting that does not apply is refused by the core, by name."""
    X = np.random.RandomState(0).randn(10, 8)
    D = np.random.RandomState(1).randn(12, 8)
    assert _core.settings("lars") == ["n_nonzero"]
    with pytest.raises(ValueError, match="l2"):
        sc.sparse_encode(X, D, algorithm="omp", l2=0.1)
    with pytest.raises(ValueError, match="tol"):
        sc.sparse_encode(X, D, algorithm="lars", tol=0.1)
    with pytest.raises(ValueError, match="init"):
        sc.sparse_encode(X, D, algorithm="lasso_lars", init=np.zeros((10, 12)))


def test_the_command_line_and_python_give_the_same_bits(tmp_path):
    rs = np.random.RandomState(3)
    D = rs.randn(64, 48)
    D /= np.linalg.norm(D, axis=1, keepdims=True)
    X = (rs.randn(300, 64) * (rs.rand(300, 64) < 0.1)) @ D + 0.05 * rs.randn(300, 48)
    np.save(tmp_path / "D.npy", D)
    np.save(tmp_path / "X.npy", X)
    # encode, each algorithm with its defaults
    for algorithm in ["omp", "lars", "lasso_lars", "lasso_cd", "threshold"]:
        out = tmp_path / f"c-{algorithm}.npy"
        run("encode", "--dict", tmp_path / "D.npy", "--input", tmp_path / "X.npy", "--algorithm", algorithm, "-o", out)
        np.testing.assert_array_equal(np.load(out), sc.sparse_encode(X, D, algorithm=algorithm), err_msg=algorithm)
    # learn, each method with its defaults (K-SVD through the estimator)
    for method, extra in [("online", ["--epochs", "2"]), ("batch", ["--epochs", "3"])]:
        out = tmp_path / f"D-{method}.npy"
        run("learn", "--input", tmp_path / "X.npy", "--atoms", 16, "--method", method, *extra, "-o", tmp_path / "m.model", "--dict-out", out)
        ours = _core.fit_dictionary(X, method, 16, max_epochs=int(extra[1]))[0]
        np.testing.assert_array_equal(np.load(out), ours, err_msg=method)
    run("learn", "--input", tmp_path / "X.npy", "--atoms", 16, "--method", "ksvd", "--seed", seed_of(0), "-o", tmp_path / "m.model",
        "--dict-out", tmp_path / "D-ksvd.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "D-ksvd.npy"), sc.KSVD(n_components=16, random_state=0).fit(X).components_)
    # denoise and inpaint, with the defaults (.npy images: exact floats)
    img = sc.data.camera()[200:264, 180:244].copy()
    noisy = img + 20 * np.random.RandomState(4).randn(*img.shape)
    np.save(tmp_path / "noisy.npy", noisy)
    run("denoise", "--image", tmp_path / "noisy.npy", "--sigma", 20, "-o", tmp_path / "den.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "den.npy"), sc.denoise(noisy, 20))
    damaged = img.copy()
    damaged[np.random.RandomState(5).rand(*img.shape) < 0.5] = np.nan
    np.save(tmp_path / "damaged.npy", damaged)
    run("inpaint", "--image", tmp_path / "damaged.npy", "--missing-value", "nan", "-o", tmp_path / "inp.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "inp.npy"), sc.inpaint(damaged, missing_values=np.nan))


def test_the_core_stub_names_every_function_and_parameter():
    """``_core.pyi`` (for IDEs and type checkers) says what the compiled
    module has: the same functions and classes, the same parameters in the
    same order."""
    import ast
    import inspect
    from pathlib import Path

    import sparsecode
    from sparsecode import _core

    stub = Path(sparsecode.__file__).with_name("_core.pyi")
    assert stub.exists() and stub.with_name("py.typed").exists()
    tree = ast.parse(stub.read_text())

    def params(fn):
        a = fn.args
        names = [p.arg for p in a.posonlyargs + a.args + a.kwonlyargs if p.arg != "self"]
        return names + ([a.kwarg.arg] if a.kwarg else [])

    def real(obj):
        return [p for p in inspect.signature(obj).parameters if p != "self"]

    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    classes = {n.name: n for n in tree.body if isinstance(n, ast.ClassDef)}
    module = {n for n in dir(_core) if not n.startswith("__") and callable(getattr(_core, n))}
    assert set(functions) | set(classes) == module
    for name, fn in functions.items():
        assert params(fn) == real(getattr(_core, name)), name
    for name, cls in classes.items():
        methods = {m.name: m for m in cls.body if isinstance(m, ast.FunctionDef)}
        assert params(methods["__init__"]) == real(getattr(_core, name)), name
        public = {m for m in dir(getattr(_core, name)) if not m.startswith("_")}
        declared = set(methods) - {"__init__"} | {t.target.id for t in cls.body if isinstance(t, ast.AnnAssign)}
        assert declared == public, name
