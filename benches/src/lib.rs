//! The benchmark workloads, shared by the criterion benches and the timing
//! tool in `xtask`.
//!
//! Issue 2's workload: all 255,025 8×8 patches of `camera` (0..255) with
//! Gaussian noise σ = 20, each patch's mean removed, coded over the 256-atom
//! overcomplete 2-D DCT.

#![forbid(unsafe_code)]

use sc_linalg::Real;
use sc_linalg::faer::Mat;
use sc_linalg::rng::SplitMix;
use sc_patches::image::{Image, camera};
use sc_patches::patches::extract;

/// `camera` plus Gaussian noise of standard deviation `sigma` (seeded).
pub fn noisy_camera(sigma: f64, seed: u64) -> Image {
    let mut img = camera();
    let mut g = SplitMix(seed);
    img.data.iter_mut().for_each(|v| *v += sigma * g.normal());
    img
}

/// The workload: (dictionary 64 × 256, signals 64 × 255,025 column-major).
pub fn camera_workload<T: Real>() -> (Mat<T>, Vec<T>, usize) {
    let img = noisy_camera(20.0, 0);
    let mut p = extract(&img, 8, 8, 1, 1).expect("camera is larger than 8×8");
    p.remove_mean();
    let x: Vec<T> = p.data.iter().map(|&v| T::from_f64(v)).collect();
    (sc_dict::init::overcomplete_dct_2d::<T>(8, 16), x, p.n_patches())
}

/// OMP's error goal for the workload: `64·(1.15·20)²`.
pub const OMP_TOL: f64 = 64.0 * (1.15 * 20.0) * (1.15 * 20.0);
/// The Lasso penalty of the workload.
pub const LASSO_ALPHA: f64 = 60.0;
