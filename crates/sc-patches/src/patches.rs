//! Patches as the columns of a signal matrix, and images rebuilt from them.
//!
//! The order is scikit-learn's `extract_patches_2d(img, (ph, pw))` followed
//! by `.reshape(n, -1)`: patches row-major by their top-left corner, and
//! inside a patch pixels row-major with channels innermost. The buffer is
//! column-major with `ph·pw·channels` rows: exactly the bytes of that NumPy
//! array, and the signal layout of `sc-solvers`.

use sc_linalg::rng::SplitMix;

use crate::error::{Error, Result};
use crate::image::Image;
use crate::image::check_patch as check;

/// How many patches to take.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum MaxPatches {
    /// Every patch on the stride grid.
    All,
    /// This many, drawn at random (with replacement, as scikit-learn).
    Count(usize),
    /// This fraction of all patches, drawn at random.
    Fraction(f64),
}

/// How to take patches.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PatchSpec {
    /// Patch height.
    pub height: usize,
    /// Patch width.
    pub width: usize,
    /// Row stride of the corner grid.
    pub stride_rows: usize,
    /// Column stride of the corner grid.
    pub stride_cols: usize,
    /// How many.
    pub max_patches: MaxPatches,
    /// Seed of the random draw.
    pub seed: u64,
}

impl PatchSpec {
    /// Every `h × w` patch with stride 1 (scikit-learn's default).
    pub fn new(h: usize, w: usize) -> Self {
        Self { height: h, width: w, stride_rows: 1, stride_cols: 1, max_patches: MaxPatches::All, seed: 0 }
    }
}

/// A matrix of patches, one per column (column-major, `n_features` rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Patches {
    /// Patch height.
    pub patch_height: usize,
    /// Patch width.
    pub patch_width: usize,
    /// Channels per pixel.
    pub channels: usize,
    /// Top-left corner `(row, col)` of each patch.
    pub corners: Vec<(usize, usize)>,
    /// Values, patch after patch.
    pub data: Vec<f64>,
}

impl Patches {
    /// `patch_height × patch_width × channels`.
    pub fn n_features(&self) -> usize {
        self.patch_height * self.patch_width * self.channels
    }
    /// Number of patches.
    pub fn n_patches(&self) -> usize {
        self.corners.len()
    }
    /// Subtracts each patch's mean (over all its values) and returns the means.
    pub fn remove_mean(&mut self) -> Vec<f64> {
        let n = self.n_features();
        remove_means(&mut self.data, n)
    }
    /// Adds `means[k]` back to patch `k`.
    pub fn add_mean(&mut self, means: &[f64]) {
        let n = self.n_features();
        for (p, &m) in self.data.chunks_exact_mut(n).zip(means) {
            p.iter_mut().for_each(|v| *v += m);
        }
    }
}

/// Subtracts from each signal (each run of `n` values of `data`) its mean,
/// and returns the means.
pub fn remove_means(data: &mut [f64], n: usize) -> Vec<f64> {
    data.chunks_exact_mut(n)
        .map(|p| {
            let m = p.iter().sum::<f64>() / n as f64;
            p.iter_mut().for_each(|v| *v -= m);
            m
        })
        .collect()
}

/// The rows and columns of `spec`'s corner grid in `img` (its strides,
/// before `max_patches`).
fn grid(img: &Image, spec: &PatchSpec) -> Result<(usize, usize)> {
    check(img, spec.height, spec.width, spec.stride_rows, spec.stride_cols)?;
    Ok(((img.height - spec.height) / spec.stride_rows + 1, (img.width - spec.width) / spec.stride_cols + 1))
}

/// How many corners `spec`'s grid has in `img` (its strides, before
/// `max_patches`), counted without listing them.
pub fn n_corners(img: &Image, spec: &PatchSpec) -> Result<usize> {
    let (rows, cols) = grid(img, spec)?;
    Ok(rows * cols)
}

/// The corners `spec` selects in `img`.
pub fn corners(img: &Image, spec: &PatchSpec) -> Result<Vec<(usize, usize)>> {
    let (rows, cols) = grid(img, spec)?;
    let (sr, sc, all) = (spec.stride_rows, spec.stride_cols, rows * cols);
    let n = match spec.max_patches {
        MaxPatches::All => all,
        MaxPatches::Count(0) => return Err(Error::BadMaxPatches("0".into())),
        // As scikit-learn: a count beyond the patches that exist is all of them.
        MaxPatches::Count(k) => k.min(all),
        MaxPatches::Fraction(f) if f > 0.0 && f <= 1.0 => ((f * all as f64) as usize).max(1),
        MaxPatches::Fraction(f) => return Err(Error::BadMaxPatches(f.to_string())),
    };
    let mut out = sc_linalg::memory::reserved(n, || format!("the corners of {n} patches"))?;
    if let MaxPatches::All = spec.max_patches {
        out.extend((0..rows).flat_map(|r| (0..cols).map(move |c| (r * sr, c * sc))));
        return Ok(out);
    }
    let mut rng = SplitMix(spec.seed);
    out.extend((0..n).map(|_| (rng.below(rows) * sr, rng.below(cols) * sc)));
    Ok(out)
}

/// Takes the patches at `corners` (each must fit).
pub fn extract_at(img: &Image, ph: usize, pw: usize, corners: Vec<(usize, usize)>) -> Result<Patches> {
    let mut data = Vec::new();
    extract_into(img, ph, pw, &corners, &mut data)?;
    Ok(Patches { patch_height: ph, patch_width: pw, channels: img.channels, corners, data })
}

/// Writes the patches at `corners` into `data` (cleared first; its
/// allocation is reused, so repeated extractions of the same size do not
/// touch the allocator).
pub fn extract_into(img: &Image, ph: usize, pw: usize, corners: &[(usize, usize)], data: &mut Vec<f64>) -> Result<()> {
    check(img, ph, pw, 1, 1)?;
    if corners.iter().any(|&(r, c)| r + ph > img.height || c + pw > img.width) {
        return Err(Error::Mismatch);
    }
    let ch = img.channels;
    data.clear();
    let values = ph * pw * ch * corners.len();
    if values > data.capacity() {
        sc_linalg::memory::request::<f64>(&[&[corners.len(), ph * pw * ch]], || format!("{} patches of {ph}×{pw}×{ch}", corners.len()))?;
    }
    data.reserve_exact(values);
    for &(r, c) in corners {
        for i in 0..ph {
            let start = ((r + i) * img.width + c) * ch;
            data.extend_from_slice(&img.data[start..start + pw * ch]);
        }
    }
    Ok(())
}

/// The patches `spec` selects.
pub fn extract_spec(img: &Image, spec: &PatchSpec) -> Result<Patches> {
    extract_at(img, spec.height, spec.width, corners(img, spec)?)
}

/// Every `ph × pw` patch whose corner lies on the grid of the strides
/// (stride 1: all of them, as scikit-learn). An error if the patch is
/// larger than the image or a stride is 0.
pub fn extract(img: &Image, ph: usize, pw: usize, stride_r: usize, stride_c: usize) -> Result<Patches> {
    extract_spec(img, &PatchSpec { stride_rows: stride_r, stride_cols: stride_c, ..PatchSpec::new(ph, pw) })
}

/// The patches whose corner row lies in `rows` (on the stride grid): one
/// band of an image, for streaming over images too large to hold all their
/// patches.
pub fn extract_band(img: &Image, ph: usize, pw: usize, stride: (usize, usize), rows: std::ops::Range<usize>) -> Result<Patches> {
    check(img, ph, pw, stride.0, stride.1)?;
    let last = img.height - ph;
    let corners = (rows.start..rows.end.min(last + 1))
        .filter(|r| r % stride.0 == 0)
        .flat_map(|r| (0..=img.width - pw).step_by(stride.1).map(move |c| (r, c)))
        .collect();
    extract_at(img, ph, pw, corners)
}

/// Accumulates patches into an image, over a window of rows that can slide
/// down: sums and counts per pixel for rows `top..top + window`. With a
/// window of the image's height it rebuilds a whole image; with a window of
/// `band + ph − 1` rows it rebuilds a large image band by band, in memory
/// bounded by the band.
#[derive(Debug, Clone)]
pub struct Accumulator {
    width: usize,
    height: usize,
    channels: usize,
    top: usize,
    window: usize,
    sum: Vec<f64>,
    weight: Vec<f64>,
}

impl Accumulator {
    /// An accumulator for a `height × width × channels` image holding
    /// `window` rows at a time.
    pub fn new(height: usize, width: usize, channels: usize, window: usize) -> Self {
        let window = window.min(height).max(1);
        Self { width, height, channels, top: 0, window, sum: vec![0.0; window * width * channels], weight: vec![0.0; window * width] }
    }

    /// First row not yet finished.
    pub fn top(&self) -> usize {
        self.top
    }

    /// Adds one patch (`ph × pw × channels` values, scikit-learn layout) at
    /// `corner`; it must lie inside the window.
    pub fn add(&mut self, corner: (usize, usize), ph: usize, pw: usize, patch: &[f64]) -> Result<()> {
        self.add_weighted(corner, ph, pw, patch, 1.0)
    }

    /// Adds one patch with weight `w`: its pixels contribute `w·value` to
    /// the sums and `w` to the weights that divide them.
    pub fn add_weighted(&mut self, corner: (usize, usize), ph: usize, pw: usize, patch: &[f64], w: f64) -> Result<()> {
        let (r, c) = corner;
        let ch = self.channels;
        if r < self.top || r + ph > (self.top + self.window).min(self.height) || c + pw > self.width || patch.len() != ph * pw * ch {
            return Err(Error::Mismatch);
        }
        if !(w.is_finite() && w >= 0.0) {
            return Err(Error::Mismatch);
        }
        let width = self.width;
        for i in 0..ph {
            let base = (r + i - self.top) * width + c;
            // A patch row is contiguous in the image too: one vectorisable
            // loop over `pw × channels` values.
            let sums = &mut self.sum[base * ch..(base + pw) * ch];
            for (sv, &pv) in sums.iter_mut().zip(&patch[i * pw * ch..(i + 1) * pw * ch]) {
                *sv += w * pv;
            }
            for n in &mut self.weight[base..base + pw] {
                *n += w;
            }
        }
        Ok(())
    }

    /// Adds every patch of `p` (with `means[k]` added back to patch `k`).
    pub fn add_patches(&mut self, p: &Patches, means: Option<&[f64]>) -> Result<()> {
        let n = p.n_features();
        if means.is_some_and(|m| m.len() != p.n_patches()) || p.channels != self.channels {
            return Err(Error::Mismatch);
        }
        let mut buf = vec![0.0; n];
        for (k, &corner) in p.corners.iter().enumerate() {
            let patch = &p.data[k * n..(k + 1) * n];
            let patch = match means {
                Some(m) => {
                    buf.iter_mut().zip(patch).for_each(|(b, &v)| *b = v + m[k]);
                    &buf[..]
                }
                None => patch,
            };
            self.add(corner, p.patch_height, p.patch_width, patch)?;
        }
        Ok(())
    }

    /// Finishes rows `top..upto`: each pixel becomes
    /// `(λ·y + Σ wₖ·patchₖ) / (λ + Σ wₖ)` (weights 1 unless given to
    /// [`Accumulator::add_weighted`]) where `blend = Some((y, λ))` (Elad &
    /// Aharon 2006, eq. 10; `y` the noisy image), or the plain mean of the
    /// patches covering it (0 where none does) otherwise. `emit(row, values)`
    /// receives each finished row; the window then slides down.
    pub fn finish_rows(&mut self, upto: usize, blend: Option<(&Image, f64)>, mut emit: impl FnMut(usize, &[f64])) {
        let upto = upto.min(self.height);
        let (w, ch) = (self.width, self.channels);
        let mut row = vec![0.0; w * ch];
        let done = upto.saturating_sub(self.top);
        for wr in 0..done {
            let r = self.top + wr;
            for c in 0..w {
                let n = self.weight[wr * w + c];
                for k in 0..ch {
                    let s = self.sum[(wr * w + c) * ch + k];
                    row[c * ch + k] = match blend {
                        Some((y, lambda)) => (lambda * y.data[(r * w + c) * ch + k] + s) / (lambda + n),
                        None if n > 0.0 => s / n,
                        None => 0.0,
                    };
                }
            }
            emit(r, &row);
        }
        // Slide: keep the unfinished rows at the front, clear the rest.
        self.sum.copy_within(done * w * ch.., 0);
        self.weight.copy_within(done * w.., 0);
        let keep = self.window - done;
        self.sum[keep * w * ch..].fill(0.0);
        self.weight[keep * w..].fill(0.0);
        self.top += done;
    }

    /// Finishes every row into a whole image (the accumulator's window must
    /// have covered the whole height, or the earlier rows were emitted).
    pub fn into_image(mut self, blend: Option<(&Image, f64)>) -> Image {
        let (w, h, ch) = (self.width, self.height, self.channels);
        let mut data = vec![0.0; w * h * ch];
        self.finish_rows(h, blend, |r, row| data[r * w * ch..(r + 1) * w * ch].copy_from_slice(row));
        Image { width: w, height: h, channels: ch, data }
    }
}

/// Averages overlapping patches back into a `height × width` image, as
/// scikit-learn's `reconstruct_from_patches_2d`: each pixel is the mean of
/// the patch values that cover it (0 where none does). `means`, if given,
/// are added back to each patch first (see [`Patches::remove_mean`]).
pub fn reconstruct_average(p: &Patches, means: Option<&[f64]>, height: usize, width: usize) -> Result<Image> {
    let mut acc = Accumulator::new(height, width, p.channels, height);
    acc.add_patches(p, means)?;
    Ok(acc.into_image(None))
}

/// The denoising blend of Elad & Aharon (2006): `x = (λ·y + Σ Rᵀp) / (λ +
/// count)` with `y` the noisy image.
pub fn reconstruct_blend(p: &Patches, means: Option<&[f64]>, noisy: &Image, lambda: f64) -> Result<Image> {
    let mut acc = Accumulator::new(noisy.height, noisy.width, noisy.channels, noisy.height);
    acc.add_patches(p, means)?;
    Ok(acc.into_image(Some((noisy, lambda))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weighted_patches_blend_as_weighted_means() {
        // Two 2×2 patches overlapping on the middle column of a 2×3 image:
        // 3 (weight 1) and 9 (weight 0.5) give (3 + 4.5) / 1.5 = 5 there.
        let mut acc = Accumulator::new(2, 3, 1, 2);
        acc.add_weighted((0, 0), 2, 2, &[3.0; 4], 1.0).unwrap();
        acc.add_weighted((0, 1), 2, 2, &[9.0; 4], 0.5).unwrap();
        let img = acc.into_image(None);
        assert_eq!(img.data, vec![3.0, 5.0, 9.0, 3.0, 5.0, 9.0]);
        // With the noisy image in the blend: (λ·y + Σ w·p) / (λ + Σ w).
        let y = Image::gray(3, 2, vec![6.0; 6]).unwrap();
        let mut acc = Accumulator::new(2, 3, 1, 2);
        acc.add_weighted((0, 0), 2, 2, &[3.0; 4], 1.0).unwrap();
        acc.add_weighted((0, 1), 2, 2, &[9.0; 4], 0.5).unwrap();
        let img = acc.into_image(Some((&y, 2.0)));
        assert_eq!(img.data[1], (12.0 + 3.0 + 4.5) / 3.5);
        assert_eq!(img.data[0], (12.0 + 3.0) / 3.0);
        // A negative or non-finite weight is refused.
        let mut acc = Accumulator::new(2, 3, 1, 2);
        assert!(acc.add_weighted((0, 0), 2, 2, &[1.0; 4], -1.0).is_err());
        assert!(acc.add_weighted((0, 0), 2, 2, &[1.0; 4], f64::NAN).is_err());
    }

    #[test]
    fn patches_are_in_scikit_learn_order() {
        let img = Image::gray(4, 3, (0..12).map(|v| v as f64).collect()).unwrap();
        let p = extract(&img, 2, 2, 1, 1).unwrap();
        assert_eq!(p.n_patches(), 6);
        assert_eq!(&p.data[..4], &[0.0, 1.0, 4.0, 5.0]);
        assert_eq!(&p.data[4..8], &[1.0, 2.0, 5.0, 6.0]);
        assert_eq!(p.corners[3], (1, 0));
        assert!(matches!(extract(&img, 4, 2, 1, 1), Err(Error::PatchTooLarge { .. })));
        assert!(matches!(extract(&img, 2, 2, 0, 1), Err(Error::Zero(_))));
        let back = reconstruct_average(&p, None, 3, 4).unwrap();
        assert_eq!(back, img);
        let s = extract(&img, 2, 2, 1, 2).unwrap();
        assert_eq!(s.corners, vec![(0, 0), (0, 2), (1, 0), (1, 2)]);
    }

    #[test]
    fn random_patches_are_reproducible_and_counted() {
        let img = Image::gray(20, 16, (0..320).map(|v| v as f64).collect()).unwrap();
        let spec = PatchSpec { max_patches: MaxPatches::Count(50), seed: 42, ..PatchSpec::new(5, 4) };
        let a = extract_spec(&img, &spec).unwrap();
        assert_eq!(a.n_patches(), 50);
        assert_eq!(a, extract_spec(&img, &spec).unwrap());
        assert_ne!(a.corners, extract_spec(&img, &PatchSpec { seed: 43, ..spec }).unwrap().corners);
        let f = extract_spec(&img, &PatchSpec { max_patches: MaxPatches::Fraction(0.5), ..spec }).unwrap();
        assert_eq!(f.n_patches(), (0.5 * (12 * 17) as f64) as usize);
        assert!(matches!(extract_spec(&img, &PatchSpec { max_patches: MaxPatches::Fraction(1.5), ..spec }), Err(Error::BadMaxPatches(_))));
        assert!(matches!(extract_spec(&img, &PatchSpec { max_patches: MaxPatches::Count(0), ..spec }), Err(Error::BadMaxPatches(_))));
    }

    #[test]
    fn banded_reconstruction_equals_whole_image_reconstruction() {
        let (w, h) = (13, 17);
        let img = Image::gray(w, h, (0..w * h).map(|v| ((v * 7919) % 251) as f64).collect()).unwrap();
        let all = extract(&img, 4, 3, 1, 1).unwrap();
        let whole = reconstruct_blend(&all, None, &img, 0.5).unwrap();
        let band = 5;
        let mut acc = Accumulator::new(h, w, 1, band + 4 - 1);
        let mut out = vec![0.0; w * h];
        let mut r0 = 0;
        while r0 < h {
            let p = extract_band(&img, 4, 3, (1, 1), r0..r0 + band).unwrap();
            acc.add_patches(&p, None).unwrap();
            r0 += band;
            // Rows above the next band's first corner row are complete.
            acc.finish_rows(r0.min(h), Some((&img, 0.5)), |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        assert_eq!(acc.top(), h);
        for (a, b) in out.iter().zip(&whole.data) {
            assert!((a - b).abs() < 1e-12);
        }
    }
}
