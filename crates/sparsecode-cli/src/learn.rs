//! `sparsecode learn`.

use std::io::IsTerminal;
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::time::Instant;

use sparsecode::Encoder;
use sparsecode::dict::batch::BatchParams;
use sparsecode::dict::init::Init;
use sparsecode::dict::ksvd::KsvdParams;
use sparsecode::dict::model::Model;
use sparsecode::dict::online::{BATCH_CHUNK, OnlineParams};
use sparsecode::dict::progress::{Observer, Progress};
use sparsecode::dict::{Fit, Learn, Method, goal_atom_cap};
use sparsecode::faer::MatRef;
use sparsecode::patches::image::{ReadOptions, Scale, read_image};
use sparsecode::patches::npy;
use sparsecode::patches::patches::{MaxPatches, PatchSpec, extract_spec, remove_means};
use sparsecode::solvers::DEFAULT_N_NONZERO_RULE;

use crate::images::parse_pair;
use crate::{CliError, check_folder, check_output, choice};

#[derive(clap::Args)]
pub(crate) struct LearnArgs {
    /// Signals, (n_samples, n_features) .npy.
    #[arg(long, conflicts_with = "image", required_unless_present = "image")]
    input: Option<PathBuf>,
    /// Learn from the patches of an image (.png, .pgm/.ppm, .npy, or `camera`).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Patch size HxW (with --image).
    #[arg(long, default_value = "8x8", value_parser = parse_pair)]
    patch: (usize, usize),
    /// Random patches to learn from (with --image; default all).
    #[arg(long)]
    max_patches: Option<usize>,
    /// Subtract each signal's mean.
    #[arg(long)]
    remove_mean: bool,
    /// Image values in 0..1 instead of 0..255.
    #[arg(long)]
    unit: bool,
    /// Number of atoms.
    #[arg(long)]
    atoms: usize,
    /// The learner: online (scikit-learn's MiniBatchDictionaryLearning), ksvd, or batch (DictionaryLearning).
    #[arg(long, value_parser = choice::<Method>(Method::NAMES), default_value_t = Method::default())]
    method: Method,
    /// Lasso penalty (online, batch).
    #[arg(long, help = format!("Lasso penalty (online, batch) [default: {}]", OnlineParams::new(0).alpha))]
    alpha: Option<f64>,
    /// Atoms per signal (ksvd).
    #[arg(long, help = format!("Atoms per signal (ksvd) [default: {DEFAULT_N_NONZERO_RULE}]"))]
    n_nonzero: Option<usize>,
    /// Squared-residual goal per signal (ksvd; online: code with OMP to this goal).
    #[arg(long)]
    tol: Option<f64>,
    /// Online with --tol: code by the least-ℓ1 code within the goal (SPAMS's trainDL mode 1) instead of OMP.
    #[arg(long, requires = "tol")]
    l1_goal: bool,
    /// Non-negative codes (online, batch; always with nmf).
    #[arg(long)]
    positive_code: bool,
    /// Non-negative atoms (online, batch; always with nmf).
    #[arg(long)]
    positive_dict: bool,
    /// Exact rank-1 SVD atom updates (ksvd; default: the approximate step of Rubinstein et al.).
    #[arg(long)]
    exact: bool,
    /// Epochs (online), iterations (ksvd, batch).
    #[arg(long, help = format!(
        "Epochs (online), iterations (ksvd, batch) [default: {} online, {} ksvd, {} batch]",
        OnlineParams::new(0).max_epochs, KsvdParams::new(0).iterations, BatchParams::new(0).max_iter
    ))]
    epochs: Option<usize>,
    /// Mini-batch steps, exactly (online; disables scikit-learn's early stopping).
    #[arg(long)]
    steps: Option<usize>,
    /// Forgetting exponent ρ of βₜ = (1 − 1/t)^ρ (online; default: scikit-learn's rule).
    #[arg(long)]
    rho: Option<f64>,
    /// Signals per mini-batch (online).
    #[arg(long, default_value_t = OnlineParams::new(0).batch_size)]
    batch_size: usize,
    /// Initial dictionary.
    #[arg(long, value_parser = choice::<Init>(Init::NAMES), default_value_t = OnlineParams::new(0).init)]
    init: Init,
    /// Seed of every random choice.
    #[arg(long, default_value_t = OnlineParams::new(0).seed)]
    seed: u64,
    /// Output model file.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Also write the dictionary as (n_atoms, n_features) .npy (scikit-learn's components_).
    #[arg(long)]
    dict_out: Option<PathBuf>,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// A progress bar on a terminal, nothing otherwise.
pub(crate) struct Bar(pub(crate) Option<indicatif::ProgressBar>);

impl Observer for Bar {
    fn observe(&mut self, p: &Progress) -> ControlFlow<()> {
        if let Some(bar) = &self.0 {
            if let Some(t) = p.total {
                bar.set_length(t as u64);
            }
            bar.set_position(p.iteration as u64);
            bar.set_message(format!("objective {:.4}", p.objective));
        }
        ControlFlow::Continue(())
    }
}

pub(crate) fn bar() -> Bar {
    if std::io::stderr().is_terminal() {
        let b = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:30} {pos}/{len} {msg}") {
            b.set_style(style);
        }
        Bar(Some(b))
    } else {
        Bar(None)
    }
}

pub(crate) fn learn(a: &LearnArgs) -> Result<(), CliError> {
    check_folder(&a.output)?;
    if let Some(d) = &a.dict_out {
        check_output(d, &["npy"])?;
        crate::distinct_outputs(&[("--output", &a.output), ("--dict-out", d)])?;
    }
    if a.atoms == 0 {
        return Err(CliError("--atoms must be at least 1".into()));
    }
    // Signals as columns (f64).
    let (mut data, nf, patch) = match (&a.input, &a.image) {
        (Some(p), _) => {
            let x = npy::read_npy(p)?.to_f64();
            (x.data, x.cols, None)
        }
        (None, Some(img)) => {
            let image = read_image(
                img,
                ReadOptions { gray: false, scale: if a.unit { Scale::Unit } else { Scale::Byte }, require_bit_depth: None },
            )?;
            let spec = PatchSpec {
                max_patches: a.max_patches.map_or(MaxPatches::All, MaxPatches::Count),
                seed: a.seed,
                ..PatchSpec::new(a.patch.0, a.patch.1)
            };
            let p = extract_spec(&image, &spec)?;
            let nf = p.n_features();
            (p.data, nf, Some((a.patch.0, a.patch.1, image.channels)))
        }
        (None, None) => return Err(CliError("give --input or --image".into())),
    };
    if nf == 0 {
        return Err(CliError("the signals have no features (a zero-column array)".into()));
    }
    if data.is_empty() {
        return Err(CliError("no signals to learn from (a zero-row array)".into()));
    }
    if a.remove_mean {
        remove_means(&mut data, nf);
    }
    let n = data.len() / nf;
    let x = MatRef::from_column_major_slice(&data, nf, n);
    let mut observer = bar();
    let t0 = Instant::now();
    let learner = params(a, nf)?;
    // What the model file records of how it was learned: the parameters
    // the learner ran with.
    let mut recorded: Vec<(String, String)> = match &learner {
        Params::Online(p, _) => vec![("alpha".into(), p.alpha.to_string()), ("batch_size".into(), p.batch_size.to_string())],
        Params::Ksvd(p) => vec![("n_nonzero".into(), p.n_nonzero_for(nf).to_string()), ("tol".into(), format!("{:?}", p.tol))],
        Params::Batch(p) => vec![("alpha".into(), p.alpha.to_string())],
    };
    let fit: Fit<f64> = match learner {
        Params::Online(p, enc) => match enc {
            Some(e) => p.check()?.fit_with(x, &e, &mut observer)?,
            None => p.check()?.fit(x, &mut observer)?,
        },
        Params::Ksvd(p) => p.check()?.fit(x, &mut observer)?,
        Params::Batch(p) => p.check()?.fit(x, &mut observer)?,
    };
    if matches!(a.method, Method::Online | Method::Nmf) {
        recorded.push(("stopped_by".into(), fit.stop.name().into()));
    }
    let seconds = t0.elapsed().as_secs_f64();
    if let Some(b) = &observer.0 {
        b.finish_and_clear();
    }
    let model = Model::from_fit(a.method.name(), recorded, patch, &fit);
    let (iterations, objective) = (model.iterations, model.objective);
    let bytes = model.to_bytes();
    let dict_bytes = a.dict_out.as_ref().map(|d| npy::encode_npy(d, a.atoms, nf, &model.atoms)).transpose()?;
    let mut files: Vec<(&Path, &[u8])> = vec![(&a.output, &bytes)];
    if let (Some(d), Some(b)) = (&a.dict_out, &dict_bytes) {
        files.push((d, b));
    }
    sparsecode::patches::write_all_atomic(&files)?;
    if a.json {
        say!("{}", serde_json::json!({ "seconds_fit": seconds, "objective": objective, "iterations": iterations }));
    }
    Ok(())
}

/// A learner's parameters as the arguments ask for them (fields not given
/// are the library's defaults), and the online learner's coder when
/// `--tol` replaces its own.
#[derive(Debug, PartialEq)]
pub(crate) enum Params {
    /// Online learning.
    Online(Box<OnlineParams>, Option<Encoder>),
    /// K-SVD.
    Ksvd(KsvdParams),
    /// Batch learning.
    Batch(BatchParams),
}

/// The parameters of `a`'s learner, for signals of `nf` features.
pub(crate) fn params(a: &LearnArgs, nf: usize) -> Result<Params, CliError> {
    let k = a.atoms;
    if a.method == Method::Ksvd && (a.positive_code || a.positive_dict) {
        return Err(CliError("--positive-code and --positive-dict do not apply to ksvd".into()));
    }
    if (a.positive_code || a.method == Method::Nmf) && a.tol.is_some() && !a.l1_goal {
        return Err(CliError("non-negative codes need a Lasso coder: with --tol, add --l1-goal (OMP has no sign constraint)".into()));
    }
    Ok(match a.method {
        Method::Online | Method::Nmf => {
            let base = if a.method == Method::Nmf { OnlineParams::nmf(k) } else { OnlineParams::new(k) };
            let mut p = OnlineParams {
                alpha: a.alpha.unwrap_or(base.alpha),
                batch_size: a.batch_size,
                seed: a.seed,
                init: a.init.clone(),
                max_epochs: a.epochs.unwrap_or(base.max_epochs),
                max_steps: a.steps,
                forget_rho: a.rho,
                positive_code: base.positive_code || a.positive_code,
                positive_dict: base.positive_dict || a.positive_dict,
                ..base
            };
            if a.steps.is_some() {
                // A fixed number of steps (SPAMS's `iter`): no early stopping.
                p.tol = 0.0;
                p.max_no_improvement = None;
            }
            let enc = a.tol.map(|t| {
                let enc = if a.l1_goal { Encoder::lasso_goal(t).positive(p.positive_code) } else { Encoder::omp_tol(t) };
                enc.max_iter(goal_atom_cap(nf, k)).chunk_size(BATCH_CHUNK)
            });
            Params::Online(Box::new(p), enc)
        }
        Method::Ksvd => {
            let base = KsvdParams::new(k);
            Params::Ksvd(KsvdParams {
                n_nonzero: a.n_nonzero,
                tol: a.tol,
                iterations: a.epochs.unwrap_or(base.iterations),
                seed: a.seed,
                init: a.init.clone(),
                exact: a.exact,
                ..base
            })
        }
        Method::Batch => {
            let base = BatchParams::new(k);
            Params::Batch(BatchParams {
                alpha: a.alpha.unwrap_or(base.alpha),
                positive_code: a.positive_code,
                positive_dict: a.positive_dict,
                seed: a.seed,
                init: a.init.clone(),
                max_iter: a.epochs.unwrap_or(base.max_iter),
                ..base
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> LearnArgs {
        crate::parse_as(args)
    }

    /// With no flag but the atoms, each learner's parameters are the
    /// library's defaults.
    #[test]
    fn the_defaults_are_the_librarys() {
        let args = ["--input", "x.npy", "--atoms", "50", "-o", "m.model"];
        assert_eq!(params(&parse(&args), 64).unwrap(), Params::Online(Box::new(OnlineParams::new(50)), None));
        let with = |m: &str| parse(&[&args[..], &["--method", m]].concat());
        assert_eq!(params(&with("ksvd"), 64).unwrap(), Params::Ksvd(KsvdParams::new(50)));
        assert_eq!(params(&with("batch"), 64).unwrap(), Params::Batch(BatchParams::new(50)));
        assert_eq!(parse(&args).method, Method::default());
    }
}
