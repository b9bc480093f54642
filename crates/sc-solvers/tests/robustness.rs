//! Degenerate problems (issue 13, item 5): duplicate and nearly collinear
//! atoms, one atom, one feature, zero and constant signals, huge signals,
//! α so large that every code is zero, a zero goal. Every solver returns
//! (no hang: each has an iteration cap), every value is finite, no code has
//! more atoms than the dictionary or repeats an atom, and codes that must be
//! zero are.

use faer::Mat;
use sc_linalg::rng::SplitMix;
use sc_solvers::{Dictionary, Encoder, SparseCodes};

/// Atoms as columns, `nf × k`, from `f(i, j)`, each normalised.
fn unit_atoms(nf: usize, k: usize, f: impl Fn(usize, usize) -> f64) -> Mat<f64> {
    let mut d = Mat::<f64>::from_fn(nf, k, f);
    for j in 0..k {
        let n = (0..nf).map(|i| d[(i, j)] * d[(i, j)]).sum::<f64>().sqrt();
        for i in 0..nf {
            d[(i, j)] /= n;
        }
    }
    d
}

fn dictionaries() -> Vec<(&'static str, Mat<f64>)> {
    let mut rng = SplitMix(7);
    let random: Vec<f64> = (0..16 * 24).map(|_| rng.normal()).collect();
    let base = unit_atoms(16, 24, |i, j| random[j * 16 + i]);
    vec![
        ("duplicate atoms", unit_atoms(16, 24, |i, j| base[(i, j % 8)])),
        ("nearly collinear atoms", unit_atoms(16, 24, |i, j| base[(i, 0)] + 1e-9 * base[(i, j)])),
        ("one atom", unit_atoms(16, 1, |i, _| base[(i, 0)])),
        ("one feature", unit_atoms(1, 5, |_, j| if j % 2 == 0 { 1.0 } else { -1.0 })),
        ("more atoms than features, random", base),
    ]
}

fn signals(nf: usize) -> Mat<f64> {
    let mut rng = SplitMix(11);
    Mat::<f64>::from_fn(nf, 5, |_, s| match s {
        0 => 0.0,                   // all zero
        1 => 3.0,                   // constant
        2 => 1e150 * rng.normal(),  // huge
        3 => 1e-150 * rng.normal(), // tiny
        _ => rng.normal(),
    })
}

fn check(name: &str, solver: &str, codes: &SparseCodes<f64>, n_atoms: usize) {
    for s in 0..codes.n_samples() {
        let (idx, val) = codes.code(s);
        assert!(idx.len() <= n_atoms, "{name}/{solver}: signal {s} has {} atoms of {n_atoms}", idx.len());
        let mut seen = idx.to_vec();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), idx.len(), "{name}/{solver}: signal {s} repeats an atom");
        assert!(val.iter().all(|v| v.is_finite()), "{name}/{solver}: signal {s} has a non-finite value {val:?}");
    }
    // The zero signal has the zero code, whatever the solver.
    assert!(codes.code(0).1.iter().all(|&v| v == 0.0), "{name}/{solver}: the zero signal got {:?}", codes.code(0));
}

#[test]
fn degenerate_problems_give_finite_codes_from_every_solver() {
    for (name, d) in dictionaries() {
        let (nf, k) = (d.nrows(), d.ncols());
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let x = signals(nf);
        let solvers = [
            ("omp", Encoder::omp(3.min(k).min(nf))),
            ("omp tol 0", Encoder::omp_tol(0.0)),
            ("lars", Encoder::lars(3.min(k).min(nf))),
            ("lasso-lars", Encoder::lasso_lars(0.1)),
            ("lasso-goal tol 0", Encoder::lasso_goal(0.0)),
            ("lasso-cd", Encoder::lasso_cd(0.1)),
            ("ista", Encoder::ista(0.1).max_iter(500)),
            ("fista", Encoder::fista(0.1).max_iter(500)),
            ("threshold", Encoder::soft_threshold(0.1)),
        ];
        for (solver, enc) in solvers {
            let codes = enc.encode(&dict, x.as_ref()).unwrap_or_else(|e| panic!("{name}/{solver}: {e}"));
            check(name, solver, &codes, k);
        }
    }
}

#[test]
fn an_alpha_above_every_correlation_gives_zero_codes() {
    for (name, d) in dictionaries() {
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let x = signals(d.nrows());
        // |⟨d, x⟩| ≤ ‖x‖ for unit atoms; 1e160 is above every signal's norm.
        for (solver, enc) in [
            ("lasso-lars", Encoder::lasso_lars(1e160)),
            ("lasso-cd", Encoder::lasso_cd(1e160)),
            ("ista", Encoder::ista(1e160)),
            ("fista", Encoder::fista(1e160)),
            ("threshold", Encoder::soft_threshold(1e160)),
        ] {
            let codes = enc.encode(&dict, x.as_ref()).unwrap();
            assert_eq!(codes.nnz(), 0, "{name}/{solver}: non-zero codes at a huge alpha");
        }
    }
}
