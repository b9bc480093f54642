//! `sparsecode._core`: the compiled core of the `sparsecode` Python package.
//!
//! A thin binding over the umbrella crate: every function here converts
//! NumPy arrays to faer views (no copy for C- or Fortran-contiguous
//! float32/float64 arrays), releases the GIL, calls the library, and hands
//! the result back as NumPy arrays. No algorithm, default or name lives
//! here: parameters left at `None` are the library's defaults, names are
//! parsed by the library's enums, and the Python layer
//! (`python/sparsecode`) maps scikit-learn's names and semantics onto these
//! calls.
//!
//! Layout: a NumPy C-order `(n_samples, n_features)` array is the
//! column-major `n_features × n_samples` signal matrix of the library, and
//! `components_` `(n_atoms, n_features)` is its dictionary: no transpose.
//!
//! Modules: `args` (arrays, threads, names, NumPy's random state, the one
//! f32/f64 dispatch), `encode`, `groups` (SPAMS's `somp`, `l1L2BCD`), `prox` (`sparseProject`, `proximalFlat`, `decompSimplex`), `archetypal`, `learn`, `sparse_pca`, `online` (steps, statistics, the
//! Dask driver's run, the schedule), `images`, `defaults`, and `dense` (dense
//! outputs in reused memory: the crate's one `unsafe` block).

#![deny(unsafe_code)]

mod archetypal;
mod args;
mod defaults;
mod dense;
mod encode;
mod groups;
mod images;
mod learn;
mod online;
mod prox;
mod sparse_pca;

use pyo3::prelude::*;
use sparsecode::solvers::AlgorithmName;

/// The compiled core of `sparsecode`.
#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("ALGORITHMS", AlgorithmName::NAMES.to_vec())?;
    m.add("PROJECTIONS", sparsecode::solvers::prox::ProjectionName::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(prox::project, m)?)?;
    m.add_function(wrap_pyfunction!(prox::simplex, m)?)?;
    m.add_function(wrap_pyfunction!(prox::regularize, m)?)?;
    m.add_function(wrap_pyfunction!(prox::fista, m)?)?;
    m.add("LOSSES", sparsecode::solvers::Loss::NAMES.to_vec())?;
    m.add("MATRIX_REGULARIZERS", sparsecode::solvers::matrix_regularizer::MatrixRegularizerName::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(prox::regularize_matrix, m)?)?;
    m.add_function(wrap_pyfunction!(prox::fista_matrix_py, m)?)?;
    m.add_function(wrap_pyfunction!(archetypal::archetypal, m)?)?;
    m.add("REGULARIZERS", sparsecode::solvers::regularizer::RegularizerName::NAMES.to_vec())?;
    m.add("INITS", sparsecode::dict::init::Init::NAMES.to_vec())?;
    m.add_function(wrap_pyfunction!(encode::encode, m)?)?;
    m.add_function(wrap_pyfunction!(encode::settings, m)?)?;
    m.add_function(wrap_pyfunction!(encode::refit, m)?)?;
    m.add_function(wrap_pyfunction!(encode::omp_gram, m)?)?;
    m.add_function(wrap_pyfunction!(encode::encode_gram, m)?)?;
    m.add_function(wrap_pyfunction!(groups::somp, m)?)?;
    m.add_function(wrap_pyfunction!(groups::group_lasso, m)?)?;
    m.add_function(wrap_pyfunction!(encode::default_omp_nonzero, m)?)?;
    m.add_function(wrap_pyfunction!(encode::default_omp_path_length, m)?)?;
    m.add_function(wrap_pyfunction!(learn::fit_dictionary, m)?)?;
    m.add_function(wrap_pyfunction!(learn::initial_dictionary, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_pca::sparse_pca, m)?)?;
    m.add_function(wrap_pyfunction!(sparse_pca::sparse_pca_transform, m)?)?;
    m.add_function(wrap_pyfunction!(online::online_step, m)?)?;
    m.add_function(wrap_pyfunction!(online::batch_stats, m)?)?;
    m.add_class::<online::PyOnlineRun>()?;
    m.add_class::<online::PySchedule>()?;
    m.add_function(wrap_pyfunction!(images::extract_patches, m)?)?;
    m.add_function(wrap_pyfunction!(images::reconstruct_patches, m)?)?;
    m.add_function(wrap_pyfunction!(images::denoise, m)?)?;
    m.add_function(wrap_pyfunction!(images::inpaint, m)?)?;
    m.add_function(wrap_pyfunction!(images::known_pixels, m)?)?;
    m.add_function(wrap_pyfunction!(images::observed, m)?)?;
    m.add_function(wrap_pyfunction!(images::estimate_sigma, m)?)?;
    m.add_function(wrap_pyfunction!(images::camera, m)?)?;
    m.add_function(wrap_pyfunction!(defaults::defaults, m)?)?;
    m.add_function(wrap_pyfunction!(args::threads_for, m)?)?;
    m.add_function(wrap_pyfunction!(args::_panic_for_tests, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
