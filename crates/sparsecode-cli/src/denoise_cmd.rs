//! `sparsecode denoise`.

use std::path::PathBuf;
use std::time::Instant;

use sparsecode::denoise::{Denoiser, GroupCoding, Learner, NonLocal, estimate_sigma, psnr};
use sparsecode::patches::image::{BitDepth, ReadOptions, Scale, read_image, write_image};

use crate::learn::bar;
use crate::{CliError, check_output};

#[derive(clap::Args)]
pub(crate) struct DenoiseArgs {
    /// Noisy image: .png, .pgm/.ppm (values 0..255) or .npy (floats as they are).
    #[arg(long)]
    image: PathBuf,
    /// Noise standard deviation, in the image's units (0..255 for PNG/PGM), or `auto`: estimated from the image
    /// (the median absolute finest diagonal wavelet coefficient, as scikit-image's estimate_sigma; reported by --json).
    #[arg(long)]
    sigma: String,
    /// Output image (.png, .pgm/.ppm, or .npy to keep floats exact).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Square patch side [default: 10].
    #[arg(long)]
    patch: Option<usize>,
    /// Dictionary atoms [default: 256].
    #[arg(long)]
    atoms: Option<usize>,
    /// K-SVD iterations (--learner ksvd) [default: 20].
    #[arg(long)]
    iterations: Option<usize>,
    /// Training patches at most [default: 65000].
    #[arg(long)]
    max_training: Option<usize>,
    /// Gain C of the error goal n·(C·σ)² [default: 1.1].
    #[arg(long)]
    gain: Option<f64>,
    /// λ·σ of the final blend [default: 20].
    #[arg(long)]
    lambda_factor: Option<f64>,
    /// Clean image, to report the PSNR.
    #[arg(long)]
    clean: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// The dictionary learner: online (Mairal et al., codes of least ℓ1 norm
    /// within the error goal, as SPAMS's trainDL mode 1) or K-SVD (Elad &
    /// Aharon's).
    #[arg(long, value_enum, default_value_t = LearnerArg::Online)]
    learner: LearnerArg,
    /// Mini-batches of the online learner [default: 400].
    #[arg(long)]
    steps: Option<usize>,
    /// Average the coded patches with equal weights (Elad & Aharon's blend)
    /// instead of weighting each by 1/(1 + its atoms).
    #[arg(long)]
    uniform_weights: bool,
    /// The per-patch denoiser alone, without the non-local pass (LSSC:
    /// groups of similar patches coded with one support).
    #[arg(long)]
    no_non_local: bool,
    /// Non-local pass: a reference patch every STEP pixels [default: 1].
    #[arg(long)]
    nl_step: Option<usize>,
    /// Non-local pass: half side of the search window [default: 8].
    #[arg(long)]
    nl_radius: Option<usize>,
    /// Non-local pass: patches per group at most [default: 8].
    #[arg(long)]
    nl_group: Option<usize>,
    /// Non-local pass: a patch joins a group when its squared distance to
    /// the reference on the first estimate is at most T·n·σ² [default: 0.25].
    #[arg(long)]
    nl_threshold: Option<f64>,
    /// Non-local pass: code each group's mean for its reference patch
    /// (average), or every patch of the group with one shared support
    /// (somp, simultaneous OMP as in LSSC; group-lasso, its convex form with
    /// λ = F·σ·√m, F from --nl-lasso-factor).
    #[arg(long, value_enum, default_value_t = GroupCodingArg::Average)]
    nl_coding: GroupCodingArg,
    /// Non-local pass: mini-batches of online learning on group means
    /// before the groups are coded (0: keep the first dictionary) [default: 0].
    #[arg(long)]
    nl_relearn: Option<usize>,
    /// Non-local pass, --nl-coding group-lasso: the penalty is F·σ·√m for a
    /// group of m patches [default: 1.4].
    #[arg(long)]
    nl_lasso_factor: Option<f64>,
    /// Non-local pass: add back the reference's own detail from the first
    /// estimate, above a floor of K·σ per pixel (0: off) [default: 0.1 from
    /// σ = 25, off below].
    #[arg(long)]
    nl_detail: Option<f64>,
    /// Colour images: each channel apart with its own dictionary, in the
    /// opponent colour space (opponent) or in R, G, B (rgb); or one
    /// dictionary over patches of all three channels, in the opponent space
    /// (joint; measured best with --gain 1.05) or in R, G, B (joint-rgb).
    #[arg(long, value_enum, default_value_t = ColourArg::Opponent)]
    colour: ColourArg,
    /// Joint colour: the channels after the first are weighed by W in the
    /// coding [default: 0.7].
    #[arg(long)]
    chroma_weight: Option<f64>,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// `--colour`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum ColourArg {
    /// Joint patches, opponent colour space.
    Joint,
    /// Joint patches, R, G, B.
    JointRgb,
    /// Channel by channel, opponent colour space.
    Opponent,
    /// Channel by channel, R, G, B.
    Rgb,
}

/// `--nl-coding`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum GroupCodingArg {
    /// The group's mean, coded for the reference patch.
    Average,
    /// Simultaneous OMP over the group.
    Somp,
    /// The group Lasso over the group.
    GroupLasso,
}

/// `--learner`.
#[derive(Clone, Copy, clap::ValueEnum)]
pub(crate) enum LearnerArg {
    /// Online mini-batch learning.
    Online,
    /// K-SVD.
    Ksvd,
}

pub(crate) fn denoise(a: &DenoiseArgs) -> Result<(), CliError> {
    check_output(&a.output, &["png", "pgm", "ppm", "pnm", "npy"])?;
    let given = match a.sigma.as_str() {
        "auto" => None,
        v => match v.parse::<f64>() {
            Ok(s) if s > 0.0 && s.is_finite() => Some(s),
            _ => return Err(CliError(format!("--sigma must be finite and > 0, or auto, got {v}"))),
        },
    };
    let noisy = read_image(&a.image, ReadOptions::default())?;
    let sigma = match given {
        Some(s) => s,
        None => {
            let s = estimate_sigma(&noisy);
            if !(s > 0.0 && s.is_finite()) {
                return Err(CliError("--sigma auto: the image shows no noise to estimate (give --sigma)".into()));
            }
            s
        }
    };
    let clean = a.clean.as_ref().map(|c| read_image(c, ReadOptions::default())).transpose()?;
    if let Some(c) = &clean
        && (c.width, c.height, c.channels) != (noisy.width, noisy.height, noisy.channels)
    {
        return Err(CliError("the clean image's size differs from the noisy one's".into()));
    }
    let base = Denoiser::new(sigma);
    let d = Denoiser {
        patch: a.patch.unwrap_or(base.patch),
        n_atoms: a.atoms.unwrap_or(base.n_atoms),
        iterations: a.iterations.unwrap_or(base.iterations),
        max_training: a.max_training.unwrap_or(base.max_training),
        gain: a.gain.unwrap_or(base.gain),
        lambda_factor: a.lambda_factor.unwrap_or(base.lambda_factor),
        seed: a.seed,
        learner: match a.learner {
            LearnerArg::Ksvd => Learner::Ksvd,
            LearnerArg::Online => Learner::online(a.steps.unwrap_or(Learner::ONLINE_STEPS)),
        },
        sparsity_weights: !a.uniform_weights,
        chroma_weight: a.chroma_weight.unwrap_or(base.chroma_weight),
        joint_colour: matches!(a.colour, ColourArg::Joint | ColourArg::JointRgb),
        opponent_colour: matches!(a.colour, ColourArg::Joint | ColourArg::Opponent),
        non_local: if a.no_non_local {
            None
        } else {
            let nl = base.non_local.clone().unwrap_or_default();
            Some(NonLocal {
                step: a.nl_step.unwrap_or(nl.step),
                radius: a.nl_radius.unwrap_or(nl.radius),
                max_group: a.nl_group.unwrap_or(nl.max_group),
                threshold: a.nl_threshold.unwrap_or(nl.threshold),
                relearn_steps: a.nl_relearn.unwrap_or(nl.relearn_steps),
                lasso_factor: a.nl_lasso_factor.unwrap_or(nl.lasso_factor),
                detail: a.nl_detail.map_or(nl.detail, |k| (k != 0.0).then_some(k)),
                coding: match a.nl_coding {
                    GroupCodingArg::Average => GroupCoding::Average,
                    GroupCodingArg::Somp => GroupCoding::Simultaneous,
                    GroupCodingArg::GroupLasso => GroupCoding::GroupLasso,
                },
            })
        },
        ..base
    };
    let t = Instant::now();
    let mut observer = bar();
    let (out, report) = d.run(&noisy, &mut observer).map_err(|e| CliError(e.to_string()))?;
    let seconds = t.elapsed().as_secs_f64();
    if let Some(b) = &observer.0 {
        b.finish_and_clear();
    }
    write_image(&a.output, &out, Scale::Byte, BitDepth::Eight)?;
    let psnr_db = clean.as_ref().map(|c| psnr(c, &out, 255.0));
    if a.json {
        let mut j =
            serde_json::json!({ "seconds": seconds, "mean_nnz": report.mean_nnz, "sigma": sigma, "sigma_estimated": given.is_none() });
        if let Some(p) = psnr_db {
            j["psnr"] = serde_json::json!(p);
        }
        say!("{j}");
    } else {
        if given.is_none() {
            note!("estimated noise σ = {sigma:.2}");
        }
        if let Some(p) = psnr_db {
            note!("denoised in {seconds:.2} s, {:.2} atoms per patch, PSNR {p:.2} dB", report.mean_nnz);
        }
    }
    Ok(())
}
