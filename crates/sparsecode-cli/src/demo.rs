//! `sparsecode demo`: the seed's walkthrough on the embedded camera image.

use std::path::{Path, PathBuf};
use std::time::Instant;

use sparsecode::denoise::{Denoiser, psnr};
use sparsecode::dict::Learn;
use sparsecode::dict::online::OnlineParams;
use sparsecode::dict::progress::Quiet;
use sparsecode::dict::rng::SplitMix;
use sparsecode::faer::MatRef;
use sparsecode::inpaint::Inpainter;
use sparsecode::patches::image::{BitDepth, Image, Scale, camera, encode_image};
use sparsecode::patches::patches::{MaxPatches, PatchSpec, extract_spec};
use sparsecode::patches::pictures::{GridSpec, captioned, dictionary_grid, draw_text, side_by_side, stacked};
use sparsecode::patches::write_all_atomic;
use sparsecode::prelude::*;

use crate::{CliError, check_folder};

#[derive(clap::Args)]
pub(crate) struct DemoArgs {
    /// Folder for dictionary.png, patch.png, denoise.png and inpaint.png (created if missing).
    #[arg(long, default_value = "demo-out")]
    out_dir: PathBuf,
}

fn step(t: Instant) -> String {
    format!("[{:.2} s]", t.elapsed().as_secs_f64())
}

/// The demo's pictures, encoded as they are made and written together at
/// the end: all of them or none.
struct Pictures {
    dir: PathBuf,
    files: Vec<(PathBuf, Vec<u8>)>,
}

impl Pictures {
    fn add(&mut self, name: &str, img: &Image) -> Result<PathBuf, CliError> {
        let path = self.dir.join(name);
        self.files.push((path.clone(), encode_image(&path, img, Scale::Byte, BitDepth::Eight)?));
        Ok(path)
    }

    fn write(self) -> Result<(), CliError> {
        let files: Vec<(&Path, &[u8])> = self.files.iter().map(|(p, b)| (p.as_path(), b.as_slice())).collect();
        Ok(write_all_atomic(&files)?)
    }
}

/// Runs the walkthrough, printing each step as scikit-learn's example does.
pub(crate) fn run(args: &DemoArgs) -> Result<(), CliError> {
    std::fs::create_dir_all(&args.out_dir).map_err(|e| CliError(format!("cannot create {}: {e}", args.out_dir.display())))?;
    let mut pictures = Pictures { dir: args.out_dir.clone(), files: Vec::new() };
    for name in ["dictionary.png", "patch.png", "denoise.png", "inpaint.png"] {
        check_folder(&args.out_dir.join(name))?;
    }
    let total = Instant::now();

    let t = Instant::now();
    let img = camera();
    say!("Image shape: ({}, {})  — scikit-image's camera, embedded  {}", img.height, img.width, step(t));

    let t = Instant::now();
    let unit = img.clone().scaled(1.0 / 255.0);
    let spec = PatchSpec { max_patches: MaxPatches::Count(2000), seed: 42, ..PatchSpec::new(8, 8) };
    let patches = extract_spec(&unit, &spec)?;
    say!(
        "Patches shape: ({}, {})  — 2000 random 8×8 patches (seed 42), values in [0, 1]  {}",
        patches.n_patches(),
        patches.n_features(),
        step(t)
    );

    let t = Instant::now();
    // 75 mini-batches with fast forgetting: SPAMS's objective in three quarters of its steps.
    let params = OnlineParams {
        alpha: 1.0,
        seed: 0,
        max_steps: Some(75),
        tol: 0.0,
        max_no_improvement: None,
        forget_rho: Some(OnlineParams::FAST_FORGETTING),
        ..OnlineParams::new(100)
    };
    let x = MatRef::from_column_major_slice(&patches.data, 64, patches.n_patches());
    let fit = params.check()?.fit(x, &mut Quiet)?;
    say!(
        "Dictionary shape: (100, 64)  — online learning, alpha = 1, Lasso-LARS codes, {} mini-batches of 256  {}",
        fit.iterations(),
        step(t)
    );
    let grid = dictionary_grid(&fit.dict, 8, 8, 1, GridSpec { grid: Some((10, 10)), zoom: 4, border: 1 })?;
    let path = pictures.add("dictionary.png", &grid)?;
    say!("  the atoms as a 10×10 grid: {}", path.display());

    let t = Instant::now();
    let dict = Dictionary::new(fit.dictionary())?;
    let pick = SplitMix(7).below(patches.n_patches());
    let one = MatRef::from_column_major_slice(&patches.data[pick * 64..(pick + 1) * 64], 64, 1);
    let code = Encoder::lasso_lars(1.0).encode(&dict, one)?;
    let (idx, val) = code.code(0);
    say!("Encoded patch #{pick}: {} non-zero coefficients (atoms {:?})  {}", idx.len(), idx, step(t));
    let mut rebuilt = vec![0.0; 64];
    dict.accumulate(1.0, idx, val, &mut rebuilt);
    let orig = Image::gray(8, 8, patches.data[pick * 64..(pick + 1) * 64].iter().map(|v| v * 255.0).collect())?;
    let rec = Image::gray(8, 8, rebuilt.iter().map(|v| (v * 255.0).clamp(0.0, 255.0)).collect())?;
    let err: f64 = orig.data.iter().zip(&rec.data).map(|(a, b)| (a - b) * (a - b)).sum::<f64>().sqrt() / 255.0;
    let path = pictures.add("patch.png", &side_by_side(&[&orig, &rec], 24, 8)?)?;
    say!(
        "Reconstructed patch: ‖x − Dc‖ = {err:.3} (‖x‖ = {:.3}); original beside reconstruction: {}",
        orig.data.iter().map(|v| v * v / 65025.0).sum::<f64>().sqrt(),
        path.display()
    );

    let t = Instant::now();
    let sigma = 20.0;
    let mut g = SplitMix(2024);
    let noisy = Image::gray(img.width, img.height, img.data.iter().map(|v| v + sigma * g.normal()).collect())?;
    let (clean, report) = Denoiser::new(sigma).run(&noisy, &mut Quiet).map_err(|e| CliError(e.to_string()))?;
    let (p_noisy, p_clean) = (psnr(&img, &noisy, 255.0), psnr(&img, &clean, 255.0));
    say!(
        "Denoising, σ = {sigma}: noisy {p_noisy:.2} dB → {p_clean:.2} dB (WNNM: groups of similar patches shrunk in their own SVD bases, {:.1} directions kept per group)  {}",
        report.mean_nnz,
        step(t)
    );
    let clamp = |i: &Image| Image::gray(i.width, i.height, i.data.iter().map(|v| v.clamp(0.0, 255.0)).collect());
    let path = pictures.add("denoise.png", &side_by_side(&[&img, &clamp(&noisy)?, &clamp(&clean)?], 1, 8)?)?;
    say!("  clean | noisy ({p_noisy:.2} dB) | denoised ({p_clean:.2} dB): {}", path.display());

    // Inpainting: 60% of the pixels removed at random, and text written over the image.
    let t = Instant::now();
    let mut g = SplitMix(60);
    let random: Vec<bool> = (0..img.data.len()).map(|_| g.below(100) >= 60).collect();
    let mut text = Image::gray(img.width, img.height, vec![0.0; img.data.len()])?;
    for (i, line) in ["Sparse codes", "fill the holes", "of an image", "from its own", "patches."].iter().enumerate() {
        draw_text(&mut text, 40 + 95 * i, 24, line, 4, 1.0);
    }
    let written: Vec<bool> = text.data.iter().map(|&v| v == 0.0).collect();
    let mut rows = Vec::new();
    for (what, known, shown) in [("60% of pixels removed", &random, 0.0), ("text written over it", &written, 255.0)] {
        let damaged =
            Image::gray(img.width, img.height, img.data.iter().zip(known.iter()).map(|(&v, &k)| if k { v } else { shown }).collect())?;
        let (filled, _) = Inpainter::default().run(&damaged, known, &mut Quiet).map_err(|e| CliError(e.to_string()))?;
        let (p_damaged, p_filled) = (psnr(&img, &damaged, 255.0), psnr(&img, &clamp(&filled)?, 255.0));
        say!("Inpainting, {what}: {p_damaged:.2} dB → {p_filled:.2} dB  {}", step(t));
        rows.push(side_by_side(
            &[
                &captioned(&damaged, &[&format!("damaged: {what}"), &format!("PSNR {p_damaged:.2} dB")])?,
                &captioned(&clamp(&filled)?, &["restored by sparse coding", &format!("PSNR {p_filled:.2} dB")])?,
            ],
            1,
            8,
        )?);
    }
    let path = pictures.add("inpaint.png", &stacked(&[&rows[0], &rows[1]], 0)?)?;
    say!("  damaged | restored, two ways: {}", path.display());
    pictures.write()?;
    say!("Total {} (the four pictures written in {})", step(total), args.out_dir.display());
    Ok(())
}
