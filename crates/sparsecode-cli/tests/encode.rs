//! `sparsecode encode` end to end: files in, files out, exit statuses.

mod common;

use std::path::{Path, PathBuf};
use std::process::Output;

use common::{load, sparsecode, tmpdir};

fn golden(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../sc-solvers/tests/golden/patch").join(name)
}

/// `sparsecode encode --dict d --input x -o out` with more arguments.
fn encode(d: &Path, x: &Path, out: &Path, extra: &[&str]) -> Output {
    let args = ["encode", "--dict", d.to_str().unwrap(), "--input", x.to_str().unwrap(), "-o", out.to_str().unwrap()];
    sparsecode(&[&args[..], extra].concat())
}

#[test]
fn every_algorithm_runs_and_omp_matches_scikit_learn() {
    let dir = tmpdir("all");
    let (d, x) = (golden("dict.npy"), golden("X.npy"));
    // Each algorithm with the settings that apply to it (kebab-case, as
    // the command line has always spelt them; the summary names the
    // library's canonical spelling).
    for alg in ["omp", "lars", "lasso-lars", "lasso-cd", "ista", "fista", "threshold"] {
        let out = dir.join(format!("{alg}.npy"));
        let setting = if matches!(alg, "omp" | "lars") { ["--n-nonzero", "8"] } else { ["--alpha", "0.8"] };
        let o = encode(&d, &x, &out, &["--algorithm", alg, setting[0], setting[1], "--json"]);
        assert!(o.status.success(), "{alg}: {}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert_eq!((json["n_samples"].as_u64(), json["n_atoms"].as_u64()), (Some(40), Some(128)), "{alg}: {json}");
        assert!(json["seconds_encode"].as_f64().is_some_and(|t| t > 0.0 && t.is_finite()), "{json}");
        assert!(json["mean_nnz"].as_f64().is_some_and(|m| m > 0.0), "{json}");
        assert_eq!(json["algorithm"].as_str(), Some(alg.replace('-', "_").as_str()), "{json}");
        let (shape, _) = load(&out);
        assert_eq!(shape, vec![40, 128]);
    }
    // OMP's dense output equals scikit-learn's sparse_encode.
    let (_, ours) = load(&dir.join("omp.npy"));
    let (_, theirs) = load(&golden("omp.npy"));
    for (a, b) in ours.iter().zip(&theirs) {
        assert!((a - b).abs() <= 1e-9 * (1.0 + b.abs()));
    }
    // The residual-goal Lasso matches SPAMS's lasso (mode 1).
    let spams: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(golden("spams.json")).unwrap()).unwrap();
    let goal = spams["lasso_goal"].as_f64().expect("the goal in spams.json").to_string();
    let out = dir.join("goal.npy");
    let o = encode(&d, &x, &out, &["--algorithm", "lasso-goal", "--tol", &goal]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_, ours) = load(&out);
    let (_, theirs) = load(&golden("lasso_goal.npy"));
    for (a, b) in ours.iter().zip(&theirs) {
        assert!((a - b).abs() <= 1e-6 * (1.0 + b.abs()), "{a} vs SPAMS {b}");
    }
    // .npz output is SciPy's CSR matrix of the same codes: read it back.
    let npz = dir.join("codes.npz");
    let o = encode(&d, &x, &npz, &["--algorithm", "lasso-lars", "--alpha", "0.8"]);
    assert!(o.status.success());
    let mut zip = zip::ZipArchive::new(std::fs::File::open(&npz).unwrap()).unwrap();
    let mut member = |name: &str| {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut zip.by_name(name).unwrap(), &mut bytes).unwrap();
        bytes
    };
    let read = |bytes: Vec<u8>| npyz::NpyFile::new(std::io::Cursor::new(bytes)).unwrap();
    let values = read(member("data.npy")).into_vec::<f64>().unwrap();
    let indices = read(member("indices.npy")).into_vec::<i32>().unwrap();
    let indptr = read(member("indptr.npy")).into_vec::<i32>().unwrap();
    let shape = read(member("shape.npy")).into_vec::<i64>().unwrap();
    assert_eq!(shape, vec![40, 128]);
    let (_, dense) = load(&dir.join("lasso-lars.npy"));
    let mut rebuilt = vec![0.0; 40 * 128];
    for s in 0..40 {
        for q in indptr[s] as usize..indptr[s + 1] as usize {
            rebuilt[s * 128 + indices[q] as usize] = values[q];
        }
    }
    assert_eq!(rebuilt, dense);
    assert_eq!(values.len(), dense.iter().filter(|v| **v != 0.0).count());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn bad_input_exits_2_with_one_line_and_leaves_no_file() {
    let dir = tmpdir("bad");
    let (d, x) = (golden("dict.npy"), golden("X.npy"));
    let out = dir.join("c.npy");
    let cases: [&[&str]; 6] = [
        &["--n-nonzero", "0"],
        &["--algorithm", "lasso-lars", "--alpha", "-1"],
        &["--algorithm", "omp", "--positive"],
        &["--algorithm", "lasso-goal"],
        &["--algorithm", "lasso-goal", "--tol", "1", "--l2", "1"],
        &["--no-such-flag"],
    ];
    for extra in cases {
        let o = encode(&d, &x, &out, extra);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.starts_with("sparsecode: error:"), "{err}");
        assert!(!out.exists());
    }
    // Mismatched feature counts: 20-feature signals against 64-feature atoms.
    let small = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sc-solvers/tests/golden/small/X.npy");
    let o = encode(&d, &small, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("features"));
    // A truncated file.
    let bad = dir.join("trunc.npy");
    let full = std::fs::read(&x).unwrap();
    std::fs::write(&bad, &full[..full.len() / 2]).unwrap();
    let o = encode(&d, &bad, &out, &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("truncated"));
    // A missing output folder, and a wrong extension.
    let o = encode(&d, &x, Path::new("/nonexistent-dir/c.npy"), &[]);
    assert_eq!(o.status.code(), Some(2));
    let o = encode(&d, &x, &dir.join("c.txt"), &[]);
    assert_eq!(o.status.code(), Some(2));
    assert!(!out.exists());
    // No stray temporary files.
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(left.len(), 1, "{left:?}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn float32_in_gives_float32_out() {
    let dir = tmpdir("f32");
    let (d, x) = (golden("dict.npy"), golden("X.npy"));
    // Convert X to float32 by hand: header + data.
    let (shape, data) = load(&x);
    let f32s: Vec<f32> = data.iter().map(|&v| v as f32).collect();
    let xf = dir.join("x32.npy");
    std::fs::write(&xf, sparsecode::patches::npy::npy_bytes(&[shape[0] as usize, shape[1] as usize], &f32s)).unwrap();
    let out = dir.join("c.npy");
    let o = encode(&d, &xf, &out, &["--algorithm", "omp", "--n-nonzero", "5"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let npy = npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap())).unwrap();
    let dtype = match npy.dtype() {
        npyz::DType::Plain(t) => t.to_string(),
        other => format!("{other:?}"),
    };
    assert_eq!(dtype, "<f4");
    assert_eq!(npy.shape(), &[40, 128]);
    std::fs::remove_dir_all(&dir).ok();
}

/// `--weights` weighs the Lasso homotopies' ℓ1 term per coefficient:
/// weights of one give the unweighted codes, a heavy weight keeps an atom
/// out; a file of the wrong shape, or weights with OMP, exit 2 with one
/// line. `--l0` is OMP's ℓ0 penalty: a larger one, fewer atoms.
#[test]
fn weights_and_the_l0_penalty() {
    let dir = tmpdir("weights");
    let (d, x) = (golden("dict.npy"), golden("X.npy"));
    let write = |name: &str, rows: usize, v: &dyn Fn(usize, usize) -> f64| {
        let path = dir.join(name);
        let data: Vec<f64> = (0..rows * 128).map(|i| v(i / 128, i % 128)).collect();
        std::fs::write(&path, sparsecode::patches::npy::npy_bytes(&[rows, 128], &data)).unwrap();
        path
    };
    let ones = write("ones.npy", 40, &|_, _| 1.0);
    let (plain, weighted) = (dir.join("plain.npy"), dir.join("weighted.npy"));
    assert!(encode(&d, &x, &plain, &["--alpha", "0.5"]).status.success());
    let o = encode(&d, &x, &weighted, &["--alpha", "0.5", "--weights", ones.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(load(&plain).1, load(&weighted).1);
    // The atom each signal leans on most, made a hundred times dearer.
    let (_, codes) = load(&plain);
    let top: Vec<usize> =
        (0..40).map(|s| (0..128).max_by(|&a, &b| codes[s * 128 + a].abs().total_cmp(&codes[s * 128 + b].abs())).unwrap()).collect();
    let heavy = write("heavy.npy", 40, &|s, j| if j == top[s] { 100.0 } else { 1.0 });
    assert!(encode(&d, &x, &weighted, &["--alpha", "0.5", "--weights", heavy.to_str().unwrap()]).status.success());
    let (_, w) = load(&weighted);
    assert!((0..40).all(|s| w[s * 128 + top[s]] == 0.0));
    for (bad, extra) in [(write("short.npy", 39, &|_, _| 1.0), &["--alpha", "0.5"][..]), (ones.clone(), &["--algorithm", "omp"][..])] {
        let o = encode(&d, &x, &weighted, &[extra, &["--weights", bad.to_str().unwrap()][..]].concat());
        assert_eq!(o.status.code(), Some(2));
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("weights") && err.trim().lines().count() == 1, "{err}");
    }
    let nnz = |l0: &str| {
        let out = dir.join(format!("l0_{l0}.npy"));
        let o = encode(&d, &x, &out, &["--algorithm", "ormp", "--l0", l0]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        load(&out).1.iter().filter(|&&v| v != 0.0).count()
    };
    assert!(nnz("0.5") < nnz("0.01"));
}
