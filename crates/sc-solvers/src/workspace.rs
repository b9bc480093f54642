//! Per-thread scratch memory and the sink that collects codes.

use sc_linalg::{IncrementalCholesky, Real};

/// Scratch memory for coding one signal at a time, allocated once per chunk
/// of signals and reused, so that the per-signal loops never allocate.
pub(crate) struct Workspace<T: Real> {
    /// Correlations with the current residual (n_atoms).
    pub corr: Vec<T>,
    /// A second n_atoms vector (directions, previous gradients).
    pub beta: Vec<T>,
    /// Dense code (n_atoms).
    pub c: Vec<T>,
    /// Previous dense code (n_atoms), for FISTA; forward selection's gains.
    pub c_prev: Vec<T>,
    /// FISTA's next iterate (n_atoms), before it takes `c_prev`'s place;
    /// between steps, ISTA's and FISTA's gathered non-zero values.
    pub c_next: Vec<T>,
    /// Whether each atom is active (n_atoms).
    pub mask: Vec<bool>,
    /// Active atoms in Cholesky order (capacity `cap`).
    pub active: Vec<usize>,
    /// Coefficients of the active atoms (cap).
    pub gamma: Vec<T>,
    /// A Gram column restricted to the active set (cap).
    pub gcol: Vec<T>,
    /// Signs of the active correlations (cap).
    pub signs: Vec<T>,
    /// A direction over the active set (cap).
    pub u: Vec<T>,
    /// Cholesky factor of the active sub-Gram matrix.
    pub chol: IncrementalCholesky<T>,
    /// `P = G_{·I} L⁻ᵀ`, one n_atoms column per active atom (cap columns).
    pub proj: Vec<T>,
    /// `0, 1, …, cap−1`: column indices into `proj`.
    pub iota: Vec<usize>,
    /// Coordinate descent's active set: the coordinates a full pass left
    /// non-zero (capacity n_atoms); ISTA's and FISTA's gathered non-zeros.
    pub support: Vec<usize>,
}

impl<T: Real> Workspace<T> {
    pub fn new(n_atoms: usize, cap: usize) -> Self {
        Self {
            corr: vec![T::ZERO; n_atoms],
            beta: vec![T::ZERO; n_atoms],
            c: vec![T::ZERO; n_atoms],
            c_prev: vec![T::ZERO; n_atoms],
            c_next: vec![T::ZERO; n_atoms],
            mask: vec![false; n_atoms],
            active: Vec::with_capacity(cap),
            gamma: vec![T::ZERO; cap],
            gcol: vec![T::ZERO; cap],
            signs: Vec::with_capacity(cap),
            u: vec![T::ZERO; cap],
            chol: IncrementalCholesky::with_capacity(cap),
            proj: vec![T::ZERO; n_atoms * cap],
            iota: (0..cap).collect(),
            support: Vec::with_capacity(n_atoms),
        }
    }
}

/// Appends codes, one signal after the other, to a chunk's output buffers.
pub(crate) struct CodeSink<'a, T> {
    pub indices: &'a mut Vec<u32>,
    pub values: &'a mut Vec<T>,
}

impl<T: Real> CodeSink<'_, T> {
    /// Appends `(idx[i], val[i])` in increasing index order, skipping exact
    /// zeros.
    #[inline(always)]
    pub fn push_unsorted(&mut self, idx: &[usize], val: &[T]) {
        let start = self.indices.len();
        for (&i, &v) in idx.iter().zip(val) {
            if v != T::ZERO {
                self.indices.push(i as u32);
                self.values.push(v);
            }
        }
        // Insertion sort of the tail (a handful of entries).
        let (ind, vals) = (&mut self.indices[start..], &mut self.values[start..]);
        for a in 1..ind.len() {
            let mut p = a;
            while p > 0 && ind[p - 1] > ind[p] {
                ind.swap(p - 1, p);
                vals.swap(p - 1, p);
                p -= 1;
            }
        }
    }

    /// Appends the non-zero entries of a dense code.
    #[inline(always)]
    pub fn push_dense(&mut self, c: &[T]) {
        let Self { indices, values } = self;
        sc_linalg::kernels::for_each_nonzero(c, |i, v| {
            indices.push(i as u32);
            values.push(v);
        });
    }
}
