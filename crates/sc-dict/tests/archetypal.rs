//! Archetypal analysis recovers planted archetypes: signals drawn inside
//! the triangle of three points (some near each corner) are explained
//! exactly by archetypes at the corners, each a convex combination of the
//! signals; and the objective never increases.

use faer::Mat;
use sc_dict::archetypal::{ArchetypalParams, archetypal_analysis};
use sc_linalg::rng::SplitMix;

#[test]
fn planted_corners_are_found() {
    let mut g = SplitMix(5);
    let (m, n, p) = (6, 300, 3);
    let corners = Mat::<f64>::from_fn(m, p, |_, _| 3.0 * g.normal());
    let mut w = Mat::<f64>::zeros(p, n);
    for s in 0..n {
        // Every tenth signal sits at a corner; the others inside.
        let mut raw: Vec<f64> = (0..p).map(|_| -g.uniform().max(1e-12).ln()).collect();
        if s % 10 == 0 {
            raw = (0..p).map(|l| if l == (s / 10) % p { 1.0 } else { 0.0 }).collect();
        }
        let sum: f64 = raw.iter().sum();
        for l in 0..p {
            w[(l, s)] = raw[l] / sum;
        }
    }
    let x = &corners * &w;
    let fit = archetypal_analysis(x.as_ref(), &ArchetypalParams { iterations: 80, ..ArchetypalParams::new(p) }, None).unwrap();
    // The objective never increases, and ends at zero.
    assert!(fit.objectives.windows(2).all(|o| o[1] <= o[0] * (1.0 + 1e-9) + 1e-12), "{:?}", fit.objectives);
    let total: f64 = (0..n).map(|s| (0..m).map(|i| x[(i, s)].powi(2)).sum::<f64>()).sum();
    assert!(*fit.objectives.last().unwrap() <= 1e-8 * total, "{:?}", fit.objectives.last());
    // Each corner is an archetype.
    for l in 0..p {
        let nearest =
            (0..p).map(|k| (0..m).map(|i| (fit.z[(i, k)] - corners[(i, l)]).powi(2)).sum::<f64>().sqrt()).fold(f64::INFINITY, f64::min);
        assert!(nearest <= 1e-6, "corner {l} is {nearest} from the nearest archetype");
    }
    // A and B on their simplices, and Z = XB.
    let (a, b) = (fit.a.to_dense(), fit.b.to_dense());
    for s in 0..n {
        assert!(((0..p).map(|l| a[(l, s)]).sum::<f64>() - 1.0).abs() <= 1e-12);
    }
    let xb = &x * &b;
    for l in 0..p {
        assert!(((0..n).map(|s| b[(s, l)]).sum::<f64>() - 1.0).abs() <= 1e-12);
        assert!((0..m).all(|i| (xb[(i, l)] - fit.z[(i, l)]).abs() <= 1e-9));
    }
    assert!(archetypal_analysis(x.as_ref(), &ArchetypalParams::new(0), None).is_err());
}

/// Robust archetypal analysis: with `ε` above every residual's norm, each
/// signal's weight `1/ε` is the same, so the archetypes are those of the
/// squared error and the objective is the Huber sum's quadratic part,
/// `Σ (‖r‖²/(2ε) + ε/2)`; with a small `ε`, a far outlier pulls the
/// archetypes less than it does the squared error's (the archetype that
/// serves it stays nearer the other signals).
#[test]
fn robust_archetypes_reweight_the_residuals() {
    let mut g = SplitMix(8);
    let (m, n, p) = (5, 120, 3);
    let mut x = Mat::<f64>::from_fn(m, n, |_, _| g.normal());
    let plain = archetypal_analysis(x.as_ref(), &ArchetypalParams { iterations: 20, ..ArchetypalParams::new(p) }, None).unwrap();
    let eps = 1e6;
    let wide =
        archetypal_analysis(x.as_ref(), &ArchetypalParams { iterations: 20, robust: Some(eps), ..ArchetypalParams::new(p) }, None).unwrap();
    assert!((&plain.z - &wide.z).norm_max() <= 1e-9, "ε above every residual changes the archetypes");
    for (q, h) in plain.objectives.iter().zip(&wide.objectives) {
        assert!((h - (q / (2.0 * eps) + n as f64 * eps / 2.0)).abs() <= 1e-6 * h, "{h} is not the quadratic Huber sum of {q}");
    }
    // One far outlier.
    for i in 0..m {
        x[(i, 7)] = 40.0;
    }
    let far = |z: &Mat<f64>| (0..p).map(|l| (0..m).map(|i| z[(i, l)].powi(2)).sum::<f64>().sqrt()).fold(0.0, f64::max);
    let squared = archetypal_analysis(x.as_ref(), &ArchetypalParams { iterations: 30, ..ArchetypalParams::new(p) }, None).unwrap();
    let robust =
        archetypal_analysis(x.as_ref(), &ArchetypalParams { iterations: 30, robust: Some(1e-3), ..ArchetypalParams::new(p) }, None)
            .unwrap();
    assert!(
        far(&robust.z) < far(&squared.z),
        "the outlier pulls the robust archetypes as far ({} against {})",
        far(&robust.z),
        far(&squared.z)
    );
    assert!(archetypal_analysis(x.as_ref(), &ArchetypalParams { robust: Some(0.0), ..ArchetypalParams::new(p) }, None).is_err());
}
