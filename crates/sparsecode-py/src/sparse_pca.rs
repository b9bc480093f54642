//! `sparse_pca` and `sparse_pca_transform`: scikit-learn's `SparsePCA` and
//! `MiniBatchSparsePCA` (`sparsecode::dict::sparse_pca`). Parameters left
//! at `None` are the library's (`SparsePcaParams::batch` / `::online`).

use numpy::{Element, IntoPyArray, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::prelude::*;
use sparsecode::dict::Method;
use sparsecode::dict::sparse_pca::{PcaLearner, SparsePca, SparsePcaParams, transform};
use sparsecode::linalg::Real;

use crate::args::{NumpyState, array2, detach, numpy_state_out, on_threads, parse, value_error, view, with_floats};
use crate::encode::learner_encoder;
use crate::learn::{Overrides, PyProgress, init_of};

fn fit_t<T: Real + Element>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    params: &SparsePcaParams,
    algorithm: Option<&str>,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    let alpha = match &params.learner {
        PcaLearner::Batch(p) => p.alpha,
        PcaLearner::Online(p) => p.alpha,
    };
    let enc = match algorithm {
        Some(a) => learner_encoder(a, Some(alpha), coder_max_iter, false, None)?,
        None => params.encoder(),
    };
    let mut watch = PyProgress { callback: progress, error: None };
    let watching = &mut watch;
    let fit = detach(py, || on_threads(n_jobs, || params.check().and_then(|v| v.fit_with(xm, &enc, watching))))??;
    if let Some(e) = watch.error {
        return Err(e);
    }
    let SparsePca { n_features, n_components, components, mean, fit } = fit.map_err(value_error)?;
    let objectives: Vec<f64> = fit.records.iter().map(|r| r.objective).collect();
    let state = numpy_state_out(fit.generator.as_ref());
    let out = (array2(py, components, n_components, n_features)?, mean.into_pyarray(py), objectives, fit.objective, fit.stop.name(), state);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// Sparse PCA of the rows of `x` `(n_samples, n_features)` with
/// `n_components` components: `method` `"batch"` (`SparsePCA`) or
/// `"online"` (`MiniBatchSparsePCA`). `algorithm` is the Lasso coder
/// (`"lasso_lars"`, `"lasso_cd"`); `dict_init` `(n_components, n_samples)`
/// the start of the learned atoms and `start_components` `(n_components,
/// n_features)` the answer when the batch learner runs no iteration
/// (scikit-learn's `U_init.T` and `V_init`); `numpy_state` a NumPy
/// `RandomState`'s state the online learner continues (as in
/// `fit_dictionary`). Returns `(components, mean, objectives per
/// iteration, final objective, stop reason, NumPy state after the fit)`.
#[pyfunction]
#[pyo3(signature = (x, method, n_components, alpha=None, max_epochs=None, tol=None, batch_size=None, shuffle=None, seed=None,
    max_no_improvement=None, dict_init=None, start_components=None, algorithm=None, coder_max_iter=None, n_jobs=None, numpy_state=None,
    progress=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn sparse_pca(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    method: &str,
    n_components: usize,
    alpha: Option<f64>,
    max_epochs: Option<usize>,
    tol: Option<f64>,
    batch_size: Option<usize>,
    shuffle: Option<bool>,
    seed: Option<u64>,
    max_no_improvement: Option<i64>,
    dict_init: Option<PyReadonlyArray2<'_, f64>>,
    start_components: Option<PyReadonlyArray2<'_, f64>>,
    algorithm: Option<&str>,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
    numpy_state: Option<NumpyState>,
    progress: Option<Py<PyAny>>,
) -> PyResult<Py<PyAny>> {
    let given = Overrides {
        alpha,
        batch_size,
        max_epochs,
        max_steps: None,
        shuffle,
        seed,
        positive_dict: false,
        positive_code: false,
        tol,
        max_no_improvement,
        init: init_of(None, dict_init)?,
        forget_rho: None,
        epoch_windows: false,
        atom_set: None,
        numpy_state,
        resume: None,
    };
    let mut params = match parse::<Method>(method)? {
        Method::Batch => SparsePcaParams::batch(n_components),
        Method::Online => SparsePcaParams::online(n_components),
        Method::Ksvd | Method::Nmf => return Err(value_error(format!("sparse PCA learns with \"batch\" or \"online\", not \"{method}\""))),
    };
    params.learner = match params.learner {
        PcaLearner::Batch(b) => PcaLearner::Batch(given.batch(b)?),
        PcaLearner::Online(b) => PcaLearner::Online(given.online(b)?),
    };
    params.start_components = start_components.map(|v| v.as_slice().map(<[f64]>::to_vec)).transpose().map_err(value_error)?;
    with_floats!(x, |x| fit_t(py, x, &params, algorithm, coder_max_iter, n_jobs, progress.as_ref().map(|p| p.clone_ref(py))))
}

fn transform_t<T: Real + Element>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    components: PyReadonlyArray2<'_, T>,
    mean: PyReadonlyArray1<'_, T>,
    ridge_alpha: f64,
) -> PyResult<Py<PyAny>> {
    let (xm, cm) = (view(&x)?, view(&components)?);
    let mean = mean.as_slice().map_err(value_error)?;
    let codes = detach(py, || transform(cm, mean, xm, ridge_alpha))?.map_err(value_error)?;
    // Codes (n_components × n_samples, column-major): the bytes of (n_samples, n_components).
    let (k, n) = (codes.nrows(), codes.ncols());
    let data: Vec<T> = (0..n).flat_map(|s| (0..k).map(move |j| (s, j))).map(|(s, j)| codes[(j, s)]).collect();
    array2(py, data, n, k)
}

/// The coordinates `(n_samples, n_components)` of the rows of `x` on
/// `components` `(n_components, n_features)` after subtracting `mean`:
/// ridge regression with penalty `ridge_alpha` (scikit-learn's sparse PCA
/// `transform`). All three in the dtype of `x`.
#[pyfunction]
pub(crate) fn sparse_pca_transform(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    components: &Bound<'_, PyAny>,
    mean: &Bound<'_, PyAny>,
    ridge_alpha: f64,
) -> PyResult<Py<PyAny>> {
    with_floats!(x, |x| transform_t(py, x, components.extract()?, mean.extract()?, ridge_alpha))
}
