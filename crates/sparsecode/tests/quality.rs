//! Quality floors: the default denoiser and inpainter on two images (a crop
//! of `camera`, and a synthetic image of edges, flat areas and texture that
//! no default was tuned on) at two settings each. Each floor is the PSNR
//! measured when it was set (2026-12-06; WNNM, the default denoiser since,
//! 2026-12-07; `FIGURE` in each row) less 0.1 dB:
//! a regression of more than 0.1 dB fails. The runs are seeded, so the
//! figures are exact on every machine; a deliberate change of quality
//! moves the figures here, with the measurement that justifies it.

use sparsecode::denoise::{DenoiseMethod, Denoiser, psnr, psnr_known};
use sparsecode::dict::progress::Quiet;
use sparsecode::dict::rng::SplitMix;
use sparsecode::inpaint::Inpainter;
use sparsecode::patches::image::{Image, camera};
use sparsecode::patches::pictures::draw_text;

const SIDE: usize = 112;

/// A crop of `camera` (the man's coat, the tripod and the grass).
fn camera_crop() -> Image {
    let img = camera();
    let data = (0..SIDE).flat_map(|r| (0..SIDE).map(move |c| (r, c))).map(|(r, c)| img.at(200 + r, 180 + c)).collect();
    Image::gray(SIDE, SIDE, data).unwrap()
}

/// Discs and bars (edges and flat areas) over a smooth gradient, with a
/// patch of oriented stripes (texture), values in 0..255.
fn synthetic() -> Image {
    let mut data = Vec::with_capacity(SIDE * SIDE);
    for r in 0..SIDE {
        for c in 0..SIDE {
            let (y, x) = (r as f64, c as f64);
            let mut v = 60.0 + 0.8 * x + 0.4 * y;
            if (x - 35.0).powi(2) + (y - 40.0).powi(2) < 400.0 {
                v = 200.0;
            }
            if (70.0..95.0).contains(&x) && (15.0..100.0).contains(&y) {
                v = 30.0;
            }
            if y > 70.0 && x < 55.0 {
                v = 128.0 + 50.0 * ((x * 0.9 + y * 0.5).sin());
            }
            data.push(v);
        }
    }
    Image::gray(SIDE, SIDE, data).unwrap()
}

fn noisy(clean: &Image, sigma: f64, seed: u64) -> Image {
    let mut g = SplitMix(seed);
    Image::gray(SIDE, SIDE, clean.data.iter().map(|v| v + sigma * g.normal()).collect()).unwrap()
}

fn denoised_psnr(clean: &Image, d: &Denoiser) -> f64 {
    let (out, _) = d.run(&noisy(clean, d.sigma, 7), &mut Quiet).unwrap();
    psnr(clean, &out, 255.0)
}

/// The PSNR of the missing pixels after inpainting with the defaults.
fn inpainted_psnr(clean: &Image, known: &[bool]) -> f64 {
    let damaged = Image::gray(SIDE, SIDE, clean.data.iter().zip(known).map(|(&v, &k)| if k { v } else { 0.0 }).collect()).unwrap();
    let (out, _) = Inpainter::default().run(&damaged, known, &mut Quiet).unwrap();
    psnr_known(clean, &out, 255.0, Some((known, false)))
}

/// Half the pixels missing at random.
fn half_missing() -> Vec<bool> {
    let mut g = SplitMix(11);
    (0..SIDE * SIDE).map(|_| g.below(2) == 0).collect()
}

/// Text written over the image.
fn text_missing() -> Vec<bool> {
    let mut m = Image::gray(SIDE, SIDE, vec![1.0; SIDE * SIDE]).unwrap();
    for (k, row) in [6, 34, 62, 90].into_iter().enumerate() {
        draw_text(&mut m, row, 4 + 3 * k, "sparse code", 2, 0.0);
    }
    m.data.iter().map(|&v| v > 0.5).collect()
}

fn check(what: &str, got: f64, figure: f64) {
    eprintln!("{what}: {got:.3} dB (figure {figure:.2})");
    assert!(got >= figure - 0.1, "{what}: {got:.3} dB, more than 0.1 dB under the figure {figure:.2} dB");
}

#[test]
fn denoising_stays_above_its_floors() {
    // The default (WNNM: figures of 2026-12-07), then the learned
    // dictionary (figures of 2026-12-06).
    let dictionary = |sigma| Denoiser { method: DenoiseMethod::Dictionary, ..Denoiser::new(sigma) };
    for (name, clean, figures, dictionary_figures) in
        [("camera", camera_crop(), [33.52, 30.45], [33.28, 30.39]), ("synthetic", synthetic(), [39.65, 35.55], [37.81, 34.59])]
    {
        for ((sigma, figure), dictionary_figure) in [15.0, 25.0].into_iter().zip(figures).zip(dictionary_figures) {
            check(&format!("denoise {name} σ {sigma}"), denoised_psnr(&clean, &Denoiser::new(sigma)), figure);
            check(&format!("denoise {name} σ {sigma}, dictionary"), denoised_psnr(&clean, &dictionary(sigma)), dictionary_figure);
        }
    }
}

#[test]
fn inpainting_stays_above_its_floors() {
    for (name, clean, figures) in [("camera", camera_crop(), [30.70, 29.35]), ("synthetic", synthetic(), [34.47, 35.91])] {
        for ((mask, known), figure) in [("half", half_missing()), ("text", text_missing())].into_iter().zip(figures) {
            check(&format!("inpaint {name} {mask}"), inpainted_psnr(&clean, &known), figure);
        }
    }
}
