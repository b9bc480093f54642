//! Dense linear-algebra kernels for `sparsecode`, on top of [faer].
//!
//! # Brief overview
//! This is the bottom layer of the workspace. The sparse solvers of
//! `sc-solvers` and the dictionary learners of `sc-dict` spend their time in
//! a handful of dense operations, and they all live here:
//!
//! - [`Real`]: the scalar trait (implemented for `f32` and `f64`) every crate
//!   of the workspace is generic over.
//! - [`gram`] and [`dtx_into`]: the products `DᵀD` and `DᵀX` (faer's matmul).
//! - [`IncrementalCholesky`]: a Cholesky factor `L Lᵀ = G_II` of a growing
//!   (and shrinking) sub-Gram matrix, appended one row and column at a time,
//!   as OMP and LARS need, with forward and backward triangular solves.
//! - [`kernels`]: small vector kernels (`dot`, `axpy`, `argmax_abs` …) written
//!   with fixed-width accumulators so that they vectorise and give the same
//!   bits whatever the SIMD width the caller was compiled for.
//!
//! - [`eigen_above`]: the eigenpairs of a small symmetric matrix above a
//!   threshold (tridiagonalisation, bisection, inverse iteration), for
//!   shrinkages that keep a few directions of a Gram matrix.
//! - [`names`]: one spelling per name — the `FromStr`/`Display` that every
//!   crate's choice enums implement through [`named_enum!`].
//! - [`rng`]: the seeded generators shared by every crate, so that a seed
//!   fixes results on every platform: the workspace's own, and NumPy's
//!   legacy `RandomState`, so that a learner can make scikit-learn's random
//!   choices for the same `random_state`.
//!
//! Architecture invariant: this crate knows nothing of sparsity, of
//! dictionaries or of files. Shapes are programmer errors here (asserts);
//! numerical failure is a typed result ([`CholeskyError`]).
//!
//! ```
//! use faer::Mat;
//! use sc_linalg::{gram, IncrementalCholesky};
//!
//! let d = Mat::<f64>::from_fn(4, 3, |i, j| if i == j { 1.0 } else { 0.1 * (i + j) as f64 });
//! let g = gram(d.as_ref(), faer::Par::Seq);
//! let mut chol = IncrementalCholesky::<f64>::with_capacity(3);
//! for j in 0..3 {
//!     let col: Vec<f64> = (0..chol.len()).map(|i| g[(i, j)]).collect();
//!     chol.push(&col, g[(j, j)]).unwrap();
//! }
//! let mut x = vec![1.0, 2.0, 3.0];
//! chol.solve_in_place(&mut x); // x = G⁻¹ [1, 2, 3]
//! ```

#![deny(unsafe_code)]
#![warn(missing_docs)]
// `!(a > b)` is deliberate: it is true for NaN, which the checks must refuse.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod cholesky;
pub mod eigen_above;
pub mod kernels;
pub mod memory;
pub mod names;
mod products;
mod real;
pub mod rng;

pub use cholesky::{CholeskyError, IncrementalCholesky};
pub use products::{dtx_into, gram, gram_into, spectral_norm_sq};
pub use real::Real;

/// faer, re-exported so that downstream crates name the same version.
pub use faer;
