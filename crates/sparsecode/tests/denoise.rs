//! The denoiser on small images: it must remove noise, and refuse bad input.

use sparsecode::denoise::{Colour, DenoiseError, DenoiseMethod, Denoiser, GroupCoding, Learner, NonLocal, estimate_sigma, psnr};
use sparsecode::dict::progress::Quiet;
use sparsecode::dict::rng::SplitMix;
use sparsecode::patches::image::{Image, camera};

/// The learned-dictionary denoiser (`DenoiseMethod::Dictionary`) for `sigma`.
fn dictionary(sigma: f64) -> Denoiser {
    Denoiser { method: DenoiseMethod::Dictionary, ..Denoiser::new(sigma) }
}

fn crop(img: &Image, size: usize) -> Image {
    let data = (0..size).flat_map(|r| (0..size).map(move |c| (r, c))).map(|(r, c)| img.at(150 + r, 150 + c)).collect();
    Image::gray(size, size, data).unwrap()
}

#[test]
fn denoising_a_crop_of_camera_gains_several_db() {
    let clean = crop(&camera(), 96);
    let mut g = SplitMix(3);
    let noisy = Image::gray(96, 96, clean.data.iter().map(|v| v + 20.0 * g.normal()).collect()).unwrap();
    let before = psnr(&clean, &noisy, 255.0);
    for learner in [Learner::online(60), Learner::Ksvd] {
        let d = Denoiser { iterations: 5, n_atoms: 64, learner, ..dictionary(20.0) };
        let (out, report) = d.run(&noisy, &mut Quiet).unwrap();
        let after = psnr(&clean, &out, 255.0);
        assert!(after > before + 4.0, "{learner:?}: {before:.2} dB → {after:.2} dB");
        assert_eq!(report.n_patches, (97 - d.patch).pow(2));
    }
    let d = Denoiser { iterations: 5, n_atoms: 64, learner: Learner::Ksvd, colour: Colour::Rgb, ..dictionary(20.0) };
    let (out, _) = d.run(&noisy, &mut Quiet).unwrap();
    // Colour in R, G, B: each channel on its own gives the same as the gray run.
    let rgb = Image::new(96, 96, 3, noisy.data.iter().flat_map(|&v| [v, v, v]).collect()).unwrap();
    let (out3, _) = d.run(&rgb, &mut Quiet).unwrap();
    assert!(out3.data.chunks(3).zip(&out.data).all(|(p, &v)| p.iter().all(|&c| (c - v).abs() < 1e-9)));
    // In the opponent colour space (the default), with noise of its own in each
    // channel: the colour result beats denoising R, G and B apart.
    let clean3 = Image::new(96, 96, 3, clean.data.iter().flat_map(|&v| [v, 0.8 * v + 20.0, 0.6 * v + 40.0]).collect()).unwrap();
    let noisy3 = Image::new(96, 96, 3, clean3.data.iter().map(|v| v + 20.0 * g.normal()).collect()).unwrap();
    let apart = psnr(&clean3, &d.run(&noisy3, &mut Quiet).unwrap().0, 255.0);
    let opponent = psnr(&clean3, &Denoiser { colour: Colour::Opponent, ..d.clone() }.run(&noisy3, &mut Quiet).unwrap().0, 255.0);
    assert!(opponent > apart + 0.5, "opponent {opponent:.2} dB, R/G/B apart {apart:.2} dB");
}

/// Joint colour: one code per patch of all three channels (not one per
/// channel), and the noise is removed in every channel.
#[test]
fn joint_colour_codes_the_three_channels_over_one_dictionary() {
    let clean = crop(&camera(), 64);
    let clean3 = Image::new(64, 64, 3, clean.data.iter().flat_map(|&v| [v, 0.8 * v + 20.0, 0.6 * v + 40.0]).collect()).unwrap();
    let mut g = SplitMix(9);
    let noisy3 = Image::new(64, 64, 3, clean3.data.iter().map(|v| v + 20.0 * g.normal()).collect()).unwrap();
    let channel = |img: &Image, k: usize| Image::gray(64, 64, img.data.iter().skip(k).step_by(3).copied().collect()).unwrap();
    for colour in [Colour::Joint, Colour::JointRgb] {
        let d = Denoiser { n_atoms: 100, learner: Learner::online(40), colour, ..dictionary(20.0) };
        let (out, report) = d.run(&noisy3, &mut Quiet).unwrap();
        let side = 65 - d.patch;
        assert_eq!(report.n_patches, side * side);
        for k in 0..3 {
            let (before, after) =
                (psnr(&channel(&clean3, k), &channel(&noisy3, k), 255.0), psnr(&channel(&clean3, k), &channel(&out, k), 255.0));
            assert!(after > before + 3.0, "{colour}, channel {k}: {before:.2} dB → {after:.2} dB");
        }
        let apart = Denoiser { colour: Colour::Opponent, ..d }.run(&noisy3, &mut Quiet).unwrap().1;
        assert_eq!(apart.n_patches, 3 * side * side);
    }
    for w in [0.0, -1.0, f64::NAN] {
        let d = Denoiser { colour: Colour::Joint, chroma_weight: w, ..dictionary(20.0) };
        assert!(matches!(d.run(&noisy3, &mut Quiet), Err(DenoiseError::Invalid("chroma_weight", _))));
    }
}

#[test]
fn bad_input_is_refused() {
    let img = crop(&camera(), 16);
    for sigma in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert!(matches!(Denoiser::new(sigma).run(&img, &mut Quiet), Err(DenoiseError::BadSigma(_))));
    }
    let bad_goal = Denoiser { learner: Learner::Online { steps: 5, goal_scale: 0.0 }, ..dictionary(20.0) };
    assert!(matches!(bad_goal.run(&img, &mut Quiet), Err(DenoiseError::Invalid("goal_scale", _))));
    let tiny = Image::gray(5, 5, vec![1.0; 25]).unwrap();
    for d in [Denoiser::new(20.0), dictionary(20.0)] {
        assert!(matches!(d.run(&tiny, &mut Quiet), Err(DenoiseError::Patch(_))), "{:?}", d.method);
    }
}

/// The noise estimate is within 5% of the noise added to camera (σ 15, 25,
/// 50, as in the denoising evaluation), and near zero on a noiseless
/// smooth image; a colour image averages its channels.
#[test]
fn the_noise_level_is_estimated_from_the_image() {
    let img = camera();
    for (sigma, seed) in [(15.0, 1), (25.0, 2), (50.0, 3)] {
        let mut g = SplitMix(seed);
        let noisy = Image::gray(img.width, img.height, img.data.iter().map(|v| v + sigma * g.normal()).collect()).unwrap();
        let est = estimate_sigma(&noisy).unwrap();
        assert!((est / sigma - 1.0).abs() < 0.05, "σ {sigma}: estimated {est}");
    }
    let ramp = Image::gray(64, 64, (0..64 * 64).map(|i| (i % 64) as f64 * 2.0 + (i / 64) as f64).collect()).unwrap();
    assert!(estimate_sigma(&ramp).unwrap() < 1e-9);
    let mut g = SplitMix(9);
    let rgb = Image::new(128, 128, 3, (0..128 * 128 * 3).map(|i| 10.0 * (1 + i % 3) as f64 * g.normal()).collect()).unwrap();
    let est = estimate_sigma(&rgb).unwrap();
    assert!((est / 20.0 - 1.0).abs() < 0.05, "mean of 10, 20, 30: {est}");
    assert!(estimate_sigma(&Image::gray(3, 3, vec![1.0; 9]).unwrap()).is_err());
}

/// The non-local pass: with groups of one patch and no relearning, its
/// group means are the patches themselves and it must give exactly the
/// per-patch denoiser's result; its result does not depend on the thread count; on a periodic
/// texture, where every patch has exact copies, coding group means beats
/// coding patches alone; and bad parameters are refused.
#[test]
fn the_non_local_pass_groups_similar_patches() {
    let clean = crop(&camera(), 64);
    let mut g = SplitMix(5);
    let noisy = Image::gray(64, 64, clean.data.iter().map(|v| v + 25.0 * g.normal()).collect()).unwrap();
    let base = Denoiser { iterations: 3, n_atoms: 64, learner: Learner::online(20), ..dictionary(25.0) };
    let alone = Denoiser { non_local: None, ..base.clone() }.run(&noisy, &mut Quiet).unwrap().0;
    let singles = Denoiser { non_local: Some(NonLocal { max_group: 1, relearn_steps: 0, ..NonLocal::default() }), ..base.clone() };
    let single = singles.run(&noisy, &mut Quiet).unwrap().0;
    assert!(alone.data.iter().zip(&single.data).all(|(a, b)| (a - b).abs() < 1e-9));
    let default = base.run(&noisy, &mut Quiet).unwrap().0;
    assert!(alone.data.iter().zip(&default.data).any(|(a, b)| (a - b).abs() > 1e-3), "groups of more than one change the result");
    for coding in [GroupCoding::Average, GroupCoding::Simultaneous, GroupCoding::GroupLasso] {
        let d = Denoiser { non_local: Some(NonLocal { coding, ..NonLocal::default() }), ..base.clone() };
        let pool = |t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap();
        let one = pool(1).install(|| d.run(&noisy, &mut Quiet).unwrap().0);
        let two = pool(2).install(|| d.run(&noisy, &mut Quiet).unwrap().0);
        assert_eq!(one, two, "{coding:?}");
    }
    // Vertical stripes of period 8 under heavy noise.
    let texture =
        Image::gray(64, 64, (0..64 * 64).map(|i| 128.0 + 40.0 * ((i % 64) as f64 * std::f64::consts::PI / 4.0).sin()).collect()).unwrap();
    let noisy = Image::gray(64, 64, texture.data.iter().map(|v| v + 50.0 * g.normal()).collect()).unwrap();
    let base = Denoiser { n_atoms: 64, learner: Learner::online(20), ..dictionary(50.0) };
    let alone = psnr(&texture, &Denoiser { non_local: None, ..base.clone() }.run(&noisy, &mut Quiet).unwrap().0, 255.0);
    let grouped = psnr(&texture, &base.run(&noisy, &mut Quiet).unwrap().0, 255.0);
    assert!(grouped > alone + 1.0, "grouped {grouped:.2} dB, alone {alone:.2} dB");
    for (nl, name) in [
        (NonLocal { step: 0, ..NonLocal::default() }, "step"),
        (NonLocal { max_group: 0, ..NonLocal::default() }, "max_group"),
        (NonLocal { lasso_factor: -1.0, ..NonLocal::default() }, "lasso_factor"),
        (NonLocal { detail: Some(f64::NAN), ..NonLocal::default() }, "detail"),
        (NonLocal { threshold: f64::NAN, ..NonLocal::default() }, "threshold"),
    ] {
        let d = Denoiser { non_local: Some(nl), ..dictionary(20.0) };
        assert!(matches!(d.run(&noisy, &mut Quiet), Err(DenoiseError::Invalid(n, _)) if n == name));
    }
}

/// The denoiser is scale-free: the image and σ in other units (a power of
/// two apart) give the same bits, scaled; tiny units (σ = 2e-310, subnormal
/// numbers) give a finite answer of the same quality instead of NaN.
#[test]
fn the_units_of_the_image_do_not_change_the_answer() {
    let clean = crop(&camera(), 48);
    let mut g = SplitMix(5);
    let noisy = Image::gray(48, 48, clean.data.iter().map(|v| v + 20.0 * g.normal()).collect()).unwrap();
    // Both methods (WNNM shortened to 2 iterations).
    let base = Denoiser::new(20.0);
    let wnnm = Denoiser { wnnm: sparsecode::denoise::Wnnm { iterations: 2, ..base.wnnm.clone() }, ..base };
    for d in [Denoiser { n_atoms: 64, learner: Learner::online(10), ..dictionary(20.0) }, wnnm] {
        let (base, _) = d.run(&noisy, &mut Quiet).unwrap();
        for k in [-40, 30] {
            let f = 2f64.powi(k);
            let scaled = Image::gray(48, 48, noisy.data.iter().map(|v| v * f).collect()).unwrap();
            let (out, _) = Denoiser { sigma: 20.0 * f, ..d.clone() }.run(&scaled, &mut Quiet).unwrap();
            assert!(out.data.iter().zip(&base.data).all(|(a, b)| *a == b * f), "2^{k}: not the same bits");
        }
        let tiny = Image::gray(48, 48, noisy.data.iter().map(|v| v * 1e-311).collect()).unwrap();
        let (out, _) = Denoiser { sigma: 20.0 * 1e-311, ..d.clone() }.run(&tiny, &mut Quiet).unwrap();
        assert!(out.data.iter().all(|v| v.is_finite()));
        // Not a power of two apart: the inputs differ in their last bits, which
        // may flip a few supports; the quality is the same.
        let back = Image::gray(48, 48, out.data.iter().map(|v| v / 1e-311).collect()).unwrap();
        let (a, b) = (psnr(&clean, &back, 255.0), psnr(&clean, &base, 255.0));
        assert!((a - b).abs() < 0.1, "subnormal units: {a:.2} dB against {b:.2} dB");
    }
}

/// `Denoiser::for_image` chooses by σ in gray levels of the image's 8-bit
/// scale: the image in [0, 1] (here divided by 256) gets the choices of
/// the same image in 0–255 (`Denoiser::new`), hence the same bits scaled,
/// where `Denoiser::new(σ/256)` would choose as for σ/256 gray levels.
#[test]
fn for_image_chooses_in_the_images_gray_levels() {
    let clean = crop(&camera(), 40);
    let mut g = SplitMix(6);
    let noisy = Image::gray(40, 40, clean.data.iter().map(|v| v + 50.0 * g.normal()).collect()).unwrap();
    let unit = Image::gray(40, 40, noisy.data.iter().map(|v| v / 256.0).collect()).unwrap();
    let (d8, d1) = (Denoiser::for_image(50.0, &noisy), Denoiser::for_image(50.0 / 256.0, &unit));
    assert_eq!(d8, Denoiser::new(50.0));
    assert_eq!(d1.wnnm, d8.wnnm);
    assert_ne!(Denoiser::new(50.0 / 256.0).wnnm, d8.wnnm);
    let short = |d: Denoiser| Denoiser { wnnm: sparsecode::denoise::Wnnm { iterations: 2, ..d.wnnm.clone() }, ..d };
    let (a, _) = short(d8).run(&noisy, &mut Quiet).unwrap();
    let (b, _) = short(d1).run(&unit, &mut Quiet).unwrap();
    assert!(b.data.iter().zip(&a.data).all(|(b, a)| *b == a / 256.0), "not the same bits");
}

/// WNNM (`DenoiseMethod::Wnnm`) removes noise from a crop of camera, beats
/// the plain average of its own groups' members (no shrinkage: `c` tiny),
/// gives the same bits on one thread as on two, and denoises a colour
/// image channel by channel (R, G, B apart equal to three gray runs).
#[test]
fn wnnm_denoises_and_does_not_depend_on_threads() {
    let clean = crop(&camera(), 64);
    let mut g = SplitMix(5);
    let noisy = Image::gray(64, 64, clean.data.iter().map(|v| v + 20.0 * g.normal()).collect()).unwrap();
    let before = psnr(&clean, &noisy, 255.0);
    let base = Denoiser::new(20.0);
    assert_eq!(base.method, DenoiseMethod::Wnnm, "the default");
    let d = Denoiser { wnnm: sparsecode::denoise::Wnnm { iterations: 4, ..base.wnnm.clone() }, ..base };
    let run = |d: &Denoiser, img: &Image, threads: usize| {
        rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap().install(|| d.run(img, &mut Quiet).unwrap().0)
    };
    let out = run(&d, &noisy, 2);
    let after = psnr(&clean, &out, 255.0);
    assert!(after > before + 6.0, "{before:.2} dB → {after:.2} dB");
    assert_eq!(run(&d, &noisy, 1).data, out.data, "one thread and two differ");
    let weak = Denoiser { wnnm: sparsecode::denoise::Wnnm { c: 1e-9, ..d.wnnm.clone() }, ..d.clone() };
    let unshrunk = psnr(&clean, &run(&weak, &noisy, 2), 255.0);
    assert!(after > unshrunk + 1.0, "shrunk {after:.2} dB, unshrunk {unshrunk:.2} dB");
    let rgb = Image::new(64, 64, 3, noisy.data.iter().flat_map(|&v| [v, v, v]).collect()).unwrap();
    let out3 = run(&Denoiser { colour: Colour::Rgb, ..d.clone() }, &rgb, 2);
    assert!(out3.data.chunks(3).zip(&out.data).all(|(p, &v)| p.iter().all(|&c| (c - v).abs() < 1e-9)));
    let joint = Denoiser { colour: Colour::Joint, ..d.clone() };
    assert!(matches!(joint.run(&rgb, &mut Quiet), Err(DenoiseError::Invalid("colour", _))));
}
