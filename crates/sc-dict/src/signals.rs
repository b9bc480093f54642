//! The signals a learner reads, checked once: shared by every learner and
//! by the initial dictionaries.

use faer::MatRef;
use sc_linalg::Real;

use crate::error::{Error, Result};

/// The signals a learner reads: the caller's matrix when its columns are
/// contiguous, else one copy. Every value is checked finite once.
pub(crate) struct Signals<'a, T: Real> {
    x: MatRef<'a, T>,
    copy: Option<Vec<T>>,
}

impl<'a, T: Real> Signals<'a, T> {
    pub(crate) fn new(x: MatRef<'a, T>) -> Result<Self> {
        let (nf, n) = (x.nrows(), x.ncols());
        if n == 0 || nf == 0 {
            return Err(Error::Dimension("no signals".into()));
        }
        let contiguous = x.col(0).try_as_col_major().is_some();
        let copy = if contiguous { None } else { Some((0..n).flat_map(|s| (0..nf).map(move |i| x[(i, s)])).collect::<Vec<T>>()) };
        let out = Self { x, copy };
        // One pass: ‖x‖² is finite exactly when every value is finite and
        // their squares do not overflow (every cost and atom norm squares
        // the signals' values).
        if let Some(s) = (0..n).find(|&s| !sc_linalg::kernels::norm_sq(out.col(s)).is_finite()) {
            return Err(if sc_linalg::kernels::all_finite(out.col(s)) { Error::Overflow(s) } else { Error::NonFinite(s) });
        }
        Ok(out)
    }

    /// Signal length.
    pub(crate) fn nf(&self) -> usize {
        self.x.nrows()
    }

    /// Number of signals.
    pub(crate) fn len(&self) -> usize {
        self.x.ncols()
    }

    /// Signal `s`.
    pub(crate) fn col(&self, s: usize) -> &[T] {
        let nf = self.nf();
        match &self.copy {
            Some(c) => &c[s * nf..(s + 1) * nf],
            None => self.x.col(s).try_as_col_major().expect("unit row stride").as_slice(),
        }
    }

    /// All signals as a matrix, for the encoder.
    pub(crate) fn matrix(&self) -> MatRef<'_, T> {
        match &self.copy {
            Some(c) => MatRef::from_column_major_slice(c, self.nf(), self.len()),
            None => self.x,
        }
    }
}
