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
use sc_linalg::Real;
use sc_solvers::prox::Projection;
use sc_solvers::{Encode, Encoder};

use crate::error::{Error, Result, invalid};
use crate::init::{Init, given, start};
use crate::learner::{Fit, Learn, Record, StopReason, Valid, check_atoms_alpha};
use crate::progress::{Observer, Progress};
use crate::rng::{Draw, Generator, NumpyRandomState, SplitMix};
use crate::schedule::Schedule;
use crate::signals::Signals;

use crate::atoms::project_on;
/// The online learner's stopping rules, state and statistics (defined in
/// `schedule` and `stats`, where the other learners share them).
pub use crate::schedule::Convergence;
pub use crate::stats::{BatchStats, EpochWindows, OnlineState, forgetting_factor};

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
    /// cost (`max_no_improvement`, 10; 0 stops at the first step the rules
    /// look at, as in scikit-learn; `None` never).
    pub max_no_improvement: Option<usize>,
    /// How the dictionary starts.
    pub init: Init,
    /// Forgetting: `None` is scikit-learn's rule; `Some(ρ)` weighs the
    /// past by `βₜ = (1 − 1/t)^ρ` (Mairal et al. 2010, §3.4.2), which
    /// forgets the first, poor codes faster
    /// ([`OnlineParams::FAST_FORGETTING`]).
    pub forget_rho: Option<f64>,
    /// SPAMS's statistics ([`EpochWindows`]): the codes of the current and
    /// the previous pass over the data only, forgotten at every step with a
    /// memory of two passes (`false`: scikit-learn's, or `forget_rho`'s);
    /// and SPAMS's batches, all full ([`Schedule::wrapped`]).
    pub epoch_windows: bool,
    /// The set each atom is projected on after its update, instead of the
    /// unit ℓ2 ball (SPAMS's `modeD` 1–3: the elastic-net and fused-Lasso
    /// balls); the start is projected on it too.
    pub atom_set: Option<Projection<f64>>,
    /// Statistics to continue from (SPAMS's `model`): the fit starts with
    /// them and their step count instead of from nothing.
    pub resume: Option<Resume>,
}

/// Where an earlier fit stopped (SPAMS's `trainDL` `model`): its
/// statistics `A` (n_atoms × n_atoms) and `B` (n_features × n_atoms), both
/// column-major, and its number of steps. A fit given them weighs them as
/// its own past: forgotten from their step count on, and, with SPAMS's
/// windows ([`OnlineParams::epoch_windows`]), held as the previous pass's
/// window until the fit's first pass over its signals ends.
#[derive(Debug, Clone, PartialEq)]
pub struct Resume {
    /// `A = Σ c cᵀ`, weighted (n_atoms × n_atoms).
    pub a: Vec<f64>,
    /// `B = Σ x cᵀ`, weighted (n_features × n_atoms).
    pub b: Vec<f64>,
    /// Steps taken.
    pub step: usize,
}

impl Resume {
    /// `state` with these statistics and step count, checked against its
    /// sizes and for finite values.
    fn apply<T: Real>(&self, state: &mut OnlineState<T>) -> Result<()> {
        let (nf, k) = (state.n_features, state.n_atoms);
        if self.a.len() != k * k {
            return Err(Error::Dimension(format!("the statistics A hold {} values for {k}×{k}", self.a.len())));
        }
        if self.b.len() != nf * k {
            return Err(Error::Dimension(format!("the statistics B hold {} values for {nf}×{k}", self.b.len())));
        }
        if !self.a.iter().chain(&self.b).all(|v| v.is_finite()) {
            return Err(invalid("resume", "the statistics hold a value that is not finite"));
        }
        state.a = self.a.iter().map(|&v| T::from_f64(v)).collect();
        state.b = self.b.iter().map(|&v| T::from_f64(v)).collect();
        state.step = self.step;
        Ok(())
    }
}

impl OnlineParams {
    /// The fast forgetting of sparsecode's own fits (the demo, the
    /// inpainter): `ρ` of `βₜ = (1 − 1/t)^ρ` for [`OnlineParams::forget_rho`].
    /// On 2000 random 8×8 patches of each of eight images (camera, moon,
    /// coins, text, brick, grass, astronaut, coffee), 100 atoms, α = 1, 75
    /// steps of 256 with ρ = 6 end within 0.04% of the objective of SPAMS's
    /// `trainDL` after its 100 steps of 256, below it on six; scikit-learn's
    /// rule, after its early stop, ends 0.1–0.3% above SPAMS's, and still
    /// 0.03–0.15% above after 100 steps. (scikit-learn's estimator keeps
    /// scikit-learn's rule: `forget_rho` is `None` by default.)
    pub const FAST_FORGETTING: f64 = 6.0;

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
            epoch_windows: false,
            atom_set: None,
            resume: None,
        }
    }

    /// The factor that weighs the statistics before step `step` (from 0)
    /// with a batch of `batch` signals ([`forgetting_factor`] of
    /// `forget_rho`).
    pub fn forgetting(&self, step: usize, batch: usize) -> f64 {
        forgetting_factor(step, batch, self.forget_rho, None)
    }

    /// Non-negative matrix factorisation, `min ½‖X − DA‖²` with `D ≥ 0` and
    /// `A ≥ 0` (SPAMS's `nmf`): [`OnlineParams::new`] with non-negative
    /// codes and atoms and `alpha` 0.
    pub fn nmf(n_atoms: usize) -> Self {
        Self { alpha: 0.0, positive_code: true, positive_dict: true, ..Self::new(n_atoms) }
    }

    /// The coder of [`Learn::fit`]: Lasso-LARS at `alpha`, in chunks of
    /// [`BATCH_CHUNK`].
    pub fn encoder(&self) -> Encoder {
        Encoder::lasso_lars(self.alpha).positive(self.positive_code).chunk_size(BATCH_CHUNK)
    }

    /// The mini-batches of a fit on `n_samples` signals, shuffled by `rng`
    /// when `shuffle` says so.
    pub fn schedule(&self, n_samples: usize, rng: &mut impl Draw) -> Result<Schedule> {
        let s = Schedule::new(n_samples, self.batch_size, self.max_epochs, self.max_steps)?;
        let s = if self.shuffle { s.shuffled(rng) } else { s };
        // SPAMS's statistics go with its batches, all full.
        Ok(if self.epoch_windows { s.wrapped() } else { s })
    }

    /// The stopping rules of a fit on `n_samples` signals.
    pub fn convergence(&self, n_samples: usize) -> Convergence {
        Convergence::new(n_samples, self.n_atoms, self.tol, self.max_no_improvement)
    }

    /// Checks every field.
    pub fn check(&self) -> Result<Valid<Self>> {
        check_atoms_alpha(self.n_atoms, self.alpha)?;
        if self.forget_rho.is_some_and(|r| !(r >= 0.0 && r.is_finite())) {
            return Err(invalid("forget_rho", "must be finite and ≥ 0"));
        }
        if let Some(set) = &self.atom_set {
            set.check()?;
            if matches!(set, Projection::FusedProx { .. }) {
                return Err(invalid("atom_set", "must be a set to project on, not the fused-Lasso prox"));
            }
        }
        if self.epoch_windows && self.forget_rho.is_some() {
            return Err(invalid("forget_rho", "is a forgetting rule of its own: not with epoch_windows"));
        }
        if self.batch_size == 0 {
            return Err(invalid("batch_size", "must be at least 1"));
        }
        // No epoch or no step is allowed, as scikit-learn allows
        // `max_iter = 0`: the dictionary is the start.
        if !(self.tol >= 0.0) {
            return Err(invalid("tol", "must be ≥ 0"));
        }
        Ok(Valid::new(self.clone()))
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
    windows: Option<EpochWindows<T>>,
    positive_dict: bool,
    atom_set: Option<Projection<T>>,
    convergence: Convergence,
    old_dict: Vec<T>,
}

impl<T: Real> OnlineRun<T> {
    /// A run of `params` on `n_samples` signals from `state`, drawing atom
    /// replacements from `rng`.
    pub fn new(params: &Valid<OnlineParams>, n_samples: usize, state: OnlineState<T>, rng: impl Into<Generator>) -> Self {
        let convergence = params.convergence(n_samples);
        let (forget_rho, positive_dict) = (params.forget_rho, params.positive_dict);
        let windows = params.epoch_windows.then(|| EpochWindows::new(n_samples, &state));
        let atom_set = params.atom_set.map(|p| p.cast::<T>());
        let mut rng: Generator = rng.into();
        let mut state = state;
        // The start on the atoms' set, as every update leaves them.
        if let Some(set) = &atom_set {
            let mut scratch = Vec::new();
            for atom in state.dict.chunks_exact_mut(state.n_features.max(1)) {
                project_on(atom, set, positive_dict, &mut scratch, &mut rng);
            }
        }
        let old_dict = state.dict.clone();
        Self { state, records: Vec::new(), rng, forget_rho, windows, positive_dict, atom_set, convergence, old_dict }
    }

    /// One step with the (merged) statistics of a mini-batch; atoms that
    /// went unused are replaced by a random signal of `pool` (column-major,
    /// signals of the batch) plus noise. Returns why to stop, if the fit
    /// should.
    pub fn step(&mut self, stats: &BatchStats<T>, pool: &[T]) -> Result<Option<StopReason>> {
        match &mut self.windows {
            Some(w) => w.fold(stats, &mut self.state)?,
            None => self.state.fold(stats, forgetting_factor(self.state.step, stats.n_samples, self.forget_rho, None))?,
        }
        let replaced = self.state.update_atoms(pool, self.positive_dict, self.atom_set.as_ref(), &mut self.rng);
        let batch_cost = stats.cost / stats.n_samples as f64;
        self.records.push(Record { objective: batch_cost, mean_nnz: stats.nnz as f64 / stats.n_samples as f64, replaced });
        let change = self.state.dict.iter().zip(&self.old_dict).map(|(&a, &b)| ((a - b) * (a - b)).to_f64()).sum::<f64>().sqrt();
        self.old_dict.copy_from_slice(&self.state.dict);
        Ok(self.convergence.update(self.records.len(), batch_cost, stats.n_samples, change))
    }

    /// The smoothed mini-batch cost (scikit-learn's `_ewa_cost`), once the
    /// stopping rules look at it.
    pub fn smoothed_cost(&self) -> Option<f64> {
        self.convergence.smoothed_cost()
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

/// The seed of the atom replacements of one step taken alone (scikit-learn's
/// `partial_fit` without a NumPy generator to continue): `seed` mixed with
/// the step's number, so that successive steps draw differently.
pub fn step_seed(seed: u64, step: usize) -> u64 {
    seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

impl Learn for Valid<OnlineParams> {
    fn encoder(&self, _: usize) -> Encoder {
        OnlineParams::encoder(self)
    }

    /// Online dictionary learning on the columns of `x` (n_features ×
    /// n_samples), each mini-batch coded by `encoder`.
    fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<Fit<T>> {
        let p = &**self;
        let (data, mut rng, mut state) = match (&p.numpy_state, &p.init) {
            // scikit-learn's initial dictionary, zero atoms included.
            (Some(numpy), Init::Given(d)) => {
                let data = Signals::new(x)?;
                let state = OnlineState::new(data.nf(), p.n_atoms, given(d, data.nf(), p.n_atoms)?)?;
                (data, Generator::from(numpy.clone()), state)
            }
            (Some(numpy), init) => start(x, init, p.n_atoms, Generator::from(numpy.clone()))?,
            (None, init) => start(x, init, p.n_atoms, Generator::from(SplitMix(p.seed)))?,
        };
        if let Some(r) = &p.resume {
            r.apply(&mut state)?;
        }
        let (nf, n) = (data.nf(), data.len());
        let schedule = p.schedule(n, &mut rng)?;
        let max_steps = schedule.max_steps;
        let mut run = OnlineRun::new(self, n, state, rng);
        let mut batch = Vec::with_capacity(schedule.batch_size * nf);
        while run.records.len() < max_steps {
            batch.clear();
            for &s in schedule.batch(run.records.len()) {
                batch.extend_from_slice(data.col(s));
            }
            let stats = run.state.batch_stats(encoder, &batch, p.alpha)?;
            let converged = run.step(&stats, &batch)?;
            let progress = Progress {
                iteration: run.records.len(),
                total: Some(max_steps),
                objective: stats.cost / stats.n_samples as f64,
                smoothed: run.smoothed_cost(),
            };
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
