//! Online (mini-batch) dictionary learning, after Mairal, Bach, Ponce &
//! Sapiro, "Online learning for matrix factorization and sparse coding",
//! JMLR 2010 (algorithms 1 and 2), with scikit-learn's
//! `MiniBatchDictionaryLearning` conventions: the forgetting rule of its
//! `_update_inner_stats`, one pass of block-coordinate atom updates with
//! projection onto the unit ball, replacement of unused atoms by a data
//! sample plus noise, shuffling, and its two stopping rules.
//!
//! The state that a step changes (`A = Σ βCᵀC/η`, `B = Σ βXCᵀ/η`, the step
//! count and the dictionary) is the public, serialisable [`OnlineState`];
//! [`BatchStats`] of several shards coded with the same dictionary can be
//! [merged](BatchStats::merge) before one update, so that workers on
//! different machines can share the coding.

use faer::MatRef;
use sc_linalg::{Real, kernels};
use sc_solvers::{Dictionary, Encoder, SparseCodes, lasso_objective_in};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, invalid};
use crate::init::{Init, random_unit_atom};
use crate::progress::{Observer, Progress};
use crate::rng::SplitMix;

/// Parameters of online learning (scikit-learn's names and defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineParams {
    /// Number of atoms (`n_components`).
    pub n_atoms: usize,
    /// Lasso penalty of the coding step (unscaled, `alpha`).
    pub alpha: f64,
    /// Signals per mini-batch (`batch_size`, 256).
    pub batch_size: usize,
    /// Passes over the data at most (`max_iter`, 1000).
    pub max_epochs: usize,
    /// Mini-batch steps at most (SPAMS's `iter`); `None`: epochs decide.
    pub max_steps: Option<usize>,
    /// Shuffle the signals once before cycling over them (`shuffle`).
    pub shuffle: bool,
    /// Seed of every random choice (`random_state`).
    pub seed: u64,
    /// Constrain atoms to be non-negative (`positive_dict`).
    pub positive_dict: bool,
    /// Constrain codes to be non-negative (`positive_code`).
    pub positive_code: bool,
    /// Stop when `‖D_new − D_old‖_F / n_atoms ≤ tol` (`tol`, 1e-3; 0 disables).
    pub tol: f64,
    /// Stop after this many steps without improvement of the smoothed batch
    /// cost (`max_no_improvement`, 10).
    pub max_no_improvement: Option<usize>,
    /// The coder of the mini-batches (default: Lasso-LARS at `alpha`).
    pub encoder: Option<Encoder>,
    /// How the dictionary starts.
    pub init: Init,
    /// Forgetting: `None` is scikit-learn's rule; `Some(ρ)` weighs the
    /// past by `βₜ = (1 − 1/t)^ρ` (Mairal et al. 2010, §3.4.2), which
    /// forgets the first, poor codes faster (ρ = 6 reaches SPAMS's
    /// objective on the seed's run in a fifth of its steps).
    pub forget_rho: Option<f64>,
}

impl OnlineParams {
    /// scikit-learn's defaults with `n_atoms` atoms.
    pub fn new(n_atoms: usize) -> Self {
        Self {
            n_atoms,
            alpha: 1.0,
            batch_size: 256,
            max_epochs: 1000,
            max_steps: None,
            shuffle: true,
            seed: 0,
            positive_dict: false,
            positive_code: false,
            tol: 1e-3,
            max_no_improvement: Some(10),
            encoder: None,
            init: Init::Data,
            forget_rho: None,
        }
    }

    fn encoder(&self) -> Encoder {
        // Mini-batches are small: code them in chunks of 32 so that every
        // core gets a share (codes do not depend on the chunking).
        self.encoder.clone().unwrap_or_else(|| Encoder::lasso_lars(self.alpha).positive(self.positive_code)).chunk_size(32)
    }

    fn check(&self) -> Result<()> {
        if self.n_atoms == 0 {
            return Err(invalid("n_atoms", "must be at least 1"));
        }
        if !(self.alpha >= 0.0 && self.alpha.is_finite()) {
            return Err(invalid("alpha", format!("must be finite and ≥ 0, got {}", self.alpha)));
        }
        if self.forget_rho.is_some_and(|r| !(r >= 0.0 && r.is_finite())) {
            return Err(invalid("forget_rho", "must be finite and ≥ 0"));
        }
        if self.batch_size == 0 {
            return Err(invalid("batch_size", "must be at least 1"));
        }
        if !(self.tol >= 0.0) {
            return Err(invalid("tol", "must be ≥ 0"));
        }
        Ok(())
    }
}

/// The learner's state: what a step reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OnlineState {
    /// Signal length.
    pub n_features: usize,
    /// Number of atoms.
    pub n_atoms: usize,
    /// The dictionary, column-major (n_features × n_atoms).
    pub dict: Vec<f64>,
    /// `A` (n_atoms × n_atoms, column-major).
    pub a: Vec<f64>,
    /// `B` (n_features × n_atoms, column-major).
    pub b: Vec<f64>,
    /// Mini-batch steps taken.
    pub step: usize,
}

/// What one mini-batch contributes: `Σ c cᵀ`, `Σ x cᵀ` over its signals
/// (not yet divided by their number), their number, and the sum of their
/// costs `½‖x − Dc‖² + α‖c‖₁`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchStats {
    /// `Σ c cᵀ` (n_atoms × n_atoms).
    pub a: Vec<f64>,
    /// `Σ x cᵀ` (n_features × n_atoms).
    pub b: Vec<f64>,
    /// Number of signals.
    pub n_samples: usize,
    /// Sum of the signals' costs.
    pub cost: f64,
}

impl BatchStats {
    /// Adds the statistics of another shard coded with the same dictionary.
    pub fn merge(mut self, other: &BatchStats) -> Result<BatchStats> {
        if self.a.len() != other.a.len() || self.b.len() != other.b.len() {
            return Err(Error::Dimension("statistics of different shapes".into()));
        }
        self.a.iter_mut().zip(&other.a).for_each(|(x, y)| *x += y);
        self.b.iter_mut().zip(&other.b).for_each(|(x, y)| *x += y);
        self.n_samples += other.n_samples;
        self.cost += other.cost;
        Ok(self)
    }
}

/// Checks a signal matrix (finite values) and returns it as f64 columns.
pub(crate) fn check_signals<T: Real>(x: MatRef<'_, T>) -> Result<Vec<f64>> {
    let mut out = Vec::with_capacity(x.nrows() * x.ncols());
    for s in 0..x.ncols() {
        let col = x.col(s);
        for i in 0..x.nrows() {
            let v = col[i].to_f64();
            if !v.is_finite() {
                return Err(Error::NonFinite(s));
            }
            out.push(v);
        }
    }
    Ok(out)
}

/// `½‖x − Dc‖² + α‖c‖₁` summed over signals (columns of `x`, f64).
fn lasso_cost(dict: &Dictionary<f64>, x: &[f64], codes: &SparseCodes<f64>, alpha: f64) -> f64 {
    let nf = dict.n_features();
    let mut r = vec![0.0; nf];
    (0..codes.n_samples())
        .map(|s| {
            let (idx, val) = codes.code(s);
            lasso_objective_in(dict, &x[s * nf..(s + 1) * nf], idx, val, alpha, 0.0, &mut r)
        })
        .fold(0.0, |total, cost| total + cost)
}

impl OnlineState {
    /// A state starting from `dict` (column-major, n_features × n_atoms).
    pub fn new(n_features: usize, n_atoms: usize, dict: Vec<f64>) -> Result<Self> {
        if dict.len() != n_features * n_atoms {
            return Err(Error::Dimension(format!("dictionary of {} values for {n_features}×{n_atoms}", dict.len())));
        }
        Ok(Self { n_features, n_atoms, dict, a: vec![0.0; n_atoms * n_atoms], b: vec![0.0; n_features * n_atoms], step: 0 })
    }

    /// The current dictionary prepared for coding.
    pub fn dictionary(&self) -> Result<Dictionary<f64>> {
        Ok(Dictionary::from_column_major(&self.dict, self.n_features, self.n_atoms)?)
    }

    /// Codes a shard (columns of `x`, f64, column-major) with the current
    /// dictionary and returns its statistics.
    pub fn batch_stats(&self, encoder: &Encoder, x: &[f64], alpha: f64) -> Result<BatchStats> {
        let nf = self.n_features;
        if !x.len().is_multiple_of(nf) {
            return Err(Error::Dimension(format!("signals of length {nf} expected")));
        }
        let n = x.len() / nf;
        let dict = self.dictionary()?;
        let codes = encoder.encode(&dict, MatRef::from_column_major_slice(x, nf, n))?;
        let k = self.n_atoms;
        let mut a = vec![0.0; k * k];
        let mut b = vec![0.0; nf * k];
        for s in 0..n {
            let (idx, val) = codes.code(s);
            let xs = &x[s * nf..(s + 1) * nf];
            for (&i, &vi) in idx.iter().zip(val) {
                let i = i as usize;
                for (&j, &vj) in idx.iter().zip(val) {
                    a[j as usize * k + i] += vi * vj;
                }
                kernels::axpy(vi, xs, &mut b[i * nf..(i + 1) * nf]);
            }
        }
        let cost = lasso_cost(&dict, x, &codes, alpha);
        Ok(BatchStats { a, b, n_samples: n, cost })
    }

    /// One step: folds `stats` into `A` and `B` with scikit-learn's
    /// forgetting factor, then updates every atom once (block coordinate
    /// descent on the surrogate, Mairal et al. algorithm 2). An atom with
    /// `A_kk ≤ 1e-6` is replaced by a random signal of `pool` plus 1% noise.
    pub fn apply(&mut self, stats: &BatchStats, pool: &[f64], positive_dict: bool, rng: &mut SplitMix) -> Result<()> {
        let bs = stats.n_samples as f64;
        let step = self.step as f64;
        // scikit-learn's _update_inner_stats.
        let theta = if step < bs - 1.0 { (step + 1.0) * bs } else { bs * bs + step + 1.0 - bs };
        let beta = (theta + 1.0 - bs) / (theta + 1.0);
        self.apply_with_forgetting(stats, beta, pool, positive_dict, rng)
    }

    /// [`apply`](Self::apply) with a given forgetting factor `beta` (0: the
    /// statistics of this batch only, as batch learning does).
    pub fn apply_with_forgetting(
        &mut self,
        stats: &BatchStats,
        beta: f64,
        pool: &[f64],
        positive_dict: bool,
        rng: &mut SplitMix,
    ) -> Result<()> {
        let (nf, k) = (self.n_features, self.n_atoms);
        if stats.a.len() != k * k || stats.b.len() != nf * k || stats.n_samples == 0 {
            return Err(Error::Dimension("statistics do not fit the state".into()));
        }
        let bs = stats.n_samples as f64;
        self.a.iter_mut().zip(&stats.a).for_each(|(x, y)| *x = beta * *x + y / bs);
        self.b.iter_mut().zip(&stats.b).for_each(|(x, y)| *x = beta * *x + y / bs);
        let mut da = vec![0.0; nf];
        let iota: Vec<usize> = (0..k).collect();
        let n_pool = pool.len() / nf;
        for j in 0..k {
            let ajj = self.a[j * k + j];
            if ajj > 1e-6 {
                // d_j += (b_j − D a_j) / A_jj
                // D a_j, four atoms per pass over `da`.
                kernels::combination(&self.dict, nf, &iota, &self.a[j * k..(j + 1) * k], &mut da);
                let bj = &self.b[j * nf..(j + 1) * nf];
                let d = &mut self.dict[j * nf..(j + 1) * nf];
                for i in 0..nf {
                    d[i] += (bj[i] - da[i]) / ajj;
                }
            } else if n_pool > 0 {
                let s = rng.below(n_pool);
                let x = &pool[s * nf..(s + 1) * nf];
                let mean = x.iter().sum::<f64>() / nf as f64;
                let std = (x.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>() / nf as f64).sqrt();
                let level = 0.01 * if std > 0.0 { std } else { 1.0 };
                let d = &mut self.dict[j * nf..(j + 1) * nf];
                for i in 0..nf {
                    d[i] = x[i] + level * rng.normal();
                }
            }
            let d = &mut self.dict[j * nf..(j + 1) * nf];
            if positive_dict {
                d.iter_mut().for_each(|v| *v = v.max(0.0));
            }
            let norm = kernels::norm_sq(d).sqrt();
            if norm > 1.0 {
                d.iter_mut().for_each(|v| *v /= norm);
            }
            if norm == 0.0 {
                // A zero atom cannot be coded with; restart it at random.
                random_unit_atom(d, rng);
            }
        }
        self.step += 1;
        Ok(())
    }
}

/// The outcome of a fit.
#[derive(Debug, Clone, PartialEq)]
pub struct OnlineFit {
    /// The learned state (dictionary and statistics).
    pub state: OnlineState,
    /// Mini-batch steps taken.
    pub steps: usize,
    /// The smoothed batch cost when it stopped (per signal; the last batch's
    /// cost if it stopped before smoothing began).
    pub smoothed_cost: f64,
    /// Why it stopped.
    pub stopped_by: &'static str,
}

/// Online dictionary learning on the columns of `x` (n_features ×
/// n_samples). The observer sees every step and may stop the fit.
pub fn fit_online<T: Real>(params: &OnlineParams, x: MatRef<'_, T>, observer: &mut dyn Observer) -> Result<OnlineFit> {
    params.check()?;
    let nf = x.nrows();
    let n = x.ncols();
    if n == 0 || nf == 0 {
        return Err(Error::Dimension("no signals".into()));
    }
    let mut data = check_signals(x)?;
    let mut rng = SplitMix(params.seed);
    let dict0 = params.init.build(&data, nf, params.n_atoms, &mut rng)?;
    let mut state = OnlineState::new(nf, params.n_atoms, dict0)?;
    if params.shuffle {
        let mut order: Vec<usize> = (0..n).collect();
        rng.shuffle(&mut order);
        let old = data.clone();
        for (dst, &src) in order.iter().enumerate() {
            data[dst * nf..(dst + 1) * nf].copy_from_slice(&old[src * nf..(src + 1) * nf]);
        }
    }
    let encoder = params.encoder();
    let bs = params.batch_size.min(n);
    let steps_per_epoch = n.div_ceil(bs);
    let max_steps = params.max_steps.unwrap_or(usize::MAX).min(params.max_epochs.saturating_mul(steps_per_epoch));
    let mut old_dict = state.dict.clone();
    let (mut ewa, mut ewa_min, mut no_improvement) = (None::<f64>, None::<f64>, 0usize);
    let mut stopped_by = "max_steps";
    let mut last_cost = f64::NAN;
    let mut step = 0;
    while step < max_steps {
        let start = (step % steps_per_epoch) * bs;
        let end = (start + bs).min(n);
        let batch = &data[start * nf..end * nf];
        let stats = state.batch_stats(&encoder, batch, params.alpha)?;
        match params.forget_rho {
            None => state.apply(&stats, batch, params.positive_dict, &mut rng)?,
            Some(rho) => {
                let beta = (1.0 - 1.0 / (state.step as f64 + 1.0)).powf(rho);
                state.apply_with_forgetting(&stats, beta, batch, params.positive_dict, &mut rng)?
            }
        }
        step += 1;
        let batch_cost = stats.cost / stats.n_samples as f64;
        last_cost = batch_cost;
        // scikit-learn's _check_convergence.
        let mut converged = None;
        if step as f64 > 100f64.min(n as f64 / bs as f64) {
            let w = (stats.n_samples as f64 / (n as f64 + 1.0)).min(1.0);
            let e = ewa.map_or(batch_cost, |e| e * (1.0 - w) + batch_cost * w);
            ewa = Some(e);
            let diff = state.dict.iter().zip(&old_dict).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt() / params.n_atoms as f64;
            if params.tol > 0.0 && diff <= params.tol {
                converged = Some("tol");
            } else if ewa_min.is_none_or(|m| e < m) {
                no_improvement = 0;
                ewa_min = Some(e);
            } else {
                no_improvement += 1;
                if params.max_no_improvement.is_some_and(|m| no_improvement >= m) {
                    converged = Some("max_no_improvement");
                }
            }
        }
        old_dict.copy_from_slice(&state.dict);
        if observer.observe(&Progress { iteration: step, total: Some(max_steps), objective: batch_cost }).is_break() {
            stopped_by = "observer";
            break;
        }
        if let Some(why) = converged {
            stopped_by = why;
            break;
        }
    }
    Ok(OnlineFit { smoothed_cost: ewa.unwrap_or(last_cost), state, steps: step, stopped_by })
}

/// Parameters of batch learning (scikit-learn's `DictionaryLearning`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchParams {
    /// Number of atoms.
    pub n_atoms: usize,
    /// Lasso penalty.
    pub alpha: f64,
    /// Iterations at most (`max_iter`, 1000).
    pub max_iter: usize,
    /// Stop when the relative change of the objective is below this (`tol`, 1e-8).
    pub tol: f64,
    /// Seed.
    pub seed: u64,
    /// Initial dictionary.
    pub init: Init,
    /// Non-negative atoms.
    pub positive_dict: bool,
    /// Non-negative codes.
    pub positive_code: bool,
}

impl BatchParams {
    /// scikit-learn's defaults with `n_atoms` atoms.
    pub fn new(n_atoms: usize) -> Self {
        Self { n_atoms, alpha: 1.0, max_iter: 1000, tol: 1e-8, seed: 0, init: Init::Data, positive_dict: false, positive_code: false }
    }
}

/// The outcome of batch learning.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchFit {
    /// The final state (dictionary, last statistics).
    pub state: OnlineState,
    /// The objective `Σ ½‖x − Dc‖² + α‖c‖₁` after each coding pass.
    pub objective: Vec<f64>,
}

/// Batch dictionary learning: alternate exact Lasso coding of every signal
/// (Lasso-LARS) and one pass of block-coordinate atom updates on
/// `A = CᵀC`, `B = XCᵀ`, until the relative change of the objective is
/// below `tol`. Each half-step lowers the objective, so it never rises.
pub fn fit_batch<T: Real>(params: &BatchParams, x: MatRef<'_, T>, observer: &mut dyn Observer) -> Result<BatchFit> {
    let (nf, n) = (x.nrows(), x.ncols());
    if params.n_atoms == 0 || nf == 0 || n == 0 {
        return Err(invalid("n_atoms", "atoms, features and signals must all be at least 1"));
    }
    let data = check_signals(x)?;
    let mut rng = SplitMix(params.seed);
    let dict0 = params.init.build(&data, nf, params.n_atoms, &mut rng)?;
    let mut state = OnlineState::new(nf, params.n_atoms, dict0)?;
    let encoder = Encoder::lasso_lars(params.alpha).positive(params.positive_code);
    let mut objective: Vec<f64> = Vec::new();
    for it in 0..params.max_iter {
        let stats = state.batch_stats(&encoder, &data, params.alpha)?;
        objective.push(stats.cost);
        let stop = observer.observe(&Progress { iteration: it + 1, total: Some(params.max_iter), objective: stats.cost }).is_break();
        let converged = objective.len() >= 2 && {
            let (a, b) = (objective[objective.len() - 2], stats.cost);
            (a - b).abs() <= params.tol * a.abs()
        };
        if stop || converged {
            break;
        }
        state.apply_with_forgetting(&stats, 0.0, &data, params.positive_dict, &mut rng)?;
    }
    Ok(BatchFit { state, objective })
}
