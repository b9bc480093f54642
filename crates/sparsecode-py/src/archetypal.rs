//! `archetypal`: archetypal analysis (`sparsecode::dict::archetypal`,
//! SPAMS's `archetypalAnalysis`).

use numpy::{Element, PyReadonlyArray2};
use pyo3::prelude::*;
use sparsecode::dict::archetypal::{ArchetypalParams, archetypal_analysis};
use sparsecode::linalg::Real;

use crate::args::{array2, detach, on_threads, value_error, view, with_floats};
use crate::dense::DenseElement;
use crate::encode::csr_parts;

fn archetypal_t<T: DenseElement + Real + Element>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    params: &ArchetypalParams,
    init: Option<PyReadonlyArray2<'_, T>>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    let im = init.as_ref().map(view).transpose()?;
    let fit = detach(py, || on_threads(n_jobs, || archetypal_analysis(xm, params, im)))??.map_err(value_error)?;
    let (m, p) = (fit.z.nrows(), fit.z.ncols());
    let z: Vec<T> = (0..p).flat_map(|l| (0..m).map(move |i| (l, i))).map(|(l, i)| fit.z[(i, l)]).collect();
    let out = (array2(py, z, p, m)?, csr_parts(py, fit.a)?, csr_parts(py, fit.b)?, fit.objectives);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// Archetypal analysis of the rows of `x` `(n_samples, n_features)`:
/// `n_archetypes` archetypes, each a convex combination of the rows, and
/// each row a convex combination of the archetypes, in `iterations`
/// iterations (`None`: the library's), from `init` `(n_archetypes,
/// n_features)` or from rows (the first ones, or random ones with
/// `random_init`). Returns `(archetypes (n_archetypes, n_features), A, B,
/// objectives)`, A and B as CSR `(data, indices, indptr)`: A's rows the
/// samples' weights on the archetypes, B's rows the archetypes' weights on
/// the samples. With `robust` (its ε), the robust variant
/// (`sc_dict::archetypal::ArchetypalParams::robust`).
#[pyfunction]
#[pyo3(signature = (x, n_archetypes, iterations=None, random_init=false, seed=None, init=None, robust=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn archetypal(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    n_archetypes: usize,
    iterations: Option<usize>,
    random_init: bool,
    seed: Option<u64>,
    init: Option<&Bound<'_, PyAny>>,
    robust: Option<f64>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let base = ArchetypalParams::new(n_archetypes);
    let params = ArchetypalParams {
        iterations: iterations.unwrap_or(base.iterations),
        random_init,
        seed: seed.unwrap_or(base.seed),
        robust,
        ..base
    };
    with_floats!(x, |x| {
        let init = init.map(|i| i.extract()).transpose()?;
        archetypal_t(py, x, &params, init, n_jobs)
    })
}
