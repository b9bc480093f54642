//! The shape every learner shares: checked parameters ([`Valid`]), one
//! result type ([`Fit`]) and one trait ([`Learn`]).
//!
//! A learner is a module with a params struct (`XParams`, scikit-learn's
//! names and defaults) whose `check()` validates every field once and
//! returns `Valid<XParams>`, and an `impl Learn for Valid<XParams>`:
//! `fit` codes with the learner's own encoder, `fit_with` with any
//! [`Encode`] (a masked coder, say) — the learners never name a solver
//! beyond their default. Both return a [`Fit`].

use std::ops::Deref;

use faer::MatRef;
use sc_linalg::Real;
use sc_solvers::{Encode, Encoder};

use crate::error::{Result, invalid};
use crate::progress::Observer;
use crate::stats::OnlineState;

/// The learners, by name: what the command line's `learn --method` and
/// Python's `fit_dictionary(method=…)` parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// Online mini-batch learning ([`crate::online`]).
    Online,
    /// K-SVD ([`crate::ksvd`]).
    Ksvd,
    /// Batch learning ([`crate::batch`]).
    Batch,
    /// Non-negative matrix factorisation: online learning with
    /// non-negative codes and atoms and no ℓ1 penalty
    /// ([`crate::online::OnlineParams::nmf`], SPAMS's `nmf`).
    Nmf,
}

sc_linalg::named_enum!(Method, "learner", { Online => "online", Ksvd => "ksvd", Batch => "batch", Nmf => "nmf" });

impl Default for Method {
    /// Online learning, the method of scikit-learn's
    /// `MiniBatchDictionaryLearning`.
    fn default() -> Self {
        Method::Online
    }
}

/// Parameters that passed their `check()`: the only kind a learner runs.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid<P>(P);

impl<P> Valid<P> {
    /// Wraps parameters already checked by their own `check()`.
    pub(crate) fn new(p: P) -> Self {
        Valid(p)
    }
    /// The parameters.
    pub fn into_inner(self) -> P {
        self.0
    }
}

impl<P> Deref for Valid<P> {
    type Target = P;
    fn deref(&self) -> &P {
        &self.0
    }
}

/// Why a fit stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum StopReason {
    /// The planned number of iterations (or mini-batch steps) ran.
    MaxIter,
    /// The dictionary changed by less than `tol` (online), or the objective
    /// by less than `tol` relatively (batch).
    Tol,
    /// The smoothed cost stopped improving (online, `max_no_improvement`).
    NoImprovement,
    /// The observer asked to stop.
    Observer,
}

impl StopReason {
    /// The name used in reports and model files.
    pub fn name(self) -> &'static str {
        match self {
            StopReason::MaxIter => "max_iter",
            StopReason::Tol => "tol",
            StopReason::NoImprovement => "max_no_improvement",
            StopReason::Observer => "observer",
        }
    }
}

/// One iteration (K-SVD or batch pass, or online mini-batch step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Record {
    /// The iteration's objective: online, the mini-batch's mean
    /// `½‖x − Dc‖² + α‖c‖₁`; batch, that cost summed over the data, the
    /// iteration's codes over its updated atoms (scikit-learn's); K-SVD,
    /// `‖X − DC‖²_F / n_samples` after the atom updates.
    pub objective: f64,
    /// Mean atoms per signal of the iteration's codes.
    pub mean_nnz: f64,
    /// Atoms replaced in the iteration (unused, too coherent, or zero).
    pub replaced: usize,
}

/// The outcome of any learner.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit<T: Real> {
    /// Signal length.
    pub n_features: usize,
    /// Number of atoms.
    pub n_atoms: usize,
    /// The dictionary, column-major (n_features × n_atoms): the bytes of
    /// scikit-learn's `components_` `(n_atoms, n_features)`.
    pub dict: Vec<T>,
    /// The statistics `A`, `B` and the step count (online and batch
    /// learning; `None` for K-SVD). An online fit resumes from them.
    pub state: Option<OnlineState<T>>,
    /// One record per iteration, in order.
    pub records: Vec<Record>,
    /// The final objective: online, the smoothed mini-batch cost
    /// (scikit-learn's `_ewa_cost`); otherwise the last record's.
    pub objective: f64,
    /// Why it stopped.
    pub stop: StopReason,
    /// Online learning, and batch learning from a NumPy state: the
    /// generator after the fit, to continue from (a NumPy state goes back to
    /// scikit-learn's `random_state`); `None` otherwise.
    pub generator: Option<crate::rng::Generator>,
}

impl<T: Real> Fit<T> {
    /// The dictionary as a matrix (n_features × n_atoms).
    pub fn dictionary(&self) -> MatRef<'_, T> {
        MatRef::from_column_major_slice(&self.dict, self.n_features, self.n_atoms)
    }
    /// Iterations (or mini-batch steps) run.
    pub fn iterations(&self) -> usize {
        self.records.len()
    }
}

/// A learner with checked parameters.
pub trait Learn {
    /// The learner's own coder for signals of length `n_features`.
    fn encoder(&self, n_features: usize) -> Encoder;

    /// Learns a dictionary from the columns of `x` (n_features ×
    /// n_samples), coding with the learner's own [`encoder`](Learn::encoder).
    /// The observer sees every iteration and may stop the fit.
    fn fit<T: Real>(&self, x: MatRef<'_, T>, observer: &mut dyn Observer) -> Result<Fit<T>> {
        self.fit_with(x, &self.encoder(x.nrows()), observer)
    }

    /// As [`fit`](Learn::fit), coding with `encoder` instead.
    fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<Fit<T>>;
}

/// The cap on atoms per signal when coding to an error goal: half the
/// signal length (at least 1), and no more than the atoms.
pub fn goal_atom_cap(n_features: usize, n_atoms: usize) -> usize {
    (n_features / 2).max(1).min(n_atoms)
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
