//! Batch-OMP (Rubinstein, Zibulevsky & Elad 2008, "Efficient implementation
//! of the K-SVD algorithm using batch orthogonal matching pursuit"), in its
//! progressive-Cholesky form.
//!
//! Works from `b = Dᵀx` and the Gram matrix only. With `L Lᵀ = G_II`, keep
//! `P = G_{·I} L⁻ᵀ` (the correlations of every atom with the orthonormalised
//! chosen atoms) and `z = L⁻¹ b_I`. Adding atom `j`:
//! - the new row of `L` is `w = P[j, ·]` (no triangular solve), with
//!   diagonal `ℓ = sqrt(g_jj − ‖w‖²)`;
//! - `z_k = (b_j − w·z)/ℓ`, and the new column `p_k = (G_{·j} − P w)/ℓ`;
//! - the correlations `α = b − G_I γ = b − P z` drop by `z_k p_k`, and the
//!   squared residual `‖x‖² − ‖z‖²` by `z_k²` (the paper's ε recursion).
//!
//! The coefficients are `γ = L⁻ᵀ z`, solved once at the end. `P` has a
//! column per chosen atom and stays in L1 cache, so each step reads one
//! Gram column. Stops as scikit-learn's `orthogonal_mp_gram` does: on the
//! atom budget (or the squared-residual goal `tol` when given), on an atom
//! selected twice, on a correlation below machine epsilon, or on a
//! dependent atom.

use sc_linalg::{Real, kernels};

use crate::Dictionary;
use crate::workspace::{CodeSink, Workspace};

/// Where OMP reads the Gram matrix's columns: the dictionary's precomputed
/// Gram matrix, or columns made on demand (masked coding, whose Gram matrix
/// differs from signal to signal and is needed only at the chosen atoms).
pub(crate) trait GramColumns<T> {
    /// Column `j` of the Gram matrix (n_atoms).
    fn column(&mut self, j: usize) -> &[T];
}

impl<T: Real> GramColumns<T> for &Dictionary<T> {
    #[inline(always)]
    fn column(&mut self, j: usize) -> &[T] {
        self.gram_col(j)
    }
}

/// Codes one signal. `max_k ≤ min(n_atoms, n_features)`. Under a goal
/// `tol`, the encoder never calls this for a signal with `‖x‖² ≤ tol` (it
/// skips those before computing `Dᵀx`; their code is empty).
///
/// Returns false when it stopped short of `max_k` atoms (or, under a goal,
/// of the goal) because the best remaining atom is already chosen, barely
/// correlates, or depends linearly on the chosen ones: scikit-learn's
/// "ended prematurely" case, which it warns about.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn omp_one<T: Real, G: GramColumns<T>>(
    n: usize,
    grams: &mut G,
    b: &[T],
    xnorm2: T,
    max_k: usize,
    tol: Option<T>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) -> bool {
    let eps = T::EPSILON;
    let Workspace { corr, active, gamma: z, gcol: w, chol, proj, iota, .. } = ws;
    let mut complete = false;
    active.clear();
    chol.clear();
    corr.copy_from_slice(b);
    let mut err = xnorm2;
    while active.len() < max_k {
        let Some(j) = kernels::argmax_abs(corr) else {
            complete = true;
            break;
        };
        let cj = corr[j];
        if cj * cj < eps || active.contains(&j) {
            break;
        }
        let k = active.len();
        for (i, wi) in w[..k].iter_mut().enumerate() {
            *wi = proj[i * n + j];
        }
        let gj = grams.column(j);
        let Ok(ell) = chol.push_solved(&w[..k], gj[j], eps) else { break };
        let inv = T::ONE / ell;
        let zk = (b[j] - kernels::dot(&w[..k], &z[..k])) * inv;
        z[k] = zk;
        active.push(j);
        err -= zk * zk;
        // The last atom needs no new column and no new correlations.
        if active.len() == max_k || tol.is_some_and(|tol| err.abs() <= tol) {
            complete = true;
            break;
        }
        let (prev, rest) = proj.split_at_mut(k * n);
        let pk = &mut rest[..n];
        kernels::sub_combination(gj, prev, n, &iota[..k], &w[..k], pk);
        for (p, c) in pk.iter_mut().zip(corr.iter_mut()) {
            *p *= inv;
            *c -= zk * *p;
        }
    }
    let k = active.len();
    chol.backward_solve(&mut z[..k]);
    out.push_unsorted(active, &z[..k]);
    // `max_k = 0` asks for nothing: complete.
    complete || max_k == 0
}
