//! Learning from data made with a known dictionary (Aharon et al. 2006's
//! synthetic experiment, smaller): the learners must find its atoms.

use faer::MatRef;
use sc_dict::init::Init;
use sc_dict::ksvd::{KsvdParams, fit_ksvd};
use sc_dict::online::{BatchParams, OnlineParams, OnlineState, fit_batch, fit_online};
use sc_dict::progress::Quiet;
use sc_dict::rng::SplitMix;
use sc_solvers::Encoder;

/// Unit atoms (nf × k) and n signals of 3 to 5 atoms each, plus noise.
fn planted(nf: usize, k: usize, n: usize, noise: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
    let mut rng = SplitMix(seed);
    let mut d: Vec<f64> = (0..nf * k).map(|_| rng.normal()).collect();
    for j in 0..k {
        let a = &mut d[j * nf..(j + 1) * nf];
        let norm = a.iter().map(|v| v * v).sum::<f64>().sqrt();
        a.iter_mut().for_each(|v| *v /= norm);
    }
    let mut x = vec![0.0; nf * n];
    for s in 0..n {
        let m = 3 + rng.below(3);
        let mut chosen = Vec::new();
        while chosen.len() < m {
            let j = rng.below(k);
            if !chosen.contains(&j) {
                chosen.push(j);
            }
        }
        for &j in &chosen {
            let c = rng.normal().signum() * (1.0 + rng.uniform());
            for i in 0..nf {
                x[s * nf + i] += c * d[j * nf + i];
            }
        }
        for i in 0..nf {
            x[s * nf + i] += noise * rng.normal();
        }
    }
    (d, x)
}

/// Fraction of planted atoms found (|⟨d, d̂⟩| > 0.99 with some learned atom).
fn recovered(truth: &[f64], learned: &[f64], nf: usize) -> f64 {
    let k = truth.len() / nf;
    let found = (0..k)
        .filter(|&j| {
            let t = &truth[j * nf..(j + 1) * nf];
            learned.chunks(nf).any(|l| {
                let n = l.iter().map(|v| v * v).sum::<f64>().sqrt();
                (t.iter().zip(l).map(|(a, b)| a * b).sum::<f64>() / n).abs() > 0.99
            })
        })
        .count();
    found as f64 / k as f64
}

#[test]
fn ksvd_recovers_a_planted_dictionary_and_its_error_never_rises() {
    let (nf, k, n) = (32, 40, 4000);
    let (truth, x) = planted(nf, k, n, 0.01, 1);
    for exact in [false, true] {
        let params = KsvdParams { n_nonzero: 5, iterations: 80, exact, seed: 3, ..KsvdParams::new(k) };
        let fit = fit_ksvd(&params, MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
        let r = recovered(&truth, &fit.dict, nf);
        assert!(r >= 0.95, "exact={exact}: recovered {r}");
        // Between iterations that replaced no atom, the error never rises.
        for t in 1..fit.objective.len() {
            if fit.replaced[t - 1] == 0 {
                assert!(fit.objective[t] <= fit.objective[t - 1] * (1.0 + 1e-9), "exact={exact}, iteration {t}: {:?}", fit.objective);
            }
        }
    }
}

#[test]
fn online_learning_recovers_a_planted_dictionary() {
    let (nf, k, n) = (32, 40, 2000);
    let (truth, x) = planted(nf, k, n, 0.01, 2);
    let params = OnlineParams {
        batch_size: 64,
        max_steps: Some(3000),
        tol: 0.0,
        max_no_improvement: None,
        encoder: Some(Encoder::omp(5)),
        seed: 5,
        ..OnlineParams::new(k)
    };
    let fit = fit_online(&params, MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
    let r = recovered(&truth, &fit.state.dict, nf);
    assert!(r >= 0.95, "recovered {r}");
}

#[test]
fn same_seed_same_dictionary_whatever_the_threads() {
    let (nf, k, n) = (12, 16, 400);
    let (_, x) = planted(nf, k, n, 0.05, 4);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let params = OnlineParams { max_steps: Some(40), batch_size: 32, alpha: 0.2, seed: 9, ..OnlineParams::new(k) };
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| fit_online(&params, xm, &mut Quiet).unwrap());
    let two = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| fit_online(&params, xm, &mut Quiet).unwrap());
    assert_eq!(one.state, two.state);
    let kp = KsvdParams { iterations: 3, n_nonzero: 3, seed: 9, init: Init::Data, ..KsvdParams::new(k) };
    let a = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| fit_ksvd(&kp, xm, &mut Quiet).unwrap());
    let b = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap().install(|| fit_ksvd(&kp, xm, &mut Quiet).unwrap());
    assert_eq!(a, b);
}

#[test]
fn two_shards_merged_give_the_dictionary_of_one_worker() {
    let (nf, k, n) = (10, 14, 256);
    let (_, x) = planted(nf, k, n, 0.05, 6);
    let init: Vec<f64> = x[..nf * k].to_vec();
    let enc = Encoder::lasso_lars(0.1);
    let mut one = OnlineState::new(nf, k, init.clone()).unwrap();
    let mut sharded = OnlineState::new(nf, k, init).unwrap();
    let (mut r1, mut r2) = (SplitMix(1), SplitMix(1));
    for step in 0..4 {
        let batch = &x[step * 64 * nf..(step + 1) * 64 * nf];
        let whole = one.batch_stats(&enc, batch, 0.1).unwrap();
        one.apply(&whole, batch, false, &mut r1).unwrap();
        // Two workers, 40 and 24 signals, same dictionary, statistics merged.
        let a = sharded.batch_stats(&enc, &batch[..40 * nf], 0.1).unwrap();
        let b = sharded.batch_stats(&enc, &batch[40 * nf..], 0.1).unwrap();
        let merged = a.merge(&b).unwrap();
        sharded.apply(&merged, batch, false, &mut r2).unwrap();
    }
    assert_eq!(one.step, sharded.step);
    for (p, q) in one.dict.iter().zip(&sharded.dict) {
        assert!((p - q).abs() < 1e-10, "{p} vs {q}");
    }
}

#[test]
fn batch_learning_objective_never_rises() {
    let (nf, k, n) = (12, 18, 300);
    let (_, x) = planted(nf, k, n, 0.05, 8);
    let params = BatchParams { alpha: 0.3, max_iter: 30, tol: 1e-12, seed: 2, ..BatchParams::new(k) };
    let fit = fit_batch(&params, MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
    assert!(fit.objective.len() >= 5);
    for w in fit.objective.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-10), "{:?}", fit.objective);
    }
    assert!(fit.objective.last().unwrap() < &(0.9 * fit.objective[0]));
}
