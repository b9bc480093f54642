//! `sparsecode patches` and `sparsecode show`.

use std::path::{Path, PathBuf};

use sparsecode::patches::image::{BitDepth, ReadOptions, Scale, read_image, write_image};
use sparsecode::patches::npy;
use sparsecode::patches::patches::{MaxPatches, PatchSpec, extract_spec};
use sparsecode::patches::pictures::{GridSpec, dictionary_grid};

use crate::{CliError, check_output};

/// Parses `8x8`, `8×8` or `8` (square).
pub(crate) fn parse_pair(s: &str) -> Result<(usize, usize), String> {
    let parts: Vec<&str> = s.split(['x', 'X', '×']).collect();
    let num = |t: &str| t.trim().parse::<usize>().map_err(|_| format!("expected a size like 8x8, got '{s}'"));
    match parts.as_slice() {
        [a] => num(a).map(|v| (v, v)),
        [a, b] => Ok((num(a)?, num(b)?)),
        _ => Err(format!("expected a size like 8x8, got '{s}'")),
    }
}

/// Parses a count (`2000`) or a fraction (`0.1`).
fn parse_max_patches(s: &str) -> Result<MaxPatches, String> {
    if s.contains('.') {
        s.parse::<f64>().map(MaxPatches::Fraction).map_err(|_| format!("expected a count or a fraction, got '{s}'"))
    } else {
        s.parse::<usize>().map(MaxPatches::Count).map_err(|_| format!("expected a count or a fraction, got '{s}'"))
    }
}

#[derive(clap::Args)]
pub(crate) struct PatchesArgs {
    /// Image: .png, .pgm/.ppm, .npy (2-D float), or `camera` (the embedded image).
    #[arg(long)]
    image: PathBuf,
    /// Patch size, HxW (or one number for square patches).
    #[arg(long, default_value = "8x8", value_parser = parse_pair)]
    patch: (usize, usize),
    /// Stride between patch corners, RxC or one number (default 1: every patch).
    #[arg(long, default_value = "1", value_parser = parse_pair)]
    stride: (usize, usize),
    /// Draw this many patches at random (a count), or this fraction of them (e.g. 0.1).
    #[arg(long, value_parser = parse_max_patches)]
    max_patches: Option<MaxPatches>,
    /// Seed of the random draw.
    #[arg(long, default_value_t = 0)]
    seed: u64,
    /// Subtract each patch's mean.
    #[arg(long)]
    remove_mean: bool,
    /// Convert a colour image to gray (scikit-image's rgb2gray weights).
    #[arg(long)]
    gray: bool,
    /// Pixel values in 0..1 instead of 0..255 (PNG/PGM/PPM and camera).
    #[arg(long)]
    unit: bool,
    /// Output (n_patches, patch_len) float64 .npy.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Also write the removed means, (n_patches, 1) .npy.
    #[arg(long)]
    means_out: Option<PathBuf>,
}

pub(crate) fn patches(a: &PatchesArgs) -> Result<(), CliError> {
    check_output(&a.output, &["npy"])?;
    if let Some(m) = &a.means_out {
        check_output(m, &["npy"])?;
        if !a.remove_mean {
            return Err(CliError("--means-out writes the means that --remove-mean removes; give --remove-mean too".into()));
        }
        crate::distinct_outputs(&[("--output", &a.output), ("--means-out", m)])?;
    }
    let opts = ReadOptions { gray: a.gray, scale: if a.unit { Scale::Unit } else { Scale::Byte }, require_bit_depth: None };
    let img = read_image(&a.image, opts)?;
    let spec = PatchSpec {
        height: a.patch.0,
        width: a.patch.1,
        stride_rows: a.stride.0,
        stride_cols: a.stride.1,
        max_patches: a.max_patches.unwrap_or(MaxPatches::All),
        seed: a.seed,
    };
    let mut p = extract_spec(&img, &spec)?;
    let means = a.remove_mean.then(|| p.remove_mean());
    let bytes = npy::encode_npy(&a.output, p.n_patches(), p.n_features(), &p.data)?;
    let mean_bytes = match (&a.means_out, &means) {
        (Some(path), Some(means)) => Some(npy::encode_npy(path, means.len(), 1, means)?),
        _ => None,
    };
    let mut files: Vec<(&Path, &[u8])> = vec![(&a.output, &bytes)];
    if let (Some(path), Some(b)) = (&a.means_out, &mean_bytes) {
        files.push((path, b));
    }
    sparsecode::patches::write_all_atomic(&files)?;
    note!(
        "{} patches of {}×{}×{} from a {}×{} image → {}",
        p.n_patches(),
        a.patch.0,
        a.patch.1,
        img.channels,
        img.height,
        img.width,
        a.output.display()
    );
    Ok(())
}

#[derive(clap::Args)]
pub(crate) struct ShowArgs {
    /// Dictionary: (n_atoms, n_features) .npy (scikit-learn's components_), or a model file.
    dict: PathBuf,
    /// Output PNG.
    #[arg(short = 'o', long = "output")]
    output: PathBuf,
    /// Grid RxC (default: near square).
    #[arg(long, value_parser = parse_pair)]
    grid: Option<(usize, usize)>,
    /// Patch shape HxW (default: square, gray if n_features is a square, else RGB).
    #[arg(long, value_parser = parse_pair)]
    patch: Option<(usize, usize)>,
    /// Enlargement of each atom pixel.
    #[arg(long, default_value_t = 4)]
    zoom: usize,
}

pub(crate) fn show(a: &ShowArgs) -> Result<(), CliError> {
    check_output(&a.output, &["png"])?;
    let is_npy = a.dict.extension().is_some_and(|e| e.eq_ignore_ascii_case("npy"));
    let (d, model_patch) = if is_npy {
        (npy::read_npy(&a.dict)?.to_f64(), None)
    } else {
        let m = sparsecode::dict::model::Model::load(&a.dict)?;
        (npy::Array2 { rows: m.n_atoms, cols: m.n_features, data: m.atoms }, m.patch)
    };
    let nf = d.cols;
    let square = |n: usize| {
        let s = (n as f64).sqrt().round() as usize;
        (s * s == n).then_some(s)
    };
    let (ph, pw, ch) = match a.patch.or(model_patch.map(|(h, w, _)| (h, w))) {
        Some((h, w)) if h.checked_mul(w) == Some(nf) => (h, w, 1),
        Some((h, w)) if h.checked_mul(w).and_then(|p| p.checked_mul(3)) == Some(nf) => (h, w, 3),
        Some((h, w)) => return Err(CliError(format!("a {h}×{w} patch does not hold {nf} features (nor {h}×{w}×3)"))),
        None => match (square(nf), nf % 3 == 0, square(nf / 3)) {
            (Some(s), _, _) => (s, s, 1),
            (None, true, Some(s)) => (s, s, 3),
            _ => return Err(CliError(format!("{nf} features is not a square patch; give --patch HxW"))),
        },
    };
    let spec = GridSpec { grid: a.grid, zoom: a.zoom, border: 1 };
    let img = dictionary_grid(&d.data, ph, pw, ch, spec)?;
    write_image(&a.output, &img, Scale::Byte, BitDepth::Eight)?;
    note!(
        "{} atoms of {ph}×{pw}{} → {} ({}×{} pixels)",
        d.rows,
        if ch == 3 { "×3" } else { "" },
        a.output.display(),
        img.width,
        img.height
    );
    Ok(())
}
