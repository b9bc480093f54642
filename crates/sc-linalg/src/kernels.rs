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

/// Folds the lane accumulators pairwise (lane `i` with lane `i + w`, `w`
/// halving), a fixed order whatever the SIMD width.
#[inline(always)]
fn fold_lanes<T: Real>(acc: [T; LANES], f: impl Fn(T, T) -> T) -> T {
    let mut a = acc;
    let mut w = LANES / 2;
    while w > 0 {
        for i in 0..w {
            a[i] = f(a[i], a[i + w]);
        }
        w /= 2;
    }
    a[0]
}

/// The largest lane (NaN never wins over a number already held).
#[inline(always)]
fn combine_max<T: Real>(acc: [T; LANES]) -> T {
    fold_lanes(acc, |a, b| if b > a { b } else { a })
}

/// The sum of [`LANES`] accumulators, in the fixed order of every
/// reduction here (a caller's own lane-wise loop ends with it).
#[inline(always)]
pub fn combine<T: Real>(acc: [T; LANES]) -> T {
    fold_lanes(acc, |a, b| a + b)
}

/// `Σ aᵢ bᵢ`.
#[inline(always)]
pub fn dot<T: Real>(a: &[T], b: &[T]) -> T {
    assert_eq!(a.len(), b.len());
    if a.len() < LANES {
        // Short vectors (Cholesky rows): a plain sum, same order every time.
        let mut s = T::ZERO;
        for i in 0..a.len() {
            s += a[i] * b[i];
        }
        return s;
    }
    let mut acc = [T::ZERO; LANES];
    let ca = a.chunks_exact(LANES);
    let cb = b.chunks_exact(LANES);
    let (ra, rb) = (ca.remainder(), cb.remainder());
    for (x, y) in ca.zip(cb) {
        for l in 0..LANES {
            acc[l] += x[l] * y[l];
        }
    }
    for l in 0..ra.len() {
        acc[l] += ra[l] * rb[l];
    }
    combine(acc)
}

/// Asks the CPU to start loading `a` into cache (a hint; does nothing off
/// x86-64). For gathers of scattered columns, a few columns ahead. The
/// crate's one `unsafe` block (it denies `unsafe_code` elsewhere; the other
/// block of the workspace is the Python binding's, for dense outputs).
#[inline(always)]
#[allow(unsafe_code)]
pub fn prefetch<T>(a: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_MM_HINT_T0, _mm_prefetch};
        let bytes = std::mem::size_of_val(a);
        let base = a.as_ptr().cast::<i8>();
        let mut off = 0;
        while off < bytes {
            // SAFETY: a prefetch never faults, and `base + off` stays inside `a`.
            unsafe { _mm_prefetch::<_MM_HINT_T0>(base.add(off)) };
            off += 64;
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = a;
}

/// Calls `f(j, a[j])` for every non-zero `a[j]`, in increasing `j`. Blocks
/// of 16 zeros are passed over after one branch-free test, so a mostly zero
/// vector is scanned at vector speed.
#[inline(always)]
pub fn for_each_nonzero<T: Real>(a: &[T], mut f: impl FnMut(usize, T)) {
    const BLOCK: usize = 16;
    for (b, block) in a.chunks(BLOCK).enumerate() {
        if block.iter().fold(false, |any, &v| any | (v != T::ZERO)) {
            for (o, &v) in block.iter().enumerate() {
                if v != T::ZERO {
                    f(b * BLOCK + o, v);
                }
            }
        }
    }
}

/// Whether every value is finite (no NaN, no infinity). Branch-free, so
/// that it vectorises.
#[inline(always)]
pub fn all_finite<T: Real>(a: &[T]) -> bool {
    a.iter().fold(true, |ok, v| ok & v.is_finite())
}

/// Scales `a` to unit Euclidean norm; returns false (and leaves `a`) if it
/// is zero.
#[inline(always)]
pub fn normalize<T: Real>(a: &mut [T]) -> bool {
    let n = norm_sq(a).sqrt();
    if n > T::ZERO {
        a.iter_mut().for_each(|v| *v /= n);
        true
    } else {
        false
    }
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
        *yi += alpha * xi;
    }
}

/// `y ← x − Σₖ coefₖ·colsₖ` for columns given by index into a column-major
/// matrix `mat` with `n` rows (`y` has length `n`).
///
/// Columns are taken four at a time, so that `y` is loaded and stored once
/// per four columns (the loop is bound by memory traffic, not arithmetic);
/// the order of operations is fixed.
#[inline(always)]
pub fn sub_combination<T: Real>(x: &[T], mat: &[T], n: usize, idx: &[usize], coef: &[T], y: &mut [T]) {
    combination_impl(Some(x), mat, n, idx, coef, -T::ONE, y)
}

/// `y ← Σₖ coefₖ·colsₖ` (as [`sub_combination`], without the start vector).
#[inline(always)]
pub fn combination<T: Real>(mat: &[T], n: usize, idx: &[usize], coef: &[T], y: &mut [T]) {
    combination_impl(None, mat, n, idx, coef, T::ONE, y)
}

#[inline(always)]
fn combination_impl<T: Real>(x: Option<&[T]>, mat: &[T], n: usize, idx: &[usize], coef: &[T], sign: T, y: &mut [T]) {
    assert_eq!(y.len(), n);
    assert_eq!(idx.len(), coef.len());
    // Every slice is cut to exactly `n`, so that the loops carry no bounds
    // checks and vectorise.
    let col = |j: usize| &mat[j * n..][..n];
    let y = &mut y[..n];
    match x {
        Some(x) => y.copy_from_slice(&x[..n]),
        None => y.fill(T::ZERO),
    }
    let mut k = 0;
    while k + 4 <= idx.len() {
        let (c0, c1, c2, c3) = (sign * coef[k], sign * coef[k + 1], sign * coef[k + 2], sign * coef[k + 3]);
        let (g0, g1, g2, g3) = (col(idx[k]), col(idx[k + 1]), col(idx[k + 2]), col(idx[k + 3]));
        for i in 0..n {
            y[i] += c0 * g0[i] + c1 * g1[i] + (c2 * g2[i] + c3 * g3[i]);
        }
        k += 4;
    }
    match idx.len() - k {
        3 => {
            let (c0, c1, c2) = (sign * coef[k], sign * coef[k + 1], sign * coef[k + 2]);
            let (g0, g1, g2) = (col(idx[k]), col(idx[k + 1]), col(idx[k + 2]));
            for i in 0..n {
                y[i] += c0 * g0[i] + c1 * g1[i] + c2 * g2[i];
            }
        }
        2 => {
            let (c0, c1) = (sign * coef[k], sign * coef[k + 1]);
            let (g0, g1) = (col(idx[k]), col(idx[k + 1]));
            for i in 0..n {
                y[i] += c0 * g0[i] + c1 * g1[i];
            }
        }
        1 => axpy(sign * coef[k], col(idx[k]), y),
        _ => {}
    }
}

/// Index of the first entry of largest absolute value (`None` if empty).
/// NaN entries are never chosen.
#[inline(always)]
pub fn argmax_abs<T: Real>(a: &[T]) -> Option<usize> {
    argmax_by(a, |v| v.abs())
}

/// `p ← s·p`, then `c ← c − z·p`, in one pass; returns the largest `|c|`
/// afterwards as [`argmax_abs`] finds it (the same lanes, combined in the
/// same order), so that [`first_abs_equal`] then gives the index
/// `argmax_abs(c)` would (OMP's correlation update fused with its next
/// choice: `c` is read once instead of twice).
#[inline(always)]
pub fn scale_update_max_abs<T: Real>(p: &mut [T], s: T, z: T, c: &mut [T]) -> T {
    assert_eq!(p.len(), c.len());
    let mut acc = [-T::MAX; LANES];
    let full = c.len() - c.len() % LANES;
    let (ph, pr) = p.split_at_mut(full);
    let (ch, cr) = c.split_at_mut(full);
    for (pc, cc) in ph.chunks_exact_mut(LANES).zip(ch.chunks_exact_mut(LANES)) {
        // Every load before every store: inlined, the two slices are not
        // known apart, and a load after a store would keep the loop scalar.
        // (Plain loops: `array::from_fn` may be left out of line, compiled
        // without the caller's SIMD extension.)
        let (mut pa, mut ca) = ([T::ZERO; LANES], [T::ZERO; LANES]);
        for l in 0..LANES {
            pa[l] = pc[l] * s;
        }
        for l in 0..LANES {
            ca[l] = cc[l] - z * pa[l];
        }
        pc.copy_from_slice(&pa);
        cc.copy_from_slice(&ca);
        for l in 0..LANES {
            let v = ca[l].abs();
            acc[l] = if v > acc[l] { v } else { acc[l] };
        }
    }
    for l in 0..pr.len() {
        pr[l] *= s;
        cr[l] -= z * pr[l];
        let v = cr[l].abs();
        acc[l] = if v > acc[l] { v } else { acc[l] };
    }
    combine_max(acc)
}

/// The index [`argmax_abs`] gives for `a` when its largest `|aᵢ|` is `m`
/// (from [`scale_update_max_abs`]): the first entry with `|aᵢ| = m`, or 0
/// when none is (every entry NaN); `None` if `a` is empty.
#[inline(always)]
pub fn first_abs_equal<T: Real>(a: &[T], m: T) -> Option<usize> {
    if a.is_empty() {
        return None;
    }
    first_index_by(a, m, |v| v.abs()).or(Some(0))
}

/// Index of the first entry of largest value (`None` if empty).
#[inline(always)]
pub fn argmax<T: Real>(a: &[T]) -> Option<usize> {
    argmax_by(a, |v| v)
}

/// Index of the first entry of smallest value (`None` if empty).
#[inline(always)]
pub fn argmin<T: Real>(a: &[T]) -> Option<usize> {
    argmax_by(a, |v| -v)
}

/// Two vectorised passes: the maximum of `key`, then the first chunk of
/// [`LANES`] entries holding it, then the entry inside that chunk.
#[inline(always)]
fn argmax_by<T: Real>(a: &[T], key: impl Fn(T) -> T) -> Option<usize> {
    if a.is_empty() {
        return None;
    }
    let mut acc = [-T::MAX; LANES];
    let c = a.chunks_exact(LANES);
    let r = c.remainder();
    for x in c {
        for l in 0..LANES {
            let v = key(x[l]);
            acc[l] = if v > acc[l] { v } else { acc[l] };
        }
    }
    for l in 0..r.len() {
        let v = key(r[l]);
        acc[l] = if v > acc[l] { v } else { acc[l] };
    }
    let m = combine_max(acc);
    first_index_by(a, m, key).or(Some(0))
}

/// Index of the first entry whose `key` equals `m`: a vectorised test of
/// each chunk of [`LANES`] entries, then a scan inside the chunk that hits.
#[inline(always)]
fn first_index_by<T: Real>(a: &[T], m: T, key: impl Fn(T) -> T) -> Option<usize> {
    let c = a.chunks_exact(LANES);
    let r = c.remainder();
    for (ci, x) in c.enumerate() {
        let mut hit = false;
        for l in 0..LANES {
            hit |= key(x[l]) == m;
        }
        if hit {
            return x.iter().position(|&v| key(v) == m).map(|p| ci * LANES + p);
        }
    }
    r.iter().position(|&v| key(v) == m).map(|p| a.len() - r.len() + p)
}

/// `(cᵀb, cᵀq, ‖c‖₁, max |qᵢ|)` in one pass over the three vectors: the
/// same bits as [`dot`], [`dot`], [`norm_l1`] and [`max_abs`] (each lane
/// sums the same terms in the same order), for the Lasso's duality gap.
#[inline(always)]
pub fn lasso_sums<T: Real>(c: &[T], b: &[T], q: &[T]) -> (T, T, T, T) {
    let n = c.len();
    assert!(b.len() == n && q.len() == n);
    if n < LANES {
        return (dot(c, b), dot(c, q), norm_l1(c), max_abs(q));
    }
    let (mut cb, mut cq, mut l1, mut mq) = ([T::ZERO; LANES], [T::ZERO; LANES], [T::ZERO; LANES], [T::ZERO; LANES]);
    let (ch, bh, qh) = (c.chunks_exact(LANES), b.chunks_exact(LANES), q.chunks_exact(LANES));
    let (cr, br, qr) = (ch.remainder(), bh.remainder(), qh.remainder());
    for ((x, y), z) in ch.zip(bh).zip(qh) {
        for l in 0..LANES {
            cb[l] += x[l] * y[l];
            cq[l] += x[l] * z[l];
            l1[l] += x[l].abs();
            let v = z[l].abs();
            mq[l] = if v > mq[l] { v } else { mq[l] };
        }
    }
    for l in 0..cr.len() {
        cb[l] += cr[l] * br[l];
        cq[l] += cr[l] * qr[l];
        l1[l] += cr[l].abs();
        let v = qr[l].abs();
        mq[l] = if v > mq[l] { v } else { mq[l] };
    }
    (combine(cb), combine(cq), combine(l1), combine_max(mq))
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
    combine_max(acc)
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
            acc[l] += x[l].abs();
        }
    }
    for l in 0..r.len() {
        acc[l] += r[l].abs();
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

/// Runs `f` compiled for the widest SIMD extension the CPU has (pulp's
/// runtime dispatch): what `f` calls must be `#[inline(always)]`, and
/// generic rather than behind a trait object, to be built inside it. The
/// kernels here give the same bits at every width.
pub fn widest_simd<R>(f: impl FnOnce() -> R) -> R {
    struct Op<F>(F);
    impl<R, F: FnOnce() -> R> pulp::WithSimd for Op<F> {
        type Output = R;
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) -> R {
            (self.0)()
        }
    }
    pulp::Arch::new().dispatch(Op(f))
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
        let c = [2.0f64, 5.0, 5.0, -7.0, 1.0, 5.0];
        assert_eq!(argmax(&c), Some(1));
        assert_eq!(argmin(&c), Some(3));
        let ties: Vec<f64> = (0..70).map(|i| if i % 17 == 3 { 4.0 } else { 1.0 }).collect();
        assert_eq!(argmax(&ties), Some(3));
        let b: Vec<f32> = (0..40).map(|i| if i == 33 { -9.0 } else { i as f32 * 0.1 }).collect();
        assert_eq!(argmax_abs(&b), Some(33));
        assert_eq!(max_abs(&b), 9.0);
    }

    /// The fused update gives `argmax_abs`'s choice and the same values as
    /// the two loops it replaces, at lengths around the lane count.
    #[test]
    fn scale_update_max_abs_matches_the_separate_loops() {
        for n in [1usize, 5, 16, 17, 40, 256, 259] {
            let p0: Vec<f64> = (0..n).map(|i| ((i * 37 % 23) as f64 - 11.0) / 7.0).collect();
            let c0: Vec<f64> = (0..n).map(|i| ((i * 53 % 31) as f64 - 15.0) / 3.0).collect();
            let (mut p, mut c) = (p0.clone(), c0.clone());
            let m = scale_update_max_abs(&mut p, 0.75, 1.5, &mut c);
            let (mut q, mut d) = (p0, c0);
            for (qi, di) in q.iter_mut().zip(d.iter_mut()) {
                *qi *= 0.75;
                *di -= 1.5 * *qi;
            }
            assert_eq!((p, &c), (q, &d));
            assert_eq!(first_abs_equal(&c, m), argmax_abs(&d), "n = {n}");
            // The first of the largest, counted plainly.
            let first = (0..n).fold(0, |b, i| if d[i].abs() > d[b].abs() { i } else { b });
            assert_eq!(first_abs_equal(&c, m), Some(first), "n = {n}");
        }
        let nan = [f64::NAN; 3];
        let (mut p, mut c) = (nan, nan);
        let m = scale_update_max_abs(&mut p, 1.0, 1.0, &mut c);
        assert_eq!(first_abs_equal(&c, m), argmax_abs(&nan));
        assert_eq!(first_abs_equal::<f64>(&[], 1.0), None);
    }

    /// The fused sums are the separate kernels' bits, short and long.
    #[test]
    fn lasso_sums_are_the_separate_kernels() {
        for n in [0usize, 3, 16, 21, 256, 259] {
            let c: Vec<f64> = (0..n).map(|i| if i % 3 == 0 { ((i * 7 % 11) as f64 - 5.0) / 3.0 } else { 0.0 }).collect();
            let b: Vec<f64> = (0..n).map(|i| ((i * 13 % 17) as f64 - 8.0) / 7.0).collect();
            let q: Vec<f64> = (0..n).map(|i| ((i * 29 % 19) as f64 - 9.0) / 5.0).collect();
            assert_eq!(lasso_sums(&c, &b, &q), (dot(&c, &b), dot(&c, &q), norm_l1(&c), max_abs(&q)), "n = {n}");
        }
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
