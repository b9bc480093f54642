//! `sparsecode`: sparse coding and dictionary learning, the crate users
//! depend on. It re-exports the workspace's layers under one name and holds
//! the pipelines that combine them:
//!
//! - [`solvers`] (`sc-solvers`): OMP, LARS, Lasso (LARS, coordinate descent,
//!   ISTA, FISTA), thresholding, over a prepared [`Dictionary`].
//! - [`dict`] (`sc-dict`): online mini-batch learning, K-SVD, batch
//!   learning, initialisations, model files.
//! - [`patches`] (`sc-patches`): images, patches, array files, pictures.
//! - [`linalg`] (`sc-linalg`): the dense kernels underneath.
//! - [`denoise`]: image denoising over a dictionary learned from the noisy
//!   image (Elad & Aharon 2006).
//! - [`inpaint`]: filling missing pixels by masked coding of the image's
//!   incomplete patches, then refinement passes over a dictionary learned
//!   from that first estimate.
//!
//! Every default, name and rule of these pipelines lives here, once
//! ([`denoise::Denoiser::new`], [`inpaint::Inpainter::default`], the enums'
//! one spelling): the command line and the Python package read them.
//!
//! Signals are the columns of a column-major matrix (n_features ×
//! n_samples): the bytes of NumPy's `(n_samples, n_features)` arrays.
//!
//! # The whole workflow
//! Learn a dictionary from image patches, encode a patch, rebuild it:
//!
//! ```
//! use sparsecode::prelude::*;
//! use sparsecode::dict::online::OnlineParams;
//! use sparsecode::dict::progress::Quiet;
//! use sparsecode::patches::image::camera;
//! use sparsecode::patches::{extract_spec, MaxPatches, PatchSpec};
//!
//! // 500 random 8×8 patches of the embedded camera image, values in [0, 1].
//! let img = camera().scaled(1.0 / 255.0);
//! let spec = PatchSpec { max_patches: MaxPatches::Count(500), seed: 42, ..PatchSpec::new(8, 8) };
//! let patches = extract_spec(&img, &spec)?;
//! let x = MatRef::from_column_major_slice(&patches.data, 64, patches.n_patches());
//!
//! // 36 atoms learned online with alpha = 1 (scikit-learn's MiniBatchDictionaryLearning).
//! let params = OnlineParams { max_steps: Some(20), ..OnlineParams::new(36) };
//! let fit = params.check()?.fit(x, &mut Quiet)?;
//! let dict = Dictionary::new(fit.dictionary())?;
//!
//! // Encode the first patch with the Lasso and rebuild it as D c.
//! let first = MatRef::from_column_major_slice(&patches.data[..64], 64, 1);
//! let codes = Encoder::lasso_lars(1.0).encode(&dict, first)?;
//! let (atoms, coefs) = codes.code(0);
//! let mut rebuilt = vec![0.0; 64];
//! dict.accumulate(1.0, atoms, coefs, &mut rebuilt);
//! assert!(atoms.len() < 36);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod blend;
pub mod denoise;
mod error;
pub mod inpaint;
mod metrics;
mod sigma;

/// The README's Rust examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
#[cfg(feature = "nalgebra")]
pub mod nalgebra_interop;

pub use sc_dict as dict;
pub use sc_linalg as linalg;
pub use sc_patches as patches;
pub use sc_solvers as solvers;

pub use sc_linalg::faer;
pub use sc_solvers::{Algorithm, Dictionary, Encode, Encoder, LassoParams, SparseCodes, ThresholdKind};

/// The names most programs need.
pub mod prelude {
    pub use sc_dict::{Fit, Learn};
    pub use sc_linalg::Real;
    pub use sc_linalg::faer::{Mat, MatRef};
    pub use sc_solvers::{Dictionary, Encode, Encoder, SparseCodes};
}
