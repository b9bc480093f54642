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
//!
//! Forward selection (order-recursive matching pursuit, SPAMS's `omp`)
//! differs only in the choice: the atom maximising `(dⱼᵀr)² / ‖dⱼ − P dⱼ‖²`,
//! the drop of the squared residual it would bring, where
//! `‖dⱼ − P dⱼ‖² = g_jj − Σ_k P[j, k]²` is kept up to date from the same
//! columns of `P`.

use sc_linalg::{Real, kernels};

use crate::Dictionary;
use crate::workspace::{CodeSink, Workspace};

/// Where OMP reads the Gram matrix's columns: the dictionary's precomputed
/// Gram matrix, or columns made on demand (masked coding, whose Gram matrix
/// differs from signal to signal and is needed only at the chosen atoms).
pub(crate) trait GramColumns<T: Copy> {
    /// Column `j` of the Gram matrix (n_atoms).
    fn column(&mut self, j: usize) -> &[T];
    /// The Gram matrix's diagonal entry `j`, `‖dⱼ‖²` (forward selection
    /// reads all of them).
    fn diagonal(&mut self, j: usize) -> T {
        self.column(j)[j]
    }
    /// `out = Σᵢ coef[i]·G[·, idx[i]]` (the homotopy's direction).
    fn combination(&mut self, idx: &[usize], coef: &[T], out: &mut [T]);
    /// Atom `j` left the active set: its column may be forgotten.
    fn release(&mut self, _j: usize) {}
}

impl<T: Real> GramColumns<T> for &Dictionary<T> {
    #[inline(always)]
    fn column(&mut self, j: usize) -> &[T] {
        self.gram_col(j)
    }

    #[inline(always)]
    fn combination(&mut self, idx: &[usize], coef: &[T], out: &mut [T]) {
        kernels::combination(self.gram(), self.n_atoms(), idx, coef, out)
    }
}

/// When OMP stops, besides a dependent or barely correlated atom.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct OmpRule<T> {
    /// At most this many atoms (`≤ min(n_atoms, n_features)`).
    pub max_k: usize,
    /// Stop once `‖x − Dc‖² ≤ tol`.
    pub tol: Option<T>,
    /// The ℓ0 penalty `λ` of `½‖x − Dc‖² + λ‖c‖₀`: stop before an atom
    /// that would lower `½‖x − Dc‖²` by at most `λ` (SPAMS's `omp` with
    /// `lambda1`).
    pub penalty: Option<T>,
    /// Forward selection (see the module's text).
    pub forward: bool,
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
    rule: OmpRule<T>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) -> bool {
    let OmpRule { max_k, tol, penalty, forward } = rule;
    // Twice the penalty: the least drop of ‖x − Dc‖² an atom must bring.
    let least_drop = penalty.map(|l| l + l);
    let eps = T::EPSILON;
    // `c_prev` (FISTA's) holds forward selection's gains.
    let Workspace { corr, active, gamma: z, gcol: w, chol, proj, iota, c: diag, beta: left, c_prev: gain, .. } = ws;
    let mut complete = false;
    active.clear();
    chol.clear();
    corr.copy_from_slice(b);
    if forward {
        // ‖dⱼ‖², and ‖dⱼ − P dⱼ‖², the part of each atom the chosen ones
        // do not explain (it loses p_k[j]² with each chosen atom).
        for j in 0..n {
            diag[j] = grams.diagonal(j);
        }
        left[..n].copy_from_slice(&diag[..n]);
    }
    let mut err = xnorm2;
    // The largest |correlation|, when the last update found it.
    let mut top = None;
    while active.len() < max_k {
        let pick = match (forward, top) {
            (true, _) => forward_pick(corr, &left[..n], &diag[..n], &mut gain[..n]),
            (false, Some(m)) => kernels::first_abs_equal(corr, m),
            (false, None) => kernels::argmax_abs(corr),
        };
        let Some(j) = pick else {
            complete = true;
            break;
        };
        let cj = corr[j];
        if cj * cj < eps || active.contains(&j) {
            break;
        }
        // Forward selection knows the drop before adding the atom.
        if forward && least_drop.is_some_and(|d| cj * cj / left[j] <= d) {
            complete = true;
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
        // Correlation order learns the drop, `z_k²`, once the atom is in.
        if !forward && least_drop.is_some_and(|d| zk * zk <= d) {
            chol.remove(k);
            complete = true;
            break;
        }
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
        // `p_k ← p_k / ℓ`, `α ← α − z_k p_k`, and the next choice's maximum.
        top = Some(kernels::scale_update_max_abs(pk, inv, zk, corr));
        if forward {
            for (r, &p) in left[..n].iter_mut().zip(pk.iter()) {
                *r -= p * p;
            }
        }
    }
    let k = active.len();
    chol.backward_solve(&mut z[..k]);
    out.push_unsorted(active, &z[..k]);
    // `max_k = 0` asks for nothing: complete.
    complete || max_k == 0
}

/// Forward selection's choice: the atom maximising `corrⱼ² / restⱼ`, the
/// drop of the squared residual were it added, among the atoms the chosen
/// ones leave more than rounding of (`restⱼ > √ε·‖dⱼ‖²`); the first of
/// equals. `None` when no atom is left. In two passes that vectorise: every
/// gain into `gain` (−1 for an atom left out), then its first maximum.
#[inline(always)]
fn forward_pick<T: Real>(corr: &[T], rest: &[T], diag: &[T], gain: &mut [T]) -> Option<usize> {
    let floor = T::EPSILON.sqrt();
    for (((g, &c), &r), &d) in gain.iter_mut().zip(corr).zip(rest).zip(diag) {
        *g = if r > floor * d { c * c / r } else { -T::ONE };
    }
    kernels::argmax(gain).filter(|&j| gain[j] >= T::ZERO)
}

#[cfg(test)]
mod tests {
    use crate::{Dictionary, Encoder};
    use faer::Mat;

    /// The squared residual of `x` projected on the atoms `s` (modified
    /// Gram-Schmidt).
    fn residual(d: &Mat<f64>, x: &[f64], s: &[usize]) -> f64 {
        let mut basis: Vec<Vec<f64>> = Vec::new();
        for &j in s {
            let mut v: Vec<f64> = (0..d.nrows()).map(|i| d[(i, j)]).collect();
            for q in &basis {
                let dot: f64 = v.iter().zip(q).map(|(a, b)| a * b).sum();
                v.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
            }
            let norm = v.iter().map(|a| a * a).sum::<f64>().sqrt();
            basis.push(v.into_iter().map(|a| a / norm).collect());
        }
        let mut r = x.to_vec();
        for q in &basis {
            let dot: f64 = r.iter().zip(q).map(|(a, b)| a * b).sum();
            r.iter_mut().zip(q).for_each(|(a, b)| *a -= dot * b);
        }
        r.iter().map(|a| a * a).sum()
    }

    /// Forward selection adds, at each step, the atom whose addition leaves
    /// the smallest residual (checked against every candidate), and the
    /// final code is the least-squares fit on the chosen atoms.
    #[test]
    fn forward_selection_adds_the_atom_that_most_reduces_the_residual() {
        let (nf, k, steps) = (10, 24, 5);
        let mut d = Mat::<f64>::from_fn(nf, k, |i, j| (((i * k + j) * 7919 % 211) as f64 / 105.0 - 1.0).powi(3));
        for j in 0..k {
            let n = (0..nf).map(|i| d[(i, j)] * d[(i, j)]).sum::<f64>().sqrt();
            (0..nf).for_each(|i| d[(i, j)] /= n);
        }
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for seed in 0..8 {
            let x: Vec<f64> = (0..nf).map(|i| ((i + 13 * seed) * 4099 % 97) as f64 / 48.0 - 1.0).collect();
            let mut chosen: Vec<usize> = Vec::new();
            for step in 1..=steps {
                let codes = Encoder::omp(step).forward_selection().encode(&dict, Mat::from_fn(nf, 1, |i, _| x[i]).as_ref()).unwrap();
                let (idx, _) = codes.code(0);
                let support: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
                let new: Vec<usize> = support.iter().copied().filter(|j| !chosen.contains(j)).collect();
                assert_eq!(new.len(), 1, "step {step} adds one atom to the last step's");
                let best = (0..k)
                    .filter(|j| !chosen.contains(j))
                    .map(|j| residual(&d, &x, &[chosen.clone(), vec![j]].concat()))
                    .fold(f64::INFINITY, f64::min);
                assert!(residual(&d, &x, &support) <= best + 1e-12);
                chosen = support;
            }
        }
    }
}
