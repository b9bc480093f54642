//! The group Lasso against its optimality conditions, and against the
//! Lasso when every group holds one signal.

use faer::Mat;
use sc_linalg::rng::SplitMix;
use sc_solvers::{Dictionary, Encoder, GroupLasso};

fn random(rows: usize, cols: usize, g: &mut SplitMix) -> Mat<f64> {
    Mat::from_fn(rows, cols, |_, _| g.normal())
}

/// Signals made of a few atoms shared by their group, plus noise.
fn grouped_signals(d: &Mat<f64>, starts: &[usize], ns: usize, g: &mut SplitMix) -> Mat<f64> {
    let mut x = Mat::from_fn(d.nrows(), ns, |_, _| 0.1 * g.normal());
    for (k, &a) in starts.iter().enumerate() {
        let b = starts.get(k + 1).copied().unwrap_or(ns);
        let atoms = [(7 * k) % d.ncols(), (7 * k + 3) % d.ncols()];
        for s in a..b {
            for &j in &atoms {
                let c = g.normal();
                for i in 0..d.nrows() {
                    x[(i, s)] += c * d[(i, j)];
                }
            }
        }
    }
    x
}

/// The KKT conditions of `½‖X_g − D A‖²_F + λ Σ_j ‖A_j‖₂`, with `C = Dᵀ(X_g −
/// D A)`: `C_j = λ A_j/‖A_j‖` on a used atom's row, `‖C_j‖ ≤ λ` on an
/// unused one; and every signal of a group has the group's support.
#[test]
fn codes_meet_the_optimality_conditions() {
    let mut g = SplitMix(11);
    for (nf, na, lambda) in [(12, 30, 0.3), (20, 40, 1.0), (16, 16, 0.05), (10, 25, 3.0)] {
        // Atoms of any norm: the update divides by G_jj.
        let d = random(nf, na, &mut g);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let starts = [0, 1, 4, 9, 10];
        let ns = 14;
        let x = grouped_signals(&d, &starts, ns, &mut g);
        let codes = GroupLasso { lambda, max_iter: 10_000, tol: 1e-12 }.encode(&dict, x.as_ref(), &starts).unwrap();
        let a = codes.to_dense();
        let residual = &x - &d * &a;
        let c = d.transpose() * &residual;
        for (k, &s0) in starts.iter().enumerate() {
            let s1 = starts.get(k + 1).copied().unwrap_or(ns);
            for j in 0..na {
                let row: Vec<f64> = (s0..s1).map(|s| a[(j, s)]).collect();
                let crow: Vec<f64> = (s0..s1).map(|s| c[(j, s)]).collect();
                let an = row.iter().map(|v| v * v).sum::<f64>().sqrt();
                let cn = crow.iter().map(|v| v * v).sum::<f64>().sqrt();
                if an > 0.0 {
                    let gap = row.iter().zip(&crow).map(|(a, c)| (c - lambda * a / an).powi(2)).sum::<f64>().sqrt();
                    assert!(gap < 1e-6 * (1.0 + lambda), "nf {nf}, group {k}, atom {j}: ‖C_j − λA_j/‖A_j‖‖ = {gap:e}");
                    assert!(row.iter().all(|&v| v != 0.0), "group {k}, atom {j}: a used row has a zero");
                } else {
                    assert!(cn <= lambda * (1.0 + 1e-6), "nf {nf}, group {k}, atom {j}: ‖C_j‖ = {cn} > λ = {lambda}");
                }
            }
            for s in s0 + 1..s1 {
                assert_eq!(codes.code(s).0, codes.code(s0).0, "group {k}: one support");
            }
        }
        assert!(codes.nnz() > 0, "nf {nf}: every code is zero");
    }
}

/// With one signal per group the ℓ1,2 penalty is the ℓ1 penalty: the codes
/// are the Lasso's (LARS, to its precision).
#[test]
fn single_signals_give_the_lasso() {
    let mut g = SplitMix(5);
    let d = random(15, 30, &mut g);
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let x = random(15, 6, &mut g);
    let starts: Vec<usize> = (0..6).collect();
    for alpha in [0.1, 1.0, 4.0] {
        let ours = GroupLasso { lambda: alpha, max_iter: 10_000, tol: 1e-13 }.encode(&dict, x.as_ref(), &starts).unwrap().to_dense();
        let lasso = Encoder::lasso_lars(alpha).encode(&dict, x.as_ref()).unwrap().to_dense();
        for s in 0..6 {
            for j in 0..30 {
                assert!(
                    (ours[(j, s)] - lasso[(j, s)]).abs() < 1e-6,
                    "α {alpha}, signal {s}, atom {j}: {} vs {}",
                    ours[(j, s)],
                    lasso[(j, s)]
                );
            }
        }
    }
}

/// A penalty at least the largest row norm of `Dᵀ X_g` uses no atom; bad
/// parameters and groups are refused.
#[test]
fn large_penalties_give_zero_and_bad_input_is_refused() {
    let mut g = SplitMix(2);
    let d = random(8, 12, &mut g);
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let x = random(8, 5, &mut g);
    let b = d.transpose() * &x;
    let top = (0..12).map(|j| (0..5).map(|s| b[(j, s)] * b[(j, s)]).sum::<f64>().sqrt()).fold(0.0, f64::max);
    assert_eq!(GroupLasso::new(top * 1.001).encode(&dict, x.as_ref(), &[0]).unwrap().nnz(), 0);
    assert!(GroupLasso::new(top * 0.9).encode(&dict, x.as_ref(), &[0]).unwrap().nnz() > 0);
    for bad in [
        GroupLasso::new(-1.0),
        GroupLasso::new(f64::NAN),
        GroupLasso { max_iter: 0, ..GroupLasso::new(1.0) },
        GroupLasso { tol: -1.0, ..GroupLasso::new(1.0) },
    ] {
        assert!(bad.encode(&dict, x.as_ref(), &[0]).is_err(), "{bad:?}");
    }
    assert!(GroupLasso::new(1.0).encode(&dict, x.as_ref(), &[1]).is_err());
    assert!(GroupLasso::new(1.0).encode(&dict, x.as_ref(), &[0, 0]).is_err());
    let mut nan = x.clone();
    nan[(3, 2)] = f64::NAN;
    assert!(GroupLasso::new(1.0).encode(&dict, nan.as_ref(), &[0]).is_err());
    // f32 works too.
    let d32 = Mat::<f32>::from_fn(8, 12, |i, j| d[(i, j)] as f32);
    let x32 = Mat::<f32>::from_fn(8, 5, |i, j| x[(i, j)] as f32);
    assert!(GroupLasso::new(0.5).encode(&Dictionary::new(d32.as_ref()).unwrap(), x32.as_ref(), &[0, 2]).unwrap().nnz() > 0);
}
