//! Least squares on the simplex: each signal `x` written as the convex
//! combination of the columns of `Z` nearest to it,
//! `argmin ‖x − Zα‖²` s.t. `α ≥ 0`, `Σα = 1` (SPAMS's `decompSimplex`, the
//! coding step of archetypal analysis).
//!
//! An active-set method in Gram form, exact. On the simplex `Σα = 1`, so
//! adding `c` to every entry of `G = ZᵀZ` and of `b = Zᵀx` changes the
//! objective `½αᵀGα − bᵀα` by a constant: the points get a coordinate `√c`
//! and their Gram matrix is definite as long as they are affinely
//! independent (`m + 1` of them in `ℝᵐ`, not only `m`). On the active set
//! `S` the equality-constrained problem is solved through the Cholesky
//! factor of that `G_SS`, grown and shrunk a row at a time
//! (`β = G_SS⁻¹(b_S − ν1)` with `ν` making `Σβ = 1`); a negative entry
//! sends the iterate back along the segment to the boundary and drops the
//! atoms that reach zero; at a feasible minimiser the atom of least
//! gradient joins while its gradient is below the active ones' (the
//! multiplier). An atom in the affine hull of the active ones (which the
//! factor cannot take) joins by a pivot instead: along the direction that
//! trades the active atoms for it keeping `Zα` fixed, the objective falls
//! linearly (by the gap between its gradient and theirs), so the weight
//! moves to it until an active atom reaches zero and leaves. It starts from the
//! nearest column and ends at the Karush-Kuhn-Tucker point, which is the
//! minimiser (the problem is convex).

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{IncrementalCholesky, Real, dtx_into, gram, kernels};

use crate::codes::SparseCodes;
use crate::error::{Error, Result};

/// Signals per parallel task.
const CHUNK: usize = 64;

/// Codes each column of `x` (n_features × n_samples) as the convex
/// combination of the columns of `z` (n_features × n_points) nearest to
/// it. Every value must be finite; `z` needs at least one column.
pub fn simplex_codes<T: Real>(z: MatRef<'_, T>, x: MatRef<'_, T>) -> Result<SparseCodes<T>> {
    check(z, x)?;
    let (p, n) = (z.ncols(), x.ncols());
    let g = gram(z, Par::rayon(0));
    let scale = (0..p).fold(T::ZERO, |a, j| a.max(g[(j, j)]));
    let shift = shift_for(scale);
    let g: Vec<T> = (0..p).flat_map(|j| (0..p).map(move |i| (i, j))).map(|(i, j)| g[(i, j)] + shift).collect();
    let mut b = Mat::<T>::zeros(p, n);
    dtx_into(z, x, b.as_mut(), Par::rayon(0));
    let scale = scale + shift;
    let parts: Vec<(Vec<usize>, Vec<u32>, Vec<T>)> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut ws = Simplex::new(p, z.nrows());
            let (mut counts, mut indices, mut values) = (Vec::new(), Vec::new(), Vec::new());
            let (mut bs, mut code) = (vec![T::ZERO; p], Vec::with_capacity(p));
            for s in c * CHUNK..((c + 1) * CHUNK).min(n) {
                for (j, v) in bs.iter_mut().enumerate() {
                    *v = b[(j, s)] + shift;
                }
                ws.solve(&Dense { g: &g, p }, &bs, scale);
                ws.support(&mut code);
                indices.extend(code.iter().map(|&(j, _)| j as u32));
                values.extend(code.iter().map(|&(_, w)| w));
                counts.push(code.len());
            }
            (counts, indices, values)
        })
        .collect();
    let mut indptr = vec![0usize];
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    for (counts, ind, val) in parts {
        for c in counts {
            indptr.push(indptr.last().unwrap() + c);
        }
        indices.extend(ind);
        values.extend(val);
    }
    SparseCodes::from_parts(p, indptr, indices, values)
}

/// Where the solver reads the shifted Gram matrix `G + c` of the points.
trait Gram<T: Real> {
    /// Entry `(i, j)`.
    fn entry(&self, i: usize, j: usize) -> T;
    /// `G α − b` over every point, for the weights `alpha` of `active`
    /// (summing to one), into `out`; `scratch` is reused.
    fn gradient(&self, active: &[usize], alpha: &[T], b: &[T], out: &mut [T], scratch: &mut Vec<T>);
}

/// The Gram matrix computed once, column-major `p × p`, shift included.
struct Dense<'a, T> {
    g: &'a [T],
    p: usize,
}

impl<T: Real> Gram<T> for Dense<'_, T> {
    fn entry(&self, i: usize, j: usize) -> T {
        self.g[j * self.p + i]
    }
    fn gradient(&self, active: &[usize], alpha: &[T], b: &[T], out: &mut [T], _: &mut Vec<T>) {
        out.iter_mut().zip(b).for_each(|(o, &v)| *o = -v);
        for (&a, &w) in active.iter().zip(alpha) {
            kernels::axpy(w, &self.g[a * self.p..(a + 1) * self.p], out);
        }
    }
}

/// Gram entries made on demand from the points (the columns of `x`), for
/// many points: `x_iᵀx_j + shift`, and the gradient through `y = Xα`.
struct Lazy<'a, T: Real> {
    x: MatRef<'a, T>,
    shift: T,
}

impl<T: Real> Gram<T> for Lazy<'_, T> {
    fn entry(&self, i: usize, j: usize) -> T {
        (0..self.x.nrows()).fold(self.shift, |a, r| a + self.x[(r, i)] * self.x[(r, j)])
    }
    fn gradient(&self, active: &[usize], alpha: &[T], b: &[T], out: &mut [T], y: &mut Vec<T>) {
        let m = self.x.nrows();
        y.clear();
        y.resize(m, T::ZERO);
        for (&a, &w) in active.iter().zip(alpha) {
            for (r, v) in y.iter_mut().enumerate() {
                *v += w * self.x[(r, a)];
            }
        }
        // Xᵀy in one product, then the shift (Σα = 1) and −b.
        let n = out.len();
        matmul(
            MatMut::from_column_major_slice_mut(out, n, 1),
            Accum::Replace,
            self.x.transpose(),
            MatRef::from_column_major_slice(y, m, 1),
            T::ONE,
            Par::Seq,
        );
        out.iter_mut().zip(b).for_each(|(o, &v)| *o += self.shift - v);
    }
}

/// The convex combination of the columns of `points` (n_features × p)
/// nearest to `v`, as `(point, weight)` pairs in increasing point order,
/// with Gram entries made on demand (for many points, whose Gram matrix
/// would not fit): the same solver as [`simplex_codes`].
pub fn simplex_code<T: Real>(points: MatRef<'_, T>, v: &[T]) -> Result<Vec<(usize, T)>> {
    let (m, p) = (points.nrows(), points.ncols());
    if v.len() != m {
        return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: m, got: v.len() });
    }
    check(points, MatRef::from_column_major_slice(v, m, 1))?;
    let top = (0..p).map(|j| points.col(j).squared_norm_l2()).fold(T::ZERO, T::max);
    let shift = shift_for(top);
    let mut b = vec![T::ZERO; p];
    matmul(
        MatMut::from_column_major_slice_mut(&mut b, p, 1),
        Accum::Replace,
        points.transpose(),
        MatRef::from_column_major_slice(v, m, 1),
        T::ONE,
        Par::Seq,
    );
    b.iter_mut().for_each(|v| *v += shift);
    let mut ws = Simplex::new(p, m);
    ws.solve(&Lazy { x: points, shift }, &b, top + shift);
    let mut out = Vec::with_capacity(ws.active.len());
    ws.support(&mut out);
    Ok(out)
}

/// Refuses points and signals of different lengths, no points, and
/// infinite or NaN values.
fn check<T: Real>(z: MatRef<'_, T>, x: MatRef<'_, T>) -> Result<()> {
    let (m, p) = (z.nrows(), z.ncols());
    if x.nrows() != m {
        return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: m, got: x.nrows() });
    }
    if p == 0 || m == 0 {
        return Err(Error::EmptyDictionary { n_features: m, n_atoms: p });
    }
    if let Some(j) = (0..p).find(|&j| (0..m).any(|i| !z[(i, j)].is_finite())) {
        return Err(Error::NonFiniteAtom { atom: j });
    }
    if let Some(s) = (0..x.ncols()).find(|&s| (0..m).any(|i| !x[(i, s)].is_finite())) {
        return Err(Error::NonFiniteSignal { sample: s });
    }
    Ok(())
}

/// The constant added to every Gram entry: the largest squared norm (1 if
/// every point is 0), which makes affinely independent points' shifted
/// Gram matrix definite (see the module's text).
fn shift_for<T: Real>(largest_norm_sq: T) -> T {
    if largest_norm_sq > T::ZERO { largest_norm_sq } else { T::ONE }
}

/// One signal's active-set state, reused across signals.
struct Simplex<T: Real> {
    p: usize,
    chol: IncrementalCholesky<T>,
    /// The active atoms and their weights (in the factor's order).
    active: Vec<usize>,
    alpha: Vec<T>,
    beta: Vec<T>,
    ones: Vec<T>,
    grad: Vec<T>,
    col: Vec<T>,
    in_set: Vec<bool>,
    scratch: Vec<T>,
}

impl<T: Real> Simplex<T> {
    /// For `p` points in `ℝᵐ`: at most `m + 1` of them are affinely
    /// independent, so the factor never holds more (a point beyond is in
    /// the active ones' hull and joins by the pivot).
    fn new(p: usize, m: usize) -> Self {
        Self {
            p,
            chol: IncrementalCholesky::with_capacity(p.min(m + 1)),
            active: Vec::with_capacity(p),
            alpha: Vec::with_capacity(p),
            beta: vec![T::ZERO; p],
            ones: vec![T::ZERO; p],
            grad: vec![T::ZERO; p],
            col: vec![T::ZERO; p],
            in_set: vec![false; p],
            scratch: Vec::new(),
        }
    }

    /// Adds atom `j` to the factor; false if it lies (to rounding) in the
    /// affine hull of the active atoms.
    fn push(&mut self, g: &impl Gram<T>, j: usize, scale: T) -> bool {
        for (c, &a) in self.col.iter_mut().zip(&self.active) {
            *c = g.entry(a, j);
        }
        let k = self.active.len();
        let floor = T::from_f64(64.0) * T::EPSILON * scale;
        if self.chol.push_with_threshold(&self.col[..k], g.entry(j, j), floor).is_err() {
            return false;
        }
        self.active.push(j);
        self.alpha.push(T::ZERO);
        self.in_set[j] = true;
        true
    }

    /// The solution's positive weights as `(point, weight)`, in increasing
    /// point order, into `out`.
    fn support(&self, out: &mut Vec<(usize, T)>) {
        out.clear();
        out.extend(self.active.iter().copied().zip(self.alpha.iter().copied()).filter(|&(_, w)| w > T::ZERO));
        out.sort_unstable_by_key(|&(j, _)| j);
    }

    fn remove(&mut self, i: usize) {
        self.chol.remove(i);
        self.in_set[self.active[i]] = false;
        self.active.remove(i);
        self.alpha.remove(i);
    }

    /// The minimiser of `½αᵀGα − bᵀα` on the simplex, into `active`/`alpha`.
    fn solve(&mut self, g: &impl Gram<T>, b: &[T], scale: T) {
        let p = self.p;
        for &a in &self.active {
            self.in_set[a] = false;
        }
        self.active.clear();
        self.alpha.clear();
        self.chol.clear();
        // The nearest column: least ½G_jj − b_j.
        let half = T::from_f64(0.5);
        let first = (0..p).fold(0, |best, j| if half * g.entry(j, j) - b[j] < half * g.entry(best, best) - b[best] { j } else { best });
        self.push(g, first, scale);
        self.alpha[0] = T::ONE;
        let tol = T::from_f64(64.0) * T::EPSILON * (scale + b.iter().fold(T::ZERO, |a, &v| a.max(v.abs())));
        for _ in 0..(10 * p + 100) {
            // The gradient Gα − b, and the active atoms' common value.
            g.gradient(&self.active, &self.alpha, b, &mut self.grad, &mut self.scratch);
            let level = self.active.iter().zip(&self.alpha).fold(T::ZERO, |acc, (&a, &w)| acc + w * self.grad[a]);
            let Some(j) = (0..p)
                .filter(|&j| !self.in_set[j])
                .min_by(|&i, &j| self.grad[i].partial_cmp(&self.grad[j]).unwrap_or(core::cmp::Ordering::Equal))
            else {
                break;
            };
            if !(self.grad[j] < level - tol) {
                break;
            }
            if !self.push(g, j, scale) {
                // The pivot: z_j = Σ λᵢ zᵢ over the active atoms (Σλ = 1 in
                // the shifted coordinates); moving weight t to j and tλ off
                // the active atoms lowers the objective by t(level − g_j).
                let k = self.active.len();
                for (i, &a) in self.active.iter().enumerate() {
                    self.beta[i] = g.entry(a, j);
                }
                self.chol.solve_in_place(&mut self.beta[..k]);
                let Some(out) = (0..k).filter(|&i| self.beta[i] > T::EPSILON).min_by(|&a, &b| {
                    (self.alpha[a] / self.beta[a]).partial_cmp(&(self.alpha[b] / self.beta[b])).unwrap_or(core::cmp::Ordering::Equal)
                }) else {
                    break;
                };
                let t = self.alpha[out] / self.beta[out];
                for (a, &l) in self.alpha.iter_mut().zip(&self.beta[..k]) {
                    *a = (*a - t * l).max(T::ZERO);
                }
                self.remove(out);
                if !self.push(g, j, scale) {
                    break;
                }
                *self.alpha.last_mut().expect("just pushed") = t;
                continue;
            }
            // The equality-constrained minimiser on the active set, then
            // back to the boundary while an entry is not positive.
            loop {
                let k = self.active.len();
                for (i, &a) in self.active.iter().enumerate() {
                    self.beta[i] = b[a];
                    self.ones[i] = T::ONE;
                }
                self.chol.solve_in_place(&mut self.beta[..k]);
                self.chol.solve_in_place(&mut self.ones[..k]);
                let (sb, so) = (self.beta[..k].iter().fold(T::ZERO, |a, &v| a + v), self.ones[..k].iter().fold(T::ZERO, |a, &v| a + v));
                let nu = (sb - T::ONE) / so;
                for i in 0..k {
                    self.beta[i] -= nu * self.ones[i];
                }
                if self.beta[..k].iter().all(|&v| v > T::ZERO) {
                    self.alpha.copy_from_slice(&self.beta[..k]);
                    break;
                }
                // The largest step towards β that keeps α ≥ 0.
                let mut t = T::ONE;
                for i in 0..k {
                    if self.beta[i] <= T::ZERO && self.alpha[i] > self.beta[i] {
                        t = t.min(self.alpha[i] / (self.alpha[i] - self.beta[i]));
                    }
                }
                for (a, &bt) in self.alpha.iter_mut().zip(&self.beta[..k]) {
                    *a += t * (bt - *a);
                }
                let mut dropped = false;
                for i in (0..k).rev() {
                    if self.alpha[i] <= T::EPSILON && k > 1 {
                        self.remove(i);
                        dropped = true;
                    }
                }
                // Renormalise against rounding: the weights sum to one.
                let sum = self.alpha.iter().fold(T::ZERO, |a, &v| a + v.max(T::ZERO));
                self.alpha.iter_mut().for_each(|v| *v = v.max(T::ZERO) / sum);
                if !dropped {
                    break;
                }
            }
        }
    }
}
