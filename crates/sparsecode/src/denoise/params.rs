//! The denoiser's parameters and their defaults, and what a run reports.

use sc_dict::Method;
use sc_patches::image::Image;

use super::DenoiseError;
use super::wnnm::Wnnm;

/// Which learner builds the dictionary.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Learner {
    /// K-SVD with error-constrained OMP (Elad & Aharon's recipe).
    Ksvd,
    /// Online learning (Mairal et al.) on mini-batches of 256 coded as
    /// SPAMS's `trainDL` does in its mode 1: the code of least ℓ1 norm
    /// within the squared-residual goal `goal_scale·ε`
    /// ([`Encoder::lasso_goal`](sc_solvers::Encoder::lasso_goal)).
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
    /// How a colour image's channels are denoised ([`Colour::Opponent`]).
    pub colour: Colour,
    /// With a joint [`Colour`]: the channels after the
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
    /// The method ([`DenoiseMethod::Wnnm`] by default: ahead of BM3D on
    /// the images of `cargo xtask denoise-eval`, tuning and held-out, in
    /// gray and colour; [`DenoiseMethod::Dictionary`] before 2026-12-07).
    pub method: DenoiseMethod,
    /// WNNM's parameters, with [`DenoiseMethod::Wnnm`] (for σ by
    /// [`Wnnm::new`]).
    pub wnnm: Wnnm,
}

/// How the denoiser estimates the clean image.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DenoiseMethod {
    /// A dictionary learned on the noisy image's patches, each patch coded
    /// over it, then the non-local pass ([`NonLocal`]): the fields of
    /// [`Denoiser`] but `wnnm`.
    Dictionary,
    /// Weighted nuclear norm minimisation on groups of similar patches, in
    /// each group's own SVD basis ([`Wnnm`]).
    Wnnm,
}

sc_linalg::named_enum!(DenoiseMethod, "method", {
    Dictionary => "dictionary",
    Wnnm => "wnnm",
});

impl DenoiseMethod {
    /// The settings only [`DenoiseMethod::Dictionary`] reads, by their
    /// [`Denoiser`] field names (`steps` for the online learner's
    /// mini-batches): a door given one of them with another method refuses
    /// it ([`Denoiser::refuse_unread`]) instead of ignoring it.
    pub const DICTIONARY_ONLY: &'static [&'static str] = &[
        "patch",
        "n_atoms",
        "iterations",
        "gain",
        "lambda_factor",
        "max_training",
        "seed",
        "learner",
        "steps",
        "sparsity_weights",
        "non_local",
        "chroma_weight",
        "band_rows",
    ];

    /// Whether this method reads the setting `name` (a [`Denoiser`] field
    /// name, or `steps`): every setting but [`Self::DICTIONARY_ONLY`] for
    /// WNNM (`sigma`, `colour`, `method`, `wnnm`), every one for the
    /// dictionary but `wnnm`.
    pub fn reads(self, name: &str) -> bool {
        match self {
            DenoiseMethod::Dictionary => name != "wnnm",
            DenoiseMethod::Wnnm => !Self::DICTIONARY_ONLY.contains(&name),
        }
    }
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
    /// simultaneous OMP ([`Somp`](sc_solvers::Somp), the L0 form of LSSC), each with its own
    /// coefficients and the per-patch goal, and every one blended. Measured
    /// worse than the per-patch denoiser (−0.2 dB on average), kept to
    /// compare.
    Simultaneous,
    /// Every patch of the group coded by the group Lasso ([`GroupLasso`](sc_solvers::GroupLasso),
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
    /// Mean atoms per patch in the final coding (WNNM: the mean rank its
    /// groups keep at the last iteration, the directions of its group's
    /// basis each patch is coded over).
    pub mean_nnz: f64,
    /// Patches coded (WNNM: every member of every group at the last
    /// iteration, a patch counted once per group it is in).
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
        Self::choices(sigma)
    }

    /// The denoiser for noise `sigma` on `noisy`, both in the image's units:
    /// [`Denoiser::new`]'s choices (WNNM's patch and group sizes, the
    /// non-local pass's detail step) made by σ in gray levels of the image's
    /// 8-bit scale ([`eight_bit_sigma`](super::eight_bit_sigma)), so that an
    /// image in `[0, 1]` is denoised as the same image in 0–255 (the same
    /// denoiser as `new` for an 8-bit image whose brightest 4×4 block mean
    /// is above 181). How the command line and Python choose.
    pub fn for_image(sigma: f64, noisy: &Image) -> Self {
        Self { sigma, ..Self::choices(super::eight_bit_sigma(sigma, noisy)) }
    }

    fn choices(sigma: f64) -> Self {
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
            colour: Colour::Opponent,
            chroma_weight: 0.7,
            non_local: Some(NonLocal { detail: (sigma >= 25.0).then_some(0.1), ..NonLocal::default() }),
            method: DenoiseMethod::Wnnm,
            wnnm: Wnnm::new(sigma),
        }
    }

    /// The defaults that do not depend on σ: every field of
    /// [`Denoiser::new`] but `sigma` (NaN here, to be set) and the
    /// non-local pass's [`NonLocal::detail`].
    pub fn defaults() -> Self {
        Self::new(f64::NAN)
    }

    /// Refuses the first of the settings a door was `given` (by their
    /// [`Denoiser`] field names, [`DenoiseMethod::reads`]) that the chosen
    /// method does not read: `denoise(img, 20, patch_size=8)` with WNNM is
    /// an error, not a silent no-op.
    pub fn refuse_unread(&self, given: &[&str]) -> Result<(), DenoiseError> {
        match given.iter().find(|n| !self.method.reads(n)) {
            Some(name) => {
                let name = DenoiseMethod::DICTIONARY_ONLY.iter().find(|n| *n == name).copied().unwrap_or("wnnm");
                Err(DenoiseError::Invalid(name, format!("does not apply to method {} (only to {})", self.method, other(self.method))))
            }
            None => Ok(()),
        }
    }

    /// Checks every parameter, before any patch is read.
    pub fn check(&self) -> Result<(), DenoiseError> {
        if !(self.sigma > 0.0 && self.sigma.is_finite()) {
            return Err(DenoiseError::BadSigma(self.sigma));
        }
        at_least_one(&[
            ("patch", self.patch),
            ("n_atoms", self.n_atoms),
            ("iterations", self.iterations),
            ("max_training", self.max_training),
            ("band_rows", self.band_rows),
        ])?;
        check_patch_side(self.patch)?;
        if self.method == DenoiseMethod::Wnnm {
            self.wnnm.check()?;
            if self.colour.joint() {
                return Err(DenoiseError::Invalid(
                    "colour",
                    format!("WNNM denoises channel by channel (opponent or rgb), not {}", self.colour),
                ));
            }
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
            at_least_one(&[("step", nl.step), ("max_group", nl.max_group)])?;
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
}

/// The method that is not `m`.
fn other(m: DenoiseMethod) -> DenoiseMethod {
    match m {
        DenoiseMethod::Dictionary => DenoiseMethod::Wnnm,
        DenoiseMethod::Wnnm => DenoiseMethod::Dictionary,
    }
}

/// Refuses the first of `counts` (a parameter's name and value) that is 0,
/// for every pipeline's parameter checks.
pub(crate) fn at_least_one(counts: &[(&'static str, usize)]) -> Result<(), DenoiseError> {
    match counts.iter().find(|c| c.1 == 0) {
        Some((name, _)) => Err(DenoiseError::Invalid(name, "must be at least 1".into())),
        None => Ok(()),
    }
}

/// Refuses a patch side under 2, for the denoiser and the inpainter: a
/// 1×1 patch is one pixel, and its mean removed, nothing is left to code.
pub(crate) fn check_patch_side(patch: usize) -> Result<(), DenoiseError> {
    if patch < 2 {
        return Err(DenoiseError::Invalid("patch", format!("must be at least 2 (a side of 2 pixels or more), got {patch}")));
    }
    Ok(())
}

/// How the channels of a colour image are denoised.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Colour {
    /// Channel by channel (each its own dictionary) in the orthonormal
    /// opponent colour space: luminance and two chroma channels, each with
    /// the same noise σ (as BM3D's colour version). The default.
    Opponent,
    /// Channel by channel in R, G, B.
    Rgb,
    /// The channels together, in the opponent space: patches of `patch ×
    /// patch × channels` values over one dictionary (Mairal, Elad & Sapiro,
    /// "Sparse representation for color image restoration", IEEE TIP 2008),
    /// each channel's mean removed apart, the dictionary started from the
    /// overcomplete DCT within each channel, the non-local pass's groups
    /// matched on the first channel (the luminance). On `chelsea` and
    /// `coffee` at σ = 15, 25, 50, with `gain` 1.05, it measured 0.06 dB
    /// below [`Colour::Opponent`] on average (0.2 dB below on `astronaut`
    /// and `rocket`), so it is not the default.
    Joint,
    /// The channels together, in R, G, B.
    JointRgb,
}

sc_linalg::named_enum!(Colour, "colour", {
    Opponent => "opponent",
    Rgb => "rgb",
    Joint => "joint",
    JointRgb => "joint_rgb",
});

impl Colour {
    /// The channels coded together, over one dictionary.
    pub fn joint(self) -> bool {
        matches!(self, Colour::Joint | Colour::JointRgb)
    }

    /// In the opponent colour space rather than R, G, B.
    pub fn opponent(self) -> bool {
        matches!(self, Colour::Opponent | Colour::Joint)
    }
}

sc_linalg::named_enum!(GroupCoding, "group coding", {
    Average => "average",
    Simultaneous => "somp",
    GroupLasso => "group_lasso",
});

/// The name of "no non-local pass" where a door names the pass's
/// [`GroupCoding`] (`non_local="none"` in Python).
pub const NO_NON_LOCAL: &str = "none";

impl NonLocal {
    /// The non-local pass a door names: a [`GroupCoding`] with the pass's
    /// defaults for `sigma` ([`Denoiser::new`]), or `None` for
    /// [`NO_NON_LOCAL`].
    pub fn named(name: &str, sigma: f64) -> Result<Option<NonLocal>, sc_linalg::names::UnknownName> {
        if sc_linalg::names::canonical(name) == NO_NON_LOCAL {
            return Ok(None);
        }
        let coding = name.parse::<GroupCoding>().map_err(|e| sc_linalg::names::UnknownName {
            what: "non_local",
            expected: GroupCoding::NAMES.iter().copied().chain([NO_NON_LOCAL]).collect(),
            ..e
        })?;
        let base = Denoiser::new(sigma).non_local.unwrap_or_default();
        Ok(Some(NonLocal { coding, ..base }))
    }
}

impl Learner {
    /// The learner a door names: online learning with `steps` mini-batches
    /// ([`Learner::ONLINE_STEPS`] when `None`), or K-SVD; the batch learner
    /// is refused.
    pub fn named(method: Method, steps: Option<usize>) -> Result<Self, DenoiseError> {
        match method {
            Method::Online => Ok(Learner::online(steps.unwrap_or(Learner::ONLINE_STEPS))),
            Method::Ksvd => Ok(Learner::Ksvd),
            Method::Batch | Method::Nmf => {
                Err(DenoiseError::Invalid("learner", format!("the denoiser learns online or by K-SVD, not {method}")))
            }
        }
    }

    /// The learner's name.
    pub fn method(&self) -> Method {
        match self {
            Learner::Online { .. } => Method::Online,
            Learner::Ksvd => Method::Ksvd,
        }
    }
}
