//! Regularised least squares by FISTA (Beck & Teboulle 2009) with any flat
//! regulariser of [`crate::regularizer`]: for each column `y` of `Y`,
//! `argmin_w ½‖y − Xw‖² + ψ(w)` (SPAMS's `fistaFlat` with the square
//! loss).
//!
//! In Gram form: `G = XᵀX` and `XᵀY` once, then per column the gradient
//! `Gz − Xᵀy` in the `p`-dimensional space; the step is `1/L` with
//! `L = ‖X‖₂²` known exactly (no line search), the prox is the
//! regulariser's at `ψ/L`; the momentum restarts whenever it points
//! against the last step (O'Donoghue & Candès 2015). A column stops when a
//! step moves it by at most `tol` relative to its size, or after
//! `max_iter` steps; plain ISTA on request.

use faer::{Mat, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{Real, dtx_into, gram, kernels, spectral_norm_sq};

use crate::error::{Error, Result, invalid};
use crate::regularizer::{Regularizer, Scratch, group_members};

/// The settings of [`fista_square`].
#[derive(Clone, Debug, PartialEq)]
pub struct FistaFlat<T> {
    /// The regulariser `ψ`.
    pub regularizer: Regularizer<T>,
    /// Each coefficient's group (the group regularisers need it).
    pub groups: Option<Vec<usize>>,
    /// `w ≥ 0`.
    pub positive: bool,
    /// The last coefficient is not regularised.
    pub intercept: bool,
    /// Steps per column at most.
    pub max_iter: usize,
    /// The relative change of a step that stops a column.
    pub tol: f64,
    /// ISTA (no momentum) instead of FISTA.
    pub ista: bool,
}

impl<T: Real> FistaFlat<T> {
    /// SPAMS's defaults around `regularizer`: 1000 steps, `tol` 1e-6.
    pub fn new(regularizer: Regularizer<T>) -> Self {
        Self { regularizer, groups: None, positive: false, intercept: false, max_iter: 1000, tol: 1e-6, ista: false }
    }
}

/// Solves `argmin_w ½‖y − Xw‖² + ψ(w)` for each column `y` of `y`
/// (m × n), `x` the design (m × p), from the columns of `w0` (p × n).
/// Returns the solutions (p × n) and each column's step count.
pub fn fista_square<T: Real>(x: MatRef<'_, T>, y: MatRef<'_, T>, w0: MatRef<'_, T>, s: &FistaFlat<T>) -> Result<(Mat<T>, Vec<usize>)> {
    let (m, p, n) = (x.nrows(), x.ncols(), y.ncols());
    if y.nrows() != m {
        return Err(Error::DimensionMismatch { what: "Y rows (the design's rows)", expected: m, got: y.nrows() });
    }
    if w0.nrows() != p || w0.ncols() != n {
        return Err(Error::DimensionMismatch {
            what: "W0 shape (n_coefficients × n_columns)",
            expected: p * n,
            got: w0.nrows() * w0.ncols(),
        });
    }
    if !(s.tol >= 0.0) {
        return Err(invalid("tol", format!("must be ≥ 0, got {}", s.tol)));
    }
    s.regularizer.check()?;
    for (what, mat) in [(0, x), (1, y), (2, w0)] {
        if let Some(j) = (0..mat.ncols()).find(|&j| (0..mat.nrows()).any(|i| !mat[(i, j)].is_finite())) {
            return Err(if what == 0 { Error::NonFiniteAtom { atom: j } } else { Error::NonFiniteSignal { sample: j } });
        }
    }
    let (free, members) = group_members(&s.regularizer, p, s.groups.as_deref(), s.intercept)?;
    let g = gram(x, Par::rayon(0));
    let mut b = Mat::<T>::zeros(p, n);
    dtx_into(x, y, b.as_mut(), Par::rayon(0));
    let lip = spectral_norm_sq(g.as_ref()).unwrap_or(T::ZERO);
    let lip = if lip > T::ZERO { lip } else { T::ONE };
    let step = s.regularizer.scaled(T::ONE / lip);
    let gcols: Vec<T> = (0..p).flat_map(|j| (0..p).map(move |i| (i, j))).map(|(i, j)| g[(i, j)]).collect();
    let tol = T::from_f64(s.tol);
    let columns: Vec<(Vec<T>, usize)> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![T::ZERO; p], vec![T::ZERO; p], vec![T::ZERO; p], Scratch::default()),
            |(z, grad, prev, scratch), j| {
                let mut w: Vec<T> = (0..p).map(|i| w0[(i, j)]).collect();
                z.copy_from_slice(&w);
                let mut t = T::ONE;
                let mut steps = 0;
                while steps < s.max_iter {
                    steps += 1;
                    // grad = G z − Xᵀy; the gradient step, then the prox.
                    for (gi, i) in grad.iter_mut().zip(0..p) {
                        *gi = -b[(i, j)];
                    }
                    for (k, &zk) in z.iter().enumerate() {
                        if zk != T::ZERO {
                            kernels::axpy(zk, &gcols[k * p..(k + 1) * p], grad);
                        }
                    }
                    prev.copy_from_slice(&w);
                    for ((wi, &zi), &gi) in w.iter_mut().zip(z.iter()).zip(grad.iter()) {
                        *wi = zi - gi / lip;
                    }
                    // The intercept (past `free`) is neither penalised nor signed.
                    step.prox(&mut w[..free], &members, s.positive, scratch);
                    let (mut moved, mut size) = (T::ZERO, T::ZERO);
                    for (&a, &c) in w.iter().zip(prev.iter()) {
                        moved = moved.max((a - c).abs());
                        size = size.max(a.abs());
                    }
                    if moved <= tol * size.max(T::EPSILON) {
                        break;
                    }
                    if s.ista {
                        z.copy_from_slice(&w);
                        continue;
                    }
                    // Restart when the momentum points against the step.
                    let against = z.iter().zip(&w).zip(prev.iter()).fold(T::ZERO, |acc, ((&zi, &wi), &pi)| acc + (zi - wi) * (wi - pi));
                    if against > T::ZERO {
                        t = T::ONE;
                    }
                    let t_next = (T::ONE + (T::ONE + T::from_f64(4.0) * t * t).sqrt()) / T::from_f64(2.0);
                    let beta = (t - T::ONE) / t_next;
                    for ((zi, &wi), &pi) in z.iter_mut().zip(&w).zip(prev.iter()) {
                        *zi = wi + beta * (wi - pi);
                    }
                    t = t_next;
                }
                (w, steps)
            },
        )
        .collect();
    let mut out = Mat::<T>::zeros(p, n);
    let mut counts = Vec::with_capacity(n);
    for (j, (w, steps)) in columns.into_iter().enumerate() {
        for (i, v) in w.into_iter().enumerate() {
            out[(i, j)] = v;
        }
        counts.push(steps);
    }
    Ok((out, counts))
}
/// SPAMS's `optim_info` for solutions `w` (p × n) of [`fista_square`]
/// with settings `s`: a 4 × n matrix whose column `j` holds the objective
/// `P = ½‖y − Xw‖² + ψ(w)`, a lower bound `D` on the optimum (the dual
/// objective `⟨y, θ⟩ − ½‖θ‖² − ψ*(Xᵀθ)` at the residual `θ = y − Xw`,
/// scaled into `ψ*`'s domain by [`Regularizer::conjugate`]), the relative
/// duality gap `(P − D) / P`, and the step count `steps[j]`. Where no
/// conjugate is written (see there), and with an intercept, the bound and
/// the gap are −1, as SPAMS gives them where it has none.
pub fn optim_info<T: Real>(x: MatRef<'_, T>, y: MatRef<'_, T>, w: MatRef<'_, T>, s: &FistaFlat<T>, steps: &[usize]) -> Result<Mat<T>> {
    let (m, p, n) = (x.nrows(), x.ncols(), y.ncols());
    if y.nrows() != m || w.nrows() != p || w.ncols() != n || steps.len() != n {
        return Err(Error::DimensionMismatch {
            what: "W shape (n_coefficients × n_columns)", expected: p * n, got: w.nrows() * w.ncols()
        });
    }
    let (free, members) = group_members(&s.regularizer, p, s.groups.as_deref(), s.intercept)?;
    // The residuals, and Xᵀ of them.
    let mut r = y.to_owned();
    faer::linalg::matmul::matmul(r.as_mut(), faer::Accum::Add, x, w, -T::ONE, Par::rayon(0));
    let mut z = Mat::<T>::zeros(p, n);
    dtx_into(x, r.as_ref(), z.as_mut(), Par::rayon(0));
    let mut info = Mat::<T>::zeros(4, n);
    let (mut wj, mut zj) = (vec![T::ZERO; p], vec![T::ZERO; p]);
    let half = T::from_f64(0.5);
    for j in 0..n {
        wj.iter_mut().enumerate().for_each(|(i, v)| *v = w[(i, j)]);
        zj.iter_mut().enumerate().for_each(|(i, v)| *v = z[(i, j)]);
        let (rr, yr) = (0..m).fold((T::ZERO, T::ZERO), |(a, b), i| (a + r[(i, j)] * r[(i, j)], b + y[(i, j)] * r[(i, j)]));
        let primal = half * rr + s.regularizer.value(&wj[..free], &members);
        let dual = if s.intercept { None } else { s.regularizer.conjugate(&zj, &members, s.positive) };
        let (bound, gap) = match dual {
            Some((k, c)) => {
                let d = k * yr - half * k * k * rr - c;
                (d, if primal > T::ZERO { (primal - d) / primal } else { T::ZERO })
            }
            None => (-T::ONE, -T::ONE),
        };
        info[(0, j)] = primal;
        info[(1, j)] = bound;
        info[(2, j)] = gap;
        info[(3, j)] = T::from_f64(steps[j] as f64);
    }
    Ok(info)
}
