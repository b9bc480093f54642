//! The eigenpairs of a small symmetric matrix whose eigenvalues exceed a
//! threshold, without the others: what a low-rank shrinkage needs when most
//! of the spectrum is noise it discards (WNNM's groups: a 49 × 49 Gram
//! matrix of which a few directions are kept).
//!
//! Householder tridiagonalisation (`4n³/3` operations, the reflectors kept),
//! then on the tridiagonal matrix the count of eigenvalues above the
//! threshold by Sturm sequences, each of those eigenvalues by bisection,
//! its eigenvector by inverse iteration (orthogonalised against the ones
//! before it, for close eigenvalues), and the reflectors applied to bring
//! each back: `O(n²)` per kept pair, where the QR algorithm with
//! eigenvectors costs about `6n³` for all of them.

use crate::kernels::{axpy, dot};

/// Scratch space and results of [`eigen_above`], reused from call to call
/// so that a loop over many matrices allocates nothing once it has grown.
#[derive(Debug, Default, Clone)]
pub struct EigenAbove {
    /// The kept eigenvalues, largest first.
    pub values: Vec<f64>,
    /// Their unit eigenvectors, `n` values each, end to end, in the order
    /// of `values`.
    pub vectors: Vec<f64>,
    diag: Vec<f64>,
    off: Vec<f64>,
    beta: Vec<f64>,
    p: Vec<f64>,
    lu: Vec<f64>,
}

/// The eigenpairs of the symmetric `n × n` matrix `a` (column-major; only
/// its lower triangle is read; it is overwritten) whose eigenvalues are at
/// least `threshold`, largest first, into `out.values` and `out.vectors`.
/// Eigenvalues to about `1e-13` of the matrix's norm.
#[inline(always)]
pub fn eigen_above(a: &mut [f64], n: usize, threshold: f64, out: &mut EigenAbove) {
    assert_eq!(a.len(), n * n, "eigen_above: the matrix is not {n} × {n}");
    out.values.clear();
    out.vectors.clear();
    if n == 0 {
        return;
    }
    tridiagonalise(a, n, out);
    let (d, e) = (&out.diag, &out.off);
    // Gershgorin bounds of the spectrum.
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for i in 0..n {
        let r = if i > 0 { e[i - 1].abs() } else { 0.0 } + if i + 1 < n { e[i].abs() } else { 0.0 };
        lo = lo.min(d[i] - r);
        hi = hi.max(d[i] + r);
    }
    let scale = hi.abs().max(lo.abs()).max(f64::MIN_POSITIVE);
    let tol = 4.0 * f64::EPSILON * scale;
    if threshold > hi {
        return;
    }
    // Below the spectrum's lower bound, every eigenvalue is kept.
    let floor = threshold.max(lo - tol);
    let (mut q, mut below) = ([0.0], [0.0]);
    sturm_counts(d, e, &[floor], -f64::EPSILON * (floor.abs() + 1.0) * 1e-3, &mut q, &mut below);
    let kept = n - below[0] as usize;
    bisect(d, e, floor, hi + tol, kept, tol, &mut out.p, &mut out.values);
    let mut first = 0;
    for j in 0..kept {
        let lambda = out.values[j];
        let start = out.vectors.len();
        out.vectors.resize(start + n, 0.0);
        // A cluster: eigenvalues within 10⁻³‖T‖ of the one before (as
        // LAPACK's `stein`); a vector is orthogonalised against its cluster's
        // only, the others' being orthogonal to it already to about ε‖T‖/gap.
        if j > 0 && out.values[j - 1] - lambda > 1e-3 * scale {
            first = j;
        }
        inverse_iteration(&out.diag, &out.off, lambda, scale, &mut out.lu, (first, j), &mut out.vectors, n);
        // The eigenvalue to working precision: the Rayleigh quotient vᵀTv
        // (its error the square of the vector's).
        let (d, e, v) = (&out.diag, &out.off, &out.vectors[j * n..(j + 1) * n]);
        let tv = |i: usize| d[i] * v[i] + if i > 0 { e[i - 1] * v[i - 1] } else { 0.0 } + if i + 1 < n { e[i] * v[i + 1] } else { 0.0 };
        out.values[j] = (0..n).map(|i| v[i] * tv(i)).sum();
    }
    // Back to the original basis: v ← H_0 ⋯ H_{n−3} v.
    for v in out.vectors.chunks_exact_mut(n) {
        for k in (0..n.saturating_sub(2)).rev() {
            let b = out.beta[k];
            if b == 0.0 {
                continue;
            }
            let h = &a[k * n + k + 1..(k + 1) * n];
            let s = dot(h, &v[k + 1..]) * b;
            axpy(-s, h, &mut v[k + 1..]);
        }
    }
}

/// Householder reduction of the symmetric `a` (lower triangle) to
/// tridiagonal form: the diagonal and the subdiagonal into `out.diag` and
/// `out.off`, reflector `k` (`I − βₖ hₖ hₖᵀ`, `hₖ` in column `k` below the
/// subdiagonal, its first entry 1) left in `a`.
#[inline(always)]
fn tridiagonalise(a: &mut [f64], n: usize, out: &mut EigenAbove) {
    out.diag.clear();
    out.off.clear();
    out.beta.clear();
    out.p.resize(n, 0.0);
    for k in 0..n.saturating_sub(2) {
        let col = k * n;
        let x = &mut a[col + k + 1..col + n];
        let sigma: f64 = x[1..].iter().map(|v| v * v).sum();
        let x0 = x[0];
        let (beta, alpha) = if sigma == 0.0 {
            (0.0, x0)
        } else {
            let norm = (x0 * x0 + sigma).sqrt();
            let alpha = if x0 > 0.0 { -norm } else { norm };
            let v0 = x0 - alpha;
            x[1..].iter_mut().for_each(|v| *v /= v0);
            x[0] = 1.0;
            (-v0 / alpha, alpha)
        };
        out.diag.push(a[col + k]);
        out.off.push(alpha);
        out.beta.push(beta);
        if beta == 0.0 {
            continue;
        }
        // p = β A₂₂ h (A₂₂ symmetric, lower triangle), w = p − (β pᵀh/2) h,
        // A₂₂ ← A₂₂ − h wᵀ − w hᵀ.
        let m = n - k - 1;
        let (h_part, rest) = a.split_at_mut(col + n);
        let h = &h_part[col + k + 1..col + n];
        let p = &mut out.p[..m];
        p.fill(0.0);
        for j in 0..m {
            let cj = &rest[j * n + k + 1..(j + 1) * n];
            // Column j of A₂₂: its lower part is cj[j..]; the upper part by
            // symmetry (a dot product with fixed-width accumulators, and an
            // axpy: both vectorise).
            p[j] += cj[j] * h[j] + dot(&cj[j + 1..], &h[j + 1..]);
            axpy(h[j], &cj[j + 1..], &mut p[j + 1..]);
        }
        p.iter_mut().for_each(|v| *v *= beta);
        let c = 0.5 * beta * dot(p, h);
        p.iter_mut().zip(h).for_each(|(w, y)| *w -= c * y);
        for j in 0..m {
            let (hj, wj) = (h[j], p[j]);
            let cj = &mut rest[j * n + k + 1..(j + 1) * n];
            cj[j..].iter_mut().zip(&h[j..]).zip(&p[j..]).for_each(|((a, hi), pi)| *a -= hi * wj + pi * hj);
        }
    }
    for k in n.saturating_sub(2)..n {
        out.diag.push(a[k * n + k]);
        if k + 1 < n {
            out.off.push(a[k * n + k + 1]);
            out.beta.push(0.0);
        }
    }
}

/// The `kept` largest eigenvalues of the tridiagonal (`d`, `e`), all in
/// `[lo, hi]`, largest first, into `values`: bisection on every one at once
/// (their Sturm sequences interleaved, [`sturm_counts`]), to `tol`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn bisect(d: &[f64], e: &[f64], lo: f64, hi: f64, kept: usize, tol: f64, work: &mut Vec<f64>, values: &mut Vec<f64>) {
    let n = d.len();
    work.clear();
    work.resize(5 * kept, 0.0);
    let (a, rest) = work.split_at_mut(kept);
    let (b, rest) = rest.split_at_mut(kept);
    let (t, rest) = rest.split_at_mut(kept);
    let (q, count) = rest.split_at_mut(kept);
    a.fill(lo);
    b.fill(hi);
    let tiny = -f64::EPSILON * (lo.abs().max(hi.abs()) + 1.0) * 1e-3;
    loop {
        let width = a.iter().zip(b.iter()).map(|(x, y)| y - x).fold(0.0, f64::max);
        if width <= tol.max(1e-9 * lo.abs().max(hi.abs())) {
            break;
        }
        for l in 0..kept {
            t[l] = 0.5 * (a[l] + b[l]);
        }
        sturm_counts(d, e, t, tiny, q, count);
        // Lane l seeks the (l+1)-th largest: n − 1 − l eigenvalues below it.
        for l in 0..kept {
            if count[l] <= (n - 1 - l) as f64 { a[l] = t[l] } else { b[l] = t[l] }
        }
    }
    values.extend(a.iter().zip(b.iter()).map(|(x, y)| 0.5 * (x + y)));
}

/// For each shift `t[l]`, the number of eigenvalues of the tridiagonal
/// matrix (`d`, `e`) below it, into `count[l]`: the negative pivots of
/// `T − t[l]·I`'s LDLᵀ factorisation (`q` holds them; a zero pivot becomes
/// `tiny`, below 0). The shifts' sequences are interleaved: independent
/// operations the processor overlaps and the compiler vectorises.
#[inline(always)]
fn sturm_counts(d: &[f64], e: &[f64], t: &[f64], tiny: f64, q: &mut [f64], count: &mut [f64]) {
    count.fill(0.0);
    q.fill(1.0);
    for i in 0..d.len() {
        let (di, off) = (d[i], if i > 0 { e[i - 1] * e[i - 1] } else { 0.0 });
        for l in 0..t.len() {
            let v = di - t[l] - off / q[l];
            let v = if v == 0.0 { tiny } else { v };
            q[l] = v;
            count[l] += if v < 0.0 { 1.0 } else { 0.0 };
        }
    }
}

/// The unit eigenvector of the tridiagonal (`d`, `e`) for the eigenvalue
/// `lambda`, into the `j`-th vector of `vectors` (`n` each), orthogonal to
/// those from `first` (its cluster's) to `j`: three steps of inverse iteration with `T − λI`
/// factorised once (LU with partial pivoting, in `lu`).
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn inverse_iteration(
    d: &[f64],
    e: &[f64],
    lambda: f64,
    scale: f64,
    lu: &mut Vec<f64>,
    (first, j): (usize, usize),
    vectors: &mut [f64],
    n: usize,
) {
    // Rows of U: (u0, u1, u2) per row, l the multipliers, piv whether rows swapped.
    lu.clear();
    lu.resize(5 * n, 0.0);
    let (u, rest) = lu.split_at_mut(3 * n);
    let (l, piv) = rest.split_at_mut(n);
    let shift = lambda;
    let tiny = f64::EPSILON * scale;
    // Row i of T − λI: e[i−1], d[i] − λ, e[i]. Eliminate the subdiagonal.
    let mut cur = [d[0] - shift, if n > 1 { e[0] } else { 0.0 }, 0.0];
    for i in 0..n {
        if i + 1 == n {
            u[3 * i..3 * i + 3].copy_from_slice(&cur);
            break;
        }
        let next = [e[i], d[i + 1] - shift, if i + 2 < n { e[i + 1] } else { 0.0 }];
        if next[0].abs() > cur[0].abs() {
            // Swap rows i and i + 1.
            let m = cur[0] / next[0];
            u[3 * i..3 * i + 3].copy_from_slice(&next);
            l[i] = m;
            piv[i] = 1.0;
            cur = [cur[1] - m * next[1], cur[2] - m * next[2], 0.0];
        } else {
            let c0 = if cur[0] == 0.0 { tiny } else { cur[0] };
            let m = next[0] / c0;
            u[3 * i..3 * i + 3].copy_from_slice(&[c0, cur[1], cur[2]]);
            l[i] = m;
            piv[i] = 0.0;
            cur = [next[1] - m * cur[1], next[2] - m * cur[2], 0.0];
        }
    }
    // The pivots' reciprocals, once: the solves below multiply.
    for i in 0..n {
        let p = if u[3 * i] == 0.0 { tiny } else { u[3 * i] };
        u[3 * i] = 1.0 / p;
    }
    let (before, this) = vectors.split_at_mut(j * n);
    let v = &mut this[..n];
    // A pseudo-random start, another for each vector (a repeated eigenvalue
    // needs as many independent starts as its multiplicity).
    for (i, x) in v.iter_mut().enumerate() {
        let h = (i as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ (j as u64 + 1).wrapping_mul(0xC2B2_AE3D_27D4_EB4F);
        *x = 1.0 + ((h >> 11) as f64 / (1u64 << 53) as f64 - 0.5);
    }
    for _ in 0..3 {
        // Forward: apply the row operations of L.
        for i in 0..n - 1 {
            if piv[i] == 1.0 {
                v.swap(i, i + 1);
                v[i + 1] -= l[i] * v[i];
            } else {
                v[i + 1] -= l[i] * v[i];
            }
        }
        // Backward: U x = v.
        for i in (0..n).rev() {
            let mut s = v[i];
            if i + 1 < n {
                s -= u[3 * i + 1] * v[i + 1];
            }
            if i + 2 < n {
                s -= u[3 * i + 2] * v[i + 2];
            }
            v[i] = s * u[3 * i];
        }
        // Twice: once is not enough when v lies nearly in their span.
        for _ in 0..2 {
            for w in before[first * n..].chunks_exact(n) {
                let c = dot(w, v);
                axpy(-c, w, v);
            }
        }
        let norm = dot(v, v).sqrt();
        if !(norm > 0.0 && norm.is_finite()) {
            v.fill(0.0);
            v[j.min(n - 1)] = 1.0;
            continue;
        }
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::{Mat, Side};
    use proptest::prelude::*;

    /// A symmetric positive semi-definite `Y Yᵀ` from `n × m` values.
    fn gram_of(vals: &[f64], n: usize, m: usize) -> Mat<f64> {
        let y = faer::MatRef::from_column_major_slice(&vals[..n * m], n, m);
        y * y.transpose()
    }

    fn check(g: &Mat<f64>, threshold: f64) -> Result<(), TestCaseError> {
        let n = g.nrows();
        let evd = g.self_adjoint_eigen(Side::Lower).unwrap();
        let norm = (0..n).map(|i| evd.S()[i].abs()).fold(0.0, f64::max).max(1e-300);
        let mut want: Vec<f64> = (0..n).map(|i| evd.S()[i]).filter(|&v| v >= threshold).collect();
        want.sort_by(|a, b| b.total_cmp(a));
        let mut a: Vec<f64> = (0..n * n).map(|k| g[(k % n, k / n)]).collect();
        let mut out = EigenAbove::default();
        eigen_above(&mut a, n, threshold, &mut out);
        // Eigenvalues at the threshold itself may fall either side.
        let near = |v: f64| (v - threshold).abs() <= 1e-9 * norm;
        let (got, want): (Vec<f64>, Vec<f64>) =
            (out.values.iter().copied().filter(|&v| !near(v)).collect(), want.into_iter().filter(|&v| !near(v)).collect());
        prop_assert_eq!(got.len(), want.len(), "kept {:?}, faer {:?}", got, want);
        for (g_, w) in got.iter().zip(&want) {
            prop_assert!((g_ - w).abs() <= 1e-10 * norm, "eigenvalue {} against faer's {}", g_, w);
        }
        // Each vector: unit, orthogonal to the others, and ‖G v − λ v‖ small.
        for (j, (v, &l)) in out.vectors.chunks_exact(n).zip(&out.values).enumerate() {
            let r: f64 = (0..n).map(|i| ((0..n).map(|k| g[(i, k)] * v[k]).sum::<f64>() - l * v[i]).powi(2)).sum::<f64>().sqrt();
            prop_assert!(r <= 1e-8 * norm, "residual {} of pair {}", r, j);
            for (k, w) in out.vectors.chunks_exact(n).enumerate() {
                let d: f64 = v.iter().zip(w).map(|(a, b)| a * b).sum();
                let want = if j == k { 1.0 } else { 0.0 };
                prop_assert!((d - want).abs() <= 1e-8, "vᵀw = {} for {}, {}", d, j, k);
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every eigenpair above the threshold, as faer's full
        /// eigendecomposition gives them, on Gram matrices of rank up to `n`
        /// (a planted low-rank part plus small noise, as a group of similar
        /// patches is).
        #[test]
        fn agrees_with_faer(n in 1usize..40, m in 1usize..60, rank in 0usize..6, noise in 0.0f64..1.0,
                            vals in prop::collection::vec(-1.0f64..1.0, 4000), frac in 0.0f64..1.2) {
            let u: Vec<f64> = vals[..n * rank.max(1)].to_vec();
            let w: Vec<f64> = vals[2000..2000 + rank.max(1) * m].to_vec();
            let y: Vec<f64> = (0..n * m).map(|k| {
                let (i, j) = (k % n, k / n);
                let low: f64 = (0..rank).map(|q| 5.0 * u[q * n + i] * w[q * m + j]).sum();
                low + noise * vals[(k * 7 + 3) % 4000]
            }).collect();
            let g = gram_of(&y, n, m);
            let top = (0..n).map(|i| g[(i, i)]).sum::<f64>();
            check(&g, frac * top / n as f64)?;
        }
    }

    /// Repeated eigenvalues (the identity plus a rank-one part): the kept
    /// vectors still orthonormal.
    #[test]
    fn repeated_eigenvalues() {
        let n = 12;
        let g = Mat::<f64>::from_fn(n, n, |i, j| if i == j { 2.0 } else { 0.0 } + 0.5);
        check(&g, 1.0).unwrap();
        check(&Mat::<f64>::identity(n, n), 0.5).unwrap();
        check(&Mat::<f64>::zeros(n, n), -1.0).unwrap();
    }
}
