//! The validated plan: an encoder's parameters and data checked once,
//! before any work, and its parameters in the scalar type.

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::{Real, kernels};

use crate::Dictionary;
use crate::algorithm::{Algorithm, LassoParams, ThresholdKind, default_n_nonzero};
use crate::error::{Error, Result, invalid};
use crate::iterative::{Iterative, LassoCfg};
use crate::lars::LarsMode;
use crate::omp::OmpRule;

/// Validated parameters in the scalar type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Plan<T> {
    Omp(OmpRule<T>),
    Lars(LarsMode<T>),
    Iterative(Iterative, LassoCfg<T>),
    Threshold { alpha: T, hard: bool, positive: bool },
}

/// Validates `algorithm`'s parameters and the data once, before any work.
pub(crate) fn plan<T: Real>(algorithm: &Algorithm, dict: &Dictionary<T>, x: MatRef<'_, T>, init: Option<MatRef<'_, T>>) -> Result<Plan<T>> {
    let (n_features, n_atoms) = (dict.n_features(), dict.n_atoms());
    if x.nrows() != n_features {
        return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: n_features, got: x.nrows() });
    }
    if let Some(init) = init {
        if init.nrows() != n_atoms {
            return Err(Error::DimensionMismatch { what: "warm start rows (n_atoms)", expected: n_atoms, got: init.nrows() });
        }
        if init.ncols() != x.ncols() {
            return Err(Error::DimensionMismatch { what: "warm start columns (n_samples)", expected: x.ncols(), got: init.ncols() });
        }
    }
    // One pass: ‖x‖² is finite exactly when every value is finite and their
    // squares do not overflow (‖x‖² enters every goal, gap and residual, so
    // an overflow is refused, not coded into zeros or NaN).
    let energy_finite = |s: usize| {
        let col = x.col(s);
        match col.try_as_col_major() {
            Some(c) => kernels::norm_sq(c.as_slice()).is_finite(),
            None => (0..n_features).fold(T::ZERO, |a, i| a + col[i] * col[i]).is_finite(),
        }
    };
    if let Some(sample) = (0..x.ncols()).into_par_iter().with_min_len(1024).find_first(|&s| !energy_finite(s)) {
        let col = x.col(sample);
        return Err(if (0..n_features).all(|i| col[i].is_finite()) {
            Error::SignalOverflow { sample }
        } else {
            Error::NonFiniteSignal { sample }
        });
    }
    params(algorithm, n_features, n_atoms, || dict.lipschitz())
}

/// Validates `algorithm`'s parameters for `n_atoms` atoms of `n_features`
/// entries (the data aside); `lipschitz` gives ISTA's and FISTA's step.
pub(crate) fn params<T: Real>(
    algorithm: &Algorithm,
    n_features: usize,
    n_atoms: usize,
    lipschitz: impl FnOnce() -> Result<T>,
) -> Result<Plan<T>> {
    let rank_cap = n_atoms.min(n_features);
    let nonneg = |name: &'static str, v: f64| -> Result<T> {
        if !(v >= 0.0) || !v.is_finite() {
            return Err(invalid(name, format!("must be finite and ≥ 0, got {v}")));
        }
        Ok(T::from_f64(v))
    };
    let count = |name: &'static str, k: usize| -> Result<usize> {
        if k == 0 || k > n_atoms {
            return Err(invalid(name, format!("must be between 1 and the number of atoms ({n_atoms}), got {k}")));
        }
        Ok(k)
    };
    let lasso = |p: &LassoParams| -> Result<LassoCfg<T>> {
        let alpha = nonneg("alpha", p.alpha)?;
        let l2 = nonneg("l2", p.l2)?;
        let tol = nonneg("tol", p.tol)?;
        // `max_iter = 0` is allowed, as scikit-learn allows it: no step is
        // taken, so the code is the start (zero, or the warm start).
        Ok(LassoCfg { alpha, positive: p.positive, l2, tol, max_iter: p.max_iter, lip: T::ZERO })
    };
    let plan = match algorithm {
        Algorithm::Omp { n_nonzero, tol, l0, max_nonzero, forward } => {
            let tol = tol.map(|t| nonneg("tol", t)).transpose()?;
            let penalty = l0.map(|a| nonneg("l0", a)).transpose()?;
            // Under a goal or a penalty, atoms are capped by `max_nonzero`
            // (default: the rank's bound); otherwise `n_nonzero` is the count.
            let max_k = if tol.is_some() || penalty.is_some() {
                match max_nonzero {
                    Some(m) => count("max_nonzero", *m)?.min(rank_cap),
                    None => rank_cap,
                }
            } else {
                count("n_nonzero", n_nonzero.unwrap_or(default_n_nonzero(n_features, n_atoms)))?.min(rank_cap)
            };
            Plan::Omp(OmpRule { max_k, tol, penalty, forward: *forward })
        }
        // As scikit-learn's `lars_path`, a count past the atoms is a number
        // of steps: sign-change steps add no atom, so the extra steps may
        // still move the codes.
        Algorithm::Lars { n_nonzero } => match n_nonzero.unwrap_or(default_n_nonzero(n_features, n_atoms)) {
            0 => return Err(invalid("n_nonzero", "must be at least 1, got 0")),
            k => Plan::Lars(LarsMode::Lar { k }),
        },
        Algorithm::LassoLars(p) => {
            let c = lasso(p)?;
            Plan::Lars(LarsMode::Lasso { alpha: c.alpha, positive: c.positive, l2: c.l2, max_iter: c.max_iter })
        }
        Algorithm::LassoGoal { tol, positive, max_iter } => {
            Plan::Lars(LarsMode::Goal { eps: nonneg("tol", *tol)?, positive: *positive, max_iter: *max_iter })
        }
        Algorithm::LassoBudget { budget, positive, l2, max_iter } => Plan::Lars(LarsMode::Budget {
            budget: nonneg("alpha", *budget)?,
            positive: *positive,
            l2: nonneg("l2", *l2)?,
            max_iter: *max_iter,
        }),
        Algorithm::LassoCd(p) => Plan::Iterative(Iterative::Cd, lasso(p)?),
        Algorithm::Ista(p) => Plan::Iterative(Iterative::Ista, LassoCfg { lip: lipschitz()?, ..lasso(p)? }),
        Algorithm::Fista(p) => Plan::Iterative(Iterative::Fista, LassoCfg { lip: lipschitz()?, ..lasso(p)? }),
        Algorithm::Threshold { alpha, kind, positive } => {
            Plan::Threshold { alpha: nonneg("alpha", *alpha)?, hard: *kind == ThresholdKind::Hard, positive: *positive }
        }
    };
    Ok(plan)
}
