//! `fit_dictionary` (online, batch and K-SVD learning, whole or masked) and
//! `initial_dictionary`. Every parameter left at `None` is the learner's own
//! default (`OnlineParams::new`, `BatchParams::new`, `KsvdParams::new`).

use numpy::{Element, PyReadonlyArray2};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sparsecode::Encoder;
use sparsecode::dict::batch::BatchParams;
use sparsecode::dict::init::Init;
use sparsecode::dict::ksvd::KsvdParams;
use sparsecode::dict::online::{BATCH_CHUNK, OnlineParams, Resume};
use sparsecode::dict::progress::{Deadline, Observer, Progress};
use sparsecode::dict::rng::SplitMix;
use sparsecode::dict::{Fit, Learn, LearnMasked, Method};
use sparsecode::linalg::Real;
use sparsecode::solvers::{AlgorithmName, Setting};

use crate::args::{
    NumpyState, array2, detach, flags, no_improvement, numpy_state_in, numpy_state_out, on_threads, parse, to_vec, value_error, view,
    with_floats,
};
use crate::encode::{encoder, learner_encoder, settings_of};

/// How a learner starts: a name of the library's `Init` (`"data"`,
/// `"svd"`, `"dct"`), or `dict_init` `(n_atoms, n_features)` when given.
pub(crate) fn init_of(kind: Option<&str>, dict_init: Option<PyReadonlyArray2<'_, f64>>) -> PyResult<Option<Init>> {
    Ok(match (kind, dict_init) {
        (_, Some(d)) => Some(Init::Given(d.as_slice().map_err(value_error)?.to_vec())),
        (Some(k), None) => Some(parse::<Init>(k)?),
        (None, None) => None,
    })
}

/// A fit as `(components (n_atoms, n_features), objectives per iteration,
/// final objective, stop reason, A, B, NumPy state)`; A and B are `None`
/// for K-SVD.
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

/// The optional arguments of online and batch learning; `None` keeps the
/// base parameters' value (the library's default).
pub(crate) struct Overrides {
    pub(crate) alpha: Option<f64>,
    pub(crate) batch_size: Option<usize>,
    pub(crate) max_epochs: Option<usize>,
    pub(crate) max_steps: Option<usize>,
    pub(crate) shuffle: Option<bool>,
    pub(crate) seed: Option<u64>,
    pub(crate) positive_dict: bool,
    pub(crate) positive_code: bool,
    pub(crate) tol: Option<f64>,
    pub(crate) max_no_improvement: Option<i64>,
    pub(crate) init: Option<Init>,
    pub(crate) forget_rho: Option<f64>,
    pub(crate) epoch_windows: bool,
    pub(crate) atom_set: Option<sparsecode::solvers::prox::Projection<f64>>,
    pub(crate) numpy_state: Option<NumpyState>,
    pub(crate) resume: Option<Resume>,
}

impl Overrides {
    /// Online learning's parameters: `b` with the given values.
    pub(crate) fn online(self, b: OnlineParams) -> PyResult<OnlineParams> {
        Ok(OnlineParams {
            alpha: self.alpha.unwrap_or(b.alpha),
            batch_size: self.batch_size.unwrap_or(b.batch_size),
            max_epochs: self.max_epochs.unwrap_or(b.max_epochs),
            max_steps: self.max_steps.or(b.max_steps),
            shuffle: self.shuffle.unwrap_or(b.shuffle),
            seed: self.seed.unwrap_or(b.seed),
            numpy_state: numpy_state_in(self.numpy_state)?.or(b.numpy_state.clone()),
            // A sign constraint of the base (`nmf`'s) stays.
            positive_dict: self.positive_dict || b.positive_dict,
            positive_code: self.positive_code || b.positive_code,
            tol: self.tol.unwrap_or(b.tol),
            max_no_improvement: no_improvement(self.max_no_improvement, b.max_no_improvement),
            init: self.init.unwrap_or(b.init.clone()),
            forget_rho: self.forget_rho.or(b.forget_rho),
            epoch_windows: self.epoch_windows || b.epoch_windows,
            atom_set: self.atom_set.or(b.atom_set),
            resume: self.resume.or(b.resume.clone()),
            ..b
        })
    }

    /// Batch learning's parameters: `b` with the given values.
    pub(crate) fn batch(self, b: BatchParams) -> PyResult<BatchParams> {
        Ok(BatchParams {
            alpha: self.alpha.unwrap_or(b.alpha),
            max_iter: self.max_epochs.unwrap_or(b.max_iter),
            tol: self.tol.unwrap_or(b.tol),
            seed: self.seed.unwrap_or(b.seed),
            init: self.init.unwrap_or(b.init.clone()),
            numpy_state: numpy_state_in(self.numpy_state)?.or(b.numpy_state.clone()),
            positive_dict: self.positive_dict,
            positive_code: self.positive_code,
            ..b
        })
    }
}

/// The learners' own parameters.
enum Params {
    Online(OnlineParams),
    Batch(BatchParams),
    Ksvd(KsvdParams),
}

/// The learner's progress handed to a Python callable
/// `progress(iteration, total, objective, smoothed)` (scikit-learn's
/// `verbose` lines are printed there), the GIL taken only for the call. An
/// exception the callable raises (a `KeyboardInterrupt`, say) stops the fit
/// and is raised again.
pub(crate) struct PyProgress {
    pub(crate) callback: Option<Py<PyAny>>,
    pub(crate) error: Option<PyErr>,
}

impl Observer for PyProgress {
    fn observe(&mut self, p: &Progress) -> std::ops::ControlFlow<()> {
        let Some(callback) = &self.callback else {
            return std::ops::ControlFlow::Continue(());
        };
        match Python::attach(|py| callback.call1(py, (p.iteration, p.total, p.objective, p.smoothed)).map(drop)) {
            Ok(()) => std::ops::ControlFlow::Continue(()),
            Err(e) => {
                self.error = Some(e);
                std::ops::ControlFlow::Break(())
            }
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_t<T: Real + Element>(
    py: Python<'_>,
    x: PyReadonlyArray2<'_, T>,
    params: &Params,
    enc: Option<&Encoder>,
    mask: Option<&PyReadonlyArray2<'_, bool>>,
    n_jobs: Option<usize>,
    progress: Option<Py<PyAny>>,
    seconds: Option<f64>,
) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    let observed = mask.map(|m| flags(m, "mask")).transpose()?;
    let mut watch = PyProgress { callback: progress, error: None };
    let limit =
        seconds.map(std::time::Duration::try_from_secs_f64).transpose().map_err(|e| PyValueError::new_err(format!("seconds: {e}")))?;
    let mut timed = limit.map(|l| Deadline::new(&mut watch, l));
    let watching: &mut (dyn Observer + Send) = match timed.as_mut() {
        Some(d) => d,
        None => &mut watch,
    };
    let fit = detach(py, || {
        on_threads(n_jobs, || match (params, observed) {
            (Params::Online(p), None) => p.check().and_then(|v| match enc {
                Some(e) => v.fit_with(xm, &e.clone().chunk_size(BATCH_CHUNK), watching),
                None => v.fit(xm, watching),
            }),
            (Params::Online(p), Some(m)) => p.check().and_then(|v| match enc {
                Some(e) => v.fit_masked_with(xm, m, &e.clone().chunk_size(BATCH_CHUNK), watching),
                None => v.fit_masked(xm, m, watching),
            }),
            (Params::Batch(p), None) => p.check().and_then(|v| match enc {
                Some(e) => v.fit_with(xm, e, watching),
                None => v.fit(xm, watching),
            }),
            (Params::Batch(_), Some(_)) => {
                Err(sparsecode::dict::Error::Dimension("missing values: the batch learner has no masked form".into()))
            }
            (Params::Ksvd(p), None) => p.check().and_then(|v| v.fit(xm, watching)),
            (Params::Ksvd(p), Some(m)) => p.check().and_then(|v| v.fit_masked(xm, m, watching)),
        })
    })??;
    if let Some(e) = watch.error {
        return Err(e);
    }
    fit_out(py, fit.map_err(value_error)?)
}

/// Learns a dictionary of `n_atoms` atoms from the rows of `x`
/// `(n_samples, n_features)`. `method` is a learner's name (`"online"`,
/// `"batch"`, `"ksvd"`); `algorithm` the coder of online and batch learning
/// (`"lasso_lars"`, `"lasso_cd"`, …; `None`: the learner's own). Every
/// parameter left at `None` is the learner's default; a negative
/// `max_no_improvement` turns that stopping rule off; `max_epochs` is K-SVD's and batch
/// learning's iteration count. Returns `(components, objectives, objective,
/// stop reason, A, B, state)` (A, B: online only; state: the NumPy
/// generator's after the fit). `progress`, a callable, is called after
/// every iteration with `(iteration, total, objective, smoothed)`. `coder`
/// (a dict of `encode`'s settings) sets the coder's own settings;
/// `seconds` stops the fit once that much time has passed; `epoch_windows`
/// makes online learning keep SPAMS's statistics; `atom_set`, `(name,
/// (radius, l1, l2, tv))` (a name of `PROJECTIONS`), the set its atoms are
/// projected on instead of the unit ball; `resume`, `(A, B, steps)`, the
/// statistics an online fit continues from (SPAMS's `model`), C-contiguous
/// in the layout the fit returns them: `A` (n_atoms, n_atoms), `B`
/// (n_atoms, n_features).
#[pyfunction]
#[pyo3(signature = (x, method, n_atoms, alpha=None, batch_size=None, max_epochs=None, max_steps=None, shuffle=None, seed=None,
    positive_dict=false, positive_code=false, tol=None, max_no_improvement=None, init=None, dict_init=None, forget_rho=None,
    epoch_windows=false, atom_set=None, algorithm=None, coder_max_iter=None, n_nonzero=None, goal=None, max_nonzero=None, exact=false, n_jobs=None, mask=None,
    numpy_state=None, progress=None, coder=None, seconds=None, resume=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit_dictionary(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    method: &str,
    n_atoms: usize,
    alpha: Option<f64>,
    batch_size: Option<usize>,
    max_epochs: Option<usize>,
    max_steps: Option<usize>,
    shuffle: Option<bool>,
    seed: Option<u64>,
    positive_dict: bool,
    positive_code: bool,
    tol: Option<f64>,
    max_no_improvement: Option<i64>,
    init: Option<&str>,
    dict_init: Option<PyReadonlyArray2<'_, f64>>,
    forget_rho: Option<f64>,
    epoch_windows: bool,
    atom_set: Option<(String, [f64; 4])>,
    algorithm: Option<&str>,
    coder_max_iter: Option<usize>,
    n_nonzero: Option<usize>,
    goal: Option<f64>,
    max_nonzero: Option<usize>,
    exact: bool,
    n_jobs: Option<usize>,
    mask: Option<PyReadonlyArray2<'_, bool>>,
    numpy_state: Option<NumpyState>,
    progress: Option<Py<PyAny>>,
    coder: Option<&Bound<'_, PyDict>>,
    seconds: Option<f64>,
    resume: Option<(PyReadonlyArray2<'_, f64>, PyReadonlyArray2<'_, f64>, usize)>,
) -> PyResult<Py<PyAny>> {
    let init = init_of(init, dict_init)?;
    let resume = match resume {
        Some((a, b, step)) => Some(Resume { a: to_vec(&a)?, b: to_vec(&b)?, step }),
        None => None,
    };
    let atom_set = match atom_set {
        Some((name, [radius, l1, l2, tv])) => {
            Some(sparsecode::solvers::prox::Projection::new(parse::<sparsecode::solvers::prox::ProjectionName>(&name)?, radius, l1, l2, tv))
        }
        None => None,
    };
    let given = Overrides {
        alpha,
        batch_size,
        max_epochs,
        max_steps,
        shuffle,
        seed,
        positive_dict,
        positive_code,
        tol,
        max_no_improvement,
        init: init.clone(),
        forget_rho,
        epoch_windows,
        atom_set,
        numpy_state,
        resume,
    };
    let params = match parse::<Method>(method)? {
        Method::Online => Params::Online(given.online(OnlineParams::new(n_atoms))?),
        Method::Nmf => Params::Online(given.online(OnlineParams::nmf(n_atoms))?),
        Method::Batch => Params::Batch(given.batch(BatchParams::new(n_atoms))?),
        Method::Ksvd => {
            let b = KsvdParams::new(n_atoms);
            Params::Ksvd(KsvdParams {
                n_nonzero,
                tol: goal,
                max_nonzero,
                iterations: max_epochs.unwrap_or(b.iterations),
                exact,
                init: init.unwrap_or(b.init),
                seed: seed.unwrap_or(b.seed),
                ..b
            })
        }
    };
    // The coder's penalty is the learner's.
    let alpha = match &params {
        Params::Online(p) => Some(p.alpha),
        Params::Batch(p) => Some(p.alpha),
        Params::Ksvd(_) => alpha,
    };
    let enc = match (algorithm, coder) {
        // The coder's own settings (`alpha` and the sign constraint the
        // learner's where they apply and are not given).
        (Some(a), Some(c)) => {
            let name = parse::<AlgorithmName>(a)?;
            let mut s = settings_of(Some(c))?;
            if name.accepts(Setting::Alpha) && s.alpha.is_none() {
                s.alpha = alpha;
            }
            s.positive |= positive_code;
            s.max_iter = s.max_iter.or(coder_max_iter);
            Some(encoder(a, &s, None)?)
        }
        (Some(a), None) => Some(learner_encoder(a, alpha, coder_max_iter, positive_code, None)?),
        (None, _) => None,
    };
    let progress = progress.as_ref().map(|p| p.clone_ref(py));
    with_floats!(x, |x| fit_t(py, x, &params, enc.as_ref(), mask.as_ref(), n_jobs, progress, seconds))
}

fn init_t<T: Real + Element>(py: Python<'_>, x: PyReadonlyArray2<'_, T>, n_atoms: usize, init: &Init, seed: u64) -> PyResult<Py<PyAny>> {
    let xm = view(&x)?;
    let d = detach(py, || init.build(xm, n_atoms, &mut SplitMix(seed)))?.map_err(value_error)?;
    array2(py, d, n_atoms, xm.nrows())
}

/// The initial dictionary `(n_atoms, n_features)` a learner would start
/// from (`init` as in `fit_dictionary`; `seed` left at `None` is the
/// online learner's), in the dtype of `x`.
#[pyfunction]
#[pyo3(signature = (x, n_atoms, init, dict_init=None, seed=None))]
pub(crate) fn initial_dictionary(
    py: Python<'_>,
    x: &Bound<'_, PyAny>,
    n_atoms: usize,
    init: &str,
    dict_init: Option<PyReadonlyArray2<'_, f64>>,
    seed: Option<u64>,
) -> PyResult<Py<PyAny>> {
    let init = init_of(Some(init), dict_init)?.unwrap_or(Init::Svd);
    let seed = seed.unwrap_or(OnlineParams::new(0).seed);
    with_floats!(x, |x| init_t(py, x, n_atoms, &init, seed))
}
