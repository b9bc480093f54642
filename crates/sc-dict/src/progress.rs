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

/// An observer that stops the fit once `limit` has passed since it was
/// made (SPAMS's `iter < 0`: learn for that many seconds), passing every
/// report on to `inner` first. The fit then depends on the machine's
/// speed, as SPAMS's does.
pub struct Deadline<'a> {
    inner: &'a mut (dyn Observer + Send),
    start: std::time::Instant,
    limit: std::time::Duration,
}

impl<'a> Deadline<'a> {
    /// Starts the clock now.
    pub fn new(inner: &'a mut (dyn Observer + Send), limit: std::time::Duration) -> Self {
        Self { inner, start: std::time::Instant::now(), limit }
    }
}

impl Observer for Deadline<'_> {
    fn observe(&mut self, p: &Progress) -> ControlFlow<()> {
        self.inner.observe(p)?;
        if self.start.elapsed() >= self.limit { ControlFlow::Break(()) } else { ControlFlow::Continue(()) }
    }
}
