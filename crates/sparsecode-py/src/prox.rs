//! `project`: a projection or proximal step on every row of an array
//! (`sparsecode::solvers::prox`, SPAMS's `sparseProject`); `simplex`:
//! least squares on the simplex (SPAMS's `decompSimplex`); `regularize`:
//! the flat regularisers' proximal operators (SPAMS's `proximalFlat`);
//! `fista`: regularised least squares with them (its `fistaFlat`).

use numpy::{PyArray2, PyReadonlyArray2};
use pyo3::prelude::*;
use sparsecode::solvers::faer::{MatMut, MatRef};
use sparsecode::solvers::matrix_regularizer::{MatrixRegularizer, MatrixRegularizerName, prox_matrix};
use sparsecode::solvers::prox::{Projection, ProjectionName, project_columns};
use sparsecode::solvers::regularizer::{Regularizer, RegularizerName, column_values, prox_columns};
use sparsecode::solvers::{FistaFlat, Loss, fista_loss, fista_matrix, optim_info, simplex_codes};

use crate::args::{array2, detach, on_threads, parse, value_error, view, with_floats};
use crate::dense::DenseElement;
use crate::encode::csr_parts;

/// A copy of the rows of `u` changed in place by `f` (on the column-major
/// matrix whose columns they are), without the GIL, on `n_jobs` threads.
fn rows_changed<T: DenseElement, E: std::fmt::Display + Send>(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, T>,
    n_jobs: Option<usize>,
    f: impl FnOnce(MatMut<'_, T>) -> Result<(), E> + Send,
) -> PyResult<Py<PyAny>> {
    let um = view(&u)?;
    let (n, m) = (um.nrows(), um.ncols());
    let mut out: Vec<T> = Vec::with_capacity(n * m);
    for j in 0..m {
        match um.col(j).try_as_col_major() {
            Some(c) => out.extend_from_slice(c.as_slice()),
            None => out.extend((0..n).map(|i| um[(i, j)])),
        }
    }
    detach(py, || on_threads(n_jobs, || f(MatMut::from_column_major_slice_mut(&mut out, n, m))))??.map_err(value_error)?;
    let array = numpy::ndarray::Array2::from_shape_vec((m, n), out).map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))?;
    Ok(PyArray2::from_owned_array(py, array).into_any().unbind())
}

fn project_t<T: DenseElement>(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, T>,
    name: ProjectionName,
    weights: [f64; 4],
    positive: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let [radius, l1, l2, tv] = weights.map(T::from_f64);
    let projection = Projection::new(name, radius, l1, l2, tv);
    rows_changed(py, u, n_jobs, |m| project_columns(m, &projection, positive))
}

/// Projects each row of `u` `(n_vectors, n)` (a new array is returned) by
/// `projection` (a name of `PROJECTIONS`) with the weights `radius`, `l1`
/// (for `soft_l2_ball`, its penalty), `l2` and `tv`, adding `v ≥ 0` with
/// `positive` where it applies.
#[pyfunction]
#[pyo3(signature = (u, projection, radius, l1, l2, tv, positive=false, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn project(
    py: Python<'_>,
    u: &Bound<'_, PyAny>,
    projection: &str,
    radius: f64,
    l1: f64,
    l2: f64,
    tv: f64,
    positive: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let name = parse::<ProjectionName>(projection)?;
    with_floats!(u, |u| project_t(py, u, name, [radius, l1, l2, tv], positive, n_jobs))
}

fn simplex_t<T: DenseElement>(
    py: Python<'_>,
    z: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let (zm, xm) = (view(&z)?, view(&x)?);
    let codes = detach(py, || on_threads(n_jobs, || simplex_codes(zm, xm)))??.map_err(value_error)?;
    csr_parts(py, codes)
}

/// Codes each row of `x` `(n_samples, n_features)` as the convex
/// combination of the rows of `z` `(n_points, n_features)` nearest to it
/// (least squares on the simplex, SPAMS's `decompSimplex`). Returns the
/// CSR `(data, indices, indptr)` of the codes `(n_samples, n_points)`.
#[pyfunction]
#[pyo3(signature = (z, x, n_jobs=None))]
pub(crate) fn simplex(py: Python<'_>, z: &Bound<'_, PyAny>, x: &Bound<'_, PyAny>, n_jobs: Option<usize>) -> PyResult<Py<PyAny>> {
    with_floats!(x, |x| simplex_t(py, z.extract()?, x, n_jobs))
}

#[allow(clippy::too_many_arguments)]
fn regularize_t<T: DenseElement>(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, T>,
    name: RegularizerName,
    weights: [f64; 3],
    groups: Option<&[usize]>,
    positive: bool,
    intercept: bool,
    values: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let [l1, l2, l3] = weights.map(T::from_f64);
    let regularizer = Regularizer::new(name, l1, l2, l3);
    prox_rows(
        py,
        u,
        n_jobs,
        values,
        |m| prox_columns(m, &regularizer, groups, positive, intercept),
        |m| column_values(m, &regularizer, groups, intercept),
    )
}

/// [`rows_changed`] by a proximal operator `prox`; with `values`, also the
/// regulariser's `value` at the result, as `(points, values)`.
fn prox_rows<T: DenseElement>(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, T>,
    n_jobs: Option<usize>,
    values: bool,
    prox: impl FnOnce(MatMut<'_, T>) -> sparsecode::solvers::Result<()> + Send,
    value: impl FnOnce(MatRef<'_, T>) -> sparsecode::solvers::Result<Vec<T>> + Send,
) -> PyResult<Py<PyAny>> {
    let mut psi = None;
    let v = rows_changed(py, u, n_jobs, |mut m| {
        prox(m.as_mut())?;
        if values {
            psi = Some(value(m.as_ref())?);
        }
        Ok::<(), sparsecode::solvers::Error>(())
    })?;
    match psi {
        Some(psi) => Ok((v, psi.into_iter().map(|x| x.to_f64()).collect::<Vec<f64>>()).into_pyobject(py)?.into_any().unbind()),
        None => Ok(v),
    }
}

/// The proximal operator of `regularizer` (a name of `REGULARIZERS`, with
/// SPAMS's weights `lambda1`, `lambda2`, `lambda3`) at each row of `u`
/// `(n_vectors, n)` (a new array is returned); `groups` labels each of the
/// `n` entries (the group regularisers need it), `positive` adds `v ≥ 0`,
/// `intercept` leaves the last entry as it is. With `values`, returns also
/// the regulariser's value at each result, `ψ(v)`.
#[pyfunction]
#[pyo3(signature = (u, regularizer, lambda1, lambda2, lambda3, groups=None, positive=false, intercept=false, values=false, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn regularize(
    py: Python<'_>,
    u: &Bound<'_, PyAny>,
    regularizer: &str,
    lambda1: f64,
    lambda2: f64,
    lambda3: f64,
    groups: Option<Vec<usize>>,
    positive: bool,
    intercept: bool,
    values: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let name = parse::<RegularizerName>(regularizer)?;
    with_floats!(u, |u| regularize_t(py, u, name, [lambda1, lambda2, lambda3], groups.as_deref(), positive, intercept, values, n_jobs))
}

#[allow(clippy::too_many_arguments)]
fn fista_t<T: DenseElement>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    y: PyReadonlyArray2<'_, T>,
    w0: PyReadonlyArray2<'_, T>,
    name: RegularizerName,
    loss: Loss,
    weights: [f64; 3],
    settings: (Option<Vec<usize>>, bool, bool, usize, f64, bool),
    info: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let (xm, ym, wm) = (view(&x)?, view(&y)?, view(&w0)?);
    let [l1, l2, l3] = weights.map(T::from_f64);
    let (groups, positive, intercept, max_iter, tol, ista) = settings;
    let s = FistaFlat { regularizer: Regularizer::new(name, l1, l2, l3), groups, positive, intercept, max_iter, tol, ista };
    let solve = || -> sparsecode::solvers::Result<_> {
        let (w, steps) = fista_loss(xm, ym, wm, loss, &s)?;
        let figures = if info { Some(optim_info(xm, ym, w.as_ref(), loss, &s, &steps)?) } else { None };
        Ok((w, steps, figures))
    };
    let (w, steps, figures) = detach(py, || on_threads(n_jobs, solve))??.map_err(value_error)?;
    let (p, n) = (w.nrows(), w.ncols());
    let data: Vec<T> = (0..n).flat_map(|j| (0..p).map(move |i| (i, j))).map(|(i, j)| w[(i, j)]).collect();
    let w = array2(py, data, n, p)?;
    match figures {
        // (4, n): one row per figure.
        Some(f) => {
            let k = f.ncols();
            let rows: Vec<T> = (0..4).flat_map(|r| (0..k).map(move |j| (r, j))).map(|(r, j)| f[(r, j)]).collect();
            Ok((w, steps, array2(py, rows, 4, k)?).into_pyobject(py)?.into_any().unbind())
        }
        None => Ok((w, steps).into_pyobject(py)?.into_any().unbind()),
    }
}

/// Regularised least squares, `argmin_w ½‖y − Xw‖² + ψ(w)` for each row
/// `y` of `y` `(n, m)`, the design `x` given by its columns as rows
/// `(p, m)`, from the rows of `w0` `(n, p)`, by FISTA (ISTA with `ista`);
/// `regularizer` and its weights as in `regularize`. Returns the solutions
/// `(n, p)` and each row's step count, and with `info` SPAMS's optimisation
/// figures `(4, n)` (objective, dual bound, relative duality gap, steps:
/// `sc_solvers::optim_info`). `loss` is one of `LOSSES` (`sc_solvers::Loss`;
/// for `multi_logistic`, `w0` has a block of rows per row of `y`, one per
/// class).
#[pyfunction]
#[pyo3(signature = (x, y, w0, regularizer, lambda1, lambda2, lambda3, loss, groups=None, positive=false, intercept=false,
    max_iter=None, tol=None, ista=false, info=false, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fista(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    w0: &Bound<'_, PyAny>,
    regularizer: &str,
    lambda1: f64,
    lambda2: f64,
    lambda3: f64,
    loss: &str,
    groups: Option<Vec<usize>>,
    positive: bool,
    intercept: bool,
    max_iter: Option<usize>,
    tol: Option<f64>,
    ista: bool,
    info: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let name = parse::<RegularizerName>(regularizer)?;
    let loss = parse::<Loss>(loss)?;
    let base = FistaFlat::<f64>::new(Regularizer::None);
    let settings = (groups, positive, intercept, max_iter.unwrap_or(base.max_iter), tol.unwrap_or(base.tol), ista);
    with_floats!(y, |y| fista_t(py, x.extract()?, y, w0.extract()?, name, loss, [lambda1, lambda2, lambda3], settings, info, n_jobs))
}

#[allow(clippy::too_many_arguments)]
fn regularize_matrix_t<T: DenseElement>(
    py: Python<'_>,
    u: PyReadonlyArray2<'_, T>,
    name: MatrixRegularizerName,
    weights: [f64; 2],
    size_group: usize,
    positive: bool,
    intercept: bool,
    values: bool,
) -> PyResult<Py<PyAny>> {
    let regularizer = MatrixRegularizer::new(name, T::from_f64(weights[0]), T::from_f64(weights[1]), size_group);
    prox_rows(
        py,
        u,
        Some(1),
        values,
        |m| prox_matrix(m, &regularizer, positive, intercept),
        |m| Ok(regularizer.value(m.subrows(0, if intercept { m.nrows().saturating_sub(1) } else { m.nrows() }))),
    )
}

/// The proximal operator of a regulariser of the whole matrix
/// (`MATRIX_REGULARIZERS`: the rows of `u` `(n_columns, n)` are the
/// columns of the matrix; `size_group` the rows of each column's matrix
/// for the `-vec` ones), as `regularize` does for the flat ones; with
/// `values`, also `ψ` (one value, or one per column for the `-vec` ones).
#[pyfunction]
#[pyo3(signature = (u, regularizer, lambda1, lambda2, size_group, positive=false, intercept=false, values=false))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn regularize_matrix(
    py: Python<'_>,
    u: &Bound<'_, PyAny>,
    regularizer: &str,
    lambda1: f64,
    lambda2: f64,
    size_group: usize,
    positive: bool,
    intercept: bool,
    values: bool,
) -> PyResult<Py<PyAny>> {
    let name = parse::<MatrixRegularizerName>(regularizer)?;
    with_floats!(u, |u| regularize_matrix_t(py, u, name, [lambda1, lambda2], size_group, positive, intercept, values))
}

#[allow(clippy::too_many_arguments)]
fn fista_matrix_t<T: DenseElement>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    y: PyReadonlyArray2<'_, T>,
    w0: PyReadonlyArray2<'_, T>,
    name: MatrixRegularizerName,
    weights: [f64; 2],
    size_group: usize,
    settings: (bool, bool, usize, f64, bool),
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let (xm, ym, wm) = (view(&x)?, view(&y)?, view(&w0)?);
    let regularizer = MatrixRegularizer::new(name, T::from_f64(weights[0]), T::from_f64(weights[1]), size_group);
    let (positive, intercept, max_iter, tol, ista) = settings;
    let s = FistaFlat { positive, intercept, max_iter, tol, ista, ..FistaFlat::new(Regularizer::None) };
    let (w, steps) = detach(py, || on_threads(n_jobs, || fista_matrix(xm, ym, wm, &regularizer, &s)))??.map_err(value_error)?;
    let (p, n) = (w.nrows(), w.ncols());
    let data: Vec<T> = (0..n).flat_map(|j| (0..p).map(move |i| (i, j))).map(|(i, j)| w[(i, j)]).collect();
    Ok((array2(py, data, n, p)?, steps).into_pyobject(py)?.into_any().unbind())
}

/// `argmin_W ½‖Y − XW‖²_F + ψ(W)` for a regulariser of the whole matrix
/// (`MATRIX_REGULARIZERS`), every row of `y` `(n, m)` at once, layouts as
/// in `fista`. Returns `W` `(n, p)` and the step count.
#[pyfunction]
#[pyo3(signature = (x, y, w0, regularizer, lambda1, lambda2, size_group, positive=false, intercept=false, max_iter=None, tol=None,
    ista=false, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fista_matrix_py(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    y: &Bound<'_, PyAny>,
    w0: &Bound<'_, PyAny>,
    regularizer: &str,
    lambda1: f64,
    lambda2: f64,
    size_group: usize,
    positive: bool,
    intercept: bool,
    max_iter: Option<usize>,
    tol: Option<f64>,
    ista: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let name = parse::<MatrixRegularizerName>(regularizer)?;
    let base = FistaFlat::<f64>::new(Regularizer::None);
    let settings = (positive, intercept, max_iter.unwrap_or(base.max_iter), tol.unwrap_or(base.tol), ista);
    with_floats!(y, |y| fista_matrix_t(py, x.extract()?, y, w0.extract()?, name, [lambda1, lambda2], size_group, settings, n_jobs))
}
