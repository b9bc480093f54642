//! Criterion benches of learning and denoising (issues 4 and 5). Run with
//! `cargo xtask bench learn` (or `cargo bench -p sc-benches --bench learn`).
//!
//! - `online_seed_60_steps`: the seed's run, 100 atoms learned online with
//!   α = 1 from 2000 random 8×8 patches of `camera` in [0, 1] (seed 42),
//!   60 mini-batches of 256 with forgetting ρ = 6 (`learn --steps 60 --rho 6`).
//! - `ksvd_65k_10_iterations`: K-SVD, 256 atoms from the DCT, OMP to
//!   64·(1.15·20)², on 65,000 random patches (means removed) of `camera` with
//!   noise σ = 20.
//! - `denoise_camera_sigma20`: the whole default denoiser on `camera` with
//!   noise σ = 20.

#![forbid(unsafe_code)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sc_benches::{OMP_TOL, noisy_camera};
use sc_dict::Learn;
use sc_dict::init::Init;
use sc_dict::ksvd::KsvdParams;
use sc_dict::online::OnlineParams;
use sc_dict::progress::Quiet;
use sc_linalg::faer::MatRef;
use sc_patches::image::camera;
use sc_patches::patches::{MaxPatches, PatchSpec, extract_spec};
use sparsecode::denoise::Denoiser;

fn benches(c: &mut Criterion) {
    let mut g = c.benchmark_group("learn");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(8));

    let mut unit = camera();
    unit.data.iter_mut().for_each(|v| *v /= 255.0);
    let spec = PatchSpec { max_patches: MaxPatches::Count(2000), seed: 42, ..PatchSpec::new(8, 8) };
    let seed_patches = extract_spec(&unit, &spec).unwrap();
    let x = MatRef::from_column_major_slice(&seed_patches.data, 64, seed_patches.n_patches());
    let online = OnlineParams {
        alpha: 1.0,
        max_steps: Some(60),
        forget_rho: Some(6.0),
        tol: 0.0,
        max_no_improvement: None,
        ..OnlineParams::new(100)
    }
    .check()
    .unwrap();
    g.bench_function("online_seed_60_steps", |b| b.iter(|| online.fit(x, &mut Quiet).unwrap()));

    let noisy = noisy_camera(20.0, 0);
    let spec = PatchSpec { max_patches: MaxPatches::Count(65_000), seed: 0, ..PatchSpec::new(8, 8) };
    let mut train = extract_spec(&noisy, &spec).unwrap();
    train.remove_mean();
    let xt = MatRef::from_column_major_slice(&train.data, 64, train.n_patches());
    let ksvd =
        KsvdParams { tol: Some(OMP_TOL), max_nonzero: Some(32), iterations: 10, init: Init::Dct, ..KsvdParams::new(256) }.check().unwrap();
    g.bench_function("ksvd_65k_10_iterations", |b| b.iter(|| ksvd.fit(xt, &mut Quiet).unwrap()));

    let denoiser = Denoiser::new(20.0);
    g.bench_function("denoise_camera_sigma20", |b| b.iter(|| denoiser.run(&noisy, &mut Quiet).unwrap()));
    g.finish();
}

criterion_group!(learn, benches);
criterion_main!(learn);
