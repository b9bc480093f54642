//! Sparse codes in compressed-column form.

use faer::Mat;
use rayon::prelude::*;
use sc_linalg::Real;

use crate::error::{Error, Result};

/// The sparse codes of `n_samples` signals over `n_atoms` atoms, stored by
/// signal: for signal `s`, the atom indices `indices[indptr[s]..indptr[s+1]]`
/// (increasing) and their coefficients in `values`.
///
/// Seen from NumPy, this is exactly a SciPy CSR matrix of shape
/// `(n_samples, n_atoms)`: same `indptr`, `indices` and `data`.
#[derive(Debug, Clone, PartialEq)]
pub struct SparseCodes<T> {
    n_atoms: usize,
    indptr: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
    /// Signals whose solver stopped short of what was asked
    /// ([`SparseCodes::unconverged`]).
    unconverged: usize,
}

impl<T: Real> SparseCodes<T> {
    /// Assembles codes from their parts, checking that they are consistent.
    pub fn from_parts(n_atoms: usize, indptr: Vec<usize>, indices: Vec<u32>, values: Vec<T>) -> Result<Self> {
        let bad = |reason: &str| Error::InvalidParameter { name: "codes", reason: reason.to_string() };
        if indptr.first() != Some(&0) {
            return Err(bad("indptr must start at 0"));
        }
        if indptr.windows(2).any(|w| w[0] > w[1]) {
            return Err(bad("indptr must be non-decreasing"));
        }
        if *indptr.last().unwrap() != indices.len() || indices.len() != values.len() {
            return Err(bad("indptr, indices and values lengths disagree"));
        }
        if indices.iter().any(|&i| i as usize >= n_atoms) {
            return Err(bad("an atom index is out of range"));
        }
        Ok(Self { n_atoms, indptr, indices, values, unconverged: 0 })
    }

    pub(crate) fn from_parts_unchecked(n_atoms: usize, indptr: Vec<usize>, indices: Vec<u32>, values: Vec<T>) -> Self {
        debug_assert_eq!(*indptr.last().unwrap(), indices.len());
        Self { n_atoms, indptr, indices, values, unconverged: 0 }
    }

    /// These codes, `unconverged` of whose signals stopped at `max_iter`.
    pub(crate) fn with_unconverged(mut self, unconverged: usize) -> Self {
        self.unconverged = unconverged;
        self
    }

    /// How many signals their solver left short of what was asked, as
    /// scikit-learn warns: the iterative Lasso solvers (coordinate descent,
    /// ISTA, FISTA) at `max_iter` short of their tolerance (its
    /// `ConvergenceWarning`), OMP short of its count or goal because the
    /// remaining atoms depend linearly on the chosen ones or barely
    /// correlate (its "ended prematurely" warning); 0 for the others.
    pub fn unconverged(&self) -> usize {
        self.unconverged
    }

    /// The codes of the columns of a dense `n_atoms × n_samples` matrix
    /// (exact zeros are left out).
    pub fn from_dense(codes: faer::MatRef<'_, T>) -> Self {
        let mut indptr = Vec::with_capacity(codes.ncols() + 1);
        let (mut indices, mut values) = (Vec::new(), Vec::new());
        indptr.push(0);
        for s in 0..codes.ncols() {
            for a in 0..codes.nrows() {
                let v = codes[(a, s)];
                if v != T::ZERO {
                    indices.push(a as u32);
                    values.push(v);
                }
            }
            indptr.push(indices.len());
        }
        Self { n_atoms: codes.nrows(), indptr, indices, values, unconverged: 0 }
    }

    /// Number of atoms (the length of each code).
    pub fn n_atoms(&self) -> usize {
        self.n_atoms
    }

    /// Number of signals.
    pub fn n_samples(&self) -> usize {
        self.indptr.len() - 1
    }

    /// Total number of stored coefficients.
    pub fn nnz(&self) -> usize {
        self.indices.len()
    }

    /// Mean number of non-zero coefficients per signal.
    pub fn mean_nnz(&self) -> f64 {
        if self.n_samples() == 0 { 0.0 } else { self.nnz() as f64 / self.n_samples() as f64 }
    }

    /// Atom indices and coefficients of signal `s`.
    pub fn code(&self, s: usize) -> (&[u32], &[T]) {
        let r = self.indptr[s]..self.indptr[s + 1];
        (&self.indices[r.clone()], &self.values[r])
    }

    /// Offsets of each signal's code (length `n_samples + 1`).
    pub fn indptr(&self) -> &[usize] {
        &self.indptr
    }

    /// Atom indices of all codes, signal after signal.
    pub fn indices(&self) -> &[u32] {
        &self.indices
    }

    /// Coefficients of all codes, signal after signal.
    pub fn values(&self) -> &[T] {
        &self.values
    }

    /// The parts: `(n_atoms, indptr, indices, values)`.
    pub fn into_parts(self) -> (usize, Vec<usize>, Vec<u32>, Vec<T>) {
        (self.n_atoms, self.indptr, self.indices, self.values)
    }

    /// The dense `n_atoms × n_samples` matrix (codes in columns).
    pub fn to_dense(&self) -> Mat<T> {
        let mut m = Mat::<T>::zeros(self.n_atoms, self.n_samples());
        for s in 0..self.n_samples() {
            let (idx, val) = self.code(s);
            for (&i, &v) in idx.iter().zip(val) {
                m[(i as usize, s)] = v;
            }
        }
        m
    }

    /// Writes the dense codes as a column-major buffer of `n_atoms` rows:
    /// the bytes of NumPy's C-order `(n_samples, n_atoms)` array.
    pub fn to_dense_column_major(&self) -> Vec<T> {
        // Zeroed by the allocator (fresh pages from the kernel for a large
        // buffer): only the non-zeros are written.
        let mut out = vec![T::ZERO; self.n_atoms * self.n_samples()];
        self.scatter_dense_column_major(&mut out).expect("the buffer has the codes' size");
        out
    }

    /// [`to_dense_column_major`](Self::to_dense_column_major) into a
    /// caller's buffer of `n_atoms × n_samples` values (every entry is
    /// written, so it may hold anything; a NumPy array, say). Blocks of
    /// signals are written in parallel; the result does not depend on it.
    pub fn write_dense_column_major(&self, out: &mut [T]) -> Result<()> {
        self.dense_into(out, true)
    }

    /// The non-zero codes written into `out` (`n_atoms × n_samples`,
    /// column-major), which must already hold zeros: a zeroed allocation
    /// (`vec![0.0; n]`, NumPy's `zeros`), whose fresh pages the kernel has
    /// zeroed, is then touched only where codes are, not rewritten whole.
    pub fn scatter_dense_column_major(&self, out: &mut [T]) -> Result<()> {
        self.dense_into(out, false)
    }

    fn dense_into(&self, out: &mut [T], zero: bool) -> Result<()> {
        const BLOCK: usize = 2048;
        let k = self.n_atoms;
        if out.len() != k * self.n_samples() {
            return Err(Error::DimensionMismatch {
                what: "dense buffer length (n_atoms × n_samples)",
                expected: k * self.n_samples(),
                got: out.len(),
            });
        }
        if k == 0 {
            return Ok(());
        }
        out.par_chunks_mut(k * BLOCK).enumerate().for_each(|(b, block)| {
            for (o, col) in block.chunks_exact_mut(k).enumerate() {
                if zero {
                    col.fill(T::ZERO);
                }
                let (idx, val) = self.code(b * BLOCK + o);
                for (&i, &v) in idx.iter().zip(val) {
                    col[i as usize] = v;
                }
            }
        });
        Ok(())
    }
}
