//! Image denoising by sparse coding over a dictionary learned from the
//! noisy image itself (Elad & Aharon, "Image denoising via sparse and
//! redundant representations over learned dictionaries", IEEE TIP 2006).
//!
//! 1. Take every overlapping patch (mean removed) of the noisy image; learn
//!    a dictionary on up to `max_training` of them, starting from the
//!    overcomplete DCT: by default online (Mairal et al. 2010, 400
//!    mini-batches of 256, each patch coded by the least-ℓ1 code within
//!    `1.25·ε`, as SPAMS's `trainDL` in mode 1), or by K-SVD with
//!    error-constrained OMP (the paper's learner); `ε = n·(C·σ)²`.
//! 2. Code every patch with OMP to the goal `ε` (at most `n/2` atoms), band
//!    by band, so that memory is bounded by a band, not by the image.
//! 3. Blend: `x = (λ·y + Σ wₚ Rₚᵀ(D cₚ + meanₚ)) / (λ + Σ wₚ Rₚᵀ1)`,
//!    `λ = lambda_factor/σ`, each patch weighted by `wₚ = 1/(1 + ‖cₚ‖₀)`
//!    (or 1, the paper's plain average).
//! 4. The non-local pass ([`NonLocal`], on by default): every patch is
//!    grouped with up to 7 similar patches, found by block matching on the
//!    estimate of step 3; the group's mean of noisy patches (noise σ/√m) is
//!    coded to the goal for that noise and stands for the patch; the coded
//!    patches are blended with the noisy image as in step 3. From σ = 25
//!    each reference gets back its own detail, which the mean averages
//!    away, from the estimate of step 3 ([`NonLocal::detail`]). The
//!    simultaneous sparse coding of LSSC (Mairal et al., ICCV 2009: every
//!    patch of a group coded with one support, [`GroupCoding::Simultaneous`])
//!    and its convex form, the group Lasso ([`GroupCoding::GroupLasso`]),
//!    are the other choices; both measured worse than the group means.
//!
//! The defaults depart from the paper's where measurements on `camera` said
//! so (Gaussian noise σ = 10, 20, 30, 50; every change helped at every σ):
//! the online learner instead of K-SVD (+0.05 to +0.1 dB, and faster at low
//! noise), 20 K-SVD iterations instead of 10 when K-SVD is chosen (+0.05 dB
//! at σ = 20), `C = 1.1` instead of 1.15 and `λ = 20/σ` instead of `30/σ`
//! (+0.05 to +0.1 dB), and the sparsity weights (+0.02 to +0.05 dB).
//!
//! Colour images are denoised channel by channel (each channel its own
//! dictionary), in the orthonormal opponent colour space by default (as
//! BM3D's colour version), or in R, G, B; or jointly, patches of all three
//! channels over one dictionary ([`Colour::Joint`]), which
//! measured 0.1 dB below channel by channel.

use faer::MatRef;
use sc_dict::init::Init;
use sc_dict::ksvd::KsvdParams;
use sc_dict::online::{BATCH_CHUNK, OnlineParams};
use sc_dict::progress::Observer;
use sc_dict::{Learn, goal_atom_cap};
use sc_patches::image::Image;
use sc_patches::patches::{Accumulator, MaxPatches, PatchSpec, corners, extract_at, extract_band, n_corners};
use sc_solvers::{Dictionary, Encoder};

mod colour;
mod nonlocal;
mod params;
mod wnnm;

use crate::blend::{blend_codes, sparsity_weight};
use colour::{channel_dct, fill_channel_means, opponent_forward, opponent_inverse, remove_channel_means};
pub use params::{Colour, DenoiseMethod, DenoiseReport, Denoiser, GroupCoding, Learner, NO_NON_LOCAL, NonLocal};
pub(crate) use params::{at_least_one, check_patch_side};
pub use wnnm::{Wnnm, shrink_singular_value};

pub use crate::metrics::{psnr, psnr_known};
pub use crate::sigma::estimate_sigma;

pub use crate::error::DenoiseError;

/// `v·2^k`, exactly while the result is a normal number: 2^k in two
/// factors, each a normal number (k reaches ±2000). How the denoiser and
/// the inpainter bring an image to the units they were tuned in and back
/// without changing a bit of the answer.
pub(crate) fn times_pow2(v: f64, k: i32) -> f64 {
    v * 2f64.powi(k / 2) * 2f64.powi(k - k / 2)
}

/// Every value of `data` times `2^k` ([`times_pow2`]): an image brought to
/// other units and back, in place.
pub(crate) fn scale_pow2(data: &mut [f64], k: i32) {
    data.iter_mut().for_each(|v| *v = times_pow2(*v, k));
}

/// The exponent `k` that brings `peak`, an image's largest pixel magnitude,
/// within a factor √2 of 256 as `peak·2^k` (into (181.02, 362.04]; 0 for a
/// peak of 0 or not finite): `2^-k` is the image's gray level, 1/256 of the
/// power of two nearest its brightest pixel (1 for an 8-bit image whose
/// brightest pixel is above 181; 1/256 for an image in `[0, 1]` with a
/// pixel above 0.71). The window's headroom above 256 keeps a noisy 8-bit
/// image at 1. The denoiser's and the inpainter's choices by noise level
/// are made in gray levels, so that an image's units do not change its
/// answer.
pub fn eight_bit_exponent(peak: f64) -> i32 {
    if !(peak > 0.0 && peak.is_finite()) {
        return 0;
    }
    let (low, high) = (256.0 * std::f64::consts::FRAC_1_SQRT_2, 256.0 * std::f64::consts::SQRT_2);
    let mut k = 0i32;
    while times_pow2(peak, k) <= low && k < 2000 {
        k += 1;
    }
    while times_pow2(peak, k) > high && k > -2000 {
        k -= 1;
    }
    k
}

/// `sigma`, in the units of `noisy`, in gray levels of the image's 8-bit
/// scale (see [`eight_bit_exponent`]): the σ by which
/// [`Denoiser::for_image`] chooses. The image's peak is the largest
/// magnitude of a 4×4 block's mean (each channel apart), which noise moves
/// four times less than it moves a pixel.
pub fn eight_bit_sigma(sigma: f64, noisy: &Image) -> f64 {
    let (w, h, ch) = (noisy.width, noisy.height, noisy.channels.max(1));
    let mut peak = 0.0f64;
    for c in 0..ch {
        for r0 in (0..h).step_by(4) {
            for c0 in (0..w).step_by(4) {
                let (mut sum, mut n) = (0.0, 0usize);
                for r in r0..(r0 + 4).min(h) {
                    for x in c0..(c0 + 4).min(w) {
                        let v = noisy.data[(r * w + x) * ch + c];
                        if v.is_finite() {
                            sum += v;
                            n += 1;
                        }
                    }
                }
                if n > 0 {
                    peak = peak.max((sum / n as f64).abs());
                }
            }
        }
    }
    times_pow2(sigma, eight_bit_exponent(peak))
}

impl Denoiser {
    /// Denoises `noisy` (any scale; `sigma` in the same units).
    ///
    /// The method is scale-free (every goal and weight is in units of σ): an
    /// image whose σ lies far outside `[2⁻⁸, 2²⁴]` is denoised scaled by a
    /// power of two that brings σ near 20, and scaled back; a power of two
    /// changes no bit of the result, so tiny or huge units give the same
    /// answer as 0..255 would, instead of underflowing or overflowing.
    pub fn run(&self, noisy: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
        self.check()?;
        self.check_memory(noisy)?;
        if !noisy.data.iter().all(|v| v.is_finite()) {
            return Err(DenoiseError::Invalid("image", "holds NaN or infinite values".into()));
        }
        let s = self.sigma;
        if !(2f64.powi(-8)..=2f64.powi(24)).contains(&s) {
            let k = (20f64.log2() - s.log2()).round().clamp(-2000.0, 2000.0) as i32;
            let mut scaled = noisy.clone();
            scale_pow2(&mut scaled.data, k);
            if !scaled.data.iter().all(|v| v.is_finite()) {
                return Err(DenoiseError::Invalid("image", format!("values too large for σ = {s} (their ratio overflows)")));
            }
            let d = Denoiser { sigma: times_pow2(s, k), ..self.clone() };
            let (mut out, report) = d.run_unit(&scaled, observer)?;
            scale_pow2(&mut out.data, -k);
            return Ok((out, report));
        }
        self.run_unit(noisy, observer)
    }

    /// Refuses, before any work, an image whose denoising needs more memory
    /// than the machine can give: a few copies of the image (scaled, colour
    /// planes, output) and a band of patches with their codes (and, with
    /// non-local grouping, a band of groups).
    fn check_memory(&self, img: &Image) -> Result<(), DenoiseError> {
        let (h, w, ch) = (img.height, img.width, img.channels);
        if self.method == DenoiseMethod::Wnnm {
            sc_linalg::memory::request::<f64>(&[&[3, h, w, ch]], || format!("denoising a {w}×{h}×{ch} image"))?;
            return self.wnnm.check_memory(h, w);
        }
        let n = self.patch * self.patch * ch;
        // A band's groups: one reference every `step` pixels, `max_group` patches each.
        let (group, step) = self.non_local.as_ref().map_or((0, 1), |nl| (nl.max_group, nl.step.max(1)));
        let refs = [group, self.band_rows.div_ceil(step), w.div_ceil(step), n];
        sc_linalg::memory::request::<f64>(&[&[5, h, w, ch], &[3, self.band_rows, w, n], &refs], || {
            format!("denoising a {w}×{h}×{ch} image")
        })?;
        Ok(())
    }

    /// [`run`](Self::run) for σ in units where nothing underflows.
    fn run_unit(&self, noisy: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
        if noisy.channels == 1 {
            // No plane copies: a gray image is its own plane.
            return self.run_image(noisy, observer);
        }
        // RGB: denoised in the orthonormal opponent colour space (as BM3D's
        // colour version): the noise keeps its σ in each of the three
        // channels, and the chroma channels, nearly flat, lose most of it.
        let opponent = noisy.channels == 3 && self.colour.opponent();
        let mut work = noisy.clone();
        if opponent {
            for px in work.data.chunks_exact_mut(3) {
                let v = opponent_forward([px[0], px[1], px[2]]);
                px.copy_from_slice(&v);
            }
        }
        let (ch, w) = (noisy.channels, self.chroma_weight);
        let scale = |data: &mut [f64], by: f64| data.iter_mut().enumerate().filter(|(i, _)| i % ch != 0).for_each(|(_, v)| *v *= by);
        let (mut out, report) = if self.colour.joint() {
            scale(&mut work.data, w);
            let (mut out, report) = self.run_image(&work, observer)?;
            scale(&mut out.data, 1.0 / w);
            (out, report)
        } else {
            self.run_planes(&work, observer)?
        };
        if opponent {
            for px in out.data.chunks_exact_mut(3) {
                let v = opponent_inverse([px[0], px[1], px[2]]);
                px.copy_from_slice(&v);
            }
        }
        Ok((out, report))
    }

    /// Each channel of `work` denoised apart, with its own dictionary.
    fn run_planes(&self, work: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
        let ch = work.channels;
        let mut out = Image { width: work.width, height: work.height, channels: ch, data: vec![0.0; work.data.len()] };
        let (mut nnz_total, mut count) = (0.0, 0usize);
        for k in 0..ch {
            let (clean, report) = self.run_image(&work.channel(k)?, observer)?;
            out.set_channel(k, &clean)?;
            nnz_total += report.mean_nnz * report.n_patches as f64;
            count += report.n_patches;
        }
        Ok((out, DenoiseReport { mean_nnz: nnz_total / count.max(1) as f64, n_patches: count }))
    }

    /// The error goal `ε = n·(C·σ)²` for patches of `n` values and the cap
    /// on atoms per patch ([`goal_atom_cap`]). Joint colour patches count
    /// the noise of the channels after the first at the chroma weight `w`:
    /// `ε = p²·(1 + (channels − 1)·w²)·(C·σ)²`.
    fn goal(&self, n: usize) -> (f64, usize) {
        let pp = self.patch * self.patch;
        let ch = n / pp;
        let dims = if ch > 1 { pp as f64 * (1.0 + (ch - 1) as f64 * self.chroma_weight.powi(2)) } else { n as f64 };
        (dims * (self.gain * self.sigma).powi(2), goal_atom_cap(n, self.n_atoms))
    }

    /// A coded patch's weight in the blend: [`sparsity_weight`], or 1
    /// without [`Denoiser::sparsity_weights`].
    fn weight(&self, atoms: usize) -> f64 {
        if self.sparsity_weights { sparsity_weight(atoms) } else { 1.0 }
    }

    /// The whole pipeline on `y`: a gray image, or a colour one denoised
    /// jointly (patches of `p × p × channels` values over one dictionary,
    /// each channel's mean removed apart).
    fn run_image(&self, y: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
        if self.method == DenoiseMethod::Wnnm && y.channels == 1 {
            // Channel by channel: a colour image's planes come here one by one.
            return wnnm::wnnm_gray(y, self.sigma, &self.wnnm);
        }
        let p = self.patch;
        let ch = y.channels;
        let n = p * p * ch;
        // 1. Learn on a random sample of the patches (means removed).
        let mut train = extract_at(y, p, p, self.training_corners(y)?)?;
        remove_channel_means(&mut train.data, n, ch);
        let l = (self.n_atoms as f64).sqrt().round() as usize;
        let init = if ch > 1 {
            channel_dct(p, ch, self.n_atoms)
        } else if l * l == self.n_atoms && l >= p {
            Init::Dct
        } else {
            Init::Data
        };
        let dict = self.learn(MatRef::from_column_major_slice(&train.data, n, train.n_patches()), init, observer)?;
        let (first, report) = self.code_and_blend(y, &dict)?;
        match &self.non_local {
            None => Ok((first, report)),
            Some(nl) => self.group_code_and_blend(y, &first, &dict, nl, observer),
        }
    }

    /// The corners of the training patches: every patch, or `max_training`
    /// of them drawn with `seed`.
    fn training_corners(&self, y: &Image) -> Result<Vec<(usize, usize)>, DenoiseError> {
        let p = self.patch;
        if n_corners(y, &PatchSpec::new(p, p))? <= self.max_training {
            return Ok(corners(y, &PatchSpec::new(p, p))?);
        }
        let spec = PatchSpec { max_patches: MaxPatches::Count(self.max_training), seed: self.seed, ..PatchSpec::new(p, p) };
        Ok(corners(y, &spec)?)
    }

    /// A dictionary learned on the columns of `xt` (patches, means removed)
    /// by the chosen learner, starting from `init`.
    fn learn(&self, xt: MatRef<'_, f64>, init: Init, observer: &mut dyn Observer) -> Result<Dictionary<f64>, DenoiseError> {
        let n = xt.nrows();
        let (eps, cap) = self.goal(n);
        let atoms = match self.learner {
            Learner::Ksvd => {
                let params = KsvdParams {
                    tol: Some(eps),
                    max_nonzero: Some(cap),
                    iterations: self.iterations,
                    init,
                    seed: self.seed,
                    ..KsvdParams::new(self.n_atoms)
                };
                params.check()?.fit(xt, observer)?.dict
            }
            Learner::Online { steps, goal_scale } => {
                let op = OnlineParams {
                    max_steps: Some(steps),
                    tol: 0.0,
                    max_no_improvement: None,
                    init,
                    seed: self.seed,
                    ..OnlineParams::new(self.n_atoms)
                };
                let encoder = Encoder::lasso_goal(goal_scale * eps).max_iter(cap).chunk_size(BATCH_CHUNK);
                let mut d = op.check()?.fit_with(xt, &encoder, observer)?.dict;
                // The final OMP selects by raw correlation: unit atoms.
                for a in d.chunks_exact_mut(n) {
                    sc_linalg::kernels::normalize(a);
                }
                d
            }
        };
        Ok(Dictionary::from_column_major(&atoms, n, self.n_atoms)?)
    }

    /// Codes every patch of `y` over `dict` with OMP to the goal, band by
    /// band, and blends the coded patches with `y` (weight `λ =
    /// lambda_factor/σ`).
    fn code_and_blend(&self, y: &Image, dict: &Dictionary<f64>) -> Result<(Image, DenoiseReport), DenoiseError> {
        let p = self.patch;
        let ch = y.channels;
        let n = p * p * ch;
        let (eps, cap) = self.goal(n);
        let encoder = Encoder::omp_tol(eps).max_iter(cap);
        let lambda = self.lambda_factor / self.sigma;
        // 2–3. Code band by band and blend.
        let mut acc = Accumulator::new(y.height, y.width, ch, self.band_rows + p - 1);
        let mut out = vec![0.0; y.data.len()];
        let (mut nnz, mut coded) = (0usize, 0usize);
        let mut r0 = 0;
        while r0 < y.height {
            let mut band = extract_band(y, p, p, (1, 1), r0..r0 + self.band_rows)?;
            if band.n_patches() > 0 {
                let means = remove_channel_means(&mut band.data, n, ch);
                let codes = encoder.encode(dict, MatRef::from_column_major_slice(&band.data, n, band.n_patches()))?;
                nnz += codes.nnz();
                coded += codes.n_samples();
                let corners = &band.corners;
                blend_codes(
                    &mut acc,
                    dict,
                    &codes,
                    &mut band.data,
                    p,
                    |s, patch| fill_channel_means(patch, &means[s * ch..(s + 1) * ch]),
                    |s, atoms, _| (corners[s], self.weight(atoms)),
                )?;
            }
            r0 += self.band_rows;
            let w = y.width * ch;
            acc.finish_rows(r0, Some((y, lambda)), |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        let img = Image { width: y.width, height: y.height, channels: ch, data: out };
        Ok((img, DenoiseReport { mean_nnz: nnz as f64 / coded.max(1) as f64, n_patches: coded }))
    }
}
