//! Learning a dictionary from incomplete signals ([`LearnMasked`]).
//!
//! Each signal comes with a mask of its observed entries (one flag per
//! entry, column-major like the signals); missing entries are never read
//! and may hold NaN. Codes come from
//! [`Encoder::encode_masked`](sc_solvers::Encoder::encode_masked) (the
//! problem on the observed rows, penalties and goals scaled by the observed
//! fraction), and each learner fits the dictionary to the observed entries
//! only:
//! - online learning (Mairal, Bach, Ponce & Sapiro, JMLR 2010, the extension
//!   to missing information): the statistics are kept per row,
//!   `A_r = Σ m_r c cᵀ` and `B_r = Σ m_r x_r cᵀ`, and block coordinate
//!   descent updates row `r` of atom `j` by
//!   `d_rj += (B_rj − A_r[j,·] D_r·) / A_r[j,j]`. `A` takes
//!   n_features × n_atoms² values;
//! - K-SVD: each atom and its coefficients are the best rank-one fit of the
//!   restricted error on the observed entries only (one alternation from the
//!   current coefficients: each row of the atom is a weighted mean over the
//!   signals observed there, then each coefficient a least-squares fit on
//!   its signal's observed rows), as in Mairal, Elad & Sapiro's masked
//!   K-SVD for inpainting (2008).
//!
//! A fully observed set of signals learns what the unmasked learners learn
//! up to the order of floating-point sums (the online rule reduces to
//! scikit-learn's update; the K-SVD rule to the approximate update).
//! Initial atoms and replacements are drawn from the signals with each
//! missing entry set to the mean of the signal's observed entries.

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::{Real, kernels};
use sc_solvers::{Dictionary, Encoder, SparseCodes};

use crate::atoms::{Users, project_atom, replace_atoms, restart_from_signal};
use crate::error::{Error, Result, invalid};
use crate::ksvd::KsvdParams;
use crate::learner::{Fit, Learn, Record, StopReason, Valid};
use crate::online::OnlineParams;
use crate::progress::{Observer, Progress};
use crate::rng::SplitMix;
use crate::signals::Signals;

/// A learner that can learn from incomplete signals.
pub trait LearnMasked: Learn {
    /// Learns a dictionary from the observed entries of the columns of `x`
    /// (n_features × n_samples); `observed` holds a flag per entry of `x`,
    /// column-major, `true` where the entry is known. Codes with the
    /// learner's own encoder, masked.
    fn fit_masked<T: Real>(&self, x: MatRef<'_, T>, observed: &[bool], observer: &mut dyn Observer) -> Result<Fit<T>> {
        self.fit_masked_with(x, observed, &self.encoder(x.nrows()), observer)
    }

    /// As [`fit_masked`](LearnMasked::fit_masked), coding with `encoder`.
    fn fit_masked_with<T: Real>(
        &self,
        x: MatRef<'_, T>,
        observed: &[bool],
        encoder: &Encoder,
        observer: &mut dyn Observer,
    ) -> Result<Fit<T>>;
}

/// Incomplete signals: zero where missing (what the statistics read), and
/// filled with each signal's observed mean (what new atoms are drawn from).
struct Incomplete<'m, T> {
    nf: usize,
    n: usize,
    zeroed: Vec<T>,
    filled: Vec<T>,
    observed: &'m [bool],
}

impl<'m, T: Real> Incomplete<'m, T> {
    fn new(x: MatRef<'_, T>, observed: &'m [bool]) -> Result<Self> {
        let (nf, n) = (x.nrows(), x.ncols());
        if n == 0 || nf == 0 {
            return Err(Error::Dimension("no signals".into()));
        }
        if observed.len() != nf * n {
            return Err(Error::Dimension(format!("a mask of {} flags for {nf}×{n} signals", observed.len())));
        }
        if !observed.contains(&true) {
            return Err(Error::NothingObserved);
        }
        let mut zeroed = vec![T::ZERO; nf * n];
        let mut filled = vec![T::ZERO; nf * n];
        for s in 0..n {
            let (col, m) = (x.col(s), &observed[s * nf..(s + 1) * nf]);
            let (mut sum, mut count) = (T::ZERO, 0usize);
            for i in 0..nf {
                if m[i] {
                    let v = col[i];
                    if !v.is_finite() {
                        return Err(Error::NonFinite(s));
                    }
                    zeroed[s * nf + i] = v;
                    sum += v;
                    count += 1;
                }
            }
            let mean = if count > 0 { sum / T::from_f64(count as f64) } else { T::ZERO };
            for i in 0..nf {
                filled[s * nf + i] = if m[i] { zeroed[s * nf + i] } else { mean };
            }
        }
        Ok(Self { nf, n, zeroed, filled, observed })
    }

    fn mask(&self, s: usize) -> &[bool] {
        &self.observed[s * self.nf..(s + 1) * self.nf]
    }

    fn zeroed(&self, s: usize) -> &[T] {
        &self.zeroed[s * self.nf..(s + 1) * self.nf]
    }

    fn filled(&self, s: usize) -> &[T] {
        &self.filled[s * self.nf..(s + 1) * self.nf]
    }

    /// The initial dictionary of `init`, from the filled signals.
    fn initial(&self, init: &crate::init::Init, k: usize, rng: &mut SplitMix) -> Result<Vec<T>> {
        let signals = Signals::new(MatRef::from_column_major_slice(&self.filled, self.nf, self.n))?;
        init.build_from(&signals, k, rng)
    }

    /// `‖m ⊙ (x − D c)‖²` of signal `s` (the residual written to `r`).
    fn residual(&self, s: usize, dict: &[T], idx: &[u32], val: &[T], r: &mut [T]) -> T {
        let nf = self.nf;
        r.copy_from_slice(self.zeroed(s));
        for (&i, &v) in idx.iter().zip(val) {
            kernels::axpy(-v, &dict[i as usize * nf..(i as usize + 1) * nf], r);
        }
        for (v, &o) in r.iter_mut().zip(self.mask(s)) {
            if !o {
                *v = T::ZERO;
            }
        }
        kernels::norm_sq(r)
    }
}

impl LearnMasked for Valid<OnlineParams> {
    /// Online learning with per-row statistics (see the module notes); the
    /// mini-batch order, forgetting and stopping rules are those of
    /// [`Learn::fit`].
    fn fit_masked_with<T: Real>(
        &self,
        x: MatRef<'_, T>,
        observed: &[bool],
        encoder: &Encoder,
        observer: &mut dyn Observer,
    ) -> Result<Fit<T>> {
        let p = &**self;
        if p.epoch_windows {
            return Err(invalid("epoch_windows", "masked online learning keeps one set of statistics per row: not SPAMS's windows"));
        }
        if p.atom_set.is_some() {
            return Err(invalid("atom_set", "masked online learning keeps its atoms in the unit ball"));
        }
        let data = Incomplete::new(x, observed)?;
        let (nf, n, k) = (data.nf, data.n, p.n_atoms);
        let mut rng = SplitMix(p.seed);
        let mut dict = data.initial(&p.init, k, &mut rng)?;
        sc_linalg::memory::request::<T>(&[&[nf, k, k]], || format!("the masked statistics of {k} atoms over {nf} features"))?;
        // a[(r·k + j)·k + i] = A_r[j, i]; b[j·nf + r] = B_rj; rows[r·k + i] = D_ri.
        let mut a = vec![T::ZERO; nf * k * k];
        let mut b = vec![T::ZERO; nf * k];
        let mut rows = vec![T::ZERO; nf * k];
        let schedule = p.schedule(n, &mut rng)?;
        let (bs, max_steps) = (schedule.batch_size, schedule.max_steps);
        let mut convergence = p.convergence(n);
        let mut records = Vec::new();
        let (mut xb, mut mb) = (Vec::with_capacity(bs * nf), Vec::with_capacity(bs * nf));
        let mut r = vec![T::ZERO; nf];
        let mut old = dict.clone();
        let floor = T::from_f64(1e-6);
        let alpha = T::from_f64(p.alpha);
        let stop = loop {
            if records.len() >= max_steps {
                break StopReason::MaxIter;
            }
            let batch = schedule.batch(records.len());
            xb.clear();
            mb.clear();
            for &s in batch {
                xb.extend_from_slice(data.zeroed(s));
                mb.extend_from_slice(data.mask(s));
            }
            let d = Dictionary::from_column_major(&dict, nf, k)?;
            let codes = encoder.encode_masked(&d, MatRef::from_column_major_slice(&xb, nf, batch.len()), &mb)?;
            // Forget, then add this batch's statistics row by row.
            let nb = batch.len() as f64;
            let beta = T::from_f64(p.forgetting(records.len(), batch.len()));
            a.iter_mut().for_each(|v| *v *= beta);
            b.iter_mut().for_each(|v| *v *= beta);
            let inv = T::ONE / T::from_f64(nb);
            let mut cost = 0.0;
            for (t, &s) in batch.iter().enumerate() {
                let (idx, val) = codes.code(t);
                let m = data.mask(s);
                let frac = T::from_f64(m.iter().filter(|&&o| o).count() as f64 / nf as f64);
                let l1 = val.iter().fold(T::ZERO, |acc, v| acc + v.abs());
                cost += (T::from_f64(0.5) * data.residual(s, &dict, idx, val, &mut r) + alpha * frac * l1).to_f64();
                let xs = data.zeroed(s);
                for row in (0..nf).filter(|&row| m[row]) {
                    for (&i, &vi) in idx.iter().zip(val) {
                        let base = (row * k + i as usize) * k;
                        let wi = vi * inv;
                        for (&j, &vj) in idx.iter().zip(val) {
                            a[base + j as usize] += wi * vj;
                        }
                        b[i as usize * nf + row] += wi * xs[row];
                    }
                }
            }
            // Block coordinate descent, one pass over the atoms.
            for row in 0..nf {
                for i in 0..k {
                    rows[row * k + i] = dict[i * nf + row];
                }
            }
            let mut replaced = 0;
            for j in 0..k {
                let used = (0..nf).fold(T::ZERO, |acc, row| acc + a[(row * k + j) * k + j]) / T::from_f64(nf as f64);
                if used > floor {
                    for row in 0..nf {
                        let base = (row * k + j) * k;
                        let ajj = a[base + j];
                        if ajj > T::EPSILON * used {
                            let s = kernels::dot(&a[base..base + k], &rows[row * k..(row + 1) * k]);
                            dict[j * nf + row] += (b[j * nf + row] - s) / ajj;
                        }
                    }
                } else {
                    replaced += 1;
                    restart_from_signal(data.filled(batch[rng.below(batch.len())]), &mut dict[j * nf..(j + 1) * nf], &mut rng);
                }
                let dj = &mut dict[j * nf..(j + 1) * nf];
                if project_atom(dj, p.positive_dict, &mut rng) {
                    replaced += 1;
                }
                for row in 0..nf {
                    rows[row * k + j] = dj[row];
                }
            }
            let batch_cost = cost / nb;
            records.push(Record { objective: batch_cost, mean_nnz: codes.mean_nnz(), replaced });
            let change = dict.iter().zip(&old).map(|(&u, &v)| ((u - v) * (u - v)).to_f64()).sum::<f64>().sqrt();
            old.copy_from_slice(&dict);
            let why = convergence.update(records.len(), batch_cost, batch.len(), change);
            if observer
                .observe(&Progress {
                    iteration: records.len(),
                    total: Some(max_steps),
                    objective: batch_cost,
                    smoothed: convergence.smoothed_cost(),
                })
                .is_break()
            {
                break StopReason::Observer;
            }
            if let Some(why) = why {
                break why;
            }
        };
        let objective = convergence.smoothed_cost().unwrap_or(records.last().map_or(f64::NAN, |r: &Record| r.objective));
        Ok(Fit { n_features: nf, n_atoms: k, dict, state: None, records, objective, stop, generator: None })
    }
}

impl LearnMasked for Valid<KsvdParams> {
    /// Masked K-SVD (see the module notes): codes by masked OMP, updates
    /// each used atom from the observed entries of its users, replaces
    /// unused and too coherent atoms by the worst-represented signals. The
    /// record's objective is the mean `‖m ⊙ (x − D c)‖²`.
    fn fit_masked_with<T: Real>(
        &self,
        x: MatRef<'_, T>,
        observed: &[bool],
        encoder: &Encoder,
        observer: &mut dyn Observer,
    ) -> Result<Fit<T>> {
        let p = &**self;
        let data = Incomplete::new(x, observed)?;
        let (nf, n, k) = (data.nf, data.n, p.n_atoms);
        let mut rng = SplitMix(p.seed);
        let mut dict = data.initial(&p.init, k, &mut rng)?;
        for j in 0..k {
            if !kernels::normalize(&mut dict[j * nf..(j + 1) * nf]) {
                return Err(Error::ZeroAtom(j));
            }
        }
        let mut records = Vec::new();
        let mut stop = StopReason::MaxIter;
        let mut order: Vec<usize> = (0..k).collect();
        let mut work = MaskedAtom::new(nf);
        let x0 = MatRef::from_column_major_slice(&data.zeroed, nf, n);
        for it in 0..p.iterations {
            let d = Dictionary::from_column_major(&dict, nf, k)?;
            let codes: SparseCodes<T> = encoder.encode_masked(&d, x0, observed)?;
            let mean_nnz = codes.mean_nnz();
            let (_, indptr, indices, mut values) = codes.into_parts();
            let users = Users::new(k, &indptr, &indices);
            rng.shuffle(&mut order);
            let mut to_replace = Vec::new();
            for &j in &order {
                let us = users.of(j);
                if us.is_empty() {
                    to_replace.push(j);
                } else {
                    work.update(j, us, &data, &mut dict, &indptr, &indices, &mut values);
                }
            }
            let errs: Vec<T> = (0..n)
                .into_par_iter()
                .with_min_len(1024)
                .map_init(
                    || vec![T::ZERO; nf],
                    |r, s| data.residual(s, &dict, &indices[indptr[s]..indptr[s + 1]], &values[indptr[s]..indptr[s + 1]], r),
                )
                .collect();
            let err = errs.iter().fold(0.0, |acc, e| acc + e.to_f64()) / n as f64;
            replace_atoms(&mut dict, nf, &errs, &mut to_replace, p.coherence_limit, &mut rng, |s| data.filled(s));
            records.push(Record { objective: err, mean_nnz, replaced: to_replace.len() });
            if observer.observe(&Progress { iteration: it + 1, total: Some(p.iterations), objective: err, smoothed: None }).is_break() {
                stop = StopReason::Observer;
                break;
            }
        }
        let objective = records.last().map_or(f64::NAN, |r| r.objective);
        Ok(Fit { n_features: nf, n_atoms: k, dict, state: None, records, objective, stop, generator: None })
    }
}

/// Scratch memory of one masked K-SVD atom update.
struct MaskedAtom<T> {
    nf: usize,
    /// `Σ_s m_s ⊙ e_s g_s` and `Σ_s m_s g_s²`, per row.
    num: Vec<T>,
    den: Vec<T>,
    /// One user's restricted error `e_s`.
    e: Vec<T>,
    /// The new atom.
    d: Vec<T>,
}

impl<T: Real> MaskedAtom<T> {
    fn new(nf: usize) -> Self {
        Self { nf, num: vec![T::ZERO; nf], den: vec![T::ZERO; nf], e: vec![T::ZERO; nf], d: vec![T::ZERO; nf] }
    }

    /// `e ← m ⊙ (x_s − Σ_{i≠j} c_si d_i)` for the user whose coefficient of
    /// atom `j` sits at position `p`.
    #[allow(clippy::too_many_arguments)]
    fn error(e: &mut [T], data: &Incomplete<'_, T>, dict: &[T], s: usize, p: usize, indptr: &[usize], indices: &[u32], values: &[T]) {
        let nf = data.nf;
        e.copy_from_slice(data.zeroed(s));
        for q in indptr[s]..indptr[s + 1] {
            if q != p {
                let i = indices[q] as usize;
                kernels::axpy(-values[q], &dict[i * nf..(i + 1) * nf], e);
            }
        }
        for (v, &o) in e.iter_mut().zip(data.mask(s)) {
            if !o {
                *v = T::ZERO;
            }
        }
    }

    /// Atom `j` ← the row-wise weighted fit `Σ m e g / Σ m g²` (rows no user
    /// observes keep their value), normalised; then each user's coefficient
    /// ← `⟨m ⊙ d, e⟩ / ‖m ⊙ d‖²`.
    #[allow(clippy::too_many_arguments)]
    fn update(
        &mut self,
        j: usize,
        users: &[(u32, u32)],
        data: &Incomplete<'_, T>,
        dict: &mut [T],
        indptr: &[usize],
        indices: &[u32],
        values: &mut [T],
    ) {
        let nf = self.nf;
        let Self { num, den, e, d, .. } = self;
        num.fill(T::ZERO);
        den.fill(T::ZERO);
        for &(s, p) in users {
            let (s, p) = (s as usize, p as usize);
            Self::error(e, data, dict, s, p, indptr, indices, values);
            let g = values[p];
            for (r, &o) in data.mask(s).iter().enumerate() {
                if o {
                    num[r] += e[r] * g;
                    den[r] += g * g;
                }
            }
        }
        d.copy_from_slice(&dict[j * nf..(j + 1) * nf]);
        for r in 0..nf {
            if den[r] > T::ZERO {
                d[r] = num[r] / den[r];
            }
        }
        if !kernels::normalize(d) {
            return;
        }
        dict[j * nf..(j + 1) * nf].copy_from_slice(d);
        for &(s, p) in users {
            let (s, p) = (s as usize, p as usize);
            Self::error(e, data, dict, s, p, indptr, indices, values);
            let (mut dot, mut norm) = (T::ZERO, T::ZERO);
            for (r, &o) in data.mask(s).iter().enumerate() {
                if o {
                    dot += d[r] * e[r];
                    norm += d[r] * d[r];
                }
            }
            values[p] = if norm > T::ZERO { dot / norm } else { T::ZERO };
        }
    }
}
