//! `sparsecode._core`: the compiled core of the `sparsecode` Python package.
//!
//! A thin binding over the umbrella crate: every function here converts
//! NumPy arrays to faer views (no copy for C- or Fortran-contiguous
//! float32/float64 arrays), releases the GIL, calls the library, and hands
//! the result back as NumPy arrays. No algorithm lives here; the Python
//! layer (`python/sparsecode`) maps scikit-learn's names and semantics onto
//! these calls.
//!
//! Layout: a NumPy C-order `(n_samples, n_features)` array is the
//! column-major `n_features × n_samples` signal matrix of the library, and
//! `components_` `(n_atoms, n_features)` is its dictionary: no transpose.

mod dense;

use numpy::{Element, IntoPyArray, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sparsecode::dict::batch::BatchParams;
use sparsecode::dict::init::Init;
use sparsecode::dict::ksvd::KsvdParams;
use sparsecode::dict::online::{BATCH_CHUNK, BatchStats, OnlineParams, OnlineState};
use sparsecode::dict::progress::Quiet;
use sparsecode::dict::rng::{Generator, NumpyRandomState, SplitMix};
use sparsecode::dict::{Fit, Learn, LearnMasked};
use sparsecode::faer::MatRef;
use sparsecode::linalg::Real;
use sparsecode::{Dictionary, Encoder};

pub(crate) fn value_error(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A 2-D array `(rows, cols)` as the column-major `cols × rows` matrix of its
/// bytes: C order is read in place, Fortran order as a row-major view.
fn view<'a, T: Element>(a: &'a PyReadonlyArray2<'_, T>) -> PyResult<MatRef<'a, T>> {
    let (rows, cols) = (a.shape()[0], a.shape()[1]);
    let c_order = a.is_c_contiguous();
    let slice = a.as_slice().map_err(|_| PyValueError::new_err("arrays must be aligned and C- or Fortran-contiguous"))?;
    Ok(if c_order { MatRef::from_column_major_slice(slice, cols, rows) } else { MatRef::from_row_major_slice(slice, cols, rows) })
}

/// A `(rows, cols)` C-order NumPy array holding `data` (column-major
/// `cols × rows`), without a copy.
fn array2<T: Element>(py: Python<'_>, data: Vec<T>, rows: usize, cols: usize) -> PyResult<Py<PyAny>> {
    Ok(data.into_pyarray(py).reshape([rows, cols])?.into_any().unbind())
}

/// Runs `f` on `n_jobs` threads (rayon's global pool when `None`).
fn on_threads<R: Send>(n_jobs: Option<usize>, f: impl FnOnce() -> R + Send) -> PyResult<R> {
    match n_jobs {
        None => Ok(f()),
        Some(0) => Err(PyValueError::new_err("n_jobs must be at least 1")),
        Some(n) => Ok(rayon::ThreadPoolBuilder::new().num_threads(n).build().map_err(value_error)?.install(f)),
    }
}

/// scikit-learn's duality-gap tolerance (relative to `‖x‖²`) for the Lasso
/// that its dictionary learners and `sparse_encode` solve by coordinate
/// descent: the default of every `lasso_cd` coder made here (exported to
/// Python as `_core.LASSO_CD_TOL`).
const LASSO_CD_TOL: f64 = 1e-8;

/// A coder's settings as the Python layer passes them (`None`: the
/// algorithm's default; a setting the algorithm ignores is refused by the
/// encoder).
#[derive(Clone, Copy, Default)]
struct CoderArgs {
    alpha: Option<f64>,
    n_nonzero: Option<usize>,
    tol: Option<f64>,
    max_iter: Option<usize>,
    positive: bool,
    l2: Option<f64>,
}

impl CoderArgs {
    /// The keywords `alpha`, `n_nonzero`, `tol`, `max_iter`, `positive`
    /// and `l2` (`None` values are the defaults); any other is refused.
    fn from_kwargs(kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        let mut a = Self::default();
        for (key, value) in kwargs.into_iter().flatten() {
            let key: String = key.extract()?;
            match key.as_str() {
                "alpha" => a.alpha = value.extract()?,
                "n_nonzero" => a.n_nonzero = value.extract()?,
                "tol" => a.tol = value.extract()?,
                "max_iter" => a.max_iter = value.extract()?,
                "positive" => a.positive = value.extract()?,
                "l2" => a.l2 = value.extract()?,
                other => return Err(PyTypeError::new_err(format!("encode() got an unexpected keyword argument {other:?}"))),
            }
        }
        Ok(a)
    }

    /// A dictionary learner's coder: its penalty, iteration cap and sign
    /// constraint.
    fn learner(alpha: f64, max_iter: Option<usize>, positive: bool) -> Self {
        Self { alpha: Some(alpha), max_iter, positive, ..Self::default() }
    }
}

/// The encoder of `algorithm` (the CLI's names with underscores).
fn encoder(algorithm: &str, args: &CoderArgs, n_jobs: Option<usize>) -> PyResult<Encoder> {
    let CoderArgs { alpha, n_nonzero, tol, max_iter, positive, l2 } = *args;
    let need = |v: Option<f64>, name: &str| v.ok_or_else(|| PyValueError::new_err(format!("{algorithm} needs {name}")));
    let mut e = match algorithm {
        "omp" => match (tol, n_nonzero) {
            (Some(t), _) => Encoder::omp_tol(t),
            (None, Some(k)) => Encoder::omp(k),
            (None, None) => return Err(PyValueError::new_err("omp needs n_nonzero or tol")),
        },
        "lars" => Encoder::lars(n_nonzero.ok_or_else(|| PyValueError::new_err("lars needs n_nonzero"))?),
        "lasso_lars" => Encoder::lasso_lars(need(alpha, "alpha")?),
        "lasso_goal" => Encoder::lasso_goal(need(tol, "tol")?),
        "lasso_cd" => Encoder::lasso_cd(need(alpha, "alpha")?),
        "ista" => Encoder::ista(need(alpha, "alpha")?),
        "fista" => Encoder::fista(need(alpha, "alpha")?),
        "threshold" => Encoder::soft_threshold(need(alpha, "alpha")?),
        "hard_threshold" => Encoder::hard_threshold(need(alpha, "alpha")?),
        other => return Err(PyValueError::new_err(format!("unknown algorithm {other:?}"))),
    };
    if positive {
        e = e.positive(true);
    }
    // Coordinate descent stops where scikit-learn's does unless told.
    let tol = if algorithm == "lasso_cd" { tol.or(Some(LASSO_CD_TOL)) } else { tol };
    if let Some(t) = tol.filter(|_| matches!(algorithm, "lasso_cd" | "ista" | "fista")) {
        e = e.tol(t);
    }
    if let Some(m) = max_iter {
        e = e.max_iter(m);
    }
    if let Some(l2) = l2 {
        e = e.l2(l2);
    }
    if let Some(n) = n_jobs {
        if n == 0 {
            return Err(PyValueError::new_err("n_jobs must be at least 1"));
        }
        e = e.threads(n);
    }
    Ok(e)
}

fn encode_t<T: dense::DenseElement>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    init: Option<PyReadonlyArray2<'_, T>>,
    mask: Option<&PyReadonlyArray2<'_, bool>>,
    enc: &Encoder,
    csr: bool,
) -> PyResult<Py<PyAny>> {
    let (dm, xm) = (view(&d)?, view(&x)?);
    let im = init.as_ref().map(view).transpose()?;
    let observed = mask.map(|m| m.as_slice().map_err(|_| PyValueError::new_err("mask must be C-contiguous"))).transpose()?;
    let (n, k) = (xm.ncols(), dm.ncols());
    if !csr && observed.is_none() {
        // Coded straight into the dense array, chunk by chunk, in parallel.
        return dense::dense_array(py, n, k, |out: &mut [T], zeroed| {
            Dictionary::new(dm).and_then(|dict| enc.encode_dense_into(&dict, xm, im, out, zeroed))
        });
    }
    let codes = py
        .detach(|| {
            Dictionary::new(dm).and_then(|dict| match observed {
                Some(m) => enc.encode_masked(&dict, xm, m),
                None => enc.encode_warm(&dict, xm, im),
            })
        })
        .map_err(value_error)?;
    if csr {
        let (_, indptr, indices, values) = codes.into_parts();
        let indptr: Vec<i64> = indptr.into_iter().map(|v| v as i64).collect();
        let indices: Vec<i32> = indices.into_iter().map(|v| v as i32).collect();
        let out = (values.into_pyarray(py), indices.into_pyarray(py), indptr.into_pyarray(py));
        return Ok(out.into_pyobject(py)?.into_any().unbind());
    }
    dense::dense_array(
        py,
        n,
        k,
        |out: &mut [T], zeroed| {
            if zeroed { codes.scatter_dense_column_major(out) } else { codes.write_dense_column_major(out) }
        },
    )
}

/// Codes the rows of `x` `(n_samples, n_features)` over the rows of
/// `dictionary` `(n_atoms, n_features)` (same dtype). Returns the dense
/// `(n_samples, n_atoms)` codes, or `(data, indices, indptr)` of their CSR
/// matrix with `csr=True`. With `mask` (a C-ordered boolean array of `x`'s
/// shape, true where an entry is observed) each row is coded from its
/// observed entries only (`Encoder::encode_masked`).
#[pyfunction]
#[pyo3(signature = (dictionary, x, algorithm, n_jobs=None, init=None, csr=false, mask=None, **coder))]
#[allow(clippy::too_many_arguments)]
fn encode(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    algorithm: &str,
    n_jobs: Option<usize>,
    init: Option<&Bound<'_, PyAny>>,
    csr: bool,
    mask: Option<PyReadonlyArray2<'_, bool>>,
    coder: Option<&Bound<'_, PyDict>>,
) -> PyResult<Py<PyAny>> {
    let enc = encoder(algorithm, &CoderArgs::from_kwargs(coder)?, n_jobs)?;
    if init.is_some() && mask.is_some() {
        return Err(PyValueError::new_err("a warm start (init) and a mask cannot be combined"));
    }
    if let Ok(x64) = x.extract::<PyReadonlyArray2<'_, f64>>() {
        let init = init.map(|i| i.extract()).transpose()?;
        encode_t(py, dictionary.extract()?, x64, init, mask.as_ref(), &enc, csr)
    } else if let Ok(x32) = x.extract::<PyReadonlyArray2<'_, f32>>() {
        let init = init.map(|i| i.extract()).transpose()?;
        encode_t(py, dictionary.extract()?, x32, init, mask.as_ref(), &enc, csr)
    } else {
        Err(PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
    }
}

/// How a learner starts: `"data"`, `"svd"`, `"dct"`, or `"given"` with
/// `dict_init` `(n_atoms, n_features)`.
fn init_of(kind: &str, dict_init: Option<PyReadonlyArray2<'_, f64>>) -> PyResult<Init> {
    Ok(match (kind, dict_init) {
        (_, Some(d)) => Init::Given(d.as_slice().map_err(value_error)?.to_vec()),
        ("data", None) => Init::Data,
        ("svd", None) => Init::Svd,
        ("dct", None) => Init::Dct,
        (other, None) => return Err(PyValueError::new_err(format!("unknown init {other:?}"))),
    })
}

/// A fit as `(components (n_atoms, n_features), objectives per iteration,
/// final objective, stop reason, A, B)`; A and B are `None` for K-SVD.
fn fit_out<T: Real + Element>(py: Python<'_>, fit: Fit<T>) -> PyResult<Py<PyAny>> {
    let objectives: Vec<f64> = fit.records.iter().map(|r| r.objective).collect();
    let (nf, k) = (fit.n_features, fit.n_atoms);
    let (a, b) = match fit.state {
        Some(s) => (Some(array2(py, s.a, k, k)?), Some(array2(py, s.b, k, nf)?)),
        None => (None, None),
    };
    let state = numpy_state_out(fit.generator.as_ref());
    let out = (array2(py, fit.dict, k, nf)?, objectives, fit.objective, fit.stop.name(), a, b, state);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// NumPy's `RandomState.get_state()[1:]`: the 624 words, the position, and
/// the kept Gaussian value (`has_gauss`, `cached_gaussian`).
type NumpyState = (Vec<u32>, usize, bool, f64);

/// The generator that continues `numpy_state`, or else one seeded with
/// `seed`.
fn generator(numpy_state: Option<NumpyState>, seed: u64) -> PyResult<Generator> {
    Ok(match numpy_state_in(numpy_state)? {
        Some(g) => Generator::from(g),
        None => Generator::from(SplitMix(seed)),
    })
}

/// A NumPy state as the core's generator.
fn numpy_state_in(state: Option<NumpyState>) -> PyResult<Option<NumpyRandomState>> {
    state
        .map(|(key, pos, has_gauss, gauss)| {
            NumpyRandomState::from_state(&key, pos, has_gauss, gauss)
                .ok_or_else(|| PyValueError::new_err("a RandomState's state is 624 words and a position of at most 624"))
        })
        .transpose()
}

/// The state of a NumPy generator after a fit, for `RandomState.set_state`.
fn numpy_state_out(g: Option<&Generator>) -> Option<NumpyState> {
    match g {
        Some(Generator::NumPy(s)) => {
            let (key, pos, has_gauss, gauss) = s.state();
            Some((key.to_vec(), pos, has_gauss, gauss))
        }
        _ => None,
    }
}

/// The learners' own arguments, shared by `fit_dictionary`.
#[derive(Clone)]
enum Method {
    Online(OnlineParams),
    Batch(BatchParams),
    Ksvd(KsvdParams),
}

fn fit_t<T: Real + Element>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    method: &Method,
    enc: Option<&Encoder>,
    mask: Option<&PyReadonlyArray2<'_, bool>>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    if let Some(m) = mask {
        let observed = m.as_slice().map_err(|_| PyValueError::new_err("mask must be C-contiguous"))?;
        let fit = py
            .detach(|| {
                on_threads(n_jobs, || match method {
                    Method::Online(p) => p.check().and_then(|v| match enc {
                        Some(e) => v.fit_masked_with(xm, observed, &e.clone().chunk_size(BATCH_CHUNK), &mut Quiet),
                        None => v.fit_masked(xm, observed, &mut Quiet),
                    }),
                    Method::Ksvd(p) => p.check().and_then(|v| v.fit_masked(xm, observed, &mut Quiet)),
                    Method::Batch(_) => {
                        Err(sparsecode::dict::Error::Dimension("missing values: the batch learner has no masked form".into()))
                    }
                })
            })?
            .map_err(value_error)?;
        return fit_out(py, fit);
    }
    let fit = py
        .detach(|| {
            on_threads(n_jobs, || match method {
                Method::Online(p) => p.check().and_then(|v| match enc {
                    Some(e) => v.fit_with(xm, &e.clone().chunk_size(BATCH_CHUNK), &mut Quiet),
                    None => v.fit(xm, &mut Quiet),
                }),
                Method::Batch(p) => p.check().and_then(|v| match enc {
                    Some(e) => v.fit_with(xm, e, &mut Quiet),
                    None => v.fit(xm, &mut Quiet),
                }),
                Method::Ksvd(p) => p.check().and_then(|v| v.fit(xm, &mut Quiet)),
            })
        })?
        .map_err(value_error)?;
    fit_out(py, fit)
}

/// Learns a dictionary from the rows of `x` `(n_samples, n_features)`.
/// `method` is `"online"`, `"batch"` or `"ksvd"`; `algorithm` the coder of
/// online and batch learning (`"lasso_lars"`, `"lasso_cd"`, …; `None`: the
/// learner's own).
#[pyfunction]
#[pyo3(signature = (x, method, n_atoms, alpha=1.0, batch_size=256, max_epochs=1000, max_steps=None, shuffle=true, seed=0,
    positive_dict=false, positive_code=false, tol=1e-3, max_no_improvement=Some(10), init="data", dict_init=None, forget_rho=None,
    algorithm=None, coder_max_iter=None, n_nonzero=8, goal=None, max_nonzero=None, exact=false, n_jobs=None, mask=None,
    numpy_state=None))]
#[allow(clippy::too_many_arguments)]
fn fit_dictionary(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    method: &str,
    n_atoms: usize,
    alpha: f64,
    batch_size: usize,
    max_epochs: usize,
    max_steps: Option<usize>,
    shuffle: bool,
    seed: u64,
    positive_dict: bool,
    positive_code: bool,
    tol: f64,
    max_no_improvement: Option<usize>,
    init: &str,
    dict_init: Option<PyReadonlyArray2<'_, f64>>,
    forget_rho: Option<f64>,
    algorithm: Option<&str>,
    coder_max_iter: Option<usize>,
    n_nonzero: usize,
    goal: Option<f64>,
    max_nonzero: Option<usize>,
    exact: bool,
    n_jobs: Option<usize>,
    mask: Option<PyReadonlyArray2<'_, bool>>,
    numpy_state: Option<NumpyState>,
) -> PyResult<Py<PyAny>> {
    let init = init_of(init, dict_init)?;
    let numpy_state = numpy_state_in(numpy_state)?;
    let m = match method {
        "online" => Method::Online(OnlineParams {
            n_atoms,
            alpha,
            batch_size,
            max_epochs,
            max_steps,
            shuffle,
            seed,
            numpy_state,
            positive_dict,
            positive_code,
            tol,
            max_no_improvement,
            init,
            forget_rho,
        }),
        "batch" => Method::Batch(BatchParams { n_atoms, alpha, max_iter: max_epochs, tol, seed, init, positive_dict, positive_code }),
        "ksvd" => Method::Ksvd(KsvdParams {
            n_nonzero,
            tol: goal,
            max_nonzero,
            iterations: max_epochs,
            exact,
            init,
            seed,
            ..KsvdParams::new(n_atoms)
        }),
        other => return Err(PyValueError::new_err(format!("unknown method {other:?}"))),
    };
    let enc = algorithm.map(|a| encoder(a, &CoderArgs::learner(alpha, coder_max_iter, positive_code), None)).transpose()?;
    if let Ok(x64) = x.extract::<PyReadonlyArray2<'_, f64>>() {
        fit_t(py, x64, &m, enc.as_ref(), mask.as_ref(), n_jobs)
    } else if let Ok(x32) = x.extract::<PyReadonlyArray2<'_, f32>>() {
        fit_t(py, x32, &m, enc.as_ref(), mask.as_ref(), n_jobs)
    } else {
        Err(PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
    }
}

/// A copy of a C-ordered 2-D array's values (the column-major matrix of its
/// transpose), for the library's owned buffers.
fn to_vec<T: Element + Copy>(a: &PyReadonlyArray2<'_, T>) -> PyResult<Vec<T>> {
    a.as_slice().map(|s| s.to_vec()).map_err(|_| PyValueError::new_err("arrays must be C-contiguous"))
}

/// The signals of `x` as one column-major buffer (a copy: a mini-batch).
fn signals<T: Real + Element>(x: &PyReadonlyArray2<'_, T>, nf: usize) -> PyResult<Vec<T>> {
    let xm = view(x)?;
    if xm.nrows() != nf {
        return Err(PyValueError::new_err(format!("X has {} features, the dictionary {nf}", xm.nrows())));
    }
    Ok((0..xm.ncols()).flat_map(|s| (0..nf).map(move |i| xm[(i, s)])).collect())
}

/// The learners' coder of one mini-batch.
fn batch_encoder(
    algorithm: &str,
    alpha: f64,
    positive_code: bool,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
) -> PyResult<Encoder> {
    Ok(encoder(algorithm, &CoderArgs::learner(alpha, coder_max_iter, positive_code), n_jobs)?.chunk_size(BATCH_CHUNK))
}

/// A state at `dictionary` `(n_atoms, n_features)` with statistics `a`
/// `(n_atoms, n_atoms)` and `b` (`Bᵀ`, `(n_atoms, n_features)`).
fn state_of<T: Real + Element>(
    d: &PyReadonlyArray2<'_, T>,
    a: &PyReadonlyArray2<'_, T>,
    b: &PyReadonlyArray2<'_, T>,
    step: usize,
) -> PyResult<OnlineState<T>> {
    let (nf, k) = (d.shape()[1], d.shape()[0]);
    let state = OnlineState { n_features: nf, n_atoms: k, dict: to_vec(d)?, a: to_vec(a)?, b: to_vec(b)?, step };
    if state.a.len() != k * k || state.b.len() != k * nf {
        return Err(PyValueError::new_err("the statistics do not fit the dictionary"));
    }
    Ok(state)
}

fn step_t<T: Real + Element>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    a: PyReadonlyArray2<'_, T>,
    b: PyReadonlyArray2<'_, T>,
    step: usize,
    x: PyReadonlyArray2<'_, T>,
    enc: &Encoder,
    alpha: f64,
    positive_dict: bool,
    rng: Generator,
) -> PyResult<Py<PyAny>> {
    let mut state = state_of(&d, &a, &b, step)?;
    let (nf, k) = (state.n_features, state.n_atoms);
    let batch = signals(&x, nf)?;
    let mut rng = rng;
    let cost = py
        .detach(|| -> sparsecode::dict::Result<f64> {
            let stats: BatchStats<T> = state.batch_stats(enc, &batch, alpha)?;
            state.apply(&stats, &batch, positive_dict, &mut rng)?;
            Ok(stats.cost / stats.n_samples as f64)
        })
        .map_err(value_error)?;
    let out = (array2(py, state.dict, k, nf)?, array2(py, state.a, k, k)?, array2(py, state.b, k, nf)?, cost, numpy_state_out(Some(&rng)));
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// One online step on the batch `x` (scikit-learn's `partial_fit`): codes it
/// with `dictionary`, folds its statistics into `A`, `B` (scikit-learn's
/// forgetting for step `step`), updates the atoms. Returns `(dictionary, A,
/// B, batch cost per sample, state)`. Unused atoms are replaced with draws
/// from `numpy_state` (`RandomState.get_state()[1:]`; `state` is then its
/// state after the step, for `set_state`), or else from `seed` and `step`
/// (`state` is `None`).
#[pyfunction]
#[pyo3(signature = (dictionary, a, b, step, x, alpha, algorithm="lasso_lars", positive_code=false, positive_dict=false, coder_max_iter=None, seed=0, n_jobs=None, numpy_state=None))]
#[allow(clippy::too_many_arguments)]
fn online_step(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    step: usize,
    x: &Bound<'_, PyAny>,
    alpha: f64,
    algorithm: &str,
    positive_code: bool,
    positive_dict: bool,
    coder_max_iter: Option<usize>,
    seed: u64,
    n_jobs: Option<usize>,
    numpy_state: Option<NumpyState>,
) -> PyResult<Py<PyAny>> {
    let enc = batch_encoder(algorithm, alpha, positive_code, coder_max_iter, n_jobs)?;
    let rng = generator(numpy_state, seed ^ (step as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15))?;
    if let Ok(x64) = x.extract::<PyReadonlyArray2<'_, f64>>() {
        step_t(py, dictionary.extract()?, a.extract()?, b.extract()?, step, x64, &enc, alpha, positive_dict, rng)
    } else if let Ok(x32) = x.extract::<PyReadonlyArray2<'_, f32>>() {
        step_t(py, dictionary.extract()?, a.extract()?, b.extract()?, step, x32, &enc, alpha, positive_dict, rng)
    } else {
        Err(PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
    }
}

fn batch_stats_t<T: Real + Element>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    enc: &Encoder,
    alpha: f64,
) -> PyResult<Py<PyAny>> {
    let (nf, k) = (d.shape()[1], d.shape()[0]);
    let state = OnlineState::new(nf, k, to_vec(&d)?).map_err(value_error)?;
    let batch = signals(&x, nf)?;
    let stats = py.detach(|| state.batch_stats(enc, &batch, alpha)).map_err(value_error)?;
    let out = (array2(py, stats.a, k, k)?, array2(py, stats.b, k, nf)?, stats.n_samples, stats.cost, stats.nnz);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// What the mini-batch `x` contributes to online learning with
/// `dictionary` (a worker's share of a distributed step): `(Σ ccᵀ
/// (n_atoms, n_atoms), (Σ xcᵀ)ᵀ (n_atoms, n_features), n_samples, Σ cost,
/// Σ non-zeros)`, codes by `algorithm` at `alpha`.
#[pyfunction]
#[pyo3(signature = (dictionary, x, alpha, algorithm="lasso_lars", positive_code=false, coder_max_iter=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn batch_stats(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    alpha: f64,
    algorithm: &str,
    positive_code: bool,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let enc = batch_encoder(algorithm, alpha, positive_code, coder_max_iter, n_jobs)?;
    if let Ok(x64) = x.extract::<PyReadonlyArray2<'_, f64>>() {
        batch_stats_t(py, dictionary.extract()?, x64, &enc, alpha)
    } else if let Ok(x32) = x.extract::<PyReadonlyArray2<'_, f32>>() {
        batch_stats_t(py, dictionary.extract()?, x32, &enc, alpha)
    } else {
        Err(PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
    }
}

/// The two precisions of an [`OnlineRun`](sparsecode::dict::online::OnlineRun).
enum AnyRun {
    F32(sparsecode::dict::online::OnlineRun<f32>),
    F64(sparsecode::dict::online::OnlineRun<f64>),
}

/// An online fit driven from Python (the distributed learner's driver):
/// the state, the generator of atom replacements and scikit-learn's
/// stopping rules of the library's `OnlineRun`, fed the statistics that
/// `batch_stats` computed elsewhere. Same dictionary as the in-memory
/// learner for the same batches.
#[pyclass(module = "sparsecode._core", name = "OnlineRun")]
struct PyOnlineRun(AnyRun);

/// Sums `parts` (`(a, b, n_samples, cost, nnz)` tuples as `batch_stats`
/// returns them) in their order, then takes one step.
fn run_step<T: Real + Element>(
    py: Python<'_>,
    run: &mut sparsecode::dict::online::OnlineRun<T>,
    parts: &Bound<'_, PyAny>,
    pool: &Bound<'_, PyAny>,
) -> PyResult<Option<&'static str>> {
    let (nf, k) = (run.state.n_features, run.state.n_atoms);
    let mut merged: Option<BatchStats<T>> = None;
    for part in parts.try_iter()? {
        let (a, b, n_samples, cost, nnz): (PyReadonlyArray2<'_, T>, PyReadonlyArray2<'_, T>, usize, f64, usize) = part?.extract()?;
        let stats = BatchStats { a: to_vec(&a)?, b: to_vec(&b)?, n_samples, cost, nnz };
        merged = Some(match merged {
            None => stats,
            Some(m) => m.merge(&stats).map_err(value_error)?,
        });
    }
    let merged = merged.ok_or_else(|| PyValueError::new_err("a step needs the statistics of at least one batch"))?;
    if merged.a.len() != k * k || merged.b.len() != k * nf {
        return Err(PyValueError::new_err("the statistics do not fit the dictionary"));
    }
    let pool = signals(&pool.extract::<PyReadonlyArray2<'_, T>>()?, nf)?;
    let stop = py.detach(|| run.step(&merged, &pool)).map_err(value_error)?;
    Ok(stop.map(|s| s.name()))
}

fn run_state<T: Real + Element>(py: Python<'_>, run: &sparsecode::dict::online::OnlineRun<T>) -> PyResult<Py<PyAny>> {
    let s = &run.state;
    let (nf, k) = (s.n_features, s.n_atoms);
    let out = (array2(py, s.dict.clone(), k, nf)?, array2(py, s.a.clone(), k, k)?, array2(py, s.b.clone(), k, nf)?);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

#[pymethods]
impl PyOnlineRun {
    /// A run from `dictionary` `(n_atoms, n_features)` (float32 or float64:
    /// the run's precision) on `n_samples` signals, with online learning's
    /// parameters (`fit_dictionary`'s names). Unused atoms are replaced with
    /// draws from `numpy_state` (`RandomState.get_state()[1:]`, as the
    /// in-memory learner draws them), or else from `seed`.
    #[new]
    #[pyo3(signature = (dictionary, n_samples, batch_size=256, seed=0, positive_dict=false, tol=1e-3, max_no_improvement=Some(10), forget_rho=None, numpy_state=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        dictionary: &Bound<'_, PyAny>,
        n_samples: usize,
        batch_size: usize,
        seed: u64,
        positive_dict: bool,
        tol: f64,
        max_no_improvement: Option<usize>,
        forget_rho: Option<f64>,
        numpy_state: Option<NumpyState>,
    ) -> PyResult<Self> {
        use sparsecode::dict::online::OnlineRun;
        fn build<T: Real + Element>(d: PyReadonlyArray2<'_, T>, n: usize, p: &OnlineParams, rng: Generator) -> PyResult<OnlineRun<T>> {
            let (nf, k) = (d.shape()[1], d.shape()[0]);
            if n == 0 {
                return Err(PyValueError::new_err("no signals"));
            }
            let state = OnlineState::new(nf, k, to_vec(&d)?).map_err(value_error)?;
            Ok(OnlineRun::new(&p.check().map_err(value_error)?, n, state, rng))
        }
        let rng = generator(numpy_state, seed)?;
        let params = |k| OnlineParams { batch_size, seed, positive_dict, tol, max_no_improvement, forget_rho, ..OnlineParams::new(k) };
        Ok(Self(if let Ok(d) = dictionary.extract::<PyReadonlyArray2<'_, f64>>() {
            let p = params(d.shape()[0]);
            AnyRun::F64(build(d, n_samples, &p, rng)?)
        } else {
            let d = dictionary.extract::<PyReadonlyArray2<'_, f32>>()?;
            let p = params(d.shape()[0]);
            AnyRun::F32(build(d, n_samples, &p, rng)?)
        }))
    }

    /// Merges `parts` (each `batch_stats`'s tuple, in the given order) and
    /// takes one step; atoms that went unused are restarted from a row of
    /// `pool` `(n, n_features)`. Returns the stop reason (`"tol"`,
    /// `"max_no_improvement"`) or `None`.
    fn step(&mut self, py: Python<'_>, parts: &Bound<'_, PyAny>, pool: &Bound<'_, PyAny>) -> PyResult<Option<&'static str>> {
        match &mut self.0 {
            AnyRun::F32(r) => run_step(py, r, parts, pool),
            AnyRun::F64(r) => run_step(py, r, parts, pool),
        }
    }

    /// `(dictionary (n_atoms, n_features), A (n_atoms, n_atoms), Bᵀ (n_atoms,
    /// n_features))`, copies.
    fn state(&self, py: Python<'_>) -> PyResult<Py<PyAny>> {
        match &self.0 {
            AnyRun::F32(r) => run_state(py, r),
            AnyRun::F64(r) => run_state(py, r),
        }
    }

    /// Steps taken.
    #[getter]
    fn n_steps(&self) -> usize {
        match &self.0 {
            AnyRun::F32(r) => r.records.len(),
            AnyRun::F64(r) => r.records.len(),
        }
    }

    /// The smoothed mini-batch cost (scikit-learn's `_ewa_cost`).
    #[getter]
    fn objective(&self) -> f64 {
        match &self.0 {
            AnyRun::F32(r) => r.objective(),
            AnyRun::F64(r) => r.objective(),
        }
    }

    /// Each step's `(mean cost, mean non-zeros, atoms replaced)`.
    #[getter]
    fn records(&self) -> Vec<(f64, f64, usize)> {
        let recs = match &self.0 {
            AnyRun::F32(r) => &r.records,
            AnyRun::F64(r) => &r.records,
        };
        recs.iter().map(|r| (r.objective, r.mean_nnz, r.replaced)).collect()
    }
}

fn init_t<T: Real + Element>(py: Python<'_>, x: PyReadonlyArray2<'_, T>, n_atoms: usize, init: &Init, seed: u64) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    let d = py.detach(|| init.build(xm, n_atoms, &mut SplitMix(seed))).map_err(value_error)?;
    array2(py, d, n_atoms, xm.nrows())
}

/// The initial dictionary `(n_atoms, n_features)` a learner would start
/// from (`init` as in `fit_dictionary`), in the dtype of `x`.
#[pyfunction]
#[pyo3(signature = (x, n_atoms, init="svd", dict_init=None, seed=0))]
fn initial_dictionary(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    n_atoms: usize,
    init: &str,
    dict_init: Option<PyReadonlyArray2<'_, f64>>,
    seed: u64,
) -> PyResult<Py<PyAny>> {
    let init = init_of(init, dict_init)?;
    if let Ok(x64) = x.extract::<PyReadonlyArray2<'_, f64>>() {
        init_t(py, x64, n_atoms, &init, seed)
    } else if let Ok(x32) = x.extract::<PyReadonlyArray2<'_, f32>>() {
        init_t(py, x32, n_atoms, &init, seed)
    } else {
        Err(PyTypeError::new_err("x must be a 2-D float32 or float64 array"))
    }
}

/// An image `(height, width)` or `(height, width, channels)` of f64 as the
/// library's image.
fn image_of(img: &Bound<'_, PyAny>) -> PyResult<sparsecode::patches::Image> {
    let arr = img.extract::<numpy::PyReadonlyArrayDyn<'_, f64>>()?;
    let shape = arr.shape().to_vec();
    let (h, w, c) = match shape[..] {
        [h, w] => (h, w, 1),
        [h, w, c] => (h, w, c),
        _ => return Err(PyValueError::new_err("an image is 2-D, or 3-D with channels last")),
    };
    let data = arr.as_slice().map_err(value_error)?.to_vec();
    sparsecode::patches::Image::new(w, h, c, data).map_err(value_error)
}

fn image_out(py: Python<'_>, img: sparsecode::patches::Image) -> PyResult<Py<PyAny>> {
    let (h, w, c) = (img.height, img.width, img.channels);
    let arr = img.data.into_pyarray(py);
    Ok(if c == 1 { arr.reshape([h, w])?.into_any().unbind() } else { arr.reshape([h, w, c])?.into_any().unbind() })
}

/// The `(ph, pw)` patches of `image` with the given top-left corners (all
/// of them, in scikit-learn's order, when `None`), as `(n, ph·pw·channels)`.
#[pyfunction]
#[pyo3(signature = (image, ph, pw, corners=None))]
fn extract_patches(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    ph: usize,
    pw: usize,
    corners: Option<Vec<(usize, usize)>>,
) -> PyResult<Py<PyAny>> {
    use sparsecode::patches::patches::{corners as all_corners, extract_at};
    let img = image_of(image)?;
    let corners = match corners {
        Some(c) => c,
        None => all_corners(&img, &sparsecode::patches::PatchSpec::new(ph, pw)).map_err(value_error)?,
    };
    let p = py.detach(|| extract_at(&img, ph, pw, corners)).map_err(value_error)?;
    let (n, nf) = (p.n_patches(), p.n_features());
    array2(py, p.data, n, nf)
}

/// scikit-learn's `reconstruct_from_patches_2d`: every patch of an image of
/// `(height, width, channels)`, in extraction order, averaged back.
#[pyfunction]
fn reconstruct_patches(
    py: Python<'_>,
    patches: PyReadonlyArray2<'_, f64>,
    ph: usize,
    pw: usize,
    height: usize,
    width: usize,
    channels: usize,
) -> PyResult<Py<PyAny>> {
    use sparsecode::patches::patches::{Patches, corners};
    if height < ph || width < pw || ph == 0 || pw == 0 {
        return Err(PyValueError::new_err("the patches do not fit the image size"));
    }
    let blank = sparsecode::patches::Image::new(width, height, channels, vec![0.0; width * height * channels]).map_err(value_error)?;
    let corners = corners(&blank, &sparsecode::patches::PatchSpec::new(ph, pw)).map_err(value_error)?;
    let data = patches.as_slice().map_err(value_error)?.to_vec();
    if data.len() != corners.len() * ph * pw * channels {
        return Err(PyValueError::new_err(format!("{} patches expected for a {height}×{width} image", corners.len())));
    }
    let p = Patches { data, patch_height: ph, patch_width: pw, channels, corners };
    let img = py.detach(|| sparsecode::patches::reconstruct_average(&p, None, height, width)).map_err(value_error)?;
    image_out(py, img)
}

/// Denoises `image` (values in the units of `sigma`); returns the image
/// and the mean atoms per patch.
#[pyfunction]
#[pyo3(signature = (image, sigma, patch=None, n_atoms=256, iterations=20, gain=1.1, lambda_factor=20.0, max_training=65000, seed=0, learner="online", steps=400, sparsity_weights=true, non_local="average", colour="opponent", n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn denoise(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    sigma: f64,
    patch: Option<usize>,
    n_atoms: usize,
    iterations: usize,
    gain: f64,
    lambda_factor: f64,
    max_training: usize,
    seed: u64,
    learner: &str,
    steps: usize,
    sparsity_weights: bool,
    non_local: &str,
    colour: &str,
    n_jobs: Option<usize>,
) -> PyResult<(Py<PyAny>, f64)> {
    use sparsecode::denoise::{Denoiser, GroupCoding, Learner, NonLocal};
    // The non-local defaults for this σ.
    let base = Denoiser::new(sigma).non_local.unwrap_or_default();
    let non_local = match non_local {
        "average" => Some(base),
        "somp" => Some(NonLocal { coding: GroupCoding::Simultaneous, ..base }),
        "group_lasso" => Some(NonLocal { coding: GroupCoding::GroupLasso, ..base }),
        "none" => None,
        other => return Err(PyValueError::new_err(format!("non_local must be 'average', 'somp', 'group_lasso' or 'none', got {other:?}"))),
    };
    let (joint_colour, opponent_colour) = match colour {
        "opponent" => (false, true),
        "rgb" => (false, false),
        "joint" => (true, true),
        "joint-rgb" => (true, false),
        other => return Err(PyValueError::new_err(format!("colour must be 'opponent', 'rgb', 'joint' or 'joint-rgb', got {other:?}"))),
    };
    let learner = match learner {
        "online" => Learner::online(steps),
        "ksvd" => Learner::Ksvd,
        other => return Err(PyValueError::new_err(format!("learner must be 'online' or 'ksvd', got {other:?}"))),
    };
    let d = Denoiser {
        sigma,
        patch: patch.unwrap_or(Denoiser::new(sigma).patch),
        n_atoms,
        iterations,
        gain,
        lambda_factor,
        max_training,
        seed,
        learner,
        sparsity_weights,
        non_local,
        joint_colour,
        opponent_colour,
        ..Denoiser::new(sigma)
    };
    let img = image_of(image)?;
    let (out, report) = py.detach(|| on_threads(n_jobs, || d.run(&img, &mut Quiet)))?.map_err(value_error)?;
    Ok((image_out(py, out)?, report.mean_nnz))
}

/// Fills the pixels of `image` where `known` (a `(height, width)` boolean
/// array) is false; returns the image and the mean atoms per patch.
#[pyfunction]
#[pyo3(signature = (image, known, sigma=None, patch=None, n_atoms=None, max_atoms=None, steps=None, refine=None, max_training=None, seed=0, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
fn inpaint(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    known: PyReadonlyArray2<'_, bool>,
    sigma: Option<f64>,
    patch: Option<usize>,
    n_atoms: Option<usize>,
    max_atoms: Option<usize>,
    steps: Option<usize>,
    refine: Option<usize>,
    max_training: Option<usize>,
    seed: u64,
    n_jobs: Option<usize>,
) -> PyResult<(Py<PyAny>, f64)> {
    use sparsecode::inpaint::Inpainter;
    let base = Inpainter::default();
    let p = Inpainter {
        sigma: sigma.unwrap_or(base.sigma),
        patch: patch.unwrap_or(base.patch),
        n_atoms: n_atoms.unwrap_or(base.n_atoms),
        max_atoms: max_atoms.unwrap_or(base.max_atoms),
        steps: steps.unwrap_or(base.steps),
        refine: refine.unwrap_or(base.refine),
        max_training: max_training.unwrap_or(base.max_training),
        seed,
        ..base
    };
    let img = image_of(image)?;
    let flags = known.as_slice().map_err(|_| PyValueError::new_err("known must be C-contiguous"))?;
    let (out, report) = py.detach(|| on_threads(n_jobs, || p.run(&img, flags, &mut Quiet)))?.map_err(value_error)?;
    Ok((image_out(py, out)?, report.mean_nnz))
}

/// The noise standard deviation of `image`, estimated from the image
/// (`sparsecode::denoise::estimate_sigma`).
#[pyfunction]
fn estimate_sigma(image: &Bound<'_, PyAny>) -> PyResult<f64> {
    Ok(sparsecode::denoise::estimate_sigma(&image_of(image)?))
}

/// The embedded `camera` image (512 × 512, values 0..255 as float64).
#[pyfunction]
fn camera(py: Python<'_>) -> PyResult<Py<PyAny>> {
    image_out(py, sparsecode::patches::camera())
}

/// The compiled core of `sparsecode`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("LASSO_CD_TOL", LASSO_CD_TOL)?;
    m.add_function(wrap_pyfunction!(encode, m)?)?;
    m.add_function(wrap_pyfunction!(fit_dictionary, m)?)?;
    m.add_function(wrap_pyfunction!(online_step, m)?)?;
    m.add_function(wrap_pyfunction!(batch_stats, m)?)?;
    m.add_class::<PyOnlineRun>()?;
    m.add_function(wrap_pyfunction!(initial_dictionary, m)?)?;
    m.add_function(wrap_pyfunction!(extract_patches, m)?)?;
    m.add_function(wrap_pyfunction!(reconstruct_patches, m)?)?;
    m.add_function(wrap_pyfunction!(denoise, m)?)?;
    m.add_function(wrap_pyfunction!(inpaint, m)?)?;
    m.add_function(wrap_pyfunction!(estimate_sigma, m)?)?;
    m.add_function(wrap_pyfunction!(camera, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
