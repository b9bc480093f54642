//! Gray images in memory, PNG decoding, and the embedded `camera` image.

use std::path::Path;

use crate::error::{format_err, io_err, Result};

/// The bytes of scikit-image's `camera` (512×512, 8-bit gray, CC0; see
/// `data/README.md`).
pub const CAMERA_PNG: &[u8] = include_bytes!("../data/camera.png");

/// Weights of scikit-image's `rgb2gray` (ITU-R BT.709 luma).
pub const RGB_TO_GRAY: [f64; 3] = [0.2125, 0.7154, 0.0721];

/// A gray image: `height` rows of `width` pixels, row-major, as `f64`.
#[derive(Debug, Clone, PartialEq)]
pub struct GrayImage {
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
    /// Pixels, row after row (`data[r * width + c]`).
    pub data: Vec<f64>,
}

impl GrayImage {
    /// An image from its pixels; `data.len()` must be `width × height`.
    pub fn new(width: usize, height: usize, data: Vec<f64>) -> Option<Self> {
        (data.len() == width * height).then_some(Self { width, height, data })
    }

    /// Pixel at row `r`, column `c`.
    #[inline]
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[r * self.width + c]
    }
}

/// The embedded `camera` image, values 0..255.
pub fn camera() -> GrayImage {
    decode_png(CAMERA_PNG, Path::new("<embedded camera>")).expect("the embedded camera image is a valid PNG")
}

/// Decodes a PNG (8- or 16-bit; gray, gray+alpha, RGB, RGBA or palette) to
/// gray. 8-bit values keep the 0..255 scale and 16-bit values are scaled to
/// it (v / 257); colour goes through [`RGB_TO_GRAY`]; alpha is dropped.
pub fn decode_png(bytes: &[u8], path: &Path) -> Result<GrayImage> {
    let bad = |e: png::DecodingError| format_err(path, format!("not a readable PNG ({e})"));
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(bad)?;
    let size = reader.output_buffer_size().ok_or_else(|| format_err(path, "PNG too large"))?;
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    let (w, h) = (info.width as usize, info.height as usize);
    let channels = match info.color_type {
        png::ColorType::Grayscale => 1,
        png::ColorType::GrayscaleAlpha => 2,
        png::ColorType::Rgb => 3,
        png::ColorType::Rgba => 4,
        png::ColorType::Indexed => return Err(format_err(path, "palette PNG was not expanded")),
    };
    let sixteen = info.bit_depth == png::BitDepth::Sixteen;
    let sample = |i: usize| -> f64 {
        if sixteen {
            u16::from_be_bytes([buf[2 * i], buf[2 * i + 1]]) as f64 / 257.0
        } else {
            buf[i] as f64
        }
    };
    let mut data = Vec::with_capacity(w * h);
    for r in 0..h {
        let row0 = r * info.line_size / if sixteen { 2 } else { 1 };
        for c in 0..w {
            let p = row0 + c * channels;
            let v = if channels >= 3 {
                RGB_TO_GRAY[0] * sample(p) + RGB_TO_GRAY[1] * sample(p + 1) + RGB_TO_GRAY[2] * sample(p + 2)
            } else {
                sample(p)
            };
            data.push(v);
        }
    }
    Ok(GrayImage { width: w, height: h, data })
}

/// Reads a PNG file as gray.
pub fn read_png(path: &Path) -> Result<GrayImage> {
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    decode_png(&bytes, path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn camera_is_512_square_8_bit() {
        let img = camera();
        assert_eq!((img.width, img.height), (512, 512));
        assert!(img.data.iter().all(|&v| (0.0..=255.0).contains(&v) && v.fract() == 0.0));
        // Not a constant image.
        let mean = img.data.iter().sum::<f64>() / img.data.len() as f64;
        assert!(mean > 50.0 && mean < 200.0);
    }
}
