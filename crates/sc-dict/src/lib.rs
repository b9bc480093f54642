//! Dictionary learning for `sparsecode`.
//!
//! # Brief overview
//! - [`online`]: online mini-batch learning (Mairal et al. 2010), the method
//!   behind scikit-learn's `MiniBatchDictionaryLearning` and SPAMS's
//!   `trainDL`, with a public, mergeable state for sharded learning.
//! - [`ksvd`]: K-SVD (Aharon, Elad & Bruckstein 2006) with OMP coding, exact
//!   or approximate (Rubinstein et al. 2008) atom updates.
//! - [`init`]: initial dictionaries (data, overcomplete DCT, SVD).
//! - [`model`]: a learned dictionary and how it was learned, in a
//!   versioned, checksummed file.
//! - [`progress`]: observers that see each iteration and may stop a fit.
//!
//! - [`learner`]: what every learner shares — checked parameters
//!   ([`Valid`]), the [`Learn`] trait, one result type ([`Fit`]).
//! - [`batch`]: batch learning, scikit-learn's `DictionaryLearning`.
//! - [`masked`]: online learning and K-SVD from incomplete signals
//!   ([`LearnMasked`]).
//! - [`sparse_pca`]: scikit-learn's `SparsePCA` and `MiniBatchSparsePCA`,
//!   the batch or online learner on the transposed, centred data.
//! - [`archetypal`]: archetypal analysis (SPAMS's `archetypalAnalysis`),
//!   archetypes that are convex combinations of the signals.
//!
//! Architecture invariant: learners code through the `sc_solvers::Encode`
//! trait only; they do no I/O (the model module turns a model into bytes
//! and reads files; callers write the bytes atomically).
//!
//! ```
//! use faer::MatRef;
//! use sc_dict::ksvd::KsvdParams;
//! use sc_dict::online::OnlineParams;
//! use sc_dict::progress::Quiet;
//! use sc_dict::Learn;
//!
//! // 300 signals of length 16 (columns), float32.
//! let x: Vec<f32> = (0..16 * 300).map(|v| ((v * 7919) % 101) as f32 / 101.0 - 0.5).collect();
//! let x = MatRef::from_column_major_slice(&x, 16, 300);
//! let online = OnlineParams { max_steps: Some(10), batch_size: 32, alpha: 0.1, ..OnlineParams::new(24) }.check()?.fit(x, &mut Quiet)?;
//! assert_eq!((online.n_features, online.n_atoms, online.iterations()), (16, 24, 10));
//! let ksvd = KsvdParams { n_nonzero: Some(3), iterations: 4, ..KsvdParams::new(24) }.check()?.fit(x, &mut Quiet)?;
//! assert!(ksvd.records.iter().all(|r| r.mean_nnz <= 3.0));
//! # Ok::<(), sc_dict::Error>(())
//! ```

#![warn(missing_docs)]
#![forbid(unsafe_code)]
// `!(a > b)` is deliberate: it is true for NaN, which the checks must refuse.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod archetypal;
mod atoms;
pub mod batch;
pub mod error;
pub mod init;
pub mod ksvd;
pub mod learner;
pub mod masked;
pub mod model;
pub mod online;
pub mod progress;
pub mod schedule;
mod signals;
pub mod sparse_pca;
pub mod stats;
/// The seeded generator, from `sc-linalg`.
pub use sc_linalg::rng;

pub use error::{Error, Result};
pub use learner::{Fit, Learn, Method, Record, StopReason, Valid, goal_atom_cap};
pub use masked::LearnMasked;
