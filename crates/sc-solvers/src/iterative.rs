//! Iterative Lasso solvers (coordinate descent, ISTA, FISTA) and
//! thresholding, all in Gram form with `q = b − G'c` kept up to date.
//!
//! - Coordinate descent: cyclic exact minimisation in each coordinate
//!   (Friedman, Hastie & Tibshirani 2010), `q` updated by a Gram column when a
//!   coefficient moves.
//! - ISTA: `c ← S(c + q/L, α/L)` with `L = ‖D‖₂² + λ₂` (Daubechies, Defrise &
//!   De Mol 2004).
//! - FISTA: the same step from the extrapolated point
//!   `y = cₖ + ((tₖ − 1)/tₖ₊₁)(cₖ − cₖ₋₁)` (Beck & Teboulle 2009, eq. 4.1–4.3);
//!   `q` is linear in `c`, so `q(y)` is the same combination of `q(cₖ)` and
//!   `q(cₖ₋₁)`.
//!
//! All stop when the duality gap of [`crate::objective`] falls below
//! `tol·‖x‖²`, or after `max_iter` passes.

use sc_linalg::Real;
use sc_linalg::kernels::{self, soft_threshold};

use crate::Dictionary;
use crate::objective::primal_and_gap;
use crate::workspace::{CodeSink, Workspace};

/// Parameters of the iterative Lasso solvers, in the signal's scalar type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LassoCfg<T> {
    pub alpha: T,
    pub positive: bool,
    pub l2: T,
    pub tol: T,
    pub max_iter: usize,
    /// `‖D‖₂²` (ISTA and FISTA only; 0 otherwise).
    pub lip: T,
}

/// Which iterative method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Iterative {
    Cd,
    Ista,
    Fista,
}

/// `q = b − (G + λ₂I)c`, using only the non-zero entries of `c`.
#[inline(always)]
fn residual_correlations<T: Real>(dict: &Dictionary<T>, b: &[T], c: &[T], l2: T, q: &mut [T]) {
    q.copy_from_slice(b);
    for (j, &cj) in c.iter().enumerate() {
        if cj != T::ZERO {
            kernels::axpy(-cj, dict.gram_col(j), q);
            q[j] -= l2 * cj;
        }
    }
}

/// Codes one signal; `init` is a warm start (dense, n_atoms) or zeros.
#[inline(always)]
pub(crate) fn iterative_one<T: Real>(
    dict: &Dictionary<T>,
    b: &[T],
    xnorm2: T,
    init: Option<&[T]>,
    method: Iterative,
    p: LassoCfg<T>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) {
    let Workspace { corr: q, beta: q_prev, c, c_prev, .. } = ws;
    match init {
        Some(init) => {
            for (cj, &v) in c.iter_mut().zip(init) {
                // A warm start that violates `positive` is projected.
                *cj = if p.positive && v < T::ZERO { T::ZERO } else { v };
            }
        }
        None => c.fill(T::ZERO),
    }
    residual_correlations(dict, b, c, p.l2, q);
    // Below a few ulps of ‖x‖² the gap is rounding noise (f32 above all).
    let tol_abs = p.tol.max(T::from_f64(10.0) * T::EPSILON) * xnorm2;
    let lip = p.lip + p.l2;
    let inv_l = T::ONE / lip;
    let thr = p.alpha * inv_l;
    let mut t_k = T::ONE;
    if method == Iterative::Fista {
        c_prev.copy_from_slice(c);
        q_prev.copy_from_slice(q);
    }
    for _ in 0..p.max_iter {
        let (_, gap) = primal_and_gap(c, q, b, xnorm2, p.alpha, p.positive);
        if gap <= tol_abs {
            break;
        }
        match method {
            Iterative::Cd => {
                let gram = dict.gram();
                let n = c.len();
                for j in 0..n {
                    let gj = &gram[j * n..(j + 1) * n];
                    let gjj = gj[j] + p.l2;
                    let cj = c[j];
                    let new = soft_threshold(q[j] + gjj * cj, p.alpha, p.positive) / gjj;
                    if new != cj {
                        let d = new - cj;
                        kernels::axpy(-d, gj, q);
                        q[j] -= p.l2 * d;
                        c[j] = new;
                    }
                }
            }
            Iterative::Ista => {
                for (cj, &qj) in c.iter_mut().zip(q.iter()) {
                    *cj = soft_threshold(*cj + qj * inv_l, thr, p.positive);
                }
                residual_correlations(dict, b, c, p.l2, q);
            }
            Iterative::Fista => {
                let t_next = (T::ONE + (T::ONE + T::from_f64(4.0) * t_k * t_k).sqrt()) * T::from_f64(0.5);
                let m = (t_k - T::ONE) / t_next;
                t_k = t_next;
                // New iterate into c_prev's slot, then swap.
                for j in 0..c.len() {
                    let y = c[j] + m * (c[j] - c_prev[j]);
                    let qy = q[j] + m * (q[j] - q_prev[j]);
                    c_prev[j] = soft_threshold(y + qy * inv_l, thr, p.positive);
                }
                core::mem::swap(c, c_prev);
                core::mem::swap(q, q_prev);
                residual_correlations(dict, b, c, p.l2, q);
            }
        }
    }
    out.push_dense(c);
}

/// Soft or hard thresholding of `b = Dᵀx`.
#[inline(always)]
pub(crate) fn threshold_one<T: Real>(b: &[T], alpha: T, hard: bool, positive: bool, out: &mut CodeSink<'_, T>) {
    for (j, &v) in b.iter().enumerate() {
        let c = if hard {
            let keep = if positive { v > alpha } else { v.abs() > alpha };
            if keep { v } else { T::ZERO }
        } else {
            soft_threshold(v, alpha, positive)
        };
        if c != T::ZERO {
            out.indices.push(j as u32);
            out.values.push(c);
        }
    }
}
