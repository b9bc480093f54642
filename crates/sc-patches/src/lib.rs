//! Images, patches and array files for `sparsecode`.
//!
//! # Brief overview
//! Everything between a file and a matrix of signals, and back:
//! - [`npy`]: NumPy `.npy` arrays in and out, and SciPy CSR `.npz` out, with
//!   the convention that a C-order `(n_samples, n_features)` array is a
//!   column-major `n_features × n_samples` faer matrix — no transpose.
//! - [`image`]: images (gray or RGB) read and written as PNG (8/16-bit),
//!   PGM/PPM and `.npy`, and the embedded `camera`.
//! - [`patches`]: patch extraction in scikit-learn's order (all, strided,
//!   random `max_patches`), and images rebuilt from patches (averaging, the
//!   Elad–Aharon blend, band by band).
//! - [`pictures`]: a dictionary drawn as a grid of atoms; images side by side.
//! - [`write_atomic`]: every file this workspace writes goes through a
//!   temporary file and a rename.
//!
//! Architecture invariant: this crate does no sparse coding; it hands
//! signal matrices to `sc-solvers`/`sc-dict` and takes matrices back.
//!
//! ```
//! use sc_patches::{camera, extract_spec, reconstruct_average, MaxPatches, PatchSpec};
//!
//! let img = camera();
//! // scikit-learn's extract_patches_2d(img, (8, 8)): every patch, row-major.
//! let all = extract_spec(&img, &PatchSpec::new(8, 8))?;
//! assert_eq!((all.n_patches(), all.n_features()), (505 * 505, 64));
//! // Averaged back, the patches give the image again.
//! let back = reconstruct_average(&all, None, img.height, img.width)?;
//! assert!(back.data.iter().zip(&img.data).all(|(a, b)| (a - b).abs() < 1e-9));
//! // 100 random patches, seeded.
//! let some = extract_spec(&img, &PatchSpec { max_patches: MaxPatches::Count(100), seed: 1, ..PatchSpec::new(8, 8) })?;
//! assert_eq!(some.n_patches(), 100);
//! # Ok::<(), sc_patches::Error>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]
// `!(a > b)` is deliberate: it is true for NaN, which the checks must refuse.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

mod atomic;
mod error;
pub mod image;
pub mod matching;
pub mod npy;
pub mod patches;
pub mod pictures;

pub use atomic::{remove_temporaries, write_all_atomic, write_atomic};
pub use error::{Error, Result};
pub use image::{Image, camera, read_image};
pub use patches::{MaxPatches, PatchSpec, Patches, extract, extract_spec, reconstruct_average, reconstruct_blend};
pub use pictures::{GridSpec, captioned, dictionary_grid, draw_text, side_by_side, stacked, text_size};
