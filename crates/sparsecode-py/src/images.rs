//! Images: patches out and back, denoising, inpainting, the noise
//! estimate, the embedded `camera`. Parameters left at `None` are the
//! library's (`Denoiser::for_image(sigma, image)`, `Inpainter::default()`).

use numpy::{IntoPyArray, PyArrayMethods, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use sparsecode::denoise::{Colour, DenoiseMethod, Denoiser, Learner, NonLocal, eight_bit_sigma};
use sparsecode::dict::Method;
use sparsecode::dict::progress::Quiet;
use sparsecode::inpaint::Inpainter;

use crate::args::{array2, detach, flags, on_threads, parse, value_error};

/// A denoising or inpainting error in the words of the Python functions:
/// the library's parameter names that Python spells otherwise are renamed.
fn image_error(e: impl std::fmt::Display) -> PyErr {
    let mut msg = e.to_string();
    for (rust, python) in [("`patch`", "`patch_size`"), ("`seed`", "`random_state`"), ("`mask`", "`known`")] {
        msg = msg.replace(rust, python);
    }
    value_error(msg)
}

/// An image `(height, width)` or `(height, width, channels)` of f64 as the
/// library's image.
pub(crate) fn image_of(img: &Bound<'_, PyAny>) -> PyResult<sparsecode::patches::Image> {
    let arr = img.extract::<numpy::PyReadonlyArrayDyn<'_, f64>>()?;
    let shape = arr.shape().to_vec();
    let (h, w, c) = match shape[..] {
        [h, w] => (h, w, 1),
        [h, w, c] => (h, w, c),
        _ => return Err(PyValueError::new_err("an image is 2-D, or 3-D with channels last")),
    };
    let data = crate::args::copied(arr.as_slice().map_err(value_error)?)?;
    sparsecode::patches::Image::new(w, h, c, data).map_err(value_error)
}

fn image_out(py: Python<'_>, img: sparsecode::patches::Image) -> PyResult<Py<PyAny>> {
    let (h, w, c) = (img.height, img.width, img.channels);
    let arr = img.data.into_pyarray(py);
    Ok(if c == 1 { arr.reshape([h, w])?.into_any().unbind() } else { arr.reshape([h, w, c])?.into_any().unbind() })
}

/// The `(ph, pw)` patches of `image` with the given top-left corners (all
/// of them, in scikit-learn's order, when `None`), as `(n, ph·pw·channels)`.
#[pyfunction]
#[pyo3(signature = (image, ph, pw, corners=None))]
pub(crate) fn extract_patches(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    ph: usize,
    pw: usize,
    corners: Option<Vec<(usize, usize)>>,
) -> PyResult<Py<PyAny>> {
    use sparsecode::patches::patches::{corners as all_corners, extract_at};
    let img = image_of(image)?;
    let corners = match corners {
        Some(c) => c,
        None => all_corners(&img, &sparsecode::patches::PatchSpec::new(ph, pw)).map_err(value_error)?,
    };
    let p = detach(py, || extract_at(&img, ph, pw, corners))?.map_err(value_error)?;
    let (n, nf) = (p.n_patches(), p.n_features());
    array2(py, p.data, n, nf)
}

/// scikit-learn's `reconstruct_from_patches_2d`: every patch of an image of
/// `(height, width, channels)`, in extraction order, averaged back.
#[pyfunction]
pub(crate) fn reconstruct_patches(
    py: Python<'_>,
    patches: PyReadonlyArray2<'_, f64>,
    ph: usize,
    pw: usize,
    height: usize,
    width: usize,
    channels: usize,
) -> PyResult<Py<PyAny>> {
    use sparsecode::patches::patches::{Patches, corners};
    if height < ph || width < pw || ph == 0 || pw == 0 {
        return Err(PyValueError::new_err("the patches do not fit the image size"));
    }
    // The patch count is checked before anything the size of the image is
    // allocated (an image size is a caller's number).
    let expected = (height - ph + 1).checked_mul(width - pw + 1);
    let given = patches.shape()[0];
    if expected != Some(given) || patches.shape()[1] != ph * pw * channels {
        let count = expected.map_or("more than 2**64".to_string(), |e| e.to_string());
        return Err(PyValueError::new_err(format!(
            "{count} patches of {ph}×{pw}×{channels} expected for a {height}×{width} image, got {given}"
        )));
    }
    sparsecode::linalg::memory::request::<f64>(&[&[2, height, width, channels]], || format!("a {height}×{width}×{channels} image"))
        .map_err(value_error)?;
    // Only the size is read: the corners of every patch, in extraction order.
    let shape = sparsecode::patches::Image { width, height, channels, data: Vec::new() };
    let corners = corners(&shape, &sparsecode::patches::PatchSpec::new(ph, pw)).map_err(value_error)?;
    let data = crate::args::copied(patches.as_slice().map_err(value_error)?)?;
    let p = Patches { data, patch_height: ph, patch_width: pw, channels, corners };
    let img = detach(py, || sparsecode::patches::reconstruct_average(&p, None, height, width))?.map_err(value_error)?;
    image_out(py, img)
}

/// Denoises `image` (values in the units of `sigma`); returns the image
/// and the mean atoms per patch. A setting given that the method does not
/// read is refused ([`Denoiser::refuse_unread`]). `learner`, `non_local` and `colour` are
/// the library's names (`non_local`: a group coding, or `"none"`), as is
/// `method`.
#[pyfunction]
#[pyo3(signature = (image, sigma, patch=None, n_atoms=None, iterations=None, gain=None, lambda_factor=None, max_training=None, seed=None,
    learner=None, steps=None, sparsity_weights=None, non_local=None, colour=None, method=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn denoise(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    sigma: f64,
    patch: Option<usize>,
    n_atoms: Option<usize>,
    iterations: Option<usize>,
    gain: Option<f64>,
    lambda_factor: Option<f64>,
    max_training: Option<usize>,
    seed: Option<u64>,
    learner: Option<&str>,
    steps: Option<usize>,
    sparsity_weights: Option<bool>,
    non_local: Option<&str>,
    colour: Option<&str>,
    method: Option<&str>,
    n_jobs: Option<usize>,
) -> PyResult<(Py<PyAny>, f64)> {
    let given: Vec<&str> = [
        ("patch", patch.is_some()),
        ("n_atoms", n_atoms.is_some()),
        ("iterations", iterations.is_some()),
        ("gain", gain.is_some()),
        ("lambda_factor", lambda_factor.is_some()),
        ("max_training", max_training.is_some()),
        ("seed", seed.is_some()),
        ("learner", learner.is_some()),
        ("steps", steps.is_some()),
        ("sparsity_weights", sparsity_weights.is_some()),
        ("non_local", non_local.is_some()),
    ]
    .into_iter()
    .filter_map(|(name, given)| given.then_some(name))
    .collect();
    let img = image_of(image)?;
    let b = Denoiser::for_image(sigma, &img);
    let d = Denoiser {
        patch: patch.unwrap_or(b.patch),
        n_atoms: n_atoms.unwrap_or(b.n_atoms),
        iterations: iterations.unwrap_or(b.iterations),
        gain: gain.unwrap_or(b.gain),
        lambda_factor: lambda_factor.unwrap_or(b.lambda_factor),
        max_training: max_training.unwrap_or(b.max_training),
        seed: seed.unwrap_or(b.seed),
        learner: match learner {
            Some(l) => Learner::named(parse::<Method>(l)?, steps).map_err(value_error)?,
            None => Learner::named(b.learner.method(), steps).map_err(value_error)?,
        },
        sparsity_weights: sparsity_weights.unwrap_or(b.sparsity_weights),
        non_local: match non_local {
            Some(n) => NonLocal::named(n, eight_bit_sigma(sigma, &img)).map_err(value_error)?,
            None => b.non_local.clone(),
        },
        colour: match colour {
            Some(c) => parse::<Colour>(c)?,
            None => b.colour,
        },
        method: match method {
            Some(m) => parse::<DenoiseMethod>(m)?,
            None => b.method,
        },
        ..b
    };
    d.refuse_unread(&given).map_err(value_error)?;
    let (out, report) = detach(py, || on_threads(n_jobs, || d.run(&img, &mut Quiet)))??.map_err(image_error)?;
    Ok((image_out(py, out)?, report.mean_nnz))
}

/// Fills the pixels of `image` where `known` (a `(height, width)` boolean
/// array) is false; returns the image and the mean atoms per patch.
#[pyfunction]
#[pyo3(signature = (image, known, sigma=None, patch=None, n_atoms=None, max_atoms=None, steps=None, refine=None, max_training=None, seed=None, n_jobs=None))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn inpaint(
    py: Python<'_>,
    image: &Bound<'_, PyAny>,
    known: PyReadonlyArray2<'_, bool>,
    sigma: Option<f64>,
    patch: Option<usize>,
    n_atoms: Option<usize>,
    max_atoms: Option<usize>,
    steps: Option<usize>,
    refine: Option<usize>,
    max_training: Option<usize>,
    seed: Option<u64>,
    n_jobs: Option<usize>,
) -> PyResult<(Py<PyAny>, f64)> {
    let b = Inpainter::default();
    let p = Inpainter {
        sigma: sigma.or(b.sigma),
        patch: patch.unwrap_or(b.patch),
        n_atoms: n_atoms.unwrap_or(b.n_atoms),
        max_atoms: max_atoms.unwrap_or(b.max_atoms),
        steps: steps.unwrap_or(b.steps),
        refine: refine.unwrap_or(b.refine),
        max_training: max_training.unwrap_or(b.max_training),
        seed: seed.unwrap_or(b.seed),
        ..b
    };
    let img = image_of(image)?;
    let flags = flags(&known, "known")?;
    let (out, report) = detach(py, || on_threads(n_jobs, || p.run(&img, flags, &mut Quiet)))??.map_err(image_error)?;
    Ok((image_out(py, out)?, report.mean_nnz))
}

/// The known pixels of `image` (a `(height, width)` boolean array): those
/// none of whose channels equals `missing` (NaN matches NaN).
#[pyfunction]
pub(crate) fn known_pixels(py: Python<'_>, image: &Bound<'_, PyAny>, missing: f64) -> PyResult<Py<PyAny>> {
    let img = image_of(image)?;
    let (h, w) = (img.height, img.width);
    array2(py, detach(py, || sparsecode::inpaint::known_pixels(&img, missing))?, h, w)
}

/// The observed entries of `x` (a 2-D float array): those that are not
/// `missing` (NaN matches NaN), as a C-ordered boolean array.
#[pyfunction]
pub(crate) fn observed(py: Python<'_>, x: PyReadonlyArray2<'_, f64>, missing: f64) -> PyResult<Py<PyAny>> {
    let (r, c) = (x.shape()[0], x.shape()[1]);
    let values = x.as_slice().map_err(|_| PyValueError::new_err("x must be C-contiguous"))?;
    array2(py, detach(py, || sparsecode::solvers::observed(values, missing))?, r, c)
}

/// The noise standard deviation of `image`, estimated from the image
/// (`sparsecode::denoise::estimate_sigma`).
#[pyfunction]
pub(crate) fn estimate_sigma(py: Python<'_>, image: &Bound<'_, PyAny>) -> PyResult<f64> {
    let img = image_of(image)?;
    detach(py, || sparsecode::denoise::estimate_sigma(&img))?.map_err(image_error)
}

/// The embedded `camera` image (512 × 512, values 0..255 as float64).
#[pyfunction]
pub(crate) fn camera(py: Python<'_>) -> PyResult<Py<PyAny>> {
    image_out(py, sparsecode::patches::camera())
}
