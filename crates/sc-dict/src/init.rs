//! Dictionary initialisations.

use faer::Mat;
use sc_linalg::Real;

/// The overcomplete 1-D DCT of KSVD-Box's `odctdict(n, l)`: `n × l`, atom 0
/// constant, atom `k` the cosine `cos(π·i·k/l)` with its mean removed, all of
/// unit norm.
pub fn overcomplete_dct_1d(n: usize, l: usize) -> Mat<f64> {
    let mut d = Mat::<f64>::zeros(n, l);
    for k in 0..l {
        let mut v: Vec<f64> = (0..n).map(|i| (std::f64::consts::PI * i as f64 * k as f64 / l as f64).cos()).collect();
        if k > 0 {
            let m = v.iter().sum::<f64>() / n as f64;
            v.iter_mut().for_each(|x| *x -= m);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        for i in 0..n {
            d[(i, k)] = v[i] / norm;
        }
    }
    d
}

/// The overcomplete 2-D DCT for `p × p` patches with `l × l` atoms: the
/// Kronecker product of [`overcomplete_dct_1d`]`(p, l)` with itself
/// (KSVD-Box's `odctndict`), atoms of unit norm, features row-major inside
/// the patch (scikit-learn's patch layout). `p²` rows, `l²` columns.
pub fn overcomplete_dct_2d<T: Real>(p: usize, l: usize) -> Mat<T> {
    let d1 = overcomplete_dct_1d(p, l);
    Mat::<T>::from_fn(p * p, l * l, |f, a| {
        let (r, c) = (f / p, f % p);
        let (kr, kc) = (a / l, a % l);
        T::from_f64(d1[(r, kr)] * d1[(c, kc)])
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dct_atoms_have_unit_norm_and_the_first_is_constant() {
        let d = overcomplete_dct_2d::<f64>(8, 16);
        assert_eq!((d.nrows(), d.ncols()), (64, 256));
        for a in 0..256 {
            let n: f64 = (0..64).map(|i| d[(i, a)] * d[(i, a)]).sum();
            assert!((n - 1.0).abs() < 1e-12);
        }
        assert!((0..64).all(|i| (d[(i, 0)] - 0.125).abs() < 1e-12));
        // Every non-constant atom of the 1-D dictionary has zero mean.
        let d1 = overcomplete_dct_1d(8, 16);
        for k in 1..16 {
            assert!((0..8).map(|i| d1[(i, k)]).sum::<f64>().abs() < 1e-12);
        }
    }
}
