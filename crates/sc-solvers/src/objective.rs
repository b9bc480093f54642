//! The Lasso objective and its duality gap, written once.
//!
//! All in Gram form: with `b = Dᵀx`, `G' = DᵀD + λ₂I` and `q = b − G'c`
//! (the negative gradient of the smooth part),
//!
//! `P(c) = ½‖x − Dc‖² + ½λ₂‖c‖² + α‖c‖₁ = ½ r² + α‖c‖₁`, with
//! `r² = ‖x‖² − cᵀb − cᵀq`.
//!
//! The elastic net is the Lasso of the augmented `D' = [D; √λ₂ I]`,
//! `x' = [x; 0]`, so the dual point is the scaled augmented residual
//! `θ = s·r'` with `s = min(1, α/‖D'ᵀr'‖∞)` (`D'ᵀr' = q`; for `positive`, the
//! largest positive entry of `q` replaces the infinity norm), and
//! `D(θ) = θᵀx' − ½‖θ‖² = s(‖x‖² − cᵀb) − ½s²r²`. The gap `P − D(θ) ≥ 0`
//! bounds the distance of `P(c)` to the optimum (Mairal's thesis, §1.4;
//! scikit-learn's `enet_coordinate_descent_gram`).

use sc_linalg::{Real, kernels};

/// Primal value and duality gap of a code `c` (dense, n_atoms) with
/// `q = b − G'c`.
#[inline(always)]
pub(crate) fn primal_and_gap<T: Real>(c: &[T], q: &[T], b: &[T], xnorm2: T, alpha: T, positive: bool) -> (T, T) {
    let (ctb, ctq, l1, max_abs_q) = kernels::lasso_sums(c, b, q);
    gap_with(ctb, ctq, l1, dual_norm(q, positive, || max_abs_q), xnorm2, alpha)
}

/// [`primal_and_gap`] of a code whose non-zeros are among `idx`: the sums
/// over `c` run over `idx` only.
#[inline(always)]
pub(crate) fn primal_and_gap_on<T: Real>(idx: &[usize], c: &[T], q: &[T], b: &[T], xnorm2: T, alpha: T, positive: bool) -> (T, T) {
    let (ctb, ctq, l1) = sums_on(idx, c, q, b);
    gap_of(ctb, ctq, l1, q, xnorm2, alpha, positive)
}

/// The primal value alone of a code whose non-zeros are among `idx`.
#[inline(always)]
pub(crate) fn primal_on<T: Real>(idx: &[usize], c: &[T], q: &[T], b: &[T], xnorm2: T, alpha: T) -> T {
    let (ctb, ctq, l1) = sums_on(idx, c, q, b);
    T::from_f64(0.5) * (xnorm2 - ctb - ctq).max(T::ZERO) + alpha * l1
}

/// `(cᵀb, cᵀq, ‖c‖₁)` over the entries `idx` of `c`.
#[inline(always)]
fn sums_on<T: Real>(idx: &[usize], c: &[T], q: &[T], b: &[T]) -> (T, T, T) {
    let (mut ctb, mut ctq, mut l1) = (T::ZERO, T::ZERO, T::ZERO);
    for &j in idx {
        ctb += c[j] * b[j];
        ctq += c[j] * q[j];
        l1 += c[j].abs();
    }
    (ctb, ctq, l1)
}

/// Primal value and gap from `cᵀb`, `cᵀq`, `‖c‖₁` and the correlations `q`.
#[inline(always)]
fn gap_of<T: Real>(ctb: T, ctq: T, l1: T, q: &[T], xnorm2: T, alpha: T, positive: bool) -> (T, T) {
    gap_with(ctb, ctq, l1, dual_norm(q, positive, || kernels::max_abs(q)), xnorm2, alpha)
}

/// The dual norm of the correlations `q`: `max(maxᵢ qᵢ, 0)` under the
/// positivity constraint, else `max |qᵢ|` (given by `max_abs`).
#[inline(always)]
fn dual_norm<T: Real>(q: &[T], positive: bool, max_abs: impl FnOnce() -> T) -> T {
    if positive { kernels::max_value(q).max(T::ZERO) } else { max_abs() }
}

/// Primal value and gap from `cᵀb`, `cᵀq`, `‖c‖₁` and the dual norm of `q`.
#[inline(always)]
fn gap_with<T: Real>(ctb: T, ctq: T, l1: T, dual_norm: T, xnorm2: T, alpha: T) -> (T, T) {
    let r2 = (xnorm2 - ctb - ctq).max(T::ZERO);
    let primal = T::from_f64(0.5) * r2 + alpha * l1;
    let s = if dual_norm > alpha { alpha / dual_norm } else { T::ONE };
    let dual = s * (xnorm2 - ctb) - T::from_f64(0.5) * s * s * r2;
    (primal, primal - dual)
}

/// The Lasso objective `½‖x − Dc‖² + ½λ₂‖c‖² + α‖c‖₁` of a sparse code,
/// computed from the dictionary directly (for tests and reports).
pub fn lasso_objective<T: Real>(dict: &crate::Dictionary<T>, x: &[T], indices: &[u32], values: &[T], alpha: T, l2: T) -> T {
    lasso_objective_in(dict, x, indices, values, alpha, l2, &mut vec![T::ZERO; x.len()])
}

/// [`lasso_objective`] with the residual written to `r` (length
/// n_features), so that loops over many signals allocate nothing.
pub fn lasso_objective_in<T: Real>(dict: &crate::Dictionary<T>, x: &[T], indices: &[u32], values: &[T], alpha: T, l2: T, r: &mut [T]) -> T {
    r.copy_from_slice(x);
    dict.accumulate(-T::ONE, indices, values, r);
    let half = T::from_f64(0.5);
    half * kernels::norm_sq(r) + half * l2 * kernels::norm_sq(values) + alpha * kernels::norm_l1(values)
}
