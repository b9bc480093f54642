//! The coding algorithms and their parameters: what each computes, its
//! names (one spelling, [`AlgorithmName`]), which settings apply to it, and
//! the defaults a door leaves to the library ([`Settings`]).

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
    /// Defaults: no constraint, no ℓ2 term, `tol` [`LassoParams::TOL`],
    /// `max_iter` [`LassoParams::MAX_ITER`].
    pub fn new(alpha: f64) -> Self {
        Self { alpha, positive: false, l2: 0.0, tol: Self::TOL, max_iter: Self::MAX_ITER }
    }

    /// The iterative solvers' relative duality-gap tolerance by default
    /// (coordinate descent: [`LASSO_CD_TOL`]).
    pub const TOL: f64 = 1e-10;
    /// The cap on passes or homotopy steps by default (scikit-learn's
    /// `max_iter`; ISTA and FISTA: [`LassoParams::MAX_ITER_PROXIMAL`]).
    pub const MAX_ITER: usize = 1000;
    /// ISTA's and FISTA's cap on passes by default (first-order methods
    /// need more passes than coordinate descent).
    pub const MAX_ITER_PROXIMAL: usize = 10_000;
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
        /// Number of atoms per signal (`None`: [`default_n_nonzero`];
        /// ignored with `tol`).
        n_nonzero: Option<usize>,
        /// Squared-residual goal.
        tol: Option<f64>,
        /// The ℓ0 penalty `λ` of `½‖x − Dc‖² + λ‖c‖₀` (SPAMS's `omp` with
        /// `lambda1`): stop before an atom that would lower `½‖x − Dc‖²` by
        /// at most `λ`. Like `tol`, it makes `n_nonzero` ignored and
        /// `max_nonzero` the cap; both may be given.
        l0: Option<f64>,
        /// Cap on atoms when coding to `tol` or `alpha`.
        max_nonzero: Option<usize>,
        /// Forward selection (order-recursive matching pursuit, SPAMS's
        /// `omp`): each step adds the atom whose addition most reduces the
        /// residual, `argmax (dⱼᵀr)² / ‖dⱼ − P dⱼ‖²` with `P` the projection
        /// on the chosen atoms, instead of the most correlated atom
        /// (scikit-learn's OMP). The coefficients are least squares on the
        /// chosen atoms either way.
        forward: bool,
    },
    /// Least-angle regression stopped after `n_nonzero` atoms.
    Lars {
        /// Number of atoms per signal (`None`: [`default_n_nonzero`]).
        n_nonzero: Option<usize>,
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
    /// The best fit within an ℓ1 budget, `min ‖x − Dc‖² s.t. ‖c‖₁ ≤ budget`
    /// (SPAMS's `lasso` in mode 0; with `l2`, the Gram matrix gains the
    /// ridge `l2·I`, as SPAMS adds it): the Lasso homotopy, stopped inside
    /// the step where `‖c‖₁` reaches the budget (or at the end of the path).
    LassoBudget {
        /// The ℓ1 budget.
        budget: f64,
        /// Constrain the code to `c ≥ 0`.
        positive: bool,
        /// The ridge added to the Gram matrix.
        l2: f64,
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
    /// The algorithm's name, without its parameters.
    pub fn kind(&self) -> AlgorithmName {
        match self {
            Algorithm::Omp { forward: false, .. } => AlgorithmName::Omp,
            Algorithm::Omp { forward: true, .. } => AlgorithmName::Ormp,
            Algorithm::Lars { .. } => AlgorithmName::Lars,
            Algorithm::LassoLars(_) => AlgorithmName::LassoLars,
            Algorithm::LassoGoal { .. } => AlgorithmName::LassoGoal,
            Algorithm::LassoBudget { .. } => AlgorithmName::LassoBudget,
            Algorithm::LassoCd(_) => AlgorithmName::LassoCd,
            Algorithm::Ista(_) => AlgorithmName::Ista,
            Algorithm::Fista(_) => AlgorithmName::Fista,
            Algorithm::Threshold { kind: ThresholdKind::Soft, .. } => AlgorithmName::Threshold,
            Algorithm::Threshold { kind: ThresholdKind::Hard, .. } => AlgorithmName::HardThreshold,
        }
    }

    /// The algorithm's canonical name ([`AlgorithmName`]).
    pub fn name(&self) -> &'static str {
        self.kind().name()
    }

    pub(crate) fn lasso_params_mut(&mut self) -> Option<&mut LassoParams> {
        match self {
            Algorithm::LassoLars(p) | Algorithm::LassoCd(p) | Algorithm::Ista(p) | Algorithm::Fista(p) => Some(p),
            _ => None,
        }
    }
}

/// The penalty (or threshold) `alpha` when none is given: scikit-learn's
/// `sparse_encode(alpha=None)`.
pub const DEFAULT_ALPHA: f64 = 1.0;

/// Lasso coordinate descent's relative duality-gap tolerance by default:
/// scikit-learn's dictionary learners and `sparse_encode` stop their
/// coordinate descent there, so `lasso_cd` codes compare one to one.
pub const LASSO_CD_TOL: f64 = 1e-8;

/// Atoms per signal for OMP and LARS when none is given: scikit-learn's
/// rule, `min(max(n_features / 10, 1), n_atoms)` (`sparse_encode`,
/// `orthogonal_mp`, and K-SVD's default sparsity).
pub fn default_n_nonzero(n_features: usize, n_atoms: usize) -> usize {
    // DEFAULT_N_NONZERO_RULE says this in words.
    (n_features / 10).max(1).min(n_atoms)
}

/// Atoms per target for OMP as regression when none is given:
/// scikit-learn's rule for `orthogonal_mp`, `orthogonal_mp_gram` and
/// `OrthogonalMatchingPursuit`, 10% of the design's columns (the atoms),
/// at least 1. (`sparse_encode`'s rule, [`default_n_nonzero`], counts the
/// signal's length instead.)
pub fn default_omp_nonzero(n_atoms: usize) -> usize {
    (n_atoms / 10).max(1)
}

/// The longest OMP path scikit-learn's `OrthogonalMatchingPursuitCV`
/// cross-validates when its `max_iter` is not given: 10% of the design's
/// columns, at least 5, at most all of them.
pub fn default_omp_path_length(n_atoms: usize) -> usize {
    (n_atoms / 10).max(5).min(n_atoms)
}

/// [`default_n_nonzero`] in words, for help texts.
pub const DEFAULT_N_NONZERO_RULE: &str = "min(max(n_features / 10, 1), n_atoms)";

/// A coding algorithm's name, without its parameters: what the command
/// line and Python parse (`"lasso_lars"`, or `"lasso-lars"`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AlgorithmName {
    /// [`Algorithm::Omp`].
    Omp,
    /// [`Algorithm::Omp`] with forward selection (order-recursive matching
    /// pursuit, SPAMS's `omp`).
    Ormp,
    /// [`Algorithm::Lars`].
    Lars,
    /// [`Algorithm::LassoLars`].
    LassoLars,
    /// [`Algorithm::LassoGoal`].
    LassoGoal,
    /// [`Algorithm::LassoBudget`].
    LassoBudget,
    /// [`Algorithm::LassoCd`].
    LassoCd,
    /// [`Algorithm::Ista`].
    Ista,
    /// [`Algorithm::Fista`].
    Fista,
    /// [`Algorithm::Threshold`], soft.
    Threshold,
    /// [`Algorithm::Threshold`], hard.
    HardThreshold,
}

sc_linalg::named_enum!(AlgorithmName, "algorithm", {
    Omp => "omp",
    Ormp => "ormp",
    Lars => "lars",
    LassoLars => "lasso_lars",
    LassoGoal => "lasso_goal",
    LassoBudget => "lasso_budget",
    LassoCd => "lasso_cd",
    Ista => "ista",
    Fista => "fista",
    Threshold => "threshold",
    HardThreshold => "hard_threshold",
});

/// A setting of a coder, as [`Settings`] holds it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Setting {
    /// The ℓ1 penalty, the threshold, or `lasso_budget`'s ℓ1 budget.
    Alpha,
    /// Atoms per signal.
    NNonzero,
    /// A squared-residual goal (OMP, `lasso_goal`) or a relative
    /// duality-gap tolerance (iterative solvers).
    Tol,
    /// A cap on passes, homotopy steps, or atoms under a goal (OMP).
    MaxIter,
    /// The sign constraint `c ≥ 0`.
    Positive,
    /// The elastic-net ℓ2 penalty.
    L2,
    /// OMP's ℓ0 penalty (see [`Algorithm::Omp`]).
    L0,
    /// A warm start.
    Init,
}

sc_linalg::named_enum!(Setting, "setting", {
    Alpha => "alpha",
    NNonzero => "n_nonzero",
    Tol => "tol",
    MaxIter => "max_iter",
    Positive => "positive",
    L2 => "l2",
    L0 => "l0",
    Init => "init",
});

impl Default for AlgorithmName {
    /// Lasso-LARS, scikit-learn's `sparse_encode` default.
    fn default() -> Self {
        AlgorithmName::LassoLars
    }
}

impl AlgorithmName {
    /// The settings that apply to this algorithm; an encoder refuses any
    /// other ([`Encoder::from_settings`](crate::Encoder::from_settings), and each builder method).
    pub fn settings(self) -> &'static [Setting] {
        use Setting::*;
        match self {
            AlgorithmName::Omp | AlgorithmName::Ormp => &[NNonzero, Tol, L0, MaxIter],
            AlgorithmName::Lars => &[NNonzero],
            AlgorithmName::LassoLars => &[Alpha, Positive, L2, MaxIter],
            AlgorithmName::LassoGoal => &[Tol, Positive, MaxIter],
            AlgorithmName::LassoBudget => &[Alpha, Positive, L2, MaxIter],
            AlgorithmName::LassoCd | AlgorithmName::Ista | AlgorithmName::Fista => &[Alpha, Positive, L2, Tol, MaxIter, Init],
            AlgorithmName::Threshold | AlgorithmName::HardThreshold => &[Alpha, Positive],
        }
    }

    /// Whether `setting` applies to this algorithm.
    pub fn accepts(self, setting: Setting) -> bool {
        self.settings().contains(&setting)
    }
}

/// A coder's settings as a door receives them: `None` (or `false`) leaves
/// the library's default ([`DEFAULT_ALPHA`], [`default_n_nonzero`] for the
/// dictionary coded over, the algorithm's own tolerance and caps).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Settings {
    /// The penalty or threshold.
    pub alpha: Option<f64>,
    /// Atoms per signal (OMP, LARS).
    pub n_nonzero: Option<usize>,
    /// OMP's and `lasso_goal`'s squared-residual goal (for OMP it wins over
    /// `n_nonzero`, as in scikit-learn); the iterative solvers' tolerance.
    pub tol: Option<f64>,
    /// The iteration cap (see [`Encoder::max_iter`](crate::Encoder::max_iter)).
    pub max_iter: Option<usize>,
    /// The sign constraint.
    pub positive: bool,
    /// The elastic-net ℓ2 penalty.
    pub l2: Option<f64>,
    /// OMP's ℓ0 penalty.
    pub l0: Option<f64>,
}

impl Settings {
    /// The settings given (not left to the default).
    pub fn given(&self) -> Vec<Setting> {
        [
            (Setting::Alpha, self.alpha.is_some()),
            (Setting::NNonzero, self.n_nonzero.is_some()),
            (Setting::Tol, self.tol.is_some()),
            (Setting::MaxIter, self.max_iter.is_some()),
            (Setting::Positive, self.positive),
            (Setting::L2, self.l2.is_some()),
            (Setting::L0, self.l0.is_some()),
        ]
        .into_iter()
        .filter_map(|(s, given)| given.then_some(s))
        .collect()
    }
}
