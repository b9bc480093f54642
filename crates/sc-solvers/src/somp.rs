//! Simultaneous OMP ([`Somp`]): the signals of a group share one support
//! (SPAMS's `somp`; Tropp, Gilbert & Strauss, "Algorithms for simultaneous
//! sparse approximation", 2006), as non-local sparse models code a patch
//! together with its similar patches (Mairal et al., LSSC, ICCV 2009).
//!
//! For a group `X_g` of `m` signals, atoms are added one at a time, each the
//! one whose joint least-squares fit lowers the group's squared residual
//! `‖X_g − D Γ‖²_F` the most (SPAMS's order-recursive rule: the score of
//! atom `j` is `‖Rᵀ d_j‖² / ‖d_j − P_I d_j‖²`, with `R` the residual and
//! `P_I` the projection on the chosen atoms), until `max_atoms` atoms or
//! until the residual is at most `m · tol`. With one signal per group this
//! is order-recursive matching pursuit (SPAMS's `omp`).
//!
//! Works from `B = Dᵀ X_g` and the Gram matrix, as Batch-OMP does, with the
//! progressive Cholesky factor `L Lᵀ = G_II`, `P = G_{·I} L⁻ᵀ`, and
//! `Z = L⁻¹ B_I` (one column per signal); the coefficients are `L⁻ᵀ Z`.

use faer::{MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{IncrementalCholesky, Real, dtx_into};

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};

/// Simultaneous OMP's parameters.
///
/// ```
/// use faer::Mat;
/// use sc_solvers::{Dictionary, Somp};
///
/// let d = Mat::<f64>::from_fn(6, 10, |i, j| ((i * 10 + j) as f64 * 0.9).sin());
/// let dict = Dictionary::new(d.as_ref()).unwrap();
/// // Two groups: signals 0–2 (multiples of atoms 2 and 5) and signal 3.
/// let x = Mat::<f64>::from_fn(6, 4, |i, s| (s + 1) as f64 * d[(i, 2)] - d[(i, 5)] + (s == 3) as u8 as f64 * d[(i, 7)]);
/// let codes = Somp::new(2).encode(&dict, x.as_ref(), &[0, 3]).unwrap();
/// for s in 0..3 {
///     assert_eq!(codes.code(s).0, &[2, 5]);
/// }
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Somp {
    /// Atoms per group at most.
    pub max_atoms: usize,
    /// Squared-residual goal per signal: a group of `m` signals stops when
    /// `‖X_g − D Γ‖²_F ≤ m · tol` (SPAMS's `eps`); `None`: `max_atoms` atoms.
    pub tol: Option<f64>,
}

impl Somp {
    /// `max_atoms` atoms per group, no goal.
    pub fn new(max_atoms: usize) -> Self {
        Self { max_atoms, tol: None }
    }

    /// Codes the columns of `x` (n_features × n_samples) in groups: group
    /// `g` holds the signals `starts[g]..starts[g + 1]` (the last one runs to
    /// the end; `starts[0] = 0`, increasing, SPAMS's `list_groups`). Every
    /// signal of a group gets the group's support. Groups are coded in
    /// parallel; the codes do not depend on the thread count.
    pub fn encode<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, starts: &[usize]) -> Result<SparseCodes<T>> {
        let (nf, n) = (dict.n_features(), dict.n_atoms());
        if x.nrows() != nf {
            return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: nf, got: x.nrows() });
        }
        if self.max_atoms == 0 {
            return Err(invalid("max_atoms", "must be at least 1"));
        }
        let tol = match self.tol {
            Some(t) if !(t >= 0.0 && t.is_finite()) => return Err(invalid("tol", format!("must be finite and ≥ 0, got {t}"))),
            t => t.map(T::from_f64),
        };
        let cap = self.max_atoms.min(n).min(nf);
        let bounds = group_bounds(x, starts)?;
        let groups: Vec<(Vec<u32>, Vec<T>)> = bounds
            .par_iter()
            .map(|&(a, b)| {
                let xg = x.subcols(a, b - a);
                let mut codes = (Vec::new(), Vec::new());
                somp_group(dict, xg, cap, tol, &mut codes);
                codes
            })
            .collect();
        assemble(n, &bounds, groups)
    }
}

/// The signal ranges of the groups that begin at `starts` (checked: from 0,
/// increasing, below the number of signals), after checking that every
/// signal is finite.
pub(crate) fn group_bounds<T: Real>(x: MatRef<'_, T>, starts: &[usize]) -> Result<Vec<(usize, usize)>> {
    let (nf, ns) = (x.nrows(), x.ncols());
    if ns > 0 && (starts.first() != Some(&0) || starts.windows(2).any(|w| w[1] <= w[0]) || starts.last().is_some_and(|&l| l >= ns)) {
        return Err(invalid("groups", "group starts must begin at 0, increase, and lie below the number of signals"));
    }
    if let Some(s) = (0..ns).find(|&s| (0..nf).any(|i| !x[(i, s)].is_finite())) {
        return Err(Error::NonFiniteSignal { sample: s });
    }
    Ok((0..starts.len()).map(|g| (starts[g], starts.get(g + 1).copied().unwrap_or(ns))).filter(|_| ns > 0).collect())
}

/// The codes of every signal from each group's support (any order) and its
/// coefficients (`m × k`, one row per signal): atoms in increasing order,
/// zeros left out.
pub(crate) fn assemble<T: Real>(n_atoms: usize, bounds: &[(usize, usize)], groups: Vec<(Vec<u32>, Vec<T>)>) -> Result<SparseCodes<T>> {
    let mut indptr = vec![0usize];
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    for ((a, b), (support, coefs)) in bounds.iter().zip(groups) {
        let k = support.len();
        let mut order: Vec<usize> = (0..k).collect();
        order.sort_by_key(|&t| support[t]);
        for s in 0..b - a {
            for &t in &order {
                let v = coefs[s * k + t];
                if v != T::ZERO {
                    indices.push(support[t]);
                    values.push(v);
                }
            }
            indptr.push(indices.len());
        }
    }
    SparseCodes::from_parts(n_atoms, indptr, indices, values)
}

/// The correlations `B = Dᵀ X_g` of a group, row-major (`b[j·m + s]`: an
/// atom's correlations with the group, contiguous).
pub(crate) fn group_correlations<T: Real>(dict: &Dictionary<T>, xg: MatRef<'_, T>) -> Vec<T> {
    let (n, m) = (dict.n_atoms(), xg.ncols());
    let mut bt = vec![T::ZERO; n * m];
    dtx_into(dict.matrix(), xg, MatMut::from_column_major_slice_mut(&mut bt, n, m), Par::Seq);
    let mut b = vec![T::ZERO; n * m];
    for s in 0..m {
        for j in 0..n {
            b[j * m + s] = bt[s * n + j];
        }
    }
    b
}

/// Codes one group `xg` (n_features × m): writes its support (in order of
/// selection) and its coefficients, signal by signal (`m × k`).
fn somp_group<T: Real>(dict: &Dictionary<T>, xg: MatRef<'_, T>, cap: usize, tol: Option<T>, out: &mut (Vec<u32>, Vec<T>)) {
    let (n, m) = (dict.n_atoms(), xg.ncols());
    // B = Dᵀ X_g: the correlations C start at B.
    let b = group_correlations(dict, xg);
    let mut c = b.clone();
    let mut energy = (0..m).fold(T::ZERO, |acc, s| acc + (0..xg.nrows()).fold(T::ZERO, |a, i| a + xg[(i, s)] * xg[(i, s)]));
    let goal = tol.map(|t| t * T::from_f64(m as f64));
    let (support, coefs) = out;
    if goal.is_some_and(|g| energy <= g) {
        return;
    }
    let gram = dict.gram();
    // e_j = g_jj − ‖P[j, ·]‖²: each atom's squared distance to the span of the chosen ones.
    let mut e: Vec<T> = (0..n).map(|j| gram[j * n + j]).collect();
    let mut p = vec![T::ZERO; n * cap]; // column t: P[·, t]
    let mut z = vec![T::ZERO; cap * m]; // Z[t, s] at t·m + s
    let mut chol = IncrementalCholesky::with_capacity(cap);
    let mut w = vec![T::ZERO; cap];
    let floor = T::from_f64(1e-6);
    let mut chosen: Vec<usize> = Vec::with_capacity(cap);
    while chosen.len() < cap {
        // The atom whose joint fit lowers the residual the most.
        let mut best: Option<(usize, T)> = None;
        for j in (0..n).filter(|j| !chosen.contains(j)) {
            if !(e[j] > floor * gram[j * n + j]) || !(e[j] > T::ZERO) {
                continue;
            }
            let f = c[j * m..(j + 1) * m].iter().fold(T::ZERO, |a, &v| a + v * v);
            let score = f / e[j];
            if best.is_none_or(|(_, s)| score > s) {
                best = Some((j, score));
            }
        }
        let Some((j, score)) = best else { break };
        if !(score > T::ZERO) {
            break;
        }
        let k = chosen.len();
        for (t, wt) in w[..k].iter_mut().enumerate() {
            *wt = p[t * n + j];
        }
        let Ok(ell) = chol.push_solved(&w[..k], gram[j * n + j], T::ZERO) else { break };
        let inv = T::ONE / ell;
        // z_k[s] = (B[j, s] − w·Z[·, s]) / ℓ.
        for s in 0..m {
            let mut v = b[j * m + s];
            for t in 0..k {
                v -= w[t] * z[t * m + s];
            }
            z[k * m + s] = v * inv;
        }
        chosen.push(j);
        energy -= (0..m).fold(T::ZERO, |a, s| a + z[k * m + s] * z[k * m + s]);
        if chosen.len() == cap || goal.is_some_and(|g| energy <= g) {
            break;
        }
        // p_k = (G[·, j] − P w) / ℓ; C −= p_k z_kᵀ; e −= p_k².
        let (prev, rest) = p.split_at_mut(k * n);
        let pk = &mut rest[..n];
        for i in 0..n {
            let mut v = gram[j * n + i];
            for t in 0..k {
                v -= prev[t * n + i] * w[t];
            }
            pk[i] = v * inv;
        }
        for i in 0..n {
            let pi = pk[i];
            e[i] -= pi * pi;
            for s in 0..m {
                c[i * m + s] -= pi * z[k * m + s];
            }
        }
    }
    let k = chosen.len();
    support.extend(chosen.iter().map(|&j| j as u32));
    coefs.resize(m * k, T::ZERO);
    let mut col = vec![T::ZERO; k];
    for s in 0..m {
        for t in 0..k {
            col[t] = z[t * m + s];
        }
        chol.backward_solve(&mut col);
        coefs[s * k..(s + 1) * k].copy_from_slice(&col);
    }
}
