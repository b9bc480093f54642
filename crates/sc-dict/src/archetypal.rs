//! Archetypal analysis (Cutler & Breiman 1994, by the block-coordinate
//! scheme of Chen, Mairal & Harchaoui 2014, SPAMS's `archetypalAnalysis`):
//! `p` archetypes `Z = XB`, each a convex combination of the signals, and
//! each signal a convex combination `ZA` of the archetypes, minimising
//! `‖X − ZA‖²_F` (the columns of `A` and `B` on their simplices).
//!
//! Each iteration codes every signal on the simplex of the archetypes
//! (`sc_solvers::simplex_codes`, exact), then updates the archetypes one
//! after another: archetype `l` moves to the convex combination of the
//! signals nearest to its unconstrained optimum `z_l + R a_lᵀ / ‖a_l‖²`
//! (`R` the residual, `a_l` its row of `A`), or, unused, to the signal
//! worst explained. The objective never increases: every step is an exact
//! block minimisation.

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatRef, Par};
use sc_linalg::Real;
use sc_linalg::rng::SplitMix;
use sc_solvers::{SparseCodes, simplex_code, simplex_codes};

use crate::error::{Error, Result};

/// The parameters of [`archetypal_analysis`].
#[derive(Debug, Clone, PartialEq)]
pub struct ArchetypalParams {
    /// Archetypes (`p`).
    pub n_archetypes: usize,
    /// Iterations (SPAMS's `stepsFISTA + stepsAS`: every step here is the
    /// exact one).
    pub iterations: usize,
    /// Start from random signals (seeded by `seed`) instead of the first
    /// `n_archetypes` (SPAMS's `randominit`).
    pub random_init: bool,
    /// The seed of the random start.
    pub seed: u64,
    /// Robust archetypal analysis (SPAMS's `robust`, its `epsilon2` the
    /// value): the fit is the Huber sum `Σ h(‖x_s − Za_s‖)`,
    /// `h(r) = r` above `ε` and `r²/(2ε) + ε/2` below, so that outliers pull
    /// the archetypes less; each archetype's target is then the weighted
    /// least-squares one, the weights `1/max(‖r_s‖, ε)` of the residuals
    /// after the coding step (iteratively reweighted least squares, as
    /// SPAMS). `None`: the squared error.
    pub robust: Option<f64>,
}

impl ArchetypalParams {
    /// SPAMS's defaults: 3 + 50 iterations, the first signals as the start.
    pub fn new(n_archetypes: usize) -> Self {
        Self { n_archetypes, iterations: 53, random_init: false, seed: 0, robust: None }
    }
}

/// Archetypes, and the two convex codings.
#[derive(Debug, Clone)]
pub struct Archetypes<T: Real> {
    /// The archetypes, columns (n_features × p).
    pub z: Mat<T>,
    /// Each signal's weights on the archetypes (p × n_samples).
    pub a: SparseCodes<T>,
    /// Each archetype's weights on the signals (n_samples × p).
    pub b: SparseCodes<T>,
    /// `‖X − ZA‖²_F` after each iteration (the Huber sum when robust).
    pub objectives: Vec<f64>,
}

/// Archetypal analysis of the columns of `x` (n_features × n_samples),
/// starting from `init` (n_features × p, any points) or from signals.
pub fn archetypal_analysis<T: Real>(x: MatRef<'_, T>, params: &ArchetypalParams, init: Option<MatRef<'_, T>>) -> Result<Archetypes<T>> {
    let (m, n, p) = (x.nrows(), x.ncols(), params.n_archetypes);
    if p == 0 {
        return Err(Error::InvalidParameter { name: "n_archetypes", reason: "must be at least 1".into() });
    }
    if let Some(e) = params.robust
        && !(e > 0.0 && e.is_finite())
    {
        return Err(Error::InvalidParameter { name: "epsilon2", reason: format!("must be finite and > 0, got {e}") });
    }
    if n == 0 || m == 0 {
        return Err(Error::Dimension(format!("no signals to analyse ({m} × {n})")));
    }
    if let Some(s) = (0..n).find(|&s| (0..m).any(|i| !x[(i, s)].is_finite())) {
        return Err(Error::NonFinite(s));
    }
    // B's columns: the start's weights when it is made of signals.
    let mut weights: Vec<Vec<(usize, T)>> = Vec::with_capacity(p);
    let mut z = match init {
        Some(z0) => {
            if z0.nrows() != m || z0.ncols() != p {
                return Err(Error::Dimension(format!("the initial archetypes are {} × {}, expected {m} × {p}", z0.nrows(), z0.ncols())));
            }
            weights.resize(p, Vec::new());
            z0.to_owned()
        }
        None => {
            let mut rng = SplitMix(params.seed);
            let picks: Vec<usize> = (0..p).map(|l| if params.random_init { rng.below(n) } else { l % n }).collect();
            weights.extend(picks.iter().map(|&s| vec![(s, T::ONE)]));
            Mat::from_fn(m, p, |i, l| x[(i, picks[l])])
        }
    };
    let mut objectives = Vec::with_capacity(params.iterations);
    let mut a = simplex_codes(z.as_ref(), x)?;
    let mut ad = a.to_dense();
    // The residual R = X − ZA, kept up to date as archetypes move, and
    // computed afresh once the signals are coded again.
    let mut r = x.to_owned() - &z * &ad;
    let mut v = Mat::<T>::zeros(m, 1);
    let mut old = vec![T::ZERO; m];
    let mut row = Mat::<T>::zeros(n, 1);
    let mut weighted = Mat::<T>::zeros(n, 1);
    // Each signal's weight in the archetypes' targets (1, or robust's).
    let mut trust = vec![T::ONE; n];
    for _ in 0..params.iterations {
        if let Some(eps) = params.robust {
            let eps = T::from_f64(eps);
            trust.iter_mut().enumerate().for_each(|(s, w)| *w = T::ONE / r.col(s).norm_l2().max(eps));
        }
        for l in 0..p {
            for s in 0..n {
                row[(s, 0)] = ad[(l, s)];
                weighted[(s, 0)] = ad[(l, s)] * trust[s];
            }
            let sq = (0..n).fold(T::ZERO, |a, s| a + row[(s, 0)] * weighted[(s, 0)]);
            old.iter_mut().enumerate().for_each(|(i, o)| *o = z[(i, l)]);
            if sq.to_f64() < 1e-7 {
                // Unused: the worst-explained signal.
                let worst =
                    (0..n).map(|s| (s, r.col(s).squared_norm_l2())).fold((0, T::ZERO), |best, c| if c.1 > best.1 { c } else { best }).0;
                weights[l] = vec![(worst, T::ONE)];
            } else {
                // v = z_l + R (w∘a_l) / Σ w a_l² (w = 1 but when robust).
                matmul(v.as_mut(), Accum::Replace, r.as_ref(), weighted.as_ref(), T::ONE / sq, Par::Seq);
                for (i, &o) in old.iter().enumerate() {
                    v[(i, 0)] += o;
                }
                let target = v.col(0).try_as_col_major().expect("an owned column").as_slice();
                weights[l] = simplex_code(x, target)?;
            }
            for (i, o) in old.iter_mut().enumerate() {
                let zi = weights[l].iter().fold(T::ZERO, |acc, &(s, w)| acc + w * x[(i, s)]);
                z[(i, l)] = zi;
                // Now the move z_new − z_old.
                *o = zi - *o;
            }
            // R loses (z_new − z_old) a_l.
            for s in 0..n {
                let w = row[(s, 0)];
                if w != T::ZERO {
                    for (i, &d) in old.iter().enumerate() {
                        r[(i, s)] -= d * w;
                    }
                }
            }
        }
        a = simplex_codes(z.as_ref(), x)?;
        ad = a.to_dense();
        r = x.to_owned() - &z * &ad;
        objectives.push(match params.robust {
            None => r.squared_norm_l2().to_f64(),
            Some(eps) => {
                (0..n).map(|s| r.col(s).norm_l2().to_f64()).map(|v| if v > eps { v } else { v * v / (2.0 * eps) + eps / 2.0 }).sum()
            }
        });
    }
    let mut indptr = vec![0usize];
    let (mut indices, mut values) = (Vec::new(), Vec::new());
    for w in &weights {
        for &(s, v) in w {
            indices.push(s as u32);
            values.push(v);
        }
        indptr.push(indices.len());
    }
    let b = SparseCodes::from_parts(n, indptr, indices, values)?;
    Ok(Archetypes { z, a, b, objectives })
}
