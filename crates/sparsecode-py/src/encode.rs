//! `encode`: coding by any algorithm of the library, dense or CSR, whole or
//! masked; and the library's algorithm names and settings, for the Python
//! layer to read.

use numpy::{IntoPyArray, PyReadonlyArray2};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sparsecode::solvers::{AlgorithmName, Settings};
use sparsecode::{Dictionary, Encoder};

use crate::args::{detach, flags, parse, value_error, view, with_floats};
use crate::dense;

/// The settings of a coder from the keywords `alpha`, `n_nonzero`, `tol`,
/// `max_iter`, `positive` and `l2` (`None`: the library's default); any
/// other keyword is refused.
pub(crate) fn settings_of(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Settings> {
    let mut s = Settings::default();
    for (key, value) in kwargs.into_iter().flatten() {
        let key: String = key.extract()?;
        // A value that does not convert (an int past 64 bits, say) is
        // refused naming its parameter.
        let named = |e: PyErr| {
            let py = value.py();
            if e.is_instance_of::<pyo3::exceptions::PyOverflowError>(py) {
                PyValueError::new_err(format!("{key}: {value} is out of range (0 to 2**64 - 1)"))
            } else {
                PyValueError::new_err(format!("{key}: {e}"))
            }
        };
        match key.as_str() {
            "alpha" => s.alpha = value.extract().map_err(named)?,
            "n_nonzero" => s.n_nonzero = value.extract().map_err(named)?,
            "tol" => s.tol = value.extract().map_err(named)?,
            "max_iter" => s.max_iter = value.extract().map_err(named)?,
            "positive" => s.positive = value.extract().map_err(named)?,
            "l2" => s.l2 = value.extract().map_err(named)?,
            "l0" => s.l0 = value.extract().map_err(named)?,
            other => return Err(PyTypeError::new_err(format!("encode() got an unexpected keyword argument {other:?}"))),
        }
    }
    Ok(s)
}

/// The library's encoder for `algorithm` with `settings` (it refuses the
/// settings that do not apply), on `n_jobs` threads.
pub(crate) fn encoder(algorithm: &str, settings: &Settings, n_jobs: Option<usize>) -> PyResult<Encoder> {
    let e = Encoder::from_settings(parse::<AlgorithmName>(algorithm)?, settings).map_err(value_error)?;
    Ok(match n_jobs {
        Some(0) => return Err(PyValueError::new_err("n_jobs must be at least 1")),
        Some(n) => e.threads(n),
        None => e,
    })
}

/// A learner's coder: `algorithm` at `alpha`, its iteration cap and sign
/// constraint, on `n_jobs` threads.
pub(crate) fn learner_encoder(
    algorithm: &str,
    alpha: Option<f64>,
    max_iter: Option<usize>,
    positive: bool,
    n_jobs: Option<usize>,
) -> PyResult<Encoder> {
    encoder(algorithm, &Settings { alpha, max_iter, positive, ..Settings::default() }, n_jobs)
}

#[allow(clippy::too_many_arguments)]
fn encode_t<T: dense::DenseElement>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    init: Option<PyReadonlyArray2<'_, T>>,
    weights: Option<PyReadonlyArray2<'_, T>>,
    mask: Option<&PyReadonlyArray2<'_, bool>>,
    enc: &Encoder,
    csr: bool,
) -> PyResult<(Py<PyAny>, usize)> {
    let (dm, xm) = (view(&d)?, view(&x)?);
    let im = init.as_ref().map(view).transpose()?;
    let wm = weights.as_ref().map(view).transpose()?;
    let observed = mask.map(|m| flags(m, "mask")).transpose()?;
    let (n, k) = (xm.ncols(), dm.ncols());
    if !csr && observed.is_none() && wm.is_none() {
        // Coded straight into the dense array, chunk by chunk, in parallel.
        let mut unconverged = 0;
        let seen = &mut unconverged;
        let out = dense::dense_array(py, n, k, |out: &mut [T], zeroed| {
            Dictionary::new(dm).and_then(|dict| enc.encode_dense_into(&dict, xm, im, out, zeroed)).map(|u| *seen = u)
        })?;
        return Ok((out, unconverged));
    }
    let codes = detach(py, || {
        Dictionary::new(dm).and_then(|dict| match (observed, wm) {
            (Some(m), _) => enc.encode_masked(&dict, xm, m),
            (None, Some(w)) => enc.encode_weighted(&dict, xm, w),
            (None, None) => enc.encode_warm(&dict, xm, im),
        })
    })?
    .map_err(value_error)?;
    let unconverged = codes.unconverged();
    if csr {
        return Ok((csr_parts(py, codes)?, unconverged));
    }
    Ok((dense_codes(py, &codes)?, unconverged))
}

/// `(data, indices, indptr)` of the CSR matrix `(n_samples, n_atoms)` of
/// `codes` (the core's compressed codes, handed over without a copy of the
/// values).
pub(crate) fn csr_parts<T: dense::DenseElement>(py: Python<'_>, codes: sparsecode::SparseCodes<T>) -> PyResult<Py<PyAny>> {
    let (_, indptr, indices, values) = codes.into_parts();
    let indptr: Vec<i64> = indptr.into_iter().map(|v| v as i64).collect();
    let indices: Vec<i32> = indices.into_iter().map(|v| v as i32).collect();
    let out = (values.into_pyarray(py), indices.into_pyarray(py), indptr.into_pyarray(py));
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// Codes the rows of `x` `(n_samples, n_features)` over the rows of
/// `dictionary` `(n_atoms, n_features)` (same dtype) by `algorithm` (a
/// name of `ALGORITHMS`) with the settings given as keywords (`settings`
/// lists those that apply; the others are refused, and those not given are
/// the library's defaults). Returns the dense `(n_samples, n_atoms)` codes,
/// or `(data, indices, indptr)` of their CSR matrix with `csr=True`. With
/// `mask` (a C-ordered boolean array of `x`'s shape, true where an entry is
/// observed) each row is coded from its observed entries only. With
/// `report=True`, returns `(codes, unconverged)`: also how many rows the
/// iterative solvers left at `max_iter` short of their tolerance. With
/// `weights` (`(n_samples, n_atoms)`, every entry > 0), the Lasso
/// homotopies weigh each coefficient's ℓ1 term.
#[pyfunction]
#[pyo3(signature = (dictionary, x, algorithm, n_jobs=None, init=None, csr=false, mask=None, report=false, weights=None, **coder))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn encode(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    algorithm: &str,
    n_jobs: Option<usize>,
    init: Option<&Bound<'_, PyAny>>,
    csr: bool,
    mask: Option<PyReadonlyArray2<'_, bool>>,
    report: bool,
    weights: Option<&Bound<'_, PyAny>>,
    coder: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let name = parse::<AlgorithmName>(algorithm)?;
    let enc = encoder(algorithm, &settings_of(coder)?, n_jobs)?;
    if init.is_some() && !name.accepts(sparsecode::solvers::Setting::Init) {
        return Err(PyValueError::new_err(format!("init (a warm start) does not apply to {name}")));
    }
    if init.is_some() && mask.is_some() {
        return Err(PyValueError::new_err("a warm start (init) and a mask cannot be combined"));
    }
    if weights.is_some() && (init.is_some() || mask.is_some()) {
        return Err(PyValueError::new_err("weights cannot be combined with a warm start (init) or a mask"));
    }
    with_floats!(x, |x| {
        let init = init.map(|i| i.extract()).transpose()?;
        let weights = weights.map(|w| w.extract()).transpose()?;
        let (codes, unconverged) = encode_t(py, dictionary.extract()?, x, init, weights, mask.as_ref(), &enc, csr)?;
        Ok(if report { (codes, unconverged).into_pyobject(py)?.into_any().unbind() } else { codes })
    })
}

/// The names of the settings that apply to `algorithm` (the library's
/// table; `"init"` is a warm start).
#[pyfunction]
pub(crate) fn settings(algorithm: &str) -> PyResult<Vec<&'static str>> {
    Ok(parse::<AlgorithmName>(algorithm)?.settings().iter().map(|s| s.name()).collect())
}

/// The dense `(n_samples, n_atoms)` array of `codes`.
fn dense_codes<T: dense::DenseElement>(py: Python<'_>, codes: &sparsecode::SparseCodes<T>) -> PyResult<Py<PyAny>> {
    dense::dense_array(py, codes.n_samples(), codes.n_atoms(), |out: &mut [T], zeroed| {
        if zeroed { codes.scatter_dense_column_major(out) } else { codes.write_dense_column_major(out) }
    })
}

fn omp_gram_t<T: dense::DenseElement>(
    py: Python<'_>,
    gram: PyReadonlyArray2<'_, T>,
    xy: PyReadonlyArray2<'_, T>,
    norms: Option<Vec<f64>>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
    path: bool,
) -> PyResult<Py<PyAny>> {
    let (g, b) = (view(&gram)?, view(&xy)?);
    let norms: Option<Vec<T>> = norms.map(|v| v.into_iter().map(T::from_f64).collect());
    if path {
        let (paths, short) =
            detach(py, || sparsecode::solvers::omp_gram_path(g, b, norms.as_deref(), n_nonzero, tol))?.map_err(value_error)?;
        let paths: Vec<(Vec<u32>, Py<PyAny>)> =
            paths.into_iter().map(|p| Ok((p.atoms, p.coefs.into_pyarray(py).into_any().unbind()))).collect::<PyResult<_>>()?;
        return Ok((paths, short).into_pyobject(py)?.into_any().unbind());
    }
    let codes = detach(py, || sparsecode::solvers::omp_gram(g, b, norms.as_deref(), n_nonzero, tol))?.map_err(value_error)?;
    let out = (dense_codes(py, &codes)?, codes.unconverged());
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// OMP from the Gram matrix `gram` `(n_atoms, n_atoms)` and the
/// correlations `xy_t` `(n_targets, n_atoms)` (`Xyᵀ`, same dtype), as
/// scikit-learn's `orthogonal_mp_gram` (`sparsecode::solvers::omp_gram`):
/// `(codes, short)`, the dense codes `(n_targets, n_atoms)` and how many
/// targets stopped short of their count or goal (scikit-learn's "ended
/// prematurely"). With `path`, `(paths, short)` instead: for each target,
/// the atoms in the order chosen and the coefficients after each step,
/// packed (step `s` holds `s + 1`; `sparsecode::solvers::omp_gram_path`).
#[pyfunction]
#[pyo3(signature = (gram, xy_t, norms_squared=None, n_nonzero=None, tol=None, path=false))]
pub(crate) fn omp_gram(
    py: Python<'_>,
    gram: &Bound<'_, PyAny>,
    xy_t: &Bound<'_, PyAny>,
    norms_squared: Option<Vec<f64>>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
    path: bool,
) -> PyResult<Py<PyAny>> {
    with_floats!(xy_t, |x| omp_gram_t(py, gram.extract()?, x, norms_squared, n_nonzero, tol, path))
}

fn encode_gram_t<T: dense::DenseElement>(
    py: Python<'_>,
    gram: PyReadonlyArray2<'_, T>,
    xy: PyReadonlyArray2<'_, T>,
    norms: Vec<f64>,
    enc: sparsecode::Encoder,
) -> PyResult<Py<PyAny>> {
    let (g, b) = (view(&gram)?, view(&xy)?);
    let norms: Vec<T> = norms.into_iter().map(T::from_f64).collect();
    let codes = detach(py, || enc.encode_gram(g, b, &norms))?.map_err(value_error)?;
    csr_parts(py, codes)
}

/// A LARS homotopy from the Gram matrix `gram` `(n_atoms, n_atoms)`, the
/// correlations `xy_t` `(n_targets, n_atoms)` (`(DᵀX)ᵀ`, same dtype) and
/// the targets' squared norms (`sparsecode::Encoder::encode_gram`):
/// `algorithm` is `lars`, `lasso_lars`, `lasso_goal` or `lasso_budget`,
/// with its settings as keywords. Returns `(data, indices, indptr)` of the
/// codes' CSR matrix `(n_targets, n_atoms)`.
#[pyfunction]
#[pyo3(signature = (gram, xy_t, norms_squared, algorithm, n_jobs=None, **coder))]
pub(crate) fn encode_gram(
    py: Python<'_>,
    gram: &Bound<'_, PyAny>,
    xy_t: &Bound<'_, PyAny>,
    norms_squared: Vec<f64>,
    algorithm: &str,
    n_jobs: Option<usize>,
    coder: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let enc = encoder(algorithm, &settings_of(coder)?, n_jobs)?;
    with_floats!(xy_t, |x| encode_gram_t(py, gram.extract()?, x, norms_squared, enc))
}

/// scikit-learn's default number of atoms for OMP as regression over a
/// design of `n_atoms` columns (`orthogonal_mp`, `OrthogonalMatchingPursuit`):
/// the library's rule.
#[pyfunction]
pub(crate) fn default_omp_nonzero(n_atoms: usize) -> usize {
    sparsecode::solvers::default_omp_nonzero(n_atoms)
}

/// scikit-learn's longest cross-validated OMP path over a design of
/// `n_atoms` columns (`OrthogonalMatchingPursuitCV` without `max_iter`):
/// the library's rule.
#[pyfunction]
pub(crate) fn default_omp_path_length(n_atoms: usize) -> usize {
    sparsecode::solvers::default_omp_path_length(n_atoms)
}

fn refit_t<T: dense::DenseElement>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    codes: (Vec<T>, Vec<i64>, Vec<i64>),
    l2: f64,
    gram: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let (dm, xm) = (view(&d)?, view(&x)?);
    let (data, indices, indptr) = codes;
    let indices: Vec<u32> =
        indices.into_iter().map(|i| u32::try_from(i).map_err(|_| PyValueError::new_err("indices must be ≥ 0"))).collect::<PyResult<_>>()?;
    let indptr: Vec<usize> =
        indptr.into_iter().map(|i| usize::try_from(i).map_err(|_| PyValueError::new_err("indptr must be ≥ 0"))).collect::<PyResult<_>>()?;
    let fitted = detach(py, || {
        crate::args::on_threads(n_jobs, || {
            if gram {
                // dm is Q = DᵀD (symmetric), xm is DᵀX.
                let codes = sparsecode::SparseCodes::from_parts(dm.nrows(), indptr, indices, data)?;
                return sparsecode::solvers::refit_gram(dm, xm, &codes, l2);
            }
            let dict = Dictionary::new(dm)?;
            let codes = sparsecode::SparseCodes::from_parts(dict.n_atoms(), indptr, indices, data)?;
            sparsecode::solvers::refit(&dict, xm, &codes, l2)
        })
    })??
    .map_err(value_error)?;
    csr_parts(py, fitted)
}

/// Refits the codes of the rows of `x` over the rows of `dictionary` (CSR
/// `(data, indices, indptr)`, `(n_samples, n_atoms)`) by least squares on
/// each code's support, with the ridge `l2` (SPAMS's `ols`). Returns the
/// CSR parts of the refitted codes, the same support. With `gram`,
/// `dictionary` is `Q = DᵀD` `(n_atoms, n_atoms)` and `x` is `(DᵀX)ᵀ`
/// `(n_samples, n_atoms)` (the Gram form).
#[pyfunction]
#[pyo3(signature = (dictionary, x, data, indices, indptr, l2, gram=false, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn refit(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    data: &Bound<'_, PyAny>,
    indices: Vec<i64>,
    indptr: Vec<i64>,
    l2: f64,
    gram: bool,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    with_floats!(x, |x| refit_t(py, dictionary.extract()?, x, (data.extract()?, indices, indptr), l2, gram, n_jobs))
}
