//! `sparsecode`: sparse coding and dictionary learning, the crate users
//! depend on. It re-exports the workspace's layers under one name:
//!
//! - [`solvers`] (`sc-solvers`): OMP, LARS, Lasso (LARS, coordinate descent,
//!   ISTA, FISTA), thresholding, over a prepared [`Dictionary`].
//! - [`patches`] (`sc-patches`): array files (`.npy`, `.npz`), and later
//!   images and patches.
//! - [`linalg`] (`sc-linalg`): the dense kernels underneath.
//!
//! ```
//! use sparsecode::prelude::*;
//!
//! let d = Mat::<f64>::from_fn(6, 10, |i, j| ((i * 10 + j) as f64).sin());
//! let x = Mat::<f64>::from_fn(6, 4, |i, s| ((i + s) as f64).cos());
//! let dict = Dictionary::new(d.as_ref())?;
//! let codes = Encoder::lasso_lars(0.1).encode(&dict, x.as_ref())?;
//! assert_eq!(codes.n_samples(), 4);
//! # Ok::<(), sparsecode::solvers::Error>(())
//! ```

#![warn(missing_docs)]

pub mod denoise;

pub use sc_dict as dict;
pub use sc_linalg as linalg;
pub use sc_patches as patches;
pub use sc_solvers as solvers;

pub use sc_linalg::faer;
pub use sc_solvers::{Algorithm, Dictionary, Encode, Encoder, LassoParams, SparseCodes, ThresholdKind};

/// The names most programs need.
pub mod prelude {
    pub use sc_linalg::faer::{Mat, MatRef};
    pub use sc_linalg::Real;
    pub use sc_solvers::{Dictionary, Encode, Encoder, SparseCodes};
}
