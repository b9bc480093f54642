//! `docs`: the documentation site, built into `target/docs/` and checked.
//!
//! Sphinx (with sphinx-gallery, numpydoc and MyST) reads a copy of `docs/`
//! (`docs/conf.py`): the user guide, the Python API from the docstrings,
//! the gallery (every example run at build time) and the measurement
//! pages; `cargo doc`'s output is copied under `rust/`. The built site is
//! then checked by `xtask/python/site_check.py`: every internal link and
//! anchor resolves, and the front page, the gallery and one example open in
//! headless Chromium (Debian's, installed when missing) with no console
//! error and the example's figure at its size.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use crate::python::install_package;
use crate::{cargo, copy_tree, root, run};

/// The crates whose Rust API the site carries (the umbrella and the layers).
const CRATES: &[&str] = &["sparsecode", "sc-linalg", "sc-solvers", "sc-dict", "sc-patches"];

/// `cargo xtask docs [--quick] [--serve]`: the package installed from this
/// tree, the site built and checked (`--quick`: the gallery on small
/// data), then served on localhost with `--serve`.
pub(crate) fn docs(args: &[String]) -> Result<(), String> {
    let (mut quick, mut serve) = (false, false);
    for a in args {
        match a.as_str() {
            "--quick" => quick = true,
            "--serve" => serve = true,
            other => return Err(format!("docs: unknown argument {other} (takes --quick, --serve)")),
        }
    }
    let py = install_package()?;
    build(&py, quick)?;
    if serve {
        let out = root().join("target/docs");
        println!("serving {} at http://localhost:8000/ (Ctrl-C stops)", out.display());
        let mut c = Command::new(&py);
        c.args(["-m", "http.server", "8000", "--bind", "127.0.0.1", "--directory"]).arg(&out);
        run(c)?;
    }
    Ok(())
}

/// Builds the site with the Python `py` (which has the package and the
/// `docs` extra) into `target/docs/` and checks it; `quick` runs the
/// gallery on small data.
pub(crate) fn build(py: &Path, quick: bool) -> Result<(), String> {
    let start = Instant::now();
    let target = root().join("target");
    let (src, out) = (target.join("docs-src"), target.join("docs"));
    for dir in [&src, &out] {
        if dir.exists() {
            std::fs::remove_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        }
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    copy_tree(&root().join("docs"), &src)?;
    std::fs::copy(root().join("ARCHITECTURE.md"), src.join("architecture.md")).map_err(|e| e.to_string())?;

    let mut c = Command::new(py);
    c.args(["-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q"]).arg(&src).arg(&out).env("MPLBACKEND", "Agg");
    if quick {
        c.env("SPARSECODE_DOCS_QUICK", "1");
    }
    run(c)?;

    // A broken intra-doc link fails the build, as a broken link of the site does.
    let mut c = cargo();
    c.args(["doc", "--no-deps", "--quiet"]).env("RUSTDOCFLAGS", "-D warnings");
    for krate in CRATES {
        c.args(["-p", krate]);
    }
    run(c)?;
    let rust = out.join("rust");
    std::fs::create_dir_all(&rust).map_err(|e| e.to_string())?;
    copy_tree(&target.join("doc"), &rust)?;

    let chromium = chromium()?;
    let mut c = Command::new(py);
    c.arg(root().join("xtask/python/site_check.py")).arg(&out).arg(target.join("docs-check")).arg(chromium);
    run(c)?;
    println!("site built and checked in {:.0} s: {}/index.html", start.elapsed().as_secs_f64(), out.display());
    Ok(())
}

/// Debian's Chromium, installed with apt when it is missing.
fn chromium() -> Result<&'static str, String> {
    const CHROMIUM: &str = "/usr/bin/chromium";
    if !Path::new(CHROMIUM).exists() {
        let install = || {
            let mut c = Command::new("apt-get");
            c.args(["install", "-y", "-q", "chromium"]).env("DEBIAN_FRONTEND", "noninteractive");
            run(c)
        };
        if install().is_err() {
            let mut c = Command::new("apt-get");
            c.args(["update", "-q"]);
            run(c)?;
            install()?;
        }
    }
    Ok(CHROMIUM)
}
