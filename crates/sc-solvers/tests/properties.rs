//! Properties from the mathematics of each problem, on random instances.

use faer::{Mat, MatRef};
use proptest::prelude::*;
use sc_linalg::rng::SplitMix;
use sc_solvers::{Dictionary, Encoder, Error, SparseCodes};

/// A unit-atom dictionary and signals made of a few atoms plus noise.
fn instance(seed: u64, n_features: usize, n_atoms: usize, n_samples: usize) -> (Mat<f64>, Mat<f64>) {
    let mut g = SplitMix(seed);
    let mut d = Mat::<f64>::from_fn(n_features, n_atoms, |_, _| g.normal());
    for j in 0..n_atoms {
        let n = (0..n_features).map(|i| d[(i, j)].powi(2)).sum::<f64>().sqrt();
        for i in 0..n_features {
            d[(i, j)] /= n;
        }
    }
    let mut x = Mat::<f64>::from_fn(n_features, n_samples, |_, _| 0.05 * g.normal());
    for s in 0..n_samples {
        for _ in 0..3 {
            let j = (g.uniform() * n_atoms as f64) as usize % n_atoms;
            let c = 2.0 * g.normal();
            for i in 0..n_features {
                x[(i, s)] += c * d[(i, j)];
            }
        }
    }
    (d, x)
}

/// `Dᵀ(x − Dc)` for every signal.
fn residual_correlations(d: MatRef<'_, f64>, x: MatRef<'_, f64>, codes: &SparseCodes<f64>) -> Mat<f64> {
    let c = codes.to_dense();
    let r = x - d * &c;
    d.transpose() * &r
}

/// The Lasso's optimality conditions: `|q_j| ≤ α`, and `q_j = α·sign(c_j)`
/// where `c_j ≠ 0` (`q_j ≤ α` and `q_j = α` on the support for `positive`).
fn assert_kkt(d: MatRef<'_, f64>, x: MatRef<'_, f64>, codes: &SparseCodes<f64>, alpha: f64, positive: bool, tol: f64) {
    let q = residual_correlations(d, x, codes);
    let c = codes.to_dense();
    for s in 0..x.ncols() {
        for j in 0..d.ncols() {
            let (qj, cj) = (q[(j, s)], c[(j, s)]);
            if cj != 0.0 {
                assert!((qj - alpha * cj.signum()).abs() <= tol, "active {j} of {s}: q={qj}, α={alpha}");
                assert!(!positive || cj > 0.0);
            } else if positive {
                assert!(qj <= alpha + tol, "inactive {j} of {s}: q={qj} > α={alpha}");
            } else {
                assert!(qj.abs() <= alpha + tol, "inactive {j} of {s}: |q|={} > α={alpha}", qj.abs());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn lasso_lars_satisfies_kkt(seed in any::<u64>(), nf in 5usize..24, na in 5usize..40, frac in 0.02f64..0.9, positive in any::<bool>()) {
        let (d, x) = instance(seed, nf, na, 6);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let alpha_max = (0..6).map(|s| {
            let col: Vec<f64> = (0..nf).map(|i| x[(i, s)]).collect();
            dict.alpha_max(&col).unwrap()
        }).fold(0.0, f64::max);
        let alpha = frac * alpha_max;
        let codes = Encoder::lasso_lars(alpha).positive(positive).encode(&dict, x.as_ref()).unwrap();
        assert_kkt(d.as_ref(), x.as_ref(), &codes, alpha, positive, 1e-7);
    }

    #[test]
    fn lasso_cd_satisfies_kkt(seed in any::<u64>(), nf in 5usize..24, na in 5usize..40, alpha in 0.05f64..2.0, positive in any::<bool>()) {
        let (d, x) = instance(seed, nf, na, 5);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let codes = Encoder::lasso_cd(alpha).positive(positive).tol(1e-22).max_iter(200_000).encode(&dict, x.as_ref()).unwrap();
        assert_kkt(d.as_ref(), x.as_ref(), &codes, alpha, positive, 1e-7);
    }

    /// ISTA on undercomplete dictionaries (a strongly convex problem, where
    /// it converges linearly) meets the same KKT conditions.
    #[test]
    fn ista_satisfies_kkt(seed in any::<u64>(), nf in 12usize..24, na in 3usize..10, alpha in 0.05f64..1.0, positive in any::<bool>()) {
        let (d, x) = instance(seed, nf, na, 5);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let codes = Encoder::ista(alpha).positive(positive).tol(1e-24).max_iter(400_000).encode(&dict, x.as_ref()).unwrap();
        assert_kkt(d.as_ref(), x.as_ref(), &codes, alpha, positive, 1e-6);
    }

    #[test]
    fn elastic_net_lars_and_cd_agree(seed in any::<u64>(), alpha in 0.05f64..1.0, l2 in 0.0f64..2.0) {
        let (d, x) = instance(seed, 12, 20, 4);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let a = Encoder::lasso_lars(alpha).l2(l2).encode(&dict, x.as_ref()).unwrap().to_dense();
        let b = Encoder::lasso_cd(alpha).l2(l2).tol(1e-22).max_iter(100_000).encode(&dict, x.as_ref()).unwrap().to_dense();
        for s in 0..4 { for j in 0..20 {
            prop_assert!((a[(j, s)] - b[(j, s)]).abs() < 1e-6, "{} vs {}", a[(j, s)], b[(j, s)]);
        }}
    }

    #[test]
    fn omp_residual_is_orthogonal_to_chosen_atoms(seed in any::<u64>(), nf in 6usize..30, na in 6usize..50, k in 1usize..6, use_tol in any::<bool>()) {
        let (d, x) = instance(seed, nf, na, 6);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let enc = if use_tol { Encoder::omp_tol(0.01) } else { Encoder::omp(k.min(na)) };
        let codes = enc.encode(&dict, x.as_ref()).unwrap();
        let q = residual_correlations(d.as_ref(), x.as_ref(), &codes);
        for s in 0..6 {
            let xn = (0..nf).map(|i| x[(i, s)].powi(2)).sum::<f64>().sqrt();
            let (idx, _) = codes.code(s);
            if !use_tol { prop_assert!(idx.len() <= k); }
            for &j in idx {
                prop_assert!(q[(j as usize, s)].abs() <= 1e-9 * (1.0 + xn), "atom {j}: {}", q[(j as usize, s)]);
            }
            if use_tol && idx.len() < nf.min(na) {
                // The goal was met.
                let c = codes.to_dense();
                let r = x.col(s) - &d * c.col(s);
                prop_assert!(r.squared_norm_l2() <= 0.01 * (1.0 + 1e-9));
            }
        }
    }

    #[test]
    fn omp_goal_skips_signals_within_it_and_codes_the_rest_as_alone(seed in any::<u64>(), chunk in 1usize..9, tol in 0.5f64..8.0) {
        // Every other signal scaled down below the goal: the encoder gathers
        // only the others for Dᵀx; their codes must be what they get alone.
        let (d, mut x) = instance(seed, 12, 24, 17);
        for s in (0..17).step_by(2) {
            let n2 = (0..12).map(|i| x[(i, s)].powi(2)).sum::<f64>();
            let f = (0.5 * tol / n2.max(1e-300)).sqrt().min(1.0);
            for i in 0..12 { x[(i, s)] *= f; }
        }
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let enc = Encoder::omp_tol(tol).chunk_size(chunk);
        let codes = enc.encode(&dict, x.as_ref()).unwrap();
        for s in 0..17 {
            let n2 = (0..12).map(|i| x[(i, s)].powi(2)).sum::<f64>();
            let alone = enc.encode(&dict, x.subcols(s, 1)).unwrap();
            let (ia, va) = alone.code(0);
            let (ib, vb) = codes.code(s);
            if n2 <= tol { prop_assert!(ib.is_empty()); }
            prop_assert_eq!(ia, ib);
            for (a, b) in va.iter().zip(vb) {
                prop_assert!((a - b).abs() <= 1e-10 * (1.0 + a.abs()));
            }
        }
    }

    #[test]
    fn lasso_goal_meets_the_goal_with_a_lasso_solution(seed in any::<u64>(), nf in 6usize..24, na in 6usize..40, frac in 0.02f64..0.8, positive in any::<bool>()) {
        // Each signal's code is the Lasso solution at the level α where the
        // path's residual reaches the goal: the KKT conditions hold at
        // α = max |Dᵀr|, and ‖r‖² equals the goal (unless the signal is
        // already within it, or the active set's least-squares fit stops
        // the path short of it).
        let (d, x) = instance(seed, nf, na, 5);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for s in 0..5 {
            let xs = x.subcols(s, 1);
            let n2 = (0..nf).map(|i| xs[(i, 0)].powi(2)).sum::<f64>();
            let eps = frac * n2;
            let codes = Encoder::lasso_goal(eps).positive(positive).encode(&dict, xs).unwrap();
            let c = codes.to_dense();
            let r = xs - &d * &c;
            let r2 = r.squared_norm_l2();
            let q = residual_correlations(d.as_ref(), xs, &codes);
            let alpha = (0..na).map(|j| if positive { q[(j, 0)] } else { q[(j, 0)].abs() }).fold(0.0, f64::max);
            assert_kkt(d.as_ref(), xs, &codes, alpha, positive, 1e-8 * (1.0 + n2.sqrt()));
            // The path ends short of the goal only at a least-squares fit
            // (non-negative, with `positive`): no correlation left to follow.
            let ended = codes.nnz() >= nf.min(na) || alpha <= 1e-9 * (1.0 + n2.sqrt());
            prop_assert!(ended || (r2 - eps).abs() <= 1e-8 * (1.0 + n2), "residual {r2}, goal {eps}");
        }
    }

    #[test]
    fn lasso_budget_spends_the_budget_with_a_lasso_solution(seed in any::<u64>(), nf in 6usize..24, na in 6usize..40, frac in 0.05f64..0.95, positive in any::<bool>()) {
        // The code within an ℓ1 budget is the Lasso solution at the level α
        // where the path's ℓ1 norm reaches the budget: the KKT conditions
        // hold at α = max |Dᵀr|, and ‖c‖₁ equals the budget, here a fraction
        // of the ℓ1 norm of the Lasso code at a twentieth of its largest α.
        let (d, x) = instance(seed, nf, na, 5);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for s in 0..5 {
            let xs = x.subcols(s, 1);
            let n2 = (0..nf).map(|i| xs[(i, 0)].powi(2)).sum::<f64>();
            let q0 = d.transpose() * xs;
            let alpha_max = (0..na).map(|j| if positive { q0[(j, 0)] } else { q0[(j, 0)].abs() }).fold(0.0, f64::max);
            let far = Encoder::lasso_lars(alpha_max / 20.0).positive(positive).encode(&dict, xs).unwrap();
            let full: f64 = far.code(0).1.iter().map(|v| v.abs()).sum();
            let budget = frac * full;
            let codes = Encoder::lasso_budget(budget).positive(positive).encode(&dict, xs).unwrap();
            let l1: f64 = codes.code(0).1.iter().map(|v| v.abs()).sum();
            prop_assert!((l1 - budget).abs() <= 1e-8 * (1.0 + full), "‖c‖₁ {l1}, budget {budget}");
            let q = residual_correlations(d.as_ref(), xs, &codes);
            let alpha = (0..na).map(|j| if positive { q[(j, 0)] } else { q[(j, 0)].abs() }).fold(0.0, f64::max);
            assert_kkt(d.as_ref(), xs, &codes, alpha, positive, 1e-8 * (1.0 + n2.sqrt()));
        }
    }

    #[test]
    fn weighted_lasso_satisfies_its_kkt_conditions(seed in any::<u64>(), nf in 6usize..24, na in 6usize..40, frac in 0.05f64..0.8, positive in any::<bool>()) {
        // With weights wⱼ, the code is optimal for ½‖x − Dc‖² + α Σ wⱼ|cⱼ|:
        // dⱼᵀr = α wⱼ sign(cⱼ) on the support and |dⱼᵀr| ≤ α wⱼ elsewhere
        // (dⱼᵀr ≤ α wⱼ with the sign constraint); weights of 1 give the
        // unweighted codes, bit for bit.
        let (d, x) = instance(seed, nf, na, 4);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let mut g = SplitMix(seed ^ 0x5eed);
        let w = Mat::<f64>::from_fn(na, 4, |_, _| 0.3 + 2.7 * g.uniform());
        let q0 = d.transpose() * &x;
        let alpha = frac * (0..na).map(|j| q0[(j, 0)].abs() / w[(j, 0)]).fold(0.0, f64::max);
        let enc = Encoder::lasso_lars(alpha).positive(positive);
        let codes = enc.encode_weighted(&dict, x.as_ref(), w.as_ref()).unwrap();
        let q = residual_correlations(d.as_ref(), x.as_ref(), &codes);
        let c = codes.to_dense();
        let tol = 1e-8 * (1.0 + x.norm_l2());
        for s in 0..4 {
            for j in 0..na {
                let (qj, cj, wj) = (q[(j, s)], c[(j, s)], w[(j, s)]);
                if cj != 0.0 {
                    prop_assert!((qj - alpha * wj * cj.signum()).abs() <= tol, "active {j} of {s}: q={qj}, αw={}", alpha * wj);
                    prop_assert!(!positive || cj > 0.0);
                } else {
                    prop_assert!((if positive { qj } else { qj.abs() }) <= alpha * wj + tol, "inactive {j} of {s}");
                }
            }
        }
        let ones = Mat::<f64>::from_fn(na, 4, |_, _| 1.0);
        prop_assert_eq!(enc.encode_weighted(&dict, x.as_ref(), ones.as_ref()).unwrap(), enc.encode(&dict, x.as_ref()).unwrap());
    }

    #[test]
    fn omp_penalty_adds_atoms_while_each_pays_its_price(seed in any::<u64>(), nf in 6usize..24, na in 6usize..40, frac in 0.001f64..0.2, forward in any::<bool>()) {
        // Under the ℓ0 penalty λ, OMP stops at the first step that would
        // lower ½‖x − Dc‖² by at most λ: the code with k atoms is the
        // k-atom OMP code, each of its steps lowered ½‖r‖² by more than λ,
        // and the next step (if any atom is left) would not.
        let (d, x) = instance(seed, nf, na, 5);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let base = |e: Encoder| if forward { e.forward_selection() } else { e };
        for s in 0..5 {
            let xs = x.subcols(s, 1);
            let n2 = (0..nf).map(|i| xs[(i, 0)].powi(2)).sum::<f64>();
            let lam = frac * n2;
            let codes = base(Encoder::omp_penalty(lam)).encode(&dict, xs).unwrap();
            let k = codes.nnz();
            let half_r2 = |k: usize| if k == 0 { 0.5 * n2 } else {
                let c = base(Encoder::omp(k)).encode(&dict, xs).unwrap();
                0.5 * (xs - &d * &c.to_dense()).squared_norm_l2()
            };
            if k > 0 {
                let same = base(Encoder::omp(k)).encode(&dict, xs).unwrap();
                prop_assert_eq!(&codes, &same);
            }
            for step in 1..=k {
                prop_assert!(half_r2(step - 1) - half_r2(step) > lam * (1.0 - 1e-9), "step {step} of {k}");
            }
            if k < nf.min(na) {
                let next = base(Encoder::omp(k + 1)).encode(&dict, xs).unwrap();
                if next.nnz() == k + 1 {
                    prop_assert!(half_r2(k) - half_r2(k + 1) <= lam * (1.0 + 1e-9) + 1e-12, "stopped at {k}");
                }
            }
        }
    }

    #[test]
    fn thread_count_does_not_change_codes(seed in any::<u64>(), chunk in 1usize..9) {
        let (d, x) = instance(seed, 16, 32, 37);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for enc in [Encoder::omp(4), Encoder::omp_tol(0.05), Encoder::lasso_goal(0.05), Encoder::lasso_lars(0.2), Encoder::lasso_cd(0.2), Encoder::fista(0.2), Encoder::lars(3)] {
            let enc = enc.chunk_size(chunk);
            let one = enc.clone().threads(1).encode(&dict, x.as_ref()).unwrap();
            let two = enc.clone().threads(2).encode(&dict, x.as_ref()).unwrap();
            let three = enc.threads(3).encode(&dict, x.as_ref()).unwrap();
            // Bit for bit.
            prop_assert_eq!(&one, &two);
            prop_assert_eq!(&one, &three);
        }
    }

    #[test]
    fn dense_coding_writes_the_codes_of_encode(seed in any::<u64>(), chunk in 1usize..9, threads in 1usize..4) {
        let (d, x) = instance(seed, 16, 32, 37);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for enc in [Encoder::omp(4), Encoder::omp_tol(0.05), Encoder::lasso_lars(0.2), Encoder::lasso_cd(0.2), Encoder::lars(3)] {
            let enc = enc.chunk_size(chunk).threads(threads);
            let want = enc.encode(&dict, x.as_ref()).unwrap().to_dense_column_major();
            // Into zeros, writing the non-zeros only.
            let mut zeroed = vec![0.0; want.len()];
            enc.encode_dense_into(&dict, x.as_ref(), None, &mut zeroed, true).unwrap();
            prop_assert_eq!(&zeroed, &want);
            // Into reused memory, every entry rewritten.
            let mut dirty = vec![f64::NAN; want.len()];
            enc.encode_dense_into(&dict, x.as_ref(), None, &mut dirty, false).unwrap();
            prop_assert_eq!(&dirty, &want);
            let mut short = vec![0.0; want.len() - 1];
            prop_assert!(enc.encode_dense_into(&dict, x.as_ref(), None, &mut short, true).is_err());
        }
    }

    #[test]
    fn f32_and_f64_agree(seed in any::<u64>()) {
        let (d, x) = instance(seed, 16, 24, 8);
        let d32 = Mat::<f32>::from_fn(16, 24, |i, j| d[(i, j)] as f32);
        let x32 = Mat::<f32>::from_fn(16, 8, |i, j| x[(i, j)] as f32);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let dict32 = Dictionary::new(d32.as_ref()).unwrap();
        let alpha = 0.3;
        let a = Encoder::lasso_lars(alpha).encode(&dict, x.as_ref()).unwrap();
        let b = Encoder::lasso_lars(alpha).encode(&dict32, x32.as_ref()).unwrap();
        for s in 0..8 {
            let xs: Vec<f64> = (0..16).map(|i| x[(i, s)]).collect();
            let (ai, av) = a.code(s);
            let (bi, bv) = b.code(s);
            let bv64: Vec<f64> = bv.iter().map(|&v| v as f64).collect();
            let pa = sc_solvers::lasso_objective(&dict, &xs, ai, av, alpha, 0.0);
            let pb = sc_solvers::lasso_objective(&dict, &xs, bi, &bv64, alpha, 0.0);
            prop_assert!((pa - pb).abs() <= 1e-4 * pa.abs().max(1.0), "{pa} vs {pb}");
        }
        let a = Encoder::omp(3).encode(&dict, x.as_ref()).unwrap();
        let b = Encoder::omp(3).encode(&dict32, x32.as_ref()).unwrap();
        // Supports may differ only where float32 rounding flips a near tie:
        // at most one signal in eight, and every matching one is compared.
        let mut compared = 0;
        for s in 0..8 {
            let (ai, av) = a.code(s);
            let (bi, bv) = b.code(s);
            if ai == bi {
                compared += 1;
                for (p, q) in av.iter().zip(bv) { prop_assert!((p - *q as f64).abs() <= 1e-3 * (1.0 + p.abs())); }
            }
        }
        prop_assert!(compared >= 7, "only {compared} of 8 OMP supports agree between f32 and f64");
    }
}

#[test]
fn bad_input_gives_typed_errors() {
    let (d, mut x) = instance(7, 8, 12, 5);
    let dict = Dictionary::new(d.as_ref()).unwrap();
    // Dimension mismatch.
    let short = Mat::<f64>::zeros(7, 3);
    assert!(matches!(Encoder::omp(2).encode(&dict, short.as_ref()), Err(Error::DimensionMismatch { expected: 8, got: 7, .. })));
    // Non-finite value: the sample is named.
    x[(3, 2)] = f64::NAN;
    assert_eq!(Encoder::omp(2).encode(&dict, x.as_ref()), Err(Error::NonFiniteSignal { sample: 2 }));
    x[(3, 2)] = 0.0;
    // Negative alpha, bad n_nonzero.
    assert!(matches!(Encoder::lasso_lars(-1.0).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "alpha", .. })));
    assert!(matches!(Encoder::omp(0).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "n_nonzero", .. })));
    assert!(matches!(Encoder::lars(0).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "n_nonzero", .. })));
    // LARS past the atoms counts steps, as scikit-learn's `lars_path` does.
    assert!(Encoder::lars(13).encode(&dict, x.as_ref()).is_ok());
    assert!(matches!(Encoder::omp(2).positive(true).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "positive", .. })));
    assert!(matches!(Encoder::omp_tol(f64::NAN).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "tol", .. })));
    assert!(matches!(Encoder::omp(2).threads(0).encode(&dict, x.as_ref()), Err(Error::InvalidParameter { name: "threads", .. })));
    // Zero-norm and non-finite atoms, empty dictionaries.
    let mut bad = d.clone();
    for i in 0..8 {
        bad[(i, 5)] = 0.0;
    }
    assert_eq!(Dictionary::new(bad.as_ref()).unwrap_err(), Error::ZeroNormAtom { atom: 5 });
    bad[(0, 4)] = f64::INFINITY;
    assert_eq!(Dictionary::new(bad.as_ref()).unwrap_err(), Error::NonFiniteAtom { atom: 4 });
    assert!(matches!(Dictionary::new(Mat::<f64>::zeros(0, 3).as_ref()), Err(Error::EmptyDictionary { .. })));
    assert!(matches!(Dictionary::<f64>::from_column_major(&[1.0; 5], 2, 3), Err(Error::DimensionMismatch { .. })));
}

#[test]
fn zero_signals_and_alpha_above_max_give_empty_codes() {
    let (d, _) = instance(3, 10, 15, 1);
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let x = Mat::<f64>::zeros(10, 4);
    for enc in [
        Encoder::omp(3),
        Encoder::omp_tol(0.1),
        Encoder::lars(3),
        Encoder::lasso_lars(0.1),
        Encoder::lasso_cd(0.1),
        Encoder::ista(0.1),
        Encoder::fista(0.1),
    ] {
        let c = enc.encode(&dict, x.as_ref()).unwrap();
        assert_eq!(c.nnz(), 0, "{:?}", enc.algorithm());
        assert_eq!(c.n_samples(), 4);
    }
    let (_, x) = instance(4, 10, 15, 3);
    let c = Encoder::lasso_lars(1e6).encode(&dict, x.as_ref()).unwrap();
    assert_eq!(c.nnz(), 0);
}

#[test]
fn warm_start_reaches_the_same_solution() {
    let (d, x) = instance(11, 12, 20, 6);
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let exact = Encoder::lasso_lars(0.2).encode(&dict, x.as_ref()).unwrap().to_dense();
    let init = Mat::<f64>::from_fn(20, 6, |j, s| exact[(j, s)] * 0.5 + 0.01 * ((j + s) as f64).sin());
    for enc in [Encoder::lasso_cd(0.2), Encoder::fista(0.2)] {
        let warm = enc.tol(1e-20).max_iter(100_000).encode_warm(&dict, x.as_ref(), Some(init.as_ref())).unwrap().to_dense();
        for s in 0..6 {
            for j in 0..20 {
                assert!((warm[(j, s)] - exact[(j, s)]).abs() < 1e-6);
            }
        }
    }
}

#[test]
fn an_atom_that_leaves_may_rejoin_with_the_other_sign_in_the_next_step() {
    // On this instance (found by the weighted-Lasso property), atom 1 leaves
    // the path at λ ≈ 0.37 with a positive correlation, and within the next
    // step its correlation reaches −λ: it must rejoin there with the other
    // sign, or the code breaks the optimality conditions.
    let (seed, nf, na) = (17094477143029845316u64, 13usize, 11usize);
    let (d, x) = instance(seed, nf, na, 4);
    let mut g = SplitMix(seed ^ 0x5eed);
    let w = Mat::<f64>::from_fn(na, 4, |_, _| 0.3 + 2.7 * g.uniform());
    let dp = Mat::<f64>::from_fn(nf, na, |i, j| d[(i, j)] / w[(j, 2)]);
    let xs = Mat::<f64>::from_fn(nf, 1, |i, _| x[(i, 2)]);
    let alpha = 0.0394;
    let codes = Encoder::lasso_lars(alpha).encode(&Dictionary::new(dp.as_ref()).unwrap(), xs.as_ref()).unwrap();
    assert!(codes.code(0).0.contains(&1), "atom 1 rejoins: {:?}", codes.code(0));
    assert_kkt(dp.as_ref(), xs.as_ref(), &codes, alpha, false, 1e-9);
}

#[test]
fn the_gram_form_codes_as_the_signals_do() {
    // DᵀD, DᵀX and ‖x‖² hold all a LARS homotopy reads: its codes from them
    // are the codes from D and X, for every homotopy and with the sign
    // constraint; other coders are refused.
    for (seed, nf, na) in [(3u64, 12usize, 20usize), (8, 20, 9)] {
        let (d, x) = instance(seed, nf, na, 6);
        let dict = Dictionary::new(d.as_ref()).unwrap();
        let (g, xy) = (d.transpose() * &d, d.transpose() * &x);
        let norms: Vec<f64> = (0..6).map(|s| (0..nf).map(|i| x[(i, s)] * x[(i, s)]).sum()).collect();
        for enc in [
            Encoder::lasso_lars(0.05),
            Encoder::lasso_lars(0.05).positive(true),
            Encoder::lasso_goal(0.3),
            // A budget that binds before the residual reaches zero (past
            // it, with more atoms than rows, codes are not unique).
            Encoder::lasso_budget(0.5),
            Encoder::lars(3),
        ] {
            let (a, b) =
                (enc.encode(&dict, x.as_ref()).unwrap().to_dense(), enc.encode_gram(g.as_ref(), xy.as_ref(), &norms).unwrap().to_dense());
            for s in 0..6 {
                for j in 0..na {
                    assert!(
                        (a[(j, s)] - b[(j, s)]).abs() < 1e-9,
                        "{} signal {s} atom {j}: {} vs {}",
                        enc.algorithm().name(),
                        a[(j, s)],
                        b[(j, s)]
                    );
                }
            }
        }
        assert!(Encoder::omp(2).encode_gram(g.as_ref(), xy.as_ref(), &norms).is_err());
        assert!(Encoder::lasso_lars(0.1).encode_gram(g.as_ref(), xy.as_ref(), &norms[..3]).is_err());
    }
}
