//! The typed errors of the solvers.

/// Everything that can go wrong when a user's data or parameters reach a
/// solver. None of these is a panic.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// Two shapes that must agree do not.
    #[error("dimension mismatch: {what} (expected {expected}, got {got})")]
    DimensionMismatch {
        /// What was compared.
        what: &'static str,
        /// The size required.
        expected: usize,
        /// The size given.
        got: usize,
    },
    /// A signal holds NaN or an infinity.
    #[error("signal {sample} holds a non-finite value (NaN or infinity)")]
    NonFiniteSignal {
        /// Index of the first offending signal (column of X, row of the NumPy array).
        sample: usize,
    },
    /// A signal's squared norm overflows the float type.
    #[error("signal {sample} is too large: its squared norm overflows (scale the data down)")]
    SignalOverflow {
        /// Index of the first offending signal (column of X, row of the NumPy array).
        sample: usize,
    },
    /// The dictionary holds NaN or an infinity.
    #[error("atom {atom} of the dictionary holds a non-finite value (NaN or infinity)")]
    NonFiniteAtom {
        /// Index of the first offending atom.
        atom: usize,
    },
    /// An atom is all zeros.
    #[error("atom {atom} of the dictionary has zero norm (or values so small that their squares underflow)")]
    ZeroNormAtom {
        /// Index of the first zero atom.
        atom: usize,
    },
    /// An atom's squared norm overflows the float type.
    #[error("atom {atom} of the dictionary is too large: its squared norm overflows (scale the dictionary down)")]
    AtomOverflow {
        /// Index of the first such atom.
        atom: usize,
    },
    /// The dictionary has no atoms or no features.
    #[error("the dictionary is empty ({n_features} features × {n_atoms} atoms)")]
    EmptyDictionary {
        /// Rows of D.
        n_features: usize,
        /// Columns of D.
        n_atoms: usize,
    },
    /// A parameter is out of its range or does not apply to the algorithm.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter's name, as in scikit-learn where it exists there.
        name: &'static str,
        /// Why it was rejected.
        reason: String,
    },
    /// The eigensolver behind the Lipschitz constant failed.
    #[error("could not compute the spectral norm of the dictionary")]
    SpectralNorm,
    /// The eigensolver behind a ridge system failed.
    #[error("the eigensolver of the ridge system did not converge")]
    Eigensolver,
    /// Something sized by the input would not fit in memory.
    #[error(transparent)]
    TooLarge(#[from] sc_linalg::memory::TooLarge),
    /// A thread pool of the requested size could not be built.
    #[error("could not build a thread pool: {0}")]
    ThreadPool(String),
}

/// `Result` with the solvers' [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidParameter { name, reason: reason.into() }
}
