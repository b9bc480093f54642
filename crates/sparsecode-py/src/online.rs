//! Online learning driven from Python: one step (`online_step`, scikit-learn's
//! `partial_fit`), a shard's statistics (`batch_stats`), an `OnlineRun` fed
//! merged statistics (the Dask driver), and the mini-batch `Schedule` every
//! online learner reads. Parameters left at `None` are `OnlineParams::new`'s.

use numpy::{Element, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use sparsecode::Encoder;
use sparsecode::dict::online::{BATCH_CHUNK, BatchStats, OnlineParams, OnlineRun, OnlineState, step_seed};
use sparsecode::dict::rng::Generator;
use sparsecode::dict::schedule::Schedule;
use sparsecode::linalg::Real;

use crate::args::{NumpyState, array2, detach, generator, no_improvement, numpy_state_out, signals, to_vec, value_error, with_floats};
use crate::encode::learner_encoder;

/// The learners' coder of one mini-batch.
/// `algorithm` at `alpha` (`None`: the online learner's own coder).
fn batch_encoder(
    algorithm: Option<&str>,
    alpha: f64,
    positive_code: bool,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
) -> PyResult<Encoder> {
    let enc = match algorithm {
        Some(a) => learner_encoder(a, Some(alpha), coder_max_iter, positive_code, n_jobs)?,
        None => {
            let p = OnlineParams { alpha, positive_code, ..OnlineParams::new(0) };
            match n_jobs {
                Some(n) => p.encoder().threads(n),
                None => p.encoder(),
            }
        }
    };
    Ok(enc.chunk_size(BATCH_CHUNK))
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
    let cost = detach(py, || -> sparsecode::dict::Result<f64> {
        let stats: BatchStats<T> = state.batch_stats(enc, &batch, alpha)?;
        state.apply(&stats, &batch, positive_dict, &mut rng)?;
        Ok(stats.cost / stats.n_samples as f64)
    })?
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
#[pyo3(signature = (dictionary, a, b, step, x, alpha, algorithm=None, positive_code=false, positive_dict=false, coder_max_iter=None, seed=None, n_jobs=None, numpy_state=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn online_step(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    a: &Bound<'_, PyAny>,
    b: &Bound<'_, PyAny>,
    step: usize,
    x: &Bound<'_, PyAny>,
    alpha: f64,
    algorithm: Option<&str>,
    positive_code: bool,
    positive_dict: bool,
    coder_max_iter: Option<usize>,
    seed: Option<u64>,
    n_jobs: Option<usize>,
    numpy_state: Option<NumpyState>,
) -> PyResult<Py<PyAny>> {
    let seed = seed.unwrap_or(OnlineParams::new(0).seed);
    let enc = batch_encoder(algorithm, alpha, positive_code, coder_max_iter, n_jobs)?;
    let rng = generator(numpy_state, step_seed(seed, step))?;
    with_floats!(x, |x| step_t(py, dictionary.extract()?, a.extract()?, b.extract()?, step, x, &enc, alpha, positive_dict, rng))
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
    let stats = detach(py, || state.batch_stats(enc, &batch, alpha))?.map_err(value_error)?;
    let out = (array2(py, stats.a, k, k)?, array2(py, stats.b, k, nf)?, stats.n_samples, stats.cost, stats.nnz);
    Ok(out.into_pyobject(py)?.into_any().unbind())
}

/// What the mini-batch `x` contributes to online learning with
/// `dictionary` (a worker's share of a distributed step): `(Σ ccᵀ
/// (n_atoms, n_atoms), (Σ xcᵀ)ᵀ (n_atoms, n_features), n_samples, Σ cost,
/// Σ non-zeros)`, codes by `algorithm` at `alpha`.
#[pyfunction]
#[pyo3(signature = (dictionary, x, alpha, algorithm=None, positive_code=false, coder_max_iter=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn batch_stats(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    alpha: f64,
    algorithm: Option<&str>,
    positive_code: bool,
    coder_max_iter: Option<usize>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let enc = batch_encoder(algorithm, alpha, positive_code, coder_max_iter, n_jobs)?;
    with_floats!(x, |x| batch_stats_t(py, dictionary.extract()?, x, &enc, alpha))
}

/// The two precisions of an [`OnlineRun`](sparsecode::dict::online::OnlineRun).
enum AnyRun {
    F32(OnlineRun<f32>),
    F64(OnlineRun<f64>),
}

impl From<OnlineRun<f32>> for AnyRun {
    fn from(r: OnlineRun<f32>) -> Self {
        AnyRun::F32(r)
    }
}

impl From<OnlineRun<f64>> for AnyRun {
    fn from(r: OnlineRun<f64>) -> Self {
        AnyRun::F64(r)
    }
}

/// An online fit driven from Python (the distributed learner's driver):
/// the state, the generator of atom replacements and scikit-learn's
/// stopping rules of the library's `OnlineRun`, fed the statistics that
/// `batch_stats` computed elsewhere. Same dictionary as the in-memory
/// learner for the same batches.
#[pyclass(module = "sparsecode._core", name = "OnlineRun")]
pub(crate) struct PyOnlineRun(AnyRun);

/// Sums `parts` (`(a, b, n_samples, cost, nnz)` tuples as `batch_stats`
/// returns them) in their order, then takes one step.
fn run_step<T: Real + Element>(
    py: Python<'_>,
    run: &mut OnlineRun<T>,
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
    let stop = detach(py, || run.step(&merged, &pool))?.map_err(value_error)?;
    Ok(stop.map(|s| s.name()))
}

fn run_state<T: Real + Element>(py: Python<'_>, run: &OnlineRun<T>) -> PyResult<Py<PyAny>> {
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
    #[pyo3(signature = (dictionary, n_samples, batch_size=None, seed=None, positive_dict=false, tol=None, max_no_improvement=None, forget_rho=None, numpy_state=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        dictionary: &Bound<'_, PyAny>,
        n_samples: usize,
        batch_size: Option<usize>,
        seed: Option<u64>,
        positive_dict: bool,
        tol: Option<f64>,
        max_no_improvement: Option<i64>,
        forget_rho: Option<f64>,
        numpy_state: Option<NumpyState>,
    ) -> PyResult<Self> {
        fn build<T: Real + Element>(d: PyReadonlyArray2<'_, T>, n: usize, p: &OnlineParams, rng: Generator) -> PyResult<OnlineRun<T>> {
            let (nf, k) = (d.shape()[1], d.shape()[0]);
            if n == 0 {
                return Err(PyValueError::new_err("no signals"));
            }
            let state = OnlineState::new(nf, k, to_vec(&d)?).map_err(value_error)?;
            Ok(OnlineRun::new(&p.check().map_err(value_error)?, n, state, rng))
        }
        let params = |k| {
            let b = OnlineParams::new(k);
            OnlineParams {
                batch_size: batch_size.unwrap_or(b.batch_size),
                seed: seed.unwrap_or(b.seed),
                positive_dict,
                tol: tol.unwrap_or(b.tol),
                max_no_improvement: no_improvement(max_no_improvement, b.max_no_improvement),
                forget_rho,
                ..b
            }
        };
        let rng = generator(numpy_state, params(0).seed)?;
        with_floats!(dictionary, |d| {
            let p = params(d.shape()[0]);
            Ok(Self(build(d, n_samples, &p, rng)?.into()))
        })
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

/// The mini-batches of an online fit on `n_samples` signals, in order
/// (the library's `Schedule`; parameters left at `None` are the online
/// learner's defaults).
#[pyclass(module = "sparsecode._core", name = "Schedule")]
pub(crate) struct PySchedule(Schedule);

#[pymethods]
impl PySchedule {
    #[new]
    #[pyo3(signature = (n_samples, batch_size=None, max_epochs=None, max_steps=None))]
    fn new(n_samples: usize, batch_size: Option<usize>, max_epochs: Option<usize>, max_steps: Option<usize>) -> PyResult<Self> {
        let b = OnlineParams::new(0);
        let s = Schedule::new(n_samples, batch_size.unwrap_or(b.batch_size), max_epochs.unwrap_or(b.max_epochs), max_steps);
        Ok(Self(s.map_err(value_error)?))
    }

    /// Signals per batch (at most `n_samples`).
    #[getter]
    fn batch_size(&self) -> usize {
        self.0.batch_size
    }

    /// Batches per pass over the signals.
    #[getter]
    fn steps_per_epoch(&self) -> usize {
        self.0.steps_per_epoch
    }

    /// Steps at most.
    #[getter]
    fn max_steps(&self) -> usize {
        self.0.max_steps
    }

    /// `(start, end)`: the positions step `step` (from 0) reads.
    fn range(&self, step: usize) -> (usize, usize) {
        let r = self.0.range(step);
        (r.start, r.end)
    }

    /// Passes over the data begun after `steps` steps (`n_iter_`).
    fn epochs(&self, steps: usize) -> usize {
        self.0.epochs(steps)
    }
}
