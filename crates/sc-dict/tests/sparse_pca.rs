//! Sparse PCA against mathematics: without a penalty its components are
//! the principal axes (the right singular vectors of the centred data);
//! with one they are sparse, of unit norm; `transform` inverts the
//! components when they span the features.

use faer::{Mat, MatRef};
use sc_dict::batch::BatchParams;
use sc_dict::online::OnlineParams;
use sc_dict::progress::Quiet;
use sc_dict::rng::SplitMix;
use sc_dict::sparse_pca::{PcaLearner, SparsePcaParams, transform};

/// `n` samples (columns) of `nf` features with decaying variances.
fn data(nf: usize, n: usize, seed: u64) -> Vec<f64> {
    let mut rng = SplitMix(seed);
    let mix: Vec<f64> = (0..nf * nf).map(|_| rng.normal()).collect();
    let mut x = vec![0.0; nf * n];
    for s in 0..n {
        let z: Vec<f64> = (0..nf).map(|i| rng.normal() * 2f64.powi(-(i as i32)) * 4.0).collect();
        for f in 0..nf {
            x[s * nf + f] = 3.0 + (0..nf).map(|i| mix[f * nf + i] * z[i]).sum::<f64>();
        }
    }
    x
}

fn batch(k: usize, alpha: f64) -> SparsePcaParams {
    let mut p = SparsePcaParams::batch(k);
    if let PcaLearner::Batch(b) = &mut p.learner {
        b.alpha = alpha;
    }
    p
}

#[test]
fn without_a_penalty_the_components_are_the_principal_axes() {
    let (nf, n, k) = (6, 80, 3);
    let x = data(nf, n, 1);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let spca = batch(k, 0.0).check().unwrap().fit(xm, &mut Quiet).unwrap();
    // The principal axes: eigenvectors of the centred covariance.
    let mean: Vec<f64> = (0..nf).map(|f| (0..n).map(|s| x[s * nf + f]).sum::<f64>() / n as f64).collect();
    let c = Mat::<f64>::from_fn(nf, n, |f, s| x[s * nf + f] - mean[f]);
    let cov = &c * c.transpose();
    let evd = cov.self_adjoint_eigen(faer::Side::Lower).unwrap();
    for (j, &m) in mean.iter().enumerate() {
        assert!((spca.mean[j] - m).abs() < 1e-12);
    }
    for j in 0..k {
        let axis = evd.U().col(nf - 1 - j);
        let comp = &spca.components[j * nf..(j + 1) * nf];
        let dot: f64 = (0..nf).map(|f| axis[f] * comp[f]).sum();
        assert!((dot.abs() - 1.0).abs() < 1e-9, "component {j}: |cos| = {}", dot.abs());
        // scikit-learn's sign rule: the largest entry is positive.
        let big = comp.iter().copied().fold(0.0_f64, |a, v| if v.abs() > a.abs() { v } else { a });
        assert!(big > 0.0);
    }
}

#[test]
fn a_penalty_makes_unit_components_sparser() {
    let (nf, n, k) = (12, 60, 4);
    let x = data(nf, n, 2);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let zeros = |alpha: f64| {
        let spca = batch(k, alpha).check().unwrap().fit(xm, &mut Quiet).unwrap();
        for comp in spca.components.chunks(nf) {
            let norm: f64 = comp.iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!(norm == 0.0 || (norm - 1.0).abs() < 1e-12, "norm {norm}");
        }
        spca.components.iter().filter(|&&v| v == 0.0).count()
    };
    let (few, many) = (zeros(0.0), zeros(20.0));
    assert_eq!(few, 0);
    assert!(many > few + nf, "{many} zeros at α = 20");
}

#[test]
fn transform_inverts_components_that_span_the_features() {
    let (nf, n) = (5, 40);
    let x = data(nf, n, 3);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    for learner in [
        batch(nf, 1e-6),
        SparsePcaParams { learner: PcaLearner::Online(OnlineParams { alpha: 1e-6, ..OnlineParams::new(nf) }), start_components: None },
    ] {
        let spca = learner.check().unwrap().fit(xm, &mut Quiet).unwrap();
        let codes = transform(spca.components(), &spca.mean, xm, 1e-12).unwrap();
        let back = spca.components() * &codes;
        for s in 0..n {
            for f in 0..nf {
                assert!((back[(f, s)] + spca.mean[f] - x[s * nf + f]).abs() < 1e-6, "({f}, {s})");
            }
        }
    }
}

#[test]
fn float32_follows_float64() {
    let (nf, n, k) = (10, 30, 3);
    let x = data(nf, n, 4);
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    for p in [batch(k, 0.5), SparsePcaParams::online(k)] {
        let v = p.check().unwrap();
        let a = v.fit(MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
        let b = v.fit(MatRef::from_column_major_slice(&x32, nf, n), &mut Quiet).unwrap();
        for (u, w) in a.components.iter().zip(&b.components) {
            assert!((u - *w as f64).abs() < 2e-3, "{u} vs {w}");
        }
    }
}

#[test]
fn no_iteration_returns_the_start() {
    let (nf, n, k) = (4, 5, 3);
    let x = data(nf, n, 5);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let v: Vec<f64> = (0..nf * k).map(|i| (i as f64 * 0.9).sin()).collect();
    let u: Vec<f64> = (0..n * k).map(|i| (i as f64 * 0.4).cos()).collect();
    let p = SparsePcaParams {
        learner: PcaLearner::Batch(BatchParams { max_iter: 0, init: sc_dict::init::Init::Given(u), ..BatchParams::new(k) }),
        start_components: Some(v.clone()),
    };
    let spca = p.check().unwrap().fit(xm, &mut Quiet).unwrap();
    assert_eq!(spca.fit.iterations(), 0);
    for (j, comp) in spca.components.chunks(nf).enumerate() {
        let given = &v[j * nf..(j + 1) * nf];
        let norm: f64 = given.iter().map(|a| a * a).sum::<f64>().sqrt();
        let big = given.iter().copied().fold(0.0_f64, |a, b| if b.abs() > a.abs() { b } else { a });
        for (c, g) in comp.iter().zip(given) {
            assert!((c - g / norm * big.signum()).abs() < 1e-12);
        }
    }
}
