//! Proximal operators and projections on vectors: the ℓ1 ball, the
//! elastic-net ball, the ℓ2 ball after a soft threshold, the fused-Lasso
//! signal approximator and the ball of its regulariser (SPAMS's
//! `sparseProject`), each exact, in place, on one vector at a time, plus
//! [`project_columns`] to run one on every column of a matrix in parallel.
//!
//! The 1-D total-variation step is Condat's direct algorithm (Condat 2013,
//! "A direct algorithm for 1D total variation denoising"), linear in
//! practice; the balls are found by sorting the magnitudes once and
//! solving for the multiplier on the one support that is consistent; the
//! fused ball by bisection on its multiplier, each step one fused prox.

use faer::MatMut;
use rayon::prelude::*;
use sc_linalg::Real;

use crate::error::{Result, invalid};

/// A projection (or, for [`Projection::FusedProx`], a proximal step) of a
/// vector `u`; `positive` adds `v ≥ 0` where it applies.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Projection<T> {
    /// `argmin ‖u − v‖²` s.t. `‖v‖₁ ≤ radius` (SPAMS's mode 1).
    L1Ball {
        /// The radius.
        radius: T,
    },
    /// `argmin ‖u − v‖²` s.t. `l2·‖v‖² + l1·‖v‖₁ ≤ radius` (SPAMS's modes 2,
    /// `l2 = 1, l1 = λ₁`, and 3, `l2 = λ₁/2, l1 = 1`).
    ElasticBall {
        /// The weight of `‖v‖²`.
        l2: T,
        /// The weight of `‖v‖₁`.
        l1: T,
        /// The radius.
        radius: T,
    },
    /// `argmin ½‖u − v‖² + lambda·‖v‖₁` s.t. `‖v‖² ≤ radius` (SPAMS's mode
    /// 4): the soft threshold, scaled back into the ℓ2 ball.
    SoftL2Ball {
        /// The ℓ1 penalty.
        lambda: T,
        /// The bound on `‖v‖²`.
        radius: T,
    },
    /// `argmin ½‖u − v‖² + l1‖v‖₁ + tv·Σ|vᵢ₊₁ − vᵢ| + ½·l2‖v‖²`, the fused-Lasso
    /// signal approximator (SPAMS's mode 5; `positive` does not apply).
    FusedProx {
        /// The ℓ1 penalty.
        l1: T,
        /// The total-variation penalty.
        tv: T,
        /// The ridge.
        l2: T,
    },
    /// `argmin ‖u − v‖²` s.t. `l1‖v‖₁ + tv·Σ|vᵢ₊₁ − vᵢ| + ½·l2‖v‖² ≤ radius`
    /// (SPAMS's mode 6; `positive` does not apply).
    FusedBall {
        /// The weight of `‖v‖₁`.
        l1: T,
        /// The weight of the total variation.
        tv: T,
        /// The weight of `½‖v‖²`.
        l2: T,
        /// The radius.
        radius: T,
    },
}

/// A [`Projection`]'s name, without its parameters: what the doors parse.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ProjectionName {
    /// [`Projection::L1Ball`].
    L1Ball,
    /// [`Projection::ElasticBall`].
    ElasticBall,
    /// [`Projection::SoftL2Ball`].
    SoftL2Ball,
    /// [`Projection::FusedProx`].
    FusedProx,
    /// [`Projection::FusedBall`].
    FusedBall,
}

sc_linalg::named_enum!(ProjectionName, "projection", {
    L1Ball => "l1_ball",
    ElasticBall => "elastic_ball",
    SoftL2Ball => "soft_l2_ball",
    FusedProx => "fused_prox",
    FusedBall => "fused_ball",
});

impl<T: Real> Projection<T> {
    /// The projection `name` with the weights it reads: `radius`, `l1`
    /// (the ℓ1 weight, or [`Projection::SoftL2Ball`]'s penalty), `l2` and
    /// `tv`; the others are ignored.
    pub fn new(name: ProjectionName, radius: T, l1: T, l2: T, tv: T) -> Self {
        match name {
            ProjectionName::L1Ball => Projection::L1Ball { radius },
            ProjectionName::ElasticBall => Projection::ElasticBall { l2, l1, radius },
            ProjectionName::SoftL2Ball => Projection::SoftL2Ball { lambda: l1, radius },
            ProjectionName::FusedProx => Projection::FusedProx { l1, tv, l2 },
            ProjectionName::FusedBall => Projection::FusedBall { l1, tv, l2, radius },
        }
    }

    /// The same projection in another scalar type.
    pub fn cast<U: Real>(self) -> Projection<U> {
        let c = |v: T| U::from_f64(v.to_f64());
        match self {
            Projection::L1Ball { radius } => Projection::L1Ball { radius: c(radius) },
            Projection::ElasticBall { l2, l1, radius } => Projection::ElasticBall { l2: c(l2), l1: c(l1), radius: c(radius) },
            Projection::SoftL2Ball { lambda, radius } => Projection::SoftL2Ball { lambda: c(lambda), radius: c(radius) },
            Projection::FusedProx { l1, tv, l2 } => Projection::FusedProx { l1: c(l1), tv: c(tv), l2: c(l2) },
            Projection::FusedBall { l1, tv, l2, radius } => Projection::FusedBall { l1: c(l1), tv: c(tv), l2: c(l2), radius: c(radius) },
        }
    }

    /// Refuses a negative, infinite or NaN parameter, and a ball no
    /// parameter bounds.
    pub fn check(&self) -> Result<()> {
        let nonneg = |name: &'static str, v: T| {
            if !(v >= T::ZERO) || !v.is_finite() {
                return Err(invalid(name, format!("must be finite and ≥ 0, got {}", v.to_f64())));
            }
            Ok(())
        };
        match *self {
            Projection::L1Ball { radius } => nonneg("radius", radius),
            Projection::ElasticBall { l2, l1, radius } => {
                nonneg("l2", l2)?;
                nonneg("l1", l1)?;
                nonneg("radius", radius)?;
                if l2 == T::ZERO && l1 == T::ZERO {
                    return Err(invalid("l1", "and l2 cannot both be 0 (the ball would be the whole space)"));
                }
                Ok(())
            }
            Projection::SoftL2Ball { lambda, radius } => nonneg("lambda", lambda).and(nonneg("radius", radius)),
            Projection::FusedProx { l1, tv, l2 } => nonneg("l1", l1).and(nonneg("tv", tv)).and(nonneg("l2", l2)),
            Projection::FusedBall { l1, tv, l2, radius } => {
                nonneg("l1", l1)?;
                nonneg("tv", tv)?;
                nonneg("l2", l2)?;
                nonneg("radius", radius)?;
                if l1 == T::ZERO && tv == T::ZERO && l2 == T::ZERO {
                    return Err(invalid("l1", "tv and l2 cannot all be 0 (the ball would be the whole space)"));
                }
                Ok(())
            }
        }
    }

    /// Applies the projection to `v` in place; `scratch` (any length) is
    /// reused for the sorted magnitudes.
    pub fn apply(&self, v: &mut [T], positive: bool, scratch: &mut Vec<T>) {
        let keep_positive = |v: &mut [T]| {
            if positive {
                v.iter_mut().for_each(|x| *x = x.max(T::ZERO));
            }
        };
        match *self {
            Projection::L1Ball { radius } => {
                keep_positive(v);
                project_elastic_ball(v, T::ZERO, T::ONE, radius, scratch);
            }
            Projection::ElasticBall { l2, l1, radius } => {
                keep_positive(v);
                project_elastic_ball(v, l2, l1, radius, scratch);
            }
            Projection::SoftL2Ball { lambda, radius } => {
                keep_positive(v);
                soft_threshold(v, lambda);
                let n2 = v.iter().fold(T::ZERO, |a, &x| a + x * x);
                if n2 > radius {
                    let s = (radius / n2).sqrt();
                    v.iter_mut().for_each(|x| *x *= s);
                }
            }
            Projection::FusedProx { l1, tv, l2 } => fused_prox(v, l1, tv, l2, scratch),
            Projection::FusedBall { l1, tv, l2, radius } => project_fused_ball(v, l1, tv, l2, radius, scratch),
        }
    }
}

/// Applies `projection` to every column of `u` in place, in parallel
/// (SPAMS's `sparseProject`); the result does not depend on the thread
/// count.
pub fn project_columns<T: Real>(u: MatMut<'_, T>, projection: &Projection<T>, positive: bool) -> Result<()> {
    projection.check()?;
    let n = u.nrows();
    each_column(u, n, || Vec::with_capacity(n), |v, scratch| projection.apply(v, positive, scratch));
    Ok(())
}

/// Runs `f` on the first `len` entries of every column of `u`, in
/// parallel, in place where a column is contiguous, else gathered into a
/// contiguous buffer and written back; `scratch` makes each thread's
/// reused state.
pub(crate) fn each_column<T: Real, S>(
    u: MatMut<'_, T>,
    len: usize,
    scratch: impl Fn() -> S + Sync + Send,
    f: impl Fn(&mut [T], &mut S) + Sync + Send,
) {
    let cols: Vec<_> = u.col_iter_mut().collect();
    cols.into_par_iter().with_min_len(64).for_each_init(
        || (vec![T::ZERO; len], scratch()),
        |(buf, state), mut col| {
            if let Some(c) = col.as_mut().try_as_col_major_mut() {
                f(&mut c.as_slice_mut()[..len], state);
                return;
            }
            for (i, b) in buf.iter_mut().enumerate() {
                *b = col[i];
            }
            f(buf, state);
            for (i, b) in buf.iter().enumerate() {
                col[i] = *b;
            }
        },
    );
}

/// `sign(v)·max(|v| − t, 0)`, in place.
pub fn soft_threshold<T: Real>(v: &mut [T], t: T) {
    for x in v.iter_mut() {
        let a = x.abs() - t;
        *x = if a > T::ZERO { a * x.signum0() } else { T::ZERO };
    }
}

/// Projects `v` on `{l2‖v‖² + l1‖v‖₁ ≤ radius}` (`l1`, `l2` ≥ 0, not both
/// 0). The projection is `soft(v, μ·l1)/(1 + 2μ·l2)` for the multiplier
/// `μ ≥ 0` that puts it on the sphere; on the support of the `k` largest
/// magnitudes, with their sum `S₁` and sum of squares `S₂`, the sphere's
/// equation is the quadratic
/// `(4·l2²r + l2·l1²k)μ² + (4·l2·r + k·l1²)μ + (r − l2·S₂ − l1·S₁) = 0`,
/// and exactly one `k` gives a root consistent with its support.
fn project_elastic_ball<T: Real>(v: &mut [T], l2: T, l1: T, radius: T, scratch: &mut Vec<T>) {
    let value = v.iter().fold(T::ZERO, |a, &x| a + l2 * x * x + l1 * x.abs());
    if value <= radius {
        return;
    }
    if !(radius > T::ZERO) {
        v.fill(T::ZERO);
        return;
    }
    if l2 == T::ZERO && l1 > T::ZERO {
        let tau = l1_ball_threshold(v, radius / l1);
        soft_threshold(v, tau);
        return;
    }
    scratch.clear();
    scratch.extend(v.iter().map(|x| x.abs()));
    scratch.sort_unstable_by(|a, b| b.partial_cmp(a).unwrap_or(core::cmp::Ordering::Equal));
    let (two, four) = (T::from_f64(2.0), T::from_f64(4.0));
    let (mut s1, mut s2) = (T::ZERO, T::ZERO);
    let mut mu = T::ZERO;
    for k in 1..=scratch.len() {
        let s = scratch[k - 1];
        s1 += s;
        s2 += s * s;
        let kk = T::from_f64(k as f64);
        let a = four * l2 * l2 * radius + l2 * l1 * l1 * kk;
        let b = four * l2 * radius + kk * l1 * l1;
        let c = radius - l2 * s2 - l1 * s1;
        let root = if a > T::ZERO {
            let disc = (b * b - four * a * c).max(T::ZERO);
            // The positive root, written without cancellation (c ≤ 0).
            (two * -c) / (b + disc.sqrt())
        } else {
            -c / b
        };
        let next = scratch.get(k).copied().unwrap_or(T::ZERO);
        mu = root;
        // Consistent: the k-th magnitude above the threshold, the next not.
        if l1 == T::ZERO || (root * l1 < s && root * l1 >= next) {
            break;
        }
    }
    let t = mu * l1;
    let scale = T::ONE / (T::ONE + two * mu * l2);
    for x in v.iter_mut() {
        let a = x.abs() - t;
        *x = if a > T::ZERO { a * x.signum0() * scale } else { T::ZERO };
    }
}

/// The threshold `τ` with `Σ max(|vᵢ| − τ, 0) = r` (`Σ|vᵢ| > r > 0`), by
/// Michelot's (1986) fixed point: `τ = (Σ_{i∈S} |vᵢ| − r)/|S|` over the
/// entries `S` above the previous `τ`, which grows while `S` shrinks; it
/// stops when `S` stops shrinking (a few linear passes, no sort).
fn l1_ball_threshold<T: Real>(v: &[T], r: T) -> T {
    let (mut sum, mut count) = v.iter().fold((T::ZERO, 0usize), |(s, c), x| (s + x.abs(), c + 1));
    let mut tau = (sum - r) / T::from_f64(count as f64);
    loop {
        let (s, c) = v.iter().fold((T::ZERO, 0usize), |(s, c), x| if x.abs() > tau { (s + x.abs(), c + 1) } else { (s, c) });
        // Rounding may put `τ` exactly on an entry and make `S` grow back:
        // the set no longer shrinking is the end.
        if c >= count || c == 0 {
            return tau;
        }
        (sum, count) = (s, c);
        tau = (sum - r) / T::from_f64(count as f64);
    }
}

/// The fused-Lasso signal approximator in place: the total-variation prox
/// at `tv`, then the soft threshold at `l1`, then the ridge's scaling by
/// `1/(1 + l2)` (Friedman, Hastie, Höfling & Tibshirani 2007: the three
/// compose exactly, the last two being separable and monotone).
pub fn fused_prox<T: Real>(v: &mut [T], l1: T, tv: T, l2: T, scratch: &mut Vec<T>) {
    if tv > T::ZERO {
        scratch.clear();
        scratch.extend_from_slice(v);
        tv_prox(scratch, tv, v);
    }
    soft_threshold(v, l1);
    if l2 > T::ZERO {
        let s = T::ONE / (T::ONE + l2);
        v.iter_mut().for_each(|x| *x *= s);
    }
}

/// `l1‖v‖₁ + tv·Σ|vᵢ₊₁ − vᵢ| + ½·l2‖v‖²`.
pub fn fused_value<T: Real>(v: &[T], l1: T, tv: T, l2: T) -> T {
    let half = T::from_f64(0.5);
    let mut s = v.iter().fold(T::ZERO, |a, &x| a + l1 * x.abs() + half * l2 * x * x);
    for w in v.windows(2) {
        s += tv * (w[1] - w[0]).abs();
    }
    s
}

/// Projects `v` on `{fused_value(v) ≤ radius}`: the fused prox at `μ` times
/// the weights, for the `μ` (found by bisection, to rounding) that puts it
/// on the ball's surface; the value decreases as `μ` grows.
fn project_fused_ball<T: Real>(v: &mut [T], l1: T, tv: T, l2: T, radius: T, scratch: &mut Vec<T>) {
    if fused_value(v, l1, tv, l2) <= radius {
        return;
    }
    let u = v.to_vec();
    let at = |mu: T, out: &mut [T], scratch: &mut Vec<T>| {
        out.copy_from_slice(&u);
        fused_prox(out, mu * l1, mu * tv, mu * l2, scratch);
        fused_value(out, l1, tv, l2)
    };
    let (mut lo, mut hi) = (T::ZERO, T::ONE);
    // With only a total-variation weight the value tends to 0 (a constant
    // vector) but reaches it at a finite μ; every case is bounded by 2⁶⁰.
    for _ in 0..60 {
        if at(hi, v, scratch) <= radius {
            break;
        }
        lo = hi;
        hi = hi + hi;
    }
    for _ in 0..200 {
        let mid = T::from_f64(0.5) * (lo + hi);
        if !(mid > lo && mid < hi) {
            break;
        }
        if at(mid, v, scratch) <= radius {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    at(hi, v, scratch);
}

/// The 1-D total-variation prox, `argmin ½‖y − x‖² + λ Σ|xᵢ₊₁ − xᵢ|`, of
/// `y` into `x` (same length), by Condat's direct algorithm: it runs along
/// the signal keeping the range `[vmin, vmax]` the current segment's value
/// may still take and the offsets `umin`, `umax` of the dual variable at
/// its ends; a segment is closed at a jump down when the range's top must
/// fall below it, at a jump up when its bottom must rise above it.
pub fn tv_prox<T: Real>(y: &[T], lambda: T, x: &mut [T]) {
    let n = y.len();
    if n == 0 {
        return;
    }
    if n == 1 || !(lambda > T::ZERO) {
        x.copy_from_slice(y);
        return;
    }
    let two_l = lambda + lambda;
    let (mut k, mut k0, mut km, mut kp) = (0usize, 0usize, 0usize, 0usize);
    let (mut vmin, mut vmax) = (y[0] - lambda, y[0] + lambda);
    let (mut umin, mut umax) = (lambda, -lambda);
    loop {
        if k == n - 1 {
            // The last sample: the dual variable must end at 0, which
            // closes the open segment at a bound, or ends the signal.
            if umin < T::ZERO {
                x[k0..=km].iter_mut().for_each(|v| *v = vmin);
                k0 = km + 1;
                km = k0;
                k = k0;
                vmin = y[k];
                umin = lambda;
                umax = vmin + lambda - vmax;
            } else if umax > T::ZERO {
                x[k0..=kp].iter_mut().for_each(|v| *v = vmax);
                k0 = kp + 1;
                kp = k0;
                k = k0;
                vmax = y[k];
                umax = -lambda;
                umin = vmax - lambda - vmin;
            } else {
                let v = vmin + umin / T::from_f64((k - k0 + 1) as f64);
                x[k0..=k].iter_mut().for_each(|x| *x = v);
                return;
            }
            continue;
        }
        let yn = y[k + 1];
        if yn + umin < vmin - lambda {
            // A jump down: the segment [k0, km] ends at vmin.
            x[k0..=km].iter_mut().for_each(|v| *v = vmin);
            km += 1;
            k = km;
            k0 = km;
            kp = km;
            vmin = y[k];
            vmax = y[k] + two_l;
            umin = lambda;
            umax = -lambda;
        } else if yn + umax > vmax + lambda {
            // A jump up: the segment [k0, kp] ends at vmax.
            x[k0..=kp].iter_mut().for_each(|v| *v = vmax);
            kp += 1;
            k = kp;
            k0 = kp;
            km = kp;
            vmin = y[k] - two_l;
            vmax = y[k];
            umin = lambda;
            umax = -lambda;
        } else {
            k += 1;
            umin += yn - vmin;
            umax += yn - vmax;
            let len = T::from_f64((k - k0 + 1) as f64);
            if umin >= lambda {
                vmin += (umin - lambda) / len;
                umin = lambda;
                km = k;
            }
            if umax <= -lambda {
                vmax += (umax + lambda) / len;
                umax = -lambda;
                kp = k;
            }
        }
    }
}
