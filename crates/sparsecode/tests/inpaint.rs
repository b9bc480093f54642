//! The inpainter's units: its default noise levels are gray levels of the
//! image's own 8-bit scale, so that an image in `[0, 1]` is inpainted as
//! the same image in `[0, 255]` is.

use sparsecode::denoise::psnr;
use sparsecode::dict::progress::Quiet;
use sparsecode::dict::rng::SplitMix;
use sparsecode::inpaint::Inpainter;
use sparsecode::patches::image::{Image, camera};

const SIDE: usize = 48;

/// A crop of camera with 60% of its pixels missing (zeroed), and the mask.
fn damaged() -> (Image, Vec<bool>) {
    let cam = camera();
    let data: Vec<f64> = (0..SIDE * SIDE).map(|i| cam.at(150 + i / SIDE, 150 + i % SIDE)).collect();
    let mut g = SplitMix(4);
    let known: Vec<bool> = (0..SIDE * SIDE).map(|_| g.below(10) >= 6).collect();
    let img = Image::gray(SIDE, SIDE, data.iter().zip(&known).map(|(&v, &k)| if k { v } else { 0.0 }).collect()).unwrap();
    (img, known)
}

/// Scaled by a power of two (0–255 to about 0–1, and far above), the same
/// bits scaled; scaled by 1/255 exactly, the same quality. Given in the
/// image's units, σ means the same thing at every scale.
#[test]
fn the_units_of_the_image_do_not_change_the_answer() {
    let (img, known) = damaged();
    let p = Inpainter { steps: 10, refine: 6, fine_passes: 2, max_training: 2000, ..Inpainter::default() };
    let (base, _) = p.run(&img, &known, &mut Quiet).unwrap();
    let scaled = |f: f64| Image::gray(SIDE, SIDE, img.data.iter().map(|v| v * f).collect()).unwrap();
    for k in [-8, 20] {
        let f = 2f64.powi(k);
        let (out, _) = p.run(&scaled(f), &known, &mut Quiet).unwrap();
        assert!(out.data.iter().zip(&base.data).all(|(a, b)| *a == b * f), "2^{k}: not the same bits");
        let given = Inpainter { sigma: Some(3.0 * f), refine_sigma: Some(12.0 * f), ..p.clone() };
        let (a, _) = given.run(&scaled(f), &known, &mut Quiet).unwrap();
        let (b, _) = Inpainter { sigma: Some(3.0), refine_sigma: Some(12.0), ..p.clone() }.run(&img, &known, &mut Quiet).unwrap();
        assert!(a.data.iter().zip(&b.data).all(|(a, b)| *a == b * f), "2^{k}, σ given: not the same bits");
    }
    let cam = camera();
    let clean = Image::gray(SIDE, SIDE, (0..SIDE * SIDE).map(|i| cam.at(150 + i / SIDE, 150 + i % SIDE)).collect()).unwrap();
    let (unit, _) = p.run(&scaled(1.0 / 255.0), &known, &mut Quiet).unwrap();
    let back = Image::gray(SIDE, SIDE, unit.data.iter().map(|v| v * 255.0).collect()).unwrap();
    let (a, b) = (psnr(&clean, &back, 255.0), psnr(&clean, &base, 255.0));
    assert!((a - b).abs() < 0.05, "[0, 1]: {a:.2} dB against {b:.2} dB in [0, 255]");
    assert!(b > 24.0, "{b:.2} dB");
}
