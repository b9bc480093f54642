//! `sparsecode inpaint`.

use std::path::PathBuf;
use std::time::Instant;

use sparsecode::denoise::psnr_known;
use sparsecode::inpaint::{EXACT_LEVELS, Inpainter, REFINE_LEVELS, known_pixels};
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
    #[arg(long, help = levels_help("Noise of the known pixels, in the image's units", EXACT_LEVELS))]
    sigma: Option<f64>,
    /// Square patch side.
    #[arg(long, default_value_t = Inpainter::default().patch)]
    patch: usize,
    /// Dictionary atoms.
    #[arg(long, default_value_t = Inpainter::default().n_atoms)]
    atoms: usize,
    /// Atoms per patch at most (twice that in refinement passes).
    #[arg(long, default_value_t = Inpainter::default().max_atoms)]
    max_atoms: usize,
    /// Refinement passes: the estimate re-coded whole, the goal shrinking to --sigma.
    #[arg(long, default_value_t = Inpainter::default().refine)]
    refine: usize,
    #[arg(long, help = levels_help("σ of the first refinement pass, in the image's units", REFINE_LEVELS))]
    refine_sigma: Option<f64>,
    /// Learn on the incomplete patches (masked) rather than on the first estimate.
    #[arg(long)]
    learn_masked: bool,
    /// Code the patches every STRIDE pixels down and across in the masked pass and the refinement passes, the grid shifted from pass to pass.
    #[arg(long, default_value_t = Inpainter::default().stride)]
    stride: usize,
    /// The grid step of the last --fine-passes refinement passes.
    #[arg(long, default_value_t = Inpainter::default().fine_stride)]
    fine_stride: usize,
    /// Refinement passes at the end on the --fine-stride grid.
    #[arg(long, default_value_t = Inpainter::default().fine_passes)]
    fine_passes: usize,
    /// Mini-batches of the learner; 0 keeps the overcomplete DCT.
    #[arg(long, default_value_t = Inpainter::default().steps)]
    steps: usize,
    /// Training patches at most.
    #[arg(long, default_value_t = Inpainter::default().max_training)]
    max_training: usize,
    /// Original image, to report the PSNR of the missing pixels and of the whole image.
    #[arg(long)]
    clean: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = Inpainter::default().seed)]
    seed: u64,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// The flags of the known pixels of `img`: from `mask` (white or non-zero
/// is known), and those none of whose channels is `missing_value`.
fn known_flags(img: &Image, mask: Option<&PathBuf>, missing_value: Option<f64>) -> Result<Vec<bool>, CliError> {
    let (w, h) = (img.width, img.height);
    let mut known = match missing_value {
        Some(m) => known_pixels(img, m),
        None => vec![true; w * h],
    };
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
    Ok(known)
}

pub(crate) fn inpaint(a: &InpaintArgs) -> Result<(), CliError> {
    check_output(&a.output, &["png", "pgm", "ppm", "pnm", "npy"])?;
    if a.mask.is_none() && a.missing_value.is_none() {
        return Err(CliError("say which pixels are missing: --mask MASK.png or --missing-value V".into()));
    }
    let img = read_image(&a.image, ReadOptions::default())?;
    let known = known_flags(&img, a.mask.as_ref(), a.missing_value)?;
    let clean = a.clean.as_ref().map(|c| read_image(c, ReadOptions::default())).transpose()?;
    if let Some(c) = &clean
        && (c.width, c.height, c.channels) != (img.width, img.height, img.channels)
    {
        return Err(CliError("the clean image's size differs from the damaged one's".into()));
    }
    let p = inpainter(a);
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

/// The help of a noise level whose default is `levels` gray levels of the
/// image's own 8-bit scale (the library's constants).
fn levels_help(what: &str, levels: f64) -> String {
    format!(
        "{what} [default: {levels} gray levels of the image's 8-bit scale; a level is 1/256 of the power of two nearest its brightest known pixel]"
    )
}

/// The inpainter the arguments ask for: [`Inpainter::default`] with the
/// flags given.
fn inpainter(a: &InpaintArgs) -> Inpainter {
    Inpainter {
        patch: a.patch,
        n_atoms: a.atoms,
        sigma: a.sigma,
        max_atoms: a.max_atoms,
        steps: a.steps,
        refine: a.refine,
        learn_masked: a.learn_masked,
        stride: a.stride,
        fine_stride: a.fine_stride,
        fine_passes: a.fine_passes,
        refine_sigma: a.refine_sigma,
        max_training: a.max_training,
        seed: a.seed,
        ..Inpainter::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// With no flag but the files, the inpainter is the library's.
    #[test]
    fn the_defaults_are_the_librarys() {
        let a: InpaintArgs = crate::parse_as(&["--image", "x.png", "--mask", "m.png", "-o", "y.png"]);
        assert_eq!(inpainter(&a), Inpainter::default());
    }
}
