//! When online learning reads which signals and when it stops: the
//! mini-batch [`Schedule`] (one for the in-memory learner, the masked
//! learner and a distributed driver) and scikit-learn's [`Convergence`]
//! rules.

use crate::error::{Error, Result, invalid};
use crate::learner::StopReason;
use crate::rng::Draw;

/// scikit-learn's two stopping rules of online learning
/// (`MiniBatchDictionaryLearning._check_convergence`): the dictionary
/// moved by at most `tol` (`‖D_new − D_old‖_F / n_atoms`), or the smoothed
/// mini-batch cost did not improve for `max_no_improvement` steps. Neither
/// is looked at during the first `min(100, n_samples / batch_size)` steps
/// (`batch_size`: the size of the step's own batch).
#[derive(Debug, Clone, PartialEq)]
pub struct Convergence {
    n_samples: usize,
    n_atoms: usize,
    tol: f64,
    max_no_improvement: Option<usize>,
    ewa: Option<f64>,
    ewa_min: Option<f64>,
    no_improvement: usize,
}

impl Convergence {
    /// The rules for a fit of `n_atoms` atoms on `n_samples` signals:
    /// stop when the dictionary moves by at most `tol` per atom (0: never),
    /// or after `max_no_improvement` steps without improvement.
    pub fn new(n_samples: usize, n_atoms: usize, tol: f64, max_no_improvement: Option<usize>) -> Self {
        Self { n_samples, n_atoms, tol, max_no_improvement, ewa: None, ewa_min: None, no_improvement: 0 }
    }

    /// Looks at step `step` (counted from 1): its mean cost `batch_cost`
    /// over `n_batch` signals and `change = ‖D_new − D_old‖_F`. Returns why
    /// to stop, if the fit should.
    pub fn update(&mut self, step: usize, batch_cost: f64, n_batch: usize, change: f64) -> Option<StopReason> {
        let n = self.n_samples as f64;
        // The warm-up is measured in batches of this step's size, as
        // scikit-learn does (a shorter last batch of an epoch lengthens it).
        if step as f64 <= 100f64.min(n / n_batch.max(1) as f64) {
            return None;
        }
        let w = (n_batch as f64 / (n + 1.0)).min(1.0);
        let e = self.ewa.map_or(batch_cost, |e| e * (1.0 - w) + batch_cost * w);
        self.ewa = Some(e);
        if self.tol > 0.0 && change / self.n_atoms as f64 <= self.tol {
            return Some(StopReason::Tol);
        }
        if self.ewa_min.is_none_or(|m| e < m) {
            self.no_improvement = 0;
            self.ewa_min = Some(e);
        } else {
            self.no_improvement += 1;
        }
        // After both branches, as scikit-learn checks: with 0, the first
        // step the rules look at stops the fit.
        if self.max_no_improvement.is_some_and(|m| self.no_improvement >= m) {
            return Some(StopReason::NoImprovement);
        }
        None
    }

    /// The smoothed mini-batch cost (scikit-learn's `_ewa_cost`), once the
    /// rules have started looking.
    pub fn smoothed_cost(&self) -> Option<f64> {
        self.ewa
    }
}

/// The mini-batches of an online fit: the signals in an order (as given,
/// or shuffled once), cut into batches of `batch_size` (the last batch of
/// a pass shorter), pass after pass, for at most `max_steps` steps. The
/// in-memory learner, the masked learner and a distributed driver read
/// their batches from it.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    /// Signals.
    pub n_samples: usize,
    /// Signals per batch: the size asked for, at most `n_samples`.
    pub batch_size: usize,
    /// Batches per pass over the signals.
    pub steps_per_epoch: usize,
    /// Steps at most: `max_steps` if given, and `max_epochs` passes.
    pub max_steps: usize,
    /// SPAMS's batches: every batch full, running on from one pass into the
    /// next (see [`Schedule::wrapped`]).
    pub wrap: bool,
    order: Vec<usize>,
}

impl Schedule {
    /// Batches of `batch_size` of `n_samples` signals in order, for at most
    /// `max_epochs` passes and `max_steps` steps.
    pub fn new(n_samples: usize, batch_size: usize, max_epochs: usize, max_steps: Option<usize>) -> Result<Self> {
        if n_samples == 0 {
            return Err(Error::Dimension("no signals".into()));
        }
        if batch_size == 0 {
            return Err(invalid("batch_size", "must be at least 1"));
        }
        let bs = batch_size.min(n_samples);
        let steps_per_epoch = n_samples.div_ceil(bs);
        let max_steps = max_steps.unwrap_or(usize::MAX).min(max_epochs.saturating_mul(steps_per_epoch));
        Ok(Self { n_samples, batch_size: bs, steps_per_epoch, max_steps, wrap: false, order: (0..n_samples).collect() })
    }

    /// This schedule with its order shuffled by `rng`.
    pub fn shuffled(mut self, rng: &mut impl Draw) -> Self {
        rng.shuffle(&mut self.order);
        self
    }

    /// This schedule with SPAMS's batches (its `trainDL`): step `t` reads
    /// the `batch_size` signals from position `t·batch_size` on, modulo the
    /// number of signals, so that no batch is short and a batch may end a
    /// pass and begin the next. Call it after [`shuffled`](Self::shuffled).
    pub fn wrapped(mut self) -> Self {
        if !self.wrap {
            self.wrap = true;
            self.order.extend_from_within(..);
        }
        self
    }

    /// The positions in the order that step `step` (from 0) reads.
    pub fn range(&self, step: usize) -> std::ops::Range<usize> {
        if self.wrap {
            // `order` holds the order twice: a batch never runs past it.
            let start = (step % self.n_samples) * self.batch_size % self.n_samples;
            return start..start + self.batch_size;
        }
        let start = (step % self.steps_per_epoch) * self.batch_size;
        start..(start + self.batch_size).min(self.n_samples)
    }

    /// The signals that step `step` (from 0) reads.
    pub fn batch(&self, step: usize) -> &[usize] {
        &self.order[self.range(step)]
    }

    /// Passes over the data begun after `steps` steps (scikit-learn's
    /// `n_iter_`).
    pub fn epochs(&self, steps: usize) -> usize {
        steps.div_ceil(self.steps_per_epoch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrapped_batches_are_full_and_run_on_across_passes() {
        // 10 signals in batches of 4: sklearn's last batch of a pass holds
        // 2; SPAMS's run on, positions 8, 9, 0, 1 and so on.
        let plain = Schedule::new(10, 4, 100, None).unwrap();
        assert_eq!(plain.batch(2), &[8, 9]);
        let s = Schedule::new(10, 4, 100, None).unwrap().wrapped();
        assert_eq!(s.batch(2), &[8, 9, 0, 1]);
        assert_eq!(s.batch(3), &[2, 3, 4, 5]);
        // Every signal is read equally often over whole cycles (5 steps
        // read each of the 10 signals twice).
        let mut seen = [0usize; 10];
        for t in 0..5 {
            assert_eq!(s.batch(t).len(), 4);
            s.batch(t).iter().for_each(|&i| seen[i] += 1);
        }
        assert_eq!(seen, [2; 10]);
        assert_eq!(s.batch(5), s.batch(0));
    }
}
