//! LARS and Lasso-LARS, the homotopy of Efron, Hastie, Johnstone &
//! Tibshirani (2004), in Gram form.
//!
//! The path is followed in the level `λ` of the active correlations: along
//! the equiangular direction `u = (G_AA + λ₂I)⁻¹ s_A`, a step `t` moves the
//! active coefficients by `t·u`, every correlation by `−t·G_{·A}u`, and `λ`
//! to `λ − t`. The step ends at the first event: an inactive atom's
//! correlation reaching `±(λ − t)` (it joins), an active coefficient
//! reaching zero (Lasso only: it leaves, the "drop step" that makes LARS
//! exact for the Lasso), or the end (`λ = α` for the Lasso; for LARS,
//! after `n_nonzero` steps; under a residual goal, the point inside the step
//! where `‖x − Dc‖²` reaches it; under an ℓ1 budget, the point where `‖c‖₁`
//! reaches it). The Cholesky factor of the active Gram block is
//! grown by a row on a join and shrunk by Givens rotations on a drop.

use sc_linalg::{Real, kernels};

use crate::omp::GramColumns;
use crate::workspace::{CodeSink, Workspace};

/// What the homotopy solves.
#[derive(Clone, Copy, Debug)]
pub(crate) enum LarsMode<T> {
    /// Least-angle regression stopped after `k` steps (`k` atoms).
    Lar { k: usize },
    /// The Lasso at `alpha` (unscaled), with the elastic-net term `l2`.
    Lasso { alpha: T, positive: bool, l2: T, max_iter: usize },
    /// The Lasso path followed until `‖x − Dc‖² = eps`.
    Goal { eps: T, positive: bool, max_iter: usize },
    /// The Lasso path (over `G + l2·I`) followed until `‖c‖₁ = budget`.
    Budget { budget: T, positive: bool, l2: T, max_iter: usize },
}

enum Event {
    End,
    Enter(usize),
    Drop(usize),
}

/// Codes one signal (`b = Dᵀx`, `xnorm2 = ‖x‖²`). With `weights` (one
/// `wⱼ > 0` per atom), the ℓ1 term is the weighted `Σ wⱼ|cⱼ|` (SPAMS's
/// `lassoWeighted`): the homotopy runs on the exact reparametrisation
/// `βⱼ = wⱼcⱼ`, over the atoms `dⱼ/wⱼ` (Gram entries `Gᵢⱼ/(wᵢwⱼ)`,
/// correlations `bⱼ/wⱼ`), and returns `cⱼ = βⱼ/wⱼ`; the residual, and so a
/// goal, is unchanged, and a budget bounds `Σ wⱼ|cⱼ|`. Under a goal, the
/// encoder never calls this for a signal already within it (its code is
/// empty, and it gets no `Dᵀx`).
///
/// Under a residual goal the squared residual is followed along the path:
/// with the active correlations at `s·λ` and `G_AA u = s`, a step `t`
/// takes it from `ρ` to `ρ − 2tλa + t²a`, `a = sᵀu > 0`, so the step that
/// reaches `eps` is `λ − sqrt(λ² − (ρ − eps)/a)`.
///
/// `n` atoms over `n_features` rows; the Gram matrix is read through
/// `grams` (only the columns of atoms that join).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
pub(crate) fn lars_one<T: Real, G: GramColumns<T>>(
    n: usize,
    n_features: usize,
    grams: &mut G,
    b: &[T],
    xnorm2: T,
    mode: LarsMode<T>,
    weights: Option<&[T]>,
    ws: &mut Workspace<T>,
    out: &mut CodeSink<'_, T>,
) {
    // The reparametrised Gram entry (i, j), from G's.
    let scale = |g: T, i: usize, j: usize| match weights {
        Some(w) => g / (w[i] * w[j]),
        None => g,
    };
    let (lasso, target, positive, l2, max_steps, goal, budget) = match mode {
        LarsMode::Lar { k } => (false, T::ZERO, false, T::ZERO, k, None, None),
        LarsMode::Lasso { alpha, positive, l2, max_iter } => (true, alpha, positive, l2, max_iter, None, None),
        LarsMode::Goal { eps, positive, max_iter } => (true, T::ZERO, positive, T::ZERO, max_iter, Some(eps), None),
        LarsMode::Budget { budget, positive, l2, max_iter } => (true, T::ZERO, positive, l2, max_iter, None, Some(budget)),
    };
    // ‖c‖₁ so far (followed under a budget).
    let mut l1 = T::ZERO;
    let mut rho = xnorm2;
    let Workspace { corr, beta, c: cand, mask, active, gamma, gcol, signs, u, chol, .. } = ws;
    let cap = chol.capacity();
    corr.copy_from_slice(b);
    if let Some(w) = weights {
        for (c, &wj) in corr.iter_mut().zip(w) {
            *c /= wj;
        }
    }
    mask.fill(false);
    active.clear();
    signs.clear();
    chol.clear();

    let first = if positive { kernels::argmax(corr) } else { kernels::argmax_abs(corr) };
    let Some(j0) = first else { return };
    let c0 = if positive { corr[j0] } else { corr[j0].abs() };
    if !(c0 > target) || max_steps == 0 || budget.is_some_and(|b| !(b > T::ZERO)) {
        return;
    }
    let mut lambda = c0;
    if chol.push(&[], scale(grams.diagonal(j0), j0, j0) + l2).is_err() {
        return;
    }
    active.push(j0);
    signs.push(if positive { T::ONE } else { corr[j0].signum0() });
    gamma[0] = T::ZERO;
    mask[j0] = true;

    let mut steps = 0usize;
    // An atom that may not join at the next step (it just left, or, in
    // LAR, it reached the level in a step that ended a sign change).
    let mut just_dropped = usize::MAX;
    // The sign of the atom that just left.
    let mut dropped_sign = T::ZERO;
    // LAR as scikit-learn's `lars_path(method="lar")` runs it: when an
    // active coefficient changes sign inside a step, its sign is flipped
    // and the next step adds no atom (both count towards `n_nonzero`);
    // from then on an atom joins as scikit-learn picks it, the inactive one
    // of largest correlation, at the level of its correlation.
    let lar = matches!(mode, LarsMode::Lar { .. });
    let mut flipped = false;
    loop {
        let k = active.len();
        u[..k].copy_from_slice(&signs[..k]);
        chol.solve_in_place(&mut u[..k]);
        // beta = G_{·A} u (reparametrised: W⁻¹ G_{·A} W_A⁻¹ u)
        match weights {
            None => grams.combination(active, &u[..k], beta),
            Some(w) => {
                for (ui, &a) in u[..k].iter_mut().zip(active.iter()) {
                    *ui /= w[a];
                }
                grams.combination(active, &u[..k], beta);
                for (ui, &a) in u[..k].iter_mut().zip(active.iter()) {
                    *ui *= w[a];
                }
                for (bj, &wj) in beta[..n].iter_mut().zip(w) {
                    *bj /= wj;
                }
            }
        }
        let mut t = lambda - target;
        let mut event = Event::End;
        // Step at which each inactive atom's correlation reaches ±(λ − t);
        // MAX for the others. Branch-free, so that it vectorises; then the
        // first smallest.
        let big = T::MAX;
        // Zipped slices, not indexing through the workspace: no bounds
        // checks and no aliasing, so the loop (and its divisions) vectorise.
        let lanes = cand[..n].iter_mut().zip(&corr[..n]).zip(&beta[..n]).zip(&mask[..n]);
        // Of the two crossings, (λ − c)/(1 − a) (to +) and (λ + c)/(1 + a)
        // (to −), the first is the smaller valid one exactly when λa ≤ c
        // (cross-multiply; |c| ≤ λ for an inactive atom): one division.
        for (((cd, &cj), &aj), &m) in lanes {
            let up = positive || lambda * aj <= cj;
            let (num, den) = if up { (lambda - cj, T::ONE - aj) } else { (lambda + cj, T::ONE + aj) };
            let tj = num / den;
            *cd = if !m && den > T::ZERO && tj >= T::ZERO { tj } else { big };
        }
        if lar && flipped {
            // scikit-learn's LAR after a sign change: the smaller strictly
            // positive one of both crossings (an atom at the level may still
            // reach the other side).
            for (((cd, &cj), &aj), &m) in cand[..n].iter_mut().zip(&corr[..n]).zip(&beta[..n]).zip(&mask[..n]) {
                let pos = |num: T, den: T| if den > T::ZERO && num / den > T::ZERO { num / den } else { big };
                *cd = if m { big } else { pos(lambda - cj, T::ONE - aj).min(pos(lambda + cj, T::ONE + aj)) };
            }
        }
        // The atom that just left sits at the level with its old sign, and
        // moves inside: it may not rejoin on that side, but it may reach
        // the other side within this step (not under the sign constraint).
        if just_dropped < n {
            let j = just_dropped;
            let (num, den) =
                if dropped_sign > T::ZERO { (lambda + corr[j], T::ONE + beta[j]) } else { (lambda - corr[j], T::ONE - beta[j]) };
            cand[j] = if !positive && den > T::ZERO && num / den > T::ZERO { num / den } else { big };
        }
        if let Some(jj) = kernels::argmin(cand)
            && cand[jj] < t
        {
            t = cand[jj];
            event = Event::Enter(jj);
        }
        if lasso {
            for i in 0..k {
                if u[i] != T::ZERO {
                    let z = -gamma[i] / u[i];
                    if z > T::ZERO && z < t {
                        t = z;
                        event = Event::Drop(i);
                    }
                }
            }
        }
        // LAR: an active coefficient reaching zero inside the step.
        let mut sign_change = false;
        if lar {
            let crossing = |i: usize| if u[i] != T::ZERO { -gamma[i] / u[i] } else { T::MAX };
            let first = (0..k).map(crossing).filter(|&z| z > T::ZERO).fold(T::MAX, T::min);
            if first < t {
                sign_change = true;
                flipped = true;
                for i in (0..k).filter(|&i| crossing(i) == first) {
                    signs[i] = -signs[i];
                }
            }
        }
        if let Some(eps) = goal {
            let a = kernels::dot(&u[..k], &signs[..k]);
            let after = rho - (t + t) * lambda * a + t * t * a;
            if after <= eps && a > T::ZERO {
                let disc = lambda * lambda - (rho - eps) / a;
                t = lambda - if disc > T::ZERO { disc.sqrt() } else { T::ZERO };
                event = Event::End;
                rho = eps;
            } else {
                rho = after;
            }
        }
        // Along a Lasso step every active coefficient moves away from zero
        // with its sign (or to zero, ending the step), so ‖c‖₁ grows by
        // `t·sᵀu`.
        if let Some(b) = budget {
            let a = kernels::dot(&u[..k], &signs[..k]);
            if l1 + t * a >= b && a > T::ZERO {
                t = (b - l1) / a;
                event = Event::End;
            }
            l1 += t * a;
        }
        for i in 0..k {
            gamma[i] += t * u[i];
        }
        kernels::axpy(-t, beta, corr);
        lambda -= t;
        // Active correlations are exactly ±λ; setting them so also keeps a
        // dropped atom's correlation right when λ₂ > 0 (beta holds G u, not
        // (G + λ₂I) u, on the active set).
        for (&a, &s) in active.iter().zip(signs.iter()) {
            corr[a] = s * lambda;
        }
        steps += 1;
        just_dropped = usize::MAX;
        if steps >= max_steps {
            break;
        }
        // scikit-learn's LAR after a sign change: the end of a step is not
        // the least-squares point, so an inactive atom may still correlate;
        // its path goes on, the atom joining at the level of its
        // correlation, while steps remain (its `alpha > alpha_min` test,
        // `alpha` being the correlation over the signal's length).
        if lar
            && flipped
            && matches!(event, Event::End)
            && let Some(j) = strongest_inactive(corr, mask)
            && corr[j].abs() > T::EPSILON * T::from_f64(n_features as f64)
        {
            event = Event::Enter(j);
        }
        match event {
            Event::End => break,
            Event::Enter(jj) => {
                // Once a sign has changed, scikit-learn's level is the
                // largest inactive correlation, and that atom is the next
                // to enter.
                let strongest = if flipped { strongest_inactive(corr, mask) } else { None };
                if let Some(j) = strongest {
                    lambda = corr[j].abs();
                }
                // A step that ended at a sign change adds no atom.
                if sign_change {
                    continue;
                }
                if k == cap {
                    break;
                }
                let jj = strongest.unwrap_or(jj);
                let gj = grams.column(jj);
                for (i, &a) in active.iter().enumerate() {
                    gcol[i] = scale(gj[a], a, jj);
                }
                if chol.push_with_threshold(&gcol[..k], scale(gj[jj], jj, jj) + l2, T::EPSILON).is_err() {
                    grams.release(jj);
                    break;
                }
                signs.push(if positive { T::ONE } else { corr[jj].signum0() });
                active.push(jj);
                gamma[k] = T::ZERO;
                mask[jj] = true;
            }
            Event::Drop(i) => {
                let a = active.remove(i);
                dropped_sign = signs.remove(i);
                for p in i..k - 1 {
                    gamma[p] = gamma[p + 1];
                }
                chol.remove(i);
                grams.release(a);
                mask[a] = false;
                just_dropped = a;
                if active.is_empty() {
                    break;
                }
            }
        }
    }
    let k = active.len();
    if let Some(w) = weights {
        for (g, &a) in gamma[..k].iter_mut().zip(active.iter()) {
            *g /= w[a];
        }
    }
    out.push_unsorted(active, &gamma[..k]);
}

/// The inactive atom of largest `|correlation|` (the first of ties), as
/// scikit-learn's LAR picks the next atom.
#[inline(always)]
fn strongest_inactive<T: Real>(corr: &[T], mask: &[bool]) -> Option<usize> {
    let mut best: Option<(usize, T)> = None;
    for (j, (&c, &m)) in corr.iter().zip(mask).enumerate() {
        if !m && best.is_none_or(|(_, b)| c.abs() > b) {
            best = Some((j, c.abs()));
        }
    }
    best.map(|(j, _)| j)
}
