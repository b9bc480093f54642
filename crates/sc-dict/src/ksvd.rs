//! K-SVD (Aharon, Elad & Bruckstein, "K-SVD: an algorithm for designing
//! overcomplete dictionaries for sparse representation", IEEE TSP 2006),
//! with Batch-OMP coding.
//!
//! Each iteration codes every signal with OMP, then updates the atoms one by
//! one in a random order. The error restricted to an atom's users, `E`, is
//! never formed for the approximate update (Rubinstein, Zibulevsky & Elad
//! 2008, alg. 5: `d = E g / ‖E g‖`, `g = Eᵀd`, one alternating step): both
//! products are taken from the signals and the codes directly, so no
//! residual matrix is kept; the exact update takes the leading singular
//! pair of `E` (eigenvector of the small `E Eᵀ`). Then, as KSVD-Box's `cleardict` does, atoms that no signal used
//! and atoms too close to another (`|⟨d_i, d_j⟩| > 0.99`) are replaced by the
//! worst-represented signals.

use faer::{Mat, MatRef, Side};
use rayon::prelude::*;
use sc_linalg::{Real, kernels};
use sc_solvers::{Encode, Encoder, default_n_nonzero};

use crate::atoms::{Codes, Users, replace_atoms};
use crate::error::{Error, Result, invalid};
use crate::init::Init;
use crate::learner::{Fit, Learn, Record, StopReason, Valid, goal_atom_cap};
use crate::progress::{Observer, Progress};
use crate::rng::SplitMix;
use crate::signals::Signals;

/// Parameters of K-SVD.
#[derive(Debug, Clone, PartialEq)]
pub struct KsvdParams {
    /// Number of atoms.
    pub n_atoms: usize,
    /// OMP: atoms per signal (used when `tol` is `None`; `None`:
    /// scikit-learn's rule for OMP, [`sc_solvers::default_n_nonzero`] of the
    /// signal length and the atoms).
    pub n_nonzero: Option<usize>,
    /// OMP: squared-residual goal per signal (error-constrained K-SVD).
    pub tol: Option<f64>,
    /// OMP: cap on atoms per signal under `tol` (default
    /// [`goal_atom_cap`], half the signal length).
    pub max_nonzero: Option<usize>,
    /// Iterations.
    pub iterations: usize,
    /// Exact rank-1 SVD updates instead of the approximate step.
    pub exact: bool,
    /// Initial dictionary.
    pub init: Init,
    /// Seed of the atom order and the initialisation.
    pub seed: u64,
    /// Replace atoms whose coherence with another exceeds this.
    pub coherence_limit: f64,
}

impl KsvdParams {
    /// Iterations by default. Twenty: with the error goal, 256 atoms and
    /// 65,000 noisy 8×8 patches, K-SVD at 20 iterations codes to fewer atoms
    /// per patch than SPAMS's online `trainDL` after 10 epochs (its mode 4,
    /// 1,270 steps of 512) on each of six images (camera, moon, coins,
    /// astronaut, brick, text), in a third to a fifteenth of its time; at 10
    /// it needed 1–3% more atoms on three of them.
    pub const ITERATIONS: usize = 20;

    /// Approximate K-SVD, [`KsvdParams::ITERATIONS`] iterations, scikit-learn's
    /// OMP sparsity ([`sc_solvers::default_n_nonzero`]), data init.
    pub fn new(n_atoms: usize) -> Self {
        Self {
            n_atoms,
            n_nonzero: None,
            tol: None,
            max_nonzero: None,
            iterations: Self::ITERATIONS,
            exact: false,
            init: Init::Data,
            seed: 0,
            coherence_limit: 0.99,
        }
    }

    /// Checks every field.
    pub fn check(&self) -> Result<Valid<Self>> {
        let k = self.n_atoms;
        if k == 0 {
            return Err(invalid("n_atoms", "must be at least 1"));
        }
        match self.tol {
            None if self.n_nonzero.is_some_and(|n| n == 0 || n > k) => {
                return Err(invalid("n_nonzero", format!("must be between 1 and {k}")));
            }
            Some(t) if !(t >= 0.0 && t.is_finite()) => return Err(invalid("tol", "must be finite and ≥ 0")),
            _ => {}
        }
        if self.max_nonzero == Some(0) {
            return Err(invalid("max_nonzero", "must be at least 1"));
        }
        if self.iterations == 0 {
            return Err(invalid("iterations", "must be at least 1"));
        }
        if !(self.coherence_limit > 0.0 && self.coherence_limit <= 1.0) {
            return Err(invalid("coherence_limit", "must be in (0, 1]"));
        }
        Ok(Valid::new(self.clone()))
    }

    /// Atoms per signal for signals of length `n_features`: `n_nonzero`, or
    /// scikit-learn's rule ([`default_n_nonzero`]) when it is `None`.
    pub fn n_nonzero_for(&self, n_features: usize) -> usize {
        self.n_nonzero.unwrap_or(default_n_nonzero(n_features, self.n_atoms))
    }

    /// The coder of [`Learn::fit`]: OMP with `n_nonzero` atoms, or to the
    /// goal `tol` with at most `max_nonzero` atoms, for signals of length
    /// `n_features`.
    pub fn encoder(&self, n_features: usize) -> Encoder {
        match self.tol {
            Some(t) => Encoder::omp_tol(t).max_iter(self.max_nonzero.unwrap_or(goal_atom_cap(n_features, self.n_atoms)).min(self.n_atoms)),
            None => Encoder::omp(self.n_nonzero_for(n_features)),
        }
    }
}

impl Learn for Valid<KsvdParams> {
    fn encoder(&self, n_features: usize) -> Encoder {
        KsvdParams::encoder(self, n_features)
    }

    /// K-SVD on the columns of `x` (n_features × n_samples). The monotone
    /// safeguard (a signal keeps its previous code when it fit better)
    /// applies when `tol` is `None`, i.e. with a fixed number of atoms.
    fn fit_with<T: Real>(&self, x: MatRef<'_, T>, encoder: &dyn Encode<T>, observer: &mut dyn Observer) -> Result<Fit<T>> {
        let params = &**self;
        let data = Signals::new(x)?;
        let (nf, n) = (data.nf(), data.len());
        let k = params.n_atoms;
        let mut rng = SplitMix(params.seed);
        let mut dict = params.init.build_from(&data, k, &mut rng)?;
        for j in 0..k {
            if !kernels::normalize(&mut dict[j * nf..(j + 1) * nf]) {
                return Err(Error::ZeroAtom(j));
            }
        }
        let mut records = Vec::new();
        let mut stop = StopReason::MaxIter;
        let mut order: Vec<usize> = (0..k).collect();
        let mut work = AtomWork::new(nf, k);
        // The previous iteration's codes (indptr, indices, values) and
        // per-signal errors (after its atom updates), for the monotone safeguard.
        let mut prev: Option<Previous<T>> = None;
        for it in 0..params.iterations {
            let d = sc_solvers::Dictionary::from_column_major(&dict, nf, k)?;
            let codes = encoder.encode(&d, data.matrix())?;
            let (_, mut indptr, mut indices, mut values) = codes.into_parts();
            // With a fixed number of atoms, a signal whose previous code (same
            // sparsity, over atoms not replaced since) fits better keeps it: OMP
            // is greedy, and this makes the error monotone across iterations.
            if let (None, Some((pi, px, pv, perr))) = (params.tol, prev.as_ref()) {
                let errs = signal_errors(&dict, &data, &indptr, &indices, &values);
                let (mut ni, mut nx, mut nv) =
                    (Vec::with_capacity(indptr.len()), Vec::with_capacity(indices.len()), Vec::with_capacity(values.len()));
                ni.push(0);
                for s in 0..n {
                    if perr[s] < errs[s] {
                        nx.extend_from_slice(&px[pi[s]..pi[s + 1]]);
                        nv.extend_from_slice(&pv[pi[s]..pi[s + 1]]);
                    } else {
                        nx.extend_from_slice(&indices[indptr[s]..indptr[s + 1]]);
                        nv.extend_from_slice(&values[indptr[s]..indptr[s + 1]]);
                    }
                    ni.push(nx.len());
                }
                (indptr, indices, values) = (ni, nx, nv);
            }
            let mean_nnz = indices.len() as f64 / n as f64;
            let users = Users::new(k, &indptr, &indices);
            rng.shuffle(&mut order);
            let mut unused = Vec::new();
            for &j in &order {
                let us = users.of(j);
                if us.is_empty() {
                    unused.push(j);
                    continue;
                }
                let codes = Codes { indptr: &indptr, indices: &indices };
                work.update_atom(j, us, &data, &mut dict, codes, &mut values, params.exact)?;
            }
            let errs = signal_errors(&dict, &data, &indptr, &indices, &values);
            let err = errs.iter().fold(0.0, |a, e| a + e.to_f64()) / n as f64;
            // Replace unused and too-coherent atoms by the worst-represented signals.
            let mut to_replace = unused;
            replace_atoms(&mut dict, nf, &errs, &mut to_replace, params.coherence_limit, &mut rng, |s| data.col(s));
            records.push(Record { objective: err, mean_nnz, replaced: to_replace.len() });
            prev = if to_replace.is_empty() { Some((indptr, indices, values, errs)) } else { None };
            if observer.observe(&Progress { iteration: it + 1, total: Some(params.iterations), objective: err, smoothed: None }).is_break()
            {
                stop = StopReason::Observer;
                break;
            }
        }
        let objective = records.last().map_or(f64::NAN, |r| r.objective);
        Ok(Fit { n_features: nf, n_atoms: k, dict, state: None, records, objective, stop, generator: None })
    }
}

/// A K-SVD iteration's codes (indptr, indices, values) and per-signal errors.
type Previous<T> = (Vec<usize>, Vec<u32>, Vec<T>, Vec<T>);

/// `‖x_s − D c_s‖²` for every signal (parallel over signals; each value is
/// computed the same way whatever the thread count).
fn signal_errors<T: Real>(dict: &[T], data: &Signals<'_, T>, indptr: &[usize], indices: &[u32], values: &[T]) -> Vec<T> {
    let nf = data.nf();
    (0..indptr.len() - 1)
        .into_par_iter()
        .with_min_len(1024)
        .map_init(
            || vec![T::ZERO; nf],
            |r, s| {
                r.copy_from_slice(data.col(s));
                for q in indptr[s]..indptr[s + 1] {
                    let i = indices[q] as usize;
                    kernels::axpy(-values[q], &dict[i * nf..(i + 1) * nf], r);
                }
                kernels::norm_sq(r)
            },
        )
        .collect()
}

/// Scratch memory of one atom update, reused across atoms and iterations.
struct AtomWork<T> {
    nf: usize,
    dnew: Vec<T>,
    /// `h_i = Σ_s g_s c_si` over the atoms `i ≠ j` that share a signal with `j`.
    h: Vec<T>,
    /// Which atoms are in `touched`.
    mark: Vec<bool>,
    /// The atoms sharing a signal with `j`, in first-seen order.
    touched: Vec<usize>,
}

impl<T: Real> AtomWork<T> {
    fn new(nf: usize, k: usize) -> Self {
        Self { nf, dnew: vec![T::ZERO; nf], h: vec![T::ZERO; k], mark: vec![false; k], touched: Vec::new() }
    }

    /// Updates atom `j` and its coefficients in place. The restricted error
    /// `E` has a column `e_s = x_s − Σ_{i≠j} c_si d_i` per user `s`; it is
    /// formed only by the exact update. The approximate one takes
    /// `d = E g / ‖E g‖` with `E g = Σ_s g_s x_s − Σ_i h_i d_i`, then
    /// `g_s = e_sᵀ d = x_sᵀ d − Σ_{i≠j} c_si (d_iᵀ d)`: two reads of each
    /// user's signal, no residual matrix to keep in step.
    #[allow(clippy::too_many_arguments)]
    fn update_atom(
        &mut self,
        j: usize,
        users: &[(u32, u32)],
        data: &Signals<'_, T>,
        dict: &mut [T],
        codes: Codes<'_>,
        values: &mut [T],
        exact: bool,
    ) -> Result<()> {
        let nf = self.nf;
        let Self { dnew, h, mark, touched, .. } = self;
        touched.clear();
        for &(s, p) in users {
            let g = values[p as usize];
            for q in codes.indptr[s as usize]..codes.indptr[s as usize + 1] {
                let i = codes.indices[q] as usize;
                if i != j {
                    if !mark[i] {
                        mark[i] = true;
                        touched.push(i);
                    }
                    h[i] += g * values[q];
                }
            }
        }
        let x = |s: u32| data.col(s as usize);
        if exact {
            // Leading left singular vector of E, from the small E Eᵀ (in f64).
            let e = Mat::<f64>::from_fn(nf, users.len(), |r, c| {
                let (s, p) = users[c];
                let mut v = x(s)[r];
                for q in codes.indptr[s as usize]..codes.indptr[s as usize + 1] {
                    if q != p as usize {
                        v -= values[q] * dict[codes.indices[q] as usize * nf + r];
                    }
                }
                v.to_f64()
            });
            let m = &e * e.transpose();
            let evd = m.self_adjoint_eigen(Side::Lower).map_err(|_| Error::Eigensolver { atom: j })?;
            let u = evd.U();
            for (r, v) in dnew.iter_mut().enumerate() {
                *v = T::from_f64(u[(r, nf - 1)]);
            }
        } else {
            dnew.fill(T::ZERO);
            const AHEAD: usize = 4;
            for &(s, _) in users.iter().take(AHEAD) {
                kernels::prefetch(x(s));
            }
            for (u, &(s, p)) in users.iter().enumerate() {
                if let Some(&(ahead, _)) = users.get(u + AHEAD) {
                    kernels::prefetch(x(ahead));
                }
                kernels::axpy(values[p as usize], x(s), dnew);
            }
            for &i in touched.iter() {
                kernels::axpy(-h[i], &dict[i * nf..(i + 1) * nf], dnew);
            }
        }
        // h now holds q_i = d_iᵀ d for the touched atoms.
        let ok = kernels::normalize(dnew);
        for &i in touched.iter() {
            h[i] = if ok { kernels::dot(&dict[i * nf..(i + 1) * nf], dnew) } else { T::ZERO };
        }
        if ok {
            for &(s, p) in users {
                let mut g = kernels::dot(x(s), dnew);
                for q in codes.indptr[s as usize]..codes.indptr[s as usize + 1] {
                    if q != p as usize {
                        g -= values[q] * h[codes.indices[q] as usize];
                    }
                }
                values[p as usize] = g;
            }
            dict[j * nf..(j + 1) * nf].copy_from_slice(dnew);
        }
        for &i in touched.iter() {
            h[i] = T::ZERO;
            mark[i] = false;
        }
        Ok(())
    }
}
