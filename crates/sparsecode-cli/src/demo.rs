//! `sparsecode demo`: the walkthrough on the embedded camera image, as far
//! as the library goes today (coding over a fixed DCT dictionary; the
//! learned-dictionary walkthrough needs the learners of issue 4).

use std::time::Instant;

use sparsecode::dict::init::overcomplete_dct_2d;
use sparsecode::faer::MatRef;
use sparsecode::patches::image::{camera, GrayImage};
use sparsecode::patches::patches::{extract, reconstruct_average, Patches};
use sparsecode::prelude::*;

use crate::CliError;

fn psnr(a: &GrayImage, b: &GrayImage) -> f64 {
    let mse = a.data.iter().zip(&b.data).map(|(x, y)| (x - y) * (x - y)).sum::<f64>() / a.data.len() as f64;
    10.0 * (255.0f64 * 255.0 / mse).log10()
}

/// Codes every patch, then writes the coded patches back in place.
fn code_patches(dict: &Dictionary<f64>, enc: &Encoder, p: &mut Patches) -> Result<(f64, f64), CliError> {
    let n = p.n_patches();
    let t = Instant::now();
    let codes = enc.encode(dict, MatRef::from_column_major_slice(&p.data, 64, n))?;
    let secs = t.elapsed().as_secs_f64();
    let d = dict.matrix();
    for s in 0..n {
        let (idx, val) = codes.code(s);
        let out = &mut p.data[s * 64..(s + 1) * 64];
        out.fill(0.0);
        for (&a, &v) in idx.iter().zip(val) {
            let col = d.col(a as usize);
            for (i, o) in out.iter_mut().enumerate() {
                *o += v * col[i];
            }
        }
    }
    Ok((secs, codes.mean_nnz()))
}

/// Runs the walkthrough, printing each step.
pub fn run() -> Result<(), CliError> {
    let t_all = Instant::now();
    let img = camera();
    println!("camera: {} × {} pixels, values 0..255 (embedded, CC0)", img.height, img.width);
    let dict = Dictionary::new(overcomplete_dct_2d::<f64>(8, 16).as_ref())?;
    println!("dictionary: overcomplete 2-D DCT, {} features × {} atoms", dict.n_features(), dict.n_atoms());

    let mut p = extract(&img, 8, 8, 1, 1).ok_or_else(|| CliError("camera is smaller than a patch".into()))?;
    let means = p.remove_mean();
    println!("patches: all {} overlapping 8×8 patches, means removed", p.n_patches());

    let one = Encoder::omp(8).encode(&dict, MatRef::from_column_major_slice(&p.data[..64 * 1000], 64, 1000))?;
    let (idx, val) = one.code(999);
    println!("one patch (#999) with OMP, 8 atoms: {} non-zeros at atoms {:?}", idx.len(), idx);
    println!("  coefficients {:?}", val.iter().map(|v| (v * 10.0).round() / 10.0).collect::<Vec<_>>());

    let (secs, nnz) = code_patches(&dict, &Encoder::omp(8), &mut p)?;
    let back = reconstruct_average(&p, Some(&means), img.height, img.width).unwrap();
    println!("OMP, 8 atoms per patch: coded in {secs:.3} s ({nnz:.2} non-zeros per patch); image rebuilt at {:.2} dB PSNR", psnr(&img, &back));

    let sigma = 20.0;
    let mut noisy = img.clone();
    let mut state = 42u64;
    for v in noisy.data.iter_mut() {
        // splitmix64 + Box–Muller
        let mut u = || {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
        };
        let (a, b) = (u().max(1e-300), u());
        *v += sigma * (-2.0 * a.ln()).sqrt() * (std::f64::consts::TAU * b).cos();
    }
    let mut q = extract(&noisy, 8, 8, 1, 1).unwrap();
    let qmeans = q.remove_mean();
    let tol = 64.0 * (1.15 * sigma) * (1.15 * sigma);
    let (secs, nnz) = code_patches(&dict, &Encoder::omp_tol(tol), &mut q)?;
    let den = reconstruct_average(&q, Some(&qmeans), img.height, img.width).unwrap();
    println!(
        "denoising σ = {sigma} over the DCT (OMP to ε = 64·(1.15σ)²): noisy {:.2} dB → {:.2} dB, coded in {secs:.3} s ({nnz:.2} atoms per patch)",
        psnr(&img, &noisy),
        psnr(&img, &den)
    );
    println!("total {:.2} s. Dictionary learning (K-SVD, online) and the pictures come with the next issues.", t_all.elapsed().as_secs_f64());
    Ok(())
}
