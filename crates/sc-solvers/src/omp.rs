//! Batch-OMP (Rubinstein, Zibulevsky & Elad 2008, "Efficient implementation
//! of the K-SVD algorithm using batch orthogonal matching pursuit", alg. 3).
//!
//! Works from `b = Dᵀx` and the Gram matrix only: the correlations are
//! `α = b − G_I γ` and the squared residual follows the recursion
//! `εₖ = εₖ₋₁ − δₖ + δₖ₋₁` with `δₖ = γᵀ(G_I γ)_I`, so the signal itself is
//! never touched. The Cholesky factor of `G_II` grows one atom at a time.
//! Stops as scikit-learn's `orthogonal_mp_gram` does: on the atom budget (or
//! the squared-residual goal `tol` when given), on an atom selected twice,
//! on a correlation below machine epsilon, or on a dependent atom.

use sc_linalg::{kernels, Real};

use crate::workspace::{CodeSink, Workspace};
use crate::Dictionary;

/// Codes one signal. `max_k ≤ min(n_atoms, n_features)`.
#[inline(always)]
pub(crate) fn omp_one<T: Real>(
    dict: &Dictionary<T>,
    b: &[T],
    xnorm2: T,
    max_k: usize,
    tol: Option<T>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) {
    let n = dict.n_atoms();
    let gram = dict.gram();
    let eps = T::EPSILON;
    let Workspace { corr, beta, active, gamma, gcol, chol, .. } = ws;
    active.clear();
    chol.clear();
    if let Some(tol) = tol {
        if xnorm2 <= tol {
            return;
        }
    }
    corr.copy_from_slice(b);
    let mut err = xnorm2;
    let mut delta_prev = T::ZERO;
    while active.len() < max_k {
        let Some(j) = kernels::argmax_abs(corr) else { break };
        let cj = corr[j];
        if cj * cj < eps || active.contains(&j) {
            break;
        }
        let k = active.len();
        let gj = &gram[j * n..(j + 1) * n];
        for (i, &a) in active.iter().enumerate() {
            gcol[i] = gj[a];
        }
        if chol.push_with_threshold(&gcol[..k], gj[j], eps).is_err() {
            break;
        }
        active.push(j);
        let k = k + 1;
        for (g, &a) in gamma[..k].iter_mut().zip(active.iter()) {
            *g = b[a];
        }
        chol.solve_in_place(&mut gamma[..k]);
        // corr = b − G_I γ
        kernels::sub_combination(b, gram, n, active, &gamma[..k], corr);
        if let Some(tol) = tol {
            // δ = γᵀ (G_I γ)_I = γᵀ (b − corr)_I
            let mut delta = T::ZERO;
            for (&g, &a) in gamma[..k].iter().zip(active.iter()) {
                delta += g * (b[a] - corr[a]);
            }
            err = err - delta + delta_prev;
            delta_prev = delta;
            if err.abs() <= tol {
                break;
            }
        }
    }
    let _ = beta;
    out.push_unsorted(active, &gamma[..active.len()]);
}
