//! Typed errors of the learners and model files.

/// Errors of dictionary learning and model files.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A parameter is out of range.
    #[error("invalid parameter `{name}`: {reason}")]
    InvalidParameter {
        /// The parameter.
        name: &'static str,
        /// Why.
        reason: String,
    },
    /// The data do not fit the dictionary or each other.
    #[error("dimension mismatch: {0}")]
    Dimension(String),
    /// A sample holds NaN or an infinity.
    #[error("sample {0} holds a non-finite value")]
    NonFinite(usize),
    /// Every value of the data is missing (masked learning).
    #[error("every value of X is missing: there is nothing to learn from")]
    NothingObserved,
    /// A sample's squared norm overflows the float type: its values are too
    /// large to learn from in that type.
    #[error("sample {0} is too large: its squared norm overflows (scale the data down)")]
    Overflow(usize),
    /// The SVD of the data (the SVD initialisation) did not converge.
    #[error("the SVD of the data did not converge")]
    Svd,
    /// The eigensolver of K-SVD's exact atom update did not converge.
    #[error("the eigensolver of atom {atom}'s exact update did not converge")]
    Eigensolver {
        /// The atom being updated.
        atom: usize,
    },
    /// The dictionary and its statistics would not fit in memory.
    #[error(transparent)]
    TooLarge(#[from] sc_linalg::memory::TooLarge),
    /// An initial atom is zero (a given dictionary, or zero signals).
    #[error("initial atom {0} is zero")]
    ZeroAtom(usize),
    /// The sparse coder failed.
    #[error(transparent)]
    Solver(#[from] sc_solvers::Error),
    /// A model file is damaged, of another version, or not a model.
    #[error("{0}")]
    Model(String),
    /// Reading or writing a file failed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: std::path::PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

pub(crate) fn invalid(name: &'static str, reason: impl Into<String>) -> Error {
    Error::InvalidParameter { name, reason: reason.into() }
}
