//! OMP from the Gram matrix and the correlations alone (scikit-learn's
//! `orthogonal_mp_gram`): the Batch-OMP of `omp.rs` needs nothing else, so
//! no equivalent problem in the signal space is built.

use faer::MatRef;
use rayon::prelude::*;
use sc_linalg::Real;

use crate::algorithm::default_omp_nonzero;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};
use crate::omp::{GramColumns, OmpRule, omp_one};
use crate::workspace::{CodeSink, Workspace};
use sc_linalg::IncrementalCholesky;

/// A Gram matrix held column by column.
pub(crate) struct Columns<'a, T> {
    /// The matrix, column-major (n × n).
    pub values: &'a [T],
    /// Its order.
    pub n: usize,
}

/// Targets per parallel task (codes do not depend on it).
const CHUNK: usize = 64;

/// One task's codes: each target's end in the task's arrays, the atoms, the
/// values, and how many targets stopped short.
type Chunk<T> = (Vec<usize>, Vec<u32>, Vec<T>, usize);

impl<T: Real> GramColumns<T> for Columns<'_, T> {
    fn column(&mut self, j: usize) -> &[T] {
        &self.values[j * self.n..(j + 1) * self.n]
    }

    fn combination(&mut self, idx: &[usize], coef: &[T], out: &mut [T]) {
        sc_linalg::kernels::combination(self.values, self.n, idx, coef, out)
    }
}

/// OMP codes of the targets whose correlations with the atoms are the
/// columns of `xy` (n_atoms × n_targets), given the atoms' Gram matrix
/// `gram` (n_atoms × n_atoms): `n_nonzero` atoms each (`None`:
/// [`default_omp_nonzero`] of the Gram matrix's size), or, with the goal `tol`,
/// as many as bring the squared residual `‖y‖² − …` to `tol` at most, which
/// needs the targets' squared norms `norms_sq` (a target already within the
/// goal gets no atom). scikit-learn's `orthogonal_mp_gram`.
pub fn omp_gram<T: Real>(
    gram: MatRef<'_, T>,
    xy: MatRef<'_, T>,
    norms_sq: Option<&[T]>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
) -> Result<SparseCodes<T>> {
    let Problem { values, b, k, n, max_k, tol, norms } = checked(gram, xy, norms_sq, n_nonzero, tol)?;
    // Chunks of targets in parallel, each with its own workspace.
    let parts: Vec<Chunk<T>> = (0..n.div_ceil(CHUNK))
        .into_par_iter()
        .map(|c| {
            let mut grams = Columns { values: &values, n: k };
            let mut ws = Workspace::new(k, max_k);
            let (mut ends, mut indices, mut vals, mut short) = (Vec::with_capacity(CHUNK), Vec::new(), Vec::new(), 0);
            for s in c * CHUNK..((c + 1) * CHUNK).min(n) {
                if tol.is_none_or(|t| norms[s] > t) {
                    let mut sink = CodeSink { indices: &mut indices, values: &mut vals };
                    if !omp_one(
                        k,
                        &mut grams,
                        &b[s * k..(s + 1) * k],
                        norms[s],
                        OmpRule { max_k, tol, penalty: None, forward: false },
                        &mut ws,
                        &mut sink,
                    ) {
                        short += 1;
                    }
                }
                ends.push(indices.len());
            }
            (ends, indices, vals, short)
        })
        .collect();
    let (mut indptr, mut indices, mut vals) = (vec![0usize], Vec::new(), Vec::new());
    let mut short = 0;
    for (ends, idx, val, s) in parts {
        let base = indices.len();
        indptr.extend(ends.iter().map(|e| base + e));
        indices.extend(idx);
        vals.extend(val);
        short += s;
    }
    Ok(SparseCodes::from_parts_unchecked(k, indptr, indices, vals).with_unconverged(short))
}

/// A checked Gram problem: the Gram matrix and the correlations as
/// column-major values, the sizes, the atom cap, the goal and the norms.
struct Problem<T> {
    values: Vec<T>,
    b: Vec<T>,
    k: usize,
    pub n: usize,
    max_k: usize,
    tol: Option<T>,
    norms: Vec<T>,
}

/// Checks `omp_gram`'s arguments once for both of its forms.
fn checked<T: Real>(
    gram: MatRef<'_, T>,
    xy: MatRef<'_, T>,
    norms_sq: Option<&[T]>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
) -> Result<Problem<T>> {
    let (k, n) = (gram.nrows(), xy.ncols());
    if gram.ncols() != k {
        return Err(Error::DimensionMismatch { what: "Gram matrix columns", expected: k, got: gram.ncols() });
    }
    if xy.nrows() != k {
        return Err(Error::DimensionMismatch { what: "Xy rows (n_atoms)", expected: k, got: xy.nrows() });
    }
    let values: Vec<T> = (0..k).flat_map(|j| (0..k).map(move |i| gram[(i, j)])).collect();
    if !values.iter().all(|v| v.is_finite()) {
        return Err(invalid("gram", "holds a value that is not finite"));
    }
    let b: Vec<T> = (0..n).flat_map(|s| (0..k).map(move |i| xy[(i, s)])).collect();
    if !b.iter().all(|v| v.is_finite()) {
        return Err(Error::NonFiniteSignal { sample: b.iter().position(|v| !v.is_finite()).unwrap_or(0) / k.max(1) });
    }
    let (max_k, tol, norms) = match tol {
        Some(t) => {
            if !(t >= 0.0 && t.is_finite()) {
                return Err(invalid("tol", format!("must be finite and ≥ 0, got {t}")));
            }
            let norms = norms_sq.ok_or_else(|| invalid("norms_squared", "a goal tol needs the targets' squared norms"))?;
            if norms.len() != n {
                return Err(Error::DimensionMismatch { what: "norms_squared (n_targets)", expected: n, got: norms.len() });
            }
            (k, Some(T::from_f64(t)), norms.to_vec())
        }
        None => {
            let m = n_nonzero.unwrap_or(default_omp_nonzero(k));
            if m == 0 || m > k {
                return Err(invalid("n_nonzero", format!("must be between 1 and the number of atoms ({k}), got {m}")));
            }
            (m, None, vec![T::ZERO; n])
        }
    };
    Ok(Problem { values, b, k, n, max_k, tol, norms })
}

/// One target's OMP path (scikit-learn's `return_path`): the atoms in the
/// order they were chosen, and the least-squares coefficients after each
/// step, packed: step `s` (from 0) holds `s + 1` coefficients, of the first
/// `s + 1` chosen atoms in that order.
#[derive(Debug, Clone, PartialEq)]
pub struct OmpPath<T> {
    /// The chosen atoms, in order.
    pub atoms: Vec<u32>,
    /// The coefficients after each step, packed.
    pub coefs: Vec<T>,
}

/// As [`omp_gram`], the whole path of every target: the coefficients after
/// each atom joins (each step's least-squares fit on the atoms chosen so
/// far). The last step's coefficients are [`omp_gram`]'s code. Also returns
/// how many targets stopped short of their count or goal.
pub fn omp_gram_path<T: Real>(
    gram: MatRef<'_, T>,
    xy: MatRef<'_, T>,
    norms_sq: Option<&[T]>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
) -> Result<(Vec<OmpPath<T>>, usize)> {
    let Problem { values, b, k, n, max_k, tol, norms } = checked(gram, xy, norms_sq, n_nonzero, tol)?;
    let mut grams = Columns { values: &values, n: k };
    let mut ws = Workspace::new(k, max_k);
    let (mut scratch_i, mut scratch_v) = (Vec::new(), Vec::new());
    let mut paths = Vec::with_capacity(n);
    let mut short = 0;
    for s in 0..n {
        let bs = &b[s * k..(s + 1) * k];
        ws.active.clear();
        if tol.is_none_or(|t| norms[s] > t) {
            scratch_i.clear();
            scratch_v.clear();
            let mut sink = CodeSink { indices: &mut scratch_i, values: &mut scratch_v };
            if !omp_one(k, &mut grams, bs, norms[s], OmpRule { max_k, tol, penalty: None, forward: false }, &mut ws, &mut sink) {
                short += 1;
            }
        }
        // Each prefix of the chosen atoms, solved on its own factor.
        let atoms = ws.active.clone();
        let mut chol = IncrementalCholesky::<T>::with_capacity(atoms.len());
        let mut coefs = Vec::with_capacity(atoms.len() * (atoms.len() + 1) / 2);
        let mut row = Vec::with_capacity(atoms.len());
        for (step, &j) in atoms.iter().enumerate() {
            let col = grams.column(j);
            row.clear();
            row.extend(atoms[..step].iter().map(|&i| col[i]));
            if chol.push(&row, col[j]).is_err() {
                break;
            }
            let start = coefs.len();
            coefs.extend(atoms[..=step].iter().map(|&i| bs[i]));
            chol.solve_in_place(&mut coefs[start..]);
        }
        let kept = chol.len();
        paths.push(OmpPath { atoms: atoms[..kept].iter().map(|&i| i as u32).collect(), coefs });
    }
    Ok((paths, short))
}

#[cfg(test)]
mod tests {
    use super::*;
    use faer::Mat;

    /// Each step of the path is the least-squares fit on the atoms chosen
    /// so far (`G_PP c = b_P`), and the last step is `omp_gram`'s code.
    #[test]
    fn the_path_is_the_least_squares_fit_of_each_prefix() {
        let d = Mat::<f64>::from_fn(12, 9, |i, j| (((i * 9 + j) * 7919 % 101) as f64 / 50.0 - 1.0).powi(3));
        let y = Mat::<f64>::from_fn(12, 3, |i, s| ((i * 3 + s) * 4099 % 97) as f64 / 48.0 - 1.0);
        let (g, xy) = (d.transpose() * &d, d.transpose() * &y);
        let (paths, short) = omp_gram_path(g.as_ref(), xy.as_ref(), None, Some(5), None).unwrap();
        let codes = omp_gram(g.as_ref(), xy.as_ref(), None, Some(5), None).unwrap();
        assert_eq!(short, 0);
        for (s, path) in paths.iter().enumerate() {
            assert_eq!(path.atoms.len(), 5);
            let mut at = 0;
            for step in 1..=5 {
                let (p, c) = (&path.atoms[..step], &path.coefs[at..at + step]);
                for &i in p {
                    let fit: f64 = p.iter().zip(c).map(|(&j, &cj)| g[(i as usize, j as usize)] * cj).sum();
                    assert!((fit - xy[(i as usize, s)]).abs() < 1e-10);
                }
                at += step;
            }
            let (idx, val) = codes.code(s);
            let last = &path.coefs[at - 5..];
            for (&i, &v) in idx.iter().zip(val) {
                let q = path.atoms.iter().position(|&a| a == i).unwrap();
                assert!((last[q] - v).abs() < 1e-12);
            }
        }
    }
}
