//! Least squares on each code's support (SPAMS's `lasso(..., ols=True)`):
//! the coefficients of the atoms a code uses refitted to
//! `argmin ‖x − D_S c‖² + l2‖c‖²`, the support kept.

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::{IncrementalCholesky, Real, kernels};

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};

/// Signals per parallel task.
const CHUNK: usize = 256;

/// `codes` (of the columns of `x` over `dict`) with each code's values
/// replaced by the least-squares fit (with the ridge `l2`) of its signal
/// on the atoms it uses. A support whose atoms depend linearly on each
/// other (to rounding, with `l2 = 0`) keeps the atoms it can fit in order
/// and gives the others zero.
pub fn refit<T: Real>(dict: &Dictionary<T>, x: MatRef<'_, T>, codes: &SparseCodes<T>, l2: f64) -> Result<SparseCodes<T>> {
    let (nf, n) = (dict.n_features(), x.ncols());
    if x.nrows() != nf {
        return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: nf, got: x.nrows() });
    }
    if codes.n_samples() != n || codes.n_atoms() != dict.n_atoms() {
        return Err(Error::DimensionMismatch { what: "codes (n_samples)", expected: n, got: codes.n_samples() });
    }
    if !(l2 >= 0.0) || !l2.is_finite() {
        return Err(invalid("l2", format!("must be finite and ≥ 0, got {l2}")));
    }
    let l2 = T::from_f64(l2);
    let cap = (0..n).map(|s| codes.code(s).0.len()).max().unwrap_or(0);
    let values: Vec<Vec<T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut chol = IncrementalCholesky::<T>::with_capacity(cap);
            let (mut row, mut rhs, mut xs) = (vec![T::ZERO; cap], vec![T::ZERO; cap], vec![T::ZERO; nf]);
            let mut kept_atoms: Vec<usize> = Vec::with_capacity(cap);
            let mut out = Vec::new();
            for s in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let (idx, _) = codes.code(s);
                for (i, v) in xs.iter_mut().enumerate() {
                    *v = x[(i, s)];
                }
                chol.clear();
                kept_atoms.clear();
                let start = out.len();
                for &a in idx {
                    let a = a as usize;
                    let g = dict.gram_col(a);
                    let kept = kept_atoms.len();
                    for (r, &b) in kept_atoms.iter().enumerate() {
                        row[r] = g[b];
                    }
                    if chol.push_with_threshold(&row[..kept], g[a] + l2, T::EPSILON * (T::ONE + g[a])).is_ok() {
                        rhs[kept] = kernels::dot(dict.atom(a), &xs);
                        kept_atoms.push(a);
                        out.push(T::ONE);
                    } else {
                        out.push(T::ZERO);
                    }
                }
                let kept = kept_atoms.len();
                chol.solve_in_place(&mut rhs[..kept]);
                let mut next = rhs[..kept].iter();
                for v in out[start..].iter_mut() {
                    if *v != T::ZERO {
                        *v = *next.next().expect("one value per kept atom");
                    }
                }
            }
            out
        })
        .collect();
    let values: Vec<T> = values.into_iter().flatten().collect();
    SparseCodes::from_parts(dict.n_atoms(), codes.indptr().to_vec(), codes.indices().to_vec(), values)
}
