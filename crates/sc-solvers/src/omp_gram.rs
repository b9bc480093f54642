//! OMP from the Gram matrix and the correlations alone (scikit-learn's
//! `orthogonal_mp_gram`): the Batch-OMP of `omp.rs` needs nothing else, so
//! no equivalent problem in the signal space is built.

use faer::MatRef;
use sc_linalg::Real;

use crate::algorithm::default_omp_nonzero;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};
use crate::omp::{GramColumns, omp_one};
use crate::workspace::{CodeSink, Workspace};

/// A Gram matrix held column by column.
struct Columns<T> {
    values: Vec<T>,
    n: usize,
}

impl<T: Real> GramColumns<T> for Columns<T> {
    fn column(&mut self, j: usize) -> &[T] {
        &self.values[j * self.n..(j + 1) * self.n]
    }
}

/// OMP codes of the targets whose correlations with the atoms are the
/// columns of `xy` (n_atoms × n_targets), given the atoms' Gram matrix
/// `gram` (n_atoms × n_atoms): `n_nonzero` atoms each (`None`:
/// [`default_omp_nonzero`] of the Gram matrix's size), or, with the goal `tol`,
/// as many as bring the squared residual `‖y‖² − …` to `tol` at most, which
/// needs the targets' squared norms `norms_sq` (a target already within the
/// goal gets no atom). scikit-learn's `orthogonal_mp_gram`.
pub fn omp_gram<T: Real>(
    gram: MatRef<'_, T>,
    xy: MatRef<'_, T>,
    norms_sq: Option<&[T]>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
) -> Result<SparseCodes<T>> {
    let (k, n) = (gram.nrows(), xy.ncols());
    if gram.ncols() != k {
        return Err(Error::DimensionMismatch { what: "Gram matrix columns", expected: k, got: gram.ncols() });
    }
    if xy.nrows() != k {
        return Err(Error::DimensionMismatch { what: "Xy rows (n_atoms)", expected: k, got: xy.nrows() });
    }
    let values: Vec<T> = (0..k).flat_map(|j| (0..k).map(move |i| gram[(i, j)])).collect();
    if !values.iter().all(|v| v.is_finite()) {
        return Err(invalid("gram", "holds a value that is not finite"));
    }
    let b: Vec<T> = (0..n).flat_map(|s| (0..k).map(move |i| xy[(i, s)])).collect();
    if !b.iter().all(|v| v.is_finite()) {
        return Err(Error::NonFiniteSignal { sample: b.iter().position(|v| !v.is_finite()).unwrap_or(0) / k.max(1) });
    }
    let (max_k, tol, norms) = match tol {
        Some(t) => {
            if !(t >= 0.0 && t.is_finite()) {
                return Err(invalid("tol", format!("must be finite and ≥ 0, got {t}")));
            }
            let norms = norms_sq.ok_or_else(|| invalid("norms_squared", "a goal tol needs the targets' squared norms"))?;
            if norms.len() != n {
                return Err(Error::DimensionMismatch { what: "norms_squared (n_targets)", expected: n, got: norms.len() });
            }
            (k, Some(T::from_f64(t)), norms.to_vec())
        }
        None => {
            let m = n_nonzero.unwrap_or(default_omp_nonzero(k));
            if m == 0 || m > k {
                return Err(invalid("n_nonzero", format!("must be between 1 and the number of atoms ({k}), got {m}")));
            }
            (m, None, vec![T::ZERO; n])
        }
    };
    let mut grams = Columns { values, n: k };
    let mut ws = Workspace::new(k, max_k);
    let (mut indptr, mut indices, mut vals) = (vec![0usize], Vec::new(), Vec::new());
    let mut short = 0;
    for s in 0..n {
        if tol.is_none_or(|t| norms[s] > t) {
            let mut sink = CodeSink { indices: &mut indices, values: &mut vals };
            if !omp_one(k, &mut grams, &b[s * k..(s + 1) * k], norms[s], max_k, tol, &mut ws, &mut sink) {
                short += 1;
            }
        }
        indptr.push(indices.len());
    }
    Ok(SparseCodes::from_parts_unchecked(k, indptr, indices, vals).with_unconverged(short))
}
