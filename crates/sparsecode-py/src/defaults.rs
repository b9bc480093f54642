//! The library's defaults, read out for Python: `defaults(kind, sigma,
//! method)`.
//! The binding's own functions leave every such parameter at `None` and
//! fill it from the same library values; this lets the Python layer show
//! them (and its tests check that passing them changes nothing).

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use sparsecode::denoise::{DenoiseMethod, Denoiser, Learner, NO_NON_LOCAL};
use sparsecode::dict::batch::BatchParams;
use sparsecode::dict::ksvd::KsvdParams;
use sparsecode::dict::online::OnlineParams;
use sparsecode::inpaint::Inpainter;
use sparsecode::solvers::{AlgorithmName, DEFAULT_ALPHA, DEFAULT_N_NONZERO_RULE, LASSO_CD_TOL, LassoParams};

/// The defaults of `kind`, by the binding's parameter names: `"denoise"`
/// (at noise `sigma`; without it, the defaults that do not depend on σ;
/// the settings `method`, by default the library's, reads:
/// [`DenoiseMethod::reads`]), `"inpaint"`, `"online"`, `"batch"`,
/// `"ksvd"` or `"encode"`.
#[pyfunction]
#[pyo3(signature = (kind, sigma=None, method=None))]
pub(crate) fn defaults<'py>(py: Python<'py>, kind: &str, sigma: Option<f64>, method: Option<&str>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    if method.is_some() && kind != "denoise" {
        return Err(PyValueError::new_err(format!("method applies to the defaults of \"denoise\" only, not of {kind:?}")));
    }
    match kind {
        "denoise" => {
            let mut p = sigma.map_or_else(Denoiser::defaults, Denoiser::new);
            if let Some(m) = method {
                p.method = crate::args::parse::<DenoiseMethod>(m)?;
            }
            d.set_item("patch", p.patch)?;
            d.set_item("n_atoms", p.n_atoms)?;
            d.set_item("iterations", p.iterations)?;
            d.set_item("gain", p.gain)?;
            d.set_item("lambda_factor", p.lambda_factor)?;
            d.set_item("max_training", p.max_training)?;
            d.set_item("seed", p.seed)?;
            d.set_item("learner", p.learner.method().name())?;
            if let Learner::Online { steps, .. } = p.learner {
                d.set_item("steps", steps)?;
            }
            d.set_item("sparsity_weights", p.sparsity_weights)?;
            d.set_item("non_local", p.non_local.as_ref().map_or(NO_NON_LOCAL, |nl| nl.coding.name()))?;
            d.set_item("colour", p.colour.name())?;
            d.set_item("method", p.method.name())?;
            for key in d.keys() {
                if !p.method.reads(&key.extract::<String>()?) {
                    d.del_item(key)?;
                }
            }
        }
        "inpaint" => {
            let p = Inpainter::default();
            d.set_item("sigma", p.sigma)?;
            d.set_item("patch", p.patch)?;
            d.set_item("n_atoms", p.n_atoms)?;
            d.set_item("max_atoms", p.max_atoms)?;
            d.set_item("steps", p.steps)?;
            d.set_item("refine", p.refine)?;
            d.set_item("max_training", p.max_training)?;
            d.set_item("seed", p.seed)?;
        }
        "online" => {
            let p = OnlineParams::new(0);
            d.set_item("alpha", p.alpha)?;
            d.set_item("batch_size", p.batch_size)?;
            d.set_item("max_epochs", p.max_epochs)?;
            d.set_item("shuffle", p.shuffle)?;
            d.set_item("seed", p.seed)?;
            d.set_item("tol", p.tol)?;
            d.set_item("max_no_improvement", p.max_no_improvement.map_or(-1, |m| m as i64))?;
            d.set_item("init", p.init.to_string())?;
        }
        "batch" => {
            let p = BatchParams::new(0);
            d.set_item("alpha", p.alpha)?;
            d.set_item("max_epochs", p.max_iter)?;
            d.set_item("tol", p.tol)?;
            d.set_item("seed", p.seed)?;
            d.set_item("init", p.init.to_string())?;
        }
        "ksvd" => {
            let p = KsvdParams::new(0);
            d.set_item("max_epochs", p.iterations)?;
            d.set_item("seed", p.seed)?;
            d.set_item("init", p.init.to_string())?;
            d.set_item("n_nonzero", DEFAULT_N_NONZERO_RULE)?;
        }
        "encode" => {
            d.set_item("algorithm", AlgorithmName::default().name())?;
            d.set_item("alpha", DEFAULT_ALPHA)?;
            d.set_item("n_nonzero", DEFAULT_N_NONZERO_RULE)?;
            d.set_item("max_iter", LassoParams::MAX_ITER)?;
            d.set_item("lasso_cd_tol", LASSO_CD_TOL)?;
        }
        other => return Err(PyValueError::new_err(format!("no defaults for {other:?}"))),
    }
    Ok(d)
}
