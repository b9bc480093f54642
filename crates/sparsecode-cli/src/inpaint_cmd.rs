//! `sparsecode inpaint`.

use std::path::PathBuf;
use std::time::Instant;

use sparsecode::denoise::psnr_known;
use sparsecode::inpaint::Inpainter;
use sparsecode::patches::image::{BitDepth, Image, ReadOptions, Scale, read_image, write_image};

use crate::learn::bar;
use crate::{CliError, check_output};

#[derive(clap::Args)]
pub(crate) struct InpaintArgs {
    /// Damaged image: .png, .pgm/.ppm (values 0..255) or .npy (floats as they are).
    #[arg(long)]
    image: PathBuf,
    /// Mask of the known pixels, the image's size: white (or non-zero in .npy) is known, black is missing.
    #[arg(long)]
    mask: Option<PathBuf>,
    /// Pixels of this value are missing (`nan` for NaN in a .npy image).
    #[arg(long)]
    missing_value: Option<f64>,
    /// Output image (.png, .pgm/.ppm, or .npy to keep floats exact).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Noise of the known pixels, in the image's units [default: 0.5].
    #[arg(long)]
    sigma: Option<f64>,
    /// Square patch side [default: 8].
    #[arg(long)]
    patch: Option<usize>,
    /// Dictionary atoms [default: 256].
    #[arg(long)]
    atoms: Option<usize>,
    /// Atoms per patch at most (twice that in refinement passes) [default: 4].
    #[arg(long)]
    max_atoms: Option<usize>,
    /// Refinement passes: the estimate re-coded whole, the goal shrinking to --sigma [default: 64].
    #[arg(long)]
    refine: Option<usize>,
    /// σ of the first refinement pass [default: 8].
    #[arg(long)]
    refine_sigma: Option<f64>,
    /// Learn on the incomplete patches (masked) rather than on the first estimate.
    #[arg(long)]
    learn_masked: bool,
    /// Code the patches every STRIDE pixels down and across in the masked pass and the refinement passes, the grid shifted from pass to pass [default: 4].
    #[arg(long)]
    stride: Option<usize>,
    /// The grid step of the last --fine-passes refinement passes [default: 2].
    #[arg(long)]
    fine_stride: Option<usize>,
    /// Refinement passes at the end on the --fine-stride grid [default: 16].
    #[arg(long)]
    fine_passes: Option<usize>,
    /// Mini-batches of the learner; 0 keeps the overcomplete DCT [default: 200].
    #[arg(long)]
    steps: Option<usize>,
    /// Training patches at most [default: 20000].
    #[arg(long)]
    max_training: Option<usize>,
    /// Original image, to report the PSNR of the missing pixels and of the whole image.
    #[arg(long)]
    clean: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// The flags of the known pixels of `img`: from `mask` (white or non-zero
/// is known), or where `img` differs from `missing_value`.
fn known_pixels(img: &Image, mask: Option<&PathBuf>, missing_value: Option<f64>) -> Result<Vec<bool>, CliError> {
    let (w, h, ch) = (img.width, img.height, img.channels);
    let missing = |v: f64| missing_value.is_some_and(|m| if m.is_nan() { v.is_nan() } else { v == m });
    let mut known: Vec<bool> = (0..w * h).map(|i| !(0..ch).any(|c| missing(img.data[i * ch + c]))).collect();
    if let Some(path) = mask {
        let m = read_image(path, ReadOptions { gray: true, ..ReadOptions::default() })?;
        if (m.width, m.height) != (w, h) {
            return Err(CliError(format!("the mask is {}×{}, the image {w}×{h}", m.width, m.height)));
        }
        let npy = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
        for (k, &v) in known.iter_mut().zip(&m.data) {
            *k &= if npy { v != 0.0 && !v.is_nan() } else { v >= 127.5 };
        }
    }
    if let Some(i) = (0..w * h).find(|&i| known[i] && (0..ch).any(|c| !img.data[i * ch + c].is_finite())) {
        return Err(CliError(format!(
            "pixel ({}, {}) is not finite and not marked missing (--mask, or --missing-value nan)",
            i / w,
            i % w
        )));
    }
    Ok(known)
}

pub(crate) fn inpaint(a: &InpaintArgs) -> Result<(), CliError> {
    check_output(&a.output, &["png", "pgm", "ppm", "pnm", "npy"])?;
    if a.mask.is_none() && a.missing_value.is_none() {
        return Err(CliError("say which pixels are missing: --mask MASK.png or --missing-value V".into()));
    }
    let img = read_image(&a.image, ReadOptions::default())?;
    let known = known_pixels(&img, a.mask.as_ref(), a.missing_value)?;
    let clean = a.clean.as_ref().map(|c| read_image(c, ReadOptions::default())).transpose()?;
    if let Some(c) = &clean
        && (c.width, c.height, c.channels) != (img.width, img.height, img.channels)
    {
        return Err(CliError("the clean image's size differs from the damaged one's".into()));
    }
    let base = Inpainter::default();
    let p = Inpainter {
        patch: a.patch.unwrap_or(base.patch),
        n_atoms: a.atoms.unwrap_or(base.n_atoms),
        sigma: a.sigma.unwrap_or(base.sigma),
        max_atoms: a.max_atoms.unwrap_or(base.max_atoms),
        steps: a.steps.unwrap_or(base.steps),
        refine: a.refine.unwrap_or(base.refine),
        learn_masked: a.learn_masked,
        stride: a.stride.unwrap_or(base.stride),
        fine_stride: a.fine_stride.unwrap_or(base.fine_stride),
        fine_passes: a.fine_passes.unwrap_or(base.fine_passes),
        refine_sigma: a.refine_sigma.unwrap_or(base.refine_sigma),
        max_training: a.max_training.unwrap_or(base.max_training),
        seed: a.seed,
        ..base
    };
    let t = Instant::now();
    let mut observer = bar();
    let (out, report) = p.run(&img, &known, &mut observer).map_err(|e| CliError(e.to_string()))?;
    let seconds = t.elapsed().as_secs_f64();
    if let Some(b) = &observer.0 {
        b.finish_and_clear();
    }
    write_image(&a.output, &out, Scale::Byte, BitDepth::Eight)?;
    let scores = clean.as_ref().map(|c| (psnr_known(c, &out, 255.0, None), psnr_known(c, &out, 255.0, Some((&known, false)))));
    if a.json {
        let mut j = serde_json::json!({ "seconds": seconds, "mean_nnz": report.mean_nnz, "missing": report.missing });
        if let Some((all, hole)) = scores {
            j["psnr"] = serde_json::json!(all);
            j["psnr_missing"] = serde_json::json!(hole);
        }
        say!("{j}");
    } else if let Some((all, hole)) = scores {
        note!(
            "inpainted {:.0}% missing pixels in {seconds:.2} s, PSNR {all:.2} dB ({hole:.2} dB on the missing pixels)",
            report.missing * 100.0
        );
    }
    Ok(())
}
