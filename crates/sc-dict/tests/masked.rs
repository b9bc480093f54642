//! Learning from incomplete signals: a planted dictionary is recovered when
//! 30% and 60% of the entries are removed at random, and a full mask learns
//! what the unmasked learner learns.

use faer::MatRef;
use sc_dict::ksvd::KsvdParams;
use sc_dict::online::OnlineParams;
use sc_dict::progress::Quiet;
use sc_dict::rng::SplitMix;
use sc_dict::{Learn, LearnMasked};
use sc_solvers::Encoder;

/// 8×8 patches' length, as many atoms, 3 atoms per signal.
/// 8×8 patches' length, as many atoms, 3 atoms per signal.
const NF: usize = 64;
const K: usize = 64;
const SPARSITY: usize = 3;

/// A random unit dictionary, `n` signals of `SPARSITY` of its atoms, and a
/// mask removing each entry with probability `missing` (missing entries
/// set to NaN).
fn planted(n: usize, missing: f64, seed: u64) -> (Vec<f64>, Vec<f64>, Vec<bool>) {
    let mut rng = SplitMix(seed);
    let mut d: Vec<f64> = (0..NF * K).map(|_| rng.normal()).collect();
    for a in d.chunks_exact_mut(NF) {
        let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
        a.iter_mut().for_each(|v| *v /= norm);
    }
    let mut x = vec![0.0; NF * n];
    let mut observed = vec![true; NF * n];
    let mut atoms: Vec<usize> = (0..K).collect();
    for s in 0..n {
        rng.shuffle(&mut atoms);
        for &j in &atoms[..SPARSITY] {
            let c = (1.0 + rng.normal().abs()) * if rng.below(2) == 0 { 1.0 } else { -1.0 };
            for i in 0..NF {
                x[s * NF + i] += c * d[j * NF + i];
            }
        }
        for i in 0..NF {
            if (rng.below(1_000_000) as f64) < missing * 1e6 {
                observed[s * NF + i] = false;
                x[s * NF + i] = f64::NAN;
            }
        }
    }
    (d, x, observed)
}

/// Planted atoms found in `learned`: `|⟨d, d̂⟩| > 0.99` (unit atoms), the
/// criterion of Aharon, Elad & Bruckstein's synthetic K-SVD experiment.
fn recovered(planted: &[f64], learned: &[f64]) -> usize {
    planted
        .chunks_exact(NF)
        .filter(|d| {
            learned.chunks_exact(NF).any(|l| {
                let norm = l.iter().map(|v| v * v).sum::<f64>().sqrt();
                norm > 0.0 && (d.iter().zip(l).map(|(a, b)| a * b).sum::<f64>() / norm).abs() > 0.99
            })
        })
        .count()
}

#[test]
fn masked_ksvd_recovers_a_planted_dictionary_from_incomplete_signals() {
    for (missing, need) in [(0.3, 62), (0.6, 62)] {
        let (d, x, observed) = planted(4000, missing, 7);
        let xm = MatRef::from_column_major_slice(&x, NF, 4000);
        let params = KsvdParams { n_nonzero: Some(SPARSITY), iterations: 30, seed: 3, ..KsvdParams::new(K) }.check().unwrap();
        let fit = params.fit_masked(xm, &observed, &mut Quiet).unwrap();
        let found = recovered(&d, &fit.dict);
        eprintln!("masked K-SVD, {:.0}% missing: {found}/{K} atoms, error {:.2e}", missing * 100.0, fit.objective);
        assert!(found >= need, "{found} of {K} planted atoms recovered with {:.0}% missing", missing * 100.0);
    }
}

#[test]
fn masked_online_learning_recovers_a_planted_dictionary_from_incomplete_signals() {
    // 90% of the atoms (the criterion of the K-SVD paper's experiment);
    // forgetting with ρ = 6 (Mairal et al. 2010, §3.4.2).
    for (missing, need) in [(0.3, 58), (0.6, 58)] {
        let (d, x, observed) = planted(4000, missing, 11);
        let xm = MatRef::from_column_major_slice(&x, NF, 4000);
        let params = OnlineParams {
            batch_size: 128,
            max_epochs: 40,
            tol: 0.0,
            max_no_improvement: None,
            seed: 5,
            forget_rho: Some(6.0),
            ..OnlineParams::new(K)
        }
        .check()
        .unwrap();
        let fit = params.fit_masked_with(xm, &observed, &Encoder::omp(SPARSITY), &mut Quiet).unwrap();
        let found = recovered(&d, &fit.dict);
        eprintln!("masked online, {:.0}% missing: {found}/{K} atoms, cost {:.2e}", missing * 100.0, fit.objective);
        assert!(found >= need, "{found} of {K} planted atoms recovered with {:.0}% missing", missing * 100.0);
    }
}

#[test]
fn a_full_mask_learns_what_the_unmasked_online_learner_learns() {
    let (_, x, _) = planted(600, 0.0, 13);
    let xm = MatRef::from_column_major_slice(&x, NF, 600);
    let params = OnlineParams { batch_size: 64, max_steps: Some(12), alpha: 0.1, ..OnlineParams::new(K) }.check().unwrap();
    let plain = params.fit(xm, &mut Quiet).unwrap();
    let masked = params.fit_masked(xm, &vec![true; x.len()], &mut Quiet).unwrap();
    let gap = plain.dict.iter().zip(&masked.dict).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    assert!(gap < 1e-8, "dictionaries differ by {gap}");
    for (a, b) in plain.records.iter().zip(&masked.records) {
        assert!((a.objective - b.objective).abs() <= 1e-9 * a.objective.abs().max(1.0));
    }
}

#[test]
fn bad_masks_and_observed_non_finite_values_are_refused() {
    let (_, x, observed) = planted(50, 0.3, 17);
    let xm = MatRef::from_column_major_slice(&x, NF, 50);
    let params = KsvdParams { n_nonzero: Some(2), iterations: 2, ..KsvdParams::new(8) }.check().unwrap();
    assert!(params.fit_masked(xm, &observed[1..], &mut Quiet).is_err());
    let mut bad = x.clone();
    let i = observed.iter().position(|&o| o).unwrap();
    bad[i] = f64::INFINITY;
    assert!(params.fit_masked(MatRef::from_column_major_slice(&bad, NF, 50), &observed, &mut Quiet).is_err());
    // NaN where missing is fine.
    assert!(params.fit_masked(xm, &observed, &mut Quiet).is_ok());
}
