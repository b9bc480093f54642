//! The benchmark workloads, shared by the criterion benches and the timing
//! tool in `xtask`.
//!
//! Issue 2's workload: all 255,025 8×8 patches of `camera` (0..255) with
//! Gaussian noise σ = 20, each patch's mean removed, coded over the 256-atom
//! overcomplete 2-D DCT.

use sc_linalg::faer::Mat;
use sc_linalg::Real;
use sc_patches::image::{camera, GrayImage};
use sc_patches::patches::extract;

/// Reproducible standard normal numbers (splitmix64 + Box–Muller).
pub struct Gauss(pub u64);

impl Gauss {
    /// A uniform number in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    }
    /// A standard normal number.
    pub fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform().max(1e-300), self.uniform());
        (-2.0 * u.ln()).sqrt() * (std::f64::consts::TAU * v).cos()
    }
}

/// `camera` plus Gaussian noise of standard deviation `sigma` (seeded).
pub fn noisy_camera(sigma: f64, seed: u64) -> GrayImage {
    let mut img = camera();
    let mut g = Gauss(seed);
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
