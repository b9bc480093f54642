//! Atom helpers shared by the learners: a unit atom from a signal or at
//! random, the restart of an unused atom, the projection after an update,
//! the replacement of unused and too-coherent atoms, and the codes' users
//! of each atom.

use sc_linalg::{Real, kernels};
use sc_solvers::prox::Projection;

use crate::rng::{Draw, SplitMix};

/// `atom` ← `signal` scaled to unit norm, or a random unit atom if the
/// signal is zero (initialisation, and K-SVD's replacement of atoms).
pub(crate) fn unit_atom_from<T: Real>(signal: &[T], atom: &mut [T], rng: &mut impl Draw) {
    atom.copy_from_slice(signal);
    if !kernels::normalize(atom) {
        random_unit_atom(atom, rng);
    }
}

/// `atom` ← a random unit vector (Gaussian draws, normalised).
pub(crate) fn random_unit_atom<T: Real>(atom: &mut [T], rng: &mut impl Draw) {
    atom.iter_mut().for_each(|v| *v = T::from_f64(rng.normal()));
    kernels::normalize(atom);
}

/// An unused atom restarts as the signal `x` plus Gaussian noise of 1% of
/// its standard deviation (1% if it is constant), as scikit-learn's
/// `_update_dict` restarts it.
pub(crate) fn restart_from_signal<T: Real>(x: &[T], atom: &mut [T], rng: &mut impl Draw) {
    let nft = T::from_f64(x.len() as f64);
    let mean = x.iter().fold(T::ZERO, |a, &v| a + v) / nft;
    let std = (x.iter().fold(T::ZERO, |a, &v| a + (v - mean) * (v - mean)) / nft).sqrt();
    let level = T::from_f64(0.01) * if std > T::ZERO { std } else { T::ONE };
    for (d, &v) in atom.iter_mut().zip(x) {
        *d = v + level * T::from_f64(rng.normal());
    }
}

/// Projects an atom on the constraint set after its update: clipped at 0
/// under `positive`, scaled into the unit ball; a zero atom, which cannot
/// be coded with, restarts at random (returns true then).
pub(crate) fn project_atom<T: Real>(atom: &mut [T], positive: bool, rng: &mut impl Draw) -> bool {
    if positive {
        atom.iter_mut().for_each(|v| *v = v.max(T::ZERO));
    }
    let norm = kernels::norm_sq(atom).sqrt();
    if norm > T::ONE {
        atom.iter_mut().for_each(|v| *v /= norm);
    }
    if norm == T::ZERO {
        random_unit_atom(atom, rng);
        return true;
    }
    false
}

/// Projects an atom on `set` (clipped at 0 first under `positive`, where
/// the set allows it); a zero atom restarts at random, projected too
/// (returns true then).
pub(crate) fn project_on<T: Real>(atom: &mut [T], set: &Projection<T>, positive: bool, scratch: &mut Vec<T>, rng: &mut impl Draw) -> bool {
    set.apply(atom, positive, scratch);
    if atom.iter().any(|&v| v != T::ZERO) {
        return false;
    }
    random_unit_atom(atom, rng);
    set.apply(atom, positive, scratch);
    true
}

/// Adds to `to_replace` (the unused atoms) every atom whose coherence with
/// an earlier atom kept exceeds `coherence_limit`, then restarts each of
/// them, in that order, as the unit-norm signal (`signal(s)`) with the next
/// largest error in `errs` (ties by index; a random signal once all are
/// used). Shared by K-SVD and masked K-SVD.
pub(crate) fn replace_atoms<'a, T: Real>(
    dict: &mut [T],
    nf: usize,
    errs: &[T],
    to_replace: &mut Vec<usize>,
    coherence_limit: f64,
    rng: &mut SplitMix,
    signal: impl Fn(usize) -> &'a [T],
) {
    let k = dict.len() / nf;
    let n = errs.len();
    let limit = T::from_f64(coherence_limit);
    for j in 0..k {
        if to_replace.contains(&j) {
            continue;
        }
        let dj = &dict[j * nf..(j + 1) * nf];
        if (0..j).any(|i| !to_replace.contains(&i) && kernels::dot(dj, &dict[i * nf..(i + 1) * nf]).abs() > limit) {
            to_replace.push(j);
        }
    }
    if !to_replace.is_empty() {
        let mut ranked: Vec<(T, usize)> = errs.iter().copied().zip(0..n).collect();
        ranked.sort_by(|a, b| b.0.partial_cmp(&a.0).unwrap_or(std::cmp::Ordering::Equal).then(a.1.cmp(&b.1)));
        let mut next = ranked.iter().map(|e| e.1);
        for &j in to_replace.iter() {
            let s = next.next().unwrap_or_else(|| rng.below(n));
            unit_atom_from(signal(s), &mut dict[j * nf..(j + 1) * nf], rng);
        }
    }
}

/// The codes' sparsity pattern (compressed columns: signal `s` uses atoms
/// `indices[indptr[s]..indptr[s + 1]]`).
#[derive(Clone, Copy)]
pub(crate) struct Codes<'a> {
    pub(crate) indptr: &'a [usize],
    pub(crate) indices: &'a [u32],
}

/// For each atom, its users: `(signal, position of the coefficient)`, in
/// increasing signal order (compressed rows of the code matrix).
pub(crate) struct Users {
    start: Vec<usize>,
    entries: Vec<(u32, u32)>,
}

impl Users {
    pub(crate) fn new(k: usize, indptr: &[usize], indices: &[u32]) -> Self {
        let mut start = vec![0usize; k + 1];
        for &i in indices {
            start[i as usize + 1] += 1;
        }
        for j in 0..k {
            start[j + 1] += start[j];
        }
        let mut fill = start.clone();
        let mut entries = vec![(0u32, 0u32); indices.len()];
        for s in 0..indptr.len() - 1 {
            for p in indptr[s]..indptr[s + 1] {
                let j = indices[p] as usize;
                entries[fill[j]] = (s as u32, p as u32);
                fill[j] += 1;
            }
        }
        Self { start, entries }
    }

    pub(crate) fn of(&self, j: usize) -> &[(u32, u32)] {
        &self.entries[self.start[j]..self.start[j + 1]]
    }
}
