//! The flat regularisers of SPAMS's proximal toolbox and their proximal
//! operators, `argmin_v ½‖u − v‖² + ψ(v)` (SPAMS's `proximalFlat`): each
//! exact, in place, one vector at a time, with the sign constraint `v ≥ 0`
//! and an unregularised last entry (an intercept) on request;
//! [`prox_columns`] runs one on every column of a matrix in parallel.
//!
//! With `v ≥ 0`, the prox of a regulariser that depends only on the
//! magnitudes and grows with them (every one here but the fused Lasso's
//! total variation) is its prox at `max(u, 0)`; the fused Lasso keeps the
//! sign in its soft-threshold step instead.

use faer::{MatMut, MatRef};
use sc_linalg::Real;

use crate::error::{Result, invalid};
use crate::prox::{Projection, each_column, fused_prox, soft_threshold};

/// A regulariser `ψ` and its weights.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Regularizer<T> {
    /// `λ‖v‖₀` (hard threshold at `√(2λ)`).
    L0 {
        /// λ.
        lambda: T,
    },
    /// `λ‖v‖₁` (soft threshold).
    L1 {
        /// λ.
        lambda: T,
    },
    /// `½λ‖v‖²` (scaling by `1/(1 + λ)`).
    L2 {
        /// λ.
        lambda: T,
    },
    /// `λ‖v‖∞` (`u` minus its projection on the ℓ1 ball of radius `λ`).
    Linf {
        /// λ.
        lambda: T,
    },
    /// `λ‖v‖₂` (block soft threshold).
    L2NotSquared {
        /// λ.
        lambda: T,
    },
    /// `l1‖v‖₁ + ½·l2‖v‖²`.
    ElasticNet {
        /// The ℓ1 weight.
        l1: T,
        /// The ridge.
        l2: T,
    },
    /// `tv·Σ|vᵢ₊₁ − vᵢ| + l1‖v‖₁ + ½·l2‖v‖²`.
    FusedLasso {
        /// The total variation's weight.
        tv: T,
        /// The ℓ1 weight.
        l1: T,
        /// The ridge.
        l2: T,
    },
    /// `λ Σ_g ‖v_g‖₂` over the groups.
    GroupLassoL2 {
        /// λ.
        lambda: T,
    },
    /// `λ Σ_g ‖v_g‖∞` over the groups.
    GroupLassoLinf {
        /// λ.
        lambda: T,
    },
    /// `λ Σ_g ‖v_g‖₂ + l1‖v‖₁`.
    SparseGroupLassoL2 {
        /// The groups' weight.
        lambda: T,
        /// The ℓ1 weight.
        l1: T,
    },
    /// `λ Σ_g ‖v_g‖∞ + l1‖v‖₁`.
    SparseGroupLassoLinf {
        /// The groups' weight.
        lambda: T,
        /// The ℓ1 weight.
        l1: T,
    },
    /// No regulariser (the identity, or the projection on `v ≥ 0`).
    None,
}

/// A [`Regularizer`]'s name: SPAMS's spellings, read with `-` or `_`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RegularizerName {
    /// [`Regularizer::L0`].
    L0,
    /// [`Regularizer::L1`].
    L1,
    /// [`Regularizer::L2`].
    L2,
    /// [`Regularizer::Linf`].
    Linf,
    /// [`Regularizer::L2NotSquared`].
    L2NotSquared,
    /// [`Regularizer::ElasticNet`].
    ElasticNet,
    /// [`Regularizer::FusedLasso`].
    FusedLasso,
    /// [`Regularizer::GroupLassoL2`].
    GroupLassoL2,
    /// [`Regularizer::GroupLassoLinf`].
    GroupLassoLinf,
    /// [`Regularizer::SparseGroupLassoL2`].
    SparseGroupLassoL2,
    /// [`Regularizer::SparseGroupLassoLinf`].
    SparseGroupLassoLinf,
    /// [`Regularizer::None`].
    None,
}

sc_linalg::named_enum!(RegularizerName, "regularizer", {
    L0 => "l0",
    L1 => "l1",
    L2 => "l2",
    Linf => "linf",
    L2NotSquared => "l2_not_squared",
    ElasticNet => "elastic_net",
    FusedLasso => "fused_lasso",
    GroupLassoL2 => "group_lasso_l2",
    GroupLassoLinf => "group_lasso_linf",
    SparseGroupLassoL2 => "sparse_group_lasso_l2",
    SparseGroupLassoLinf => "sparse_group_lasso_linf",
    None => "none",
});

impl<T: Real> Regularizer<T> {
    /// The regulariser `name` with SPAMS's weights: `lambda1` the main one,
    /// `lambda2` the second (the elastic net's ridge, the fused Lasso's ℓ1,
    /// the sparse group Lasso's ℓ1), `lambda3` the third (the fused
    /// Lasso's ridge).
    pub fn new(name: RegularizerName, lambda1: T, lambda2: T, lambda3: T) -> Self {
        let lambda = lambda1;
        match name {
            RegularizerName::L0 => Regularizer::L0 { lambda },
            RegularizerName::L1 => Regularizer::L1 { lambda },
            RegularizerName::L2 => Regularizer::L2 { lambda },
            RegularizerName::Linf => Regularizer::Linf { lambda },
            RegularizerName::L2NotSquared => Regularizer::L2NotSquared { lambda },
            RegularizerName::ElasticNet => Regularizer::ElasticNet { l1: lambda1, l2: lambda2 },
            RegularizerName::FusedLasso => Regularizer::FusedLasso { tv: lambda1, l1: lambda2, l2: lambda3 },
            RegularizerName::GroupLassoL2 => Regularizer::GroupLassoL2 { lambda },
            RegularizerName::GroupLassoLinf => Regularizer::GroupLassoLinf { lambda },
            RegularizerName::SparseGroupLassoL2 => Regularizer::SparseGroupLassoL2 { lambda, l1: lambda2 },
            RegularizerName::SparseGroupLassoLinf => Regularizer::SparseGroupLassoLinf { lambda, l1: lambda2 },
            RegularizerName::None => Regularizer::None,
        }
    }

    /// The regulariser times `s` (every weight scaled: `sψ`), for a prox
    /// step `prox_{ψ/L}`.
    pub fn scaled(&self, s: T) -> Self {
        match *self {
            Regularizer::L0 { lambda } => Regularizer::L0 { lambda: lambda * s },
            Regularizer::L1 { lambda } => Regularizer::L1 { lambda: lambda * s },
            Regularizer::L2 { lambda } => Regularizer::L2 { lambda: lambda * s },
            Regularizer::Linf { lambda } => Regularizer::Linf { lambda: lambda * s },
            Regularizer::L2NotSquared { lambda } => Regularizer::L2NotSquared { lambda: lambda * s },
            Regularizer::ElasticNet { l1, l2 } => Regularizer::ElasticNet { l1: l1 * s, l2: l2 * s },
            Regularizer::FusedLasso { tv, l1, l2 } => Regularizer::FusedLasso { tv: tv * s, l1: l1 * s, l2: l2 * s },
            Regularizer::GroupLassoL2 { lambda } => Regularizer::GroupLassoL2 { lambda: lambda * s },
            Regularizer::GroupLassoLinf { lambda } => Regularizer::GroupLassoLinf { lambda: lambda * s },
            Regularizer::SparseGroupLassoL2 { lambda, l1 } => Regularizer::SparseGroupLassoL2 { lambda: lambda * s, l1: l1 * s },
            Regularizer::SparseGroupLassoLinf { lambda, l1 } => Regularizer::SparseGroupLassoLinf { lambda: lambda * s, l1: l1 * s },
            Regularizer::None => Regularizer::None,
        }
    }

    /// Refuses a negative, infinite or NaN weight.
    pub fn check(&self) -> Result<()> {
        for (name, w) in ["lambda1", "lambda2", "lambda3"].into_iter().zip(self.weights()) {
            if !(w >= T::ZERO) || !w.is_finite() {
                return Err(invalid(name, format!("must be finite and ≥ 0, got {}", w.to_f64())));
            }
        }
        Ok(())
    }

    fn weights(&self) -> [T; 3] {
        match *self {
            Regularizer::L0 { lambda }
            | Regularizer::L1 { lambda }
            | Regularizer::L2 { lambda }
            | Regularizer::Linf { lambda }
            | Regularizer::L2NotSquared { lambda }
            | Regularizer::GroupLassoL2 { lambda }
            | Regularizer::GroupLassoLinf { lambda } => [lambda, T::ZERO, T::ZERO],
            Regularizer::ElasticNet { l1, l2 } => [l1, l2, T::ZERO],
            Regularizer::FusedLasso { tv, l1, l2 } => [tv, l1, l2],
            Regularizer::SparseGroupLassoL2 { lambda, l1 } | Regularizer::SparseGroupLassoLinf { lambda, l1 } => [lambda, l1, T::ZERO],
            Regularizer::None => [T::ZERO; 3],
        }
    }

    /// Whether the regulariser reads groups.
    pub fn grouped(&self) -> bool {
        matches!(
            self,
            Regularizer::GroupLassoL2 { .. }
                | Regularizer::GroupLassoLinf { .. }
                | Regularizer::SparseGroupLassoL2 { .. }
                | Regularizer::SparseGroupLassoLinf { .. }
        )
    }

    /// The proximal operator at `v`, in place. `groups` lists each group's
    /// entries (the group regularisers read it), `positive` adds `v ≥ 0`;
    /// `scratch` is reused from call to call.
    pub fn prox(&self, v: &mut [T], groups: &[Vec<usize>], positive: bool, scratch: &mut Scratch<T>) {
        let Scratch { sort, copy, group } = scratch;
        if positive && !matches!(self, Regularizer::FusedLasso { .. }) {
            v.iter_mut().for_each(|x| *x = x.max(T::ZERO));
        }
        match *self {
            Regularizer::L0 { lambda } => {
                let t = (lambda + lambda).sqrt();
                v.iter_mut().for_each(|x| {
                    if !(x.abs() > t) {
                        *x = T::ZERO;
                    }
                });
            }
            Regularizer::L1 { lambda } => soft_threshold(v, lambda),
            Regularizer::L2 { lambda } => scale(v, T::ONE / (T::ONE + lambda)),
            Regularizer::Linf { lambda } => linf_prox(v, lambda, copy, sort),
            Regularizer::L2NotSquared { lambda } => block_soft(v, lambda),
            Regularizer::ElasticNet { l1, l2 } => {
                soft_threshold(v, l1);
                scale(v, T::ONE / (T::ONE + l2));
            }
            Regularizer::FusedLasso { tv, l1, l2 } => {
                fused_prox(v, if positive { T::ZERO } else { l1 }, tv, T::ZERO, sort);
                if positive {
                    v.iter_mut().for_each(|x| *x = (*x - l1).max(T::ZERO));
                }
                scale(v, T::ONE / (T::ONE + l2));
            }
            Regularizer::GroupLassoL2 { lambda } => for_groups(v, groups, group, |g| block_soft(g, lambda)),
            Regularizer::GroupLassoLinf { lambda } => for_groups(v, groups, group, |g| linf_prox(g, lambda, copy, sort)),
            Regularizer::SparseGroupLassoL2 { lambda, l1 } => {
                soft_threshold(v, l1);
                for_groups(v, groups, group, |g| block_soft(g, lambda));
            }
            Regularizer::SparseGroupLassoLinf { lambda, l1 } => {
                soft_threshold(v, l1);
                for_groups(v, groups, group, |g| linf_prox(g, lambda, copy, sort));
            }
            Regularizer::None => {}
        }
    }
}

impl<T: Real> Regularizer<T> {
    /// `ψ(v)`, with the weights (`groups` as [`prox`](Self::prox) reads
    /// them).
    pub fn value(&self, v: &[T], groups: &[Vec<usize>]) -> T {
        let l1 = || v.iter().fold(T::ZERO, |a, &x| a + x.abs());
        let sq = || v.iter().fold(T::ZERO, |a, &x| a + x * x);
        let half = T::from_f64(0.5);
        let group_l2 = || groups.iter().fold(T::ZERO, |a, g| a + g.iter().fold(T::ZERO, |s, &i| s + v[i] * v[i]).sqrt());
        let group_linf = || groups.iter().fold(T::ZERO, |a, g| a + g.iter().fold(T::ZERO, |m, &i| m.max(v[i].abs())));
        match *self {
            Regularizer::L0 { lambda } => lambda * T::from_f64(v.iter().filter(|&&x| x != T::ZERO).count() as f64),
            Regularizer::L1 { lambda } => lambda * l1(),
            Regularizer::L2 { lambda } => half * lambda * sq(),
            Regularizer::Linf { lambda } => lambda * v.iter().fold(T::ZERO, |a, &x| a.max(x.abs())),
            Regularizer::L2NotSquared { lambda } => lambda * sq().sqrt(),
            Regularizer::ElasticNet { l1: a, l2: b } => a * l1() + half * b * sq(),
            Regularizer::FusedLasso { tv, l1: a, l2: b } => {
                tv * v.windows(2).fold(T::ZERO, |acc, w| acc + (w[1] - w[0]).abs()) + a * l1() + half * b * sq()
            }
            Regularizer::GroupLassoL2 { lambda } => lambda * group_l2(),
            Regularizer::GroupLassoLinf { lambda } => lambda * group_linf(),
            Regularizer::SparseGroupLassoL2 { lambda, l1: a } => lambda * group_l2() + a * l1(),
            Regularizer::SparseGroupLassoLinf { lambda, l1: a } => lambda * group_linf() + a * l1(),
            Regularizer::None => T::ZERO,
        }
    }

    /// The Fenchel conjugate `ψ*` (of `ψ` plus `v ≥ 0` with `positive`)
    /// along the ray of `z`, for a dual bound: `(κ, ψ*(κz))` with `κ ∈ [0, 1]`
    /// the largest scale at which `ψ*` is finite (1 for the quadratic
    /// regularisers, whose conjugate is finite everywhere; `λ / ψ°(z)`,
    /// capped at 1, for a norm `ψ = λ·‖·‖`, whose conjugate is 0 on the
    /// dual norm's ball and infinite outside). `None` where no closed form
    /// is written here (`l0`, the fused and sparse group Lassos, `none`).
    pub fn conjugate(&self, z: &[T], groups: &[Vec<usize>], positive: bool) -> Option<(T, T)> {
        // With v ≥ 0 only the positive parts of z count.
        let part = |x: T| if positive { x.max(T::ZERO) } else { x.abs() };
        let ball = |norm: T, radius: T| Some((if norm > radius { radius / norm } else { T::ONE }, T::ZERO));
        let group = |f: &dyn Fn(&[usize]) -> T| groups.iter().fold(T::ZERO, |m, g| m.max(f(g)));
        let two = T::from_f64(2.0);
        match *self {
            Regularizer::L1 { lambda } => ball(z.iter().fold(T::ZERO, |m, &x| m.max(part(x))), lambda),
            Regularizer::Linf { lambda } => ball(z.iter().fold(T::ZERO, |a, &x| a + part(x)), lambda),
            Regularizer::L2NotSquared { lambda } => ball(z.iter().fold(T::ZERO, |a, &x| a + part(x) * part(x)).sqrt(), lambda),
            Regularizer::GroupLassoL2 { lambda } => {
                ball(group(&|g| g.iter().fold(T::ZERO, |a, &i| a + part(z[i]) * part(z[i])).sqrt()), lambda)
            }
            Regularizer::GroupLassoLinf { lambda } => ball(group(&|g| g.iter().fold(T::ZERO, |a, &i| a + part(z[i]))), lambda),
            Regularizer::L2 { lambda } if lambda > T::ZERO => {
                Some((T::ONE, z.iter().fold(T::ZERO, |a, &x| a + part(x) * part(x)) / (two * lambda)))
            }
            Regularizer::ElasticNet { l1, l2 } if l2 > T::ZERO => {
                let excess = |x: T| (part(x) - l1).max(T::ZERO);
                Some((T::ONE, z.iter().fold(T::ZERO, |a, &x| a + excess(x) * excess(x)) / (two * l2)))
            }
            Regularizer::ElasticNet { l1, .. } => Regularizer::L1 { lambda: l1 }.conjugate(z, groups, positive),
            _ => None,
        }
    }
}

/// Buffers a prox reuses from vector to vector.
#[derive(Debug, Default, Clone)]
pub struct Scratch<T> {
    sort: Vec<T>,
    copy: Vec<T>,
    group: Vec<T>,
}

fn scale<T: Real>(v: &mut [T], s: T) {
    v.iter_mut().for_each(|x| *x *= s);
}

/// `λ‖v‖₂`'s prox: `v·max(0, 1 − λ/‖v‖)`.
pub(crate) fn block_soft<T: Real>(v: &mut [T], lambda: T) {
    let norm = v.iter().fold(T::ZERO, |a, &x| a + x * x).sqrt();
    scale(v, if norm > lambda { T::ONE - lambda / norm } else { T::ZERO });
}

/// `λ‖v‖∞`'s prox (Moreau): `v` minus its projection on the ℓ1 ball of
/// radius `λ`, the dual norm's ball.
pub(crate) fn linf_prox<T: Real>(v: &mut [T], lambda: T, copy: &mut Vec<T>, sort: &mut Vec<T>) {
    copy.clear();
    copy.extend_from_slice(v);
    Projection::L1Ball { radius: lambda }.apply(copy, false, sort);
    v.iter_mut().zip(copy.iter()).for_each(|(x, &q)| *x -= q);
}

/// Runs `f` on each group's entries, gathered into `buf` (groups need not
/// be contiguous), and scatters them back.
fn for_groups<T: Real>(v: &mut [T], groups: &[Vec<usize>], buf: &mut Vec<T>, mut f: impl FnMut(&mut [T])) {
    for members in groups {
        buf.clear();
        buf.extend(members.iter().map(|&i| v[i]));
        f(buf);
        for (&i, &x) in members.iter().zip(buf.iter()) {
            v[i] = x;
        }
    }
}

/// The rows a prox reads (all, or all but the intercept's) and each
/// group's rows among them, in the order the labels first appear; checks
/// that `groups` labels each of the `n` rows, and is given when needed.
pub(crate) fn group_members<T: Real>(
    regularizer: &Regularizer<T>,
    n: usize,
    groups: Option<&[usize]>,
    intercept: bool,
) -> Result<(usize, Vec<Vec<usize>>)> {
    let free = if intercept { n.saturating_sub(1) } else { n };
    let labels: &[usize] = match groups {
        Some(g) if g.len() == n => &g[..free],
        Some(g) => return Err(invalid("groups", format!("must give one group per row ({n}), got {}", g.len()))),
        None if regularizer.grouped() => return Err(invalid("groups", "the group regularisers need groups (one label per row)")),
        None => &[],
    };
    let mut members: Vec<Vec<usize>> = Vec::new();
    let mut seen: Vec<usize> = Vec::new();
    for (i, &l) in labels.iter().enumerate() {
        match seen.iter().position(|&s| s == l) {
            Some(g) => members[g].push(i),
            None => {
                seen.push(l);
                members.push(vec![i]);
            }
        }
    }
    Ok((free, members))
}

/// Applies `regularizer`'s prox to every column of `u` in place, in
/// parallel (SPAMS's `proximalFlat`); `groups` labels each row (the group
/// regularisers need it, one label per row); `intercept` leaves the last
/// row untouched. The result does not depend on the thread count.
pub fn prox_columns<T: Real>(
    u: MatMut<'_, T>,
    regularizer: &Regularizer<T>,
    groups: Option<&[usize]>,
    positive: bool,
    intercept: bool,
) -> Result<()> {
    regularizer.check()?;
    let n = u.nrows();
    let (free, members) = group_members(regularizer, n, groups, intercept)?;
    each_column(u, free, Scratch::default, |v, scratch| regularizer.prox(v, &members, positive, scratch));
    Ok(())
}

/// `ψ` at every column of `v` (its last row left out with `intercept`),
/// `groups` labelling the rows as [`prox_columns`] reads them.
pub fn column_values<T: Real>(v: MatRef<'_, T>, regularizer: &Regularizer<T>, groups: Option<&[usize]>, intercept: bool) -> Result<Vec<T>> {
    let (free, members) = group_members(regularizer, v.nrows(), groups, intercept)?;
    let mut col = vec![T::ZERO; free];
    Ok((0..v.ncols())
        .map(|j| {
            col.iter_mut().enumerate().for_each(|(i, c)| *c = v[(i, j)]);
            regularizer.value(&col, &members)
        })
        .collect())
}
