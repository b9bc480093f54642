//! Matrix products with the dictionary: `DᵀD` and `DᵀX`.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par, Side};

use crate::Real;

/// The Gram matrix `DᵀD` (n_atoms × n_atoms).
pub fn gram<T: Real>(d: MatRef<'_, T>, par: Par) -> Mat<T> {
    let mut g = Mat::<T>::zeros(d.ncols(), d.ncols());
    gram_into(d, g.as_mut(), par);
    g
}

/// Writes `DᵀD` into `out` (n_atoms × n_atoms), symmetrised exactly.
#[track_caller]
pub fn gram_into<T: Real>(d: MatRef<'_, T>, mut out: MatMut<'_, T>, par: Par) {
    assert!(out.nrows() == d.ncols() && out.ncols() == d.ncols());
    matmul(out.as_mut(), Accum::Replace, d.transpose(), d, T::ONE, par);
    // Make the matrix bit-symmetric, so that solvers may read a row as a column.
    let n = out.nrows();
    for j in 0..n {
        for i in j + 1..n {
            let v = out[(i, j)];
            out[(j, i)] = v;
        }
    }
}

/// Writes `DᵀX` into `out` (n_atoms × n_signals).
///
/// Callers that split signals into chunks (as the batch encoders do) pass
/// `Par::Seq` and a chunk of a few hundred columns, so that the product of a
/// chunk stays in cache while its signals are coded.
#[track_caller]
pub fn dtx_into<T: Real>(d: MatRef<'_, T>, x: MatRef<'_, T>, out: MatMut<'_, T>, par: Par) {
    assert_eq!(d.nrows(), x.nrows(), "D and X must have the same number of rows (features)");
    assert!(out.nrows() == d.ncols() && out.ncols() == x.ncols());
    matmul(out, Accum::Replace, d.transpose(), x, T::ONE, par);
}

/// Largest eigenvalue of a symmetric positive semi-definite matrix `G`
/// (for `G = DᵀD`, the squared spectral norm `‖D‖₂²`, the Lipschitz constant
/// of the least-squares gradient). `None` if the eigensolver fails.
pub fn spectral_norm_sq<T: Real>(g: MatRef<'_, T>) -> Option<T> {
    if g.nrows() == 0 {
        return Some(T::ZERO);
    }
    let ev = g.self_adjoint_eigenvalues(Side::Lower).ok()?;
    ev.last().copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gram_and_dtx_match_naive_products() {
        let d = Mat::<f64>::from_fn(5, 4, |i, j| ((i * 4 + j) as f64).sin());
        let x = Mat::<f64>::from_fn(5, 3, |i, j| ((i + 7 * j) as f64).cos());
        let g = gram(d.as_ref(), Par::Seq);
        let mut b = Mat::<f64>::zeros(4, 3);
        dtx_into(d.as_ref(), x.as_ref(), b.as_mut(), Par::Seq);
        for a in 0..4 {
            for c in 0..4 {
                let naive: f64 = (0..5).map(|r| d[(r, a)] * d[(r, c)]).sum();
                assert!((g[(a, c)] - naive).abs() < 1e-12);
                assert_eq!(g[(a, c)], g[(c, a)]);
            }
            for s in 0..3 {
                let naive: f64 = (0..5).map(|r| d[(r, a)] * x[(r, s)]).sum();
                assert!((b[(a, s)] - naive).abs() < 1e-12);
            }
        }
    }

    #[test]
    fn spectral_norm_of_a_diagonal() {
        let g = Mat::<f64>::from_fn(3, 3, |i, j| if i == j { [1.0, 4.0, 2.0][i] } else { 0.0 });
        assert!((spectral_norm_sq(g.as_ref()).unwrap() - 4.0).abs() < 1e-12);
    }
}
