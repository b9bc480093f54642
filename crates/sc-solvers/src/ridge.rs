//! Ridge coding: the codes `c` minimising `‖x − Dc‖² + α‖c‖²` for every
//! column `x` of `X`, scikit-learn's `ridge_regression(D, X, alpha)` (the
//! `transform` of its sparse PCA).
//!
//! The system is solved from the smaller Gram matrix: `(DᵀD + αI) C = DᵀX`
//! when there are no more atoms than features, the kernel form
//! `C = Dᵀ (DDᵀ + αI)⁻¹ X` otherwise (scikit-learn's choice; the two agree
//! when `α > 0`). The Gram matrix is inverted through its eigenvalues, in
//! f64, as a pseudo-inverse: a singular system (`α = 0` and dependent
//! atoms) gives the least-squares codes of minimum norm, as scikit-learn's
//! fallback to its SVD solver does, never NaN.

use faer::{Mat, MatRef, Side};
use sc_linalg::Real;
use sc_linalg::memory;

use crate::error::{Error, Result, invalid};

/// The ridge codes (n_atoms × n_samples) of the columns of `x`
/// (n_features × n_samples) over the columns of `d` (n_features ×
/// n_atoms), with penalty `alpha ≥ 0`. Zero atoms are allowed (their codes
/// are 0).
pub fn ridge<T: Real>(d: MatRef<'_, T>, x: MatRef<'_, T>, alpha: f64) -> Result<Mat<T>> {
    let (nf, k, n) = (d.nrows(), d.ncols(), x.ncols());
    if x.nrows() != nf {
        return Err(Error::DimensionMismatch { what: "signal length (rows of X) vs atom length", expected: nf, got: x.nrows() });
    }
    if !(alpha >= 0.0 && alpha.is_finite()) {
        return Err(invalid("alpha", format!("must be finite and ≥ 0, got {alpha}")));
    }
    if let Some(atom) = (0..k).find(|&j| !d.col(j).iter().all(|v| v.is_finite())) {
        return Err(Error::NonFiniteAtom { atom });
    }
    if let Some(sample) = (0..n).find(|&s| !x.col(s).iter().all(|v| v.is_finite())) {
        return Err(Error::NonFiniteSignal { sample });
    }
    let m = k.min(nf);
    memory::request::<f64>(&[&[nf, k], &[nf, n], &[m, m, 2], &[m, n, 2], &[k, n]], || {
        format!("ridge codes of {n} signals over {k} atoms")
    })?;
    let d64 = Mat::<f64>::from_fn(nf, k, |i, j| d[(i, j)].to_f64());
    let x64 = Mat::<f64>::from_fn(nf, n, |i, s| x[(i, s)].to_f64());
    let codes = if k <= nf {
        // (DᵀD + αI)⁻¹ DᵀX
        let rhs = d64.transpose() * &x64;
        pseudo_solve(d64.transpose() * &d64, alpha, rhs)?
    } else {
        // Dᵀ (DDᵀ + αI)⁻¹ X
        d64.transpose() * pseudo_solve(&d64 * d64.transpose(), alpha, x64)?
    };
    Ok(Mat::from_fn(k, n, |j, s| T::from_f64(codes[(j, s)])))
}

/// `(G + αI)⁺ rhs` for a symmetric positive semi-definite `G`, through its
/// eigenvalues: those of `G + αI` at or below the rounding level of the
/// largest are taken as zero.
fn pseudo_solve(g: Mat<f64>, alpha: f64, rhs: Mat<f64>) -> Result<Mat<f64>> {
    let m = g.nrows();
    let shifted = Mat::<f64>::from_fn(m, m, |i, j| g[(i, j)] + if i == j { alpha } else { 0.0 });
    let evd = shifted.self_adjoint_eigen(Side::Lower).map_err(|_| Error::Eigensolver)?;
    let (q, s) = (evd.U(), evd.S());
    let top = (0..m).map(|i| s[i]).fold(0.0_f64, f64::max);
    let floor = top * m as f64 * f64::EPSILON;
    let mut y = q.transpose() * &rhs;
    for i in 0..m {
        let inv = if s[i] > floor { 1.0 / s[i] } else { 0.0 };
        for c in 0..y.ncols() {
            y[(i, c)] *= inv;
        }
    }
    Ok(q * y)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mat(r: usize, c: usize, seed: f64) -> Mat<f64> {
        Mat::from_fn(r, c, |i, j| ((i * c + j) as f64 * seed).sin())
    }

    /// The normal equations hold: Dᵀ(X − DC) = αC, in either form.
    #[test]
    fn the_codes_satisfy_the_normal_equations() {
        for (nf, k) in [(6, 4), (4, 6)] {
            let (d, x) = (mat(nf, k, 1.3), mat(nf, 5, 0.7));
            let alpha = 0.3;
            let c = ridge(d.as_ref(), x.as_ref(), alpha).unwrap();
            let grad = d.transpose() * (&x - &d * &c);
            for j in 0..k {
                for s in 0..5 {
                    assert!((grad[(j, s)] - alpha * c[(j, s)]).abs() < 1e-10, "{nf}×{k}: {}", grad[(j, s)] - alpha * c[(j, s)]);
                }
            }
        }
    }

    /// α = 0 with a repeated atom: the least-squares codes of minimum norm
    /// (the repeated atom's weight split evenly), finite.
    #[test]
    fn a_singular_system_gives_the_minimum_norm_codes() {
        let d = Mat::<f64>::from_fn(3, 2, |i, _| [1.0, 2.0, 2.0][i] / 3.0);
        let x = Mat::<f64>::from_fn(3, 1, |i, _| [1.0, 2.0, 2.0][i] / 3.0 * 4.0);
        let c = ridge(d.as_ref(), x.as_ref(), 0.0).unwrap();
        assert!((c[(0, 0)] - 2.0).abs() < 1e-12 && (c[(1, 0)] - 2.0).abs() < 1e-12, "{c:?}");
    }

    #[test]
    fn bad_input_is_an_error() {
        let (d, x) = (mat(4, 3, 1.1), mat(5, 2, 0.3));
        assert!(matches!(ridge(d.as_ref(), x.as_ref(), 0.1), Err(Error::DimensionMismatch { .. })));
        let x = mat(4, 2, 0.3);
        assert!(matches!(ridge(d.as_ref(), x.as_ref(), -1.0), Err(Error::InvalidParameter { .. })));
        let mut x = x;
        x[(1, 1)] = f64::NAN;
        assert!(matches!(ridge(d.as_ref(), x.as_ref(), 0.1), Err(Error::NonFiniteSignal { sample: 1 })));
    }
}
