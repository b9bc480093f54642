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
//! Architecture invariant: codes are computed through `sc_solvers` encoders
//! only; the learners do no I/O (the model module reads and writes files,
//! atomically, and nothing else).

#![warn(missing_docs)]
// `!(a > b)` is deliberate: it is true for NaN, which the checks must refuse.
#![allow(clippy::neg_cmp_op_on_partial_ord)]

pub mod batch;
pub mod error;
pub mod init;
pub mod ksvd;
pub mod learner;
pub mod model;
pub mod online;
pub mod progress;
/// The seeded generator, from `sc-linalg`.
pub use sc_linalg::rng;

pub use error::{Error, Result};
pub use learner::{Fit, Learn, Record, StopReason, Valid, goal_atom_cap};
