//! Batch dictionary learning, scikit-learn's `DictionaryLearning`:
//! alternate exact Lasso coding of every signal (Lasso-LARS) and one pass of
//! block-coordinate atom updates on `A = CᵀC`, `B = XCᵀ` (the online
//! learner's update with nothing remembered), until the objective (the
//! codes' cost over the updated atoms, scikit-learn's `error_`) decreases by
//! less than `tol` times itself. Each half-step lowers the objective.

use faer::MatRef;
use sc_linalg::Real;
use sc_solvers::{Encode, Encoder, SparseCodes};

use crate::error::{Result, invalid};
use crate::init::{Init, start};
use crate::learner::{Fit, Learn, Record, StopReason, Valid, check_atoms_alpha};
use crate::progress::{Observer, Progress};
use crate::rng::{Generator, NumpyRandomState, SplitMix};

/// Parameters of batch learning (scikit-learn's `DictionaryLearning`).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchParams {
    /// Number of atoms (`n_components`).
    pub n_atoms: usize,
    /// Lasso penalty (`alpha`).
    pub alpha: f64,
    /// Iterations at most (`max_iter`, 1000).
    pub max_iter: usize,
    /// Stop when the relative change of the objective is below this (`tol`, 1e-8).
    pub tol: f64,
    /// Seed.
    pub seed: u64,
    /// NumPy's `RandomState` to continue instead of `seed` (scikit-learn's
    /// `random_state`): unused atoms are then replaced by the signals and
    /// noise scikit-learn draws, and the fit takes scikit-learn's steps.
    pub numpy_state: Option<NumpyRandomState>,
    /// Initial dictionary.
    pub init: Init,
    /// Non-negative atoms.
    pub positive_dict: bool,
    /// Non-negative codes.
    pub positive_code: bool,
}

impl BatchParams {
    /// scikit-learn's defaults with `n_atoms` atoms (but a start from
    /// random signals, [`Init::Data`], where scikit-learn takes an SVD).
    pub fn new(n_atoms: usize) -> Self {
        Self {
            n_atoms,
            alpha: 1.0,
            max_iter: 1000,
            tol: 1e-8,
            seed: 0,
            numpy_state: None,
            init: Init::Data,
            positive_dict: false,
            positive_code: false,
        }
    }

    /// The coder of [`Learn::fit`]: Lasso-LARS at `alpha`.
    pub fn encoder(&self) -> Encoder {
        Encoder::lasso_lars(self.alpha).positive(self.positive_code)
    }

    /// Checks every field.
    pub fn check(&self) -> Result<Valid<Self>> {
        check_atoms_alpha(self.n_atoms, self.alpha)?;
        // `max_iter = 0` is allowed, as scikit-learn allows it: the
        // dictionary is the start.
        if !(self.tol >= 0.0) {
            return Err(invalid("tol", "must be ≥ 0"));
        }
        Ok(Valid::new(self.clone()))
    }
}

impl Learn for Valid<BatchParams> {
    fn encoder(&self, _: usize) -> Encoder {
        BatchParams::encoder(self)
    }

    fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<Fit<T>> {
        Ok(self.fit_with_codes(x, encoder, observer)?.0)
    }
}

impl Valid<BatchParams> {
    /// [`Learn::fit_with`], and the codes of the last iteration (made
    /// before its atom update, as scikit-learn's `dict_learning` returns
    /// them; `None` without an iteration, or when every atom was zero).
    pub(crate) fn fit_with_codes<T: Real>(
        &self,
        x: MatRef<'_, T>,
        encoder: &dyn Encode<T>,
        observer: &mut dyn Observer,
    ) -> Result<(Fit<T>, Option<SparseCodes<T>>)> {
        let p = &**self;
        let rng = match &p.numpy_state {
            Some(numpy) => Generator::from(numpy.clone()),
            None => Generator::from(SplitMix(p.seed)),
        };
        let (data, mut rng, mut state) = start(x, &p.init, p.n_atoms, rng)?;
        let (nf, n) = (data.nf(), data.len());
        // The statistics read the signals as one column-major block.
        let all: Vec<T> = (0..n).flat_map(|s| data.col(s).iter().copied()).collect();
        let mut records: Vec<Record> = Vec::new();
        let mut stop = StopReason::MaxIter;
        let mut last = None;
        for it in 0..p.max_iter {
            let (stats, codes) = state.stats_and_codes(encoder, &all, p.alpha)?;
            last = codes;
            // scikit-learn's cost: the codes' cost over the updated atoms.
            let before = stats.half_residual_shift(&state.dict, nf);
            let replaced = state.apply_with_forgetting(&stats, 0.0, &all, p.positive_dict, &mut rng)?;
            let cost = stats.cost + stats.half_residual_shift(&state.dict, nf) - before;
            let previous = records.last().map(|r| r.objective);
            records.push(Record { objective: cost, mean_nnz: stats.nnz as f64 / n as f64, replaced });
            if observer.observe(&Progress { iteration: it + 1, total: Some(p.max_iter), objective: cost, smoothed: None }).is_break() {
                stop = StopReason::Observer;
                break;
            }
            // scikit-learn's rule: the decrease below `tol` times the cost
            // (an increase stops too).
            if previous.is_some_and(|a| a - cost < p.tol * cost) {
                stop = StopReason::Tol;
                break;
            }
        }
        let objective = records.last().map_or(f64::NAN, |r| r.objective);
        let fit = Fit {
            n_features: nf,
            n_atoms: p.n_atoms,
            dict: state.dict.clone(),
            state: Some(state),
            records,
            objective,
            stop,
            generator: p.numpy_state.is_some().then_some(rng),
        };
        Ok((fit, last))
    }
}
