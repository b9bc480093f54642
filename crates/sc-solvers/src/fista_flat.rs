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

use faer::linalg::matmul::matmul;
use faer::{Accum, Mat, MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{Real, dtx_into, gram, kernels, spectral_norm_sq};

use crate::error::{Error, Result, invalid};
use crate::matrix_regularizer::MatrixRegularizer;
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
    let (p, n) = (x.ncols(), y.ncols());
    check_square(x, y, w0, s)?;
    s.regularizer.check()?;
    let (free, members) = group_members(&s.regularizer, p, s.groups.as_deref(), s.intercept)?;
    let g = gram(x, Par::rayon(0));
    let mut b = Mat::<T>::zeros(p, n);
    dtx_into(x, y, b.as_mut(), Par::rayon(0));
    let lip = spectral_norm_sq(g.as_ref()).unwrap_or(T::ZERO);
    let lip = if lip > T::ZERO { lip } else { T::ONE };
    let step = s.regularizer.scaled(T::ONE / lip);
    let gcols: Vec<T> = (0..p).flat_map(|j| (0..p).map(move |i| (i, j))).map(|(i, j)| g[(i, j)]).collect();
    let columns: Vec<(Vec<T>, usize)> = (0..n)
        .into_par_iter()
        .map_init(
            || (vec![T::ZERO; p], vec![T::ZERO; p], vec![T::ZERO; p], Scratch::default()),
            |(z, grad, prev, scratch), j| {
                let mut w: Vec<T> = (0..p).map(|i| w0[(i, j)]).collect();
                let gradient = |z: &[T], grad: &mut [T]| {
                    // G z − Xᵀy.
                    for (gi, i) in grad.iter_mut().zip(0..p) {
                        *gi = -b[(i, j)];
                    }
                    for (k, &zk) in z.iter().enumerate() {
                        if zk != T::ZERO {
                            kernels::axpy(zk, &gcols[k * p..(k + 1) * p], grad);
                        }
                    }
                };
                // The intercept (past `free`) is neither penalised nor signed.
                let prox = |w: &mut [T]| step.prox(&mut w[..free], &members, s.positive, scratch);
                let steps = iterate(&mut w, (z, grad, prev), lip, s, gradient, prox);
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
/// The losses of SPAMS's `fistaFlat`, `x_i` the rows of the design `X`
/// (m × p) and `y` a column of the targets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Loss {
    /// `½‖y − Xw‖²` ([`fista_square`]).
    Square,
    /// `½ Σ (y_i − x_iᵀw)²` over the observed entries of `y` (NaN: missing).
    SquareMissing,
    /// `(1/m) Σ log(1 + e^{−y_i x_iᵀw})`, `y_i = ±1`.
    Logistic,
    /// `Σ ω_i log(1 + e^{−y_i x_iᵀw})` with `ω_i = 1/n₊` where `y_i > 0`
    /// and `1/max(n₋, 10⁻³)` elsewhere (`n₊`, `n₋` the two classes' sizes):
    /// the classes weigh the same.
    WeightedLogistic,
    /// `(1/m) Σ log Σ_r e^{x_iᵀ(w_r − w_{y_i})}` over the `N` columns `w_r`
    /// of a block `W` (p × N) per column of `Y`, `y_i ∈ {0, …, N − 1}` a
    /// class; the regulariser applies to each `w_r`.
    MultiLogistic,
}

sc_linalg::named_enum!(Loss, "loss", {
    Square => "square",
    SquareMissing => "square_missing",
    Logistic => "logistic",
    WeightedLogistic => "weighted_logistic",
    MultiLogistic => "multi_logistic",
});

/// A column's loss: its value and gradient in the scores `u = XW` (m × b,
/// column-major) of a block of `b` columns.
struct ColumnLoss<'a, T> {
    loss: Loss,
    y: &'a [T],
    /// The weight of each sample (1/m, or the weighted logistic's ω).
    weight: Vec<T>,
}

impl<'a, T: Real> ColumnLoss<'a, T> {
    /// `loss` on the column `y`, with its samples' weights.
    fn new(loss: Loss, y: &'a [T]) -> Self {
        let m = y.len();
        let weight = match loss {
            Loss::WeightedLogistic => {
                let pos = y.iter().filter(|&&v| v > T::ZERO).count() as f64;
                let (wp, wn) = (T::from_f64(1.0 / pos.max(1.0)), T::from_f64(1.0 / (m as f64 - pos).max(1e-3)));
                y.iter().map(|&v| if v > T::ZERO { wp } else { wn }).collect()
            }
            _ => vec![T::ONE / T::from_f64(m.max(1) as f64); m],
        };
        Self { loss, y, weight }
    }

    /// The loss at scores `u`, and its gradient in them into `g`.
    fn eval(&self, u: &[T], g: &mut [T]) -> T {
        let m = self.y.len();
        let mut value = T::ZERO;
        match self.loss {
            Loss::Square | Loss::SquareMissing => {
                for ((gi, &ui), &yi) in g.iter_mut().zip(u).zip(self.y) {
                    let r = if yi.is_nan() { T::ZERO } else { ui - yi };
                    *gi = r;
                    value += T::from_f64(0.5) * r * r;
                }
            }
            Loss::Logistic | Loss::WeightedLogistic => {
                for (((gi, &ui), &yi), &wi) in g.iter_mut().zip(u).zip(self.y).zip(&self.weight) {
                    // log(1 + e^t) and its derivative σ(t), t = −y u, without overflow.
                    let t = -yi * ui;
                    let (log1pexp, sigma) = if t > T::ZERO {
                        (t + (-t).exp().ln_1p(), T::ONE / (T::ONE + (-t).exp()))
                    } else {
                        (t.exp().ln_1p(), t.exp() / (T::ONE + t.exp()))
                    };
                    value += wi * log1pexp;
                    *gi = -wi * yi * sigma;
                }
            }
            Loss::MultiLogistic => {
                let classes = u.len() / m;
                for i in 0..m {
                    let c = self.y[i].to_f64() as usize;
                    let top = (0..classes).fold(-T::MAX, |a, r| a.max(u[r * m + i]));
                    let total = (0..classes).fold(T::ZERO, |a, r| a + (u[r * m + i] - top).exp());
                    value += self.weight[i] * (top + total.ln() - u[c * m + i]);
                    for r in 0..classes {
                        let pr = (u[r * m + i] - top).exp() / total;
                        g[r * m + i] = self.weight[i] * (pr - if r == c { T::ONE } else { T::ZERO });
                    }
                }
            }
        }
        value
    }
}

/// Solves `argmin_W loss(y, XW) + ψ(W)` for each column `y` of `y` (m × n),
/// `x` the design (m × p), from `w0` (p × n, or p × Nn for
/// [`Loss::MultiLogistic`]: a block of `N` columns per column of `y`), by
/// FISTA with the step `1/L`, `L` an upper bound on the loss's gradient's
/// Lipschitz constant known in closed form (`‖X‖₂²` times the loss's
/// curvature bound: 1 for the squares, `max ω·y²/4` for the logistic ones,
/// `1/(2m)` for the multi-class one). Settings, stops and the result as
/// [`fista_square`] (to which the square loss goes).
pub fn fista_loss<T: Real>(
    x: MatRef<'_, T>,
    y: MatRef<'_, T>,
    w0: MatRef<'_, T>,
    loss: Loss,
    s: &FistaFlat<T>,
) -> Result<(Mat<T>, Vec<usize>)> {
    if loss == Loss::Square {
        return fista_square(x, y, w0, s);
    }
    let (m, p, n) = (x.nrows(), x.ncols(), y.ncols());
    if y.nrows() != m {
        return Err(Error::DimensionMismatch { what: "Y rows (the design's rows)", expected: m, got: y.nrows() });
    }
    let width = if loss == Loss::MultiLogistic { w0.ncols().checked_div(n).unwrap_or(0) } else { 1 };
    if w0.nrows() != p || w0.ncols() != width * n || (loss == Loss::MultiLogistic && width < 2) {
        return Err(Error::DimensionMismatch {
            what: "W0 shape (n_coefficients × n_columns, times the classes for the multi-class loss)",
            expected: p * n * width.max(1),
            got: w0.nrows() * w0.ncols(),
        });
    }
    if !(s.tol >= 0.0) {
        return Err(invalid("tol", format!("must be ≥ 0, got {}", s.tol)));
    }
    s.regularizer.check()?;
    if let Some(j) = (0..p).find(|&j| (0..m).any(|i| !x[(i, j)].is_finite())) {
        return Err(Error::NonFiniteAtom { atom: j });
    }
    let target_ok = |v: T| match loss {
        Loss::SquareMissing => v.is_finite() || v.is_nan(),
        Loss::MultiLogistic => v.is_finite() && v >= T::ZERO && v.to_f64().fract() == 0.0 && v.to_f64() < width as f64,
        _ => v.is_finite(),
    };
    if let Some(j) =
        (0..n).find(|&j| (0..m).any(|i| !target_ok(y[(i, j)])) || (0..p * width).any(|i| !w0[(i % p, j * width + i / p)].is_finite()))
    {
        return match loss {
            Loss::MultiLogistic => Err(invalid(
                "Y",
                format!("column {j}: the multi-class loss needs class labels in 0..{width} (W0 has {width} columns per column of Y)"),
            )),
            _ => Err(Error::NonFiniteSignal { sample: j }),
        };
    }
    let (free, members) = group_members(&s.regularizer, p, s.groups.as_deref(), s.intercept)?;
    let spectral = spectral_norm_sq(gram(x, Par::rayon(0)).as_ref()).unwrap_or(T::ZERO);
    let columns: Vec<(Vec<T>, usize)> = (0..n)
        .into_par_iter()
        .map_init(Scratch::default, |scratch, j| {
            let yj: Vec<T> = (0..m).map(|i| y[(i, j)]).collect();
            let column = ColumnLoss::new(loss, &yj);
            let curvature = match loss {
                Loss::SquareMissing => T::ONE,
                Loss::MultiLogistic => column.weight[0] / T::from_f64(2.0),
                _ => yj.iter().zip(&column.weight).fold(T::ZERO, |a, (&v, &w)| a.max(w * v * v)) / T::from_f64(4.0),
            };
            let lip = spectral * curvature;
            let lip = if lip > T::ZERO { lip } else { T::ONE };
            let step = s.regularizer.scaled(T::ONE / lip);
            let len = p * width;
            let mut w: Vec<T> = (0..len).map(|i| w0[(i % p, j * width + i / p)]).collect();
            let (mut z, mut grad, mut prev) = (vec![T::ZERO; len], vec![T::ZERO; len], vec![T::ZERO; len]);
            let (mut u, mut g) = (vec![T::ZERO; m * width], vec![T::ZERO; m * width]);
            let gradient = |zv: &[T], out: &mut [T]| {
                matmul(
                    MatMut::from_column_major_slice_mut(&mut u, m, width),
                    Accum::Replace,
                    x,
                    MatRef::from_column_major_slice(zv, p, width),
                    T::ONE,
                    Par::Seq,
                );
                column.eval(&u, &mut g);
                matmul(
                    MatMut::from_column_major_slice_mut(out, p, width),
                    Accum::Replace,
                    x.transpose(),
                    MatRef::from_column_major_slice(&g, m, width),
                    T::ONE,
                    Par::Seq,
                );
            };
            let prox = |wv: &mut [T]| {
                for block in wv.chunks_exact_mut(p) {
                    step.prox(&mut block[..free], &members, s.positive, scratch);
                }
            };
            let steps = iterate(&mut w, (&mut z, &mut grad, &mut prev), lip, s, gradient, prox);
            (w, steps)
        })
        .collect();
    let mut out = Mat::<T>::zeros(p, n * width);
    let mut counts = Vec::with_capacity(n);
    for (j, (w, steps)) in columns.into_iter().enumerate() {
        for (i, v) in w.into_iter().enumerate() {
            out[(i % p, j * width + i / p)] = v;
        }
        counts.push(steps);
    }
    Ok((out, counts))
}

/// The objective `loss(y, XW) + ψ(W)` of each column of `y` at `w` (as
/// [`fista_loss`] reads them).
pub fn loss_objectives<T: Real>(x: MatRef<'_, T>, y: MatRef<'_, T>, w: MatRef<'_, T>, loss: Loss, s: &FistaFlat<T>) -> Result<Vec<T>> {
    let (m, p, n) = (x.nrows(), x.ncols(), y.ncols());
    let width = if loss == Loss::MultiLogistic && n > 0 { w.ncols() / n } else { 1 };
    if y.nrows() != m || w.nrows() != p || w.ncols() != width * n {
        return Err(Error::DimensionMismatch { what: "W shape", expected: p * n * width, got: w.nrows() * w.ncols() });
    }
    let (free, members) = group_members(&s.regularizer, p, s.groups.as_deref(), s.intercept)?;
    let mut u = Mat::<T>::zeros(m, width * n);
    matmul(u.as_mut(), Accum::Replace, x, w, T::ONE, Par::rayon(0));
    Ok((0..n)
        .map(|j| {
            let yj: Vec<T> = (0..m).map(|i| y[(i, j)]).collect();
            let uj: Vec<T> = (0..m * width).map(|k| u[(k % m, j * width + k / m)]).collect();
            let mut g = vec![T::ZERO; m * width];
            let value = ColumnLoss::new(loss, &yj).eval(&uj, &mut g);
            let reg = (0..width).fold(T::ZERO, |a, r| {
                let col: Vec<T> = (0..free).map(|i| w[(i, j * width + r)]).collect();
                a + s.regularizer.value(&col, &members)
            });
            value + reg
        })
        .collect())
}

/// Refuses a design, targets and start of inconsistent shapes or with
/// values that are not finite, and a negative `tol`.
fn check_square<T: Real>(x: MatRef<'_, T>, y: MatRef<'_, T>, w0: MatRef<'_, T>, s: &FistaFlat<T>) -> Result<()> {
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
    for (what, mat) in [(0, x), (1, y), (2, w0)] {
        if let Some(j) = (0..mat.ncols()).find(|&j| (0..mat.nrows()).any(|i| !mat[(i, j)].is_finite())) {
            return Err(if what == 0 { Error::NonFiniteAtom { atom: j } } else { Error::NonFiniteSignal { sample: j } });
        }
    }
    Ok(())
}

/// `argmin_W ½‖Y − XW‖²_F + ψ(W)` for a regulariser of the whole matrix
/// (SPAMS's `fistaFlat` with `l1l2` … `rank-vec`): FISTA in Gram form on
/// every column at once (`G W − XᵀY`, the step `1/‖X‖₂²`), with the
/// settings of `s` (`positive`, `intercept`, `max_iter`, `tol`, `ista`;
/// its vector regulariser unused). Returns `W` (p × n) and the step count.
pub fn fista_matrix<T: Real>(
    x: MatRef<'_, T>,
    y: MatRef<'_, T>,
    w0: MatRef<'_, T>,
    regularizer: &MatrixRegularizer<T>,
    s: &FistaFlat<T>,
) -> Result<(Mat<T>, usize)> {
    let (p, n) = (x.ncols(), y.ncols());
    check_square(x, y, w0, s)?;
    regularizer.check(s.positive)?;
    let g = gram(x, Par::rayon(0));
    let mut b = Mat::<T>::zeros(p, n);
    dtx_into(x, y, b.as_mut(), Par::rayon(0));
    let lip = spectral_norm_sq(g.as_ref()).unwrap_or(T::ZERO);
    let lip = if lip > T::ZERO { lip } else { T::ONE };
    let step = regularizer.scaled(T::ONE / lip);
    let free = if s.intercept { p.saturating_sub(1) } else { p };
    let mut w: Vec<T> = (0..p * n).map(|k| w0[(k % p, k / p)]).collect();
    let (mut z, mut grad, mut prev) = (vec![T::ZERO; p * n], vec![T::ZERO; p * n], vec![T::ZERO; p * n]);
    let mut failed = None;
    let gradient = |zv: &[T], out: &mut [T]| {
        let mut o = MatMut::from_column_major_slice_mut(out, p, n);
        o.copy_from(b.as_ref());
        matmul(o, Accum::Add, g.as_ref(), MatRef::from_column_major_slice(zv, p, n), -T::ONE, Par::rayon(0));
        // out = B − G z: its negation is the gradient G z − B.
        out.iter_mut().for_each(|v| *v = -*v);
    };
    let prox = |wv: &mut [T]| {
        let m = MatMut::from_column_major_slice_mut(wv, p, n);
        if let Err(e) = step.prox(m.subrows_mut(0, free), s.positive) {
            failed = Some(e);
        }
    };
    let steps = iterate(&mut w, (&mut z, &mut grad, &mut prev), lip, s, gradient, prox);
    if let Some(e) = failed {
        return Err(e);
    }
    Ok((Mat::from_fn(p, n, |i, j| w[j * p + i]), steps))
}

/// FISTA (ISTA with `s.ista`) from `w`, in place: `gradient(z, out)`
/// writes the smooth part's gradient at `z`, `prox(v)` applies the
/// regulariser's prox (at step `1/lip`) in place. Stops when a step moves
/// `w` by at most `s.tol` relative to its size, or after `s.max_iter`
/// steps; the momentum restarts whenever it points against the last step.
/// `bufs` are `w`'s length. Returns the steps taken.
fn iterate<T: Real>(
    w: &mut [T],
    bufs: (&mut [T], &mut [T], &mut [T]),
    lip: T,
    s: &FistaFlat<T>,
    mut gradient: impl FnMut(&[T], &mut [T]),
    mut prox: impl FnMut(&mut [T]),
) -> usize {
    let (z, grad, prev) = bufs;
    let tol = T::from_f64(s.tol);
    z.copy_from_slice(w);
    let mut t = T::ONE;
    let mut steps = 0;
    while steps < s.max_iter {
        steps += 1;
        gradient(z, grad);
        prev.copy_from_slice(w);
        for ((wi, &zi), &gi) in w.iter_mut().zip(z.iter()).zip(grad.iter()) {
            *wi = zi - gi / lip;
        }
        prox(w);
        let (mut moved, mut size) = (T::ZERO, T::ZERO);
        for (&a, &c) in w.iter().zip(prev.iter()) {
            moved = moved.max((a - c).abs());
            size = size.max(a.abs());
        }
        if moved <= tol * size.max(T::EPSILON) {
            break;
        }
        if s.ista {
            z.copy_from_slice(w);
            continue;
        }
        // Restart when the momentum points against the step.
        let against = z.iter().zip(w.iter()).zip(prev.iter()).fold(T::ZERO, |acc, ((&zi, &wi), &pi)| acc + (zi - wi) * (wi - pi));
        if against > T::ZERO {
            t = T::ONE;
        }
        let t_next = (T::ONE + (T::ONE + T::from_f64(4.0) * t * t).sqrt()) / T::from_f64(2.0);
        let beta = (t - T::ONE) / t_next;
        for ((zi, &wi), &pi) in z.iter_mut().zip(w.iter()).zip(prev.iter()) {
            *zi = wi + beta * (wi - pi);
        }
        t = t_next;
    }
    steps
}

/// SPAMS's `optim_info` for solutions `w` (p × n) of [`fista_square`]
/// with settings `s`: a 4 × n matrix whose column `j` holds the objective
/// `P = ½‖y − Xw‖² + ψ(w)`, a lower bound `D` on the optimum (the dual
/// objective `⟨y, θ⟩ − ½‖θ‖² − ψ*(Xᵀθ)` at the residual `θ = y − Xw`,
/// scaled into `ψ*`'s domain by [`Regularizer::conjugate`]), the relative
/// duality gap `(P − D) / P`, and the step count `steps[j]`. Where no
/// conjugate is written (see there), with an intercept, and for the losses
/// other than the square (whose objective is [`loss_objectives`]'), the
/// bound and the gap are −1, as SPAMS gives them where it has none.
pub fn optim_info<T: Real>(
    x: MatRef<'_, T>,
    y: MatRef<'_, T>,
    w: MatRef<'_, T>,
    loss: Loss,
    s: &FistaFlat<T>,
    steps: &[usize],
) -> Result<Mat<T>> {
    let (m, p, n) = (x.nrows(), x.ncols(), y.ncols());
    if loss != Loss::Square {
        let objectives = loss_objectives(x, y, w, loss, s)?;
        if steps.len() != n {
            return Err(Error::DimensionMismatch { what: "step counts", expected: n, got: steps.len() });
        }
        return Ok(Mat::from_fn(4, n, |r, j| match r {
            0 => objectives[j],
            3 => T::from_f64(steps[j] as f64),
            _ => -T::ONE,
        }));
    }
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
