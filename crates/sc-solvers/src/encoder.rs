//! The encoder: an [`Algorithm`] with its threads and chunking, built
//! step by step, and its entry points. What it checks before coding is in
//! `plan.rs`; how it codes chunks in parallel, in `driver.rs`.

use faer::MatRef;
use sc_linalg::Real;

use crate::Dictionary;
use crate::algorithm::{Algorithm, AlgorithmName, DEFAULT_ALPHA, LASSO_CD_TOL, LassoParams, Settings, ThresholdKind};
use crate::codes::SparseCodes;
use crate::driver::{run, run_dense};
use crate::error::{Error, Result, invalid};
use crate::lars::LarsMode;
use crate::plan::{Plan, plan};

/// Codes signals against a [`Dictionary`]: the boundary that `sc-dict` calls
/// without knowing which solver runs.
pub trait Encode<T: Real>: Sync {
    /// Codes the columns of `x` (n_features × n_samples).
    fn encode(&self, dict: &Dictionary<T>, x: MatRef<'_, T>) -> Result<SparseCodes<T>>;
}

/// A configured sparse encoder (builder style).
///
/// ```
/// use faer::Mat;
/// use sc_solvers::{Dictionary, Encoder};
///
/// let d = Mat::<f64>::from_fn(8, 12, |i, j| ((i * 12 + j) as f64 * 0.7).sin());
/// let x = Mat::<f64>::from_fn(8, 5, |i, s| ((i + 3 * s) as f64).cos());
/// let dict = Dictionary::new(d.as_ref()).unwrap();
/// let codes = Encoder::omp(3).encode(&dict, x.as_ref()).unwrap();
/// assert_eq!(codes.n_samples(), 5);
/// assert!(codes.mean_nnz() <= 3.0);
/// let lasso = Encoder::lasso_lars(0.1).positive(true).encode(&dict, x.as_ref()).unwrap();
/// assert!(lasso.values().iter().all(|&v| v > 0.0));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Encoder {
    pub(crate) algorithm: Algorithm,
    pub(crate) threads: Option<Pool>,
    pub(crate) chunk: usize,
    /// A setting the algorithm does not use (`positive`, `l2`, `tol`,
    /// `max_iter`), refused when coding.
    pub(crate) unsupported: Option<&'static str>,
}

/// A thread pool built once by [`Encoder::threads`] and shared by clones.
#[derive(Clone)]
pub(crate) struct Pool {
    pub(crate) threads: usize,
    pool: std::sync::Arc<std::result::Result<rayon::ThreadPool, String>>,
}

impl std::fmt::Debug for Pool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Pool({})", self.threads)
    }
}

impl PartialEq for Pool {
    fn eq(&self, other: &Self) -> bool {
        self.threads == other.threads
    }
}

impl Encoder {
    /// An encoder running `algorithm`.
    pub fn new(algorithm: Algorithm) -> Self {
        Self { algorithm, threads: None, chunk: 256, unsupported: None }
    }
    /// OMP with `n_nonzero` atoms per signal.
    pub fn omp(n_nonzero: usize) -> Self {
        Self::new(Algorithm::Omp { n_nonzero: Some(n_nonzero), tol: None, l0: None, max_nonzero: None, forward: false })
    }
    /// OMP to a squared-residual goal `tol`.
    pub fn omp_tol(tol: f64) -> Self {
        Self::new(Algorithm::Omp { n_nonzero: None, tol: Some(tol), l0: None, max_nonzero: None, forward: false })
    }
    /// OMP with the ℓ0 penalty `alpha` of `½‖x − Dc‖² + α‖c‖₀`: atoms are
    /// added while each lowers `½‖x − Dc‖²` by more than `alpha` (see
    /// [`Algorithm::Omp`]).
    pub fn omp_penalty(alpha: f64) -> Self {
        Self::new(Algorithm::Omp { n_nonzero: None, tol: None, l0: Some(alpha), max_nonzero: None, forward: false })
    }
    /// OMP by forward selection (order-recursive matching pursuit, SPAMS's
    /// `omp`): each step adds the atom that most reduces the residual. Set
    /// on an OMP encoder; refused by the others.
    pub fn forward_selection(mut self) -> Self {
        match &mut self.algorithm {
            Algorithm::Omp { forward, .. } => *forward = true,
            _ => {
                self.unsupported.get_or_insert("forward selection");
            }
        }
        self
    }
    /// LARS with `n_nonzero` atoms.
    pub fn lars(n_nonzero: usize) -> Self {
        Self::new(Algorithm::Lars { n_nonzero: Some(n_nonzero) })
    }
    /// Lasso by the LARS homotopy.
    pub fn lasso_lars(alpha: f64) -> Self {
        Self::new(Algorithm::LassoLars(LassoParams::new(alpha)))
    }
    /// The least-ℓ1 code within the squared-residual goal `tol`
    /// (see [`Algorithm::LassoGoal`]).
    pub fn lasso_goal(tol: f64) -> Self {
        Self::new(Algorithm::LassoGoal { tol, positive: false, max_iter: LassoParams::MAX_ITER })
    }
    /// The best fit within the ℓ1 budget `budget`
    /// (see [`Algorithm::LassoBudget`]).
    pub fn lasso_budget(budget: f64) -> Self {
        Self::new(Algorithm::LassoBudget { budget, positive: false, l2: 0.0, max_iter: LassoParams::MAX_ITER })
    }
    /// Lasso by coordinate descent.
    pub fn lasso_cd(alpha: f64) -> Self {
        Self::new(Algorithm::LassoCd(LassoParams { tol: LASSO_CD_TOL, ..LassoParams::new(alpha) }))
    }
    /// Lasso by ISTA.
    pub fn ista(alpha: f64) -> Self {
        Self::new(Algorithm::Ista(LassoParams { max_iter: LassoParams::MAX_ITER_PROXIMAL, ..LassoParams::new(alpha) }))
    }
    /// Lasso by FISTA.
    pub fn fista(alpha: f64) -> Self {
        Self::new(Algorithm::Fista(LassoParams { max_iter: LassoParams::MAX_ITER_PROXIMAL, ..LassoParams::new(alpha) }))
    }
    /// Soft thresholding at `alpha`.
    pub fn soft_threshold(alpha: f64) -> Self {
        Self::new(Algorithm::Threshold { alpha, kind: ThresholdKind::Soft, positive: false })
    }
    /// Hard thresholding at `alpha`.
    pub fn hard_threshold(alpha: f64) -> Self {
        Self::new(Algorithm::Threshold { alpha, kind: ThresholdKind::Hard, positive: false })
    }

    /// Requires `c ≥ 0` (Lasso solvers and thresholding).
    pub fn positive(mut self, positive: bool) -> Self {
        match &mut self.algorithm {
            Algorithm::Threshold { positive: p, .. }
            | Algorithm::LassoGoal { positive: p, .. }
            | Algorithm::LassoBudget { positive: p, .. } => *p = positive,
            a => {
                if let Some(p) = a.lasso_params_mut() {
                    p.positive = positive;
                } else if positive {
                    // Refused when coding: OMP and LARS have no sign constraint.
                    self.unsupported.get_or_insert("positive");
                }
            }
        }
        self
    }
    /// Sets the elastic-net ℓ2 penalty (Lasso solvers; refused by the others).
    pub fn l2(mut self, l2: f64) -> Self {
        if let Algorithm::LassoBudget { l2: l, .. } = &mut self.algorithm {
            *l = l2;
            return self;
        }
        match self.algorithm.lasso_params_mut() {
            Some(p) => p.l2 = l2,
            None => {
                self.unsupported.get_or_insert("l2");
            }
        }
        self
    }
    /// Sets the relative duality-gap tolerance (iterative Lasso solvers) or
    /// the squared-residual goal (OMP, the residual-goal Lasso); refused by
    /// LARS, Lasso-LARS (exact) and thresholding.
    pub fn tol(mut self, tol: f64) -> Self {
        match &mut self.algorithm {
            Algorithm::Omp { tol: t, .. } => *t = Some(tol),
            Algorithm::LassoGoal { tol: t, .. } => *t = tol,
            Algorithm::LassoCd(p) | Algorithm::Ista(p) | Algorithm::Fista(p) => p.tol = tol,
            _ => {
                self.unsupported.get_or_insert("tol");
            }
        }
        self
    }
    /// Caps iterations (Lasso solvers), homotopy steps (Lasso-LARS, the
    /// residual-goal Lasso) or atoms under a `tol` goal (OMP); refused by
    /// LARS and thresholding.
    pub fn max_iter(mut self, max_iter: usize) -> Self {
        match &mut self.algorithm {
            Algorithm::Omp { max_nonzero, .. } => *max_nonzero = Some(max_iter),
            Algorithm::LassoGoal { max_iter: m, .. } | Algorithm::LassoBudget { max_iter: m, .. } => *m = max_iter,
            a => match a.lasso_params_mut() {
                Some(p) => p.max_iter = max_iter,
                None => {
                    self.unsupported.get_or_insert("max_iter");
                }
            },
        }
        self
    }
    /// Number of worker threads (default: rayon's global pool), at most the
    /// machine's cores ([`sc_linalg::memory::thread_cap`]). The pool is
    /// built here, once, and shared by clones. Codes never depend on it.
    pub fn threads(mut self, threads: usize) -> Self {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(sc_linalg::memory::thread_cap(threads)).build().map_err(|e| e.to_string());
        self.threads = Some(Pool { threads, pool: std::sync::Arc::new(pool) });
        self
    }
    /// Signals coded per task (default 256; 0 is refused when coding);
    /// codes never depend on it.
    pub fn chunk_size(mut self, chunk: usize) -> Self {
        self.chunk = chunk;
        self
    }

    /// The configured algorithm.
    pub fn algorithm(&self) -> &Algorithm {
        &self.algorithm
    }

    /// Codes the columns of `x` (n_features × n_samples).
    pub fn encode<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>) -> Result<SparseCodes<T>> {
        self.encode_warm(dict, x, None)
    }

    /// Codes the columns of `x`, starting the iterative Lasso solvers from
    /// `init` (n_atoms × n_samples; ignored by the other algorithms).
    pub fn encode_warm<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, init: Option<MatRef<'_, T>>) -> Result<SparseCodes<T>> {
        let plan = self.check(dict, x, init)?;
        let init = warm_only(&plan, init);
        self.install(|| run(&plan, dict, x, init, self.chunk))
    }

    /// Codes the columns of `x` with a weighted ℓ1 term, `Σⱼ wⱼ|cⱼ|` in
    /// place of `‖c‖₁`, a weight per atom and per signal: `weights` is
    /// n_atoms × n_samples, every entry finite and `> 0` (SPAMS's
    /// `lassoWeighted`). For the Lasso homotopies only: Lasso-LARS (the
    /// penalty `α Σ wⱼ|cⱼ|`), the residual-goal Lasso (least `Σ wⱼ|cⱼ|`
    /// within the goal) and the ℓ1-budget one (`Σ wⱼ|cⱼ| ≤ budget`); the
    /// homotopy is exact for the weighted problem too.
    pub fn encode_weighted<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, weights: MatRef<'_, T>) -> Result<SparseCodes<T>> {
        let plan = self.check(dict, x, None)?;
        if !matches!(plan, Plan::Lars(LarsMode::Lasso { .. } | LarsMode::Goal { .. } | LarsMode::Budget { .. })) {
            return Err(invalid("weights", format!("do not apply to {} (only to the Lasso homotopies)", self.algorithm.name())));
        }
        if weights.nrows() != dict.n_atoms() {
            return Err(Error::DimensionMismatch { what: "weights rows (n_atoms)", expected: dict.n_atoms(), got: weights.nrows() });
        }
        if weights.ncols() != x.ncols() {
            return Err(Error::DimensionMismatch { what: "weights columns (n_samples)", expected: x.ncols(), got: weights.ncols() });
        }
        for s in 0..weights.ncols() {
            if let Some(j) = (0..weights.nrows()).find(|&j| !(weights[(j, s)] > T::ZERO && weights[(j, s)].is_finite())) {
                return Err(invalid(
                    "weights",
                    format!("must be finite and > 0, got {} at atom {j} of signal {s}", weights[(j, s)].to_f64()),
                ));
            }
        }
        self.install(|| run(&plan, dict, x, Some(weights), self.chunk))
    }

    /// Codes the columns of `x` straight into `out`, their dense codes as a
    /// column-major `n_atoms × n_samples` buffer (the bytes of NumPy's
    /// C-order `(n_samples, n_atoms)` array). Each chunk of signals writes
    /// its codes as soon as they are found, in parallel, so the output is
    /// written once and no compressed copy is made. With `zeroed`, `out`
    /// already holds zeros (a fresh zeroed allocation, which the kernel
    /// zeroes lazily) and only the non-zeros are written; otherwise every
    /// entry is. The codes are those of [`encode_warm`](Self::encode_warm).
    /// Returns how many signals the iterative solvers left short of their
    /// tolerance ([`SparseCodes::unconverged`]).
    pub fn encode_dense_into<T: Real>(
        &self,
        dict: &Dictionary<T>,
        x: MatRef<'_, T>,
        init: Option<MatRef<'_, T>>,
        out: &mut [T],
        zeroed: bool,
    ) -> Result<usize> {
        let plan = self.check(dict, x, init)?;
        let expected = dict.n_atoms() * x.ncols();
        if out.len() != expected {
            return Err(Error::DimensionMismatch { what: "dense buffer length (n_atoms × n_samples)", expected, got: out.len() });
        }
        let init = warm_only(&plan, init);
        self.install(|| run_dense(&plan, dict, x, init, self.chunk, out, zeroed))
    }

    /// Validates the settings, the parameters and the data once, before
    /// any work.
    pub(crate) fn check<T: Real>(&self, dict: &Dictionary<T>, x: MatRef<'_, T>, init: Option<MatRef<'_, T>>) -> Result<Plan<T>> {
        if let Some(name) = self.unsupported {
            return Err(invalid(name, format!("does not apply to {}", self.algorithm.name())));
        }
        if self.threads.as_ref().is_some_and(|p| p.threads == 0) {
            return Err(invalid("threads", "must be at least 1"));
        }
        if self.chunk == 0 {
            return Err(invalid("chunk_size", "must be at least 1"));
        }
        plan(&self.algorithm, dict, x, init)
    }

    /// Runs `f` in this encoder's thread pool (rayon's global pool if none
    /// was set).
    pub(crate) fn install<R: Send>(&self, f: impl FnOnce() -> R + Send) -> Result<R> {
        match &self.threads {
            Some(p) => {
                let pool = p.pool.as_ref().as_ref().map_err(|e| Error::ThreadPool(e.clone()))?;
                Ok(pool.install(f))
            }
            _ => Ok(f()),
        }
    }

    /// Signals coded per task.
    pub(crate) fn chunk(&self) -> usize {
        self.chunk
    }

    /// This encoder with another algorithm (threads and chunks kept).
    pub(crate) fn with_algorithm(&self, algorithm: Algorithm) -> Self {
        Self { algorithm, ..self.clone() }
    }
}

impl<T: Real> Encode<T> for Encoder {
    fn encode(&self, dict: &Dictionary<T>, x: MatRef<'_, T>) -> Result<SparseCodes<T>> {
        Encoder::encode(self, dict, x)
    }
}

/// A warm start reaches the driver for the iterative solvers only (the
/// driver reads a LARS plan's side matrix as ℓ1 weights).
fn warm_only<'a, T: Real>(plan: &Plan<T>, init: Option<MatRef<'a, T>>) -> Option<MatRef<'a, T>> {
    init.filter(|_| matches!(plan, Plan::Iterative(..)))
}

impl Encoder {
    /// The encoder a door asks for by name: `settings` that do not apply to
    /// `name` are refused, the others left at `None` take the library's
    /// defaults. `lasso_goal` needs `tol`.
    pub fn from_settings(name: AlgorithmName, settings: &Settings) -> Result<Self> {
        if let Some(s) = settings.given().into_iter().find(|&s| !name.accepts(s)) {
            return Err(invalid(s.name(), format!("does not apply to {name}")));
        }
        let alpha = settings.alpha.unwrap_or(DEFAULT_ALPHA);
        let mut e = match name {
            AlgorithmName::Omp | AlgorithmName::Ormp => {
                let e = Encoder::new(Algorithm::Omp {
                    n_nonzero: settings.n_nonzero,
                    tol: settings.tol,
                    l0: settings.l0,
                    max_nonzero: None,
                    forward: false,
                });
                if name == AlgorithmName::Ormp { e.forward_selection() } else { e }
            }
            AlgorithmName::Lars => Encoder::new(Algorithm::Lars { n_nonzero: settings.n_nonzero }),
            AlgorithmName::LassoLars => Encoder::lasso_lars(alpha),
            AlgorithmName::LassoGoal => match settings.tol {
                Some(t) => Encoder::lasso_goal(t),
                None => return Err(invalid("tol", "lasso_goal needs tol (the squared-residual goal)")),
            },
            AlgorithmName::LassoBudget => match settings.alpha {
                Some(b) => Encoder::lasso_budget(b),
                None => return Err(invalid("alpha", "lasso_budget needs alpha (the ℓ1 budget)")),
            },
            AlgorithmName::LassoCd => Encoder::lasso_cd(alpha),
            AlgorithmName::Ista => Encoder::ista(alpha),
            AlgorithmName::Fista => Encoder::fista(alpha),
            AlgorithmName::Threshold => Encoder::soft_threshold(alpha),
            AlgorithmName::HardThreshold => Encoder::hard_threshold(alpha),
        };
        if settings.positive {
            e = e.positive(true);
        }
        if let Some(t) = settings.tol.filter(|_| !matches!(name, AlgorithmName::Omp | AlgorithmName::Ormp | AlgorithmName::LassoGoal)) {
            e = e.tol(t);
        }
        if let Some(m) = settings.max_iter {
            e = e.max_iter(m);
        }
        if let Some(l2) = settings.l2 {
            e = e.l2(l2);
        }
        Ok(e)
    }
}
