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
use sc_linalg::{IncrementalCholesky, Real, dtx_into, kernels};

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};
use sc_linalg::kernels::widest_simd;

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
        let groups = code_groups(
            dict,
            x,
            &bounds,
            || (),
            #[inline(always)]
            |_, xg, b, out| somp_group(dict, xg, b, cap, tol, out),
        );
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

/// Signals per chunk of groups that share one product `Dᵀ X`.
const CHUNK: usize = 256;

/// Codes every group in parallel. Consecutive groups are taken in chunks of
/// about [`CHUNK`] signals, which share one product `Dᵀ X` (one cache-sized
/// matrix product, not a small one per group) and one workspace `W`;
/// `code` gets each group's signals, its correlations `B = Dᵀ X_g`
/// row-major (`b[j·m + s]`: an atom's correlations with the group,
/// contiguous) and where its code goes. A chunk is coded in one call
/// compiled for the CPU's widest SIMD extension ([`sc_linalg::kernels::widest_simd`];
/// `code` is generic, not a trait object, so that it is built inside it).
/// The results are in the groups' order and do not depend on the thread
/// count.
pub(crate) fn code_groups<T: Real, W, C>(
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    bounds: &[(usize, usize)],
    workspace: impl Fn() -> W + Sync,
    code: C,
) -> Vec<(Vec<u32>, Vec<T>)>
where
    C: Fn(&mut W, MatRef<'_, T>, &[T], &mut (Vec<u32>, Vec<T>)) + Sync,
{
    let mut chunks = Vec::new();
    let mut first = 0;
    for g in 0..bounds.len() {
        if bounds[g].1 - bounds[first].0 >= CHUNK || g + 1 == bounds.len() {
            chunks.push(first..g + 1);
            first = g + 1;
        }
    }
    let n = dict.n_atoms();
    let parts: Vec<Vec<(Vec<u32>, Vec<T>)>> = chunks
        .par_iter()
        .map(|groups| {
            let (a0, b0) = (bounds[groups.start].0, bounds[groups.end - 1].1);
            let mut bt = vec![T::ZERO; n * (b0 - a0)];
            dtx_into(dict.matrix(), x.subcols(a0, b0 - a0), MatMut::from_column_major_slice_mut(&mut bt, n, b0 - a0), Par::Seq);
            let mut ws = workspace();
            let mut b = Vec::new();
            widest_simd(
                #[inline(always)]
                || {
                    let mut outs = Vec::with_capacity(groups.len());
                    for g in groups.clone() {
                        let (a, e) = bounds[g];
                        let m = e - a;
                        b.resize(n * m, T::ZERO);
                        for s in 0..m {
                            let col = &bt[(a - a0 + s) * n..][..n];
                            for (j, &v) in col.iter().enumerate() {
                                b[j * m + s] = v;
                            }
                        }
                        let mut out = (Vec::new(), Vec::new());
                        code(&mut ws, x.subcols(a, m), &b, &mut out);
                        outs.push(out);
                    }
                    outs
                },
            )
        })
        .collect();
    parts.into_iter().flatten().collect()
}

/// Codes one group `xg` (n_features × m, correlations `b` as
/// [`code_groups`] gives them): writes its support (in order of selection) and its coefficients, signal by signal (`m × k`).
#[inline(always)]
fn somp_group<T: Real>(dict: &Dictionary<T>, xg: MatRef<'_, T>, b: &[T], cap: usize, tol: Option<T>, out: &mut (Vec<u32>, Vec<T>)) {
    let (n, m) = (dict.n_atoms(), xg.ncols());
    // B = Dᵀ X_g: the correlations C start at B.
    let mut c = b.to_vec();
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
    let mut taken = vec![false; n];
    let columns: Vec<usize> = (0..cap).collect();
    while chosen.len() < cap {
        // The atom whose joint fit lowers the residual the most.
        // Scores f/e compared as f·e' > f'·e (every e > 0): no division.
        let mut best: Option<(usize, T, T)> = None;
        for (j, (cj, &ej)) in c.chunks_exact(m).zip(&e).enumerate() {
            if taken[j] || !(ej > floor * gram[j * n + j]) || !(ej > T::ZERO) {
                continue;
            }
            let f = cj.iter().fold(T::ZERO, |a, &v| a + v * v);
            match best {
                Some((_, bf, be)) if !(f * be > bf * ej) => {}
                _ => best = Some((j, f, ej)),
            }
        }
        let Some((j, f, _)) = best else { break };
        if !(f > T::ZERO) {
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
        taken[j] = true;
        energy -= (0..m).fold(T::ZERO, |a, s| a + z[k * m + s] * z[k * m + s]);
        if chosen.len() == cap || goal.is_some_and(|g| energy <= g) {
            break;
        }
        // p_k = (G[·, j] − P w) / ℓ; C −= p_k z_kᵀ; e −= p_k².
        let (prev, rest) = p.split_at_mut(k * n);
        let pk = &mut rest[..n];
        kernels::sub_combination(&gram[j * n..(j + 1) * n], prev, n, &columns[..k], &w[..k], pk);
        pk.iter_mut().for_each(|v| *v *= inv);
        let zk = &z[k * m..(k + 1) * m];
        for ((ci, ei), &pi) in c.chunks_exact_mut(m).zip(e.iter_mut()).zip(pk.iter()) {
            *ei -= pi * pi;
            ci.iter_mut().zip(zk).for_each(|(v, &zs)| *v -= pi * zs);
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
