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
//! channels over one dictionary ([`Denoiser::joint_colour`]), which
//! measured 0.1 dB below channel by channel.

use faer::MatRef;
use rayon::prelude::*;
use sc_dict::init::Init;
use sc_dict::ksvd::KsvdParams;
use sc_dict::online::{BATCH_CHUNK, OnlineParams};
use sc_dict::progress::Observer;
use sc_dict::{Learn, goal_atom_cap};
use sc_patches::image::Image;
use sc_patches::patches::{
    Accumulator, MaxPatches, PatchSpec, corners, extract_at, extract_band, similar_patches_into, similar_patches_rows,
};
use sc_solvers::{Dictionary, Encoder, GroupLasso, Somp};

/// Errors of the denoiser.
#[derive(Debug, thiserror::Error)]
pub enum DenoiseError {
    /// σ must be finite and positive.
    #[error("sigma must be finite and > 0, got {0}")]
    BadSigma(f64),
    /// The image is smaller than a patch.
    #[error(transparent)]
    Patch(#[from] sc_patches::Error),
    /// Learning failed.
    #[error(transparent)]
    Learn(#[from] sc_dict::Error),
    /// Coding failed.
    #[error(transparent)]
    Solver(#[from] sc_solvers::Error),
    /// Any other parameter out of range.
    #[error("invalid parameter `{0}`: {1}")]
    Invalid(&'static str, String),
}

/// Which learner builds the dictionary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learner {
    /// K-SVD with error-constrained OMP (Elad & Aharon's recipe).
    Ksvd,
    /// Online learning (Mairal et al.) on mini-batches of 256 coded as
    /// SPAMS's `trainDL` does in its mode 1: the code of least ℓ1 norm
    /// within the squared-residual goal `goal_scale·ε`
    /// ([`Encoder::lasso_goal`]).
    Online {
        /// Mini-batch steps ([`Learner::ONLINE_STEPS`] by default).
        steps: usize,
        /// The training goal relative to the coding goal `ε` (1.25: a
        /// slightly looser goal than the final coding's, measured best on
        /// `camera`).
        goal_scale: f64,
    },
}

impl Learner {
    /// Mini-batches of the online learner by default.
    pub const ONLINE_STEPS: usize = 400;

    /// Online learning with `steps` mini-batches and the training goal
    /// `1.25·ε`.
    pub fn online(steps: usize) -> Self {
        Learner::Online { steps, goal_scale: 1.25 }
    }
}

/// The denoiser's parameters (defaults: Elad & Aharon's recipe, tuned as
/// the module's documentation says).
#[derive(Debug, Clone, PartialEq)]
pub struct Denoiser {
    /// Noise standard deviation, in the image's units.
    pub sigma: f64,
    /// Square patch side (10).
    pub patch: usize,
    /// Atoms (256; a square number ≥ patch² for the DCT start).
    pub n_atoms: usize,
    /// K-SVD iterations (20).
    pub iterations: usize,
    /// Gain `C` in the error goal `n·(C·σ)²` (1.1; the paper's 1.15).
    pub gain: f64,
    /// `λ = lambda_factor / σ` in the blend (20; the paper's 30).
    pub lambda_factor: f64,
    /// Training patches at most (65,000).
    pub max_training: usize,
    /// Patch rows coded per band (32).
    pub band_rows: usize,
    /// Seed of the training sample and atom order.
    pub seed: u64,
    /// The learner.
    pub learner: Learner,
    /// Denoise an RGB image in the orthonormal opponent colour space
    /// (luminance and two chroma channels, each with the same noise σ),
    /// channel by channel, instead of R, G and B apart (true).
    pub opponent_colour: bool,
    /// Denoise the channels of a colour image together (false): patches of
    /// `patch × patch × channels` values over one dictionary (Mairal, Elad
    /// & Sapiro, "Sparse representation for color image restoration", IEEE
    /// TIP 2008), each channel's mean removed apart, the dictionary started
    /// from the overcomplete DCT within each channel, the non-local pass's
    /// groups matched on the first channel (the luminance in the opponent
    /// space, as BM3D's colour version), instead of channel by channel.
    /// On `chelsea` and `coffee` at σ = 15, 25, 50, with `gain` 1.05, it
    /// measured 0.06 dB below the channel-by-channel default on average
    /// (0.2 dB below on `astronaut` and `rocket`), so it is not the default.
    pub joint_colour: bool,
    /// With [`joint_colour`](Self::joint_colour): the channels after the
    /// first are scaled by this before coding (and back after), so that
    /// the coding weighs them less than the luminance; the error goal
    /// counts their noise at that scale (0.7; measured best of 0.3–2).
    pub chroma_weight: f64,
    /// Weight each coded patch by `1/(1 + atoms used)` in the blend (the
    /// inverse of its estimate's noise variance, which grows with the
    /// dimension of the subspace it is projected on) instead of 1 (true).
    pub sparsity_weights: bool,
    /// The non-local pass after the per-patch one (group means by default,
    /// or LSSC's simultaneous coding), or `None`: the per-patch denoiser
    /// alone.
    pub non_local: Option<NonLocal>,
}

/// The non-local pass, after the per-patch one: every reference patch (on
/// a grid) is grouped with its most similar patches, found by block
/// matching on the first estimate, where distances are not blurred by the
/// noise (Mairal, Bach, Ponce, Sapiro & Zisserman, "Non-local sparse models
/// for image restoration", ICCV 2009, and BM3D's second step); each group
/// of noisy patches is coded over the dictionary as [`GroupCoding`] says,
/// and the coded patches are blended as in the per-patch pass.
///
/// Defaults, measured on the six gray images of `cargo xtask denoise-eval`
/// at σ = 15, 25, 50 (see the README; chosen on camera, coins and brick,
/// checked on moon, chelsea and coffee): every patch a reference, groups
/// of at most 8 within 8 pixels, threshold 0.25, group means coded over the
/// first pass's dictionary.
#[derive(Debug, Clone, PartialEq)]
pub struct NonLocal {
    /// Reference patches every `step` pixels down and across (the last row
    /// and column always included; 1).
    pub step: usize,
    /// Half side of the search window, in pixels (8).
    pub radius: usize,
    /// Patches per group at most, the reference included (8).
    pub max_group: usize,
    /// A patch joins a group when its squared distance to the reference on
    /// the first estimate is at most `threshold · n · σ²`, `n` its pixels
    /// (0.25).
    pub threshold: f64,
    /// How a group is coded.
    pub coding: GroupCoding,
    /// Mini-batches of online learning on the group means of a random
    /// sample of references (cleaner signals than single noisy patches),
    /// from the first pass's dictionary, before the groups are coded (0:
    /// the first pass's dictionary, the default). With 200: +0.04 dB on
    /// average on camera, coins and brick, but −0.27 dB on moon at σ = 50
    /// and 40% more time.
    pub relearn_steps: usize,
    /// With [`GroupCoding::GroupLasso`]: the penalty `λ = lasso_factor·σ·√m`
    /// for a group of `m` patches (1.4).
    pub lasso_factor: f64,
    /// With [`GroupCoding::Average`], `Some(κ)`: the reference's own detail,
    /// which the group's mean averages away, is taken from the first
    /// estimate and added back: `d = f_ref − mean(f_members)` on the first
    /// estimate `f`, shrunk by `max(0, 1 − n·(κσ)²·(1 − 1/m)/‖d‖²)` (a
    /// floor for the first estimate's own error). `Some(0.1)` from σ = 25
    /// ([`Denoiser::new`]): +0.05 dB on average at σ = 25 and 50, on the
    /// four gray images it was chosen on (camera, coins, brick, moon) and
    /// on four it was not (chelsea, coffee, astronaut, rocket); at σ = 15 it
    /// lost (brick −0.27 dB, astronaut −0.19), so `None` there.
    pub detail: Option<f64>,
}

impl Default for NonLocal {
    fn default() -> Self {
        Self {
            step: 1,
            radius: 8,
            max_group: 8,
            threshold: 0.25,
            coding: GroupCoding::Average,
            relearn_steps: 0,
            lasso_factor: 1.4,
            detail: None,
        }
    }
}

/// How the non-local pass codes a group of `m` similar noisy patches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GroupCoding {
    /// The group's mean (noise σ/√m), coded with OMP to the goal for that
    /// noise, stands for the reference patch alone (as BM3D's collaborative
    /// estimate, with the dictionary for transform). Beat the per-patch
    /// denoiser by 0.3 dB on average, and by 2.9 dB on `brick` at σ = 50.
    Average,
    /// Every patch of the group coded with one shared support by
    /// simultaneous OMP ([`Somp`], the L0 form of LSSC), each with its own
    /// coefficients and the per-patch goal, and every one blended. Measured
    /// worse than the per-patch denoiser (−0.2 dB on average), kept to
    /// compare.
    Simultaneous,
    /// Every patch of the group coded by the group Lasso ([`GroupLasso`],
    /// the convex form of LSSC: `½‖X_g − D A‖²_F + λ Σ_j ‖A_j‖₂`), with
    /// `λ = lasso_factor·σ·√m` (the norm of an atom's correlations with
    /// `m` patches of pure noise is about `σ·√m`), and every one blended.
    /// Measured at σ = 25 with the factor 1.4 (best of 1.0, 1.4, 2.0 on
    /// `coins`: 28.07, 28.15, 27.30 dB): camera 29.45, coins 28.15, brick
    /// 33.85 dB, against 29.62, 28.56, 35.05 for the default and 29.47,
    /// 28.28, 34.70 for [`Simultaneous`](Self::Simultaneous), and 10–20
    /// times slower (the Lasso's shrinkage biases every coefficient); kept
    /// to compare.
    GroupLasso,
}

/// What a denoising run reports.
#[derive(Debug, Clone, PartialEq)]
pub struct DenoiseReport {
    /// Mean atoms per patch in the final coding.
    pub mean_nnz: f64,
    /// Patches coded.
    pub n_patches: usize,
}

impl Denoiser {
    /// The recipe for noise `sigma`. 10×10 patches at every σ: first chosen
    /// from σ = 25 (per-patch pass, the six images of `cargo xtask
    /// denoise-eval`: +0.11 and +0.21 dB on average at σ = 25 and 50 over
    /// 8×8); below it 8×8 until the non-local pass, with which 10×10 measured
    /// +0.06 dB on average at σ = 10 and at σ = 15 over camera, coins, moon,
    /// brick and two images held out from every choice, astronaut and
    /// rocket (brick +0.23 and +0.27, moon +0.05 and +0.21; no image below
    /// −0.03 dB), and +0.06 on chelsea and coffee in colour at σ = 15, for
    /// about 50% more time.
    pub fn new(sigma: f64) -> Self {
        Self {
            sigma,
            patch: 10,
            n_atoms: 256,
            iterations: 20,
            gain: 1.1,
            lambda_factor: 20.0,
            max_training: 65_000,
            band_rows: 32,
            seed: 0,
            learner: Learner::online(Learner::ONLINE_STEPS),
            sparsity_weights: true,
            opponent_colour: true,
            joint_colour: false,
            chroma_weight: 0.7,
            non_local: Some(NonLocal { detail: (sigma >= 25.0).then_some(0.1), ..NonLocal::default() }),
        }
    }

    /// Checks every parameter, before any patch is read.
    pub fn check(&self) -> Result<(), DenoiseError> {
        if !(self.sigma > 0.0 && self.sigma.is_finite()) {
            return Err(DenoiseError::BadSigma(self.sigma));
        }
        let counts = [
            ("patch", self.patch),
            ("n_atoms", self.n_atoms),
            ("iterations", self.iterations),
            ("max_training", self.max_training),
            ("band_rows", self.band_rows),
        ];
        if let Some((name, _)) = counts.iter().find(|c| c.1 == 0) {
            return Err(DenoiseError::Invalid(name, "must be at least 1".into()));
        }
        let positive = |name: &'static str, v: f64| {
            if v > 0.0 && v.is_finite() { Ok(()) } else { Err(DenoiseError::Invalid(name, format!("must be finite and > 0, got {v}"))) }
        };
        positive("gain", self.gain)?;
        positive("lambda_factor", self.lambda_factor)?;
        positive("chroma_weight", self.chroma_weight)?;
        match self.learner {
            Learner::Online { goal_scale, steps } => {
                positive("goal_scale", goal_scale)?;
                if steps == 0 {
                    return Err(DenoiseError::Invalid("steps", "must be at least 1".into()));
                }
            }
            Learner::Ksvd => {}
        }
        if let Some(nl) = &self.non_local {
            let counts = [("step", nl.step), ("max_group", nl.max_group)];
            if let Some((name, _)) = counts.iter().find(|c| c.1 == 0) {
                return Err(DenoiseError::Invalid(name, "must be at least 1".into()));
            }
            if !(nl.threshold >= 0.0 && nl.threshold.is_finite()) {
                return Err(DenoiseError::Invalid("threshold", format!("must be finite and ≥ 0, got {}", nl.threshold)));
            }
            positive("lasso_factor", nl.lasso_factor)?;
            if let Some(k) = nl.detail
                && !(k >= 0.0 && k.is_finite())
            {
                return Err(DenoiseError::Invalid("detail", format!("must be finite and ≥ 0, got {k}")));
            }
        }
        Ok(())
    }

    /// Denoises `noisy` (any scale; `sigma` in the same units).
    pub fn run(&self, noisy: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
        self.check()?;
        if noisy.channels == 1 {
            // No plane copies: a gray image is its own plane.
            return self.run_image(noisy, observer);
        }
        // RGB: denoised in the orthonormal opponent colour space (as BM3D's
        // colour version): the noise keeps its σ in each of the three
        // channels, and the chroma channels, nearly flat, lose most of it.
        let opponent = noisy.channels == 3 && self.opponent_colour;
        let mut work = noisy.clone();
        if opponent {
            for px in work.data.chunks_exact_mut(3) {
                let v = opponent_forward([px[0], px[1], px[2]]);
                px.copy_from_slice(&v);
            }
        }
        let (ch, w) = (noisy.channels, self.chroma_weight);
        let scale = |data: &mut [f64], by: f64| data.iter_mut().enumerate().filter(|(i, _)| i % ch != 0).for_each(|(_, v)| *v *= by);
        let (mut out, report) = if self.joint_colour {
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

    /// The whole pipeline on `y`: a gray image, or a colour one denoised
    /// jointly (patches of `p × p × channels` values over one dictionary,
    /// each channel's mean removed apart).
    fn run_image(&self, y: &Image, observer: &mut dyn Observer) -> Result<(Image, DenoiseReport), DenoiseError> {
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
        let all = corners(y, &PatchSpec::new(p, p))?;
        if all.len() <= self.max_training {
            return Ok(all);
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

    /// The non-local pass: each reference patch's group of similar patches
    /// (matched on `first`) is coded as [`NonLocal::coding`] says, and the
    /// coded patches are blended with `y`.
    fn group_code_and_blend(
        &self,
        y: &Image,
        first: &Image,
        dict: &Dictionary<f64>,
        nl: &NonLocal,
        observer: &mut dyn Observer,
    ) -> Result<(Image, DenoiseReport), DenoiseError> {
        let p = self.patch;
        let ch = y.channels;
        let n = p * p * ch;
        let (eps, cap) = self.goal(n);
        // Colour patches are matched on the first estimate's first channel
        // (the luminance in the opponent space), as BM3D's colour version.
        let pilot = first;
        let luminance;
        let first = if ch == 1 {
            first
        } else {
            luminance = first.channel(0)?;
            &luminance
        };
        let threshold = nl.threshold * (p * p) as f64 * self.sigma * self.sigma;
        let grid = |last: usize| -> Vec<usize> {
            let mut v: Vec<usize> = (0..=last).step_by(nl.step).collect();
            if v.last() != Some(&last) {
                v.push(last);
            }
            v
        };
        let (rows, cols) = (grid(y.height - p), grid(y.width - p));
        // The dictionary learned again, on the (scaled) means of the groups of
        // a random sample of references: cleaner training signals.
        let relearned;
        let dict = if nl.relearn_steps > 0 {
            let groups = match_groups(first, p, &self.training_corners(y)?, nl, threshold)?;
            let mut train = Vec::new();
            scaled_means(y, p, &groups, &mut train);
            remove_channel_means(&mut train, n, ch);
            let d = dict.matrix();
            let start = Init::Given((0..d.ncols()).flat_map(|j| (0..d.nrows()).map(move |i| d[(i, j)])).collect());
            let online = Denoiser { learner: Learner::online(nl.relearn_steps), ..self.clone() };
            relearned = online.learn(MatRef::from_column_major_slice(&train, n, groups.len()), start, observer)?;
            &relearned
        } else {
            dict
        };
        // A band of reference rows spans at most `band_rows + step` rows; its
        // placements reach `radius` rows above and `radius + p` below it.
        let mut acc = Accumulator::new(y.height, y.width, ch, self.band_rows + nl.step + 2 * nl.radius + p);
        let (mut nnz, mut coded) = (0usize, 0usize);
        let (mut signals, mut placed) = (Vec::new(), Vec::new());
        let mut detail = vec![0.0; n];
        let lambda = self.lambda_factor / self.sigma;
        let mut out = vec![0.0; y.data.len()];
        let w = y.width * ch;
        let bands: Vec<&[usize]> = rows.chunks(self.band_rows.div_ceil(nl.step).max(1)).collect();
        for (b, band) in bands.iter().enumerate() {
            let groups = if nl.step == 1 {
                // Every patch a reference: all of a few rows' groups at once.
                let chunks: Vec<std::ops::Range<usize>> = band.chunks(4).map(|c| c[0]..c[c.len() - 1] + 1).collect();
                let parts: Vec<Groups> = chunks
                    .par_iter()
                    .map(|rows| {
                        let (mut found, mut begins) = (Vec::new(), Vec::new());
                        similar_patches_rows(first, p, p, rows.clone(), nl.radius, threshold, nl.max_group, &mut found, &mut begins)?;
                        Ok(Groups::from_found(&found, &begins))
                    })
                    .collect::<Result<_, sc_patches::Error>>()?;
                Groups::concat(parts)
            } else {
                let refs: Vec<(usize, usize)> = band.iter().flat_map(|&r| cols.iter().map(move |&c| (r, c))).collect();
                match_groups(first, p, &refs, nl, threshold)?
            };
            // `signals` (n × count) are coded; signal s is placed at
            // `placed[s].0` and its reconstruction scaled by `placed[s].1`.
            placed.clear();
            let codes = match nl.coding {
                GroupCoding::Average => {
                    // The mean of m patches has noise σ/√m: scaled by √m, its
                    // noise has σ again, and the goal ε holds.
                    scaled_means(y, p, &groups, &mut signals);
                    placed.extend(groups.iter().map(|g| (g[0], 1.0 / (g.len() as f64).sqrt())));
                    let means = remove_channel_means(&mut signals, n, ch);
                    (Encoder::omp_tol(eps).max_iter(cap).encode(dict, MatRef::from_column_major_slice(&signals, n, groups.len()))?, means)
                }
                GroupCoding::Simultaneous => {
                    // The groups end to end, every member placed.
                    let members = &groups.members;
                    placed.extend(members.iter().map(|&c| (c, 1.0)));
                    sc_patches::patches::extract_into(y, p, p, members, &mut signals)?;
                    let means = remove_channel_means(&mut signals, n, ch);
                    let codes = Somp { max_atoms: cap, tol: Some(eps) }.encode(
                        dict,
                        MatRef::from_column_major_slice(&signals, n, members.len()),
                        &groups.starts[..groups.len()],
                    )?;
                    (codes, means)
                }
                GroupCoding::GroupLasso => {
                    // Each group scaled by 1/√m: one λ = lasso_factor·σ for
                    // every group is then λ·√m on the patches as they are.
                    let members = &groups.members;
                    sc_patches::patches::extract_into(y, p, p, members, &mut signals)?;
                    for g in 0..groups.len() {
                        let (a, b) = (groups.starts[g], groups.starts[g + 1]);
                        let root = ((b - a) as f64).sqrt();
                        signals[a * n..b * n].iter_mut().for_each(|v| *v /= root);
                        placed.extend(members[a..b].iter().map(|&c| (c, root)));
                    }
                    let means = remove_channel_means(&mut signals, n, ch);
                    // A looser tolerance than the solver's own: coefficients
                    // to 0.1%, far below the noise.
                    let lasso = GroupLasso { lambda: nl.lasso_factor * self.sigma, max_iter: 100, tol: 1e-3 };
                    let codes =
                        lasso.encode(dict, MatRef::from_column_major_slice(&signals, n, members.len()), &groups.starts[..groups.len()])?;
                    (codes, means)
                }
            };
            let (codes, means) = codes;
            nnz += codes.nnz();
            coded += codes.n_samples();
            for (s, &(corner, scale)) in placed.iter().enumerate() {
                let (idx, val) = codes.code(s);
                let patch = &mut signals[s * n..(s + 1) * n];
                fill_channel_means(patch, &means[s * ch..(s + 1) * ch]);
                dict.accumulate(1.0, idx, val, patch);
                patch.iter_mut().for_each(|v| *v *= scale);
                if let (Some(k), GroupCoding::Average) = (nl.detail, nl.coding) {
                    let group = &groups.members[groups.starts[s]..groups.starts[s + 1]];
                    add_detail(pilot, p, group, k * self.sigma, &mut detail, patch);
                }
                let w = if self.sparsity_weights { 1.0 / (1.0 + idx.len() as f64) } else { 1.0 };
                acc.add_weighted(corner, p, p, patch, w)?;
            }
            // Rows above every later placement are final: the next band's
            // first reference row (less the search radius where every member
            // of a group is placed).
            let next = bands.get(b + 1).map_or(y.height, |nb| match nl.coding {
                GroupCoding::Average => nb[0],
                GroupCoding::Simultaneous | GroupCoding::GroupLasso => nb[0].saturating_sub(nl.radius),
            });
            acc.finish_rows(next, Some((y, lambda)), |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        let img = Image { width: y.width, height: y.height, channels: ch, data: out };
        Ok((img, DenoiseReport { mean_nnz: nnz as f64 / coded.max(1) as f64, n_patches: coded }))
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
                for s in 0..codes.n_samples() {
                    let (idx, val) = codes.code(s);
                    let patch = &mut band.data[s * n..(s + 1) * n];
                    fill_channel_means(patch, &means[s * ch..(s + 1) * ch]);
                    dict.accumulate(1.0, idx, val, patch);
                    let w = if self.sparsity_weights { 1.0 / (1.0 + idx.len() as f64) } else { 1.0 };
                    acc.add_weighted(band.corners[s], p, p, patch, w)?;
                }
            }
            r0 += self.band_rows;
            let w = y.width * ch;
            acc.finish_rows(r0, Some((y, lambda)), |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        let img = Image { width: y.width, height: y.height, channels: ch, data: out };
        Ok((img, DenoiseReport { mean_nnz: nnz as f64 / coded.max(1) as f64, n_patches: coded }))
    }
}

/// Block matching for each reference corner of `refs` on `first` (in
/// parallel; the groups in reference order), as [`NonLocal`] says.
fn match_groups(first: &Image, p: usize, refs: &[(usize, usize)], nl: &NonLocal, threshold: f64) -> Result<Groups, DenoiseError> {
    let parts: Vec<Groups> = refs
        .par_chunks(256)
        .map(|block| {
            let (mut part, mut buf) = (Groups::default(), Vec::new());
            for &r in block {
                similar_patches_into(first, p, p, r, nl.radius, threshold, nl.max_group, &mut buf)?;
                part.push(buf.iter().map(|g| g.0));
            }
            Ok(part)
        })
        .collect::<Result<_, sc_patches::Error>>()?;
    Ok(Groups::concat(parts))
}

/// Groups of patch corners laid end to end, each reference first: group `g`
/// is `members[starts[g]..starts[g + 1]]`.
#[derive(Debug, Default)]
struct Groups {
    members: Vec<(usize, usize)>,
    /// Where each group begins, and the end of the last.
    starts: Vec<usize>,
}

impl Groups {
    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn iter(&self) -> impl Iterator<Item = &[(usize, usize)]> {
        self.starts.windows(2).map(|w| &self.members[w[0]..w[1]])
    }

    /// Appends a group.
    fn push(&mut self, group: impl Iterator<Item = (usize, usize)>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.members.extend(group);
        self.starts.push(self.members.len());
    }

    /// The groups of block matching's `found` (corner, distance) pairs,
    /// group `g` beginning at `begins[g]`.
    fn from_found(found: &[((usize, usize), f64)], begins: &[usize]) -> Self {
        let mut out = Groups::default();
        for (g, &b) in begins.iter().enumerate() {
            let e = begins.get(g + 1).copied().unwrap_or(found.len());
            out.push(found[b..e].iter().map(|f| f.0));
        }
        out
    }

    /// The groups of `parts`, in order.
    fn concat(parts: Vec<Groups>) -> Self {
        let mut out = Groups::default();
        for part in parts {
            for g in part.iter() {
                out.push(g.iter().copied());
            }
        }
        out
    }
}

/// Column `g` of `out` (n × groups): the sum of group `g`'s patches of `y`
/// (`p × p`, read in place) over `√m`. The mean of `m` patches has noise
/// `σ/√m`; scaled by `√m`, its noise has `σ` again, and the per-patch goal
/// holds.
fn scaled_means(y: &Image, p: usize, groups: &Groups, out: &mut Vec<f64>) {
    let n = p * p * y.channels;
    out.clear();
    out.resize(n * groups.len(), 0.0);
    for (g, group) in groups.iter().enumerate() {
        let o = &mut out[g * n..(g + 1) * n];
        for &corner in group {
            add_patch(y, p, corner, o, |v| v);
        }
        let root = (group.len() as f64).sqrt();
        o.iter_mut().for_each(|o| *o /= root);
    }
}

/// Adds `f(v)` for each value `v` of the `p × p` patch of `img` at `corner`
/// (channels innermost, as [`extract_at`] lays it out) to `out`.
fn add_patch(img: &Image, p: usize, (r, c): (usize, usize), out: &mut [f64], f: impl Fn(f64) -> f64) {
    let (ch, pw) = (img.channels, p * img.channels);
    for i in 0..p {
        let at = ((r + i) * img.width + c) * ch;
        out[i * pw..(i + 1) * pw].iter_mut().zip(&img.data[at..at + pw]).for_each(|(o, &v)| *o += f(v));
    }
}

/// Adds to `patch` (the coded mean of `group`, whose first member is the
/// reference) the reference's own detail on the first estimate `pilot`:
/// `d = f_ref − mean(f_members)`, shrunk by `max(0, 1 − n·floor²·(1 −
/// 1/m)/‖d‖²)`. `d` is a buffer of the patch's size.
fn add_detail(pilot: &Image, p: usize, group: &[(usize, usize)], floor: f64, d: &mut [f64], patch: &mut [f64]) {
    let m = group.len() as f64;
    d.fill(0.0);
    for &corner in group {
        add_patch(pilot, p, corner, d, |v| -(v / m));
    }
    add_patch(pilot, p, group[0], d, |v| v);
    let energy: f64 = d.iter().map(|v| v * v).sum();
    let noise = d.len() as f64 * floor * floor * (1.0 - 1.0 / m);
    if energy > noise {
        let k = (energy - noise) / energy;
        patch.iter_mut().zip(d.iter()).for_each(|(v, d)| *v += k * d);
    }
}

/// Removes from each patch (`n` values, channels innermost) each of its
/// `ch` channels' mean; returns the means, patch by patch.
fn remove_channel_means(data: &mut [f64], n: usize, ch: usize) -> Vec<f64> {
    if ch == 1 {
        return sc_patches::patches::remove_means(data, n);
    }
    let mut means = Vec::with_capacity(data.len() / n * ch);
    for patch in data.chunks_exact_mut(n) {
        for k in 0..ch {
            let m = patch.iter().skip(k).step_by(ch).sum::<f64>() / (n / ch) as f64;
            patch.iter_mut().skip(k).step_by(ch).for_each(|v| *v -= m);
            means.push(m);
        }
    }
    means
}

/// Sets each value of `patch` (channels innermost) to its channel's mean.
fn fill_channel_means(patch: &mut [f64], means: &[f64]) {
    for (v, m) in patch.iter_mut().zip(means.iter().cycle()) {
        *v = *m;
    }
}

/// The start of a joint colour dictionary (`p × p × ch` values, channels
/// innermost): the overcomplete 2-D DCT within each channel apart, `l²`
/// atoms a channel with `l` the largest side that fits `n_atoms`; the atoms
/// left over start from the data. Falls back to the data alone when that
/// DCT would be undercomplete (`l < p`).
fn channel_dct(p: usize, ch: usize, n_atoms: usize) -> Init {
    let l = ((n_atoms / ch) as f64).sqrt().floor() as usize;
    if l < p {
        return Init::Data;
    }
    let dct = sc_dict::init::overcomplete_dct_2d::<f64>(p, l);
    let n = p * p * ch;
    let mut atoms = vec![0.0; n * n_atoms];
    for k in 0..ch {
        for a in 0..l * l {
            let atom = &mut atoms[(k * l * l + a) * n..(k * l * l + a + 1) * n];
            for f in 0..p * p {
                atom[f * ch + k] = dct[(f, a)];
            }
        }
    }
    Init::Given(atoms)
}

/// RGB to the orthonormal opponent colour space: `(R + G + B)/√3`,
/// `(R − B)/√2`, `(R − 2G + B)/√6`.
fn opponent_forward([r, g, b]: [f64; 3]) -> [f64; 3] {
    [(r + g + b) / 3f64.sqrt(), (r - b) / 2f64.sqrt(), (r - 2.0 * g + b) / 6f64.sqrt()]
}

/// The inverse (the transpose) of [`opponent_forward`].
fn opponent_inverse([y, u, v]: [f64; 3]) -> [f64; 3] {
    let (a, b, c) = (y / 3f64.sqrt(), u / 2f64.sqrt(), v / 6f64.sqrt());
    [a + b + c, a - 2.0 * c, a - b + c]
}

/// The standard deviation of additive white Gaussian noise in `img`,
/// estimated from the image itself: Donoho & Johnstone's robust estimator
/// (scikit-image's `estimate_sigma`), the median absolute value of the
/// finest diagonal (HH) Daubechies-2 wavelet coefficients over 0.6745 (the
/// median of `|N(0, 1)|`), taken over the flatter half of the image only:
/// the positions whose horizontal and vertical detail coefficients (LH,
/// HL) are both at most their median. For white noise the three bands are
/// independent, so the selection leaves the noise's distribution alone and
/// drops edges, whose HH coefficients would inflate the estimate (on
/// scikit-image's test images at σ = 15 the bias falls from up to +9% to
/// up to +6%). Only coefficients whose filter lies inside the image are
/// used; a colour image gives the mean of its channels' estimates. Images
/// smaller than 4×4 give 0.
pub fn estimate_sigma(img: &Image) -> f64 {
    // The db2 analysis filters (orthonormal: Σh² = Σg² = 1).
    let s3 = 3f64.sqrt();
    let h = [(1.0 + s3), (3.0 + s3), (3.0 - s3), (1.0 - s3)].map(|v| v / (4.0 * 2f64.sqrt()));
    let g = [h[3], -h[2], h[1], -h[0]];
    let (w, ht, ch) = (img.width, img.height, img.channels.max(1));
    if w < 4 || ht < 4 {
        return 0.0;
    }
    let median = |v: &mut Vec<f64>| -> f64 {
        if v.is_empty() {
            return 0.0;
        }
        let mid = v.len() / 2;
        *v.select_nth_unstable_by(mid, |a, b| a.total_cmp(b)).1
    };
    let mut total = 0.0;
    let (mut hh, mut detail) = (Vec::new(), Vec::new());
    for c in 0..ch {
        hh.clear();
        detail.clear();
        for r in (0..ht - 3).step_by(2) {
            for col in (0..w - 3).step_by(2) {
                let (mut d, mut lh, mut hl) = (0.0, 0.0, 0.0);
                for a in 0..4 {
                    for b in 0..4 {
                        let v = img.data[((r + a) * w + col + b) * ch + c];
                        d += g[a] * g[b] * v;
                        lh += h[a] * g[b] * v;
                        hl += g[a] * h[b] * v;
                    }
                }
                hh.push(d.abs());
                detail.push(lh.abs().max(hl.abs()));
            }
        }
        let limit = median(&mut detail.clone());
        let mut flat: Vec<f64> = hh.iter().zip(&detail).filter(|p| *p.1 <= limit).map(|p| *p.0).collect();
        total += median(&mut flat) / 0.674_489_750_196_081_7;
    }
    total / ch as f64
}

/// Peak signal-to-noise ratio in dB for values of range `peak` (255 for
/// 8-bit scale).
pub fn psnr(reference: &Image, test: &Image, peak: f64) -> f64 {
    psnr_known(reference, test, peak, None)
}

/// [`psnr`] over the pixels whose flag in `pixels.0` (one per pixel, row by
/// row) equals `pixels.1` (every channel of them), or over all pixels.
pub fn psnr_known(reference: &Image, test: &Image, peak: f64, pixels: Option<(&[bool], bool)>) -> f64 {
    let ch = reference.channels.max(1);
    let (mut sum, mut count) = (0.0, 0usize);
    for (i, (a, b)) in reference.data.iter().zip(&test.data).enumerate() {
        if pixels.is_none_or(|(flags, want)| flags.get(i / ch) == Some(&want)) {
            sum += (a - b) * (a - b);
            count += 1;
        }
    }
    10.0 * (peak * peak / (sum / count.max(1) as f64)).log10()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sc_linalg::rng::SplitMix;

    fn random_image(width: usize, height: usize, channels: usize, seed: u64) -> Image {
        let mut g = SplitMix(seed);
        Image::new(width, height, channels, (0..width * height * channels).map(|_| g.normal()).collect()).unwrap()
    }

    /// A colour group's scaled mean is the sum of its patches (as
    /// `extract_into` lays them out, channels innermost) over `√m`.
    #[test]
    fn scaled_means_follow_the_patch_layout_in_colour() {
        for ch in [1, 3] {
            let img = random_image(13, 11, ch, 5 + ch as u64);
            let mut groups = Groups::default();
            groups.push([(0, 0), (3, 5), (6, 8)].into_iter());
            groups.push([(2, 1)].into_iter());
            let mut got = Vec::new();
            scaled_means(&img, 4, &groups, &mut got);
            let n = 16 * ch;
            for (g, group) in groups.iter().enumerate() {
                let mut patches = Vec::new();
                sc_patches::patches::extract_into(&img, 4, 4, group, &mut patches).unwrap();
                let root = (group.len() as f64).sqrt();
                for i in 0..n {
                    let want = patches.chunks_exact(n).map(|p| p[i]).sum::<f64>() / root;
                    assert!((got[g * n + i] - want).abs() < 1e-12, "channels {ch}, group {g}, value {i}");
                }
            }
        }
    }

    /// Each channel of each patch loses its own mean, and filling gives the
    /// means back; one channel is `remove_means`.
    #[test]
    fn channel_means_are_removed_and_restored_apart() {
        let img = random_image(9, 9, 3, 1);
        let mut data = Vec::new();
        sc_patches::patches::extract_into(&img, 3, 3, &[(0, 0), (4, 2)], &mut data).unwrap();
        let original = data.clone();
        let means = remove_channel_means(&mut data, 27, 3);
        assert_eq!(means.len(), 6);
        for (s, patch) in data.chunks_exact(27).enumerate() {
            for k in 0..3 {
                let sum: f64 = patch.iter().skip(k).step_by(3).sum();
                assert!(sum.abs() < 1e-12);
                let want = original[s * 27..(s + 1) * 27].iter().skip(k).step_by(3).sum::<f64>() / 9.0;
                assert!((means[s * 3 + k] - want).abs() < 1e-12);
            }
            let mut filled = vec![0.0; 27];
            fill_channel_means(&mut filled, &means[s * 3..(s + 1) * 3]);
            assert!(filled.iter().enumerate().all(|(i, v)| *v == means[s * 3 + i % 3]));
        }
        let mut gray = original.clone();
        let mut again = original;
        assert_eq!(remove_channel_means(&mut gray, 9, 1), sc_patches::patches::remove_means(&mut again, 9));
    }

    /// The detail added to a coded group mean: with no floor, exactly the
    /// reference's difference from its group's mean on the first estimate
    /// (per channel); nothing for a group of one or under a high floor; in
    /// between, that difference scaled by `1 − floor-energy/‖d‖²`.
    #[test]
    fn the_detail_is_the_reference_minus_the_group_mean_on_the_first_estimate() {
        for ch in [1, 3] {
            let pilot = random_image(12, 10, ch, 3);
            let group = [(1, 2), (5, 7), (0, 0), (6, 3)];
            let n = 9 * ch;
            let mut want = vec![0.0; n];
            let mut members = Vec::new();
            sc_patches::patches::extract_into(&pilot, 3, 3, &group, &mut members).unwrap();
            for (i, w) in want.iter_mut().enumerate() {
                *w = members[i] - members.chunks_exact(n).map(|m| m[i]).sum::<f64>() / 4.0;
            }
            let (mut d, mut patch) = (vec![0.0; n], vec![1.0; n]);
            add_detail(&pilot, 3, &group, 0.0, &mut d, &mut patch);
            assert!(patch.iter().zip(&want).all(|(v, w)| (v - 1.0 - w).abs() < 1e-12), "channels {ch}");
            let energy: f64 = want.iter().map(|v| v * v).sum();
            // A floor that takes half the energy away: half the detail.
            let floor = (energy / 2.0 / (n as f64 * 0.75)).sqrt();
            patch.fill(1.0);
            add_detail(&pilot, 3, &group, floor, &mut d, &mut patch);
            assert!(patch.iter().zip(&want).all(|(v, w)| (v - 1.0 - w / 2.0).abs() < 1e-12));
            patch.fill(1.0);
            add_detail(&pilot, 3, &group, 10.0 * floor, &mut d, &mut patch);
            assert!(patch.iter().all(|&v| v == 1.0));
            add_detail(&pilot, 3, &group[..1], 0.0, &mut d, &mut patch);
            assert!(patch.iter().all(|&v| v == 1.0), "a group of one has no detail of its own");
        }
    }

    /// The colour start: the 2-D DCT within each channel apart (unit atoms
    /// that touch one channel only), zeros for the atoms left over (they
    /// start from the data), the data alone when the DCT would not span.
    #[test]
    fn the_colour_start_is_the_dct_within_each_channel() {
        let Init::Given(atoms) = channel_dct(4, 3, 80) else { panic!("expected a given start") };
        let (n, l) = (48, 5);
        let dct = sc_dict::init::overcomplete_dct_2d::<f64>(4, l);
        for (j, atom) in atoms.chunks_exact(n).enumerate() {
            if j >= 3 * l * l {
                assert!(atom.iter().all(|&v| v == 0.0), "atom {j} is left to the data");
                continue;
            }
            let (k, a) = (j / (l * l), j % (l * l));
            for (i, v) in atom.iter().enumerate() {
                let want = if i % 3 == k { dct[(i / 3, a)] } else { 0.0 };
                assert_eq!(*v, want, "atom {j}, value {i}");
            }
            assert!((atom.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(channel_dct(4, 3, 47), Init::Data);
    }
}
