//! K-SVD (Aharon, Elad & Bruckstein, "K-SVD: an algorithm for designing
//! overcomplete dictionaries for sparse representation", IEEE TSP 2006),
//! with Batch-OMP coding.
//!
//! Each iteration codes every signal with OMP, then updates the atoms one by
//! one in a random order. The residual `R = X − DC` is kept, so the error
//! restricted to an atom's users is `E = R_I + d_j g_I` and is never formed
//! for the approximate update (Rubinstein, Zibulevsky & Elad 2008, alg. 5:
//! `d = E g / ‖E g‖`, `g = Eᵀd`, one alternating step); the exact update
//! takes the leading singular pair of `E` (eigenvector of the small
//! `E Eᵀ`). Then, as KSVD-Box's `cleardict` does, atoms that no signal used
//! and atoms too close to another (`|⟨d_i, d_j⟩| > 0.99`) are replaced by the
//! worst-represented signals.

use faer::{Mat, MatRef, Side};
use sc_linalg::{Real, kernels};
use sc_solvers::Encoder;

use crate::error::{Error, Result, invalid};
use crate::init::Init;
use crate::online::check_signals;
use crate::progress::{Observer, Progress};
use crate::rng::SplitMix;

/// Parameters of K-SVD.
#[derive(Debug, Clone, PartialEq)]
pub struct KsvdParams {
    /// Number of atoms.
    pub n_atoms: usize,
    /// OMP: atoms per signal (used when `tol` is `None`).
    pub n_nonzero: usize,
    /// OMP: squared-residual goal per signal (error-constrained K-SVD).
    pub tol: Option<f64>,
    /// OMP: cap on atoms per signal under `tol` (default `n_features / 2`).
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
    /// Approximate K-SVD, 10 iterations, 8 atoms per signal, data init.
    pub fn new(n_atoms: usize) -> Self {
        Self {
            n_atoms,
            n_nonzero: 8,
            tol: None,
            max_nonzero: None,
            iterations: 10,
            exact: false,
            init: Init::Data,
            seed: 0,
            coherence_limit: 0.99,
        }
    }
}

/// The outcome of K-SVD.
#[derive(Debug, Clone, PartialEq)]
pub struct KsvdFit {
    /// The dictionary, column-major (n_features × n_atoms), unit atoms.
    pub dict: Vec<f64>,
    /// Signal length.
    pub n_features: usize,
    /// Iterations run.
    pub iterations: usize,
    /// `‖X − DC‖²_F / n_samples` after each iteration's atom updates.
    pub objective: Vec<f64>,
    /// Mean atoms per signal of each iteration's coding.
    pub mean_nnz: Vec<f64>,
    /// Atoms replaced in each iteration.
    pub replaced: Vec<usize>,
}

fn normalise(d: &mut [f64]) -> bool {
    let n = kernels::norm_sq(d).sqrt();
    if n > 0.0 {
        d.iter_mut().for_each(|v| *v /= n);
        true
    } else {
        false
    }
}

/// K-SVD on the columns of `x` (n_features × n_samples).
pub fn fit_ksvd<T: Real>(params: &KsvdParams, x: MatRef<'_, T>, observer: &mut dyn Observer) -> Result<KsvdFit> {
    let (nf, n) = (x.nrows(), x.ncols());
    let k = params.n_atoms;
    if k == 0 || nf == 0 || n == 0 {
        return Err(invalid("n_atoms", "atoms, features and signals must all be at least 1"));
    }
    if params.tol.is_none() && (params.n_nonzero == 0 || params.n_nonzero > k) {
        return Err(invalid("n_nonzero", format!("must be between 1 and {k}")));
    }
    let data = check_signals(x)?;
    let mut rng = SplitMix(params.seed);
    let mut dict = params.init.build(&data, nf, k, &mut rng)?;
    for j in 0..k {
        if !normalise(&mut dict[j * nf..(j + 1) * nf]) {
            return Err(Error::Dimension(format!("initial atom {j} is zero")));
        }
    }
    let encoder = match params.tol {
        Some(t) => Encoder::omp_tol(t).max_iter(params.max_nonzero.unwrap_or((nf / 2).max(1)).min(k)),
        None => Encoder::omp(params.n_nonzero),
    };
    let mut fit = KsvdFit { dict: Vec::new(), n_features: nf, iterations: 0, objective: vec![], mean_nnz: vec![], replaced: vec![] };
    let mut resid = vec![0.0; nf * n];
    let mut order: Vec<usize> = (0..k).collect();
    // The previous iteration's codes and per-signal errors (after its atom
    // updates), for the monotone safeguard.
    let mut prev: Option<(Vec<usize>, Vec<u32>, Vec<f64>, Vec<f64>)> = None;
    for it in 0..params.iterations {
        let d = sc_solvers::Dictionary::from_column_major(&dict, nf, k)?;
        let codes = encoder.encode(&d, MatRef::from_column_major_slice(&data, nf, n))?;
        let (_, mut indptr, mut indices, mut values) = codes.into_parts();
        // Residual and, per atom, the positions of its coefficients.
        resid.copy_from_slice(&data);
        for s in 0..n {
            let codes_s = indptr[s]..indptr[s + 1];
            d.accumulate(-1.0, &indices[codes_s.clone()], &values[codes_s], &mut resid[s * nf..(s + 1) * nf]);
        }
        // With a fixed number of atoms, a signal whose previous code (same
        // sparsity, over atoms not replaced since) fits better keeps it: OMP
        // is greedy, and this makes the error monotone across iterations.
        if let (None, Some((pi, px, pv, perr))) = (params.tol, prev.as_ref()) {
            let (mut ni, mut nx, mut nv) =
                (Vec::with_capacity(indptr.len()), Vec::with_capacity(indices.len()), Vec::with_capacity(values.len()));
            ni.push(0);
            for s in 0..n {
                let r = &mut resid[s * nf..(s + 1) * nf];
                let keep_old = perr[s] < kernels::norm_sq(r);
                if keep_old {
                    r.copy_from_slice(&data[s * nf..(s + 1) * nf]);
                    d.accumulate(-1.0, &px[pi[s]..pi[s + 1]], &pv[pi[s]..pi[s + 1]], r);
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
        fit.mean_nnz.push(indices.len() as f64 / n as f64);
        let mut users: Vec<Vec<(u32, u32)>> = vec![Vec::new(); k];
        for s in 0..n {
            for p in indptr[s]..indptr[s + 1] {
                users[indices[p] as usize].push((s as u32, p as u32));
            }
        }
        rng.shuffle(&mut order);
        let mut unused = Vec::new();
        let mut dnew = vec![0.0; nf];
        for &j in &order {
            let us = &users[j];
            if us.is_empty() {
                unused.push(j);
                continue;
            }
            let dj: Vec<f64> = dict[j * nf..(j + 1) * nf].to_vec();
            if params.exact {
                // E = R_I + d_j g_Iᵀ; leading left singular vector of E from E Eᵀ.
                let e = Mat::<f64>::from_fn(nf, us.len(), |i, c| {
                    let (s, p) = us[c];
                    resid[s as usize * nf + i] + dj[i] * values[p as usize]
                });
                let m = &e * e.transpose();
                let evd = m.self_adjoint_eigen(Side::Lower).map_err(|_| Error::Dimension("eigensolver failed".into()))?;
                let u = evd.U();
                for i in 0..nf {
                    dnew[i] = u[(i, nf - 1)];
                }
            } else {
                // d = E g = R_I g + d_j (gᵀg)
                let mut gg = 0.0;
                dnew.fill(0.0);
                for &(s, p) in us {
                    let g = values[p as usize];
                    gg += g * g;
                    kernels::axpy(g, &resid[s as usize * nf..(s as usize + 1) * nf], &mut dnew);
                }
                kernels::axpy(gg, &dj, &mut dnew);
            }
            if !normalise(&mut dnew) {
                continue;
            }
            // g = Eᵀ d = R_Iᵀ d + g (d_jᵀ d); R_I += d_j g_old − d g_new.
            let djd = kernels::dot(&dj, &dnew);
            for &(s, p) in us {
                let r = &mut resid[s as usize * nf..(s as usize + 1) * nf];
                let g_old = values[p as usize];
                let g_new = kernels::dot(r, &dnew) + g_old * djd;
                for i in 0..nf {
                    r[i] += dj[i] * g_old - dnew[i] * g_new;
                }
                values[p as usize] = g_new;
            }
            dict[j * nf..(j + 1) * nf].copy_from_slice(&dnew);
        }
        let err = kernels::norm_sq(&resid) / n as f64;
        fit.objective.push(err);
        // Replace unused and too-coherent atoms by the worst-represented signals.
        let mut to_replace = unused;
        for j in 0..k {
            if to_replace.contains(&j) {
                continue;
            }
            let dj = &dict[j * nf..(j + 1) * nf];
            if (0..j).any(|i| !to_replace.contains(&i) && kernels::dot(dj, &dict[i * nf..(i + 1) * nf]).abs() > params.coherence_limit) {
                to_replace.push(j);
            }
        }
        if !to_replace.is_empty() {
            let mut errs: Vec<(f64, usize)> = (0..n).map(|s| (kernels::norm_sq(&resid[s * nf..(s + 1) * nf]), s)).collect();
            errs.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)));
            let mut next = errs.iter().map(|e| e.1);
            for &j in &to_replace {
                let s = next.next().unwrap_or_else(|| rng.below(n));
                let d = &mut dict[j * nf..(j + 1) * nf];
                d.copy_from_slice(&data[s * nf..(s + 1) * nf]);
                if !normalise(d) {
                    d.iter_mut().for_each(|v| *v = rng.normal());
                    normalise(d);
                }
            }
        }
        fit.replaced.push(to_replace.len());
        prev = if to_replace.is_empty() {
            let errs = (0..n).map(|s| kernels::norm_sq(&resid[s * nf..(s + 1) * nf])).collect();
            Some((indptr, indices, values, errs))
        } else {
            None
        };
        fit.iterations = it + 1;
        if observer.observe(&Progress { iteration: it + 1, total: Some(params.iterations), objective: err }).is_break() {
            break;
        }
    }
    fit.dict = dict;
    Ok(fit)
}
