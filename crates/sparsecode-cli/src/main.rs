//! The `sparsecode` command. It holds no algorithm: it parses arguments,
//! reads files, calls the `sparsecode` crate and writes files.
//!
//! Errors print one line on standard error and exit with status 2.

#![forbid(unsafe_code)]

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

/// Prints a line on standard output; a closed pipe (`sparsecode … | head`)
/// ends the output quietly instead of panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Prints a line on standard error; a failing stderr (`2>/dev/full`) is
/// ignored rather than a panic (the exit status still says what happened).
macro_rules! note {
    ($($t:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}

mod demo;
mod denoise_cmd;
mod images;
mod inpaint_cmd;
mod learn;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use sparsecode::faer::MatRef;
use sparsecode::patches::npy::{self, AnyArray2, Array2, NpyElement};
use sparsecode::prelude::*;
use sparsecode::solvers::{AlgorithmName, DEFAULT_ALPHA, DEFAULT_N_NONZERO_RULE, Settings};

#[derive(Parser)]
#[command(name = "sparsecode", version, about = "Sparse coding and dictionary learning", allow_negative_numbers = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
#[command(allow_negative_numbers = true)]
enum Command {
    /// Sparse-code signals over a dictionary (scikit-learn's `sparse_encode`).
    #[command(allow_negative_numbers = true)]
    Encode(EncodeArgs),
    /// The walkthrough on the embedded camera image (learn, show, encode, reconstruct, denoise).
    #[command(allow_negative_numbers = true)]
    Demo(demo::DemoArgs),
    /// Extract patches of an image as (n_patches, patch_len) rows (scikit-learn's `extract_patches_2d`).
    #[command(allow_negative_numbers = true)]
    Patches(images::PatchesArgs),
    /// Draw a dictionary's atoms as a grid of little images (PNG).
    #[command(allow_negative_numbers = true)]
    Show(images::ShowArgs),
    /// Learn a dictionary (online mini-batch, K-SVD or batch).
    #[command(allow_negative_numbers = true)]
    Learn(learn::LearnArgs),
    /// Denoise an image (a dictionary learned on its own patches, Elad & Aharon 2006).
    #[command(allow_negative_numbers = true)]
    Denoise(denoise_cmd::DenoiseArgs),
    /// Fill the missing pixels of an image (a dictionary learned on its own incomplete patches).
    #[command(allow_negative_numbers = true)]
    Inpaint(inpaint_cmd::InpaintArgs),
}

/// A value parser for a library enum: its canonical names (listed in
/// `--help`), each also accepted in kebab-case, parsed by the enum's own
/// `FromStr` (the library's one spelling).
pub(crate) fn choice<T>(names: &'static [&'static str]) -> impl clap::builder::TypedValueParser<Value = T>
where
    T: std::str::FromStr + Clone + Send + Sync + 'static,
    T::Err: std::fmt::Display,
{
    use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
    let values = names.iter().map(|&n| {
        let v = PossibleValue::new(n);
        if n.contains('_') {
            // Built once per run, for a handful of names: leaking the
            // kebab-case spelling gives clap the `'static` name it keeps.
            v.alias(&*Box::leak(n.replace('_', "-").into_boxed_str()))
        } else {
            v
        }
    });
    PossibleValuesParser::new(values).try_map(|s: String| s.parse::<T>().map_err(|e| e.to_string()))
}

#[derive(clap::Args)]
struct EncodeArgs {
    /// Dictionary, (n_atoms, n_features) float32/float64 .npy (scikit-learn's `components_`).
    #[arg(long)]
    dict: PathBuf,
    /// Signals, (n_samples, n_features) float32/float64 .npy.
    #[arg(long)]
    input: PathBuf,
    /// The solver (scikit-learn's `sparse_encode` default).
    #[arg(long, value_parser = choice::<AlgorithmName>(AlgorithmName::NAMES), default_value_t = AlgorithmName::default())]
    algorithm: AlgorithmName,
    /// Lasso penalty (unscaled, as scikit-learn's `alpha`), threshold, or lasso_budget's ℓ1 budget.
    #[arg(
        long,
        help = format!("Lasso penalty (unscaled, as scikit-learn's `alpha`), threshold, or lasso_budget's ℓ1 budget [default: {DEFAULT_ALPHA}]")
    )]
    alpha: Option<f64>,
    /// Atoms per signal for omp and lars.
    #[arg(long, help = format!("Atoms per signal for omp and lars [default: {DEFAULT_N_NONZERO_RULE}]"))]
    n_nonzero: Option<usize>,
    /// omp, lasso_goal: squared-residual goal (for omp it wins over --n-nonzero). Iterative Lasso solvers: relative duality-gap tolerance.
    #[arg(long)]
    tol: Option<f64>,
    /// Constrain codes to be non-negative (Lasso solvers, thresholding).
    #[arg(long)]
    positive: bool,
    /// Elastic-net ℓ2 penalty (Lasso solvers).
    #[arg(long)]
    l2: Option<f64>,
    /// omp, ormp: the ℓ0 penalty λ of ½‖x − Dc‖² + λ‖c‖₀ (atoms are added while each lowers ½‖x − Dc‖² by more than λ).
    #[arg(long)]
    l0: Option<f64>,
    /// Lasso homotopies (lasso_lars, lasso_goal, lasso_budget): a weighted ℓ1 term Σ wⱼ|cⱼ|, the weights (n_samples, n_atoms) .npy, every entry > 0.
    #[arg(long)]
    weights: Option<PathBuf>,
    /// Iteration cap (Lasso solvers).
    #[arg(long)]
    max_iter: Option<usize>,
    /// Worker threads (default: all cores). Codes do not depend on it.
    #[arg(long)]
    threads: Option<usize>,
    /// Output: .npy (dense (n_samples, n_atoms), the input's dtype) or .npz (SciPy CSR).
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Print a JSON summary on standard output.
    #[arg(long)]
    json: bool,
}

/// A user-facing error: one line, exit status 2.
#[derive(Debug)]
struct CliError(String);

impl<E: std::fmt::Display> From<E> for CliError {
    fn from(e: E) -> Self {
        CliError(e.to_string())
    }
}

fn main() -> ExitCode {
    let parsed = Cli::command().try_get_matches().and_then(|m| Ok((Cli::from_arg_matches(&m)?, m)));
    let (cli, matches) = match parsed {
        Ok(parsed) => parsed,
        Err(e) if matches!(e.kind(), clap::error::ErrorKind::DisplayHelp | clap::error::ErrorKind::DisplayVersion) => e.exit(),
        Err(e) => {
            // One line, as for every other error; `--help` has the rest.
            // The lines clap indents under the first (the missing
            // arguments, say) are named on the same line.
            let text = e.to_string();
            let mut lines = text.lines();
            let first = lines.next().unwrap_or("invalid arguments").trim_start_matches("error: ").trim_end_matches(':');
            let named: Vec<&str> = lines.take_while(|l| !l.trim().is_empty()).map(str::trim).collect();
            let named = if named.is_empty() { String::new() } else { format!(": {}", named.join(", ")) };
            note!("sparsecode: error: {first}{named} (see --help)");
            return ExitCode::from(2);
        }
    };
    clean_up_on_signals();
    let result = match cli.command {
        Command::Encode(args) => encode(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Patches(args) => images::patches(&args),
        Command::Show(args) => images::show(&args),
        Command::Learn(args) => learn::learn(&args),
        Command::Denoise(args) => denoise_cmd::denoise(&args, &given(matches.subcommand_matches("denoise"))),
        Command::Inpaint(args) => inpaint_cmd::inpaint(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError(msg)) => {
            note!("sparsecode: error: {}", flag_names(&msg));
            ExitCode::from(2)
        }
    }
}

/// The arguments given on the command line (not left at their defaults)
/// of a subcommand's matches, by their ids (the field names).
fn given(m: Option<&clap::ArgMatches>) -> Vec<String> {
    let Some(m) = m else { return Vec::new() };
    m.ids()
        .filter(|id| m.value_source(id.as_str()) == Some(clap::parser::ValueSource::CommandLine))
        .map(|id| id.as_str().to_string())
        .collect()
}

/// On SIGINT, SIGTERM or SIGHUP, deletes the temporary files of outputs not
/// yet in place (the old files stay as they were) and exits with 128 + the
/// signal's number, as a shell reports a killed command. SIGKILL cannot be
/// caught: its temporaries (`.NAME.XXXXXX.tmp` beside the output) stay, and
/// no later run reads or overwrites them.
fn clean_up_on_signals() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else { return };
    std::thread::spawn(move || {
        if let Some(sig) = signals.forever().next() {
            sparsecode::patches::remove_temporaries();
            std::process::exit(128 + sig);
        }
    });
}

/// The encoder the arguments ask for: the library's, from the settings
/// given (it refuses those that do not apply and fills the others).
fn build_encoder(args: &EncodeArgs) -> Result<Encoder, CliError> {
    let settings = Settings {
        alpha: args.alpha,
        n_nonzero: args.n_nonzero,
        tol: args.tol,
        max_iter: args.max_iter,
        positive: args.positive,
        l2: args.l2,
        l0: args.l0,
    };
    let enc = Encoder::from_settings(args.algorithm, &settings)?;
    Ok(match args.threads {
        Some(t) => {
            // The library caps the count to the cores, as joblib caps
            // scikit-learn's n_jobs; the command says so.
            let cap = sparsecode::linalg::memory::thread_cap(t);
            if cap < t {
                eprintln!("note: --threads {t} runs on the machine's {cap} cores");
            }
            enc.threads(t)
        }
        None => enc,
    })
}

fn encode(args: &EncodeArgs) -> Result<(), CliError> {
    check_output(&args.output, &["npy", "npz"])?;
    let d = npy::read_npy(&args.dict)?;
    let x = npy::read_npy(&args.input)?;
    let ((n_atoms, nf_d), (n_samples, nf_x)) = (d.shape(), x.shape());
    if nf_d != nf_x {
        return Err(CliError(format!(
            "the dictionary has {nf_d} features per atom but the signals have {nf_x} (shapes {:?} and {:?})",
            d.shape(),
            x.shape()
        )));
    }
    let enc = build_encoder(args)?;
    let weights = args.weights.as_ref().map(|p| npy::read_npy(p)).transpose()?;
    if let Some(w) = &weights
        && w.shape() != (n_samples, n_atoms)
    {
        return Err(CliError(format!("the weights must have shape ({n_samples}, {n_atoms}) (n_samples, n_atoms), got {:?}", w.shape())));
    }
    // Codes are computed in the signals' precision.
    let (seconds, mean_nnz) = match x {
        AnyArray2::F32(x) => run_encode::<f32>(&enc, &to_f32(&d), &x, weights.as_ref().map(to_f32).as_ref(), &args.output)?,
        AnyArray2::F64(x) => run_encode::<f64>(&enc, &d.to_f64(), &x, weights.as_ref().map(|w| w.to_f64()).as_ref(), &args.output)?,
    };
    if args.json {
        let summary = serde_json::json!({
            "n_samples": n_samples,
            "n_atoms": n_atoms,
            "algorithm": enc.algorithm().name(),
            "seconds_encode": seconds,
            "mean_nnz": mean_nnz,
        });
        say!("{summary}");
    }
    Ok(())
}

fn to_f32(a: &AnyArray2) -> Array2<f32> {
    match a {
        AnyArray2::F32(a) => a.clone(),
        AnyArray2::F64(a) => Array2 { rows: a.rows, cols: a.cols, data: a.data.iter().map(|&v| v as f32).collect() },
    }
}

fn run_encode<T: Real + NpyElement>(
    enc: &Encoder,
    d: &Array2<T>,
    x: &Array2<T>,
    weights: Option<&Array2<T>>,
    out: &Path,
) -> Result<(f64, f64), CliError> {
    // C-order (n_atoms, n_features) is column-major n_features × n_atoms.
    let dict = Dictionary::new(MatRef::from_column_major_slice(&d.data, d.cols, d.rows))?;
    let xm = MatRef::from_column_major_slice(&x.data, x.cols, x.rows);
    let t0 = Instant::now();
    let codes = match weights {
        Some(w) => enc.encode_weighted(&dict, xm, MatRef::from_column_major_slice(&w.data, w.cols, w.rows))?,
        None => enc.encode(&dict, xm)?,
    };
    let seconds = t0.elapsed().as_secs_f64();
    if is_ext(out, "npz") {
        npy::write_csr_npz(out, codes.n_samples(), codes.n_atoms(), codes.indptr(), codes.indices(), codes.values())?;
    } else {
        npy::write_npy(out, codes.n_samples(), codes.n_atoms(), &codes.to_dense_column_major())?;
    }
    Ok((seconds, codes.mean_nnz()))
}

fn is_ext(p: &Path, ext: &str) -> bool {
    p.extension().is_some_and(|e| e.eq_ignore_ascii_case(ext))
}

/// Refuses an output path whose extension is not one of `exts`, or whose
/// folder does not exist, before any work is done.
pub(crate) fn check_output(p: &Path, exts: &[&str]) -> Result<(), CliError> {
    if !exts.iter().any(|e| is_ext(p, e)) {
        return Err(CliError(format!(
            "output {} must end in {}",
            p.display(),
            exts.iter().map(|e| format!(".{e}")).collect::<Vec<_>>().join(" or ")
        )));
    }
    check_folder(p)
}

/// A library message about a parameter (`invalid parameter `max_training``)
/// in the words of the command line (`invalid --max-training`).
fn flag_names(msg: &str) -> String {
    const PREFIX: &str = "invalid parameter `";
    let Some(start) = msg.find(PREFIX) else { return msg.to_string() };
    let rest = &msg[start + PREFIX.len()..];
    let Some(end) = rest.find('`') else { return msg.to_string() };
    let flag = match &rest[..end] {
        "n_atoms" => "atoms".to_string(),
        "forget_rho" => "rho".to_string(),
        name => name.replace('_', "-"),
    };
    format!("{}invalid --{flag}{}", &msg[..start], &rest[end + 1..])
}

/// The file an output path names: its folder resolved (links and `..`
/// followed), so that two spellings of one file compare equal.
fn resolved(p: &Path) -> PathBuf {
    let dir = p.parent().filter(|d| !d.as_os_str().is_empty()).unwrap_or(Path::new("."));
    match (dir.canonicalize(), p.file_name()) {
        (Ok(d), Some(name)) => d.join(name),
        _ => p.to_path_buf(),
    }
}

/// Refuses two outputs of one command that name the same file (`(flag,
/// path)` pairs), before anything is written.
pub(crate) fn distinct_outputs(outputs: &[(&str, &Path)]) -> Result<(), CliError> {
    for (i, (fa, pa)) in outputs.iter().enumerate() {
        for (fb, pb) in &outputs[i + 1..] {
            if resolved(pa) == resolved(pb) {
                return Err(CliError(format!("{fa} and {fb} name the same file {}", pa.display())));
            }
        }
    }
    Ok(())
}

/// Refuses an output path that is a folder, or whose folder does not exist.
pub(crate) fn check_folder(p: &Path) -> Result<(), CliError> {
    if p.is_dir() {
        return Err(CliError(format!("output {} is a folder", p.display())));
    }
    if let Some(dir) = p.parent().filter(|d| !d.as_os_str().is_empty())
        && !dir.is_dir()
    {
        return Err(CliError(format!("output folder {} does not exist", dir.display())));
    }
    Ok(())
}

/// The arguments `A` of a subcommand parsed from `args` (tests of the
/// subcommands' defaults).
#[cfg(test)]
pub(crate) fn parse_as<A: clap::Args + clap::FromArgMatches>(args: &[&str]) -> A {
    let cmd = A::augment_args(clap::Command::new("sparsecode"));
    A::from_arg_matches(&cmd.try_get_matches_from(std::iter::once("sparsecode").chain(args.iter().copied())).unwrap()).unwrap()
}
