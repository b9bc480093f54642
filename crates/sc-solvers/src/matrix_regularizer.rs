//! SPAMS's regularisers of a whole coefficient matrix `W` (p × n, a column
//! per task or signal) and their proximal operators,
//! `argmin_V ½‖U − V‖²_F + ψ(V)` (SPAMS's `proximalFlat` and `fistaFlat`
//! with `l1l2`, `l1linf`, `l1l2+l1`, `l1linf+l1`, `trace-norm`, `rank`),
//! and the two that reshape each column into a matrix (`trace-norm-vec`,
//! `rank-vec`). Each prox is exact:
//! - the row norms (`Σᵢ ‖Wᵢ·‖₂` or `‖Wᵢ·‖∞`, rows shared across the
//!   columns: the multi-task group Lasso), with an ℓ1 term soft-thresholded
//!   first, are a group Lasso over the rows ([`crate::regularizer`]'s
//!   operators row by row);
//! - the trace norm `Σ σᵢ(W)` shrinks the singular values by `λ`; the rank
//!   `λ·rank(W)` keeps the singular values above `√(2λ)` (the exact prox:
//!   keeping `σ` saves `σ²/2` of the distance for `λ`; SPAMS's `rank-vec`
//!   thresholds lower, at about `λ`, which is not the minimiser).
//!
//! With `v ≥ 0`, the row regularisers take the prox at `max(U, 0)`, as the
//! flat ones do; the spectral ones have no closed form under the sign
//! constraint and refuse it.

use faer::{Mat, MatMut, MatRef};
use sc_linalg::Real;

use crate::error::{Result, invalid};
use crate::prox::soft_threshold;
use crate::regularizer::{block_soft, linf_prox};

/// A matrix regulariser's name: SPAMS's spellings, read with `-` or `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MatrixRegularizerName {
    /// `λ Σᵢ ‖Wᵢ·‖₂` over the rows.
    L1L2,
    /// `λ Σᵢ ‖Wᵢ·‖∞` over the rows.
    L1Linf,
    /// `λ Σᵢ ‖Wᵢ·‖₂ + l1‖W‖₁`.
    L1L2L1,
    /// `λ Σᵢ ‖Wᵢ·‖∞ + l1‖W‖₁`.
    L1LinfL1,
    /// `λ Σ σᵢ(W)`.
    TraceNorm,
    /// `λ rank(W)`.
    Rank,
    /// The trace norm of each column reshaped (column-major) into a matrix
    /// of `rows` rows.
    TraceNormVec,
    /// The rank of each column so reshaped.
    RankVec,
}

sc_linalg::named_enum!(MatrixRegularizerName, "matrix regularizer", {
    L1L2 => "l1l2",
    L1Linf => "l1linf",
    L1L2L1 => "l1l2+l1",
    L1LinfL1 => "l1linf+l1",
    TraceNorm => "trace_norm",
    Rank => "rank",
    TraceNormVec => "trace_norm_vec",
    RankVec => "rank_vec",
});

/// A matrix regulariser and its weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MatrixRegularizer<T> {
    /// Which one.
    pub name: MatrixRegularizerName,
    /// The main weight `λ` (SPAMS's `lambda1`).
    pub lambda: T,
    /// The ℓ1 weight of `l1l2+l1` and `l1linf+l1` (SPAMS's `lambda2`).
    pub l1: T,
    /// The rows of each column's matrix (`trace-norm-vec`, `rank-vec`:
    /// SPAMS's `size_group`).
    pub rows: usize,
}

impl<T: Real> MatrixRegularizer<T> {
    /// `name` with SPAMS's weights and `size_group` (read by the `-vec`
    /// ones only).
    pub fn new(name: MatrixRegularizerName, lambda1: T, lambda2: T, size_group: usize) -> Self {
        Self { name, lambda: lambda1, l1: lambda2, rows: size_group }
    }

    /// The same regulariser with its weights times `s` (for a prox at step `s`).
    pub fn scaled(&self, s: T) -> Self {
        Self { lambda: self.lambda * s, l1: self.l1 * s, ..*self }
    }

    /// Refuses negative or non-finite weights, and the sign constraint
    /// where the prox has no closed form under it.
    pub fn check(&self, positive: bool) -> Result<()> {
        for (name, w) in [("lambda1", self.lambda), ("lambda2", self.l1)] {
            if !(w >= T::ZERO) || !w.is_finite() {
                return Err(invalid(name, format!("must be finite and ≥ 0, got {}", w.to_f64())));
            }
        }
        if positive && self.spectral() {
            return Err(invalid("pos", format!("the {} regulariser has no closed-form prox under v ≥ 0", self.name)));
        }
        if self.per_column() && self.rows == 0 {
            return Err(invalid("size_group", "must be at least 1 (the rows of each column's matrix)"));
        }
        Ok(())
    }

    fn spectral(&self) -> bool {
        use MatrixRegularizerName::*;
        matches!(self.name, TraceNorm | Rank | TraceNormVec | RankVec)
    }

    fn per_column(&self) -> bool {
        matches!(self.name, MatrixRegularizerName::TraceNormVec | MatrixRegularizerName::RankVec)
    }

    /// The prox at `u` in place (every row regularised; see
    /// [`prox_matrix`] for an intercept).
    pub fn prox(&self, mut u: MatMut<'_, T>, positive: bool) -> Result<()> {
        self.check(positive)?;
        let (p, n) = (u.nrows(), u.ncols());
        if positive {
            for j in 0..n {
                for i in 0..p {
                    u[(i, j)] = u[(i, j)].max(T::ZERO);
                }
            }
        }
        use MatrixRegularizerName::*;
        match self.name {
            L1L2 | L1Linf | L1L2L1 | L1LinfL1 => {
                let (mut row, mut copy, mut sort) = (vec![T::ZERO; n], Vec::new(), Vec::new());
                for i in 0..p {
                    row.iter_mut().enumerate().for_each(|(j, r)| *r = u[(i, j)]);
                    if matches!(self.name, L1L2L1 | L1LinfL1) {
                        soft_threshold(&mut row, self.l1);
                    }
                    if matches!(self.name, L1L2 | L1L2L1) {
                        block_soft(&mut row, self.lambda);
                    } else {
                        linf_prox(&mut row, self.lambda, &mut copy, &mut sort);
                    }
                    row.iter().enumerate().for_each(|(j, &r)| u[(i, j)] = r);
                }
            }
            TraceNorm | Rank => spectral_prox(u, self.lambda, self.name == Rank),
            TraceNormVec | RankVec => {
                let rows = self.rows;
                if p % rows != 0 {
                    return Err(invalid("size_group", format!("must divide the {p} rows regularised, got {rows}")));
                }
                let mut m = Mat::<T>::zeros(rows, p / rows);
                for j in 0..n {
                    for i in 0..p {
                        m[(i % rows, i / rows)] = u[(i, j)];
                    }
                    spectral_prox(m.as_mut(), self.lambda, self.name == RankVec);
                    for i in 0..p {
                        u[(i, j)] = m[(i % rows, i / rows)];
                    }
                }
            }
        }
        Ok(())
    }

    /// `ψ(W)` for each column (the `-vec` ones) or for the whole matrix (one value).
    pub fn value(&self, w: MatRef<'_, T>) -> Vec<T> {
        let (p, n) = (w.nrows(), w.ncols());
        // Σᵢ ‖Wᵢ·‖₂ or Σᵢ ‖Wᵢ·‖∞.
        let rows = |linf: bool| {
            (0..p).fold(T::ZERO, |a, i| {
                let r = (0..n).fold(T::ZERO, |m, j| if linf { m.max(w[(i, j)].abs()) } else { m + w[(i, j)] * w[(i, j)] });
                a + if linf { r } else { r.sqrt() }
            })
        };
        let l1 = || (0..n).fold(T::ZERO, |a, j| a + (0..p).fold(T::ZERO, |b, i| b + w[(i, j)].abs()));
        use MatrixRegularizerName::*;
        match self.name {
            L1L2 => vec![self.lambda * rows(false)],
            L1Linf => vec![self.lambda * rows(true)],
            L1L2L1 => vec![self.lambda * rows(false) + self.l1 * l1()],
            L1LinfL1 => vec![self.lambda * rows(true) + self.l1 * l1()],
            TraceNorm | Rank => vec![self.lambda * spectral_value(w, self.name == Rank)],
            TraceNormVec | RankVec => (0..n)
                .map(|j| {
                    let rows = self.rows.max(1);
                    let m = Mat::<T>::from_fn(rows, p / rows, |r, c| w[(c * rows + r, j)]);
                    self.lambda * spectral_value(m.as_ref(), self.name == RankVec)
                })
                .collect(),
        }
    }
}

/// The singular values of `m` (computed in f64), largest first.
fn singular_values<T: Real>(m: MatRef<'_, T>) -> Option<(Mat<f64>, Vec<f64>, Mat<f64>)> {
    let x = Mat::<f64>::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)].to_f64());
    let svd = x.thin_svd().ok()?;
    let k = m.nrows().min(m.ncols());
    let s: Vec<f64> = (0..k).map(|i| svd.S()[i]).collect();
    Some((svd.U().to_owned(), s, svd.V().to_owned()))
}

/// The trace norm's prox (singular values shrunk by `lambda`) or the
/// rank's (those at most `√(2·lambda)` dropped), in place.
fn spectral_prox<T: Real>(mut m: MatMut<'_, T>, lambda: T, rank: bool) {
    let Some((u, s, v)) = singular_values(m.as_ref()) else { return };
    let (lambda, cut) = (lambda.to_f64(), (2.0 * lambda.to_f64()).sqrt());
    let kept: Vec<f64> = s.iter().map(|&x| if rank { if x > cut { x } else { 0.0 } } else { (x - lambda).max(0.0) }).collect();
    for j in 0..m.ncols() {
        for i in 0..m.nrows() {
            m[(i, j)] = T::from_f64(kept.iter().enumerate().fold(0.0, |a, (t, &w)| a + u[(i, t)] * w * v[(j, t)]));
        }
    }
}

/// The trace norm of `m`, or its rank (singular values above a relative 1e-12).
fn spectral_value<T: Real>(m: MatRef<'_, T>, rank: bool) -> T {
    let Some((_, s, _)) = singular_values(m) else { return T::ZERO };
    let top = s.first().copied().unwrap_or(0.0);
    T::from_f64(if rank { s.iter().filter(|&&x| x > 1e-12 * top && x > 0.0).count() as f64 } else { s.iter().sum() })
}

/// Applies `regularizer`'s prox to `u` (p × n) in place, its last row left
/// as it is with `intercept` (SPAMS's `proximalFlat` with a matrix
/// regulariser).
pub fn prox_matrix<T: Real>(u: MatMut<'_, T>, regularizer: &MatrixRegularizer<T>, positive: bool, intercept: bool) -> Result<()> {
    let free = if intercept { u.nrows().saturating_sub(1) } else { u.nrows() };
    regularizer.prox(u.subrows_mut(0, free), positive)
}
