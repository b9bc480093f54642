//! The batch encoder: parameters, validation, and the parallel driver.

use faer::{MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::{Real, dtx_into, kernels};

use crate::Dictionary;
use crate::codes::SparseCodes;
use crate::error::{Error, Result, invalid};
use crate::iterative::{Iterative, LassoCfg, iterative_one, threshold_one};
use crate::lars::{LarsMode, lars_one};
use crate::omp::omp_one;
use crate::workspace::{CodeSink, Workspace};

/// Parameters shared by the Lasso solvers.
///
/// The objective is `½‖x − Dc‖² + α‖c‖₁ + ½·l2·‖c‖²`, with `alpha`
/// unscaled: scikit-learn's `sparse_encode(..., alpha=α)` convention.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LassoParams {
    /// The ℓ1 penalty `α ≥ 0`.
    pub alpha: f64,
    /// Constrain the code to `c ≥ 0`.
    pub positive: bool,
    /// The elastic-net ℓ2 penalty `λ₂ ≥ 0` (0: plain Lasso).
    pub l2: f64,
    /// Iterative solvers stop when the duality gap is below `tol·‖x‖²`
    /// (ignored by Lasso-LARS, which is exact).
    pub tol: f64,
    /// Cap on passes (iterative solvers) or homotopy steps (Lasso-LARS).
    pub max_iter: usize,
}

impl LassoParams {
    /// Defaults: no constraint, no ℓ2 term, `tol = 1e-10`, `max_iter = 1000`.
    pub fn new(alpha: f64) -> Self {
        Self { alpha, positive: false, l2: 0.0, tol: 1e-10, max_iter: 1000 }
    }
}

/// Soft or hard thresholding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdKind {
    /// `sign(b)·max(|b| − α, 0)`.
    Soft,
    /// `b` where `|b| > α`, else 0.
    Hard,
}

/// A sparse-coding algorithm and its parameters.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Algorithm {
    /// Batch-OMP. Stops at `n_nonzero` atoms or, when `tol` is given, when
    /// the squared residual norm `‖x − Dc‖² ≤ tol` (then `n_nonzero` is
    /// ignored, as in scikit-learn's `orthogonal_mp_gram`, and `max_nonzero`
    /// caps the atoms, by default `min(n_atoms, n_features)`).
    Omp {
        /// Number of atoms per signal (`None` with `tol`).
        n_nonzero: Option<usize>,
        /// Squared-residual goal.
        tol: Option<f64>,
        /// Cap on atoms when coding to `tol`.
        max_nonzero: Option<usize>,
    },
    /// Least-angle regression stopped after `n_nonzero` atoms.
    Lars {
        /// Number of atoms per signal.
        n_nonzero: usize,
    },
    /// The exact Lasso by the LARS homotopy with the drop step.
    LassoLars(LassoParams),
    /// The code of least ℓ1 norm within a squared-residual goal,
    /// `min ‖c‖₁ s.t. ‖x − Dc‖² ≤ tol` (SPAMS's `lasso` in mode 1): the same
    /// homotopy, stopped inside the step where the residual reaches `tol`
    /// (or at the least-squares fit of its active set, if that comes first).
    LassoGoal {
        /// The squared-residual goal.
        tol: f64,
        /// Constrain the code to `c ≥ 0`.
        positive: bool,
        /// Cap on homotopy steps.
        max_iter: usize,
    },
    /// The Lasso by cyclic coordinate descent.
    LassoCd(LassoParams),
    /// The Lasso by ISTA (proximal gradient, step `1/L`).
    Ista(LassoParams),
    /// The Lasso by FISTA (accelerated proximal gradient).
    Fista(LassoParams),
    /// Thresholding of `Dᵀx`.
    Threshold {
        /// The threshold.
        alpha: f64,
        /// Soft or hard.
        kind: ThresholdKind,
        /// Keep only positive coefficients.
        positive: bool,
    },
}

impl Algorithm {
    /// The algorithm's name as the CLI spells it.
    pub fn name(&self) -> &'static str {
        match self {
            Algorithm::Omp { .. } => "omp",
            Algorithm::Lars { .. } => "lars",
            Algorithm::LassoLars(_) => "lasso-lars",
            Algorithm::LassoGoal { .. } => "lasso-goal",
            Algorithm::LassoCd(_) => "lasso-cd",
            Algorithm::Ista(_) => "ista",
            Algorithm::Fista(_) => "fista",
            Algorithm::Threshold { .. } => "threshold",
        }
    }

    fn lasso_params_mut(&mut self) -> Option<&mut LassoParams> {
        match self {
            Algorithm::LassoLars(p) | Algorithm::LassoCd(p) | Algorithm::Ista(p) | Algorithm::Fista(p) => Some(p),
            _ => None,
        }
    }
}

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
    algorithm: Algorithm,
    threads: Option<Pool>,
    chunk: usize,
    /// A setting the algorithm does not use (`positive`, `l2`, `tol`,
    /// `max_iter`), refused when coding.
    unsupported: Option<&'static str>,
}

/// A thread pool built once by [`Encoder::threads`] and shared by clones.
#[derive(Clone)]
struct Pool {
    threads: usize,
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
        Self::new(Algorithm::Omp { n_nonzero: Some(n_nonzero), tol: None, max_nonzero: None })
    }
    /// OMP to a squared-residual goal `tol`.
    pub fn omp_tol(tol: f64) -> Self {
        Self::new(Algorithm::Omp { n_nonzero: None, tol: Some(tol), max_nonzero: None })
    }
    /// LARS with `n_nonzero` atoms.
    pub fn lars(n_nonzero: usize) -> Self {
        Self::new(Algorithm::Lars { n_nonzero })
    }
    /// Lasso by the LARS homotopy.
    pub fn lasso_lars(alpha: f64) -> Self {
        Self::new(Algorithm::LassoLars(LassoParams::new(alpha)))
    }
    /// The least-ℓ1 code within the squared-residual goal `tol`
    /// (see [`Algorithm::LassoGoal`]).
    pub fn lasso_goal(tol: f64) -> Self {
        Self::new(Algorithm::LassoGoal { tol, positive: false, max_iter: 1000 })
    }
    /// Lasso by coordinate descent.
    pub fn lasso_cd(alpha: f64) -> Self {
        Self::new(Algorithm::LassoCd(LassoParams::new(alpha)))
    }
    /// Lasso by ISTA.
    pub fn ista(alpha: f64) -> Self {
        Self::new(Algorithm::Ista(LassoParams { max_iter: 10_000, ..LassoParams::new(alpha) }))
    }
    /// Lasso by FISTA.
    pub fn fista(alpha: f64) -> Self {
        Self::new(Algorithm::Fista(LassoParams { max_iter: 10_000, ..LassoParams::new(alpha) }))
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
            Algorithm::Threshold { positive: p, .. } | Algorithm::LassoGoal { positive: p, .. } => *p = positive,
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
            Algorithm::LassoGoal { max_iter: m, .. } => *m = max_iter,
            a => match a.lasso_params_mut() {
                Some(p) => p.max_iter = max_iter,
                None => {
                    self.unsupported.get_or_insert("max_iter");
                }
            },
        }
        self
    }
    /// Number of worker threads (default: rayon's global pool). The pool is
    /// built here, once, and shared by clones. Codes never depend on it.
    pub fn threads(mut self, threads: usize) -> Self {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads.max(1)).build().map_err(|e| e.to_string());
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
        self.install(|| run(&plan, dict, x, init, self.chunk))
    }

    /// Codes the columns of `x` straight into `out`, their dense codes as a
    /// column-major `n_atoms × n_samples` buffer (the bytes of NumPy's
    /// C-order `(n_samples, n_atoms)` array). Each chunk of signals writes
    /// its codes as soon as they are found, in parallel, so the output is
    /// written once and no compressed copy is made. With `zeroed`, `out`
    /// already holds zeros (a fresh zeroed allocation, which the kernel
    /// zeroes lazily) and only the non-zeros are written; otherwise every
    /// entry is. The codes are those of [`encode_warm`](Self::encode_warm).
    pub fn encode_dense_into<T: Real>(
        &self,
        dict: &Dictionary<T>,
        x: MatRef<'_, T>,
        init: Option<MatRef<'_, T>>,
        out: &mut [T],
        zeroed: bool,
    ) -> Result<()> {
        let plan = self.check(dict, x, init)?;
        let expected = dict.n_atoms() * x.ncols();
        if out.len() != expected {
            return Err(Error::DimensionMismatch { what: "dense buffer length (n_atoms × n_samples)", expected, got: out.len() });
        }
        self.install(|| run_dense(&plan, dict, x, init, self.chunk, out, zeroed))
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

    /// Validates parameters and data once, before any work.
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
        let (n_features, n_atoms) = (dict.n_features(), dict.n_atoms());
        if x.nrows() != n_features {
            return Err(Error::DimensionMismatch { what: "signal length (n_features)", expected: n_features, got: x.nrows() });
        }
        if let Some(init) = init {
            if init.nrows() != n_atoms {
                return Err(Error::DimensionMismatch { what: "warm start rows (n_atoms)", expected: n_atoms, got: init.nrows() });
            }
            if init.ncols() != x.ncols() {
                return Err(Error::DimensionMismatch { what: "warm start columns (n_samples)", expected: x.ncols(), got: init.ncols() });
            }
        }
        let finite = |s: usize| {
            let col = x.col(s);
            match col.try_as_col_major() {
                Some(c) => kernels::all_finite(c.as_slice()),
                None => (0..n_features).all(|i| col[i].is_finite()),
            }
        };
        if let Some(sample) = (0..x.ncols()).into_par_iter().with_min_len(1024).find_first(|&s| !finite(s)) {
            return Err(Error::NonFiniteSignal { sample });
        }
        let rank_cap = n_atoms.min(n_features);
        let nonneg = |name: &'static str, v: f64| -> Result<T> {
            if !(v >= 0.0) || !v.is_finite() {
                return Err(invalid(name, format!("must be finite and ≥ 0, got {v}")));
            }
            Ok(T::from_f64(v))
        };
        let count = |name: &'static str, k: usize| -> Result<usize> {
            if k == 0 || k > n_atoms {
                return Err(invalid(name, format!("must be between 1 and the number of atoms ({n_atoms}), got {k}")));
            }
            Ok(k)
        };
        let lasso = |p: &LassoParams| -> Result<LassoCfg<T>> {
            let alpha = nonneg("alpha", p.alpha)?;
            let l2 = nonneg("l2", p.l2)?;
            let tol = nonneg("tol", p.tol)?;
            if p.max_iter == 0 {
                return Err(invalid("max_iter", "must be at least 1"));
            }
            Ok(LassoCfg { alpha, positive: p.positive, l2, tol, max_iter: p.max_iter, lip: T::ZERO })
        };
        let plan = match &self.algorithm {
            Algorithm::Omp { n_nonzero, tol, max_nonzero } => match tol {
                Some(t) => {
                    let tol = nonneg("tol", *t)?;
                    let cap = match max_nonzero {
                        Some(m) => count("max_nonzero", *m)?.min(rank_cap),
                        None => rank_cap,
                    };
                    Plan::Omp { max_k: cap, tol: Some(tol) }
                }
                None => {
                    let k = n_nonzero.ok_or_else(|| invalid("n_nonzero", "OMP needs n_nonzero or tol"))?;
                    Plan::Omp { max_k: count("n_nonzero", k)?.min(rank_cap), tol: None }
                }
            },
            Algorithm::Lars { n_nonzero } => Plan::Lars(LarsMode::Lar { k: count("n_nonzero", *n_nonzero)? }),
            Algorithm::LassoLars(p) => {
                let c = lasso(p)?;
                Plan::Lars(LarsMode::Lasso { alpha: c.alpha, positive: c.positive, l2: c.l2, max_iter: c.max_iter })
            }
            Algorithm::LassoGoal { tol, positive, max_iter } => {
                if *max_iter == 0 {
                    return Err(invalid("max_iter", "must be at least 1"));
                }
                Plan::Lars(LarsMode::Goal { eps: nonneg("tol", *tol)?, positive: *positive, max_iter: *max_iter })
            }
            Algorithm::LassoCd(p) => Plan::Iterative(Iterative::Cd, lasso(p)?),
            Algorithm::Ista(p) => Plan::Iterative(Iterative::Ista, LassoCfg { lip: dict.lipschitz()?, ..lasso(p)? }),
            Algorithm::Fista(p) => Plan::Iterative(Iterative::Fista, LassoCfg { lip: dict.lipschitz()?, ..lasso(p)? }),
            Algorithm::Threshold { alpha, kind, positive } => {
                Plan::Threshold { alpha: nonneg("alpha", *alpha)?, hard: *kind == ThresholdKind::Hard, positive: *positive }
            }
        };
        Ok(plan)
    }
}

impl<T: Real> Encode<T> for Encoder {
    fn encode(&self, dict: &Dictionary<T>, x: MatRef<'_, T>) -> Result<SparseCodes<T>> {
        Encoder::encode(self, dict, x)
    }
}

/// Validated parameters in the scalar type.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Plan<T> {
    Omp { max_k: usize, tol: Option<T> },
    Lars(LarsMode<T>),
    Iterative(Iterative, LassoCfg<T>),
    Threshold { alpha: T, hard: bool, positive: bool },
}

struct ChunkOut<T> {
    counts: Vec<usize>,
    indices: Vec<u32>,
    values: Vec<T>,
}

/// Splits the signals into fixed chunks (independent of the thread count),
/// codes the chunks in parallel and concatenates them in order.
pub(crate) fn run<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    chunk: usize,
) -> SparseCodes<T> {
    let n_samples = x.ncols();
    let n_chunks = n_samples.div_ceil(chunk);
    let cap = active_cap(plan, dict);
    let outs: Vec<ChunkOut<T>> = (0..n_chunks)
        .into_par_iter()
        // Each split of the range builds one workspace; keep splits coarse.
        .with_min_len(coarse(n_chunks))
        .map_init(
            || Scratch::new(dict, cap, chunk),
            |scratch, ci| {
                let s0 = ci * chunk;
                let len = chunk.min(n_samples - s0);
                code_chunk(plan, dict, x.subcols(s0, len), init.map(|m| m.subcols(s0, len)), scratch)
            },
        )
        .collect();
    let mut indptr = Vec::with_capacity(n_samples + 1);
    indptr.push(0usize);
    let total: usize = outs.iter().map(|o| o.indices.len()).sum();
    let mut indices = Vec::with_capacity(total);
    let mut values = Vec::with_capacity(total);
    for o in outs {
        for c in o.counts {
            let last = *indptr.last().unwrap();
            indptr.push(last + c);
        }
        indices.extend_from_slice(&o.indices);
        values.extend_from_slice(&o.values);
    }
    SparseCodes::from_parts_unchecked(dict.n_atoms(), indptr, indices, values)
}

/// The bound of the active set: the rank of the Gram matrix, which an
/// elastic-net term makes full.
fn active_cap<T: Real>(plan: &Plan<T>, dict: &Dictionary<T>) -> usize {
    match plan {
        Plan::Lars(LarsMode::Lasso { l2, .. }) if *l2 > T::ZERO => dict.n_atoms(),
        _ => dict.n_atoms().min(dict.n_features()),
    }
}

/// Chunks per split of the parallel range: each split builds one
/// workspace, so splits stay coarse (four per thread).
fn coarse(n_chunks: usize) -> usize {
    n_chunks.div_ceil(4 * rayon::current_num_threads()).max(1)
}

/// [`run`] writing each chunk's codes into its block of the dense `out`.
fn run_dense<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    chunk: usize,
    out: &mut [T],
    zeroed: bool,
) {
    let (n_samples, k) = (x.ncols(), dict.n_atoms());
    if k == 0 || n_samples == 0 {
        return;
    }
    let n_chunks = n_samples.div_ceil(chunk);
    let cap = active_cap(plan, dict);
    out.par_chunks_mut(chunk * k).enumerate().with_min_len(coarse(n_chunks)).for_each_init(
        || Scratch::new(dict, cap, chunk),
        |scratch, (ci, block)| {
            let s0 = ci * chunk;
            let len = chunk.min(n_samples - s0);
            let codes = code_chunk(plan, dict, x.subcols(s0, len), init.map(|m| m.subcols(s0, len)), scratch);
            if !zeroed {
                block.fill(T::ZERO);
            }
            let mut at = 0;
            for (col, &count) in block.chunks_exact_mut(k).zip(&codes.counts) {
                for (&i, &v) in codes.indices[at..at + count].iter().zip(&codes.values[at..at + count]) {
                    col[i as usize] = v;
                }
                at += count;
            }
        },
    );
}

/// One split's memory, reused by every chunk it codes.
struct Scratch<T: Real> {
    ws: Workspace<T>,
    /// `Dᵀx` of the chunk's signals (n_atoms × chunk).
    bbuf: Vec<T>,
    /// A warm start's column (n_atoms).
    initbuf: Vec<T>,
    /// `‖x‖²` of the chunk's signals.
    norms: Vec<T>,
    /// The signals that need coding, gathered (n_features × chunk).
    xbuf: Vec<T>,
}

impl<T: Real> Scratch<T> {
    fn new(dict: &Dictionary<T>, cap: usize, chunk: usize) -> Self {
        let (nf, n) = (dict.n_features(), dict.n_atoms());
        Self {
            ws: Workspace::new(n, cap),
            bbuf: vec![T::ZERO; n * chunk],
            initbuf: vec![T::ZERO; n],
            norms: vec![T::ZERO; chunk],
            xbuf: vec![T::ZERO; nf * chunk],
        }
    }
}

fn code_chunk<T: Real>(
    plan: &Plan<T>,
    dict: &Dictionary<T>,
    x: MatRef<'_, T>,
    init: Option<MatRef<'_, T>>,
    sc: &mut Scratch<T>,
) -> ChunkOut<T> {
    let (nf, n, len) = (dict.n_features(), dict.n_atoms(), x.ncols());
    let norms = &mut sc.norms[..len];
    for (s, v) in norms.iter_mut().enumerate() {
        let col = x.col(s);
        *v = match col.try_as_col_major() {
            Some(c) => kernels::norm_sq(c.as_slice()),
            None => (0..nf).fold(T::ZERO, |acc, i| acc + col[i] * col[i]),
        };
    }
    // OMP with a residual goal leaves a signal already within it uncoded:
    // only the others need `Dᵀx` (in denoising, most patches of flat areas).
    let skip_within = match plan {
        Plan::Omp { tol: Some(t), .. } | Plan::Lars(LarsMode::Goal { eps: t, .. }) => Some(*t),
        _ => None,
    };
    let m = match skip_within {
        Some(t) if norms.iter().any(|&v| v <= t) => {
            let mut m = 0;
            for s in (0..len).filter(|&s| norms[s] > t) {
                let col = x.col(s);
                for (i, v) in sc.xbuf[m * nf..(m + 1) * nf].iter_mut().enumerate() {
                    *v = col[i];
                }
                m += 1;
            }
            let xm = MatRef::from_column_major_slice(&sc.xbuf[..m * nf], nf, m);
            dtx_into(dict.matrix(), xm, MatMut::from_column_major_slice_mut(&mut sc.bbuf[..n * m], n, m), Par::Seq);
            m
        }
        _ => {
            dtx_into(dict.matrix(), x, MatMut::from_column_major_slice_mut(&mut sc.bbuf[..n * len], n, len), Par::Seq);
            len
        }
    };
    // Expected non-zeros per signal (the buffers grow past it if needed).
    let per = match plan {
        Plan::Omp { max_k, tol: None } => *max_k,
        Plan::Omp { max_k, tol: Some(_) } => (*max_k).min(4),
        Plan::Lars(LarsMode::Lar { k }) => *k,
        _ => 8,
    };
    let mut out = ChunkOut { counts: Vec::with_capacity(len), indices: Vec::with_capacity(m * per), values: Vec::with_capacity(m * per) };
    let Scratch { ws, bbuf, initbuf, norms, .. } = sc;
    let job = ChunkJob { plan, dict, init, skip_within, norms: &norms[..len], ws, bbuf: &bbuf[..n * m], initbuf, out: &mut out };
    dispatch_code_signals(job);
    out
}

/// Everything one chunk's coding reads and writes.
struct ChunkJob<'a, 'm, T: Real> {
    plan: &'a Plan<T>,
    dict: &'a Dictionary<T>,
    init: Option<MatRef<'m, T>>,
    /// Signals with `‖x‖²` at most this were not given `Dᵀx` (no code).
    skip_within: Option<T>,
    /// `‖x‖²` of every signal of the chunk.
    norms: &'a [T],
    ws: &'a mut Workspace<T>,
    bbuf: &'a [T],
    initbuf: &'a mut [T],
    out: &'a mut ChunkOut<T>,
}

/// Codes the signals of a chunk with [`code_signals`] compiled for the
/// widest SIMD extension the CPU has, chosen at run time by `pulp` (x86-64
/// v4 or v3, else the baseline; every solver and kernel below it is
/// `#[inline(always)]`, so the whole loop is built for that extension). The
/// vector kernels combine a fixed number of lanes in a fixed order, so the
/// codes are the same bits on every path.
fn dispatch_code_signals<T: Real>(job: ChunkJob<'_, '_, T>) {
    struct Op<'a, 'm, T: Real>(ChunkJob<'a, 'm, T>);
    impl<T: Real> pulp::WithSimd for Op<'_, '_, T> {
        type Output = ();
        #[inline(always)]
        fn with_simd<S: pulp::Simd>(self, _: S) {
            code_signals(self.0)
        }
    }
    pulp::Arch::new().dispatch(Op(job))
}

#[inline(always)]
fn code_signals<T: Real>(job: ChunkJob<'_, '_, T>) {
    let ChunkJob { plan, dict, init, skip_within, norms, ws, bbuf, initbuf, out } = job;
    let n = dict.n_atoms();
    let mut sink = CodeSink { indices: &mut out.indices, values: &mut out.values };
    let mut w = 0;
    for (s, &xnorm2) in norms.iter().enumerate() {
        if skip_within.is_some_and(|t| xnorm2 <= t) {
            out.counts.push(0);
            continue;
        }
        let before = sink.indices.len();
        let b = &bbuf[w * n..(w + 1) * n];
        w += 1;
        match *plan {
            Plan::Omp { max_k, tol } => omp_one(n, &mut &*dict, b, xnorm2, max_k, tol, ws, &mut sink),
            Plan::Lars(mode) => lars_one(dict, b, xnorm2, mode, ws, &mut sink),
            Plan::Iterative(method, cfg) => {
                let warm = init.map(|m| {
                    let col = m.col(s);
                    for (i, v) in initbuf.iter_mut().enumerate() {
                        *v = col[i];
                    }
                    &*initbuf
                });
                iterative_one(dict, b, xnorm2, warm, method, cfg, ws, &mut sink)
            }
            Plan::Threshold { alpha, hard, positive } => threshold_one(b, alpha, hard, positive, &mut sink),
        }
        out.counts.push(sink.indices.len() - before);
    }
}
