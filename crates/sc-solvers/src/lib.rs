//! Sparse coding solvers: OMP, LARS, Lasso (LARS homotopy, coordinate
//! descent, ISTA, FISTA) and thresholding; the same problems on the
//! observed entries of incomplete signals (`Encoder::encode_masked`); and
//! simultaneous OMP over groups of signals ([`Somp`]) and its convex form,
//! the group Lasso ([`GroupLasso`]); ridge coding ([`ridge`]), the
//! transform of scikit-learn's sparse PCA; and proximal operators and
//! projections on vectors ([`prox`]: the ℓ1 and elastic-net balls, the
//! fused-Lasso signal approximator, SPAMS's `sparseProject`); and least
//! squares on the simplex ([`simplex_codes`], SPAMS's `decompSimplex`);
//! the proximal operators of SPAMS's flat regularisers ([`regularizer`],
//! its `proximalFlat`) and regularised least squares with any of them
//! ([`fista_square`], its `fistaFlat`).
//!
//! # Brief overview
//! A [`Dictionary`] is prepared once (it validates `D` and precomputes the
//! Gram matrix, the atom norms and `‖D‖₂²`); an [`Encoder`] — an
//! [`Algorithm`] with its parameters — codes the columns of a signal matrix
//! against it; [`SparseCodes`] come out, one compressed column per signal.
//! The [`Encode`] trait is the boundary `sc-dict` codes through.
//!
//! Conventions, shared by the whole workspace:
//! - Signals are the columns of a faer matrix `X` (n_features × n_samples),
//!   atoms the columns of `D` (n_features × n_atoms): the bytes of NumPy's
//!   C-order `(n_samples, n_features)` and of scikit-learn's `components_`.
//! - Parameters mean what they mean in scikit-learn's `sparse_encode`:
//!   the Lasso is `½‖x − Dc‖² + α‖c‖₁` with `alpha` unscaled, and OMP's `tol`
//!   is a squared residual norm.
//! - Work is split into fixed chunks of signals coded in parallel with rayon;
//!   codes never depend on the number of threads.
//! - Every entry point validates its input once and returns a typed
//!   [`Error`]; nothing a user passes in makes it panic.
//!
//! Architecture invariant: this crate does no I/O and knows nothing of
//! images or learning; it depends on `sc-linalg`, faer, rayon and thiserror.
//!
//! ```
//! use faer::Mat;
//! use sc_solvers::{Dictionary, Encoder};
//!
//! // A dictionary of 6 unit atoms in R⁴ and 3 signals.
//! let mut d = Mat::<f64>::from_fn(4, 6, |i, j| ((i * 6 + j) as f64 * 1.3).sin());
//! for j in 0..6 {
//!     let n = (0..4).map(|i| d[(i, j)] * d[(i, j)]).sum::<f64>().sqrt();
//!     for i in 0..4 { d[(i, j)] /= n; }
//! }
//! let x = Mat::<f64>::from_fn(4, 3, |i, s| (i as f64 - s as f64).tanh());
//! let dict = Dictionary::new(d.as_ref())?;
//!
//! let omp = Encoder::omp(2).encode(&dict, x.as_ref())?;
//! assert!(omp.mean_nnz() <= 2.0);
//! let lasso = Encoder::lasso_lars(0.05).encode(&dict, x.as_ref())?;
//! let dense = lasso.to_dense(); // 6 × 3
//! assert_eq!((dense.nrows(), dense.ncols()), (6, 3));
//! # Ok::<(), sc_solvers::Error>(())
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]
// `!(a > b)` is deliberate: it is true for NaN, which the checks must refuse.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod algorithm;
mod codes;
mod dictionary;
mod driver;
mod encoder;
mod error;
mod fista_flat;
mod group_lasso;
mod iterative;
mod lars;
mod lasso_gram;
mod masked;
pub mod matrix_regularizer;
mod objective;
mod omp;
mod omp_gram;
mod plan;
pub mod prox;
mod refit;
pub mod regularizer;
mod ridge;
mod simplex;
mod somp;
mod workspace;

pub use algorithm::{
    Algorithm, AlgorithmName, DEFAULT_ALPHA, DEFAULT_N_NONZERO_RULE, LASSO_CD_TOL, LassoParams, Setting, Settings, ThresholdKind,
    default_n_nonzero, default_omp_nonzero, default_omp_path_length,
};
pub use codes::SparseCodes;
pub use dictionary::Dictionary;
pub use encoder::{Encode, Encoder};
pub use error::{Error, Result};
pub use fista_flat::{FistaFlat, Loss, fista_loss, fista_matrix, fista_square, loss_objectives, optim_info};
pub use group_lasso::GroupLasso;
pub use masked::{is_missing, observed};
pub use objective::{lasso_objective, lasso_objective_in};
pub use omp_gram::{OmpPath, omp_gram, omp_gram_path};
pub use refit::{refit, refit_gram};
pub use ridge::ridge;
pub use sc_linalg::{Real, faer};
pub use simplex::{simplex_code, simplex_codes};
pub use somp::Somp;
