//! The error of the image pipelines (denoising, inpainting, the noise
//! estimate): its own module, so that each pipeline reads it without
//! reading another pipeline.

/// Errors of the denoiser.
#[derive(Debug, thiserror::Error)]
pub enum DenoiseError {
    /// σ must be finite and positive.
    #[error("sigma must be finite and > 0, got {0}")]
    BadSigma(f64),
    /// The image is smaller than a patch.
    #[error(transparent)]
    Patch(#[from] sc_patches::Error),
    /// Learning failed.
    #[error(transparent)]
    Learn(#[from] sc_dict::Error),
    /// Coding failed.
    #[error(transparent)]
    Solver(#[from] sc_solvers::Error),
    /// Any other parameter out of range.
    #[error("invalid parameter `{0}`: {1}")]
    Invalid(&'static str, String),
    /// The image is too large for the machine's memory.
    #[error(transparent)]
    TooLarge(#[from] sc_linalg::memory::TooLarge),
}
