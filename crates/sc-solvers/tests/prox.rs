//! The proximal operators and projections of `sc_solvers::prox`, checked
//! from their optimality conditions on random vectors.

use faer::Mat;
use proptest::prelude::*;
use sc_linalg::rng::SplitMix;
use sc_solvers::prox::{Projection, fused_prox, fused_value, project_columns, tv_prox};

fn vector(seed: u64, n: usize, plateaus: bool) -> Vec<f64> {
    let mut g = SplitMix(seed);
    let mut v: Vec<f64> = (0..n).map(|_| 2.0 * g.normal()).collect();
    if plateaus {
        // Runs of equal values, which the total variation keeps together.
        for i in 1..n {
            if g.uniform() < 0.4 {
                v[i] = v[i - 1];
            }
        }
    }
    v
}

fn apply(p: Projection<f64>, u: &[f64], positive: bool) -> Vec<f64> {
    let mut v = u.to_vec();
    p.apply(&mut v, positive, &mut Vec::new());
    v
}

/// A projection `v` of `u` on a convex set satisfies `⟨u − v, w − v⟩ ≤ 0`
/// for every `w` of the set; checked on `w`s drawn in it by `member`.
fn assert_projection(u: &[f64], v: &[f64], seed: u64, member: impl Fn(&[f64]) -> Vec<f64>) {
    let mut g = SplitMix(seed ^ 0xabc);
    let scale = 1.0 + u.iter().map(|x| x * x).sum::<f64>().sqrt();
    for _ in 0..64 {
        let z: Vec<f64> = (0..u.len()).map(|_| g.normal()).collect();
        let w = member(&z);
        let inner: f64 = (0..u.len()).map(|i| (u[i] - v[i]) * (w[i] - v[i])).sum();
        assert!(inner <= 1e-9 * scale * scale, "⟨u − v, w − v⟩ = {inner}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn total_variation_prox_meets_its_optimality_conditions(seed in any::<u64>(), n in 1usize..40, lambda in 0.001f64..3.0, plateaus in any::<bool>()) {
        // x = argmin ½‖y − x‖² + λΣ|xᵢ₊₁ − xᵢ| exactly when the dual
        // sᵢ = Σ_{k≤i}(xₖ − yₖ) stays in [−λ, λ], ends at 0, and equals
        // λ·sign(xᵢ₊₁ − xᵢ) wherever x jumps.
        let y = vector(seed, n, plateaus);
        let mut x = vec![0.0; n];
        tv_prox(&y, lambda, &mut x);
        let tol = 1e-9 * (1.0 + y.iter().map(|v| v.abs()).sum::<f64>());
        let mut s = 0.0;
        for i in 0..n {
            s += x[i] - y[i];
            if i + 1 < n {
                prop_assert!(s.abs() <= lambda + tol, "dual {s} at {i}");
                let jump = x[i + 1] - x[i];
                if jump.abs() > 1e-12 * (1.0 + x[i].abs()) {
                    prop_assert!((s - lambda * jump.signum()).abs() <= tol, "dual {s} at a jump {jump} ({i})");
                }
            }
        }
        prop_assert!(s.abs() <= tol, "the dual ends at {s}");
    }

    #[test]
    fn balls_are_projections(seed in any::<u64>(), n in 1usize..30, radius in 0.05f64..6.0, l1 in 0.0f64..2.0, l2 in 0.0f64..2.0, positive in any::<bool>()) {
        let u = vector(seed, n, false);
        let l1 = if l1 == 0.0 && l2 == 0.0 { 1.0 } else { l1 };
        let elastic = |v: &[f64]| v.iter().map(|x| l2 * x * x + l1 * x.abs()).sum::<f64>();
        for (p, value) in [
            (Projection::L1Ball { radius }, &(|v: &[f64]| v.iter().map(|x| x.abs()).sum::<f64>()) as &dyn Fn(&[f64]) -> f64),
            (Projection::ElasticBall { l2, l1, radius }, &elastic),
        ] {
            let v = apply(p, &u, positive);
            prop_assert!(value(&v) <= radius * (1.0 + 1e-9) + 1e-12, "{p:?}: value {} > {radius}", value(&v));
            if positive {
                prop_assert!(v.iter().all(|&x| x >= 0.0));
            }
            // Inside already: unchanged (with the sign constraint, the
            // positive part).
            let up: Vec<f64> = u.iter().map(|&x| if positive { x.max(0.0) } else { x }).collect();
            if value(&up) <= radius {
                prop_assert_eq!(&v, &up);
            }
            assert_projection(&u, &v, seed, |z| {
                let z: Vec<f64> = z.iter().map(|&x| if positive { x.abs() } else { x }).collect();
                // Scaled into the set (the value of t·z is at most t times z's).
                let t = (radius / value(&z).max(1e-300)).min(1.0) * 0.999;
                z.iter().map(|x| t * x).collect()
            });
        }
    }

    #[test]
    fn the_fused_ball_is_a_projection_onto_the_fused_regulariser_s_ball(seed in any::<u64>(), n in 2usize..30, radius in 0.05f64..6.0, l1 in 0.0f64..1.5, tv in 0.0f64..1.5, l2 in 0.0f64..1.5) {
        let u = vector(seed, n, true);
        let l1 = if l1 + tv + l2 == 0.0 { 1.0 } else { l1 };
        let v = apply(Projection::FusedBall { l1, tv, l2, radius }, &u, false);
        let value = fused_value(&v, l1, tv, l2);
        prop_assert!(value <= radius * (1.0 + 1e-9) + 1e-12);
        if fused_value(&u, l1, tv, l2) > radius {
            // On the surface.
            prop_assert!(value >= radius * (1.0 - 1e-7), "value {value}, radius {radius}");
        }
        assert_projection(&u, &v, seed, |z| {
            let t = (radius / fused_value(z, l1, tv, l2).max(1e-300)).min(1.0) * 0.999;
            z.iter().map(|x| t * x).collect()
        });
    }

    #[test]
    fn fused_prox_minimises_its_objective(seed in any::<u64>(), n in 1usize..30, l1 in 0.0f64..1.5, tv in 0.0f64..1.5, l2 in 0.0f64..1.5) {
        // ½‖u − v‖² + ψ(v) is strictly convex: no small move from the prox
        // lowers it.
        let u = vector(seed, n, true);
        let mut v = u.clone();
        fused_prox(&mut v, l1, tv, l2, &mut Vec::new());
        let f = |w: &[f64]| 0.5 * w.iter().zip(&u).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() + fused_value(w, l1, tv, l2);
        let best = f(&v);
        let mut g = SplitMix(seed ^ 7);
        for _ in 0..100 {
            let t = if g.uniform() < 0.5 { 1e-3 } else { 1e-6 };
            let w: Vec<f64> = v.iter().map(|&x| x + t * g.normal()).collect();
            prop_assert!(f(&w) >= best - 1e-12 * (1.0 + best), "a move lowers the objective");
        }
    }
}

/// The soft threshold scaled into the ℓ2 ball: its formula; and the
/// columns of a matrix are each projected, whatever the thread count.
#[test]
fn soft_l2_ball_and_columns() {
    let u = vector(5, 12, false);
    let v = apply(Projection::SoftL2Ball { lambda: 0.3, radius: 1.5 }, &u, false);
    let soft: Vec<f64> = u.iter().map(|&x| x.signum() * (x.abs() - 0.3).max(0.0)).collect();
    let n2: f64 = soft.iter().map(|x| x * x).sum();
    assert!(n2 > 1.5);
    for (a, b) in v.iter().zip(&soft) {
        assert!((a - b * (1.5 / n2).sqrt()).abs() <= 1e-12);
    }
    let m = Mat::<f64>::from_fn(12, 50, |i, j| vector(j as u64, 12, false)[i]);
    let p = Projection::L1Ball { radius: 1.0 };
    let mut a = m.clone();
    project_columns(a.as_mut(), &p, false).unwrap();
    for j in 0..50 {
        let col: Vec<f64> = (0..12).map(|i| m[(i, j)]).collect();
        let want = apply(p, &col, false);
        assert!((0..12).all(|i| a[(i, j)] == want[i]));
    }
    assert!(project_columns(a.as_mut(), &Projection::L1Ball { radius: -1.0 }, false).is_err());
    assert!(project_columns(a.as_mut(), &Projection::ElasticBall { l2: 0.0, l1: 0.0, radius: 1.0 }, false).is_err());
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn simplex_codes_meet_their_optimality_conditions(seed in any::<u64>(), m in 2usize..12, p in 1usize..24, n in 1usize..6) {
        // α on the simplex minimises ‖x − Zα‖² exactly when the gradient
        // g = Zᵀ(Zα − x) takes one value ν on the support and ≥ ν elsewhere.
        let mut g = SplitMix(seed);
        let z = Mat::<f64>::from_fn(m, p, |_, _| g.normal());
        let x = Mat::<f64>::from_fn(m, n, |_, _| 1.5 * g.normal());
        let codes = sc_solvers::simplex_codes(z.as_ref(), x.as_ref()).unwrap();
        let a = codes.to_dense();
        let grad = z.transpose() * (&z * &a - &x);
        let scale = 1.0 + (0..p).map(|j| (0..m).map(|i| z[(i, j)].powi(2)).sum::<f64>()).fold(0.0, f64::max) * 4.0;
        for s in 0..n {
            let sum: f64 = (0..p).map(|j| a[(j, s)]).sum();
            prop_assert!((sum - 1.0).abs() <= 1e-12, "weights sum to {sum}");
            prop_assert!((0..p).all(|j| a[(j, s)] >= 0.0));
            let level: f64 = (0..p).map(|j| a[(j, s)] * grad[(j, s)]).sum();
            for j in 0..p {
                if a[(j, s)] > 1e-9 {
                    prop_assert!((grad[(j, s)] - level).abs() <= 1e-8 * scale, "active {j}: {} vs {level}", grad[(j, s)]);
                } else {
                    prop_assert!(grad[(j, s)] >= level - 1e-8 * scale, "inactive {j}: {} < {level}", grad[(j, s)]);
                }
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    #[test]
    fn the_lazy_simplex_code_is_the_dense_one(seed in any::<u64>(), m in 2usize..10, p in 1usize..30) {
        let mut g = SplitMix(seed);
        let z = Mat::<f64>::from_fn(m, p, |_, _| g.normal());
        let x: Vec<f64> = (0..m).map(|_| 1.5 * g.normal()).collect();
        let dense = sc_solvers::simplex_codes(z.as_ref(), Mat::<f64>::from_fn(m, 1, |i, _| x[i]).as_ref()).unwrap().to_dense();
        let lazy = sc_solvers::simplex_code(z.as_ref(), &x).unwrap();
        let mut w = vec![0.0; p];
        for (j, v) in lazy {
            w[j] = v;
        }
        // Both minimisers: the same fit (the weights may differ where the
        // points are affinely dependent).
        let fit = |w: &dyn Fn(usize) -> f64| (0..m).map(|i| (x[i] - (0..p).map(|j| z[(i, j)] * w(j)).sum::<f64>()).powi(2)).sum::<f64>();
        let (a, b) = (fit(&|j| dense[(j, 0)]), fit(&|j| w[j]));
        prop_assert!((a - b).abs() <= 1e-9 * (1.0 + a), "{a} vs {b}");
    }
}

mod regularizers {
    use super::*;
    use sc_solvers::regularizer::{Regularizer, RegularizerName, prox_columns};

    /// `ψ(v)` for the convex regularisers, to check their prox from its
    /// objective.
    fn value(r: &Regularizer<f64>, v: &[f64], groups: &[usize]) -> f64 {
        let l1 = |v: &[f64]| v.iter().map(|x| x.abs()).sum::<f64>();
        let l2sq = |v: &[f64]| v.iter().map(|x| x * x).sum::<f64>();
        let linf = |v: &[f64]| v.iter().fold(0.0f64, |a, x| a.max(x.abs()));
        let by_group = |norm: &dyn Fn(&[f64]) -> f64| {
            let mut labels: Vec<usize> = groups.to_vec();
            labels.sort_unstable();
            labels.dedup();
            labels.iter().map(|&g| norm(&v.iter().zip(groups).filter(|&(_, &l)| l == g).map(|(&x, _)| x).collect::<Vec<_>>())).sum::<f64>()
        };
        match *r {
            Regularizer::L1 { lambda } => lambda * l1(v),
            Regularizer::L2 { lambda } => 0.5 * lambda * l2sq(v),
            Regularizer::Linf { lambda } => lambda * linf(v),
            Regularizer::L2NotSquared { lambda } => lambda * l2sq(v).sqrt(),
            Regularizer::ElasticNet { l1: a, l2: b } => a * l1(v) + 0.5 * b * l2sq(v),
            Regularizer::FusedLasso { tv, l1: a, l2: b } => fused_value(v, a, tv, b),
            Regularizer::GroupLassoL2 { lambda } => lambda * by_group(&|g| l2sq(g).sqrt()),
            Regularizer::GroupLassoLinf { lambda } => lambda * by_group(&linf),
            Regularizer::SparseGroupLassoL2 { lambda, l1: a } => lambda * by_group(&|g| l2sq(g).sqrt()) + a * l1(v),
            Regularizer::SparseGroupLassoLinf { lambda, l1: a } => lambda * by_group(&linf) + a * l1(v),
            Regularizer::None => 0.0,
            Regularizer::L0 { .. } => unreachable!("not convex"),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

        #[test]
        fn each_convex_prox_minimises_its_objective(seed in any::<u64>(), n in 2usize..20, l1 in 0.0f64..1.5, l2 in 0.0f64..1.5, l3 in 0.0f64..1.0, positive in any::<bool>()) {
            let u = vector(seed, n, true);
            // Groups of three, labelled out of order.
            let groups: Vec<usize> = (0..n).map(|i| (7 * (i / 3)) % 5 + 10 * (i / 15)).collect();
            for &name in RegularizerName::NAMES.iter().filter(|&&n| n != "l0") {
                let r = Regularizer::new(name.parse().unwrap(), l1, l2, l3);
                let mut m = Mat::<f64>::from_fn(n, 1, |i, _| u[i]);
                prox_columns(m.as_mut(), &r, Some(&groups), positive, false).unwrap();
                let v: Vec<f64> = (0..n).map(|i| m[(i, 0)]).collect();
                if positive {
                    prop_assert!(v.iter().all(|&x| x >= 0.0), "{name}");
                }
                let f = |w: &[f64]| 0.5 * w.iter().zip(&u).map(|(a, b)| (a - b) * (a - b)).sum::<f64>() + value(&r, w, &groups);
                let best = f(&v);
                // The library's value is the one written here.
                let mut members: Vec<Vec<usize>> = Vec::new();
                let mut labels: Vec<usize> = Vec::new();
                for (i, &l) in groups.iter().enumerate() {
                    match labels.iter().position(|&x| x == l) {
                        Some(k) => members[k].push(i),
                        None => { labels.push(l); members.push(vec![i]); }
                    }
                }
                let (ours, theirs) = (r.value(&v, &members), value(&r, &v, &groups));
                prop_assert!((ours - theirs).abs() <= 1e-12 * (1.0 + theirs), "{name}: value {ours} against {theirs}");
                let mut g = SplitMix(seed ^ 11);
                for _ in 0..60 {
                    let t = if g.uniform() < 0.5 { 1e-3 } else { 1e-6 };
                    let w: Vec<f64> = v.iter().map(|&x| x + t * g.normal()).map(|x| if positive { x.max(0.0) } else { x }).collect();
                    prop_assert!(f(&w) >= best - 1e-12 * (1.0 + best), "{name}: a move lowers the objective");
                }
            }
        }
    }

    /// ℓ0: each entry kept exactly when that lowers ½(u − v)² + λ[v ≠ 0];
    /// an intercept (the last row) is left as it is; groups are required
    /// by the group regularisers and must label every row.
    #[test]
    fn l0_intercept_and_groups() {
        let u = vector(3, 9, false);
        let mut m = Mat::<f64>::from_fn(9, 1, |i, _| u[i]);
        prox_columns(m.as_mut(), &Regularizer::L0 { lambda: 0.6 }, None, false, true).unwrap();
        for i in 0..8 {
            let keep = 0.6 < 0.5 * u[i] * u[i];
            assert_eq!(m[(i, 0)], if keep { u[i] } else { 0.0 });
        }
        assert_eq!(m[(8, 0)], u[8]);
        assert!(prox_columns(m.as_mut(), &Regularizer::GroupLassoL2 { lambda: 0.1 }, None, false, false).is_err());
        assert!(prox_columns(m.as_mut(), &Regularizer::GroupLassoL2 { lambda: 0.1 }, Some(&[0, 1]), false, false).is_err());
        assert!(prox_columns(m.as_mut(), &Regularizer::L1 { lambda: -1.0 }, None, false, false).is_err());
    }
}

mod fista_flat {
    use super::*;
    use sc_solvers::regularizer::{Regularizer, RegularizerName};
    use sc_solvers::{Dictionary, Encoder, FistaFlat, fista_square};

    /// With the ℓ1 regulariser, FISTA reaches the Lasso's objective (the
    /// exact homotopy's) to 1e-7; with every convex regulariser, no small
    /// move from its answer lowers ½‖y − Xw‖² + ψ(w) by more than the
    /// tolerance allows; with none and a tall design, Xᵀ(y − Xw) = 0.
    #[test]
    fn fista_square_minimises_each_objective() {
        let mut g = SplitMix(9);
        let (m, p, n) = (30, 12, 4);
        let x = Mat::<f64>::from_fn(m, p, |_, _| g.normal());
        let y = Mat::<f64>::from_fn(m, n, |_, _| 2.0 * g.normal());
        let w0 = Mat::<f64>::zeros(p, n);
        let settings = |r| FistaFlat { max_iter: 20_000, tol: 1e-12, ..FistaFlat::new(r) };
        let (w, _) = fista_square(x.as_ref(), y.as_ref(), w0.as_ref(), &settings(Regularizer::L1 { lambda: 3.0 })).unwrap();
        let lasso = Encoder::lasso_lars(3.0).encode(&Dictionary::new(x.as_ref()).unwrap(), y.as_ref()).unwrap().to_dense();
        let f = |w: &Mat<f64>, j: usize| {
            0.5 * (0..m).map(|i| (y[(i, j)] - (0..p).map(|k| x[(i, k)] * w[(k, j)]).sum::<f64>()).powi(2)).sum::<f64>()
                + 3.0 * (0..p).map(|k| w[(k, j)].abs()).sum::<f64>()
        };
        for j in 0..n {
            assert!((f(&w, j) - f(&lasso, j)).abs() <= 1e-7 * f(&lasso, j), "{} vs {}", f(&w, j), f(&lasso, j));
        }
        let (w, _) = fista_square(x.as_ref(), y.as_ref(), w0.as_ref(), &settings(Regularizer::None)).unwrap();
        let normal = x.transpose() * (&y - &x * &w);
        assert!((0..p).all(|k| (0..n).all(|j| normal[(k, j)].abs() <= 1e-8)), "{normal:?}");
        let groups: Vec<usize> = (0..p).map(|k| k / 3).collect();
        for &name in RegularizerName::NAMES.iter().filter(|&&n| n != "l0") {
            let r = Regularizer::new(name.parse().unwrap(), 2.0, 0.5, 0.3);
            let s = FistaFlat { groups: Some(groups.clone()), ..settings(r) };
            let (w, _) = fista_square(x.as_ref(), y.as_ref(), w0.as_ref(), &s).unwrap();
            let col: Vec<f64> = (0..p).map(|k| w[(k, 0)]).collect();
            let smooth = |v: &[f64]| 0.5 * (0..m).map(|i| (y[(i, 0)] - (0..p).map(|k| x[(i, k)] * v[k]).sum::<f64>()).powi(2)).sum::<f64>();
            // A minimiser is a fixed point of the proximal-gradient step,
            // w = prox_{ψ/c}(w − ∇/c), for any step 1/c.
            let grad: Vec<f64> =
                (0..p).map(|k| (0..m).map(|i| x[(i, k)] * ((0..p).map(|l| x[(i, l)] * col[l]).sum::<f64>() - y[(i, 0)])).sum()).collect();
            let lip = 1e3;
            let mut u: Vec<f64> = col.iter().zip(&grad).map(|(a, b)| a - b / lip).collect();
            let members: Vec<Vec<usize>> = (0..4).map(|gi| (3 * gi..3 * gi + 3).collect()).collect();
            r.scaled(1.0 / lip).prox(&mut u, &members, false, &mut Default::default());
            let gap = u.iter().zip(&col).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
            assert!(gap <= 1e-7 * (1.0 + smooth(&col)), "{name}: not a fixed point ({gap})");
        }
    }
}

/// `optim_info`'s bound is a dual objective: below the optimum at any
/// point (weak duality, checked at the start `w = 0` against the solved
/// objective), and closing on it at the solution (the gap vanishes); −1
/// where no conjugate is written.
#[test]
fn optim_info_bounds_the_optimum_and_closes_at_the_solution() {
    use sc_solvers::regularizer::{Regularizer, RegularizerName};
    use sc_solvers::{FistaFlat, Loss, fista_square, optim_info};
    let mut g = SplitMix(17);
    let (m, p, n) = (25, 12, 3);
    let x = Mat::<f64>::from_fn(m, p, |_, _| g.normal());
    let y = Mat::<f64>::from_fn(m, n, |_, _| 2.0 * g.normal());
    let w0 = Mat::<f64>::zeros(p, n);
    let groups: Vec<usize> = (0..p).map(|k| k / 3).collect();
    for positive in [false, true] {
        for &name in RegularizerName::NAMES {
            let r = Regularizer::new(name.parse().unwrap(), 1.5, 0.5, 0.3);
            let s = FistaFlat { groups: Some(groups.clone()), positive, max_iter: 50_000, tol: 1e-13, ..FistaFlat::new(r) };
            let (w, steps) = fista_square(x.as_ref(), y.as_ref(), w0.as_ref(), &s).unwrap();
            let at_solution = optim_info(x.as_ref(), y.as_ref(), w.as_ref(), Loss::Square, &s, &steps).unwrap();
            let at_start = optim_info(x.as_ref(), y.as_ref(), w0.as_ref(), Loss::Square, &s, &vec![0; n]).unwrap();
            let known = !matches!(name, "l0" | "fused_lasso" | "sparse_group_lasso_l2" | "sparse_group_lasso_linf" | "none");
            for j in 0..n {
                assert_eq!(at_solution[(3, j)], steps[j] as f64);
                if !known {
                    assert_eq!((at_solution[(1, j)], at_solution[(2, j)]), (-1.0, -1.0), "{name}");
                    continue;
                }
                let (primal, bound, gap) = (at_solution[(0, j)], at_solution[(1, j)], at_solution[(2, j)]);
                assert!(bound <= primal * (1.0 + 1e-12) && gap <= 1e-6, "{name} pos {positive}: {bound} against {primal} (gap {gap})");
                assert!(
                    at_start[(1, j)] <= primal * (1.0 + 1e-12),
                    "{name} pos {positive}: the bound at 0, {}, exceeds the optimum {primal}",
                    at_start[(1, j)]
                );
                assert!(at_start[(2, j)] > 1e-3, "{name} pos {positive}: no gap at the start");
            }
        }
    }
}

/// `refit` gives each code the least-squares fit of its signal on its
/// support: the residual is orthogonal to the atoms used (with a ridge,
/// Dᵀr = l2·c on them), and the support is kept.
#[test]
fn refit_is_least_squares_on_the_support() {
    use sc_solvers::{Dictionary, Encoder, refit};
    let mut g = SplitMix(21);
    let (m, k, n) = (16, 30, 6);
    let mut d = Mat::<f64>::from_fn(m, k, |_, _| g.normal());
    for j in 0..k {
        let norm = (0..m).map(|i| d[(i, j)].powi(2)).sum::<f64>().sqrt();
        (0..m).for_each(|i| d[(i, j)] /= norm);
    }
    let x = Mat::<f64>::from_fn(m, n, |_, _| g.normal());
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let codes = Encoder::lasso_lars(0.3).encode(&dict, x.as_ref()).unwrap();
    for l2 in [0.0, 0.5] {
        let fitted = refit(&dict, x.as_ref(), &codes, l2).unwrap();
        assert_eq!(fitted.indptr(), codes.indptr());
        assert_eq!(fitted.indices(), codes.indices());
        let c = fitted.to_dense();
        let r = &x - &d * &c;
        let q = d.transpose() * &r;
        for s in 0..n {
            for &a in fitted.code(s).0 {
                let a = a as usize;
                assert!((q[(a, s)] - l2 * c[(a, s)]).abs() <= 1e-10, "signal {s} atom {a}: {} vs {}", q[(a, s)], l2 * c[(a, s)]);
            }
        }
        // The Gram form gives the same fits from DᵀD and DᵀX alone.
        let gram = d.transpose() * &d;
        let dtx = d.transpose() * &x;
        let from_gram = sc_solvers::refit_gram(gram.as_ref(), dtx.as_ref(), &codes, l2).unwrap();
        assert_eq!(from_gram.indices(), fitted.indices());
        assert!(from_gram.values().iter().zip(fitted.values()).all(|(a, b)| (a - b).abs() <= 1e-10 * (1.0 + b.abs())));
    }
}

#[test]
fn l1_ball_threshold_landing_on_an_entry_ends() {
    // Values of a mean-removed 8×8 camera patch (most of them equal, a few
    // bright ones) on which the rounded fixed point of the ℓ1 ball's
    // threshold lands on the entry 0.1903799…: the set of entries above it
    // grew back and shrank again, forever. The projection must end, on the
    // ball's boundary, as one soft threshold.
    let mut u = vec![-0.0684436274509804; 64];
    for (i, v) in [(24, 0.1903799019607843), (32, 0.3158700980392157), (40, 0.39822303921568625), (48, 0.4335171568627451)]
        .into_iter()
        .chain([(49, 0.21783088235294118), (56, 0.42567401960784307), (57, 0.3511642156862745), (7, 0.02959558823529411)])
    {
        u[i] = v;
    }
    let v = apply(Projection::L1Ball { radius: 1.0 }, &u, false);
    let l1: f64 = v.iter().map(|x| x.abs()).sum();
    assert!((l1 - 1.0).abs() < 1e-12, "‖v‖₁ = {l1}");
    // v = sign(u)·max(|u| − τ, 0): one τ for every kept entry.
    let taus: Vec<f64> = (0..64).filter(|&i| v[i] != 0.0).map(|i| u[i].abs() - v[i].abs()).collect();
    assert!(taus.iter().all(|t| (t - taus[0]).abs() < 1e-12));
    assert!((0..64).all(|i| v[i] != 0.0 || u[i].abs() <= taus[0] + 1e-12));
}

/// `fista_loss`: each loss's solution is a fixed point of the
/// proximal-gradient step, the gradient taken by finite differences of
/// `loss_objectives` (so that value, gradient and solver are checked
/// together); the missing-data square loss is the square loss on the
/// observed rows.
#[test]
fn fista_losses_reach_their_minimisers() {
    use sc_solvers::regularizer::Regularizer;
    use sc_solvers::{FistaFlat, Loss, fista_loss, fista_square, loss_objectives};
    let mut g = SplitMix(23);
    let (m, p, n) = (40, 6, 2);
    let x = Mat::<f64>::from_fn(m, p, |_, _| g.normal());
    let signs = Mat::<f64>::from_fn(m, n, |i, j| if x[(i, j)] + 0.5 * g.normal() > 0.0 { 1.0 } else { -1.0 });
    let labels = Mat::<f64>::from_fn(m, n, |i, _| {
        if x[(i, 0)] > 0.5 {
            2.0
        } else if x[(i, 1)] > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    let mut missing = Mat::<f64>::from_fn(m, n, |_, _| g.normal());
    for i in (0..m).step_by(3) {
        missing[(i, 0)] = f64::NAN;
    }
    let r = Regularizer::L1 { lambda: 0.02 };
    let s = FistaFlat { max_iter: 100_000, tol: 1e-14, ..FistaFlat::new(r) };
    for (loss, y, width) in [
        (Loss::Logistic, &signs, 1),
        (Loss::WeightedLogistic, &signs, 1),
        (Loss::MultiLogistic, &labels, 3),
        (Loss::SquareMissing, &missing, 1),
    ] {
        let w0 = Mat::<f64>::zeros(p, n * width);
        let (w, _) = fista_loss(x.as_ref(), y.as_ref(), w0.as_ref(), loss, &s).unwrap();
        let smooth = |w: &Mat<f64>| loss_objectives(x.as_ref(), y.as_ref(), w.as_ref(), loss, &FistaFlat::new(Regularizer::None)).unwrap();
        for j in 0..n * width {
            let h = 1e-6;
            let grad: Vec<f64> = (0..p)
                .map(|k| {
                    let (mut a, mut b) = (w.clone(), w.clone());
                    a[(k, j)] += h;
                    b[(k, j)] -= h;
                    (smooth(&a)[j / width] - smooth(&b)[j / width]) / (2.0 * h)
                })
                .collect();
            let c = 10.0;
            let mut u: Vec<f64> = (0..p).map(|k| w[(k, j)] - grad[k] / c).collect();
            r.scaled(1.0 / c).prox(&mut u, &[], false, &mut Default::default());
            let gap = (0..p).map(|k| (u[k] - w[(k, j)]).abs()).fold(0.0, f64::max);
            assert!(gap <= 1e-6, "{loss}: column {j} is not a fixed point ({gap})");
        }
        if loss == Loss::SquareMissing {
            let rows: Vec<usize> = (0..m).filter(|&i| !missing[(i, 0)].is_nan()).collect();
            let xo = Mat::<f64>::from_fn(rows.len(), p, |i, k| x[(rows[i], k)]);
            let yo = Mat::<f64>::from_fn(rows.len(), 1, |i, _| missing[(rows[i], 0)]);
            let (wo, _) = fista_square(xo.as_ref(), yo.as_ref(), Mat::<f64>::zeros(p, 1).as_ref(), &s).unwrap();
            assert!((0..p).all(|k| (wo[(k, 0)] - w[(k, 0)]).abs() <= 1e-7), "square-missing is not the square loss on the observed rows");
        }
    }
    let bad = Mat::<f64>::from_fn(m, n, |i, _| if i == 0 { 3.0 } else { 0.0 });
    assert!(fista_loss(x.as_ref(), bad.as_ref(), Mat::<f64>::zeros(p, 3 * n).as_ref(), Loss::MultiLogistic, &s).is_err());
}

/// The matrix regularisers: each convex prox minimises
/// `½‖U − V‖²_F + ψ(V)` against small moves (with `ψ` from the library's
/// `value`, checked against its formula on the rows or the singular values
/// from `faer`); the rank's prox is the best truncation of `U`'s singular
/// value decomposition; `fista_matrix`'s answer is a fixed point of the
/// proximal-gradient step.
#[test]
fn matrix_regularizers_minimise_their_objectives() {
    use sc_solvers::matrix_regularizer::{MatrixRegularizer, MatrixRegularizerName, prox_matrix};
    use sc_solvers::regularizer::Regularizer;
    use sc_solvers::{FistaFlat, fista_matrix};
    let mut g = SplitMix(31);
    let (p, n) = (6, 4);
    let u = Mat::<f64>::from_fn(p, n, |_, _| 1.5 * g.normal());
    let singular = |m: &Mat<f64>| -> Vec<f64> {
        let mut s = m.singular_values().unwrap();
        s.sort_by(|a, b| b.partial_cmp(a).unwrap());
        s
    };
    for &name in MatrixRegularizerName::NAMES {
        let r = MatrixRegularizer::new(name.parse().unwrap(), 0.9, 0.2, 2);
        let mut v = u.clone();
        prox_matrix(v.as_mut(), &r, false, false).unwrap();
        let psi = |m: &Mat<f64>| r.value(m.as_ref()).iter().sum::<f64>();
        let f = |m: &Mat<f64>| 0.5 * (&u - m).squared_norm_l2() + psi(m);
        // The value against its formula.
        let rows = |m: &Mat<f64>, linf: bool| {
            (0..p).map(|i| (0..n).map(|j| m[(i, j)].abs()).fold(0.0, |a: f64, x| if linf { a.max(x) } else { a.hypot(x) })).sum::<f64>()
        };
        let l1 = |m: &Mat<f64>| (0..p).flat_map(|i| (0..n).map(move |j| (i, j))).map(|(i, j)| m[(i, j)].abs()).sum::<f64>();
        let expected = match name {
            "l1l2" => 0.9 * rows(&v, false),
            "l1linf" => 0.9 * rows(&v, true),
            "l1l2+l1" => 0.9 * rows(&v, false) + 0.2 * l1(&v),
            "l1linf+l1" => 0.9 * rows(&v, true) + 0.2 * l1(&v),
            "trace_norm" => 0.9 * singular(&v).iter().sum::<f64>(),
            "rank" => 0.9 * singular(&v).iter().filter(|&&s| s > 1e-9).count() as f64,
            _ => (0..n)
                .map(|j| {
                    let m = Mat::<f64>::from_fn(2, 3, |a, b| v[(2 * b + a, j)]);
                    let s = singular(&m);
                    0.9 * if name == "rank_vec" { s.iter().filter(|&&x| x > 1e-9).count() as f64 } else { s.iter().sum::<f64>() }
                })
                .sum(),
        };
        assert!((psi(&v) - expected).abs() <= 1e-9 * (1.0 + expected), "{name}: value {} against {expected}", psi(&v));
        if name == "rank" {
            // The exact prox: no truncation of U's SVD does better.
            let s = singular(&u);
            let best = (0..=n).map(|k| 0.5 * s[k..].iter().map(|x| x * x).sum::<f64>() + 0.9 * k as f64).fold(f64::MAX, f64::min);
            assert!((f(&v) - best).abs() <= 1e-9 * (1.0 + best), "rank: {} against the best truncation {best}", f(&v));
            continue;
        }
        if name == "rank_vec" {
            continue;
        }
        let best = f(&v);
        for _ in 0..60 {
            let t = if g.uniform() < 0.5 { 1e-3 } else { 1e-6 };
            let w = Mat::<f64>::from_fn(p, n, |i, j| v[(i, j)] + t * g.normal());
            assert!(f(&w) >= best - 1e-12 * (1.0 + best), "{name}: a move lowers the objective");
        }
    }
    // FISTA with the row regulariser: a fixed point of the step.
    let x = Mat::<f64>::from_fn(15, p, |_, _| g.normal());
    let y = Mat::<f64>::from_fn(15, n, |_, _| g.normal());
    for name in ["l1l2", "trace_norm"] {
        let r = MatrixRegularizer::new(name.parse().unwrap(), 1.5, 0.0, 1);
        let s = FistaFlat { max_iter: 100_000, tol: 1e-14, ..FistaFlat::new(Regularizer::None) };
        let (w, _) = fista_matrix(x.as_ref(), y.as_ref(), Mat::<f64>::zeros(p, n).as_ref(), &r, &s).unwrap();
        let grad = x.transpose() * (&x * &w - &y);
        let c = 100.0;
        let mut step = &w - &grad * faer::Scale(1.0 / c);
        prox_matrix(step.as_mut(), &r.scaled(1.0 / c), false, false).unwrap();
        assert!((&step - &w).norm_max() <= 1e-8, "{name}: not a fixed point");
    }
    assert!(prox_matrix(u.clone().as_mut(), &MatrixRegularizer::new(MatrixRegularizerName::TraceNorm, 1.0, 0.0, 1), true, false).is_err());
}
