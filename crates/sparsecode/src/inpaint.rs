//! Inpainting: filling the missing pixels of an image by sparse coding of
//! its own patches (Mairal, Elad & Sapiro, "Sparse representation for color
//! image restoration", IEEE TIP 2008; Mairal et al., JMLR 2010, §5.4), with
//! EM-style refinement passes (as in Guleryuz's iterated-denoising
//! recovery, 2006).
//!
//! 1. Masked pass: every patch on a grid of step `stride` (4) that holds a
//!    missing pixel, its known mean removed, is coded on its known pixels
//!    by masked OMP ([`Encoder::encode_masked`]) over the overcomplete DCT,
//!    to the goal `f·n·(C·σ)²` (`f` its known fraction) with at most
//!    `max_atoms` atoms; the rebuilt patches `D c + mean` are averaged over
//!    each missing pixel (weights `f/(1 + ‖c‖₀)`), and known pixels keep
//!    their value.
//! 2. Learning (`steps` > 0): a dictionary is learned online, from the DCT,
//!    on patches of that first estimate (or, with `learn_masked`, on the
//!    incomplete patches themselves by masked online learning,
//!    [`sc_dict::LearnMasked`] — measured worse here, see the issue notes).
//! 3. Refinement: `refine` passes re-code the patches of the current
//!    estimate that hold a missing pixel, whole, by OMP to `n·(C·σₜ)²` with
//!    `σₜ` shrinking geometrically from `refine_sigma` to `sigma`; the
//!    missing pixels take the average of the rebuilt patches (weights
//!    `1/(1 + ‖c‖₀)`), the known ones their value again. Each pass codes
//!    the patches of one grid (step `stride`, the last `fine_passes`
//!    passes `fine_stride`), shifted from pass to pass.
//!
//! Patches without a missing pixel are never coded: they would only rebuild
//! known pixels. The defaults (`max_atoms` 4, 200 learning steps, 64
//! passes from σ = 8 on grids of step 4, the last 16 of step 2) were chosen
//! with `cargo xtask inpaint-eval` on its six images at 30/60/80% missing
//! and a text overlay, and checked on four others (astronaut, rocket,
//! grass, clock): against 16 passes from σ = 12 on every patch (the
//! earlier defaults) they gained 0.1 to 1 dB on average per setting on
//! both sets, in half the time. Sparse grids shifted from pass to pass
//! make each pass cheap and beat a dense grid for the same time: a hole
//! is filled over many passes, and the shifts average the patch positions
//! over the passes instead of within one.

use faer::MatRef;
use sc_dict::init::Init;
use sc_dict::online::OnlineParams;
use sc_dict::progress::Observer;
use sc_dict::{Learn, LearnMasked};
use sc_patches::image::Image;
use sc_patches::patches::{Accumulator, MaxPatches, PatchSpec, corners, extract_at, extract_spec, n_corners};
use sc_solvers::{Dictionary, Encoder};

use crate::blend::{blend_codes, sparsity_weight};
use crate::denoise::DenoiseError;
use crate::denoise::{at_least_one, check_patch_side, eight_bit_exponent, scale_pow2, times_pow2};

/// The inpainter's parameters.
#[derive(Debug, Clone, PartialEq)]
pub struct Inpainter {
    /// Square patch side (8).
    pub patch: usize,
    /// Atoms (256: the 16×16 overcomplete DCT to start from).
    pub n_atoms: usize,
    /// Noise of the known pixels, in the image's units: the masked pass's
    /// goal and the last refinement pass's. `None` (the default): the known
    /// pixels taken as exact, [`EXACT_LEVELS`] gray levels of the image's
    /// own 8-bit scale, a gray level being 1/256 of the power of two
    /// nearest the brightest known pixel (1 for an 8-bit image whose
    /// brightest pixel is above 181; 1/256 for an image in `[0, 1]` with a
    /// pixel above 0.71; [`eight_bit_exponent`]), so that the result does
    /// not depend on the image's units.
    pub sigma: Option<f64>,
    /// Gain `C` of the goal `f·n·(C·σ)²` (1.15).
    pub gain: f64,
    /// Atoms per patch at most in the masked pass (4; twice that in the
    /// refinement passes).
    pub max_atoms: usize,
    /// Training patches at most (20,000).
    pub max_training: usize,
    /// Mini-batch steps of the learner (0: keep the DCT; 200).
    pub steps: usize,
    /// Patch rows coded per band (32).
    pub band_rows: usize,
    /// Seed of the training sample.
    pub seed: u64,
    /// Refinement passes after the masked pass (EM-style): every patch of
    /// the current estimate on the pass's grid is coded whole, to a goal
    /// that shrinks from `refine_sigma` to `sigma`, the missing pixels
    /// replaced by the average (the known ones kept) (64).
    pub refine: usize,
    /// The first refinement pass's σ, in the image's units (`None`, the
    /// default: [`REFINE_LEVELS`] gray levels of the image's 8-bit scale,
    /// as for `sigma`).
    pub refine_sigma: Option<f64>,
    /// Learn from the incomplete patches (masked online learning) before
    /// the masked pass, instead of from the masked pass's estimate before
    /// the refinement.
    pub learn_masked: bool,
    /// Patches coded every `stride` pixels down and across (the last row
    /// and column always) in the masked pass and the refinement passes
    /// before the last `fine_passes`; the grid shifts from pass to pass, so
    /// the passes together use every offset (4; a step longer than `patch`
    /// counts as `patch`, so every pixel lies in a patch of every grid).
    pub stride: usize,
    /// The grid step of the last `fine_passes` refinement passes (2).
    pub fine_stride: usize,
    /// Refinement passes at the end on the `fine_stride` grid (16).
    pub fine_passes: usize,
}

/// What an inpainting run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct InpaintReport {
    /// Mean atoms per coded patch.
    pub mean_nnz: f64,
    /// Patches coded.
    pub n_patches: usize,
    /// Fraction of the pixels that were missing.
    pub missing: f64,
}

impl Default for Inpainter {
    fn default() -> Self {
        Self {
            patch: 8,
            n_atoms: 256,
            sigma: None,
            gain: 1.15,
            max_atoms: 4,
            max_training: 20_000,
            steps: 200,
            band_rows: 32,
            seed: 0,
            refine: 64,
            refine_sigma: None,
            learn_masked: false,
            stride: 4,
            fine_stride: 2,
            fine_passes: 16,
        }
    }
}

/// The default noise of the known pixels, in gray levels of the image's own
/// 8-bit scale (see [`Inpainter::sigma`]): half a level, the known pixels
/// taken as exact.
pub const EXACT_LEVELS: f64 = 0.5;

/// The default σ of the first refinement pass, in gray levels of the
/// image's own 8-bit scale (see [`Inpainter::refine_sigma`]).
pub const REFINE_LEVELS: f64 = 8.0;

/// The noise levels of one run, in the units of an image whose brightest
/// known pixel is within a factor √2 of 256: the known pixels' σ, the first refinement
/// pass's, and the floor of the refinement's schedule ([`EXACT_LEVELS`]).
#[derive(Debug, Clone, Copy)]
struct Levels {
    sigma: f64,
    refine: f64,
    floor: f64,
}

/// What a pass codes to: the masked pass (each patch on its known pixels)
/// or a refinement pass (each patch of the estimate whole), with its σ.
#[derive(Debug, Clone, Copy)]
enum Goal {
    Masked(f64),
    Refine(f64),
}

/// The known pixels of `img` (one flag per pixel, row by row): those none
/// of whose channels is `missing` (NaN matches NaN).
pub fn known_pixels(img: &Image, missing: f64) -> Vec<bool> {
    let ch = img.channels.max(1);
    img.data.chunks_exact(ch).map(|px| !px.iter().any(|&v| sc_solvers::is_missing(v, missing))).collect()
}

/// The first known pixel of `img` (by `known`) holding a value that is not
/// finite, as `(row, column)`: an image the inpainter refuses.
pub fn non_finite_known(img: &Image, known: &[bool]) -> Option<(usize, usize)> {
    let ch = img.channels.max(1);
    let i = img.data.chunks_exact(ch).zip(known).position(|(px, &k)| k && px.iter().any(|v| !v.is_finite()))?;
    Some((i / img.width.max(1), i % img.width.max(1)))
}

impl Inpainter {
    /// Checks every parameter, before any pixel is read.
    pub fn check(&self) -> Result<(), DenoiseError> {
        at_least_one(&[
            ("patch", self.patch),
            ("n_atoms", self.n_atoms),
            ("max_atoms", self.max_atoms),
            ("max_training", self.max_training),
            ("band_rows", self.band_rows),
            ("stride", self.stride),
            ("fine_stride", self.fine_stride),
        ])?;
        check_patch_side(self.patch)?;
        for (name, v) in [("sigma", self.sigma), ("gain", Some(self.gain)), ("refine_sigma", self.refine_sigma)] {
            let Some(v) = v else { continue };
            if !(v >= 0.0 && v.is_finite()) {
                return Err(DenoiseError::Invalid(name, format!("must be finite and ≥ 0, got {v}")));
            }
        }
        Ok(())
    }

    /// Fills the pixels of `img` where `known` (one flag per pixel, row by
    /// row) is false. Colour images are filled channel by channel, each
    /// with its own dictionary, from the same mask.
    pub fn run(&self, img: &Image, known: &[bool], observer: &mut dyn Observer) -> Result<(Image, InpaintReport), DenoiseError> {
        self.check()?;
        let (w, h) = (img.width, img.height);
        if self.patch > w.min(h) {
            return Err(DenoiseError::Invalid("patch", format!("a {0}×{0} patch does not fit a {w}×{h} image", self.patch)));
        }
        if known.len() != w * h {
            return Err(DenoiseError::Invalid("mask", format!("{} flags for a {w}×{h} image", known.len())));
        }
        let missing = known.iter().filter(|&&k| !k).count() as f64 / known.len().max(1) as f64;
        if !known.iter().any(|&k| k) {
            return Err(DenoiseError::Invalid("mask", "no pixel is known".into()));
        }
        if known.iter().all(|&k| k) {
            return Err(DenoiseError::Invalid("mask", "no pixel is missing: nothing to inpaint".into()));
        }
        if let Some((r, c)) = non_finite_known(img, known) {
            return Err(DenoiseError::Invalid("image", format!("known pixel ({r}, {c}) is not finite (mark it missing)")));
        }
        // A few copies of a channel (mask, estimate, output), of the image
        // (output, and the copy in other units) and a band of patches with
        // their masks and codes, before any work.
        let (ch, n) = (img.channels.max(1), self.patch * self.patch);
        sc_linalg::memory::request::<f64>(&[&[6, h, w], &[2, h, w, ch], &[4, self.band_rows, w, n]], || {
            format!("inpainting a {w}×{h}×{ch} image")
        })?;
        // In other units than 0–255 (the brightest known pixel not within a
        // factor √2 of 256), the image is inpainted scaled by the power of
        // two that brings that pixel there, and scaled back: the
        // defaults' gray levels, and the learner's and the coders' few
        // absolute thresholds, then see the numbers they were tuned on, and
        // no bit of the answer changes.
        let peak = img.data.chunks_exact(ch).zip(known).filter(|(_, k)| **k).flat_map(|(px, _)| px).fold(0.0f64, |m, v| m.max(v.abs()));
        let k = eight_bit_exponent(peak);
        if k != 0 {
            let mut scaled = img.clone();
            scale_pow2(&mut scaled.data, k);
            let p = Inpainter {
                sigma: self.sigma.map(|s| times_pow2(s, k)),
                refine_sigma: self.refine_sigma.map(|s| times_pow2(s, k)),
                ..self.clone()
            };
            let (mut out, report) = p.run_unit(&scaled, known, missing, observer)?;
            scale_pow2(&mut out.data, -k);
            return Ok((out, report));
        }
        self.run_unit(img, known, missing, observer)
    }

    /// [`Inpainter::run`] once the image is in units near 0–255 (its
    /// brightest known pixel within a factor √2 of 256, or every known
    /// pixel 0).
    fn run_unit(
        &self,
        img: &Image,
        known: &[bool],
        missing: f64,
        observer: &mut dyn Observer,
    ) -> Result<(Image, InpaintReport), DenoiseError> {
        let ch = img.channels;
        let levels = self.levels();
        let mut out = img.clone();
        let (mut nnz, mut count) = (0.0, 0usize);
        for c in 0..ch {
            let (filled, (m, n)) = self.run_gray(&img.channel(c)?, known, levels, observer)?;
            out.set_channel(c, &filled)?;
            nnz += m * n as f64;
            count += n;
        }
        Ok((out, InpaintReport { mean_nnz: nnz / count.max(1) as f64, n_patches: count, missing }))
    }

    /// The run's noise levels, in the units of [`Inpainter::run_unit`]:
    /// those given, the others the defaults' gray levels.
    fn levels(&self) -> Levels {
        let sigma = self.sigma.unwrap_or(EXACT_LEVELS);
        Levels { sigma, refine: self.refine_sigma.unwrap_or(REFINE_LEVELS).max(sigma), floor: EXACT_LEVELS }
    }

    fn run_gray(&self, y: &Image, known: &[bool], lv: Levels, observer: &mut dyn Observer) -> Result<(Image, (f64, usize)), DenoiseError> {
        let p = self.patch;
        let n = p * p;
        let mask_img =
            Image { width: y.width, height: y.height, channels: 1, data: known.iter().map(|&k| if k { 1.0 } else { 0.0 }).collect() };
        let eps = n as f64 * (self.gain * lv.sigma).powi(2);
        let cap = self.max_atoms.min(self.n_atoms);
        let encoder = Encoder::omp_tol(eps).max_iter(cap);
        // 1–2. Learn on a sample of the patches that have known pixels.
        let l = (self.n_atoms as f64).sqrt().round() as usize;
        let init = if l * l == self.n_atoms && l >= p { Init::Dct } else { Init::Data };
        let dict = if (self.steps == 0 || !self.learn_masked) && init == Init::Dct {
            let d = Init::Dct.build::<f64>(
                MatRef::from_column_major_slice(&vec![0.0; n], n, 1),
                self.n_atoms,
                &mut sc_dict::rng::SplitMix(0),
            )?;
            Dictionary::from_column_major(&d, n, self.n_atoms)?
        } else {
            let spec = PatchSpec { max_patches: MaxPatches::Count(self.max_training), seed: self.seed, ..PatchSpec::new(p, p) };
            let all = PatchSpec::new(p, p);
            let picked = corners(y, if n_corners(y, &all)? <= self.max_training { &all } else { &spec })?;
            let mut train = extract_at(y, p, p, picked.clone())?;
            let tmask = extract_at(&mask_img, p, p, picked)?;
            let observed: Vec<bool> = tmask.data.iter().map(|&v| v > 0.5).collect();
            remove_known_means(&mut train.data, &observed, n);
            let params = OnlineParams {
                max_steps: Some(self.steps.max(1)),
                tol: 0.0,
                max_no_improvement: None,
                init,
                seed: self.seed,
                forget_rho: Some(OnlineParams::FAST_FORGETTING),
                ..OnlineParams::new(self.n_atoms)
            };
            let xt = MatRef::from_column_major_slice(&train.data, n, train.n_patches());
            let mut d = params.check()?.fit_masked_with(xt, &observed, &encoder, observer)?.dict;
            for a in d.chunks_exact_mut(n) {
                sc_linalg::kernels::normalize(a);
            }
            Dictionary::from_column_major(&d, n, self.n_atoms)?
        };
        // 3–4. Code band by band, rebuild, average.
        let (mut img, (nnz, coded)) = self.pass(y, known, &mask_img, &dict, Goal::Masked(lv.sigma), 0)?;
        let sigma0 = lv.refine;
        let dict = if self.steps > 0 && !self.learn_masked {
            let spec = PatchSpec { max_patches: MaxPatches::Count(self.max_training), seed: self.seed, ..PatchSpec::new(p, p) };
            let mut train = extract_spec(&img, &spec)?;
            train.remove_mean();
            let params = OnlineParams {
                max_steps: Some(self.steps),
                tol: 0.0,
                max_no_improvement: None,
                init: Init::Dct,
                seed: self.seed,
                ..OnlineParams::new(self.n_atoms)
            };
            let goal = 1.25 * n as f64 * (self.gain * sigma0).powi(2);
            let enc = Encoder::lasso_goal(goal).max_iter(self.max_atoms.min(self.n_atoms) * 2).chunk_size(sc_dict::online::BATCH_CHUNK);
            let xt = MatRef::from_column_major_slice(&train.data, n, train.n_patches());
            let mut d = params.check()?.fit_with(xt, &enc, observer)?.dict;
            for a in d.chunks_exact_mut(n) {
                sc_linalg::kernels::normalize(a);
            }
            Dictionary::from_column_major(&d, n, self.n_atoms)?
        } else {
            dict
        };
        for it in 0..self.refine {
            let t = if self.refine > 1 { it as f64 / (self.refine - 1) as f64 } else { 1.0 };
            let sigma = sigma0 * (lv.sigma.max(lv.floor) / sigma0.max(lv.floor)).powf(t);
            img = self.pass(&img, known, &mask_img, &dict, Goal::Refine(sigma), it + 1)?.0;
        }
        Ok((img, (nnz as f64 / coded.max(1) as f64, coded)))
    }
}

impl Inpainter {
    /// One pass over the patches of `src` on the grid of pass `pass` (see
    /// [`shifted_grid`]) that hold a missing pixel (the others would only
    /// rebuild known pixels). The masked pass
    /// ([`Goal::Masked`]) codes each patch on its known pixels, its
    /// known mean removed, by masked OMP to the goal `f·n·(C·σ)²`, and
    /// weights it by `f/(1 + ‖c‖₀)`; a refinement pass codes each patch of
    /// the estimate whole, its mean removed, by OMP to `n·(C·σᵣ)²` with at
    /// most twice the atoms, and weights it by `1/(1 + ‖c‖₀)`. The missing
    /// pixels get the weighted average of the rebuilt patches, the known
    /// ones their value. Returns the image and (non-zeros, patches coded).
    fn pass(
        &self,
        src: &Image,
        known: &[bool],
        mask_img: &Image,
        dict: &Dictionary<f64>,
        goal: Goal,
        pass: usize,
    ) -> Result<(Image, (usize, usize)), DenoiseError> {
        let p = self.patch;
        let n = p * p;
        let cap = self.max_atoms.min(self.n_atoms);
        let encoder = match goal {
            Goal::Masked(s) => Encoder::omp_tol(n as f64 * (self.gain * s).powi(2)).max_iter(cap),
            Goal::Refine(s) => Encoder::omp_tol(n as f64 * (self.gain * s).powi(2)).max_iter((2 * cap).min(self.n_atoms)),
        };
        let known_mean = {
            let (s, c) = src.data.iter().zip(known).filter(|p| *p.1).fold((0.0, 0usize), |(s, c), (v, _)| (s + v, c + 1));
            s / c.max(1) as f64
        };
        // The last `fine_passes` passes (pass `refine` is the last) use the fine grid.
        let stride = if self.refine.saturating_sub(pass) < self.fine_passes { self.fine_stride } else { self.stride };
        let mut acc = Accumulator::new(src.height, src.width, 1, self.band_rows + p - 1);
        let mut out = vec![0.0; src.width * src.height];
        let (mut nnz, mut coded) = (0usize, 0usize);
        let (mut data, mut observed, mut corners) = (Vec::new(), Vec::new(), Vec::new());
        let mut r0 = 0;
        while r0 < src.height {
            let at = shifted_grid(src, p, stride, pass, r0..r0 + self.band_rows);
            let (band, bmask) = (extract_at(src, p, p, at.clone())?, extract_at(mask_img, p, p, at)?);
            data.clear();
            observed.clear();
            corners.clear();
            for s in 0..band.n_patches() {
                let m = &bmask.data[s * n..(s + 1) * n];
                if m.iter().any(|&v| v < 0.5) {
                    data.extend_from_slice(&band.data[s * n..(s + 1) * n]);
                    observed.extend(m.iter().map(|&v| v > 0.5));
                    corners.push(band.corners[s]);
                }
            }
            if !corners.is_empty() {
                let count = corners.len();
                let (means, codes) = if matches!(goal, Goal::Masked(_)) {
                    let means = remove_known_means(&mut data, &observed, n);
                    (means, encoder.encode_masked(dict, MatRef::from_column_major_slice(&data, n, count), &observed)?)
                } else {
                    let means = sc_patches::patches::remove_means(&mut data, n);
                    (means, encoder.encode(dict, MatRef::from_column_major_slice(&data, n, count))?)
                };
                nnz += codes.nnz();
                coded += codes.n_samples();
                // The fraction of each patch's pixels that are known (1 in
                // the refinement passes).
                let known_frac = |s: usize| match goal {
                    Goal::Refine(_) => 1.0,
                    Goal::Masked(_) => observed[s * n..(s + 1) * n].iter().filter(|&&o| o).count() as f64 / n as f64,
                };
                // A patch with no known pixel says nothing: the known mean,
                // with a weight any informed patch outweighs.
                let fill = |s: usize, patch: &mut [f64]| patch.fill(if known_frac(s) > 0.0 { means[s] } else { known_mean });
                blend_codes(&mut acc, dict, &codes, &mut data, p, fill, |s, atoms, _| {
                    let frac = known_frac(s);
                    (corners[s], if frac > 0.0 { frac * sparsity_weight(atoms) } else { 1e-9 })
                })?;
            }
            r0 += self.band_rows;
            let w = src.width;
            acc.finish_rows(r0, None, |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        for ((o, &v), &k) in out.iter_mut().zip(&src.data).zip(known) {
            if k {
                *o = v;
            }
        }
        Ok((Image { width: src.width, height: src.height, channels: 1, data: out }, (nnz, coded)))
    }
}

/// The corners of `p × p` patches of `img` whose row lies in `rows`, every
/// `s` pixels down and across from an offset that changes with `pass`
/// (`(0, 0)`, `(1, 1)`, `(0, 1)`, `(1, 0)`, … for `s = 2`), plus the last
/// row and column, so every pixel is covered (a step `s > p` counts as
/// `p`, which would otherwise leave gaps).
fn shifted_grid(img: &Image, p: usize, s: usize, pass: usize, rows: std::ops::Range<usize>) -> Vec<(usize, usize)> {
    let s = s.min(p);
    let (off_r, off_c) = (pass % s, (pass / s + pass % s) % s);
    let (last_r, last_c) = (img.height - p, img.width - p);
    let on = |v: usize, off: usize, last: usize| v % s == off || v == last || (v < off && v == 0);
    let cols: Vec<usize> = (0..=last_c).filter(|&c| on(c, off_c, last_c)).collect();
    (rows.start..rows.end.min(last_r + 1)).filter(|&r| on(r, off_r, last_r)).flat_map(|r| cols.iter().map(move |&c| (r, c))).collect()
}

/// Removes from each patch (columns of length `n`) the mean of its known
/// entries, and zeroes the unknown ones; returns the means (0 for a patch
/// with nothing known).
fn remove_known_means(data: &mut [f64], observed: &[bool], n: usize) -> Vec<f64> {
    data.chunks_exact_mut(n)
        .zip(observed.chunks_exact(n))
        .map(|(x, m)| {
            let (s, c) = x.iter().zip(m).filter(|p| *p.1).fold((0.0, 0usize), |(s, c), (v, _)| (s + v, c + 1));
            let mean = if c > 0 { s / c as f64 } else { 0.0 };
            for (v, &o) in x.iter_mut().zip(m) {
                *v = if o { *v - mean } else { 0.0 };
            }
            mean
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_shifted_grid_covers_every_pixel_and_the_passes_use_every_corner() {
        let img = Image { width: 23, height: 17, channels: 1, data: vec![0.0; 23 * 17] };
        let p = 5;
        // Steps past the patch side (6, 7) count as the side: no gaps.
        for step in 1..=7 {
            let s: usize = step.min(p);
            let mut seen = std::collections::HashSet::new();
            for pass in 0..s * s {
                let grid = shifted_grid(&img, p, step, pass, 0..img.height);
                let mut covered = vec![false; img.width * img.height];
                for &(r, c) in &grid {
                    assert!(r + p <= img.height && c + p <= img.width);
                    for i in 0..p {
                        covered[(r + i) * img.width + c..(r + i) * img.width + c + p].iter_mut().for_each(|v| *v = true);
                    }
                    seen.insert((r, c));
                }
                assert!(covered.iter().all(|&v| v), "step {step}, pass {pass}: a pixel is in no patch");
                // A band of rows gives the grid's corners in those rows.
                let band = shifted_grid(&img, p, step, pass, 3..7);
                assert_eq!(band, grid.iter().copied().filter(|c| (3..7).contains(&c.0)).collect::<Vec<_>>());
            }
            assert_eq!(seen.len(), (img.height - p + 1) * (img.width - p + 1), "step {step}");
        }
    }
}
