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
use sc_solvers::{Dictionary, Encode, Encoder, SparseCodes, lasso_objective_in};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result, invalid};
use crate::init::{Init, given, random_unit_atom};
use crate::learner::{Fit, Learn, Record, Signals, StopReason, Valid};
use crate::progress::{Observer, Progress};
use crate::rng::{Draw, Generator, NumpyRandomState, SplitMix};

/// Signals per coding task inside a mini-batch: small, so that every core
/// gets a share of a batch of 256 (codes do not depend on it).
pub const BATCH_CHUNK: usize = 32;

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
    /// NumPy's `RandomState` to continue instead of `seed` (scikit-learn's
    /// `random_state`, after it drew the initial dictionary): the shuffle
    /// and the replacement of unused atoms then draw what scikit-learn
    /// draws, and a given initial dictionary's zero atoms are kept (they
    /// go unused, and are replaced at the first step, as scikit-learn
    /// replaces them). With scikit-learn's initial dictionary
    /// (`Init::Given`), the fit takes scikit-learn's steps.
    pub numpy_state: Option<NumpyRandomState>,
    /// Constrain atoms to be non-negative (`positive_dict`).
    pub positive_dict: bool,
    /// Constrain codes to be non-negative (`positive_code`).
    pub positive_code: bool,
    /// Stop when `‖D_new − D_old‖_F / n_atoms ≤ tol` (`tol`, 1e-3; 0 disables).
    pub tol: f64,
    /// Stop after this many steps without improvement of the smoothed batch
    /// cost (`max_no_improvement`, 10).
    pub max_no_improvement: Option<usize>,
    /// How the dictionary starts.
    pub init: Init,
    /// Forgetting: `None` is scikit-learn's rule; `Some(ρ)` weighs the
    /// past by `βₜ = (1 − 1/t)^ρ` (Mairal et al. 2010, §3.4.2), which
    /// forgets the first, poor codes faster (ρ = 6 reaches SPAMS's
    /// objective on the seed's run in a fifth of its steps).
    pub forget_rho: Option<f64>,
}

impl OnlineParams {
    /// scikit-learn's defaults with `n_atoms` atoms, except the start: the
    /// dictionary starts from random signals ([`Init::Data`], SPAMS's
    /// choice), where scikit-learn starts from an SVD of the data
    /// ([`Init::Svd`] does that).
    pub fn new(n_atoms: usize) -> Self {
        Self {
            n_atoms,
            alpha: 1.0,
            batch_size: 256,
            max_epochs: 1000,
            max_steps: None,
            shuffle: true,
            seed: 0,
            numpy_state: None,
            positive_dict: false,
            positive_code: false,
            tol: 1e-3,
            max_no_improvement: Some(10),
            init: Init::Data,
            forget_rho: None,
        }
    }

    /// The coder of [`Learn::fit`]: Lasso-LARS at `alpha`, in chunks of
    /// [`BATCH_CHUNK`].
    pub fn encoder(&self) -> Encoder {
        Encoder::lasso_lars(self.alpha).positive(self.positive_code).chunk_size(BATCH_CHUNK)
    }

    /// Checks every field.
    pub fn check(&self) -> Result<Valid<Self>> {
        check_atoms_alpha(self.n_atoms, self.alpha)?;
        if self.forget_rho.is_some_and(|r| !(r >= 0.0 && r.is_finite())) {
            return Err(invalid("forget_rho", "must be finite and ≥ 0"));
        }
        if self.batch_size == 0 {
            return Err(invalid("batch_size", "must be at least 1"));
        }
        if self.max_epochs == 0 || self.max_steps == Some(0) {
            return Err(invalid("max_iter", "at least one epoch and one step"));
        }
        if !(self.tol >= 0.0) {
            return Err(invalid("tol", "must be ≥ 0"));
        }
        if self.max_no_improvement == Some(0) {
            return Err(invalid("max_no_improvement", "must be at least 1 (or none)"));
        }
        Ok(Valid::new(self.clone()))
    }
}

/// `n_atoms ≥ 1` and a finite `alpha ≥ 0` (online and batch learning).
pub(crate) fn check_atoms_alpha(n_atoms: usize, alpha: f64) -> Result<()> {
    if n_atoms == 0 {
        return Err(invalid("n_atoms", "must be at least 1"));
    }
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(invalid("alpha", format!("must be finite and ≥ 0, got {alpha}")));
    }
    Ok(())
}

/// The learner's state: what a step reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Serialize + DeserializeOwned")]
pub struct OnlineState<T> {
    /// Signal length.
    pub n_features: usize,
    /// Number of atoms.
    pub n_atoms: usize,
    /// The dictionary, column-major (n_features × n_atoms).
    pub dict: Vec<T>,
    /// `A` (n_atoms × n_atoms, column-major).
    pub a: Vec<T>,
    /// `B` (n_features × n_atoms, column-major).
    pub b: Vec<T>,
    /// Mini-batch steps taken.
    pub step: usize,
}

/// What one mini-batch contributes: `Σ c cᵀ`, `Σ x cᵀ` over its signals
/// (not yet divided by their number), their number, and the sum of their
/// costs `½‖x − Dc‖² + α‖c‖₁`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Serialize + DeserializeOwned")]
pub struct BatchStats<T> {
    /// `Σ c cᵀ` (n_atoms × n_atoms).
    pub a: Vec<T>,
    /// `Σ x cᵀ` (n_features × n_atoms).
    pub b: Vec<T>,
    /// Number of signals.
    pub n_samples: usize,
    /// Sum of the signals' costs.
    pub cost: f64,
    /// Sum of the signals' numbers of non-zeros.
    pub nnz: usize,
}

impl<T: Real> BatchStats<T> {
    /// Adds the statistics of another shard coded with the same dictionary.
    pub fn merge(mut self, other: &BatchStats<T>) -> Result<BatchStats<T>> {
        if self.a.len() != other.a.len() || self.b.len() != other.b.len() {
            return Err(Error::Dimension("statistics of different shapes".into()));
        }
        self.a.iter_mut().zip(&other.a).for_each(|(x, &y)| *x += y);
        self.b.iter_mut().zip(&other.b).for_each(|(x, &y)| *x += y);
        self.n_samples += other.n_samples;
        self.cost += other.cost;
        self.nnz += other.nnz;
        Ok(self)
    }
}

/// `½‖x − Dc‖² + α‖c‖₁` summed over signals (columns of `x`).
fn lasso_cost<T: Real>(dict: &Dictionary<T>, x: &[T], codes: &SparseCodes<T>, alpha: f64) -> f64 {
    let nf = dict.n_features();
    let mut r = vec![T::ZERO; nf];
    (0..codes.n_samples())
        .map(|s| {
            let (idx, val) = codes.code(s);
            lasso_objective_in(dict, &x[s * nf..(s + 1) * nf], idx, val, T::from_f64(alpha), T::ZERO, &mut r).to_f64()
        })
        .fold(0.0, |total, cost| total + cost)
}

impl<T: Real> OnlineState<T> {
    /// A state starting from `dict` (column-major, n_features × n_atoms).
    pub fn new(n_features: usize, n_atoms: usize, dict: Vec<T>) -> Result<Self> {
        if n_features.checked_mul(n_atoms) != Some(dict.len()) {
            return Err(Error::Dimension(format!("dictionary of {} values for {n_features}×{n_atoms}", dict.len())));
        }
        let a = vec![T::ZERO; n_atoms * n_atoms];
        Ok(Self { n_features, n_atoms, dict, a, b: vec![T::ZERO; n_features * n_atoms], step: 0 })
    }

    /// The current dictionary prepared for coding.
    pub fn dictionary(&self) -> Result<Dictionary<T>> {
        Ok(Dictionary::from_column_major(&self.dict, self.n_features, self.n_atoms)?)
    }

    /// Codes a shard (columns of `x`, column-major) with the current
    /// dictionary and returns its statistics; `alpha` is the penalty of the
    /// reported cost.
    pub fn batch_stats(&self, encoder: &dyn Encode<T>, x: &[T], alpha: f64) -> Result<BatchStats<T>> {
        let nf = self.n_features;
        if !x.len().is_multiple_of(nf) {
            return Err(Error::Dimension(format!("signals of length {nf} expected")));
        }
        let n = x.len() / nf;
        let k = self.n_atoms;
        let xm = MatRef::from_column_major_slice(x, nf, n);
        // A zero atom (scikit-learn's initial dictionary past the data's
        // rank) takes part in no code, as in scikit-learn's LARS, where its
        // correlation stays 0: the signals are coded over the other atoms,
        // and it is replaced as an unused atom at this step.
        let live: Vec<usize> = (0..k).filter(|&j| self.dict[j * nf..(j + 1) * nf].iter().any(|&v| v != T::ZERO)).collect();
        let whole = live.len() == k;
        let sub: Vec<T> =
            if whole { Vec::new() } else { live.iter().flat_map(|&j| self.dict[j * nf..(j + 1) * nf].iter().copied()).collect() };
        let dict = if whole { self.dictionary()? } else { Dictionary::from_column_major(&sub, nf, live.len())? };
        let codes = encoder.encode(&dict, xm)?;
        let cost = lasso_cost(&dict, x, &codes, alpha);
        let codes = if whole {
            codes
        } else {
            let (_, indptr, indices, values) = codes.into_parts();
            SparseCodes::from_parts(k, indptr, indices.into_iter().map(|i| live[i as usize] as u32).collect(), values)?
        };
        let mut a = vec![T::ZERO; k * k];
        let mut b = vec![T::ZERO; nf * k];
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
        Ok(BatchStats { a, b, n_samples: n, cost, nnz: codes.nnz() })
    }

    /// One step: folds `stats` into `A` and `B` with scikit-learn's
    /// forgetting factor, then updates every atom once (block coordinate
    /// descent on the surrogate, Mairal et al. algorithm 2). An atom with
    /// `A_kk ≤ 1e-6` is replaced by a random signal of `pool` plus 1% noise.
    /// Returns the number of atoms replaced.
    pub fn apply(&mut self, stats: &BatchStats<T>, pool: &[T], positive_dict: bool, rng: &mut impl Draw) -> Result<usize> {
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
        stats: &BatchStats<T>,
        beta: f64,
        pool: &[T],
        positive_dict: bool,
        rng: &mut impl Draw,
    ) -> Result<usize> {
        let (nf, k) = (self.n_features, self.n_atoms);
        if stats.a.len() != k * k || stats.b.len() != nf * k || stats.n_samples == 0 {
            return Err(Error::Dimension("statistics do not fit the state".into()));
        }
        if !(0.0..=1.0).contains(&beta) {
            return Err(invalid("beta", "the forgetting factor must be in [0, 1]"));
        }
        let (beta, bs) = (T::from_f64(beta), T::from_f64(stats.n_samples as f64));
        self.a.iter_mut().zip(&stats.a).for_each(|(x, &y)| *x = beta * *x + y / bs);
        self.b.iter_mut().zip(&stats.b).for_each(|(x, &y)| *x = beta * *x + y / bs);
        let mut da = vec![T::ZERO; nf];
        let iota: Vec<usize> = (0..k).collect();
        let n_pool = pool.len() / nf;
        let mut replaced = 0;
        let floor = T::from_f64(1e-6);
        for j in 0..k {
            let ajj = self.a[j * k + j];
            if ajj > floor {
                // d_j += (b_j − D a_j) / A_jj
                // D a_j, four atoms per pass over `da`.
                kernels::combination(&self.dict, nf, &iota, &self.a[j * k..(j + 1) * k], &mut da);
                let bj = &self.b[j * nf..(j + 1) * nf];
                let d = &mut self.dict[j * nf..(j + 1) * nf];
                for i in 0..nf {
                    d[i] += (bj[i] - da[i]) / ajj;
                }
            } else if n_pool > 0 {
                replaced += 1;
                let s = rng.below(n_pool);
                restart_from_signal(&pool[s * nf..(s + 1) * nf], &mut self.dict[j * nf..(j + 1) * nf], rng);
            }
            if project_atom(&mut self.dict[j * nf..(j + 1) * nf], positive_dict, rng) {
                replaced += 1;
            }
        }
        self.step += 1;
        Ok(replaced)
    }
}

/// An unused atom restarts as the signal `x` plus Gaussian noise of 1% of
/// its standard deviation (1% if it is constant), as scikit-learn's
/// `_update_dict` restarts it.
pub(crate) fn restart_from_signal<T: Real>(x: &[T], atom: &mut [T], rng: &mut impl Draw) {
    let nft = T::from_f64(x.len() as f64);
    let mean = x.iter().fold(T::ZERO, |a, &v| a + v) / nft;
    let std = (x.iter().fold(T::ZERO, |a, &v| a + (v - mean) * (v - mean)) / nft).sqrt();
    let level = T::from_f64(0.01) * if std > T::ZERO { std } else { T::ONE };
    for (d, &v) in atom.iter_mut().zip(x) {
        *d = v + level * T::from_f64(rng.normal());
    }
}

/// Projects an atom on the constraint set after its update: clipped at 0
/// under `positive`, scaled into the unit ball; a zero atom, which cannot
/// be coded with, restarts at random (returns true then).
pub(crate) fn project_atom<T: Real>(atom: &mut [T], positive: bool, rng: &mut impl Draw) -> bool {
    if positive {
        atom.iter_mut().for_each(|v| *v = v.max(T::ZERO));
    }
    let norm = kernels::norm_sq(atom).sqrt();
    if norm > T::ONE {
        atom.iter_mut().for_each(|v| *v /= norm);
    }
    if norm == T::ZERO {
        random_unit_atom(atom, rng);
        return true;
    }
    false
}

/// The checked signals, the generator `rng` (after the draws of the
/// initial dictionary), and a state at the initial dictionary: how online
/// and batch learning begin.
pub(crate) fn start<'a, T: Real, R: Draw>(
    x: MatRef<'a, T>,
    init: &Init,
    n_atoms: usize,
    mut rng: R,
) -> Result<(Signals<'a, T>, R, OnlineState<T>)> {
    let data = Signals::new(x)?;
    let dict0 = init.build_from(&data, n_atoms, &mut rng)?;
    let state = OnlineState::new(data.nf(), n_atoms, dict0)?;
    Ok((data, rng, state))
}

/// scikit-learn's two stopping rules of online learning
/// (`MiniBatchDictionaryLearning._check_convergence`): the dictionary
/// moved by at most `tol` (`‖D_new − D_old‖_F / n_atoms`), or the smoothed
/// mini-batch cost did not improve for `max_no_improvement` steps. Neither
/// is looked at during the first `min(100, n_samples / batch_size)` steps
/// (`batch_size`: the size of the step's own batch).
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    n_samples: usize,
    n_atoms: usize,
    tol: f64,
    max_no_improvement: Option<usize>,
    ewa: Option<f64>,
    ewa_min: Option<f64>,
    no_improvement: usize,
}

impl Convergence {
    /// The rules of `params` for a fit on `n_samples` signals.
    pub fn new(params: &Valid<OnlineParams>, n_samples: usize) -> Self {
        Self {
            n_samples,
            n_atoms: params.n_atoms,
            tol: params.tol,
            max_no_improvement: params.max_no_improvement,
            ewa: None,
            ewa_min: None,
            no_improvement: 0,
        }
    }

    /// Looks at step `step` (counted from 1): its mean cost `batch_cost`
    /// over `n_batch` signals and `change = ‖D_new − D_old‖_F`. Returns why
    /// to stop, if the fit should.
    pub fn update(&mut self, step: usize, batch_cost: f64, n_batch: usize, change: f64) -> Option<StopReason> {
        let n = self.n_samples as f64;
        // The warm-up is measured in batches of this step's size, as
        // scikit-learn does (a shorter last batch of an epoch lengthens it).
        if step as f64 <= 100f64.min(n / n_batch.max(1) as f64) {
            return None;
        }
        let w = (n_batch as f64 / (n + 1.0)).min(1.0);
        let e = self.ewa.map_or(batch_cost, |e| e * (1.0 - w) + batch_cost * w);
        self.ewa = Some(e);
        if self.tol > 0.0 && change / self.n_atoms as f64 <= self.tol {
            return Some(StopReason::Tol);
        }
        if self.ewa_min.is_none_or(|m| e < m) {
            self.no_improvement = 0;
            self.ewa_min = Some(e);
        } else {
            self.no_improvement += 1;
            if self.max_no_improvement.is_some_and(|m| self.no_improvement >= m) {
                return Some(StopReason::NoImprovement);
            }
        }
        None
    }

    /// The smoothed mini-batch cost (scikit-learn's `_ewa_cost`), once the
    /// rules have started looking.
    pub fn smoothed_cost(&self) -> Option<f64> {
        self.ewa
    }
}

/// An online fit in progress: the [`OnlineState`], the generator of atom
/// replacements, the forgetting rule and the [`Convergence`] rules.
/// [`Learn::fit_with`] feeds it the statistics of mini-batches of an
/// in-memory matrix; a distributed driver feeds it the merged
/// [`BatchStats`] of its workers instead, and gets the same dictionary for
/// the same batches.
#[derive(Debug, Clone)]
pub struct OnlineRun<T: Real> {
    /// The statistics, the dictionary and the step count.
    pub state: OnlineState<T>,
    /// One record per step taken.
    pub records: Vec<Record>,
    rng: Generator,
    forget_rho: Option<f64>,
    positive_dict: bool,
    convergence: Convergence,
    old_dict: Vec<T>,
}

impl<T: Real> OnlineRun<T> {
    /// A run of `params` on `n_samples` signals from `state`, drawing atom
    /// replacements from `rng`.
    pub fn new(params: &Valid<OnlineParams>, n_samples: usize, state: OnlineState<T>, rng: impl Into<Generator>) -> Self {
        let old_dict = state.dict.clone();
        let convergence = Convergence::new(params, n_samples);
        let (forget_rho, positive_dict) = (params.forget_rho, params.positive_dict);
        Self { state, records: Vec::new(), rng: rng.into(), forget_rho, positive_dict, convergence, old_dict }
    }

    /// One step with the (merged) statistics of a mini-batch; atoms that
    /// went unused are replaced by a random signal of `pool` (column-major,
    /// signals of the batch) plus noise. Returns why to stop, if the fit
    /// should.
    pub fn step(&mut self, stats: &BatchStats<T>, pool: &[T]) -> Result<Option<StopReason>> {
        let replaced = match self.forget_rho {
            None => self.state.apply(stats, pool, self.positive_dict, &mut self.rng)?,
            Some(rho) => {
                let beta = (1.0 - 1.0 / (self.state.step as f64 + 1.0)).powf(rho);
                self.state.apply_with_forgetting(stats, beta, pool, self.positive_dict, &mut self.rng)?
            }
        };
        let batch_cost = stats.cost / stats.n_samples as f64;
        self.records.push(Record { objective: batch_cost, mean_nnz: stats.nnz as f64 / stats.n_samples as f64, replaced });
        let change = self.state.dict.iter().zip(&self.old_dict).map(|(&a, &b)| ((a - b) * (a - b)).to_f64()).sum::<f64>().sqrt();
        self.old_dict.copy_from_slice(&self.state.dict);
        Ok(self.convergence.update(self.records.len(), batch_cost, stats.n_samples, change))
    }

    /// The smoothed mini-batch cost, or the last step's cost before the
    /// stopping rules start looking.
    pub fn objective(&self) -> f64 {
        self.convergence.smoothed_cost().unwrap_or(self.records.last().map_or(f64::NAN, |r| r.objective))
    }

    /// The fit, stopped for `stop`.
    pub fn finish(self, stop: StopReason) -> Fit<T> {
        let objective = self.objective();
        let (nf, k) = (self.state.n_features, self.state.n_atoms);
        Fit {
            n_features: nf,
            n_atoms: k,
            dict: self.state.dict.clone(),
            state: Some(self.state),
            records: self.records,
            objective,
            stop,
            generator: Some(self.rng),
        }
    }
}

impl Learn for Valid<OnlineParams> {
    fn encoder(&self, _: usize) -> Encoder {
        OnlineParams::encoder(self)
    }

    /// Online dictionary learning on the columns of `x` (n_features ×
    /// n_samples), each mini-batch coded by `encoder`.
    fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<Fit<T>> {
        let p = &**self;
        let (data, mut rng, state) = match (&p.numpy_state, &p.init) {
            // scikit-learn's initial dictionary, zero atoms included.
            (Some(numpy), Init::Given(d)) => {
                let data = Signals::new(x)?;
                let state = OnlineState::new(data.nf(), p.n_atoms, given(d, data.nf(), p.n_atoms)?)?;
                (data, Generator::from(numpy.clone()), state)
            }
            (Some(numpy), init) => start(x, init, p.n_atoms, Generator::from(numpy.clone()))?,
            (None, init) => start(x, init, p.n_atoms, Generator::from(SplitMix(p.seed)))?,
        };
        let (nf, n) = (data.nf(), data.len());
        let mut order: Vec<usize> = (0..n).collect();
        if p.shuffle {
            rng.shuffle(&mut order);
        }
        let bs = p.batch_size.min(n);
        let steps_per_epoch = n.div_ceil(bs);
        let max_steps = p.max_steps.unwrap_or(usize::MAX).min(p.max_epochs.saturating_mul(steps_per_epoch));
        let mut run = OnlineRun::new(self, n, state, rng);
        let mut batch = Vec::with_capacity(bs * nf);
        while run.records.len() < max_steps {
            let start = (run.records.len() % steps_per_epoch) * bs;
            let end = (start + bs).min(n);
            batch.clear();
            for &s in &order[start..end] {
                batch.extend_from_slice(data.col(s));
            }
            let stats = run.state.batch_stats(encoder, &batch, p.alpha)?;
            let converged = run.step(&stats, &batch)?;
            let progress =
                Progress { iteration: run.records.len(), total: Some(max_steps), objective: stats.cost / stats.n_samples as f64 };
            if observer.observe(&progress).is_break() {
                return Ok(run.finish(StopReason::Observer));
            }
            if let Some(why) = converged {
                return Ok(run.finish(why));
            }
        }
        Ok(run.finish(StopReason::MaxIter))
    }
}
