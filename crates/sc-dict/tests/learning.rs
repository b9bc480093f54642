//! Learning from data made with a known dictionary (Aharon et al. 2006's
//! synthetic experiment, smaller): the learners must find its atoms.

use faer::MatRef;
use sc_dict::batch::BatchParams;
use sc_dict::init::Init;
use sc_dict::ksvd::KsvdParams;
use sc_dict::online::{OnlineParams, OnlineState};
use sc_dict::progress::Quiet;
use sc_dict::rng::SplitMix;
use sc_dict::{Error, Learn, StopReason};
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
        let params = KsvdParams { n_nonzero: Some(5), iterations: 80, exact, seed: 3, ..KsvdParams::new(k) };
        let fit = params.check().unwrap().fit(MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
        let r = recovered(&truth, &fit.dict, nf);
        assert!(r >= 0.95, "exact={exact}: recovered {r}");
        assert_eq!((fit.iterations(), fit.stop, fit.state.is_none()), (80, StopReason::MaxIter, true));
        // Between iterations that replaced no atom, the error never rises.
        for t in 1..fit.records.len() {
            let (prev, now) = (fit.records[t - 1], fit.records[t]);
            if prev.replaced == 0 {
                assert!(now.objective <= prev.objective * (1.0 + 1e-9), "exact={exact}, iteration {t}: {:?}", fit.records);
            }
        }
    }
}

#[test]
fn online_learning_recovers_a_planted_dictionary() {
    let (nf, k, n) = (32, 40, 2000);
    let (truth, x) = planted(nf, k, n, 0.01, 2);
    let params =
        OnlineParams { batch_size: 64, max_steps: Some(3000), tol: 0.0, max_no_improvement: None, seed: 5, ..OnlineParams::new(k) };
    let fit = params.check().unwrap().fit_with(MatRef::from_column_major_slice(&x, nf, n), &Encoder::omp(5), &mut Quiet).unwrap();
    let r = recovered(&truth, &fit.dict, nf);
    assert!(r >= 0.95, "recovered {r}");
    assert!(fit.records.iter().all(|r| r.mean_nnz <= 5.0));
    // The same in float32: learned in float32, statistics included.
    let x32: Vec<f32> = x.iter().map(|&v| v as f32).collect();
    let fit32 = params.check().unwrap().fit_with(MatRef::from_column_major_slice(&x32, nf, n), &Encoder::omp(5), &mut Quiet).unwrap();
    let learned: Vec<f64> = fit32.dict.iter().map(|&v| v as f64).collect();
    let r32 = recovered(&truth, &learned, nf);
    assert!(r32 >= 0.95, "float32: recovered {r32}");
    let state = fit32.state.unwrap();
    assert_eq!((state.a.len(), state.b.len(), state.step), (k * k, nf * k, 3000));
}

#[test]
fn same_seed_same_dictionary_whatever_the_threads() {
    let (nf, k, n) = (12, 16, 400);
    let (_, x) = planted(nf, k, n, 0.05, 4);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let params = OnlineParams { max_steps: Some(40), batch_size: 32, alpha: 0.2, seed: 9, ..OnlineParams::new(k) };
    let pool = |t: usize| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
    let online = params.check().unwrap();
    let one = pool(1).install(|| online.fit(xm, &mut Quiet).unwrap());
    let two = pool(2).install(|| online.fit(xm, &mut Quiet).unwrap());
    assert_eq!(one, two);
    for exact in [false, true] {
        let kp = KsvdParams { iterations: 3, n_nonzero: Some(3), seed: 9, init: Init::Data, exact, ..KsvdParams::new(k) }.check().unwrap();
        let a = pool(1).install(|| kp.fit(xm, &mut Quiet).unwrap());
        let b = pool(2).install(|| kp.fit(xm, &mut Quiet).unwrap());
        assert_eq!(a, b);
    }
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
    let fit = params.check().unwrap().fit(MatRef::from_column_major_slice(&x, nf, n), &mut Quiet).unwrap();
    let objective: Vec<f64> = fit.records.iter().map(|r| r.objective).collect();
    assert!(objective.len() >= 5);
    for w in objective.windows(2) {
        assert!(w[1] <= w[0] * (1.0 + 1e-10), "{objective:?}");
    }
    assert!(objective.last().unwrap() < &(0.9 * objective[0]));
    assert_eq!(fit.objective, *objective.last().unwrap());
}

#[test]
fn a_strided_matrix_learns_what_its_contiguous_copy_learns() {
    let (nf, k, n) = (12, 16, 300);
    let (_, x) = planted(nf, k, n, 0.05, 11);
    // The same signals as the rows of a row-major array: columns not contiguous.
    let rows: Vec<f64> = (0..nf).flat_map(|i| (0..n).map(move |s| (i, s))).map(|(i, s)| x[s * nf + i]).collect();
    let strided = MatRef::from_row_major_slice(&rows, nf, n);
    let contiguous = MatRef::from_column_major_slice(&x, nf, n);
    let online = OnlineParams { max_steps: Some(20), batch_size: 32, alpha: 0.2, ..OnlineParams::new(k) }.check().unwrap();
    assert_eq!(online.fit(strided, &mut Quiet).unwrap(), online.fit(contiguous, &mut Quiet).unwrap());
    let kp = KsvdParams { iterations: 2, n_nonzero: Some(3), ..KsvdParams::new(k) }.check().unwrap();
    assert_eq!(kp.fit(strided, &mut Quiet).unwrap(), kp.fit(contiguous, &mut Quiet).unwrap());
}

#[test]
fn every_parameter_is_checked_before_any_work() {
    let name = |e: Error| match e {
        Error::InvalidParameter { name, .. } => name,
        other => panic!("{other}"),
    };
    assert_eq!(name(OnlineParams::new(0).check().unwrap_err()), "n_atoms");
    assert_eq!(name(OnlineParams { alpha: f64::NAN, ..OnlineParams::new(4) }.check().unwrap_err()), "alpha");
    assert_eq!(name(OnlineParams { batch_size: 0, ..OnlineParams::new(4) }.check().unwrap_err()), "batch_size");
    assert_eq!(name(OnlineParams { tol: -1.0, ..OnlineParams::new(4) }.check().unwrap_err()), "tol");
    assert_eq!(name(OnlineParams { forget_rho: Some(f64::INFINITY), ..OnlineParams::new(4) }.check().unwrap_err()), "forget_rho");
    assert_eq!(name(BatchParams { alpha: -1.0, ..BatchParams::new(4) }.check().unwrap_err()), "alpha");
    assert_eq!(name(KsvdParams { n_nonzero: Some(5), ..KsvdParams::new(4) }.check().unwrap_err()), "n_nonzero");
    assert_eq!(name(KsvdParams { tol: Some(-1.0), ..KsvdParams::new(10) }.check().unwrap_err()), "tol");
    assert_eq!(name(KsvdParams { iterations: 0, ..KsvdParams::new(10) }.check().unwrap_err()), "iterations");
    assert_eq!(name(KsvdParams { coherence_limit: 1.5, ..KsvdParams::new(10) }.check().unwrap_err()), "coherence_limit");
    // Data errors are typed too.
    let x = [1.0, f64::NAN, 0.0, 1.0];
    let err = OnlineParams::new(2).check().unwrap().fit(MatRef::from_column_major_slice(&x, 2, 2), &mut Quiet).unwrap_err();
    assert!(matches!(err, Error::NonFinite(0)), "{err}");
    // Values whose squares overflow are refused, not learned into zero atoms.
    let huge = [1e300, -1e300, 2.0, 1.0];
    let err = OnlineParams::new(2).check().unwrap().fit(MatRef::from_column_major_slice(&huge, 2, 2), &mut Quiet).unwrap_err();
    assert!(matches!(err, Error::Overflow(0)), "{err}");
    // No iteration (scikit-learn's `max_iter=0`): the start, untouched.
    let x: Vec<f64> = (0..24).map(|i| ((i * 7) as f64).sin()).collect();
    let start: Vec<f64> = (0..12).map(|i| ((i * 3) as f64).cos()).collect();
    for fit in [
        BatchParams { max_iter: 0, init: Init::Given(start.clone()), ..BatchParams::new(2) }
            .check()
            .unwrap()
            .fit(MatRef::from_column_major_slice(&x, 6, 4), &mut Quiet),
        OnlineParams { max_epochs: 0, init: Init::Given(start.clone()), ..OnlineParams::new(2) }
            .check()
            .unwrap()
            .fit(MatRef::from_column_major_slice(&x, 6, 4), &mut Quiet),
    ] {
        let fit = fit.unwrap();
        assert!(fit.records.is_empty());
        assert_eq!(fit.dict, start);
    }
    // A zero initial atom starts as a data signal (a random unit atom when the
    // signal is zero too): accepted, as scikit-learn accepts it.
    let zeros = [0.0; 8];
    let fit = KsvdParams { n_nonzero: Some(1), init: Init::Given(vec![0.0; 8]), ..KsvdParams::new(2) }
        .check()
        .unwrap()
        .fit(MatRef::from_column_major_slice(&zeros, 4, 2), &mut Quiet)
        .unwrap();
    assert!(fit.dict.iter().all(|v: &f64| v.is_finite()));
    let x: Vec<f64> = (0..4 * 30).map(|i| ((i * 37) % 11) as f64 - 5.0).collect();
    let mut init = vec![0.0; 4 * 3];
    init[..4].copy_from_slice(&[1.0, 0.0, 0.0, 0.0]);
    let fit = OnlineParams { init: Init::Given(init), max_steps: Some(3), batch_size: 10, ..OnlineParams::new(3) }
        .check()
        .unwrap()
        .fit(MatRef::from_column_major_slice(&x, 4, 30), &mut Quiet)
        .unwrap();
    for atom in fit.dict.chunks_exact(4) {
        assert!(atom.iter().any(|&v| v != 0.0));
    }
}

/// Degenerate learning problems (issue 13, item 5): more atoms than
/// samples, constant and zero signals among the data, duplicated samples.
/// Every learner stops and returns a finite dictionary with unit-or-smaller
/// atoms.
#[test]
fn degenerate_data_give_finite_dictionaries() {
    let nf = 16;
    let mut rng = SplitMix(5);
    // 10 samples: 4 random, 2 constant, 2 zero, 2 copies of the first.
    let mut x: Vec<f64> = (0..4 * nf).map(|_| rng.normal()).collect();
    x.extend(std::iter::repeat_n(2.0, 2 * nf));
    x.extend(std::iter::repeat_n(0.0, 2 * nf));
    let first = x[..nf].to_vec();
    x.extend(first.iter().chain(first.iter()));
    let xm = MatRef::from_column_major_slice(&x, nf, 10);
    let k = 24; // more atoms than samples
    let finite = |name: &str, dict: &[f64]| {
        assert!(dict.iter().all(|v| v.is_finite()), "{name}: a non-finite atom value");
        for j in 0..k {
            let norm = dict[j * nf..(j + 1) * nf].iter().map(|v| v * v).sum::<f64>().sqrt();
            assert!(norm <= 1.0 + 1e-9, "{name}: atom {j} has norm {norm}");
        }
    };
    let online = OnlineParams { max_steps: Some(30), batch_size: 4, ..OnlineParams::new(k) }.check().unwrap().fit(xm, &mut Quiet).unwrap();
    finite("online", &online.dict);
    let batch = BatchParams { max_iter: 10, ..BatchParams::new(k) }.check().unwrap().fit(xm, &mut Quiet).unwrap();
    finite("batch", &batch.dict);
    let ksvd = KsvdParams { iterations: 5, n_nonzero: Some(3), ..KsvdParams::new(k) }.check().unwrap().fit(xm, &mut Quiet).unwrap();
    finite("ksvd", &ksvd.dict);
}

#[test]
fn spams_windows_forget_every_code_older_than_the_previous_pass() {
    // 4 batches of 16 make a pass over 64 signals. Two runs differ only in
    // the statistics of the first pass: after two more passes the windows
    // hold the second and third passes' codes, so `A` and `B` are equal.
    use sc_dict::online::{BatchStats, EpochWindows};
    let (nf, k, bs, n) = (3, 2, 16, 64);
    let stats = |v: f64| BatchStats { a: vec![v; k * k], b: vec![v; nf * k], n_samples: bs, cost: 0.0, nnz: 0 };
    let mut states = [OnlineState::new(nf, k, vec![1.0; nf * k]).unwrap(), OnlineState::new(nf, k, vec![1.0; nf * k]).unwrap()];
    let mut windows = [EpochWindows::new(n, &states[0]), EpochWindows::new(n, &states[1])];
    for step in 0..12 {
        for r in 0..2 {
            let v = if step < 4 { [1e6, -3.0][r] } else { step as f64 };
            windows[r].fold(&stats(v), &mut states[r]).unwrap();
            states[r].step += 1;
            let (a, b) = (states[r].a[0], states[r].b[0]);
            if step < 4 {
                assert!(a != 0.0 && b != 0.0);
            }
        }
        if step >= 11 {
            assert_eq!(states[0].a, states[1].a, "step {step}");
            assert_eq!(states[0].b, states[1].b);
        } else {
            assert_ne!(states[0].a, states[1].a, "step {step}: the first pass still counts");
        }
    }
    // The windows are the batches' statistics over the batch size, each
    // forgotten once a step: the last batch's weight is 1/16.
    assert!(states[0].a[0] >= 11.0 / 16.0);
}

#[test]
fn a_fit_continued_from_its_statistics_is_the_fit_that_never_stopped() {
    // scikit-learn's forgetting, the signals in order: 16 steps, then 16
    // more from the first fit's dictionary, statistics and step count
    // (SPAMS's `model`), are the 32 steps of one fit, to the bit (no atom
    // is replaced, the only draw that would differ).
    use sc_dict::online::Resume;
    let (nf, k, n) = (16, 12, 256);
    let (_, x) = planted(nf, k, n, 0.05, 7);
    let xm = MatRef::from_column_major_slice(&x, nf, n);
    let base =
        OnlineParams { batch_size: 32, shuffle: false, tol: 0.0, max_no_improvement: None, alpha: 0.1, seed: 3, ..OnlineParams::new(k) };
    let fit = |p: OnlineParams| p.check().unwrap().fit(xm, &mut Quiet).unwrap();
    let whole = fit(OnlineParams { max_steps: Some(32), ..base.clone() });
    assert!(whole.records.iter().all(|r| r.replaced == 0));
    let first = fit(OnlineParams { max_steps: Some(16), ..base.clone() });
    let s = first.state.unwrap();
    let resume = Resume { a: s.a.clone(), b: s.b.clone(), step: s.step };
    let rest = fit(OnlineParams { max_steps: Some(16), init: Init::Given(s.dict.clone()), resume: Some(resume.clone()), ..base.clone() });
    assert_eq!(rest.dict, whole.dict);
    let (r, w) = (rest.state.unwrap(), whole.state.unwrap());
    assert_eq!((r.a, r.b, r.step), (w.a, w.b, 32));
    // Statistics that do not fit the dictionary are refused, naming them.
    let bad = Resume { a: vec![0.0; k * k + 1], ..resume.clone() };
    let err = OnlineParams { max_steps: Some(1), resume: Some(bad), ..base.clone() }.check().unwrap().fit(xm, &mut Quiet).unwrap_err();
    assert!(matches!(err, Error::Dimension(ref m) if m.contains("statistics A")), "{err}");
    let nan = Resume { b: vec![f64::NAN; nf * k], ..resume };
    let err = OnlineParams { max_steps: Some(1), resume: Some(nan), ..base }.check().unwrap().fit(xm, &mut Quiet).unwrap_err();
    assert!(err.to_string().contains("not finite"), "{err}");
}

#[test]
fn spams_windows_hold_a_continued_fits_statistics_until_its_first_pass_ends() {
    // Two fits continued from different statistics, fed the same batches:
    // the given statistics are the previous pass's window, so A and B
    // differ until the first pass over the 64 signals (4 batches of 16)
    // ends, and are equal from then on.
    use sc_dict::online::{BatchStats, EpochWindows};
    let (nf, k, bs, n) = (3, 2, 16, 64);
    let stats = BatchStats { a: vec![2.0; k * k], b: vec![2.0; nf * k], n_samples: bs, cost: 0.0, nnz: 0 };
    let mut states = [1e6, -3.0].map(|v| {
        let mut s = OnlineState::new(nf, k, vec![1.0; nf * k]).unwrap();
        s.a.fill(v);
        s.b.fill(v);
        s.step = 40;
        s
    });
    let mut windows = [EpochWindows::new(n, &states[0]), EpochWindows::new(n, &states[1])];
    for step in 0..6 {
        for r in 0..2 {
            windows[r].fold(&stats, &mut states[r]).unwrap();
            states[r].step += 1;
        }
        if step < 3 {
            assert_ne!(states[0].a, states[1].a, "step {step}: the given statistics still count");
        } else {
            assert_eq!((&states[0].a, &states[0].b), (&states[1].a, &states[1].b), "step {step}");
        }
    }
}
