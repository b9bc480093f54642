//! A dictionary prepared once for repeated encodes.

use faer::{Mat, MatRef, Par};
use sc_linalg::{Real, gram_into, kernels, spectral_norm_sq};

use crate::error::{Error, Result};

/// A dictionary `D` (n_features × n_atoms, atoms in the columns) with what
/// every encode needs precomputed: the Gram matrix `DᵀD` and the atom norms
/// (and, on first use, the squared spectral norm `‖D‖₂²`, the Lipschitz
/// constant for ISTA and FISTA).
///
/// Building one validates `D` (finite values, no zero atom); after that,
/// encodes never recompute any of it.
#[derive(Debug, Clone)]
pub struct Dictionary<T: Real> {
    d: Mat<T>,
    /// Column-major, contiguous, bit-symmetric `DᵀD`.
    gram: Vec<T>,
    norms: Vec<T>,
    lipschitz: std::sync::OnceLock<Option<T>>,
}

impl<T: Real> Dictionary<T> {
    /// Prepares `d` (n_features × n_atoms). Atoms need not have unit norm,
    /// but OMP and LARS select atoms by raw correlation, as scikit-learn
    /// does, so unit norms are what they assume.
    pub fn new(d: MatRef<'_, T>) -> Result<Self> {
        let (n_features, n_atoms) = (d.nrows(), d.ncols());
        if n_features == 0 || n_atoms == 0 {
            return Err(Error::EmptyDictionary { n_features, n_atoms });
        }
        let mut norms = Vec::with_capacity(n_atoms);
        for j in 0..n_atoms {
            let col = d.col(j);
            let mut s = T::ZERO;
            for i in 0..n_features {
                let v = col[i];
                if !v.is_finite() {
                    return Err(Error::NonFiniteAtom { atom: j });
                }
                s += v * v;
            }
            if !s.is_finite() {
                return Err(Error::AtomOverflow { atom: j });
            }
            if !(s > T::ZERO) {
                return Err(Error::ZeroNormAtom { atom: j });
            }
            norms.push(s.sqrt());
        }
        // D's copy and the Gram matrix (built in a faer matrix, then kept
        // contiguous): checked before any of it is allocated.
        sc_linalg::memory::request::<T>(&[&[n_atoms, n_atoms, 2], &[n_atoms, n_features]], || {
            format!("a dictionary of {n_atoms} atoms ({n_features} features) and its Gram matrix")
        })?;
        let d = d.to_owned();
        let mut g = Mat::<T>::zeros(n_atoms, n_atoms);
        // Small dictionaries (the learners rebuild one per step) are not worth threads.
        let par = if n_atoms * n_atoms * n_features > 1 << 22 { Par::rayon(0) } else { Par::Seq };
        gram_into(d.as_ref(), g.as_mut(), par);
        let mut gram = Vec::with_capacity(n_atoms * n_atoms);
        for j in 0..n_atoms {
            gram.extend_from_slice(g.col_as_slice(j));
        }
        Ok(Self { d, gram, norms, lipschitz: std::sync::OnceLock::new() })
    }

    /// Prepares a dictionary from a column-major slice (the bytes of a NumPy
    /// C-order `(n_atoms, n_features)` array, as scikit-learn's
    /// `components_`).
    pub fn from_column_major(data: &[T], n_features: usize, n_atoms: usize) -> Result<Self> {
        if data.len() != n_features * n_atoms {
            return Err(Error::DimensionMismatch {
                what: "dictionary buffer length (n_features × n_atoms)",
                expected: n_features * n_atoms,
                got: data.len(),
            });
        }
        Self::new(MatRef::from_column_major_slice(data, n_features, n_atoms))
    }

    /// The dictionary matrix (n_features × n_atoms).
    pub fn matrix(&self) -> MatRef<'_, T> {
        self.d.as_ref()
    }

    /// Number of rows of `D` (the signal length).
    pub fn n_features(&self) -> usize {
        self.d.nrows()
    }

    /// Number of atoms (columns of `D`).
    pub fn n_atoms(&self) -> usize {
        self.d.ncols()
    }

    /// The Gram matrix `DᵀD`, column-major and contiguous (n_atoms²).
    pub fn gram(&self) -> &[T] {
        &self.gram
    }

    /// Column `j` of the Gram matrix (equal to row `j`).
    #[inline(always)]
    pub fn gram_col(&self, j: usize) -> &[T] {
        let n = self.n_atoms();
        &self.gram[j * n..(j + 1) * n]
    }

    /// Atom `j` (n_features), contiguous.
    #[inline(always)]
    pub(crate) fn atom(&self, j: usize) -> &[T] {
        self.d.col_as_slice(j)
    }

    /// `out ← out + scale·D c` for the sparse code `c` given by its atom
    /// `indices` and `values`: the one place a code is turned back into a
    /// signal (residuals use `scale = −1`).
    #[inline]
    pub fn accumulate(&self, scale: T, indices: &[u32], values: &[T], out: &mut [T]) {
        assert_eq!(out.len(), self.n_features());
        for (&j, &v) in indices.iter().zip(values) {
            kernels::axpy(scale * v, self.d.col_as_slice(j as usize), out);
        }
    }

    /// Euclidean norms of the atoms.
    pub fn atom_norms(&self) -> &[T] {
        &self.norms
    }

    /// `‖D‖₂²`, the largest eigenvalue of `DᵀD` (computed on first use:
    /// only ISTA and FISTA need it).
    pub fn lipschitz(&self) -> Result<T> {
        let n = self.n_atoms();
        let l = self.lipschitz.get_or_init(|| spectral_norm_sq(MatRef::from_column_major_slice(&self.gram, n, n)));
        l.ok_or(Error::SpectralNorm)
    }

    /// Largest `|Dᵀx|` over the atoms: for Lasso, the smallest `alpha` for
    /// which the code of `x` is zero.
    pub fn alpha_max(&self, x: &[T]) -> Result<T> {
        if x.len() != self.n_features() {
            return Err(Error::DimensionMismatch { what: "signal length", expected: self.n_features(), got: x.len() });
        }
        let mut m = T::ZERO;
        for j in 0..self.n_atoms() {
            let col = self.d.col_as_slice(j);
            m = m.max(kernels::dot(col, x).abs());
        }
        Ok(m)
    }
}
