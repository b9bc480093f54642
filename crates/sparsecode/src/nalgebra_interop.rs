//! Conversions between nalgebra's `DMatrix` and the faer views the crates
//! take (feature `nalgebra`). `DMatrix` is column-major and contiguous, as
//! faer's signal matrices are, so the views are zero-copy.

use nalgebra::{DMatrix, Scalar};
use sc_linalg::Real;
use sc_linalg::faer::MatRef;

/// A zero-copy faer view of a `DMatrix` (signals or atoms in its columns).
pub fn view<T: Real + Scalar>(m: &DMatrix<T>) -> MatRef<'_, T> {
    MatRef::from_column_major_slice(m.as_slice(), m.nrows(), m.ncols())
}

/// A `DMatrix` copy of a faer matrix view.
pub fn to_dmatrix<T: Real + Scalar>(m: MatRef<'_, T>) -> DMatrix<T> {
    DMatrix::from_fn(m.nrows(), m.ncols(), |i, j| m[(i, j)])
}

/// The dense codes (n_atoms × n_samples) as a `DMatrix`.
pub fn codes_to_dmatrix<T: Real + Scalar>(codes: &sc_solvers::SparseCodes<T>) -> DMatrix<T> {
    DMatrix::from_vec(codes.n_atoms(), codes.n_samples(), codes.to_dense_column_major())
}

#[cfg(test)]
mod tests {
    use super::*;
    use sc_solvers::{Dictionary, Encoder};

    #[test]
    fn encode_from_and_to_nalgebra() {
        let d = DMatrix::<f64>::from_fn(6, 9, |i, j| ((i * 9 + j) as f64 * 0.7).sin());
        let x = DMatrix::<f64>::from_fn(6, 4, |i, s| ((i + 2 * s) as f64).cos());
        let v = view(&d);
        assert_eq!(v.as_ptr(), d.as_slice().as_ptr());
        let dict = Dictionary::new(v).unwrap();
        let codes = Encoder::omp(2).encode(&dict, view(&x)).unwrap();
        let c = codes_to_dmatrix(&codes);
        assert_eq!((c.nrows(), c.ncols()), (9, 4));
        assert_eq!(to_dmatrix(view(&x)), x);
    }
}
