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
    check(dict.n_atoms(), n, codes, l2)?;
    // Each signal contiguous once, for the dot products with the atoms.
    let xs: Vec<T> = (0..n).flat_map(|s| (0..nf).map(move |i| (i, s))).map(|(i, s)| x[(i, s)]).collect();
    refit_with(dict.n_atoms(), codes, T::from_f64(l2), |a| dict.gram_col(a), |a, s| kernels::dot(dict.atom(a), &xs[s * nf..(s + 1) * nf]))
}

/// [`refit`] in Gram form (SPAMS's `lasso` with `Q`, `q` and `ols`): from
/// `gram = DᵀD` (n_atoms × n_atoms, symmetric) and `dtx = DᵀX`
/// (n_atoms × n_samples) alone; the same fits.
pub fn refit_gram<T: Real>(gram: MatRef<'_, T>, dtx: MatRef<'_, T>, codes: &SparseCodes<T>, l2: f64) -> Result<SparseCodes<T>> {
    let k = gram.nrows();
    if gram.ncols() != k || dtx.nrows() != k {
        return Err(Error::DimensionMismatch {
            what: "Gram matrix and DᵀX rows (n_atoms)",
            expected: k,
            got: gram.ncols().max(dtx.nrows()),
        });
    }
    if let Some(j) = (0..k).find(|&j| (0..k).any(|i| !gram[(i, j)].is_finite())) {
        return Err(Error::NonFiniteAtom { atom: j });
    }
    check(k, dtx.ncols(), codes, l2)?;
    let columns: Vec<T> = (0..k).flat_map(|j| (0..k).map(move |i| (i, j))).map(|(i, j)| gram[(i, j)]).collect();
    refit_with(k, codes, T::from_f64(l2), |a| &columns[a * k..(a + 1) * k], |a, s| dtx[(a, s)])
}

/// Refuses codes of another shape and a negative or infinite ridge.
fn check<T: Real>(n_atoms: usize, n: usize, codes: &SparseCodes<T>, l2: f64) -> Result<()> {
    if codes.n_samples() != n || codes.n_atoms() != n_atoms {
        return Err(Error::DimensionMismatch { what: "codes (n_samples)", expected: n, got: codes.n_samples() });
    }
    if !(l2 >= 0.0) || !l2.is_finite() {
        return Err(invalid("l2", format!("must be finite and ≥ 0, got {l2}")));
    }
    Ok(())
}

/// The refit of every code, reading atom `a`'s Gram column through
/// `gram_col(a)` and `d_aᵀx_s` through `dtx(a, s)`.
fn refit_with<'g, T: Real>(
    n_atoms: usize,
    codes: &SparseCodes<T>,
    l2: T,
    gram_col: impl Fn(usize) -> &'g [T] + Sync,
    dtx: impl Fn(usize, usize) -> T + Sync,
) -> Result<SparseCodes<T>> {
    let n = codes.n_samples();
    let cap = (0..n).map(|s| codes.code(s).0.len()).max().unwrap_or(0);
    let values: Vec<Vec<T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut chol = IncrementalCholesky::<T>::with_capacity(cap);
            let (mut row, mut rhs) = (vec![T::ZERO; cap], vec![T::ZERO; cap]);
            let mut kept_atoms: Vec<usize> = Vec::with_capacity(cap);
            let mut out = Vec::new();
            for s in c * CHUNK..((c + 1) * CHUNK).min(n) {
                let (idx, _) = codes.code(s);
                chol.clear();
                kept_atoms.clear();
                let start = out.len();
                for &a in idx {
                    let a = a as usize;
                    let g = gram_col(a);
                    let kept = kept_atoms.len();
                    for (r, &b) in kept_atoms.iter().enumerate() {
                        row[r] = g[b];
                    }
                    if chol.push_with_threshold(&row[..kept], g[a] + l2, T::EPSILON * (T::ONE + g[a])).is_ok() {
                        rhs[kept] = dtx(a, s);
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
    SparseCodes::from_parts(n_atoms, codes.indptr().to_vec(), codes.indices().to_vec(), values)
}
