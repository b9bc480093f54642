//! Pictures for people: a dictionary as a grid of its atoms, images side
//! by side or stacked, and lines of text drawn with the 8×8 bitmap font of
//! the `font8x8` crate (captions, and the text masks of inpainting).

use crate::error::{Error, Result};
use crate::image::Image;

/// The largest picture drawn: 2²⁸ pixels (a 16384 × 16384 square).
pub const MAX_PIXELS: usize = 1 << 28;

/// How to lay out a dictionary's atoms.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GridSpec {
    /// `(rows, cols)` of the grid; `None`: near square, `cols = ⌈√n⌉`.
    pub grid: Option<(usize, usize)>,
    /// Each atom pixel becomes a `zoom × zoom` block.
    pub zoom: usize,
    /// Pixels of border between (and around) tiles.
    pub border: usize,
}

impl Default for GridSpec {
    fn default() -> Self {
        Self { grid: None, zoom: 4, border: 1 }
    }
}

/// The `(rows, cols)` a grid of `n` tiles gets.
pub fn grid_shape(n: usize, grid: Option<(usize, usize)>) -> (usize, usize) {
    grid.unwrap_or_else(|| {
        let cols = (n as f64).sqrt().ceil().max(1.0) as usize;
        (n.div_ceil(cols).max(1), cols)
    })
}

/// Draws the atoms (the columns of a column-major `n_features × n_atoms`
/// buffer, each a `ph × pw × channels` patch in scikit-learn's layout) as a
/// grid of tiles, each atom rescaled to its own range (min black, max
/// white; a constant atom mid-gray), on a white background. Values 0..255.
/// An error if the shapes disagree, the grid is too small, or the picture
/// would exceed [`MAX_PIXELS`].
pub fn dictionary_grid(atoms: &[f64], ph: usize, pw: usize, channels: usize, spec: GridSpec) -> Result<Image> {
    let shape = |why: String| Error::Shape(why);
    let nf = ph.checked_mul(pw).and_then(|p| p.checked_mul(channels)).ok_or_else(|| shape("the patch shape overflows".into()))?;
    if nf == 0 || !atoms.len().is_multiple_of(nf) || spec.zoom == 0 || !matches!(channels, 1 | 3) {
        return Err(shape(format!("{} values are not atoms of {ph}×{pw}×{channels} (zoom ≥ 1, 1 or 3 channels)", atoms.len())));
    }
    let n = atoms.len() / nf;
    let (rows, cols) = grid_shape(n, spec.grid);
    if rows.saturating_mul(cols) < n {
        return Err(shape(format!("a {rows}×{cols} grid cannot hold {n} atoms")));
    }
    let side = |count: usize, tile: usize| -> Option<usize> {
        count.checked_mul(tile.checked_mul(spec.zoom)?)?.checked_add(count.checked_add(1)?.checked_mul(spec.border)?)
    };
    let (width, height) = match (side(cols, pw), side(rows, ph)) {
        (Some(w), Some(h)) if w.checked_mul(h).is_some_and(|p| p <= MAX_PIXELS) => (w, h),
        _ => return Err(shape(format!("a {rows}×{cols} grid of {ph}×{pw} atoms at zoom {} exceeds {MAX_PIXELS} pixels", spec.zoom))),
    };
    // A tile's side fits: the picture's sides, which hold it, did.
    let (tw, th) = (pw * spec.zoom, ph * spec.zoom);
    let mut data = vec![255.0; width * height * channels];
    for a in 0..n {
        let atom = &atoms[a * nf..(a + 1) * nf];
        let (lo, hi) = atom.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &v| (l.min(v), h.max(v)));
        let span = hi - lo;
        let (gr, gc) = (a / cols, a % cols);
        let (y0, x0) = (spec.border + gr * (th + spec.border), spec.border + gc * (tw + spec.border));
        for y in 0..th {
            for x in 0..tw {
                let (i, j) = (y / spec.zoom, x / spec.zoom);
                for ch in 0..channels {
                    let v = atom[(i * pw + j) * channels + ch];
                    let g = if span > 0.0 { 255.0 * (v - lo) / span } else { 128.0 };
                    data[((y0 + y) * width + x0 + x) * channels + ch] = g;
                }
            }
        }
    }
    Image::new(width, height, channels, data)
}

/// Images enlarged by `zoom` and placed left to right, top-aligned, `gap`
/// white pixels apart, on white. Gray images are made RGB if any input is.
pub fn side_by_side(images: &[&Image], zoom: usize, gap: usize) -> Result<Image> {
    if images.is_empty() || zoom == 0 {
        return Err(Error::Shape("side by side needs an image and a zoom ≥ 1".into()));
    }
    let channels = if images.iter().any(|i| i.channels == 3) { 3 } else { 1 };
    let width = images.iter().map(|i| i.width * zoom).sum::<usize>() + gap * (images.len() + 1);
    let height = images.iter().map(|i| i.height * zoom).max().unwrap_or(0) + 2 * gap;
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(Error::Shape(format!("a {height}×{width} picture exceeds {MAX_PIXELS} pixels")));
    }
    let mut data = vec![255.0; width * height * channels];
    let mut x0 = gap;
    for img in images {
        for y in 0..img.height * zoom {
            for x in 0..img.width * zoom {
                let src = ((y / zoom) * img.width + x / zoom) * img.channels;
                for ch in 0..channels {
                    let v = img.data[src + if img.channels == 3 { ch } else { 0 }];
                    data[((gap + y) * width + x0 + x) * channels + ch] = v;
                }
            }
        }
        x0 += img.width * zoom + gap;
    }
    Image::new(width, height, channels, data)
}

/// Pictures placed top to bottom, left-aligned, `gap` white pixels apart,
/// on white (gray made RGB if any input is).
pub fn stacked(images: &[&Image], gap: usize) -> Result<Image> {
    if images.is_empty() {
        return Err(Error::Shape("stacking needs an image".into()));
    }
    let channels = if images.iter().any(|i| i.channels == 3) { 3 } else { 1 };
    let width = images.iter().map(|i| i.width).max().unwrap_or(0) + 2 * gap;
    let height = images.iter().map(|i| i.height).sum::<usize>() + gap * (images.len() + 1);
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(Error::Shape(format!("a {height}×{width} picture exceeds {MAX_PIXELS} pixels")));
    }
    let mut data = vec![255.0; width * height * channels];
    let mut y0 = gap;
    for img in images {
        for y in 0..img.height {
            for x in 0..img.width {
                for ch in 0..channels {
                    data[((y0 + y) * width + gap + x) * channels + ch] =
                        img.data[(y * img.width + x) * img.channels + if img.channels == 3 { ch } else { 0 }];
                }
            }
        }
        y0 += img.height + gap;
    }
    Image::new(width, height, channels, data)
}

/// The `(height, width)` in pixels of `text` drawn by [`draw_text`] at
/// `scale` (8·scale per character; one line).
pub fn text_size(text: &str, scale: usize) -> (usize, usize) {
    (8 * scale, 8 * scale * text.chars().count())
}

/// Draws one line of `text` with its top-left corner at `(row, col)`, each
/// font pixel a `scale × scale` block of `value` on every channel; what
/// falls outside the image is clipped, and a character the font lacks is
/// left blank.
pub fn draw_text(img: &mut Image, row: usize, col: usize, text: &str, scale: usize, value: f64) {
    use font8x8::UnicodeFonts;
    let ch = img.channels;
    for (k, c) in text.chars().enumerate() {
        let Some(glyph) = font8x8::BASIC_FONTS.get(c).or_else(|| font8x8::LATIN_FONTS.get(c)) else { continue };
        for (gy, bits) in glyph.iter().enumerate() {
            for gx in 0..8 {
                if bits >> gx & 1 == 0 {
                    continue;
                }
                for dy in 0..scale {
                    for dx in 0..scale {
                        let (y, x) = (row + gy * scale + dy, col + (k * 8 + gx) * scale + dx);
                        if y < img.height && x < img.width {
                            for c in 0..ch {
                                img.data[(y * img.width + x) * ch + c] = value;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `img` with a white strip of `lines` of text (scale 2) above it.
pub fn captioned(img: &Image, lines: &[&str]) -> Result<Image> {
    let scale = 2;
    let strip = lines.len() * 10 * scale + 2 * scale;
    let mut out = Image::new(img.width, img.height + strip, img.channels, vec![255.0; img.width * (img.height + strip) * img.channels])?;
    for (i, line) in lines.iter().enumerate() {
        draw_text(&mut out, scale + i * 10 * scale, scale, line, scale, 0.0);
    }
    out.data[strip * img.width * img.channels..].copy_from_slice(&img.data);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_pixel_sizes() {
        // 256 atoms of 8×8, zoom 4, border 1: a 16×16 grid.
        let atoms: Vec<f64> = (0..256 * 64).map(|v| (v % 7) as f64).collect();
        let g = dictionary_grid(&atoms, 8, 8, 1, GridSpec::default()).unwrap();
        assert_eq!((g.width, g.height), (16 * 32 + 17, 16 * 32 + 17));
        // 100 atoms: 10×10; given 5×20.
        let atoms: Vec<f64> = (0..100 * 64).map(|v| (v % 5) as f64).collect();
        let g = dictionary_grid(&atoms, 8, 8, 1, GridSpec { zoom: 1, ..Default::default() }).unwrap();
        assert_eq!((g.width, g.height), (10 * 8 + 11, 10 * 8 + 11));
        let g = dictionary_grid(&atoms, 8, 8, 1, GridSpec { grid: Some((5, 20)), zoom: 2, border: 2 }).unwrap();
        assert_eq!((g.width, g.height), (20 * 16 + 21 * 2, 5 * 16 + 6 * 2));
        // 10 atoms: 3 rows of 4; a grid too small is refused.
        assert_eq!(grid_shape(10, None), (3, 4));
        assert!(dictionary_grid(&atoms, 8, 8, 1, GridSpec { grid: Some((3, 3)), ..Default::default() }).is_err());
        // A zoom whose tile side overflows is an error, not a panic.
        assert!(dictionary_grid(&atoms, 8, 8, 1, GridSpec { zoom: usize::MAX, ..Default::default() }).is_err());
        // Each tile spans black to white.
        let g = dictionary_grid(&atoms[..64], 8, 8, 1, GridSpec { zoom: 1, border: 0, grid: None }).unwrap();
        assert_eq!(g.data.iter().cloned().fold(f64::INFINITY, f64::min), 0.0);
        assert_eq!(g.data.iter().cloned().fold(0.0, f64::max), 255.0);
    }

    #[test]
    fn text_is_drawn_where_the_font_has_ink_and_clipped() {
        let mut img = Image::new(40, 20, 1, vec![0.0; 800]).unwrap();
        draw_text(&mut img, 2, 3, "I", 1, 1.0);
        // font8x8's `I` (0x1E, 0x0C, …): the top row has ink at columns 1..5.
        let top: Vec<f64> = (0..8).map(|x| img.data[2 * 40 + 3 + x]).collect();
        assert_eq!(top, vec![0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0]);
        assert_eq!(
            img.data.iter().filter(|&&v| v == 1.0).count(),
            {
                use font8x8::UnicodeFonts;
                font8x8::BASIC_FONTS.get('I').unwrap()
            }
            .iter()
            .map(|b| b.count_ones() as usize)
            .sum::<usize>()
        );
        let mut small = Image::new(5, 5, 3, vec![0.0; 75]).unwrap();
        draw_text(&mut small, 3, 3, "WW", 3, 9.0); // clipped, no panic
        assert!(small.data.contains(&9.0));
        assert_eq!(text_size("abc", 2), (16, 48));
    }

    #[test]
    fn stacked_size() {
        let a = Image::new(3, 2, 1, vec![0.0; 6]).unwrap();
        let b = Image::new(5, 4, 3, vec![0.0; 60]).unwrap();
        let s = stacked(&[&a, &b], 1).unwrap();
        assert_eq!((s.width, s.height, s.channels), (7, 9, 3));
    }

    #[test]
    fn side_by_side_size() {
        let a = Image::gray(3, 2, vec![0.0; 6]).unwrap();
        let b = Image::new(4, 5, 3, vec![9.0; 60]).unwrap();
        let s = side_by_side(&[&a, &b], 2, 1).unwrap();
        assert_eq!((s.width, s.height, s.channels), (6 + 8 + 3, 10 + 2, 3));
    }
}
