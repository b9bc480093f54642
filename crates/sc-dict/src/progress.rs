//! Progress reports: an observer receives each iteration's objective and
//! may stop the fit.

use std::ops::ControlFlow;

/// One iteration's report.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    /// Iterations done (mini-batch steps, or K-SVD/batch iterations).
    pub iteration: usize,
    /// The planned number, when known.
    pub total: Option<usize>,
    /// The objective of this iteration (per signal for the online learner).
    pub objective: f64,
    /// The online learner's smoothed cost (scikit-learn's `_ewa_cost`),
    /// once its stopping rules look at it (after the warm-up); `None`
    /// before, and for the other learners.
    pub smoothed: Option<f64>,
}

/// Receives progress; returning `ControlFlow::Break(())` stops the fit.
pub trait Observer {
    /// Called after every iteration.
    fn observe(&mut self, p: &Progress) -> ControlFlow<()>;
}

/// An observer that does nothing.
#[derive(Debug, Default, Clone, Copy)]
pub struct Quiet;

impl Observer for Quiet {
    fn observe(&mut self, _: &Progress) -> ControlFlow<()> {
        ControlFlow::Continue(())
    }
}

impl<F: FnMut(&Progress) -> ControlFlow<()>> Observer for F {
    fn observe(&mut self, p: &Progress) -> ControlFlow<()> {
        self(p)
    }
}
