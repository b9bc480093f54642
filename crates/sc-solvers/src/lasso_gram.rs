//! The LARS homotopies from the Gram matrix and the correlations alone
//! ([`Encoder::encode_gram`], SPAMS's `lasso` with `Q` and `q`): the
//! homotopy reads nothing else but the signals' squared norms (for a
//! residual goal), so no equivalent problem in the signal space is built.

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::Real;

use crate::codes::SparseCodes;
use crate::encoder::Encoder;
use crate::error::{Error, Result, invalid};
use crate::lars::{LarsMode, lars_one};
use crate::omp_gram::Columns;
use crate::plan::{Plan, params};
use crate::workspace::{CodeSink, Workspace};

impl Encoder {
    /// Codes the targets whose correlations with the atoms are the columns
    /// of `xy` (n_atoms × n_targets), given the atoms' Gram matrix `gram`
    /// (n_atoms × n_atoms, symmetric positive semi-definite) and the
    /// targets' squared norms `norms_sq`, with this encoder's LARS
    /// homotopy (`lars`, `lasso_lars`, `lasso_goal` or `lasso_budget`):
    /// the codes [`Encoder::encode`] gives for `D`, `X` with `gram = DᵀD`,
    /// `xy = DᵀX`. The active set may grow to `n_atoms` (the Cholesky
    /// factor stops it at a dependent atom). Targets are coded in
    /// parallel; the codes do not depend on the thread count.
    ///
    /// ```
    /// use faer::Mat;
    /// use sc_solvers::{Dictionary, Encoder};
    ///
    /// let d = Mat::<f64>::from_fn(6, 10, |i, j| ((i * 10 + j) as f64 * 0.9).sin());
    /// let x = Mat::<f64>::from_fn(6, 2, |i, s| ((i + 3 * s) as f64).cos());
    /// let enc = Encoder::lasso_lars(0.1);
    /// let direct = enc.encode(&Dictionary::new(d.as_ref()).unwrap(), x.as_ref()).unwrap();
    /// let norms: Vec<f64> = (0..2).map(|s| (0..6).map(|i| x[(i, s)] * x[(i, s)]).sum()).collect();
    /// let gram = enc.encode_gram((d.transpose() * &d).as_ref(), (d.transpose() * &x).as_ref(), &norms).unwrap();
    /// assert_eq!(direct.code(1).0, gram.code(1).0);
    /// ```
    pub fn encode_gram<T: Real>(&self, gram: MatRef<'_, T>, xy: MatRef<'_, T>, norms_sq: &[T]) -> Result<SparseCodes<T>> {
        let (k, n) = (gram.nrows(), xy.ncols());
        if gram.ncols() != k {
            return Err(Error::DimensionMismatch { what: "Gram matrix columns", expected: k, got: gram.ncols() });
        }
        if xy.nrows() != k {
            return Err(Error::DimensionMismatch { what: "correlation rows (n_atoms)", expected: k, got: xy.nrows() });
        }
        if norms_sq.len() != n {
            return Err(Error::DimensionMismatch { what: "squared norms (n_targets)", expected: n, got: norms_sq.len() });
        }
        let mode = match params(self.algorithm(), k, k, || Err::<T, _>(invalid("algorithm", "the Gram form has no step size")))? {
            Plan::Lars(mode) => mode,
            _ => return Err(invalid("algorithm", format!("the Gram form codes with a LARS homotopy, not {}", self.algorithm().name()))),
        };
        let values: Vec<T> = (0..k).flat_map(|j| (0..k).map(move |i| gram[(i, j)])).collect();
        if !values.iter().all(|v| v.is_finite()) {
            return Err(invalid("gram", "holds a value that is not finite"));
        }
        let b: Vec<T> = (0..n).flat_map(|s| (0..k).map(move |i| xy[(i, s)])).collect();
        if let Some(s) = (0..n).find(|&s| !norms_sq[s].is_finite() || !b[s * k..(s + 1) * k].iter().all(|v| v.is_finite())) {
            return Err(Error::NonFiniteSignal { sample: s });
        }
        let goal = match mode {
            LarsMode::Goal { eps, .. } => Some(eps),
            _ => None,
        };
        let chunk = self.chunk();
        let parts: Vec<(Vec<usize>, Vec<u32>, Vec<T>)> = self.install(|| {
            b.par_chunks(chunk * k)
                .zip(norms_sq.par_chunks(chunk))
                .map(|(bs, norms)| {
                    let mut grams = Columns { values: &values, n: k };
                    let mut ws = Workspace::new(k, k);
                    let (mut counts, mut indices, mut vals) = (Vec::with_capacity(norms.len()), Vec::new(), Vec::new());
                    for (s, &norm) in norms.iter().enumerate() {
                        let before = indices.len();
                        // A target already within a goal gets no atom.
                        if !goal.is_some_and(|g| norm <= g) {
                            let mut sink = CodeSink { indices: &mut indices, values: &mut vals };
                            lars_one(k, k, &mut grams, &bs[s * k..(s + 1) * k], norm, mode, None, &mut ws, &mut sink);
                        }
                        counts.push(indices.len() - before);
                    }
                    (counts, indices, vals)
                })
                .collect()
        })?;
        let (mut indptr, mut indices, mut vals) = (vec![0usize], Vec::new(), Vec::new());
        for (counts, idx, val) in parts {
            for c in counts {
                indptr.push(indptr.last().unwrap() + c);
            }
            indices.extend(idx);
            vals.extend(val);
        }
        Ok(SparseCodes::from_parts_unchecked(k, indptr, indices, vals))
    }
}
