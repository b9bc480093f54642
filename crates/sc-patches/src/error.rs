//! Typed errors of file and image handling.

use std::path::PathBuf;

/// Errors of reading and writing arrays and images, and of patches and
/// pictures made from them.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The operating system refused a read or write.
    #[error("{path}: {source}")]
    Io {
        /// The file concerned.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The file is not a valid array or image of the expected kind.
    #[error("{path}: {reason}")]
    Format {
        /// The file concerned.
        path: PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The patch does not fit in the image.
    #[error("a {ph}×{pw} patch does not fit in a {height}×{width} image")]
    PatchTooLarge {
        /// Patch height.
        ph: usize,
        /// Patch width.
        pw: usize,
        /// Image height.
        height: usize,
        /// Image width.
        width: usize,
    },
    /// A patch side or a stride is zero.
    #[error("{0} must be at least 1")]
    Zero(&'static str),
    /// `max_patches` asks for no patch, or a fraction outside (0, 1].
    #[error("max_patches must be a count ≥ 1 or a fraction in (0, 1], got {0}")]
    BadMaxPatches(String),
    /// Patch data and corners do not match the image.
    #[error("patches do not fit the image they are put back into")]
    Mismatch,
    /// Sizes that disagree or overflow (an image's values, a grid of atoms).
    #[error("{0}")]
    Shape(String),
    /// A request larger than the memory that can be allocated, refused
    /// Something sized by the input would not fit in memory.
    #[error(transparent)]
    TooLarge(#[from] sc_linalg::memory::TooLarge),
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = core::result::Result<T, E>;

pub(crate) fn format_err(path: &std::path::Path, reason: impl Into<String>) -> Error {
    Error::Format { path: path.to_path_buf(), reason: reason.into() }
}

pub(crate) fn io_err(path: &std::path::Path, source: std::io::Error) -> Error {
    Error::Io { path: path.to_path_buf(), source }
}
