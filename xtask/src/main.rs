//! The project's automation, run as `cargo xtask <task>`.
//!
//! - `test`: every test — `cargo test --workspace` (and the nalgebra
//!   feature), then the Python package built by `pip install
//!   ./crates/sparsecode-py` into a virtual environment under
//!   `target/py-test` and its pytest suite, then the documentation site's
//!   quick checks (`docs --quick`).
//! - `py-bench`: the Python package timed against scikit-learn in one run
//!   (`xtask/python/py_bench.py`, after `test`); rewrites its table in
//!   `docs/python.md`.
//! - `wheel`: the abi3 wheel of the Python package for this platform
//!   (maturin, release profile) in `target/wheels`, installed into a fresh
//!   virtual environment with no Rust toolchain on PATH to run the seed's
//!   walkthrough, and into one with the declared dependency floors to run
//!   the quick tests (`xtask/src/python.rs`).
//! - `spams-bench`: `sparsecode.spams` against SPAMS in one process
//!   (`xtask/python/spams_bench.py`); rewrites its table in `docs/spams.md`.
//! - `golden [--regen]`: compares every solver with scikit-learn's golden
//!   files (`--regen` first remakes them in a throwaway virtual environment).
//! - `bench [--quick]`: sparsecode against scikit-learn, SPAMS and BM3D,
//!   interleaved, with the quality of every answer (`xtask/python/bench.py`
//!   in a throwaway virtual environment); writes `target/bench/report.md`
//!   (a full run also rewrites `docs/benchmarks.md` and `docs/bench/`),
//!   `report.json` and the charts `ratios.png` and `scaling.png`. Without
//!   Python or network it says so and times sparsecode alone. `bench
//!   --criterion [args]` runs the criterion micro-benchmarks; `bench
//!   --bands` the memory of band-by-band blending on a 4096² image; `bench
//!   --charts` redraws the charts from `target/bench/report.json`.
//! - `inpaint-eval [--quick] [-- inpaint flags]`: `sparsecode inpaint`
//!   against scikit-image's `inpaint_biharmonic` and OpenCV's `cv2.inpaint`
//!   (Telea, Navier-Stokes) on six images, 30/60/80% of the pixels removed
//!   and a text overlay (`xtask/python/inpaint_eval.py`); writes
//!   `target/bench/inpaint.md` and `inpaint.json`.
//! - `denoise-eval [--quick] [-- denoise flags]`: `sparsecode denoise`
//!   against BM3D on six gray images at σ 15, 25, 50 and two colour ones
//!   (`xtask/python/denoise_eval.py`), with the `--sigma auto` estimate;
//!   writes `target/bench/denoise.md` and `denoise.json` (a full run also
//!   rewrites the table of `docs/denoising.md`; likewise `inpaint-eval`
//!   and `docs/inpainting.md`).
//! - `dask-scale [args]`: `xtask/python/dask_scale.py` (learning across
//!   Dask workers), its table in `docs/dask.md`.
//! - `docs [--quick] [--serve]`: the documentation site in `target/docs/`
//!   (Sphinx, sphinx-gallery and numpydoc from `docs/conf.py`: the user
//!   guide, the Python API, the example gallery run at build time, the
//!   measurement pages, and `cargo doc` under `rust/`), its links checked
//!   and its pages opened in headless Chromium (`xtask/src/site.rs`);
//!   `--quick` runs the gallery on small data (as `test` does), `--serve`
//!   serves the site on localhost afterwards.
//! - `audit`: what the docs say and a machine can check (run by
//!   `.ci/run`): every crate root forbids `unsafe_code`, or denies it and
//!   each `unsafe` block has an `allow` and a `SAFETY` comment; no source
//!   file over 600 lines; README.md at most 200 lines, and every `docs/`
//!   page it links exists, with its `xtask:` markers paired.
//! - `fuzz [TARGET] [--time S]`: the cargo-fuzz targets (`npy`, `png`,
//!   `pnm` in `crates/sc-patches/fuzz`, `model` in `crates/sc-dict/fuzz`) on
//!   the nightly toolchain, 600 s each by default.
//! - `deny [--refresh DB]`: `cargo deny check` (advisories, licences,
//!   duplicate versions, sources; `deny.toml`) offline, against the RustSec
//!   advisories kept in `xtask/advisories` (`--refresh` first remakes that
//!   snapshot from a clone of github.com/rustsec/advisory-db).

#![forbid(unsafe_code)]

mod charts;
mod docs;
mod python;
mod site;

use docs::{audit, publish};
use python::{py_bench, spams_bench, test, wheel};

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::Instant;

use sc_benches::{LASSO_ALPHA, OMP_TOL, camera_workload};
use sc_linalg::Real;
use sc_linalg::faer::MatRef;
use sc_solvers::{Dictionary, Encoder};

pub(crate) fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

pub(crate) fn cargo() -> Command {
    let mut c = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    c.current_dir(root());
    c
}

pub(crate) fn run(mut c: Command) -> Result<(), String> {
    let status = c.status().map_err(|e| format!("could not run {c:?}: {e}"))?;
    if status.success() { Ok(()) } else { Err(format!("{c:?} failed with {status}")) }
}

/// The Python of the virtual environment at `dir`, made there first if
/// there is none.
pub(crate) fn venv_at(dir: &Path) -> Result<PathBuf, String> {
    let py = dir.join("bin/python");
    if !py.exists() {
        let mut c = Command::new("python3");
        c.args(["-m", "venv"]).arg(dir);
        run(c)?;
    }
    Ok(py)
}

/// A virtual environment under target/ with the given PyPI packages.
pub(crate) fn venv(packages: &[&str]) -> Result<PathBuf, String> {
    let py = venv_at(&root().join("target/xtask-venv"))?;
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet"]).args(packages);
    run(c)?;
    Ok(py)
}

fn golden(args: &[String]) -> Result<(), String> {
    if args.iter().any(|a| a == "--regen") {
        let py = venv(&["numpy", "scikit-learn"])?;
        let mut c = Command::new(py);
        c.arg(root().join("xtask/python/golden_solvers.py")).arg(root().join("crates/sc-solvers/tests/golden"));
        run(c)?;
        let mut c = Command::new(venv(&["numpy", "spams-bin"])?);
        c.arg(root().join("xtask/python/golden_spams.py")).arg(root().join("crates/sc-solvers/tests/golden"));
        run(c)?;
        let mut c = Command::new(venv(&["numpy", "scikit-learn", "spams-bin"])?);
        c.arg(root().join("xtask/python/golden_masked.py")).arg(root().join("crates/sc-solvers/tests/golden_masked"));
        run(c)?;
        let mut c = Command::new(venv(&["numpy", "scipy", "spams-bin"])?);
        c.arg(root().join("xtask/python/golden_spams_api.py")).arg(root().join("crates/sparsecode-py/tests/golden_spams"));
        run(c)?;
        let mut c = Command::new(venv(&["numpy", "scikit-learn"])?);
        c.arg(root().join("xtask/python/golden_patches.py")).arg(root().join("crates/sc-patches/tests/golden"));
        run(c)?;
    }
    for (krate, test) in [("sc-solvers", "golden"), ("sc-solvers", "masked"), ("sc-patches", "golden")] {
        let mut c = cargo();
        c.args(["test", "-p", krate, "--test", test, "--", "--nocapture", "--test-threads", "1"]);
        run(c)?;
    }
    Ok(())
}

/// `bench [--quick] | --criterion [args] | --bands`.
/// An evaluation script of `xtask/python` run with the release binary in
/// the throwaway virtual environment (with `packages`), writing into
/// `target/bench`: `inpaint_eval.py` (inpainting against scikit-image's
/// and OpenCV's) or `denoise_eval.py` (denoising against BM3D).
/// A full run (no flags) also rewrites its table in `docs/PAGE` and keeps
/// its files in `docs/bench`.
fn eval_script(script: &str, packages: &[&str], args: &[String], page: &str, block: &str, table: &str) -> Result<(), String> {
    let mut c = cargo();
    c.args(["build", "--quiet", "--release", "-p", "sparsecode-cli"]);
    run(c)?;
    let py = venv(packages)?;
    let mut c = Command::new(py);
    c.arg(root().join("xtask/python").join(script))
        .arg(root().join("target/release/sparsecode"))
        .arg(root().join("target/bench"))
        .args(args);
    run(c)?;
    if args.is_empty() {
        let md = root().join("target/bench").join(table);
        std::fs::copy(&md, root().join("docs/bench").join(table)).map_err(|e| e.to_string())?;
        publish(page, block, &std::fs::read_to_string(&md).map_err(|e| e.to_string())?)?;
    }
    Ok(())
}

/// `dask-scale [script args]`: `xtask/python/dask_scale.py` in the test
/// environment of `test` (with scikit-image), one row per worker count; a
/// run with no arguments rewrites the table of `docs/dask.md`.
fn dask_scale(args: &[String]) -> Result<(), String> {
    let py = root().join("target/py-test/bin/python");
    if !py.exists() {
        return Err("run `cargo xtask test` first: it builds the package into target/py-test".into());
    }
    let mut c = Command::new(&py);
    c.args(["-m", "pip", "install", "--quiet", "scikit-image"]);
    run(c)?;
    let out = Command::new(&py).arg(root().join("xtask/python/dask_scale.py")).args(args).output().map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    print!("{text}");
    if !out.status.success() {
        return Err(format!("dask_scale.py failed: {}", String::from_utf8_lossy(&out.stderr)));
    }
    let rows: Vec<serde_json::Map<String, serde_json::Value>> =
        text.lines().filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok()?.as_object().cloned()).collect();
    let Some(first) = rows.first() else { return Err("dask_scale.py printed no result".into()) };
    let keys: Vec<&String> = first.keys().collect();
    let mut md = format!("| {} |\n|{}\n", keys.iter().map(|k| k.as_str()).collect::<Vec<_>>().join(" | "), "---|".repeat(keys.len()));
    for r in &rows {
        let cells: Vec<String> = keys.iter().map(|k| r.get(k.as_str()).map_or(String::new(), |v| v.to_string())).collect();
        md.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    if args.is_empty() {
        publish("dask.md", "dask-scale", &md)?;
    }
    Ok(())
}

fn bench(args: &[String]) -> Result<(), String> {
    match args.first().map(String::as_str) {
        Some("--criterion") => {
            let mut c = cargo();
            c.args(["bench", "-p", "sc-benches", "--"]).args(&args[1..]);
            return run(c);
        }
        Some("--bands") => {
            let mut c = cargo();
            c.args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench-alone", "--bands"]);
            return run(c);
        }
        Some("--charts") => return draw_charts(&root().join("target/bench")),
        Some("--quick") | None => {}
        Some(other) => return Err(format!("unknown bench option {other:?} (--quick, --criterion, --bands, --charts)")),
    }
    let quick = args.first().is_some_and(|a| a == "--quick");
    let t0 = Instant::now();
    let mut c = cargo();
    c.args(["build", "--quiet", "--release", "-p", "sparsecode-cli"]);
    run(c)?;
    let out = root().join("target/bench");
    std::fs::create_dir_all(&out).map_err(|e| e.to_string())?;
    match venv(&["numpy", "scikit-learn", "scikit-image", "spams-bin", "bm3d"]) {
        Ok(py) => {
            let mut c = Command::new(py);
            c.arg(root().join("xtask/python/bench.py")).arg(root().join("target/release/sparsecode")).arg(&out);
            if quick {
                c.arg("--quick");
            }
            run(c)?;
        }
        Err(e) => {
            println!("bench: no Python anchors ({e}); measuring sparsecode alone");
            let mut c = cargo();
            c.args(["run", "--quiet", "--release", "-p", "xtask", "--", "bench-alone"]).arg(&out);
            run(c)?;
        }
    }
    draw_charts(&out)?;
    println!("bench: {} (report.md, report.json, ratios.png, scaling.png) in {:.0} s", out.display(), t0.elapsed().as_secs_f64());
    if !quick {
        // The full run is the one docs/benchmarks.md shows.
        let report = std::fs::read_to_string(out.join("report.md")).map_err(|e| e.to_string())?;
        let body: String = report.lines().skip_while(|l| l.starts_with("# ")).collect::<Vec<_>>().join("\n");
        for f in ["report.md", "report.json", "ratios.png", "scaling.png"] {
            std::fs::copy(out.join(f), root().join("docs/bench").join(f)).map_err(|e| e.to_string())?;
        }
        publish("benchmarks.md", "bench", &body)?;
    }
    Ok(())
}

/// `ratios.png` and `scaling.png` in `out`, from its `report.json` (`bench
/// --charts` redraws them alone).
fn draw_charts(out: &Path) -> Result<(), String> {
    let report: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).map_err(|e| e.to_string())?)
        .map_err(|e| format!("report.json: {e}"))?;
    charts::register_font()?;
    charts::ratios(&report, &out.join("ratios.png"))?;
    charts::scaling(&report, &out.join("scaling.png"))
}

/// `bench-alone OUT | --bands` (release build, run by `bench`): with no
/// Python anchors, every encoder timed in-process on the camera workload,
/// written as `report.json` and `report.md` in OUT.
fn bench_alone(args: &[String]) -> Result<(), String> {
    if args.first().is_some_and(|a| a == "--bands") {
        return bands();
    }
    let out = PathBuf::from(args.first().ok_or("bench-alone OUT")?);
    let mut coding = Vec::new();
    coding.extend(time_precision::<f64>("f64"));
    coding.extend(time_precision::<f32>("f32"));
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let date = docs::now();
    let rows: Vec<serde_json::Value> = coding
        .iter()
        .map(|(label, prec, t)| serde_json::json!({ "label": label, "precision": prec, "ours": { "median": t[t.len() / 2], "min": t[0], "max": t[t.len() - 1], "runs": t } }))
        .collect();
    let report = serde_json::json!({
        "date": date, "quick": false, "machine": { "cpu": cpu, "cores": cores }, "anchors": {},
        "coding": rows, "learning": [], "denoising": [], "scaling": [],
    });
    std::fs::write(out.join("report.json"), serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    let mut md = format!(
        "# sparsecode benchmark (no anchors: Python or network missing)\n\n{cpu}, {cores} cores; medians of 7 runs, in-process.\n\n| task | precision | median |\n|---|---|---|\n"
    );
    for (label, prec, t) in &coding {
        md.push_str(&format!("| {label} | {prec} | {:.4} s |\n", t[t.len() / 2]));
    }
    std::fs::write(out.join("report.md"), md).map_err(|e| e.to_string())
}

/// Every encoder on the camera workload, 7 runs each: `(label, precision,
/// sorted seconds)`.
fn time_precision<T: Real>(name: &str) -> Vec<(String, String, Vec<f64>)> {
    let (d, x, n) = camera_workload::<T>();
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let xm = MatRef::from_column_major_slice(&x, 64, n);
    let sub = n / 16;
    let xs = MatRef::from_column_major_slice(&x[..64 * sub], 64, sub);
    let cases: Vec<(&str, Encoder, bool)> = vec![
        ("omp1", Encoder::omp(1), true),
        ("omp4", Encoder::omp(4), true),
        ("omp8", Encoder::omp(8), true),
        ("omp_tol", Encoder::omp_tol(OMP_TOL), true),
        ("lars8", Encoder::lars(8), true),
        ("lasso_lars", Encoder::lasso_lars(LASSO_ALPHA), true),
        ("lasso_goal", Encoder::lasso_goal(OMP_TOL), true),
        ("threshold", Encoder::soft_threshold(LASSO_ALPHA), true),
        ("lasso_cd/16", Encoder::lasso_cd(LASSO_ALPHA).tol(1e-8), false),
        ("fista/16", Encoder::fista(LASSO_ALPHA).tol(1e-8), false),
        ("ista/16", Encoder::ista(LASSO_ALPHA).tol(1e-8), false),
    ];
    let mut rows = Vec::new();
    for (label, enc, all) in cases {
        let input = if all { xm } else { xs };
        let mut times = Vec::new();
        let mut nnz = 0.0;
        for _ in 0..7 {
            let t = Instant::now();
            let codes = enc.encode(&dict, input).unwrap();
            times.push(t.elapsed().as_secs_f64());
            nnz = codes.mean_nnz();
        }
        times.sort_by(|a, b| a.partial_cmp(b).unwrap());
        println!("{name}  {label:<12} median {:>8.4} s  (min {:.4})  mean nnz {nnz:.3}", times[3], times[0]);
        rows.push((label.to_string(), name.to_string(), times));
    }
    rows
}

/// Peak resident memory of this process so far, in MiB (Linux).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// A 4096×4096 image, all 8×8 patches extracted and blended back band by
/// band (64 corner rows a band): time and peak memory. All its patches at
/// once would take 16.6 M × 64 × 8 B = 8.5 GB.
fn bands() -> Result<(), String> {
    use sc_patches::image::Image;
    use sc_patches::patches::{Accumulator, extract_band};
    let n = 4096;
    let img = Image::gray(n, n, (0..n * n).map(|v| ((v * 2654435761usize) % 256) as f64).collect()).unwrap();
    let before = peak_rss_mib();
    let t = Instant::now();
    let band = 64;
    let mut acc = Accumulator::new(n, n, 1, band + 7);
    let mut out = vec![0.0; n * n];
    let mut r0 = 0;
    let mut count = 0usize;
    while r0 < n {
        let p = extract_band(&img, 8, 8, (1, 1), r0..r0 + band).map_err(|e| e.to_string())?;
        count += p.n_patches();
        acc.add_patches(&p, None).map_err(|e| e.to_string())?;
        r0 += band;
        acc.finish_rows(r0, Some((&img, 1.0)), |r, row| out[r * n..(r + 1) * n].copy_from_slice(row));
    }
    let exact = out.iter().zip(&img.data).all(|(a, b)| (a - b).abs() < 1e-9);
    println!(
        "4096×4096: {count} patches in bands of {band} rows: {:.2} s, peak RSS {:.0} MiB (image + output {:.0} MiB, before {:.0} MiB), blend of unchanged patches exact: {exact}",
        t.elapsed().as_secs_f64(),
        peak_rss_mib(),
        2.0 * (n * n * 8) as f64 / 1048576.0,
        before
    );
    Ok(())
}

/// The fuzz targets: (target, the crate whose `fuzz/` folder holds it).
const FUZZ_TARGETS: [(&str, &str); 4] = [("npy", "sc-patches"), ("png", "sc-patches"), ("pnm", "sc-patches"), ("model", "sc-dict")];

/// `fuzz [TARGET] [--time S]`: runs one fuzz target (every one, in turn,
/// without TARGET) for S seconds (600 by default) with cargo-fuzz on the
/// nightly toolchain (`cargo +nightly install cargo-fuzz` once), from the
/// seeds in the crate's `fuzz/seeds/TARGET` (kept in git) and the corpus it
/// grew before in `fuzz/corpus/TARGET` (not kept). libFuzzer stops at the
/// first crash, hang over 10 s, or allocation over 512 MB, and leaves the
/// input in `fuzz/artifacts/TARGET`: make it a regression test.
fn fuzz(args: &[String]) -> Result<(), String> {
    let mut time = 600u64;
    let mut only = None;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "--time" => time = it.next().and_then(|v| v.parse().ok()).ok_or("--time takes a number of seconds")?,
            t if FUZZ_TARGETS.iter().any(|(n, _)| *n == t) => only = Some(t.to_string()),
            other => {
                let names: Vec<&str> = FUZZ_TARGETS.iter().map(|(n, _)| *n).collect();
                return Err(format!("unknown fuzz target {other:?}; the targets are {}", names.join(", ")));
            }
        }
    }
    for (target, krate) in FUZZ_TARGETS.iter().filter(|(n, _)| only.as_deref().is_none_or(|o| o == *n)) {
        let dir = root().join("crates").join(krate);
        let corpus = format!("fuzz/corpus/{target}");
        std::fs::create_dir_all(dir.join(&corpus)).map_err(|e| e.to_string())?;
        let mut c = Command::new("cargo");
        c.current_dir(&dir).env("CARGO_TARGET_DIR", root().join("target/fuzz"));
        let seeds = format!("fuzz/seeds/{target}");
        c.args(["+nightly", "fuzz", "run", "--fuzz-dir", "fuzz", "-O", target, &corpus, &seeds, "--"]);
        c.arg(format!("-max_total_time={time}")).args(["-malloc_limit_mb=512", "-rss_limit_mb=2048", "-timeout=10"]);
        println!("fuzzing {target} ({krate}) for {time} s");
        run(c)?;
    }
    Ok(())
}

/// The cargo-deny release the checks are written for (`deny.toml`); the
/// advisory database's folder name below is the one it derives from the
/// default database address.
const CARGO_DENY: &str = "0.20.2";
const ADVISORY_DB_DIR: &str = "target/advisory-dbs/advisory-db-3157b0e258782691";

/// Every crate name in Cargo.lock.
fn locked_crates() -> Result<Vec<String>, String> {
    let lock = std::fs::read_to_string(root().join("Cargo.lock")).map_err(|e| format!("Cargo.lock: {e}"))?;
    let mut names: Vec<String> =
        lock.lines().filter_map(|l| l.strip_prefix("name = \"").and_then(|r| r.strip_suffix('"'))).map(str::to_string).collect();
    names.sort();
    names.dedup();
    Ok(names)
}

/// `deny [--refresh DB]`. GitHub (where RustSec's database lives) is out of
/// reach of CI, so the advisories of every crate in Cargo.lock are kept in
/// `xtask/advisories/crates`, with `covered.txt` naming the database commit
/// and every crate the snapshot was taken for. This task makes that
/// snapshot a git repository where cargo-deny looks for its database, and
/// runs `cargo deny --offline check`. A crate added to Cargo.lock since the
/// snapshot fails the check until `--refresh` is run with a fresh clone.
fn deny(args: &[String]) -> Result<(), String> {
    let snap = root().join("xtask/advisories");
    let locked = locked_crates()?;
    if let [flag, db] = args
        && flag == "--refresh"
    {
        let db = Path::new(db);
        let head = Command::new("git").arg("-C").arg(db).args(["log", "-1", "--format=%H %cI"]).output().map_err(|e| e.to_string())?;
        let head = String::from_utf8_lossy(&head.stdout).trim().to_string();
        let _ = std::fs::remove_dir_all(snap.join("crates"));
        let mut kept = 0;
        for name in &locked {
            let Ok(entries) = std::fs::read_dir(db.join("crates").join(name)) else { continue };
            let to = snap.join("crates").join(name);
            std::fs::create_dir_all(&to).map_err(|e| e.to_string())?;
            for e in entries.flatten() {
                std::fs::copy(e.path(), to.join(e.file_name())).map_err(|e| e.to_string())?;
                kept += 1;
            }
        }
        let covered = format!("{head}\n{}\n", locked.join("\n"));
        std::fs::write(snap.join("covered.txt"), covered).map_err(|e| e.to_string())?;
        println!("advisory snapshot: {kept} advisories for {} crates, database {head}", locked.len());
    } else if !args.is_empty() {
        return Err("usage: cargo xtask deny [--refresh PATH-TO-A-CLONE-OF-rustsec/advisory-db]".into());
    }
    let covered = std::fs::read_to_string(snap.join("covered.txt")).map_err(|e| format!("xtask/advisories/covered.txt: {e}"))?;
    let mut lines = covered.lines();
    let head = lines.next().unwrap_or_default().to_string();
    let known: std::collections::HashSet<&str> = lines.collect();
    let new: Vec<&String> = locked.iter().filter(|n| !known.contains(n.as_str())).collect();
    if !new.is_empty() {
        return Err(format!(
            "crates not in the advisory snapshot ({head}): {new:?}; run `cargo xtask deny --refresh PATH` with a clone of https://github.com/rustsec/advisory-db"
        ));
    }
    // The snapshot as the git repository cargo-deny opens (it reads the
    // commit's date), remade whenever the snapshot changes.
    let db = root().join(ADVISORY_DB_DIR);
    if std::fs::read_to_string(db.join("covered.txt")).ok().as_deref() != Some(covered.as_str()) {
        let _ = std::fs::remove_dir_all(&db);
        std::fs::create_dir_all(&db).map_err(|e| e.to_string())?;
        copy_tree(&snap, &db)?;
        let date = head.split_whitespace().nth(1).unwrap_or("2026-01-01T00:00:00Z").to_string();
        for args in [&["init", "-q"][..], &["add", "-A"], &["commit", "-q", "-m", "RustSec advisories (snapshot)"]] {
            let mut c = Command::new("git");
            c.arg("-C").arg(&db).args(args);
            c.env("GIT_AUTHOR_NAME", "xtask").env("GIT_AUTHOR_EMAIL", "xtask@localhost");
            c.env("GIT_COMMITTER_NAME", "xtask").env("GIT_COMMITTER_EMAIL", "xtask@localhost");
            c.env("GIT_AUTHOR_DATE", &date).env("GIT_COMMITTER_DATE", &date);
            run(c)?;
        }
    }
    let installed = Command::new("cargo").args(["deny", "--version"]).output().is_ok_and(|o| o.status.success());
    if !installed {
        println!("installing cargo-deny {CARGO_DENY} (once; a few minutes)");
        let mut c = cargo();
        c.args(["install", "--locked", "cargo-deny", "--version", CARGO_DENY]);
        run(c)?;
    }
    // `--offline` keeps cargo-deny off GitHub, and off crates.io too: the
    // crates of every target (wasm ones included) are fetched first.
    let mut c = cargo();
    c.args(["fetch", "--quiet"]);
    run(c)?;
    let mut c = cargo();
    c.args(["deny", "--offline", "check", "--hide-inclusion-graph"]);
    run(c)
}

/// Copies the files under `from` into `to` (which exists), folders made as needed.
pub(crate) fn copy_tree(from: &Path, to: &Path) -> Result<(), String> {
    for e in std::fs::read_dir(from).map_err(|e| e.to_string())?.flatten() {
        let dest = to.join(e.file_name());
        if e.path().is_dir() {
            std::fs::create_dir_all(&dest).map_err(|e| e.to_string())?;
            copy_tree(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), &dest).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let rest = args.get(1..).unwrap_or(&[]).to_vec();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(&rest),
        Some("py-bench") => py_bench(),
        Some("wheel") => wheel(),
        Some("spams-bench") => spams_bench(),
        Some("golden") => golden(&rest),
        Some("bench") => bench(&rest),
        Some("bench-alone") => bench_alone(&rest),
        Some("inpaint-eval") => eval_script(
            "inpaint_eval.py",
            &["numpy", "scikit-image", "opencv-python-headless"],
            &rest,
            "inpainting.md",
            "inpaint-eval",
            "inpaint.md",
        ),
        Some("denoise-eval") => {
            eval_script("denoise_eval.py", &["numpy", "scikit-image", "bm3d"], &rest, "denoising.md", "denoise-eval", "denoise.md")
        }
        Some("dask-scale") => dask_scale(&rest),
        Some("docs") => site::docs(&rest),
        Some("audit") => audit(),
        Some("fuzz") => fuzz(&rest),
        Some("deny") => deny(&rest),
        _ => Err(
            "usage: cargo xtask <test [pytest args] | py-bench | wheel | spams-bench | golden [--regen] | bench [--quick | --criterion [args] | --bands] | inpaint-eval [--quick] | denoise-eval [--quick] | dask-scale [args] | docs [--quick] [--serve] | audit | fuzz [TARGET] [--time S] | deny [--refresh DB]>"
                .into(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: {e}");
            ExitCode::from(2)
        }
    }
}
