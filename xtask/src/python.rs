//! The Python package's tasks: `test` (every test, Rust and Python),
//! `py-bench` (the package against scikit-learn) and `wheel` (the wheel a
//! Python user installs, tested without Rust and at the declared
//! dependency floors).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use crate::docs::publish;
use crate::{cargo, root, run, site, venv, venv_at};

/// Every test: Rust, then the Python package in its own virtual environment.
pub(crate) fn test(args: &[String]) -> Result<(), String> {
    // The property tests draw their cases from one fixed seed, so that a run
    // of this command is reproducible (CI included); set PROPTEST_RNG_SEED
    // to explore other cases.
    let seed = std::env::var("PROPTEST_RNG_SEED").unwrap_or_else(|_| "1".into());
    let mut c = cargo();
    c.args(["test", "--workspace"]).env("PROPTEST_RNG_SEED", &seed);
    run(c)?;
    let mut c = cargo();
    c.args(["test", "-p", "sparsecode", "--features", "nalgebra"]).env("PROPTEST_RNG_SEED", &seed);
    run(c)?;
    let py = install_package()?;
    let mut c = Command::new(&py);
    c.current_dir(root().join("crates/sparsecode-py")).args(["-m", "pytest", "-q", "-p", "no:cacheprovider"]).args(args);
    run(c)?;
    // The documentation site's quick checks: every gallery example on small
    // data, every link, and the pages in headless Chromium.
    site::build(&py, true)
}

/// The Python package rebuilt from this tree into the virtual environment
/// `target/py-test` (made first if missing), with what its tests and the
/// documentation site need; returns that environment's Python.
pub(crate) fn install_package() -> Result<PathBuf, String> {
    let py = venv_at(&root().join("target/py-test"))?;
    let package = root().join("crates/sparsecode-py");
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet", "--upgrade", "pip"]);
    run(c)?;
    // Dependencies first, then the package itself rebuilt from this tree.
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet"]).arg(format!("{}[test,docs]", package.display()));
    run(c)?;
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet", "--force-reinstall", "--no-deps"]).arg(&package);
    run(c)?;
    Ok(py)
}

/// The Python package against scikit-learn, side by side
/// (`xtask/python/py_bench.py`, in the test environment of `test`).
pub(crate) fn py_bench() -> Result<(), String> {
    let py = root().join("target/py-test/bin/python");
    if !py.exists() {
        return Err("run `cargo xtask test` first: it builds the package into target/py-test".into());
    }
    let mut c = cargo();
    c.args(["build", "--release", "-p", "sparsecode-cli"]);
    run(c)?;
    let mut c = Command::new(&py);
    c.arg(root().join("xtask/python/py_bench.py")).arg(root().join("target/release/sparsecode"));
    table(c, "py_bench.py", "python.md", "py-bench")
}

/// Runs a script that prints a Markdown table, shows the table, and
/// rewrites the block `block` of `docs/PAGE` with it.
fn table(mut script: Command, name: &str, page: &str, block: &str) -> Result<(), String> {
    let out = script.stderr(std::process::Stdio::inherit()).output().map_err(|e| e.to_string())?;
    let table = String::from_utf8_lossy(&out.stdout).to_string();
    print!("{table}");
    if !out.status.success() {
        return Err(format!("{name} failed"));
    }
    publish(page, block, &table)
}

/// A fresh virtual environment at `dir` (any previous one removed).
fn fresh_venv(dir: &Path) -> Result<PathBuf, String> {
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    venv_at(dir)
}

/// `PATH` without the directories that hold a Rust toolchain (`cargo`,
/// `rustc`), so that nothing can compile.
fn path_without_rust() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .filter(|d| !d.join("cargo").exists() && !d.join("rustc").exists())
        .map(|d| d.display().to_string())
        .collect::<Vec<_>>()
        .join(":")
}

/// The declared floors of the package's dependencies (`name>=version` in
/// pyproject.toml's `dependencies`), as `name==version` pins.
fn floors() -> Result<Vec<String>, String> {
    let toml = std::fs::read_to_string(root().join("crates/sparsecode-py/pyproject.toml")).map_err(|e| e.to_string())?;
    let line = toml.lines().find(|l| l.starts_with("dependencies = [")).ok_or("pyproject.toml: no dependencies line")?;
    let pins: Vec<String> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .map(|dep| dep.split_once(">=").map(|(name, version)| format!("{name}=={version}")).ok_or_else(|| format!("{dep}: no floor")))
        .collect::<Result<_, _>>()?;
    Ok(pins)
}

/// The quick tests run at the dependency floors: coding, the OMP and
/// sparse PCA estimators, the learners' `verbose`, missing data. (The
/// estimator checks follow the installed scikit-learn's own test
/// parameters, and the documents' examples need the dask extra.)
const QUICK: &[&str] =
    &["tests/test_encode.py", "tests/test_omp_estimator.py", "tests/test_sparse_pca.py", "tests/test_verbose.py", "tests/test_missing.py"];

/// `wheel`: builds the abi3 wheel for this platform with maturin (release
/// profile, symbols stripped, the manylinux tag maturin verifies; the CPU
/// features are chosen at run time, as in every build) into
/// `target/wheels`; installs it into a fresh virtual environment whose
/// `PATH` holds no Rust toolchain and runs the seed's walkthrough there
/// (`xtask/python/walkthrough.py`), printing the install and run times;
/// then installs it with the declared dependency floors, exactly, and runs
/// the quick tests.
pub(crate) fn wheel() -> Result<(), String> {
    let py = venv(&["maturin>=1.5,<2"])?;
    let out = root().join("target/wheels");
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| e.to_string())?;
    }
    let mut c = Command::new(py.with_file_name("maturin"));
    c.current_dir(root()).args(["build", "--release", "--strip", "--manifest-path", "crates/sparsecode-py/Cargo.toml", "--out"]).arg(&out);
    run(c)?;
    let wheel = std::fs::read_dir(&out)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|x| x == "whl"))
        .ok_or("maturin made no wheel")?;
    println!("wheel: {}", wheel.display());

    // Without Rust: the dependencies first (from PyPI, not timed), then the
    // wheel alone, offline.
    let py = fresh_venv(&root().join("target/wheel-test"))?;
    let no_rust = path_without_rust();
    let pip = |py: &Path, args: &[&str]| {
        let mut c = Command::new(py);
        c.env("PATH", &no_rust).env_remove("CARGO").env_remove("RUSTUP_TOOLCHAIN").args(["-m", "pip", "install", "--quiet"]).args(args);
        c
    };
    run(pip(&py, &["--only-binary=:all:", "numpy", "scipy", "scikit-learn", "threadpoolctl"]))?;
    let t = Instant::now();
    let mut c = pip(&py, &["--no-index", "--no-deps"]);
    c.arg(&wheel);
    run(c)?;
    let install = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut c = Command::new(&py);
    c.env("PATH", &no_rust).current_dir(std::env::temp_dir()).arg(root().join("xtask/python/walkthrough.py"));
    run(c)?;
    println!("without Rust: installed in {install:.1} s, walkthrough ran in {:.1} s", t.elapsed().as_secs_f64());

    // At the declared floors, exactly.
    let pins = floors()?;
    let py = fresh_venv(&root().join("target/floors-test"))?;
    let mut c = pip(&py, &["--only-binary=:all:", "pytest"]);
    c.args(&pins);
    run(c)?;
    let mut c = pip(&py, &["--no-index", "--no-deps"]);
    c.arg(&wheel);
    run(c)?;
    println!("floors: {}", pins.join(" "));
    let mut c = Command::new(&py);
    c.current_dir(root().join("crates/sparsecode-py")).args(["-m", "pytest", "-q", "-p", "no:cacheprovider"]).args(QUICK);
    run(c)
}

/// `spams-bench`: `sparsecode.spams` against SPAMS (`spams-bin`) in one
/// process (`xtask/python/spams_bench.py`), in a throwaway virtual
/// environment with both; rewrites its table in `docs/spams.md`.
pub(crate) fn spams_bench() -> Result<(), String> {
    let py = fresh_venv(&root().join("target/spams-bench"))?;
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet", "--only-binary=:all:", "numpy", "scipy", "scikit-learn", "scikit-image", "spams-bin"]);
    run(c)?;
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet", "--no-deps"]).arg(root().join("crates/sparsecode-py"));
    run(c)?;
    let mut c = Command::new(&py);
    c.current_dir(std::env::temp_dir()).arg(root().join("xtask/python/spams_bench.py"));
    table(c, "spams_bench.py", "spams.md", "spams-bench")
}
