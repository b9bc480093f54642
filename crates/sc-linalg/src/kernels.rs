//! Small vector kernels for the solvers' inner loops.
//!
//! Reductions use [`LANES`] independent accumulators combined in a fixed
//! order, so that LLVM vectorises them (it may not reorder a plain sum) and
//! the result is the same bits on every machine and for every SIMD width the
//! caller is compiled for. All are `#[inline(always)]`, so that a solver
//! compiled inside a `#[target_feature]` function gets wide vectors.

use crate::Real;

/// Number of independent accumulators in the reductions.
pub const LANES: usize = 16;

#[inline(always)]
fn combine<T: Real>(acc: [T; LANES]) -> T {
    // Pairwise, in a fixed order.
    let mut a = acc;
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            a[i] = a[i] + a[i + w];
        }
        w /= 2;
    }
    a[0]
}

/// `Σ aᵢ bᵢ`.
#[inline(always)]
pub fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    assert_eq!(a.len(), b.len());
    let mut acc = [T::ZERO; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] = acc[l] + x[l] * y[l];
        }
    }
    for l in 0..ra.len() {
        acc[l] = acc[l] + ra[l] * rb[l];
    }
    combine(acc)
}

/// `Σ aᵢ²`.
#[inline(always)]
pub fn norm_sq<T: Real>(a: &[T]) -> T {
    dot(a, a)
}

/// `y ← y + alpha·x`.
#[inline(always)]
pub fn axpy<T: Real>(alpha: T, x: &[T], y: &mut [T]) {
    assert_eq!(x.len(), y.len());
    for (yi, &xi) in y.iter_mut().zip(x) {
        *yi = *yi + alpha * xi;
    }
}

/// `y ← x − Σₖ coefₖ·colsₖ` for columns given by index into a column-major
/// matrix `mat` with `n` rows (`y` has length `n`).
#[inline(always)]
pub fn sub_combination<T: Real>(x: &[T], mat: &[T], n: usize, idx: &[usize], coef: &[T], y: &mut [T]) {
    y.copy_from_slice(x);
    for (&j, &c) in idx.iter().zip(coef) {
        axpy(-c, &mat[j * n..(j + 1) * n], y);
    }
}

/// Index of the first entry of largest absolute value (`None` if empty).
/// NaN entries are never chosen.
#[inline(always)]
pub fn argmax_abs<T: Real>(a: &[T]) -> Option<usize> {
    if a.is_empty() {
        return None;
    }
    let m = max_abs(a);
    a.iter().position(|v| v.abs() == m).or(Some(0))
}

/// Largest absolute value (`0` if empty).
#[inline(always)]
pub fn max_abs<T: Real>(a: &[T]) -> T {
    let mut acc = [T::ZERO; LANES];
    let c = a.chunks_exact(LANES);
    let r = c.remainder();
    for x in c {
        for l in 0..LANES {
            let v = x[l].abs();
            acc[l] = if v > acc[l] { v } else { acc[l] };
        }
    }
    for l in 0..r.len() {
        let v = r[l].abs();
        acc[l] = if v > acc[l] { v } else { acc[l] };
    }
    let mut m = T::ZERO;
    for v in acc {
        m = if v > m { v } else { m };
    }
    m
}

/// Largest value (`-∞`-like `−MAX` if empty).
#[inline(always)]
pub fn max_value<T: Real>(a: &[T]) -> T {
    let mut m = -T::MAX;
    for &v in a {
        m = if v > m { v } else { m };
    }
    m
}

/// `Σ |aᵢ|`.
#[inline(always)]
pub fn norm_l1<T: Real>(a: &[T]) -> T {
    let mut acc = [T::ZERO; LANES];
    let c = a.chunks_exact(LANES);
    let r = c.remainder();
    for x in c {
        for l in 0..LANES {
            acc[l] = acc[l] + x[l].abs();
        }
    }
    for l in 0..r.len() {
        acc[l] = acc[l] + r[l].abs();
    }
    combine(acc)
}

/// Soft-thresholding operator `sign(v)·max(|v| − t, 0)`, and with
/// `positive`, `max(v − t, 0)`. The one place this operator is written.
#[inline(always)]
pub fn soft_threshold<T: Real>(v: T, t: T, positive: bool) -> T {
    if positive {
        let s = v - t;
        if s > T::ZERO { s } else { T::ZERO }
    } else if v > t {
        v - t
    } else if v < -t {
        v + t
    } else {
        T::ZERO
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dot_matches_naive_sum() {
        for n in [0usize, 1, 7, 16, 17, 40, 257] {
            let a: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin()).collect();
            let b: Vec<f64> = (0..n).map(|i| (i as f64 * 0.11).cos()).collect();
            let naive: f64 = a.iter().zip(&b).map(|(x, y)| x * y).sum();
            assert!((dot(&a, &b) - naive).abs() <= 1e-12 * (1.0 + naive.abs()));
        }
    }

    #[test]
    fn argmax_abs_takes_first_of_ties_and_sign_agnostic() {
        let a = [1.0f64, -3.0, 2.0, 3.0, -3.0];
        assert_eq!(argmax_abs(&a), Some(1));
        assert_eq!(argmax_abs::<f64>(&[]), None);
        let b: Vec<f32> = (0..40).map(|i| if i == 33 { -9.0 } else { i as f32 * 0.1 }).collect();
        assert_eq!(argmax_abs(&b), Some(33));
        assert_eq!(max_abs(&b), 9.0);
    }

    #[test]
    fn soft_threshold_cases() {
        assert_eq!(soft_threshold(3.0f64, 1.0, false), 2.0);
        assert_eq!(soft_threshold(-3.0f64, 1.0, false), -2.0);
        assert_eq!(soft_threshold(0.5f64, 1.0, false), 0.0);
        assert_eq!(soft_threshold(-3.0f64, 1.0, true), 0.0);
        assert_eq!(soft_threshold(3.0f64, 1.0, true), 2.0);
    }
}
