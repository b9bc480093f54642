//! Masked coding (`Encoder::encode_masked`) against SPAMS's `lassoMask`,
//! scikit-learn's OMP on the observed rows, and the plain solvers on the
//! observed sub-dictionary.
//!
//! The files in `tests/golden_masked/` are made by
//! `xtask/python/golden_masked.py` (`cargo xtask golden --regen`) in a
//! throwaway virtual environment. Missing entries of `X.npy` hold NaN.

use std::path::{Path, PathBuf};

use faer::{Mat, MatRef};
use sc_solvers::{Dictionary, Encoder, SparseCodes};

fn dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden_masked")
}

fn load(name: &str) -> (usize, usize, Vec<f64>) {
    let f = std::fs::File::open(dir().join(format!("{name}.npy"))).unwrap();
    let npy = npyz::NpyFile::new(std::io::BufReader::new(f)).unwrap();
    let shape = npy.shape().to_vec();
    (shape[0] as usize, shape[1] as usize, npy.into_vec::<f64>().unwrap())
}

fn param(key: &str) -> f64 {
    let text = std::fs::read_to_string(dir().join("params.json")).unwrap();
    let at = text.find(&format!("\"{key}\"")).unwrap();
    let rest = &text[at + key.len() + 3..];
    let end = rest.find([',', '\n', '}']).unwrap();
    rest[..end].trim().parse().unwrap()
}

struct Case {
    d: Vec<f64>,
    dict: Dictionary<f64>,
    x: Vec<f64>,
    mask: Vec<bool>,
    nf: usize,
    ns: usize,
    na: usize,
}

impl Case {
    fn new() -> Self {
        let (na, nf, d) = load("dict");
        let (ns, _, x) = load("X");
        let (_, _, m) = load("mask");
        let dict = Dictionary::from_column_major(&d, nf, na).unwrap();
        Case { d, dict, x, mask: m.iter().map(|&v| v == 1.0).collect(), nf, ns, na }
    }
    fn x(&self) -> MatRef<'_, f64> {
        MatRef::from_column_major_slice(&self.x, self.nf, self.ns)
    }
    fn rows(&self, s: usize) -> Vec<usize> {
        (0..self.nf).filter(|&i| self.mask[s * self.nf + i]).collect()
    }
    fn frac(&self, s: usize) -> f64 {
        self.rows(s).len() as f64 / self.nf as f64
    }
    /// The observed rows of signal `s` and of the dictionary.
    fn sub(&self, s: usize) -> (Vec<f64>, Vec<f64>) {
        let rows = self.rows(s);
        let x = rows.iter().map(|&i| self.x[s * self.nf + i]).collect();
        let d = (0..self.na).flat_map(|j| rows.iter().map(move |&i| self.d[j * self.nf + i])).collect();
        (x, d)
    }
    /// `½‖x_m − D_m c‖²` and `‖c‖₁` of signal `s`'s dense code `c`.
    fn fit(&self, s: usize, c: &[f64]) -> (f64, f64) {
        let mut r = 0.0;
        for i in self.rows(s) {
            let v = self.x[s * self.nf + i] - (0..self.na).map(|j| self.d[j * self.nf + i] * c[j]).sum::<f64>();
            r += v * v;
        }
        (0.5 * r, c.iter().map(|v| v.abs()).sum())
    }
    fn golden(&self, name: &str) -> Vec<f64> {
        load(name).2
    }
}

fn dense(codes: &SparseCodes<f64>, s: usize, na: usize) -> Vec<f64> {
    let mut c = vec![0.0; na];
    let (ind, val) = codes.code(s);
    for (&j, &v) in ind.iter().zip(val) {
        c[j as usize] = v;
    }
    c
}

fn support(c: &[f64]) -> Vec<usize> {
    (0..c.len()).filter(|&j| c[j] != 0.0).collect()
}

#[test]
fn lasso_matches_spams_lasso_mask() {
    let case = Case::new();
    let alpha = param("alpha");
    let spams = case.golden("lasso_mask");
    for enc in [Encoder::lasso_lars(alpha), Encoder::lasso_cd(alpha).tol(1e-12)] {
        let codes = enc.encode_masked(&case.dict, case.x(), &case.mask).unwrap();
        for s in 0..case.ns {
            let ours = dense(&codes, s, case.na);
            let theirs = &spams[s * case.na..(s + 1) * case.na];
            let a = alpha * case.frac(s);
            let obj = |c: &[f64]| {
                let (r, l1) = case.fit(s, c);
                r + a * l1
            };
            let (o, t) = (obj(&ours), obj(theirs));
            assert!(o <= t + 1e-7 * t.abs().max(1.0), "{:?} signal {s}: objective {o} above SPAMS's {t}", enc.algorithm().name());
            for j in 0..case.na {
                assert!((ours[j] - theirs[j]).abs() < 1e-5, "signal {s} atom {j}: {} vs SPAMS {}", ours[j], theirs[j]);
            }
        }
    }
}

#[test]
fn residual_goal_lasso_matches_spams_lasso_mask_mode_1() {
    let case = Case::new();
    let goal = param("goal");
    let spams = case.golden("lasso_mask_goal");
    let codes = Encoder::lasso_goal(goal).encode_masked(&case.dict, case.x(), &case.mask).unwrap();
    for s in 0..case.ns {
        let ours = dense(&codes, s, case.na);
        let theirs = &spams[s * case.na..(s + 1) * case.na];
        let (r, l1) = case.fit(s, &ours);
        let (_, l1_theirs) = case.fit(s, theirs);
        assert!(2.0 * r <= goal * case.frac(s) * (1.0 + 1e-9) + 1e-12, "signal {s}: residual {} above the goal", 2.0 * r);
        assert!((l1 - l1_theirs).abs() <= 1e-6 * l1_theirs.max(1.0), "signal {s}: ℓ1 {l1} vs SPAMS {l1_theirs}");
    }
}

#[test]
fn omp_matches_scikit_learn_on_the_observed_rows() {
    let case = Case::new();
    let k = param("n_nonzero") as usize;
    let goal = param("goal");
    for (enc, name) in [(Encoder::omp(k), "omp_mask"), (Encoder::omp_tol(goal), "omp_mask_tol")] {
        let golden = case.golden(name);
        let codes = enc.encode_masked(&case.dict, case.x(), &case.mask).unwrap();
        for s in 0..case.ns {
            let ours = dense(&codes, s, case.na);
            let theirs = &golden[s * case.na..(s + 1) * case.na];
            assert_eq!(support(&ours), support(theirs), "{name} signal {s}");
            for j in 0..case.na {
                assert!((ours[j] - theirs[j]).abs() < 1e-9, "{name} signal {s} atom {j}");
            }
        }
    }
}

/// Every algorithm, on every signal: the masked code is the plain code of
/// the observed rows against the observed sub-dictionary (penalties and
/// goals scaled by the observed fraction), whichever path coded it (shared
/// masks, masks of their own, on-demand Gram columns under OMP).
#[test]
fn masked_codes_are_the_codes_of_the_observed_rows() {
    let case = Case::new();
    let encoders = |f: f64| {
        vec![
            Encoder::omp(3),
            Encoder::omp_tol(0.02 * f),
            Encoder::lars(4),
            Encoder::lasso_lars(0.1 * f),
            Encoder::lasso_goal(0.05 * f),
            Encoder::lasso_cd(0.1 * f).tol(1e-12),
            Encoder::fista(0.1 * f).tol(1e-12),
            Encoder::soft_threshold(0.3 * f),
        ]
    };
    let masked: Vec<SparseCodes<f64>> = encoders(1.0).iter().map(|e| e.encode_masked(&case.dict, case.x(), &case.mask).unwrap()).collect();
    for s in 0..case.ns {
        let rows = case.rows(s);
        if rows.is_empty() {
            for m in &masked {
                assert!(m.code(s).0.is_empty(), "signal {s} has nothing observed");
            }
            continue;
        }
        let (x, d) = case.sub(s);
        let sub = Dictionary::from_column_major(&d, rows.len(), case.na).unwrap();
        for (m, enc) in masked.iter().zip(encoders(case.frac(s))) {
            let plain = enc.encode(&sub, MatRef::from_column_major_slice(&x, rows.len(), 1)).unwrap();
            let (a, b) = (dense(m, s, case.na), dense(&plain, 0, case.na));
            let tol = if matches!(enc.algorithm().name(), "lasso_cd" | "fista") { 1e-6 } else { 1e-9 };
            for j in 0..case.na {
                assert!((a[j] - b[j]).abs() <= tol, "{} signal {s} atom {j}: {} vs {}", enc.algorithm().name(), a[j], b[j]);
            }
        }
    }
}

#[test]
fn a_full_mask_is_the_plain_path_and_threads_do_not_matter() {
    let case = Case::new();
    let x: Vec<f64> = case.x.iter().map(|v| if v.is_nan() { 0.5 } else { *v }).collect();
    let xm = MatRef::from_column_major_slice(&x, case.nf, case.ns);
    let full = vec![true; x.len()];
    for enc in [Encoder::omp(4), Encoder::lasso_lars(0.1)] {
        assert_eq!(enc.encode_masked(&case.dict, xm, &full).unwrap(), enc.encode(&case.dict, xm).unwrap());
        let one = enc.clone().threads(1).chunk_size(5).encode_masked(&case.dict, case.x(), &case.mask).unwrap();
        let two = enc.clone().threads(2).encode_masked(&case.dict, case.x(), &case.mask).unwrap();
        assert_eq!(one, two);
    }
}

#[test]
fn observed_non_finite_values_and_bad_masks_are_refused() {
    let case = Case::new();
    let mut x = case.x.clone();
    let s = 30;
    let i = case.rows(s)[0];
    x[s * case.nf + i] = f64::INFINITY;
    let xm = MatRef::from_column_major_slice(&x, case.nf, case.ns);
    assert!(Encoder::omp(2).encode_masked(&case.dict, xm, &case.mask).is_err());
    assert!(Encoder::omp(2).encode_masked(&case.dict, case.x(), &case.mask[1..]).is_err());
    // NaN in the missing entries is fine; with no mask it is refused.
    assert!(Encoder::omp(2).encode(&case.dict, case.x()).is_err());
    let m = Mat::<f64>::zeros(case.nf + 1, 2);
    assert!(Encoder::omp(2).encode_masked(&case.dict, m.as_ref(), &vec![true; 2 * (case.nf + 1)]).is_err());
}
