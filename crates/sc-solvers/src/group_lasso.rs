//! The group Lasso over groups of signals ([`GroupLasso`]): the convex form
//! of simultaneous sparse coding (SPAMS's `l1L2BCD`; the ℓ1,2 penalty of
//! LSSC, Mairal, Bach, Ponce, Sapiro & Zisserman, ICCV 2009). For a group
//! `X_g` of `m` signals it solves
//!
//! `min_A ½‖X_g − D A‖²_F + λ Σ_j ‖A_{j,·}‖₂`,
//!
//! so that an atom is used by every signal of the group or by none.
//!
//! Block coordinate descent over the atoms' rows, each a closed form (the
//! group soft-threshold of `r_j = B_j − Σ_{l≠j} G_jl A_l` over `G_jj`), on
//! a working set: start from `A = 0`, add the atoms that most violate the
//! optimality condition `‖(B − G A)_j‖₂ ≤ λ` for an unused atom (at most as
//! many as are in the set, and at least 4), sweep the
//! active rows until no coefficient moves by more than `tol` (relative to
//! the largest), drop the rows that went to zero, and repeat until no atom
//! violates the condition. Works from `B = Dᵀ X_g` and the Gram matrix.

use faer::MatRef;
use sc_linalg::Real;

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};
use crate::somp::{assemble, code_groups, group_bounds};

/// The group Lasso's parameters.
///
/// ```
/// use faer::Mat;
/// use sc_solvers::{Dictionary, GroupLasso};
///
/// let d = Mat::<f64>::from_fn(6, 10, |i, j| ((i * 10 + j) as f64 * 0.9).sin());
/// let dict = Dictionary::new(d.as_ref()).unwrap();
/// let x = Mat::<f64>::from_fn(6, 3, |i, s| (s + 1) as f64 * d[(i, 2)] / dict.atom_norms()[2]);
/// // A penalty above every atom's correlation norm: no atom is used.
/// let codes = GroupLasso::new(100.0).encode(&dict, x.as_ref(), &[0]).unwrap();
/// assert_eq!(codes.nnz(), 0);
/// // A small one: the three signals share their atoms.
/// let codes = GroupLasso::new(0.01).encode(&dict, x.as_ref(), &[0]).unwrap();
/// assert_eq!(codes.code(0).0, codes.code(2).0);
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GroupLasso {
    /// The penalty `λ` on each atom's row of coefficients (unscaled, as
    /// scikit-learn's `alpha` and SPAMS's `lambda1`).
    pub lambda: f64,
    /// Sweeps over the active atoms at most, per growth of the active set,
    /// and growths at most (1000).
    pub max_iter: usize,
    /// A sweep that moves no coefficient by more than `tol` times the
    /// largest ends the inner loop; an unused atom violates the optimality
    /// condition when `‖(B − G A)_j‖₂ > λ·(1 + tol)` (1e-6).
    pub tol: f64,
}

impl GroupLasso {
    /// The penalty `lambda`, 1000 iterations, tolerance 1e-6.
    pub fn new(lambda: f64) -> Self {
        Self { lambda, max_iter: 1000, tol: 1e-6 }
    }

    /// Codes the columns of `x` (n_features × n_samples) in groups, as
    /// [`Somp::encode`](crate::Somp::encode) takes them: group `g` holds the
    /// signals `starts[g]..starts[g + 1]`. Every signal of a group gets the
    /// group's support. Groups are coded in parallel; the codes do not
    /// depend on the thread count.
    pub fn encode<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, starts: &[usize]) -> Result<SparseCodes<T>> {
        let nf = dict.n_features();
        if x.nrows() != nf {
            return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: nf, got: x.nrows() });
        }
        if !(self.lambda >= 0.0 && self.lambda.is_finite()) {
            return Err(invalid("lambda", format!("must be finite and ≥ 0, got {}", self.lambda)));
        }
        if self.max_iter == 0 {
            return Err(invalid("max_iter", "must be at least 1"));
        }
        if !(self.tol >= 0.0 && self.tol.is_finite()) {
            return Err(invalid("tol", format!("must be finite and ≥ 0, got {}", self.tol)));
        }
        let bounds = group_bounds(x, starts)?;
        let groups = code_groups(
            dict,
            x,
            &bounds,
            || (),
            #[inline(always)]
            |_, xg, b, out| self.group(dict, xg, b, out),
        );
        assemble(dict.n_atoms(), &bounds, groups)
    }

    /// Codes one group `xg` (n_features × m): writes its support and its
    /// coefficients, signal by signal (`m × k`).
    #[inline(always)]
    fn group<T: Real>(&self, dict: &Dictionary<T>, xg: MatRef<'_, T>, b: &[T], out: &mut (Vec<u32>, Vec<T>)) {
        let (n, m) = (dict.n_atoms(), xg.ncols());
        let gram = dict.gram();
        let (lambda, tol) = (T::from_f64(self.lambda), T::from_f64(self.tol));
        let norm = |v: &[T]| v.iter().fold(T::ZERO, |a, &x| a + x * x).sqrt();
        // The active atoms and their rows (a[t·m + s]); c = B − G A.
        let (mut active, mut a): (Vec<usize>, Vec<T>) = (Vec::new(), Vec::new());
        let mut in_active = vec![false; n];
        let mut c = vec![T::ZERO; n * m];
        let (mut r, mut delta) = (vec![T::ZERO; m], vec![T::ZERO; m]);
        let mut violators: Vec<(T, usize)> = Vec::new();
        for _ in 0..self.max_iter {
            // c for every atom, from the active rows.
            c.copy_from_slice(b);
            for (t, &j) in active.iter().enumerate() {
                let row = &a[t * m..(t + 1) * m];
                for (i, ci) in c.chunks_exact_mut(m).enumerate() {
                    let g = gram[j * n + i];
                    ci.iter_mut().zip(row).for_each(|(v, &x)| *v -= g * x);
                }
            }
            violators.clear();
            for j in 0..n {
                if !in_active[j] && gram[j * n + j] > T::ZERO {
                    let v = norm(&c[j * m..(j + 1) * m]);
                    if v > lambda * (T::ONE + tol) {
                        violators.push((v, j));
                    }
                }
            }
            if violators.is_empty() {
                break;
            }
            // The working set grows by the strongest violators, at most as
            // many as it holds (and at least 4): adding every violator at
            // once makes the sweeps slow on coherent dictionaries, where
            // most of them would leave again.
            let grow = active.len().max(4);
            if violators.len() > grow {
                violators.select_nth_unstable_by(grow - 1, |x, y| y.0.partial_cmp(&x.0).unwrap_or(std::cmp::Ordering::Equal));
                violators.truncate(grow);
            }
            // In atom order, so that the result does not depend on the selection's order.
            violators.sort_unstable_by_key(|&(_, j)| j);
            for &(_, j) in &violators {
                active.push(j);
                in_active[j] = true;
                a.extend(std::iter::repeat_n(T::ZERO, m));
            }
            // Sweeps over the active rows; c is kept for the active atoms only.
            for _ in 0..self.max_iter {
                let (mut moved, mut largest) = (T::ZERO, T::ZERO);
                for t in 0..active.len() {
                    let j = active[t];
                    let gjj = gram[j * n + j];
                    // r = c_j + G_jj·A_j: the correlation without atom j's own part.
                    for s in 0..m {
                        r[s] = c[j * m + s] + gjj * a[t * m + s];
                    }
                    let rn = norm(&r);
                    let shrink = if rn > lambda { (T::ONE - lambda / rn) / gjj } else { T::ZERO };
                    let mut any = false;
                    for s in 0..m {
                        delta[s] = shrink * r[s] - a[t * m + s];
                        a[t * m + s] += delta[s];
                        largest = largest.max(a[t * m + s].abs());
                        moved = moved.max(delta[s].abs());
                        any |= delta[s] != T::ZERO;
                    }
                    if any {
                        let gj = &gram[j * n..(j + 1) * n];
                        for &i in &active {
                            let g = gj[i];
                            c[i * m..(i + 1) * m].iter_mut().zip(&delta).for_each(|(v, &d)| *v -= g * d);
                        }
                    }
                }
                if moved <= tol * largest {
                    break;
                }
            }
            // Rows that went to zero leave the active set.
            let mut t = 0;
            while t < active.len() {
                if a[t * m..(t + 1) * m].iter().all(|&v| v == T::ZERO) {
                    in_active[active[t]] = false;
                    active.swap_remove(t);
                    let last = a.len() - m;
                    a.copy_within(last.., t * m);
                    a.truncate(last);
                } else {
                    t += 1;
                }
            }
        }
        let (support, coefs) = out;
        let k = active.len();
        support.extend(active.iter().map(|&j| j as u32));
        coefs.resize(m * k, T::ZERO);
        for s in 0..m {
            for t in 0..k {
                coefs[s * k + t] = a[t * m + s];
            }
        }
    }
}
