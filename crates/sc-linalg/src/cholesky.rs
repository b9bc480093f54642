//! A Cholesky factor grown and shrunk one row and column at a time.

use crate::Real;
use crate::kernels::dot;

/// Why a row could not be appended to an [`IncrementalCholesky`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CholeskyError {
    /// The new column is (numerically) a combination of the previous ones:
    /// the pivot `g_jj − ‖L⁻¹ g‖²` fell below the threshold.
    Dependent,
    /// The factor is at its capacity.
    Full,
}

impl core::fmt::Display for CholeskyError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CholeskyError::Dependent => f.write_str("new column is linearly dependent on the previous ones"),
            CholeskyError::Full => f.write_str("Cholesky factor is at capacity"),
        }
    }
}

impl std::error::Error for CholeskyError {}

/// Lower-triangular `L` with `L Lᵀ = G_II` for a growing index set `I`.
///
/// Storage is dense and row-major with a fixed capacity, allocated once, so
/// that [`push`](Self::push), [`remove`](Self::remove) and the solves never
/// allocate: the object is meant to be reused across signals with
/// [`clear`](Self::clear).
///
/// Appending costs one forward substitution, `O(k²)`; removing row and column
/// `i` costs `O(k²)` Givens rotations (no refactorisation).
#[derive(Debug, Clone)]
pub struct IncrementalCholesky<T> {
    cap: usize,
    len: usize,
    l: Vec<T>,
}

impl<T: Real> IncrementalCholesky<T> {
    /// An empty factor able to hold up to `cap` rows.
    pub fn with_capacity(cap: usize) -> Self {
        Self { cap, len: 0, l: vec![T::ZERO; cap * cap] }
    }

    /// Current order `k` of the factor.
    #[inline(always)]
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether the factor is empty.
    #[inline(always)]
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Maximum order.
    #[inline(always)]
    pub fn capacity(&self) -> usize {
        self.cap
    }

    /// Forgets every row (keeps the storage).
    #[inline(always)]
    pub fn clear(&mut self) {
        self.len = 0;
    }

    /// Row `i` of `L`, entries `0..=i`.
    #[inline(always)]
    pub fn row(&self, i: usize) -> &[T] {
        debug_assert!(i < self.len);
        &self.l[i * self.cap..i * self.cap + i + 1]
    }

    /// Appends the column `g = G[I, j]` (length `len()`) with diagonal
    /// `g_jj`, using the default pivot threshold `MIN_POSITIVE`.
    #[inline(always)]
    pub fn push(&mut self, g: &[T], g_jj: T) -> Result<(), CholeskyError> {
        self.push_with_threshold(g, g_jj, T::MIN_POSITIVE)
    }

    /// Appends a row and column: solves `L w = g`, sets the new diagonal to
    /// `sqrt(g_jj − wᵀw)`, and fails with [`CholeskyError::Dependent`] if
    /// `g_jj − wᵀw ≤ threshold` (the factor is then unchanged).
    #[inline(always)]
    pub fn push_with_threshold(&mut self, g: &[T], g_jj: T, threshold: T) -> Result<(), CholeskyError> {
        let k = self.len;
        assert_eq!(g.len(), k, "column length must equal the factor's order");
        if k == self.cap {
            return Err(CholeskyError::Full);
        }
        let cap = self.cap;
        let (head, tail) = self.l.split_at_mut(k * cap);
        let w = &mut tail[..k];
        w.copy_from_slice(g);
        forward_subst(head, cap, w);
        self.finish_row(g_jj, threshold).map(|_| ())
    }

    /// Appends a row whose off-diagonal part `w = L⁻¹g` the caller already
    /// has (OMP gets it for free from its projected correlations), with
    /// diagonal `sqrt(g_jj − wᵀw)`; fails as [`push`](Self::push) does.
    #[inline(always)]
    pub fn push_solved(&mut self, w: &[T], g_jj: T, threshold: T) -> Result<T, CholeskyError> {
        let k = self.len;
        assert_eq!(w.len(), k);
        if k == self.cap {
            return Err(CholeskyError::Full);
        }
        self.l[k * self.cap..k * self.cap + k].copy_from_slice(w);
        self.finish_row(g_jj, threshold)
    }

    /// Completes row `len()`, whose off-diagonal part `w` is in place: the
    /// diagonal `sqrt(g_jj − wᵀw)`, or [`CholeskyError::Dependent`] (factor
    /// unchanged) if `g_jj − wᵀw ≤ threshold`. Returns the diagonal.
    #[inline(always)]
    fn finish_row(&mut self, g_jj: T, threshold: T) -> Result<T, CholeskyError> {
        let k = self.len;
        let row = &mut self.l[k * self.cap..k * self.cap + k + 1];
        let rho = g_jj - dot(&row[..k], &row[..k]);
        if !(rho > threshold) {
            return Err(CholeskyError::Dependent);
        }
        let d = rho.sqrt();
        row[k] = d;
        self.len = k + 1;
        Ok(d)
    }

    /// Solves `L x = b` in place (`b` of length `len()`).
    #[inline(always)]
    pub fn forward_solve(&self, b: &mut [T]) {
        assert_eq!(b.len(), self.len);
        forward_subst(&self.l, self.cap, b);
    }

    /// Solves `Lᵀ x = b` in place.
    #[inline(always)]
    pub fn backward_solve(&self, b: &mut [T]) {
        let k = self.len;
        assert_eq!(b.len(), k);
        for i in (0..k).rev() {
            let row = &self.l[i * self.cap..i * self.cap + i + 1];
            let xi = b[i] / row[i];
            b[i] = xi;
            for j in 0..i {
                b[j] -= row[j] * xi;
            }
        }
    }

    /// Solves `L Lᵀ x = b` in place.
    #[inline(always)]
    pub fn solve_in_place(&self, b: &mut [T]) {
        self.forward_solve(b);
        self.backward_solve(b);
    }

    /// Removes row and column `i` (the `i`-th index of `I`), keeping
    /// `L Lᵀ = G_I'I'` for the remaining indices in their order.
    ///
    /// Deleting row `i` of `L` leaves a lower-Hessenberg block that Givens
    /// rotations applied to column pairs `(p, p+1)`, `p ≥ i`, make
    /// triangular again.
    pub fn remove(&mut self, i: usize) {
        let k = self.len;
        assert!(i < k);
        let cap = self.cap;
        // Shift rows i+1.. up by one; each keeps its i+2.. entries.
        for r in i + 1..k {
            let (dst, src) = self.l.split_at_mut(r * cap);
            dst[(r - 1) * cap..(r - 1) * cap + r + 1].copy_from_slice(&src[..r + 1]);
        }
        // Rows p = i..k-1 (new indexing) have an extra entry at column p+1.
        for p in i..k - 1 {
            let a = self.l[p * cap + p];
            let b = self.l[p * cap + p + 1];
            let r = a.hypot(b);
            let (c, s) = if r > T::ZERO { (a / r, b / r) } else { (T::ONE, T::ZERO) };
            for row in p..k - 1 {
                let x = self.l[row * cap + p];
                let y = self.l[row * cap + p + 1];
                self.l[row * cap + p] = c * x + s * y;
                self.l[row * cap + p + 1] = c * y - s * x;
            }
            self.l[p * cap + p + 1] = T::ZERO;
        }
        self.len = k - 1;
    }
}

/// Forward substitution `L x = b` in place, for the first `b.len()` rows of
/// a row-major factor with row stride `cap` (rows are contiguous).
#[inline(always)]
fn forward_subst<T: Real>(l: &[T], cap: usize, b: &mut [T]) {
    for i in 0..b.len() {
        let row = &l[i * cap..i * cap + i + 1];
        let s = b[i] - dot(&row[..i], &b[..i]);
        b[i] = s / row[i];
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spd(n: usize) -> Vec<Vec<f64>> {
        // G = AᵀA + I for a fixed A.
        let m = n + 3;
        let a: Vec<Vec<f64>> = (0..m).map(|r| (0..n).map(|c| ((r * 7 + c * 3) as f64 * 0.71).sin()).collect()).collect();
        (0..n).map(|i| (0..n).map(|j| (0..m).map(|r| a[r][i] * a[r][j]).sum::<f64>() + if i == j { 1.0 } else { 0.0 }).collect()).collect()
    }

    fn reconstruct(ch: &IncrementalCholesky<f64>) -> Vec<Vec<f64>> {
        let k = ch.len();
        (0..k)
            .map(|i| {
                (0..k)
                    .map(|j| {
                        let (ri, rj) = (ch.row(i), ch.row(j));
                        (0..=i.min(j)).map(|m| ri[m] * rj[m]).sum()
                    })
                    .collect()
            })
            .collect()
    }

    #[test]
    fn push_builds_the_factor_and_solve_inverts() {
        let g = spd(6);
        let mut ch = IncrementalCholesky::with_capacity(6);
        for j in 0..6 {
            let col: Vec<f64> = (0..j).map(|i| g[i][j]).collect();
            ch.push(&col, g[j][j]).unwrap();
        }
        let llt = reconstruct(&ch);
        for i in 0..6 {
            for j in 0..6 {
                assert!((llt[i][j] - g[i][j]).abs() < 1e-12);
            }
        }
        let b = [1.0, -2.0, 0.5, 3.0, 0.0, 1.5];
        let mut x = b;
        ch.solve_in_place(&mut x);
        for i in 0..6 {
            let gi: f64 = (0..6).map(|j| g[i][j] * x[j]).sum();
            assert!((gi - b[i]).abs() < 1e-10);
        }
        assert_eq!(ch.push(&[0.0; 6], 1.0), Err(CholeskyError::Full));
    }

    #[test]
    fn dependent_column_is_refused() {
        let mut ch = IncrementalCholesky::<f64>::with_capacity(3);
        ch.push(&[], 1.0).unwrap();
        assert_eq!(ch.push(&[1.0], 1.0), Err(CholeskyError::Dependent));
        assert_eq!(ch.len(), 1);
    }

    #[test]
    fn remove_matches_the_factor_of_the_reduced_matrix() {
        let n = 7;
        let g = spd(n);
        for del in 0..n {
            let mut ch = IncrementalCholesky::with_capacity(n);
            for j in 0..n {
                let col: Vec<f64> = (0..j).map(|i| g[i][j]).collect();
                ch.push(&col, g[j][j]).unwrap();
            }
            ch.remove(del);
            let keep: Vec<usize> = (0..n).filter(|&i| i != del).collect();
            let llt = reconstruct(&ch);
            for (a, &i) in keep.iter().enumerate() {
                assert!(ch.row(a)[a] > 0.0);
                for (b, &j) in keep.iter().enumerate() {
                    assert!((llt[a][b] - g[i][j]).abs() < 1e-10, "del {del} ({a},{b})");
                }
            }
        }
    }
}
