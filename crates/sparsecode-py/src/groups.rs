//! `somp` and `group_lasso`: signals coded in groups that share their
//! atoms (`sparsecode::solvers::{Somp, GroupLasso}`, SPAMS's `somp` and
//! `l1L2BCD`). Parameters left at `None` are the library's.

use numpy::PyReadonlyArray2;
use pyo3::prelude::*;
use sparsecode::solvers::{Dictionary, GroupLasso, Somp};

use crate::args::{detach, on_threads, value_error, view, with_floats};
use crate::dense::DenseElement;
use crate::encode::csr_parts;

/// How a group of signals is coded.
enum Coder {
    Somp(Somp),
    GroupLasso(GroupLasso),
}

fn groups_t<T: DenseElement>(
    py: Python<'_>,
    d: PyReadonlyArray2<'_, T>,
    x: PyReadonlyArray2<'_, T>,
    starts: &[usize],
    coder: &Coder,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let (dm, xm) = (view(&d)?, view(&x)?);
    let codes = detach(py, || {
        on_threads(n_jobs, || {
            Dictionary::new(dm).and_then(|dict| match coder {
                Coder::Somp(s) => s.encode(&dict, xm, starts),
                Coder::GroupLasso(g) => g.encode(&dict, xm, starts),
            })
        })
    })??
    .map_err(value_error)?;
    csr_parts(py, codes)
}

/// Simultaneous OMP: the rows of `x` `(n_samples, n_features)` in groups
/// starting at the rows `starts` (from 0, increasing: SPAMS's
/// `list_groups`), each group's signals sharing at most `max_atoms` atoms
/// of `dictionary` `(n_atoms, n_features)`, or as few as bring the group's
/// squared residual to `tol` per signal. Returns the CSR `(data, indices,
/// indptr)` of the codes `(n_samples, n_atoms)`.
#[pyfunction]
#[pyo3(signature = (dictionary, x, starts, max_atoms, tol=None, n_jobs=None))]
pub(crate) fn somp(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    starts: Vec<usize>,
    max_atoms: usize,
    tol: Option<f64>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let coder = Coder::Somp(Somp { max_atoms, tol });
    with_floats!(x, |x| groups_t(py, dictionary.extract()?, x, &starts, &coder, n_jobs))
}

/// The group Lasso over groups of rows of `x` (as `somp` takes them):
/// `½‖X_g − D A‖²_F + lam Σ_j ‖A_j‖₂` per group, by block coordinate
/// descent. Returns the CSR `(data, indices, indptr)` of the codes.
#[pyfunction]
#[pyo3(signature = (dictionary, x, starts, lam, max_iter=None, tol=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn group_lasso(
    py: Python<'_>,
    dictionary: &Bound<'_, PyAny>,
    x: &Bound<'_, PyAny>,
    starts: Vec<usize>,
    lam: f64,
    max_iter: Option<usize>,
    tol: Option<f64>,
    n_jobs: Option<usize>,
) -> PyResult<Py<PyAny>> {
    let base = GroupLasso::new(lam);
    let coder = Coder::GroupLasso(GroupLasso { max_iter: max_iter.unwrap_or(base.max_iter), tol: tol.unwrap_or(base.tol), ..base });
    with_floats!(x, |x| groups_t(py, dictionary.extract()?, x, &starts, &coder, n_jobs))
}
