//! `sparsecode denoise`.

use std::path::PathBuf;
use std::time::Instant;

use sparsecode::denoise::{Denoiser, Learner, psnr};
use sparsecode::patches::image::{BitDepth, ReadOptions, Scale, read_image, write_image};

use crate::learn::bar;
use crate::{CliError, check_output};

#[derive(clap::Args)]
pub(crate) struct DenoiseArgs {
    /// Noisy image: .png, .pgm/.ppm (values 0..255) or .npy (floats as they are).
    #[arg(long)]
    image: PathBuf,
    /// Noise standard deviation, in the image's units (0..255 for PNG/PGM).
    #[arg(long)]
    sigma: f64,
    /// Output image (.png, .pgm/.ppm, or .npy to keep floats exact).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Square patch side.
    #[arg(long, default_value_t = 8)]
    patch: usize,
    /// Dictionary atoms.
    #[arg(long, default_value_t = 256)]
    atoms: usize,
    /// K-SVD iterations.
    #[arg(long, default_value_t = 10)]
    iterations: usize,
    /// Training patches at most.
    #[arg(long, default_value_t = 65_000)]
    max_training: usize,
    /// Gain C of the error goal n·(C·σ)².
    #[arg(long, default_value_t = 1.15)]
    gain: f64,
    /// λ·σ of the final blend.
    #[arg(long, default_value_t = 30.0)]
    lambda_factor: f64,
    /// Clean image, to report the PSNR.
    #[arg(long)]
    clean: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Learn online (Mairal et al.) with this many mini-batches instead of K-SVD.
    #[arg(long)]
    online_steps: Option<usize>,
    /// Weight each patch by 1/(1 + its atoms) in the blend.
    #[arg(long)]
    sparsity_weights: bool,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

pub(crate) fn denoise(a: &DenoiseArgs) -> Result<(), CliError> {
    check_output(&a.output, &["png", "pgm", "ppm", "pnm", "npy"])?;
    if !(a.sigma > 0.0 && a.sigma.is_finite()) {
        return Err(CliError(format!("--sigma must be finite and > 0, got {}", a.sigma)));
    }
    let noisy = read_image(&a.image, ReadOptions::default())?;
    let clean = a.clean.as_ref().map(|c| read_image(c, ReadOptions::default())).transpose()?;
    if let Some(c) = &clean
        && (c.width, c.height, c.channels) != (noisy.width, noisy.height, noisy.channels)
    {
        return Err(CliError("the clean image's size differs from the noisy one's".into()));
    }
    let d = Denoiser {
        patch: a.patch,
        atoms: a.atoms,
        iterations: a.iterations,
        max_training: a.max_training,
        gain: a.gain,
        lambda_factor: a.lambda_factor,
        seed: a.seed,
        learner: a.online_steps.map_or(Learner::Ksvd, |steps| Learner::Online { steps }),
        sparsity_weights: a.sparsity_weights,
        ..Denoiser::new(a.sigma)
    };
    let t = Instant::now();
    let mut observer = bar();
    let (out, report) = d.run(&noisy, &mut observer).map_err(|e| CliError(e.to_string()))?;
    let seconds = t.elapsed().as_secs_f64();
    if let Some(b) = &observer.0 {
        b.finish_and_clear();
    }
    write_image(&a.output, &out, Scale::Byte, BitDepth::Eight)?;
    let psnr_db = clean.as_ref().map(|c| psnr(c, &out, 255.0));
    if a.json {
        let mut j = serde_json::json!({ "seconds": seconds, "mean_nnz": report.mean_nnz });
        if let Some(p) = psnr_db {
            j["psnr"] = serde_json::json!(p);
        }
        say!("{j}");
    } else if let Some(p) = psnr_db {
        eprintln!("denoised in {seconds:.2} s, {:.2} atoms per patch, PSNR {p:.2} dB", report.mean_nnz);
    }
    Ok(())
}
