//! Dictionary learning for `sparsecode`.
//!
//! So far this crate holds the dictionary initialisations that the solvers'
//! benchmarks and the learners share; the learners themselves (online
//! mini-batch, K-SVD, batch) are issue 4.
//!
//! Architecture invariant: codes are computed through `sc_solvers::Encode`
//! only; this crate does no I/O.

#![warn(missing_docs)]

pub mod init;
