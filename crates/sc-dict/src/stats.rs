//! The statistics of online learning: the state a step reads and writes
//! ([`OnlineState`]: `A`, `B`, the dictionary, the step count) and what one
//! mini-batch contributes ([`BatchStats`], mergeable across shards).

use faer::MatRef;
use sc_linalg::{Real, kernels};
use sc_solvers::prox::Projection;
use sc_solvers::{Dictionary, Encode, SparseCodes, lasso_objective_in};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::atoms::{project_atom, project_on, restart_from_signal};
use crate::error::{Error, Result, invalid};
use crate::rng::Draw;

/// The learner's state: what a step reads and writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Serialize + DeserializeOwned")]
pub struct OnlineState<T> {
    /// Signal length.
    pub n_features: usize,
    /// Number of atoms.
    pub n_atoms: usize,
    /// The dictionary, column-major (n_features × n_atoms).
    pub dict: Vec<T>,
    /// `A` (n_atoms × n_atoms, column-major).
    pub a: Vec<T>,
    /// `B` (n_features × n_atoms, column-major).
    pub b: Vec<T>,
    /// Mini-batch steps taken.
    pub step: usize,
}

/// What one mini-batch contributes: `Σ c cᵀ`, `Σ x cᵀ` over its signals
/// (not yet divided by their number), their number, and the sum of their
/// costs `½‖x − Dc‖² + α‖c‖₁`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound = "T: Serialize + DeserializeOwned")]
pub struct BatchStats<T> {
    /// `Σ c cᵀ` (n_atoms × n_atoms).
    pub a: Vec<T>,
    /// `Σ x cᵀ` (n_features × n_atoms).
    pub b: Vec<T>,
    /// Number of signals.
    pub n_samples: usize,
    /// Sum of the signals' costs.
    pub cost: f64,
    /// Sum of the signals' numbers of non-zeros.
    pub nnz: usize,
}

impl<T: Real> BatchStats<T> {
    /// `½‖X − DC‖² − ½‖X‖²` for the signals and codes these statistics
    /// hold, over any dictionary `dict` (column-major, n_features ×
    /// n_atoms): `½⟨DᵀD, A⟩ − ⟨D, B⟩`, in f64. The difference of two
    /// dictionaries' values is the change of their cost for the same codes.
    pub fn half_residual_shift(&self, dict: &[T], n_features: usize) -> f64 {
        let k = self.a.len().isqrt();
        let atom = |j: usize| &dict[j * n_features..(j + 1) * n_features];
        let mut total = 0.0;
        for j in 0..k {
            total -= kernels::dot(atom(j), &self.b[j * n_features..(j + 1) * n_features]).to_f64();
            for i in 0..k {
                let aij = self.a[j * k + i].to_f64();
                if aij != 0.0 {
                    total += 0.5 * aij * kernels::dot(atom(i), atom(j)).to_f64();
                }
            }
        }
        total
    }

    /// Adds the statistics of another shard coded with the same dictionary.
    pub fn merge(mut self, other: &BatchStats<T>) -> Result<BatchStats<T>> {
        if self.a.len() != other.a.len() || self.b.len() != other.b.len() {
            return Err(Error::Dimension("statistics of different shapes".into()));
        }
        self.a.iter_mut().zip(&other.a).for_each(|(x, &y)| *x += y);
        self.b.iter_mut().zip(&other.b).for_each(|(x, &y)| *x += y);
        self.n_samples += other.n_samples;
        self.cost += other.cost;
        self.nnz += other.nnz;
        Ok(self)
    }
}

/// `½‖x − Dc‖² + α‖c‖₁` summed over signals (columns of `x`).
fn lasso_cost<T: Real>(dict: &Dictionary<T>, x: &[T], codes: &SparseCodes<T>, alpha: f64) -> f64 {
    let nf = dict.n_features();
    let mut r = vec![T::ZERO; nf];
    (0..codes.n_samples())
        .map(|s| {
            let (idx, val) = codes.code(s);
            lasso_objective_in(dict, &x[s * nf..(s + 1) * nf], idx, val, T::from_f64(alpha), T::ZERO, &mut r).to_f64()
        })
        .fold(0.0, |total, cost| total + cost)
}

impl<T: Real> OnlineState<T> {
    /// A state starting from `dict` (column-major, n_features × n_atoms).
    pub fn new(n_features: usize, n_atoms: usize, dict: Vec<T>) -> Result<Self> {
        if n_features.checked_mul(n_atoms) != Some(dict.len()) {
            return Err(Error::Dimension(format!("dictionary of {} values for {n_features}×{n_atoms}", dict.len())));
        }
        let a = vec![T::ZERO; n_atoms * n_atoms];
        Ok(Self { n_features, n_atoms, dict, a, b: vec![T::ZERO; n_features * n_atoms], step: 0 })
    }

    /// The current dictionary prepared for coding.
    pub fn dictionary(&self) -> Result<Dictionary<T>> {
        Ok(Dictionary::from_column_major(&self.dict, self.n_features, self.n_atoms)?)
    }

    /// Codes a shard (columns of `x`, column-major) with the current
    /// dictionary and returns its statistics; `alpha` is the penalty of the
    /// reported cost.
    pub fn batch_stats(&self, encoder: &dyn Encode<T>, x: &[T], alpha: f64) -> Result<BatchStats<T>> {
        Ok(self.stats_and_codes(encoder, x, alpha)?.0)
    }

    /// [`batch_stats`](Self::batch_stats) and the codes they come from
    /// (`None` when every atom is zero: every code is zero).
    pub(crate) fn stats_and_codes(&self, encoder: &dyn Encode<T>, x: &[T], alpha: f64) -> Result<(BatchStats<T>, Option<SparseCodes<T>>)> {
        let nf = self.n_features;
        if !x.len().is_multiple_of(nf) {
            return Err(Error::Dimension(format!("signals of length {nf} expected")));
        }
        let n = x.len() / nf;
        let k = self.n_atoms;
        let Some((codes, cost)) = code_live(&self.dict, nf, k, encoder, x, alpha)? else {
            // Every atom is zero (the start on all-zero data): every code
            // is zero, the cost is the signals' energy, and every atom is
            // replaced as unused at this step (scikit-learn's answer).
            let cost = x.iter().map(|&v| 0.5 * v.to_f64() * v.to_f64()).sum();
            return Ok((BatchStats { a: vec![T::ZERO; k * k], b: vec![T::ZERO; nf * k], n_samples: n, cost, nnz: 0 }, None));
        };
        let mut a = vec![T::ZERO; k * k];
        let mut b = vec![T::ZERO; nf * k];
        for s in 0..n {
            let (idx, val) = codes.code(s);
            let xs = &x[s * nf..(s + 1) * nf];
            for (&i, &vi) in idx.iter().zip(val) {
                let i = i as usize;
                for (&j, &vj) in idx.iter().zip(val) {
                    a[j as usize * k + i] += vi * vj;
                }
                kernels::axpy(vi, xs, &mut b[i * nf..(i + 1) * nf]);
            }
        }
        let nnz = codes.nnz();
        Ok((BatchStats { a, b, n_samples: n, cost, nnz }, Some(codes)))
    }

    /// One step: folds `stats` into `A` and `B` with scikit-learn's
    /// forgetting factor, then updates every atom once (block coordinate
    /// descent on the surrogate, Mairal et al. algorithm 2). An atom with
    /// `A_kk ≤ 1e-6` is replaced by a random signal of `pool` plus 1% noise.
    /// Returns the number of atoms replaced.
    pub fn apply(&mut self, stats: &BatchStats<T>, pool: &[T], positive_dict: bool, rng: &mut impl Draw) -> Result<usize> {
        let beta = forgetting_factor(self.step, stats.n_samples, None, None);
        self.apply_with_forgetting(stats, beta, pool, positive_dict, rng)
    }

    /// [`apply`](Self::apply) with a given forgetting factor `beta` (0: the
    /// statistics of this batch only, as batch learning does).
    pub fn apply_with_forgetting(
        &mut self,
        stats: &BatchStats<T>,
        beta: f64,
        pool: &[T],
        positive_dict: bool,
        rng: &mut impl Draw,
    ) -> Result<usize> {
        self.fold(stats, beta)?;
        Ok(self.update_atoms(pool, positive_dict, None, rng))
    }

    /// `A ← βA + Σccᵀ/n`, `B ← βB + Σxcᵀ/n` for a batch's statistics.
    pub(crate) fn fold(&mut self, stats: &BatchStats<T>, beta: f64) -> Result<()> {
        let (nf, k) = (self.n_features, self.n_atoms);
        if stats.a.len() != k * k || stats.b.len() != nf * k || stats.n_samples == 0 {
            return Err(Error::Dimension("statistics do not fit the state".into()));
        }
        if !(0.0..=1.0).contains(&beta) {
            return Err(invalid("beta", "the forgetting factor must be in [0, 1]"));
        }
        let (beta, bs) = (T::from_f64(beta), T::from_f64(stats.n_samples as f64));
        self.a.iter_mut().zip(&stats.a).for_each(|(x, &y)| *x = beta * *x + y / bs);
        self.b.iter_mut().zip(&stats.b).for_each(|(x, &y)| *x = beta * *x + y / bs);
        Ok(())
    }

    /// One pass of block coordinate descent over the atoms with the current
    /// `A` and `B` (Mairal et al. algorithm 2), counting a step; returns the
    /// number of atoms replaced (see [`apply`](Self::apply)). Each atom is
    /// then projected on `atom_set` when given (see [`project_on`]), else on
    /// the unit ball.
    pub(crate) fn update_atoms(&mut self, pool: &[T], positive_dict: bool, atom_set: Option<&Projection<T>>, rng: &mut impl Draw) -> usize {
        // `D a_j` for every atom is most of a small step's time: compiled for
        // the widest SIMD (the kernels give the same bits at every width).
        kernels::widest_simd(
            #[inline(always)]
            || self.update_atoms_in(pool, positive_dict, atom_set, rng),
        )
    }

    #[inline(always)]
    fn update_atoms_in(&mut self, pool: &[T], positive_dict: bool, atom_set: Option<&Projection<T>>, rng: &mut impl Draw) -> usize {
        let mut scratch = Vec::new();
        let (nf, k) = (self.n_features, self.n_atoms);
        let mut da = vec![T::ZERO; nf];
        let iota: Vec<usize> = (0..k).collect();
        let n_pool = pool.len() / nf;
        let mut replaced = 0;
        let floor = T::from_f64(1e-6);
        for j in 0..k {
            let ajj = self.a[j * k + j];
            if ajj > floor {
                // d_j += (b_j − D a_j) / A_jj
                // D a_j, four atoms per pass over `da`.
                kernels::combination(&self.dict, nf, &iota, &self.a[j * k..(j + 1) * k], &mut da);
                let bj = &self.b[j * nf..(j + 1) * nf];
                let d = &mut self.dict[j * nf..(j + 1) * nf];
                for i in 0..nf {
                    d[i] += (bj[i] - da[i]) / ajj;
                }
            } else if n_pool > 0 {
                replaced += 1;
                let s = rng.below(n_pool);
                restart_from_signal(&pool[s * nf..(s + 1) * nf], &mut self.dict[j * nf..(j + 1) * nf], rng);
            }
            let atom = &mut self.dict[j * nf..(j + 1) * nf];
            let restarted = match atom_set {
                Some(set) => project_on(atom, set, positive_dict, &mut scratch, rng),
                None => project_atom(atom, positive_dict, rng),
            };
            if restarted {
                replaced += 1;
            }
        }
        self.step += 1;
        replaced
    }
}

/// SPAMS's statistics (its `trainDL`): `A` and `B` are the sums of two
/// windows, the codes of the current pass over the training signals and of
/// the previous pass, both forgotten at every step by the factor of
/// [`forgetting_factor`] with a memory of two passes; at each new pass the
/// older window is dropped. On a small set cycled many times, the
/// statistics then hold only codes made with recent dictionaries.
#[derive(Debug, Clone)]
pub struct EpochWindows<T> {
    n_samples: usize,
    even: bool,
    steps: usize,
    prev: (Vec<T>, Vec<T>),
    cur: (Vec<T>, Vec<T>),
}

impl<T: Real> EpochWindows<T> {
    /// Windows for a fit over `n_samples` training signals from `state`:
    /// its statistics, if it has taken steps (a fit continued), are the
    /// previous pass's window.
    pub fn new(n_samples: usize, state: &OnlineState<T>) -> Self {
        let zeros = || (vec![T::ZERO; state.a.len()], vec![T::ZERO; state.b.len()]);
        let prev = if state.step > 0 { (state.a.clone(), state.b.clone()) } else { zeros() };
        Self { n_samples: n_samples.max(1), even: true, steps: 0, prev, cur: zeros() }
    }

    /// Folds a mini-batch's `stats` into the windows and sets the state's
    /// `A` and `B` to their sum.
    pub fn fold(&mut self, stats: &BatchStats<T>, state: &mut OnlineState<T>) -> Result<()> {
        if stats.a.len() != self.cur.0.len() || stats.b.len() != self.cur.1.len() || stats.n_samples == 0 {
            return Err(Error::Dimension("statistics do not fit the state".into()));
        }
        let bs = stats.n_samples;
        self.steps += 1;
        // Passes over the training signals completed after this step.
        let pass = self.steps * bs / self.n_samples;
        if (pass % 2 == 1) == self.even {
            std::mem::swap(&mut self.prev, &mut self.cur);
            self.cur.0.fill(T::ZERO);
            self.cur.1.fill(T::ZERO);
            self.even = !self.even;
        }
        let beta = T::from_f64(forgetting_factor(state.step, bs, None, Some(2 * self.n_samples)));
        let inv = T::ONE / T::from_f64(bs as f64);
        for (w, x) in [(&mut self.cur.0, &stats.a), (&mut self.cur.1, &stats.b)] {
            w.iter_mut().zip(x).for_each(|(v, &y)| *v = beta * *v + y * inv);
        }
        for v in self.prev.0.iter_mut().chain(self.prev.1.iter_mut()) {
            *v *= beta;
        }
        for (s, (p, c)) in [(&mut state.a, (&self.prev.0, &self.cur.0)), (&mut state.b, (&self.prev.1, &self.cur.1))] {
            s.iter_mut().zip(p.iter().zip(c)).for_each(|(v, (&x, &y))| *v = x + y);
        }
        Ok(())
    }
}

/// The factor `β` that weighs the statistics before the step numbered
/// `step` (from 0) with a batch of `batch` signals.
/// - `rho` given: `(1 − 1/(step + 1))^ρ` (Mairal et al. 2010, §3.4.2).
/// - Otherwise scikit-learn's rule (its `_update_inner_stats`): the
///   statistics stand for `θ` signals, `θ = (step + 1)·batch` for the first
///   `batch − 1` steps and `batch² + step + 1 − batch` after, and
///   `β = (θ + 1 − batch)/(θ + 1)`.
/// - With `memory`, `θ` stops growing there (not below `batch`), so the
///   statistics keep forgetting at the rate `batch/(memory + 1)` a step:
///   SPAMS's `trainDL` caps it at twice the number of training signals.
pub fn forgetting_factor(step: usize, batch: usize, rho: Option<f64>, memory: Option<usize>) -> f64 {
    let (step, bs) = (step as f64, batch as f64);
    if let Some(rho) = rho {
        return (1.0 - 1.0 / (step + 1.0)).powf(rho);
    }
    let mut theta = if step < bs - 1.0 { (step + 1.0) * bs } else { bs * bs + step + 1.0 - bs };
    if let Some(m) = memory {
        theta = theta.min((m as f64).max(bs));
    }
    (theta + 1.0 - bs) / (theta + 1.0)
}

/// Codes the signals of `x` (column-major, `nf` values each) over the non-zero atoms of `dict` (column-major,
/// `nf × k`), and their summed cost `½‖x − Dc‖² + α‖c‖₁`; the codes are
/// indexed by all `k` atoms. A zero atom (scikit-learn's initial dictionary
/// past the data's rank) takes part in no code, as in scikit-learn's LARS,
/// where its correlation stays 0. `None` when every atom is zero.
pub(crate) fn code_live<T: Real>(
    dict: &[T],
    nf: usize,
    k: usize,
    encoder: &dyn Encode<T>,
    x: &[T],
    alpha: f64,
) -> Result<Option<(SparseCodes<T>, f64)>> {
    let live: Vec<usize> = (0..k).filter(|&j| dict[j * nf..(j + 1) * nf].iter().any(|&v| v != T::ZERO)).collect();
    if live.is_empty() {
        return Ok(None);
    }
    let whole = live.len() == k;
    let sub: Vec<T> = if whole { Vec::new() } else { live.iter().flat_map(|&j| dict[j * nf..(j + 1) * nf].iter().copied()).collect() };
    let d = if whole { Dictionary::from_column_major(dict, nf, k)? } else { Dictionary::from_column_major(&sub, nf, live.len())? };
    let codes = encoder.encode(&d, MatRef::from_column_major_slice(x, nf, x.len() / nf))?;
    let cost = lasso_cost(&d, x, &codes, alpha);
    if whole {
        return Ok(Some((codes, cost)));
    }
    let (_, indptr, indices, values) = codes.into_parts();
    Ok(Some((SparseCodes::from_parts(k, indptr, indices.into_iter().map(|i| live[i as usize] as u32).collect(), values)?, cost)))
}
