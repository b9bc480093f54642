//! `sparsecode denoise`.

use std::path::PathBuf;
use std::time::Instant;

use sparsecode::denoise::{Colour, DenoiseMethod, Denoiser, GroupCoding, Learner, NonLocal, estimate_sigma, psnr};
use sparsecode::dict::Method;
use sparsecode::patches::image::{BitDepth, Image, ReadOptions, Scale, read_image, write_image};

use crate::learn::bar;
use crate::{CliError, check_output, choice};

#[derive(clap::Args)]
pub(crate) struct DenoiseArgs {
    /// Noisy image: .png, .pgm/.ppm (values 0..255) or .npy (floats as they are).
    #[arg(long)]
    image: PathBuf,
    /// Noise standard deviation, in the image's units (0..255 for PNG/PGM), or `auto`: estimated from the image
    /// (the median absolute finest diagonal wavelet coefficient over the flatter half of the image; reported by --json).
    #[arg(long)]
    sigma: String,
    /// Output image (.png, .pgm/.ppm, or .npy to keep floats exact).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Square patch side.
    #[arg(long, default_value_t = Denoiser::defaults().patch)]
    patch: usize,
    /// Dictionary atoms.
    #[arg(long, default_value_t = Denoiser::defaults().n_atoms)]
    atoms: usize,
    /// K-SVD iterations (--learner ksvd).
    #[arg(long, default_value_t = Denoiser::defaults().iterations)]
    iterations: usize,
    /// Training patches at most.
    #[arg(long, default_value_t = Denoiser::defaults().max_training)]
    max_training: usize,
    /// Gain C of the error goal n·(C·σ)².
    #[arg(long, default_value_t = Denoiser::defaults().gain)]
    gain: f64,
    /// λ·σ of the final blend.
    #[arg(long, default_value_t = Denoiser::defaults().lambda_factor)]
    lambda_factor: f64,
    /// Clean image, to report the PSNR.
    #[arg(long)]
    clean: Option<PathBuf>,
    /// Seed.
    #[arg(long, default_value_t = Denoiser::defaults().seed)]
    seed: u64,
    /// The dictionary learner: online (Mairal et al., codes of least ℓ1 norm
    /// within the error goal, as SPAMS's trainDL mode 1) or ksvd (Elad &
    /// Aharon's).
    #[arg(long, value_parser = choice::<Method>(Method::NAMES), default_value_t = Denoiser::defaults().learner.method())]
    learner: Method,
    /// Mini-batches of the online learner.
    #[arg(long, default_value_t = Learner::ONLINE_STEPS)]
    steps: usize,
    /// Average the coded patches with equal weights (Elad & Aharon's blend)
    /// instead of weighting each by 1/(1 + its atoms).
    #[arg(long)]
    uniform_weights: bool,
    /// The per-patch denoiser alone, without the non-local pass (LSSC:
    /// groups of similar patches coded with one support).
    #[arg(long)]
    no_non_local: bool,
    /// Non-local pass: a reference patch every STEP pixels.
    #[arg(long, default_value_t = NonLocal::default().step)]
    nl_step: usize,
    /// Non-local pass: half side of the search window.
    #[arg(long, default_value_t = NonLocal::default().radius)]
    nl_radius: usize,
    /// Non-local pass: patches per group at most.
    #[arg(long, default_value_t = NonLocal::default().max_group)]
    nl_group: usize,
    /// Non-local pass: a patch joins a group when its squared distance to
    /// the reference on the first estimate is at most T·n·σ².
    #[arg(long, default_value_t = NonLocal::default().threshold)]
    nl_threshold: f64,
    /// Non-local pass: code each group's mean for its reference patch
    /// (average), or every patch of the group with one shared support
    /// (somp, simultaneous OMP as in LSSC; group_lasso, its convex form with
    /// λ = F·σ·√m, F from --nl-lasso-factor).
    #[arg(long, value_parser = choice::<GroupCoding>(GroupCoding::NAMES), default_value_t = NonLocal::default().coding)]
    nl_coding: GroupCoding,
    /// Non-local pass: mini-batches of online learning on group means
    /// before the groups are coded (0: keep the first dictionary).
    #[arg(long, default_value_t = NonLocal::default().relearn_steps)]
    nl_relearn: usize,
    /// Non-local pass, --nl-coding group_lasso: the penalty is F·σ·√m for a
    /// group of m patches.
    #[arg(long, default_value_t = NonLocal::default().lasso_factor)]
    nl_lasso_factor: f64,
    /// Non-local pass: add back the reference's own detail from the first
    /// estimate, above a floor of K·σ per pixel (0: off) [default: the
    /// library's for σ, `Denoiser::new`].
    #[arg(long)]
    nl_detail: Option<f64>,
    /// Colour images: each channel apart with its own dictionary, in the
    /// opponent colour space (opponent) or in R, G, B (rgb); or one
    /// dictionary over patches of all three channels, in the opponent space
    /// (joint; measured best with --gain 1.05) or in R, G, B (joint_rgb).
    #[arg(long, value_parser = choice::<Colour>(Colour::NAMES), default_value_t = Denoiser::defaults().colour)]
    colour: Colour,
    /// Joint colour: the channels after the first are weighed by W in the
    /// coding.
    #[arg(long, default_value_t = Denoiser::defaults().chroma_weight)]
    chroma_weight: f64,
    /// The method: dictionary (a dictionary learned on the image, then the
    /// non-local pass) or wnnm (weighted nuclear norm minimisation on groups
    /// of similar patches).
    #[arg(long, value_parser = choice::<DenoiseMethod>(DenoiseMethod::NAMES), default_value_t = Denoiser::defaults().method)]
    method: DenoiseMethod,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

pub(crate) fn denoise(a: &DenoiseArgs, given: &[String]) -> Result<(), CliError> {
    check_output(&a.output, &["png", "pgm", "ppm", "pnm", "npy"])?;
    refuse_unread(a.method, given)?;
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
            let s = estimate_sigma(&noisy).map_err(|e| CliError(format!("--sigma auto: {e}")))?;
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
    let d = denoiser(a, sigma, &noisy)?;
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

/// Refuses a flag `given` on the command line (by its argument id) that
/// `method` does not read ([`DenoiseMethod::reads`], by the library's
/// setting names): `--patch 8` with WNNM is an error, not a no-op.
fn refuse_unread(method: DenoiseMethod, given: &[String]) -> Result<(), CliError> {
    for id in given {
        let setting = match id.as_str() {
            "atoms" => "n_atoms",
            "uniform_weights" => "sparsity_weights",
            "no_non_local" => "non_local",
            nl if nl.starts_with("nl_") => "non_local",
            other => other,
        };
        if !method.reads(setting) {
            return Err(CliError(format!("--{} does not apply to --method {method}", id.replace('_', "-"))));
        }
    }
    Ok(())
}

/// The denoiser the arguments ask for at noise `sigma` on `noisy`: the
/// library's [`Denoiser::for_image`] with the flags given.
fn denoiser(a: &DenoiseArgs, sigma: f64, noisy: &Image) -> Result<Denoiser, CliError> {
    let base = Denoiser::for_image(sigma, noisy);
    let non_local = match (&base.non_local, a.no_non_local) {
        (Some(nl), false) => Some(NonLocal {
            step: a.nl_step,
            radius: a.nl_radius,
            max_group: a.nl_group,
            threshold: a.nl_threshold,
            relearn_steps: a.nl_relearn,
            lasso_factor: a.nl_lasso_factor,
            detail: a.nl_detail.map_or(nl.detail, |k| (k != 0.0).then_some(k)),
            coding: a.nl_coding,
        }),
        _ => None,
    };
    Ok(Denoiser {
        patch: a.patch,
        n_atoms: a.atoms,
        iterations: a.iterations,
        max_training: a.max_training,
        gain: a.gain,
        lambda_factor: a.lambda_factor,
        seed: a.seed,
        learner: Learner::named(a.learner, Some(a.steps))?,
        sparsity_weights: !a.uniform_weights,
        chroma_weight: a.chroma_weight,
        colour: a.colour,
        non_local,
        method: a.method,
        ..base
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> DenoiseArgs {
        crate::parse_as(args)
    }

    /// With no flag but the image and σ, the denoiser is the library's, at
    /// σ on both sides of the detail step's threshold: for an 8-bit image,
    /// `Denoiser::new(σ)`; for the same image in [0, 1], the same choices.
    #[test]
    fn the_defaults_are_the_librarys() {
        let eight_bit = Image::gray(2, 2, vec![250.0, 255.0, 240.0, 200.0]).unwrap();
        let unit = Image::gray(2, 2, eight_bit.data.iter().map(|v| v / 255.0).collect()).unwrap();
        for sigma in [15.0, 50.0] {
            let a = parse(&["--image", "x.png", "--sigma", "1", "-o", "y.png"]);
            assert_eq!(denoiser(&a, sigma, &eight_bit).unwrap(), Denoiser::new(sigma));
            let d = denoiser(&a, sigma / 256.0, &unit).unwrap();
            assert_eq!(d, Denoiser { sigma: sigma / 256.0, ..Denoiser::new(sigma) });
        }
    }

    /// Kebab-case and snake_case name the same choices.
    #[test]
    fn names_are_the_librarys_in_either_case() {
        let a = parse(&["--image", "x", "--sigma", "1", "-o", "y", "--nl-coding", "group-lasso", "--colour", "joint_rgb"]);
        assert_eq!((a.nl_coding, a.colour), (GroupCoding::GroupLasso, Colour::JointRgb));
        let b = parse(&["--image", "x", "--sigma", "1", "-o", "y", "--nl-coding", "group_lasso", "--colour", "joint-rgb"]);
        assert_eq!((b.nl_coding, b.colour), (a.nl_coding, a.colour));
    }
}
