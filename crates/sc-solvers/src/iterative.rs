//! Iterative Lasso solvers (coordinate descent, ISTA, FISTA) and
//! thresholding, all in Gram form with `q = b − G'c` kept up to date.
//!
//! - Coordinate descent: cyclic exact minimisation in each coordinate
//!   (Friedman, Hastie & Tibshirani 2010), `q` updated by a Gram column when a
//!   coefficient moves; after each full pass, passes over the non-zero
//!   coordinates alone, then the Lasso solved exactly on that support with
//!   its signs (a Cholesky solve, kept only when it keeps the signs and
//!   lowers the objective), so a settled support converges in one step.
//! - ISTA: `c ← S(c + q/L, α/L)` with `L = ‖D‖₂² + λ₂` (Daubechies, Defrise &
//!   De Mol 2004).
//! - FISTA: the same step from the extrapolated point
//!   `y = cₖ + ((tₖ − 1)/tₖ₊₁)(cₖ − cₖ₋₁)` (Beck & Teboulle 2009, eq. 4.1–4.3);
//!   `q` is linear in `c`, so `q(y)` is the same combination of `q(cₖ)` and
//!   `q(cₖ₋₁)`; the momentum restarted when a step goes against the last
//!   move (O'Donoghue & Candès 2015).
//!
//! All stop when the duality gap of [`crate::objective`] falls below
//! `tol·‖x‖²`, or after `max_iter` passes.

use sc_linalg::kernels::{self, soft_threshold};
use sc_linalg::{IncrementalCholesky, Real};

use crate::Dictionary;
use crate::objective::{primal_and_gap, primal_and_gap_on, primal_on};
use crate::workspace::{CodeSink, Workspace};

/// Parameters of the iterative Lasso solvers, in the signal's scalar type.
#[derive(Clone, Copy, Debug)]
pub(crate) struct LassoCfg<T> {
    pub alpha: T,
    pub positive: bool,
    pub l2: T,
    pub tol: T,
    pub max_iter: usize,
    /// `‖D‖₂²` (ISTA and FISTA only; 0 otherwise).
    pub lip: T,
}

/// Which iterative method.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Iterative {
    Cd,
    Ista,
    Fista,
}

/// `q = b − (G + λ₂I)c`, using only the non-zero entries of `c`.
#[inline(always)]
fn residual_correlations<T: Real>(dict: &Dictionary<T>, b: &[T], c: &[T], l2: T, q: &mut [T]) {
    q.copy_from_slice(b);
    kernels::for_each_nonzero(c, |j, cj| {
        kernels::axpy(-cj, dict.gram_col(j), q);
        q[j] -= l2 * cj;
    });
}

/// [`residual_correlations`] for a code with many non-zeros (ISTA's and
/// FISTA's iterates): their indices and values gathered into `idx` and
/// `vals`, then `q = b − Σ cⱼ G_{·j}` taken four columns at a time
/// ([`kernels::sub_combination`]: `q` is loaded and stored once per four
/// columns instead of once per column).
#[inline(always)]
fn residual_correlations_gathered<T: Real>(
    dict: &Dictionary<T>,
    b: &[T],
    c: &[T],
    l2: T,
    q: &mut [T],
    idx: &mut Vec<usize>,
    vals: &mut [T],
) {
    idx.clear();
    kernels::for_each_nonzero(c, |j, cj| {
        vals[idx.len()] = cj;
        idx.push(j);
    });
    let n = c.len();
    kernels::sub_combination(b, dict.gram(), n, idx, &vals[..idx.len()], q);
    if l2 != T::ZERO {
        for &j in idx.iter() {
            q[j] -= l2 * c[j];
        }
    }
}

/// One pass of coordinate descent over every coordinate, recording in
/// `support` those it leaves non-zero. A block of coordinates that are all
/// zero with correlations within `α` is skipped after one branch-free test
/// (made with the current `q`, so the pass is the same as one coordinate at
/// a time).
#[inline(always)]
fn full_pass<T: Real>(gram: &[T], c: &mut [T], q: &mut [T], p: LassoCfg<T>, support: &mut Vec<usize>) {
    const BLOCK: usize = 16;
    let n = c.len();
    let mut j0 = 0;
    while j0 < n {
        let j1 = (j0 + BLOCK).min(n);
        let live = c[j0..j1].iter().zip(&q[j0..j1]).fold(false, |any, (&cj, &qj)| any | may_move(cj, qj, p));
        if live {
            for j in j0..j1 {
                cd_step(gram, j, c, q, p);
                if c[j] != T::ZERO {
                    support.push(j);
                }
            }
        }
        j0 = j1;
    }
}

/// Passes over the support between two full passes of coordinate descent.
const CD_SUPPORT_PASSES: usize = 8;

/// Scratch of [`SupportPasses::run`], borrowed from the workspace.
struct SupportPasses<'w, T: Real> {
    /// The support's sub-Gram matrix, `k × k`, column-major.
    gram: &'w mut [T],
    /// `q` on the support.
    q: &'w mut [T],
    /// Each support coefficient's total change.
    delta: &'w mut [T],
}

impl<T: Real> SupportPasses<'_, T> {
    /// Up to [`CD_SUPPORT_PASSES`] passes of coordinate descent over the
    /// support `S` (`k` coordinates) until a pass lowers the objective by at
    /// most `tol_abs`. The steps are those of [`cd_step`], but `q` is kept
    /// only on `S`, through the `k × k` sub-Gram matrix; the whole of `q` is
    /// brought up to date once, at the end, with one Gram column per moved
    /// coefficient. The passes cost `k²` each instead of `k·n_atoms`.
    #[inline(always)]
    fn run(&mut self, gram: &[T], support: &[usize], c: &mut [T], q: &mut [T], p: LassoCfg<T>, tol_abs: T) {
        let n = c.len();
        let k = support.len();
        for (i, &j) in support.iter().enumerate() {
            let gj = &gram[j * n..(j + 1) * n];
            for (g, &l) in self.gram[i * k..(i + 1) * k].iter_mut().zip(support) {
                *g = gj[l];
            }
            self.q[i] = q[j];
        }
        self.delta.fill(T::ZERO);
        for _ in 0..CD_SUPPORT_PASSES {
            let mut decrease = T::ZERO;
            for (i, &j) in support.iter().enumerate() {
                let cj = c[j];
                let gi = &self.gram[i * k..(i + 1) * k];
                let gjj = gi[i] + p.l2;
                let new = soft_threshold(self.q[i] + gjj * cj, p.alpha, p.positive) / gjj;
                if new == cj {
                    continue;
                }
                let d = new - cj;
                kernels::axpy(-d, gi, self.q);
                self.q[i] -= p.l2 * d;
                c[j] = new;
                self.delta[i] += d;
                decrease += T::from_f64(0.5) * gjj * d * d;
            }
            if decrease <= tol_abs {
                break;
            }
        }
        for (&j, &d) in support.iter().zip(self.delta.iter()) {
            if d != T::ZERO {
                kernels::axpy(-d, &gram[j * n..(j + 1) * n], q);
                q[j] -= p.l2 * d;
            }
        }
    }
}

/// Scratch of [`SupportSolve::run`], borrowed from the workspace.
struct SupportSolve<'w, T: Real> {
    active: &'w mut Vec<usize>,
    chol: &'w mut IncrementalCholesky<T>,
    gcol: &'w mut [T],
    z: &'w mut [T],
    /// The support's coefficients before the step (k).
    c_prev: &'w mut [T],
}

impl<T: Real> SupportSolve<'_, T> {
    /// With the support `S` of `c` and its signs `s` held fixed, the Lasso
    /// is the linear system `(G_SS + λ₂I) z = b_S − α s`. Moves `c` towards
    /// `z` as far as the signs `s` hold (all the way when `z` has them) and
    /// updates `q`, when that lowers the objective; does nothing when the
    /// sub-Gram is singular to working precision or the support is larger
    /// than the factor's capacity. Returns the duality gap of the code it
    /// leaves, when it computed it.
    #[inline(always)]
    fn run(&mut self, dict: &Dictionary<T>, b: &[T], xnorm2: T, p: LassoCfg<T>, c: &mut [T], q: &mut [T], support: &[usize]) -> Option<T> {
        let Self { active, chol, gcol, z, c_prev } = self;
        active.clear();
        chol.clear();
        for &j in support {
            if c[j] == T::ZERO {
                continue;
            }
            if active.len() == chol.capacity() {
                return None;
            }
            let gj = dict.gram_col(j);
            let k = active.len();
            for (g, &a) in gcol[..k].iter_mut().zip(active.iter()) {
                *g = gj[a];
            }
            let gjj = gj[j] + p.l2;
            if chol.push_with_threshold(&gcol[..k], gjj, T::from_f64(1e3) * T::EPSILON * gjj).is_err() {
                return None;
            }
            active.push(j);
        }
        let k = active.len();
        if k == 0 {
            return None;
        }
        for (zi, &j) in z[..k].iter_mut().zip(active.iter()) {
            *zi = b[j] - p.alpha * c[j].signum0();
        }
        chol.solve_in_place(&mut z[..k]);
        // With the signs held, the objective is a convex quadratic whose
        // minimum is `z`: every point of the segment from `c` to `z` where
        // the signs still hold is no worse than `c`. Go to `z`, or to the
        // first point where a coefficient reaches zero (that one set to
        // exactly zero), as a LARS step stops at a sign change.
        let mut t = T::ONE;
        let mut first_zero = usize::MAX;
        for (i, (&j, &v)) in active.iter().zip(z[..k].iter()).enumerate() {
            if !(v * c[j] > T::ZERO) {
                let tj = c[j] / (c[j] - v);
                if tj < t {
                    t = tj;
                    first_zero = i;
                }
            }
        }
        if !(t > T::ZERO) {
            return None;
        }
        // The non-zeros of `c` are exactly `active`, before and after: the
        // objective's sums run over them alone.
        let before = primal_on(active, c, q, b, xnorm2, p.alpha);
        for (i, (&zi, &j)) in z[..k].iter().zip(active.iter()).enumerate() {
            c_prev[i] = c[j];
            let moved = c[j] + t * (zi - c[j]);
            // Rounding must not flip a sign the step keeps.
            c[j] = if i == first_zero || !(moved * c[j] > T::ZERO) { T::ZERO } else { moved };
        }
        residual_correlations(dict, b, c, p.l2, q);
        let (after, gap_after) = primal_and_gap_on(active, c, q, b, xnorm2, p.alpha, p.positive);
        if !(after <= before) {
            // Rounding beat an exact decrease (an ill-conditioned support):
            // back to the code before the step.
            for (&j, &v) in active.iter().zip(c_prev.iter()) {
                c[j] = v;
            }
            residual_correlations(dict, b, c, p.l2, q);
            return None;
        }
        Some(gap_after)
    }
}

/// Whether an exact step in a coordinate with coefficient `cj` and
/// correlation `qj` can change it: a zero coefficient stays zero unless its
/// correlation passes `α` (below it, or above `−α` for the unconstrained
/// problem, the soft threshold gives exactly zero). Branch-free, so that a
/// block of tests vectorises.
#[inline(always)]
fn may_move<T: Real>(cj: T, qj: T, p: LassoCfg<T>) -> bool {
    let lo = if p.positive { -T::MAX } else { -p.alpha };
    (cj != T::ZERO) | (qj > p.alpha) | (qj < lo)
}

/// Minimises the objective exactly in coordinate `j`, keeping `q` up to
/// date; returns `½(G_jj + λ₂)·δ²` for the step `δ`, a lower bound on the
/// objective's decrease.
#[inline(always)]
fn cd_step<T: Real>(gram: &[T], j: usize, c: &mut [T], q: &mut [T], p: LassoCfg<T>) -> T {
    let cj = c[j];
    if !may_move(cj, q[j], p) {
        return T::ZERO;
    }
    let n = c.len();
    let gj = &gram[j * n..(j + 1) * n];
    let gjj = gj[j] + p.l2;
    let new = soft_threshold(q[j] + gjj * cj, p.alpha, p.positive) / gjj;
    if new == cj {
        return T::ZERO;
    }
    let d = new - cj;
    kernels::axpy(-d, gj, q);
    q[j] -= p.l2 * d;
    c[j] = new;
    T::from_f64(0.5) * gjj * d * d
}

/// Codes one signal; `init` is a warm start (dense, n_atoms) or zeros.
/// Returns whether the code reached the gap tolerance within `max_iter`
/// passes.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn iterative_one<T: Real>(
    dict: &Dictionary<T>,
    b: &[T],
    xnorm2: T,
    init: Option<&[T]>,
    method: Iterative,
    p: LassoCfg<T>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) -> bool {
    let Workspace { corr: q, beta: q_prev, c, c_prev, c_next, support, active, chol, gcol, gamma, proj, u, .. } = ws;
    match init {
        Some(init) => {
            for (cj, &v) in c.iter_mut().zip(init) {
                // A warm start that violates `positive` is projected.
                *cj = if p.positive && v < T::ZERO { T::ZERO } else { v };
            }
            residual_correlations(dict, b, c, p.l2, q);
        }
        None => {
            c.fill(T::ZERO);
            q.copy_from_slice(b);
        }
    }
    // Below a few ulps of ‖x‖² the gap is rounding noise (f32 above all).
    let tol_abs = p.tol.max(T::from_f64(10.0) * T::EPSILON) * xnorm2;
    let lip = p.lip + p.l2;
    let inv_l = T::ONE / lip;
    let thr = p.alpha * inv_l;
    let mut t_k = T::ONE;
    if method == Iterative::Fista {
        c_prev.copy_from_slice(c);
        q_prev.copy_from_slice(q);
    }
    // The gap of the current code when the last step computed it (from a
    // zero code, the sums over `c` are empty).
    let mut known_gap = match init {
        None => Some(primal_and_gap_on(&[], c, q, b, xnorm2, p.alpha, p.positive).1),
        _ => None,
    };
    let mut converged = false;
    for _ in 0..p.max_iter {
        let gap = match known_gap.take() {
            Some(g) => g,
            None => primal_and_gap(c, q, b, xnorm2, p.alpha, p.positive).1,
        };
        if gap <= tol_abs {
            converged = true;
            break;
        }
        match method {
            Iterative::Cd => {
                // A pass over every coordinate, then a few passes over the
                // ones it left non-zero (the active-set strategy of Friedman
                // et al. 2010, §2.6) until a pass's exact coordinate steps
                // lower the objective by at most the gap tolerance, then the
                // Lasso solved exactly on that support with its signs (kept
                // only if it keeps the signs and lowers the objective). The
                // gap check above decides whether another full pass is
                // needed.
                let gram = dict.gram();
                support.clear();
                full_pass(gram, c, q, p, support);
                if support.len() <= gcol.len() {
                    let k = support.len();
                    let mut sub = SupportPasses { gram: &mut proj[..k * k], q: &mut gcol[..k], delta: &mut u[..k] };
                    sub.run(gram, support, c, q, p, tol_abs);
                } else {
                    for _ in 0..CD_SUPPORT_PASSES {
                        let mut decrease = T::ZERO;
                        for &j in support.iter() {
                            decrease += cd_step(gram, j, c, q, p);
                        }
                        if decrease <= tol_abs {
                            break;
                        }
                    }
                }
                let mut solve = SupportSolve { active, chol, gcol, z: gamma, c_prev };
                known_gap = solve.run(dict, b, xnorm2, p, c, q, support);
            }
            Iterative::Ista => {
                for (cj, &qj) in c.iter_mut().zip(q.iter()) {
                    *cj = soft_threshold(*cj + qj * inv_l, thr, p.positive);
                }
                residual_correlations_gathered(dict, b, c, p.l2, q, support, c_next);
            }
            Iterative::Fista => {
                let t_next = (T::ONE + (T::ONE + T::from_f64(4.0) * t_k * t_k).sqrt()) * T::from_f64(0.5);
                let m = (t_k - T::ONE) / t_next;
                t_k = t_next;
                // New iterate into c_next, which becomes c. Adaptive
                // restart (O'Donoghue & Candès 2015, the gradient scheme):
                // when the step from the extrapolated point goes against
                // the last move, `(y − c₊)ᵀ(c₊ − c) > 0`, the momentum is
                // dropped (`t = 1`), which keeps the iterates from
                // oscillating once the support has settled.
                let against = fista_step(c, c_prev, q, q_prev, c_next, m, inv_l, thr, p.positive);
                if against > T::ZERO {
                    t_k = T::ONE;
                }
                // (c_prev, c, c_next) ← (c, c_next, c_prev).
                core::mem::swap(c_prev, c_next);
                core::mem::swap(c, c_prev);
                core::mem::swap(q, q_prev);
                residual_correlations_gathered(dict, b, c, p.l2, q, support, c_next);
            }
        }
    }
    out.push_dense(c);
    // After the last pass, the gap of where it ended (as scikit-learn's
    // coordinate descent checks after its last pass).
    converged || known_gap.take().unwrap_or_else(|| primal_and_gap(c, q, b, xnorm2, p.alpha, p.positive).1) <= tol_abs
}

/// FISTA's step from the extrapolated point `y = c + m(c − c_prev)` (its
/// correlations `q + m(q − q_prev)`): the new iterate into `next`; returns
/// `(y − c₊)ᵀ(c₊ − c)`, the restart test. In two passes that vectorise:
/// the map into `next`, then the sum in [`kernels::LANES`] accumulators
/// (one loop holding a running sum and the store ran scalar).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn fista_step<T: Real>(c: &[T], c_prev: &[T], q: &[T], q_prev: &[T], next: &mut [T], m: T, inv_l: T, thr: T, positive: bool) -> T {
    const L: usize = kernels::LANES;
    let n = c.len();
    let (c_prev, q, q_prev, next) = (&c_prev[..n], &q[..n], &q_prev[..n], &mut next[..n]);
    for ((((nx, &cj), &pj), &qj), &qpj) in next.iter_mut().zip(c).zip(c_prev).zip(q).zip(q_prev) {
        let y = cj + m * (cj - pj);
        let qy = qj + m * (qj - qpj);
        *nx = soft_threshold(y + qy * inv_l, thr, positive);
    }
    let mut acc = [T::ZERO; L];
    let (cc, pc, nc) = (c.chunks_exact(L), c_prev.chunks_exact(L), next.chunks_exact(L));
    let (cr, pr, nr) = (cc.remainder(), pc.remainder(), nc.remainder());
    for ((cb, pb), nb) in cc.zip(pc).zip(nc) {
        for l in 0..L {
            let y = cb[l] + m * (cb[l] - pb[l]);
            acc[l] += (y - nb[l]) * (nb[l] - cb[l]);
        }
    }
    for l in 0..cr.len() {
        let y = cr[l] + m * (cr[l] - pr[l]);
        acc[l] += (y - nr[l]) * (nr[l] - cr[l]);
    }
    kernels::combine(acc)
}

/// Soft or hard thresholding of `b = Dᵀx`.
#[inline(always)]
pub(crate) fn threshold_one<T: Real>(b: &[T], alpha: T, hard: bool, positive: bool, out: &mut CodeSink<'_, T>) {
    for (j, &v) in b.iter().enumerate() {
        let c = if hard {
            let keep = if positive { v > alpha } else { v.abs() > alpha };
            if keep { v } else { T::ZERO }
        } else {
            soft_threshold(v, alpha, positive)
        };
        if c != T::ZERO {
            out.indices.push(j as u32);
            out.values.push(c);
        }
    }
}
