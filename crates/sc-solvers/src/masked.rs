//! Coding signals with missing entries ([`Encoder::encode_masked`]).
//!
//! A signal `x` with a mask `m` of observed entries is coded on its observed
//! rows only: the solver sees `x_m` and the sub-dictionary `D_m`, the rows
//! of `D` at the observed entries. As in SPAMS's `lassoMask` and `ompMask`,
//! the parameters that measure the signal are scaled by the observed
//! fraction `f = |m| / n_features`: the Lasso minimises
//! `½‖m ⊙ (x − Dc)‖² + f·α‖c‖₁`, and a squared-residual goal `tol` becomes
//! `f·tol` on the observed rows. A fully observed signal is coded exactly as
//! [`Encoder::encode`] codes it.
//!
//! How the work is shared:
//! - signals with no missing entry are coded together by the plain path;
//! - signals with the same mask share one sub-dictionary (its Gram matrix
//!   is formed once per distinct mask);
//! - under OMP or a LARS homotopy, a mask shared by few signals is not
//!   worth a Gram matrix: those signals are coded reading only the Gram
//!   columns of the atoms that join, each made on demand from the observed
//!   rows and kept while its atom stays active.

use std::collections::HashMap;

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::{Real, kernels};

use crate::algorithm::{Algorithm, default_n_nonzero};
use crate::codes::SparseCodes;
use crate::driver::{active_cap, run};
use crate::encoder::Encoder;
use crate::error::{Error, Result};
use crate::lars::{LarsMode, lars_one};
use crate::omp::{GramColumns, OmpRule, omp_one};
use crate::plan::Plan;
use crate::workspace::{CodeSink, Workspace};
use crate::{Dictionary, LassoParams};

/// The codes of some of the signals, in the order of `samples`.
struct Part<T> {
    samples: Vec<usize>,
    codes: SparseCodes<T>,
}

impl Encoder {
    /// Codes the columns of `x` (n_features × n_samples) from their observed
    /// entries only: `observed` holds one flag per entry of `x`, column-major
    /// like `x` (the bytes of a C-order `(n_samples, n_features)` boolean
    /// array), `true` where the entry is known. Missing entries are never
    /// read and may hold anything, NaN included. See the module notes of
    /// `masked.rs` for the scaling: the Lasso's `alpha` and every
    /// squared-residual goal are multiplied by the observed fraction of each
    /// signal, as SPAMS's `lassoMask` / `ompMask` do. A signal with no
    /// observed entry gets an empty code.
    ///
    /// ```
    /// use faer::Mat;
    /// use sc_solvers::{Dictionary, Encoder};
    ///
    /// let d = Mat::<f64>::from_fn(6, 10, |i, j| ((i * 10 + j) as f64 * 0.9).sin());
    /// let dict = Dictionary::new(d.as_ref()).unwrap();
    /// // One signal, 2·atom 3, whose entries 1 and 4 are lost (NaN).
    /// let mut x = Mat::<f64>::from_fn(6, 1, |i, _| 2.0 * d[(i, 3)]);
    /// x[(1, 0)] = f64::NAN;
    /// x[(4, 0)] = f64::NAN;
    /// let observed = [true, false, true, true, false, true];
    /// let codes = Encoder::omp(1).encode_masked(&dict, x.as_ref(), &observed).unwrap();
    /// let (atoms, values) = codes.code(0);
    /// assert_eq!(atoms, &[3]);
    /// assert!((values[0] - 2.0).abs() < 1e-12);
    /// ```
    pub fn encode_masked<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, observed: &[bool]) -> Result<SparseCodes<T>> {
        let (nf, ns) = (x.nrows(), x.ncols());
        if nf != dict.n_features() {
            return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: dict.n_features(), got: nf });
        }
        if observed.len() != nf * ns {
            return Err(Error::DimensionMismatch { what: "mask length (n_features × n_samples)", expected: nf * ns, got: observed.len() });
        }
        if observed.iter().all(|&o| o) {
            return self.encode(dict, x);
        }
        // The signals with their missing entries set to zero: validated once
        // (finite where observed) and read by every path below.
        let mut x0 = vec![T::ZERO; nf * ns];
        for (s, col) in x0.chunks_exact_mut(nf).enumerate() {
            let xs = x.col(s);
            for (i, v) in col.iter_mut().enumerate() {
                if observed[s * nf + i] {
                    *v = xs[i];
                }
            }
        }
        let x0m = MatRef::from_column_major_slice(&x0, nf, ns);
        let plan = self.check(dict, x0m, None)?;

        // Group the signals by mask, in order of first appearance.
        let mut groups: Vec<(&[bool], Vec<usize>)> = Vec::new();
        let mut index: HashMap<&[bool], usize> = HashMap::new();
        for s in 0..ns {
            let m = &observed[s * nf..(s + 1) * nf];
            let g = *index.entry(m).or_insert_with(|| {
                groups.push((m, Vec::new()));
                groups.len() - 1
            });
            groups[g].1.push(s);
        }
        let gather = |samples: &[usize]| -> Vec<T> { samples.iter().flat_map(|&s| x0[s * nf..(s + 1) * nf].iter().copied()).collect() };
        let n_atoms = dict.n_atoms();

        self.install(|| {
            let mut parts: Vec<Part<T>> = Vec::new();
            let mut shared: Vec<(&[bool], Vec<usize>)> = Vec::new();
            let mut lazy: Vec<usize> = Vec::new();
            for (m, samples) in groups {
                let n_obs = m.iter().filter(|&&o| o).count();
                if n_obs == nf {
                    let xs = gather(&samples);
                    let codes = run(&plan, dict, MatRef::from_column_major_slice(&xs, nf, samples.len()), None, self.chunk());
                    parts.push(Part { samples, codes });
                } else if n_obs == 0 {
                    let codes = SparseCodes::from_parts_unchecked(n_atoms, vec![0; samples.len() + 1], Vec::new(), Vec::new());
                    parts.push(Part { samples, codes });
                } else if let Some(k) = lazy_steps(&plan)
                    // On-demand columns cost about (k + 1)·n_atoms·n_features
                    // a signal (k columns), a shared Gram matrix
                    // n_atoms²·n_observed a mask.
                    && samples.len() * (k + 1) * nf < n_atoms * n_obs
                {
                    lazy.extend(samples);
                } else {
                    shared.push((m, samples));
                }
            }
            let coded: Vec<Result<Part<T>>> = shared
                .into_par_iter()
                .map(|(m, samples)| self.code_shared_mask(dict, m, &samples, &gather(&samples)).map(|codes| Part { samples, codes }))
                .collect();
            for p in coded {
                parts.push(p?);
            }
            if !lazy.is_empty() {
                let codes = lazy_masked(dict, &x0, observed, &lazy, plan, self.chunk());
                parts.push(Part { samples: lazy, codes });
            }
            Ok(assemble(n_atoms, ns, parts))
        })?
    }

    /// Codes the signals `xs` (gathered, zero where missing) that share the
    /// mask `m`, against the sub-dictionary of the observed rows and of the
    /// atoms not zero on them, with the scaled parameters.
    fn code_shared_mask<T: Real>(&self, dict: &Dictionary<T>, m: &[bool], samples: &[usize], xs: &[T]) -> Result<SparseCodes<T>> {
        let nf = m.len();
        let rows: Vec<usize> = (0..nf).filter(|&i| m[i]).collect();
        let kept: Vec<usize> = (0..dict.n_atoms()).filter(|&j| rows.iter().any(|&i| dict.atom(j)[i] != T::ZERO)).collect();
        let n = samples.len();
        if kept.is_empty() {
            return Ok(SparseCodes::from_parts_unchecked(dict.n_atoms(), vec![0; n + 1], Vec::new(), Vec::new()));
        }
        let sub_d: Vec<T> = kept.iter().flat_map(|&j| rows.iter().map(move |&i| dict.atom(j)[i])).collect();
        let sub_x: Vec<T> = (0..n).flat_map(|s| rows.iter().map(move |&i| xs[s * nf + i])).collect();
        let sub_dict = Dictionary::from_column_major(&sub_d, rows.len(), kept.len())?;
        let frac = rows.len() as f64 / nf as f64;
        let sub = self.with_algorithm(scaled(self.algorithm(), frac, kept.len(), default_n_nonzero(nf, dict.n_atoms())));
        let plan = sub.check(&sub_dict, MatRef::from_column_major_slice(&sub_x, rows.len(), n), None)?;
        let codes = run(&plan, &sub_dict, MatRef::from_column_major_slice(&sub_x, rows.len(), n), None, self.chunk());
        let (_, indptr, indices, values) = codes.into_parts();
        // `kept` is increasing, so each code's atoms stay sorted.
        let indices = indices.into_iter().map(|k| kept[k as usize] as u32).collect();
        Ok(SparseCodes::from_parts_unchecked(dict.n_atoms(), indptr, indices, values))
    }
}

/// The Gram columns a signal's code is guessed to read, for the plans
/// that can be coded from columns made on demand: OMP's atoms (4 under a
/// goal or a penalty), a homotopy's steps (8; LAR's count). `None`: the
/// plan needs the whole Gram matrix.
fn lazy_steps<T: Real>(plan: &Plan<T>) -> Option<usize> {
    match *plan {
        Plan::Omp(OmpRule { max_k, tol: None, penalty: None, .. }) => Some(max_k),
        Plan::Omp(OmpRule { max_k, .. }) => Some(max_k.min(4)),
        Plan::Lars(LarsMode::Lar { k }) => Some(k),
        Plan::Lars(_) => Some(8),
        _ => None,
    }
}

/// `alg` for a signal with the observed fraction `frac` of its entries and
/// `n_atoms` atoms not zero on them: the penalties and goals scaled by
/// `frac`, the atom counts capped by `n_atoms`; an atom count left to the
/// default is the whole dictionary's (`n_default`).
fn scaled(alg: &Algorithm, frac: f64, n_atoms: usize, n_default: usize) -> Algorithm {
    let lasso = |p: &LassoParams| LassoParams { alpha: p.alpha * frac, ..*p };
    match *alg {
        Algorithm::Omp { n_nonzero, tol, l0, max_nonzero, forward } => Algorithm::Omp {
            n_nonzero: Some(n_nonzero.unwrap_or(n_default).min(n_atoms)),
            tol: tol.map(|t| t * frac),
            l0: l0.map(|a| a * frac),
            max_nonzero: max_nonzero.map(|k| k.min(n_atoms)),
            forward,
        },
        Algorithm::Lars { n_nonzero } => Algorithm::Lars { n_nonzero: Some(n_nonzero.unwrap_or(n_default).min(n_atoms)) },
        Algorithm::LassoLars(p) => Algorithm::LassoLars(lasso(&p)),
        Algorithm::LassoGoal { tol, positive, max_iter } => Algorithm::LassoGoal { tol: tol * frac, positive, max_iter },
        // A budget on the code is not a sum over rows: it stays.
        Algorithm::LassoBudget { .. } => *alg,
        Algorithm::LassoCd(p) => Algorithm::LassoCd(lasso(&p)),
        Algorithm::Ista(p) => Algorithm::Ista(lasso(&p)),
        Algorithm::Fista(p) => Algorithm::Fista(lasso(&p)),
        Algorithm::Threshold { alpha, kind, positive } => Algorithm::Threshold { alpha: alpha * frac, kind, positive },
    }
}

/// The Gram matrix of one signal's observed rows, one column at a time,
/// from the rows of `D` (`dt`, row-major: row `r` holds `D[r, ·]`, contiguous):
/// `G_m[·, j] = Σ_{r observed} D[r, j]·D[r, ·]`, or, when fewer rows are
/// missing than observed, `G[·, j] − Σ_{r missing} D[r, j]·D[r, ·]`. A
/// column is made when first read and kept in `cache` until its atom is
/// released (it leaves the active set) or the signal ends.
struct MaskedGram<'a, T: Real> {
    dt: &'a [T],
    gram: &'a [T],
    n: usize,
    observed: &'a [usize],
    missing: &'a [usize],
    cache: &'a mut GramCache<T>,
}

/// Slots for the Gram columns of the active atoms (a bounded number: the
/// active set's cap, and one more for the atom joining).
struct GramCache<T> {
    /// The slots' columns (slots × n_atoms).
    cols: Vec<T>,
    /// Each atom's slot, or [`GramCache::NONE`] (n_atoms).
    slot_of: Vec<u32>,
    /// Each slot's atom, or [`GramCache::NONE`].
    owner: Vec<u32>,
    /// The free slots.
    free: Vec<u32>,
}

impl<T: Real> GramCache<T> {
    const NONE: u32 = u32::MAX;

    fn new(n_atoms: usize, slots: usize) -> Self {
        Self {
            cols: vec![T::ZERO; slots * n_atoms],
            slot_of: vec![Self::NONE; n_atoms],
            owner: vec![Self::NONE; slots],
            free: (0..slots as u32).rev().collect(),
        }
    }

    /// Forgets every column (a new signal, or no slot left).
    fn clear(&mut self) {
        for o in self.owner.iter_mut() {
            if *o != Self::NONE {
                self.slot_of[*o as usize] = Self::NONE;
                *o = Self::NONE;
            }
        }
        self.free.clear();
        self.free.extend((0..self.owner.len() as u32).rev());
    }
}

impl<T: Real> MaskedGram<'_, T> {
    /// Writes column `j` into slot `slot`.
    #[inline(always)]
    fn fill(&mut self, j: usize, slot: usize) {
        let n = self.n;
        let col = &mut self.cache.cols[slot * n..(slot + 1) * n];
        if self.observed.len() <= self.missing.len() {
            col.fill(T::ZERO);
            for &r in self.observed {
                let row = &self.dt[r * n..(r + 1) * n];
                kernels::axpy(row[j], row, col);
            }
        } else {
            col.copy_from_slice(&self.gram[j * n..(j + 1) * n]);
            for &r in self.missing {
                let row = &self.dt[r * n..(r + 1) * n];
                kernels::axpy(-row[j], row, col);
            }
        }
    }
}

impl<T: Real> GramColumns<T> for MaskedGram<'_, T> {
    #[inline(always)]
    fn column(&mut self, j: usize) -> &[T] {
        let mut slot = self.cache.slot_of[j];
        if slot == GramCache::<T>::NONE {
            slot = match self.cache.free.pop() {
                Some(s) => s,
                None => {
                    self.cache.clear();
                    self.cache.free.pop().expect("a cache has a slot")
                }
            };
            self.fill(j, slot as usize);
            self.cache.slot_of[j] = slot;
            self.cache.owner[slot as usize] = j as u32;
        }
        let n = self.n;
        &self.cache.cols[slot as usize * n..(slot as usize + 1) * n]
    }

    #[inline(always)]
    fn diagonal(&mut self, j: usize) -> T {
        let n = self.n;
        self.observed.iter().fold(T::ZERO, |s, &r| {
            let v = self.dt[r * n + j];
            s + v * v
        })
    }

    #[inline(always)]
    fn combination(&mut self, idx: &[usize], coef: &[T], out: &mut [T]) {
        out.fill(T::ZERO);
        for (&j, &c) in idx.iter().zip(coef) {
            kernels::axpy(c, self.column(j), out);
        }
    }

    #[inline(always)]
    fn release(&mut self, j: usize) {
        let slot = self.cache.slot_of[j];
        if slot != GramCache::<T>::NONE {
            self.cache.slot_of[j] = GramCache::<T>::NONE;
            self.cache.owner[slot as usize] = GramCache::<T>::NONE;
            self.cache.free.push(slot);
        }
    }
}

/// What one chunk of [`lazy_masked`] reads and writes.
struct MaskedJob<'a, T: Real> {
    dict: &'a Dictionary<T>,
    dt: &'a [T],
    x0: &'a [T],
    observed: &'a [bool],
    samples: &'a [usize],
    plan: Plan<T>,
    scratch: &'a mut MaskedScratch<T>,
}

/// One split's memory for [`lazy_masked`].
struct MaskedScratch<T: Real> {
    ws: Workspace<T>,
    b: Vec<T>,
    cache: GramCache<T>,
    rows_in: Vec<usize>,
    rows_out: Vec<usize>,
    counts: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
}

/// Codes a chunk, compiled for the CPU's widest SIMD extension (as the
/// unmasked driver's chunks are).
fn dispatch_masked_chunk<T: Real>(job: MaskedJob<'_, T>) {
    struct Op<'a, T: Real>(MaskedJob<'a, T>);
    impl<T: Real> pulp::WithSimd for Op<'_, T> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) {
            masked_chunk(self.0)
        }
    }
    pulp::Arch::new().dispatch(Op(job))
}

/// `plan` for a signal with `n_obs` of its `nf` entries observed: the
/// penalties and goals scaled by the observed fraction (as [`scaled`]
/// scales an algorithm), the atom counts capped by the observed rows.
/// Returns the plan and the goal, if any.
#[inline(always)]
fn scaled_plan<T: Real>(plan: Plan<T>, n_obs: usize, nf: usize) -> (Plan<T>, Option<T>) {
    let frac = T::from_f64(n_obs as f64 / nf as f64);
    match plan {
        Plan::Omp(rule) => {
            let tol = rule.tol.map(|t| t * frac);
            (Plan::Omp(OmpRule { max_k: rule.max_k.min(n_obs), tol, penalty: rule.penalty.map(|l| l * frac), ..rule }), tol)
        }
        Plan::Lars(LarsMode::Lasso { alpha, positive, l2, max_iter }) => {
            (Plan::Lars(LarsMode::Lasso { alpha: alpha * frac, positive, l2, max_iter }), None)
        }
        Plan::Lars(LarsMode::Goal { eps, positive, max_iter }) => {
            let eps = eps * frac;
            (Plan::Lars(LarsMode::Goal { eps, positive, max_iter }), Some(eps))
        }
        // LAR's steps and an ℓ1 budget do not sum over rows.
        other => (other, None),
    }
}

#[inline(always)]
fn masked_chunk<T: Real>(job: MaskedJob<'_, T>) {
    let MaskedJob { dict, dt, x0, observed, samples, plan, scratch } = job;
    let (nf, n) = (dict.n_features(), dict.n_atoms());
    let MaskedScratch { ws, b, cache, rows_in, rows_out, counts, indices, values } = scratch;
    for &s in samples {
        let mask = &observed[s * nf..(s + 1) * nf];
        let x = &x0[s * nf..(s + 1) * nf];
        rows_in.clear();
        rows_out.clear();
        for (r, &o) in mask.iter().enumerate() {
            if o { rows_in.push(r) } else { rows_out.push(r) }
        }
        let (plan, goal) = scaled_plan(plan, rows_in.len(), nf);
        let xnorm2 = kernels::norm_sq(x);
        let before = indices.len();
        if !rows_in.is_empty() && !goal.is_some_and(|t| xnorm2 <= t) {
            b.fill(T::ZERO);
            for &r in rows_in.iter() {
                kernels::axpy(x[r], &dt[r * n..(r + 1) * n], b);
            }
            cache.clear();
            let mut grams = MaskedGram { dt, gram: dict.gram(), n, observed: rows_in, missing: rows_out, cache };
            let mut sink = CodeSink { indices, values };
            match plan {
                Plan::Omp(rule) => {
                    omp_one(n, &mut grams, b, xnorm2, rule, ws, &mut sink);
                }
                Plan::Lars(mode) => lars_one(n, rows_in.len(), &mut grams, b, xnorm2, mode, None, ws, &mut sink),
                _ => unreachable!("only greedy and homotopy plans are coded lazily"),
            }
        }
        counts.push(indices.len() - before);
    }
}

/// OMP or a LARS homotopy on the observed rows of each of `samples`, with
/// Gram columns made on demand. `x0` holds every signal, zero where missing.
fn lazy_masked<T: Real>(
    dict: &Dictionary<T>,
    x0: &[T],
    observed: &[bool],
    samples: &[usize],
    plan: Plan<T>,
    chunk: usize,
) -> SparseCodes<T> {
    let (nf, n) = (dict.n_features(), dict.n_atoms());
    let cap = active_cap(&plan, dict);
    // D's rows, contiguous: each observed row adds one contiguous row to a column.
    let mut dt = vec![T::ZERO; nf * n];
    for i in 0..n {
        for (r, &v) in dict.atom(i).iter().enumerate() {
            dt[r * n + i] = v;
        }
    }
    let outs: Vec<(Vec<usize>, Vec<u32>, Vec<T>)> = samples
        .par_chunks(chunk)
        .map_init(
            || MaskedScratch {
                ws: Workspace::new(n, cap),
                b: vec![T::ZERO; n],
                cache: GramCache::new(n, (cap + 2).min(n)),
                rows_in: Vec::with_capacity(nf),
                rows_out: Vec::with_capacity(nf),
                counts: Vec::new(),
                indices: Vec::new(),
                values: Vec::new(),
            },
            |scratch, chunk_samples| {
                scratch.counts = Vec::with_capacity(chunk_samples.len());
                scratch.indices = Vec::with_capacity(chunk_samples.len() * 4);
                scratch.values = Vec::with_capacity(chunk_samples.len() * 4);
                dispatch_masked_chunk(MaskedJob { dict, dt: &dt, x0, observed, samples: chunk_samples, plan, scratch: &mut *scratch });
                (std::mem::take(&mut scratch.counts), std::mem::take(&mut scratch.indices), std::mem::take(&mut scratch.values))
            },
        )
        .collect();
    let mut indptr = vec![0usize];
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    for (counts, ind, val) in outs {
        for c in counts {
            indptr.push(indptr.last().unwrap() + c);
        }
        indices.extend(ind);
        values.extend(val);
    }
    SparseCodes::from_parts_unchecked(n, indptr, indices, values)
}

/// Puts the parts' codes back in the order of the signals.
fn assemble<T: Real>(n_atoms: usize, n_samples: usize, parts: Vec<Part<T>>) -> SparseCodes<T> {
    let mut at = vec![(0usize, 0usize); n_samples];
    for (p, part) in parts.iter().enumerate() {
        for (k, &s) in part.samples.iter().enumerate() {
            at[s] = (p, k);
        }
    }
    let total = parts.iter().map(|p| p.codes.nnz()).sum();
    let mut indptr = Vec::with_capacity(n_samples + 1);
    indptr.push(0);
    let (mut indices, mut values) = (Vec::with_capacity(total), Vec::with_capacity(total));
    for &(p, k) in &at {
        let (ind, val) = parts[p].codes.code(k);
        indices.extend_from_slice(ind);
        values.extend_from_slice(val);
        indptr.push(indices.len());
    }
    SparseCodes::from_parts_unchecked(n_atoms, indptr, indices, values)
}

/// The observed entries of `values`: those that are not `missing` (NaN
/// matches NaN), the mask [`Encoder::encode_masked`] takes, when missing
/// entries are marked by a value (scikit-learn's `missing_values`).
pub fn observed<T: Real>(values: &[T], missing: f64) -> Vec<bool> {
    values.iter().map(|v| !is_missing(v.to_f64(), missing)).collect()
}

/// Whether `v` is the marker `missing` (NaN matches NaN).
pub fn is_missing(v: f64, missing: f64) -> bool {
    if missing.is_nan() { v.is_nan() } else { v == missing }
}
