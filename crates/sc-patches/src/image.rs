//! Images in memory and on disk: PNG (8/16-bit, gray/RGB), PGM/PPM, `.npy`
//! float arrays, and the embedded `camera` image.
//!
//! Pixels are `f64`, row-major, channels interleaved. The scale is stated
//! by the caller ([`Scale`]): 0..255 (the default, as scikit-image's `camera`
//! as uint8) or 0..1 (as `img_as_float`). 16-bit files map 0..65535 onto the
//! same scale. `.npy` images are taken as they are (exact floats).

use std::path::Path;

use crate::atomic::write_all_atomic;
use crate::error::{Error, Result, format_err, io_err};
use crate::npy;

/// The bytes of scikit-image's `camera` (512×512, 8-bit gray, CC0; see
/// `data/README.md`).
pub const CAMERA_PNG: &[u8] = include_bytes!("../data/camera.png");

/// Weights of scikit-image's `rgb2gray` (ITU-R BT.709 luma).
pub const RGB_TO_GRAY: [f64; 3] = [0.2125, 0.7154, 0.0721];

/// An image: `height` rows of `width` pixels of `channels` values
/// (1: gray, 3: RGB), row-major, interleaved.
#[derive(Debug, Clone, PartialEq)]
pub struct Image {
    /// Number of columns.
    pub width: usize,
    /// Number of rows.
    pub height: usize,
    /// Values per pixel (1 or 3).
    pub channels: usize,
    /// `data[(r * width + c) * channels + ch]`.
    pub data: Vec<f64>,
}

/// The value range pixel values are given in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scale {
    /// 0..255 (8-bit files as they are; 16-bit files divided by 257).
    #[default]
    Byte,
    /// 0..1.
    Unit,
}

impl Scale {
    fn max(self) -> f64 {
        match self {
            Scale::Byte => 255.0,
            Scale::Unit => 1.0,
        }
    }
}

/// How to read an image file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ReadOptions {
    /// Convert colour to gray with [`RGB_TO_GRAY`].
    pub gray: bool,
    /// The scale of the values returned (ignored for `.npy`).
    pub scale: Scale,
    /// Refuse files whose bit depth is not this one (8 or 16).
    pub require_bit_depth: Option<u8>,
}

impl Image {
    /// An image from its values; an error unless `channels` is 1 or 3 and
    /// `data.len()` is `width × height × channels`.
    pub fn new(width: usize, height: usize, channels: usize, data: Vec<f64>) -> Result<Self> {
        if !matches!(channels, 1 | 3) {
            return Err(Error::Shape(format!("an image has 1 or 3 channels, not {channels}")));
        }
        let want = width.checked_mul(height).and_then(|p| p.checked_mul(channels));
        if want != Some(data.len()) {
            return Err(Error::Shape(format!("{} values for a {height}×{width}×{channels} image", data.len())));
        }
        Ok(Self { width, height, channels, data })
    }

    /// A gray image.
    pub fn gray(width: usize, height: usize, data: Vec<f64>) -> Result<Self> {
        Self::new(width, height, 1, data)
    }

    /// Value at row `r`, column `c`, channel 0.
    #[inline]
    pub fn at(&self, r: usize, c: usize) -> f64 {
        self.data[(r * self.width + c) * self.channels]
    }

    /// The gray version (a copy if already gray).
    pub fn to_gray(&self) -> Image {
        if self.channels == 1 {
            return self.clone();
        }
        let data = self.data.chunks_exact(3).map(|p| RGB_TO_GRAY[0] * p[0] + RGB_TO_GRAY[1] * p[1] + RGB_TO_GRAY[2] * p[2]).collect();
        Image { width: self.width, height: self.height, channels: 1, data }
    }

    /// Channel `k` as a gray image (a copy); an error if there is no such
    /// channel.
    pub fn channel(&self, k: usize) -> Result<Image> {
        if k >= self.channels {
            return Err(Error::Shape(format!("no channel {k} in an image of {} channels", self.channels)));
        }
        let data = self.data.iter().skip(k).step_by(self.channels).copied().collect();
        Ok(Image { width: self.width, height: self.height, channels: 1, data })
    }

    /// Sets channel `k` to the gray image `plane` (its inverse of
    /// [`channel`](Self::channel)); an error if there is no such channel or
    /// the sizes differ.
    pub fn set_channel(&mut self, k: usize, plane: &Image) -> Result<()> {
        if k >= self.channels || plane.channels != 1 || plane.width != self.width || plane.height != self.height {
            return Err(Error::Mismatch);
        }
        for (px, &v) in self.data.chunks_exact_mut(self.channels).zip(&plane.data) {
            px[k] = v;
        }
        Ok(())
    }

    /// Values multiplied by `factor` (to change scale).
    pub fn scaled(mut self, factor: f64) -> Image {
        self.data.iter_mut().for_each(|v| *v *= factor);
        self
    }
}

/// The embedded `camera` image, values 0..255.
pub fn camera() -> Image {
    decode_png(CAMERA_PNG, Path::new("<embedded camera>"), ReadOptions::default()).expect("the embedded camera image is a valid PNG")
}

/// Deflate's largest expansion (1032:1), rounded up.
const MAX_DEFLATE_RATIO: usize = 1100;

/// Decodes a PNG (8- or 16-bit; gray, gray+alpha, RGB, RGBA or palette).
/// Alpha is dropped.
pub fn decode_png(bytes: &[u8], path: &Path, opts: ReadOptions) -> Result<Image> {
    let bad = |e: png::DecodingError| format_err(path, format!("not a readable PNG ({e})"));
    let mut decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    decoder.set_transformations(png::Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(bad)?;
    let size = reader.output_buffer_size().ok_or_else(|| format_err(path, "PNG too large"))?;
    // Deflate expands at most about 1032:1: a header announcing more pixels
    // than the file can hold is refused before the buffer is allocated (a
    // 92-byte PNG asking for 30 GB was found by fuzzing).
    let info = reader.info();
    let raw = info.raw_row_length().saturating_add(1).saturating_mul(info.height as usize);
    if raw > bytes.len().saturating_mul(MAX_DEFLATE_RATIO).saturating_add(1 << 16) {
        let (w, h) = (info.width, info.height);
        return Err(format_err(
            path,
            format!("truncated: the header announces {w}×{h} pixels, more than a file of {} bytes holds", bytes.len()),
        ));
    }
    let mut buf = vec![0u8; size];
    let info = reader.next_frame(&mut buf).map_err(bad)?;
    let (w, h) = (info.width as usize, info.height as usize);
    let (src_channels, colour) = match info.color_type {
        png::ColorType::Grayscale => (1, false),
        png::ColorType::GrayscaleAlpha => (2, false),
        png::ColorType::Rgb => (3, true),
        png::ColorType::Rgba => (4, true),
        png::ColorType::Indexed => return Err(format_err(path, "palette PNG was not expanded")),
    };
    let sixteen = info.bit_depth == png::BitDepth::Sixteen;
    let depth = if sixteen { 16 } else { 8 };
    if let Some(want) = opts.require_bit_depth
        && want != depth
    {
        return Err(format_err(path, format!("a {depth}-bit PNG where a {want}-bit one is required")));
    }
    let full = if sixteen { 65535.0 } else { 255.0 };
    let k = opts.scale.max() / full;
    let sample = |i: usize| -> f64 {
        let v = if sixteen { u16::from_be_bytes([buf[2 * i], buf[2 * i + 1]]) as f64 } else { buf[i] as f64 };
        v * k
    };
    let per_row = info.line_size / if sixteen { 2 } else { 1 };
    let out_channels = if colour { 3 } else { 1 };
    let mut data = Vec::with_capacity(w * h * out_channels);
    for r in 0..h {
        for c in 0..w {
            let p = r * per_row + c * src_channels;
            for ch in 0..out_channels {
                data.push(sample(p + ch));
            }
        }
    }
    let img = Image { width: w, height: h, channels: out_channels, data };
    Ok(if opts.gray { img.to_gray() } else { img })
}

/// Decodes a binary or ASCII PGM/PPM (P2, P3, P5, P6; maxval up to 65535).
pub fn decode_pnm(bytes: &[u8], path: &Path, opts: ReadOptions) -> Result<Image> {
    let bad = |what: &str| format_err(path, format!("not a readable PGM/PPM ({what})"));
    let mut pos = 0usize;
    let mut token = || -> Option<String> {
        loop {
            while pos < bytes.len() && bytes[pos].is_ascii_whitespace() {
                pos += 1;
            }
            if pos < bytes.len() && bytes[pos] == b'#' {
                while pos < bytes.len() && bytes[pos] != b'\n' {
                    pos += 1;
                }
                continue;
            }
            break;
        }
        let start = pos;
        while pos < bytes.len() && !bytes[pos].is_ascii_whitespace() {
            pos += 1;
        }
        (pos > start).then(|| String::from_utf8_lossy(&bytes[start..pos]).into_owned())
    };
    let magic = token().ok_or_else(|| bad("empty"))?;
    let (channels, binary) = match magic.as_str() {
        "P2" => (1, false),
        "P5" => (1, true),
        "P3" => (3, false),
        "P6" => (3, true),
        _ => return Err(bad("unknown magic number")),
    };
    let mut num = |what: &str| -> Result<usize> { token().and_then(|t| t.parse().ok()).ok_or_else(|| bad(what)) };
    let (w, h, maxval) = (num("width")?, num("height")?, num("maxval")?);
    if maxval == 0 || maxval > 65535 {
        return Err(bad("maxval out of range"));
    }
    let depth = if maxval > 255 { 16 } else { 8 };
    if let Some(want) = opts.require_bit_depth
        && want != depth
    {
        return Err(format_err(path, format!("a {depth}-bit image where a {want}-bit one is required")));
    }
    let n = w.checked_mul(h).and_then(|v| v.checked_mul(channels)).ok_or_else(|| bad("size overflows"))?;
    let k = opts.scale.max() / maxval as f64;
    let mut data = Vec::with_capacity(n.min(bytes.len()));
    if binary {
        let start = pos + 1; // one whitespace after maxval
        let bpv = if maxval > 255 { 2 } else { 1 };
        let need = n.checked_mul(bpv).ok_or_else(|| bad("size overflows"))?;
        if start.checked_add(need).is_none_or(|end| end > bytes.len()) {
            return Err(format_err(path, "truncated: fewer pixels than the header announces"));
        }
        let raw = &bytes[start..start + need];
        for i in 0..n {
            let v = if bpv == 2 { u16::from_be_bytes([raw[2 * i], raw[2 * i + 1]]) as u32 } else { raw[i] as u32 };
            data.push(v);
        }
    } else {
        for _ in 0..n {
            let v = token()
                .and_then(|t| t.parse::<u32>().ok())
                .ok_or_else(|| format_err(path, "truncated: fewer pixels than the header announces"))?;
            data.push(v);
        }
    }
    // The header declares the range: a value past it is a damaged file,
    // not a brighter pixel.
    if let Some(i) = data.iter().position(|&v| v as usize > maxval) {
        return Err(format_err(
            path,
            format!("value {} at pixel {} is above the maxval {maxval} its header declares", data[i], i / channels),
        ));
    }
    let data = data.into_iter().map(|v| v as f64 * k).collect();
    let img = Image { width: w, height: h, channels, data };
    Ok(if opts.gray { img.to_gray() } else { img })
}

/// Reads an image by extension: `.png`, `.pgm`/`.ppm`/`.pnm`, or `.npy`
/// (a 2-D float array, gray, or a C-order `(h, w, 3)` one, RGB; values as
/// they are). The name `camera` (with
/// no such file) is the embedded image.
pub fn read_image(path: &Path, opts: ReadOptions) -> Result<Image> {
    if path.as_os_str() == "camera" && !path.exists() {
        let img = camera();
        return Ok(if opts.scale == Scale::Unit { img.scaled(1.0 / 255.0) } else { img });
    }
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if ext == "npy" {
        let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
        let (a, channels) = npy::read_npy_channels(&bytes, path, true)?;
        let a = a.to_f64();
        let img = Image { width: a.cols / channels, height: a.rows, channels, data: a.data };
        return Ok(if opts.gray && channels == 3 { img.to_gray() } else { img });
    }
    let bytes = std::fs::read(path).map_err(|e| io_err(path, e))?;
    match ext.as_str() {
        "png" => decode_png(&bytes, path, opts),
        "pgm" | "ppm" | "pnm" => decode_pnm(&bytes, path, opts),
        _ => Err(format_err(path, "unknown image type (expected .png, .pgm, .ppm or .npy)")),
    }
}

/// Bit depth of a written file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BitDepth {
    /// 8 bits per value.
    #[default]
    Eight,
    /// 16 bits per value.
    Sixteen,
}

fn quantise(img: &Image, scale: Scale, depth: BitDepth) -> Vec<u16> {
    let full = if depth == BitDepth::Sixteen { 65535.0 } else { 255.0 };
    let k = full / scale.max();
    img.data.iter().map(|&v| (v * k).round().clamp(0.0, full) as u16).collect()
}

/// The bytes of a PNG of `img` (values in `scale`, clamped and rounded).
pub fn encode_png(img: &Image, scale: Scale, depth: BitDepth) -> Vec<u8> {
    let q = quantise(img, scale, depth);
    let mut out = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut out, img.width as u32, img.height as u32);
        enc.set_color(if img.channels == 3 { png::ColorType::Rgb } else { png::ColorType::Grayscale });
        enc.set_depth(if depth == BitDepth::Sixteen { png::BitDepth::Sixteen } else { png::BitDepth::Eight });
        let mut w = enc.write_header().expect("writing to memory");
        let bytes: Vec<u8> = match depth {
            BitDepth::Eight => q.iter().map(|&v| v as u8).collect(),
            BitDepth::Sixteen => q.iter().flat_map(|&v| v.to_be_bytes()).collect(),
        };
        w.write_image_data(&bytes).expect("writing to memory");
    }
    out
}

/// The bytes of a binary PGM (gray) or PPM (RGB) of `img`.
pub fn encode_pnm(img: &Image, scale: Scale, depth: BitDepth) -> Vec<u8> {
    let q = quantise(img, scale, depth);
    let magic = if img.channels == 3 { "P6" } else { "P5" };
    let maxval = if depth == BitDepth::Sixteen { 65535 } else { 255 };
    let mut out = format!("{magic}\n{} {}\n{maxval}\n", img.width, img.height).into_bytes();
    for v in q {
        if depth == BitDepth::Sixteen {
            out.extend_from_slice(&v.to_be_bytes());
        } else {
            out.push(v as u8);
        }
    }
    out
}

/// Writes an image atomically, by extension: `.png`, `.pgm`/`.ppm`, or
/// `.npy` (gray only: the exact floats, shape `(height, width)`).
pub fn write_image(path: &Path, img: &Image, scale: Scale, depth: BitDepth) -> Result<()> {
    let bytes = encode_image(path, img, scale, depth)?;
    write_all_atomic(&[(path, &bytes)])
}

/// The bytes [`write_image`] writes to `path` (its extension picks the
/// format), for a caller that writes several files at once
/// ([`crate::write_all_atomic`]).
pub fn encode_image(path: &Path, img: &Image, scale: Scale, depth: BitDepth) -> Result<Vec<u8>> {
    let ext = path.extension().map(|e| e.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let bytes = match ext.as_str() {
        "png" => encode_png(img, scale, depth),
        "pgm" | "ppm" | "pnm" => encode_pnm(img, scale, depth),
        "npy" => {
            if img.channels == 3 {
                return Ok(npy::npy_bytes(&[img.height, img.width, 3], &img.data));
            }
            return npy::encode_npy(path, img.height, img.width, &img.data);
        }
        _ => return Err(format_err(path, "unknown image type (expected .png, .pgm, .ppm or .npy)")),
    };
    Ok(bytes)
}

/// Refuses a `ph × pw` patch (or a stride `sr × sc`) that is empty or
/// larger than `img`.
pub(crate) fn check_patch(img: &Image, ph: usize, pw: usize, sr: usize, sc: usize) -> Result<()> {
    if ph == 0 || pw == 0 {
        return Err(Error::Zero("the patch size"));
    }
    if sr == 0 || sc == 0 {
        return Err(Error::Zero("the stride"));
    }
    if ph > img.height || pw > img.width {
        return Err(Error::PatchTooLarge { ph, pw, height: img.height, width: img.width });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `channel` takes one channel out, `set_channel` puts it back; both
    /// refuse a channel that is not there or a plane of another size.
    #[test]
    fn channels_come_out_and_go_back() {
        let mut img = Image::new(2, 1, 3, vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
        let g = img.channel(1).unwrap();
        assert_eq!((g.width, g.height, g.channels, g.data.clone()), (2, 1, 1, vec![2.0, 5.0]));
        img.set_channel(2, &g).unwrap();
        assert_eq!(img.data, vec![1.0, 2.0, 2.0, 4.0, 5.0, 5.0]);
        assert!(img.channel(3).is_err());
        assert!(img.set_channel(3, &g).is_err());
        assert!(img.set_channel(0, &Image::gray(1, 2, vec![0.0, 0.0]).unwrap()).is_err());
        assert!(img.set_channel(0, &img.clone()).is_err());
    }

    #[test]
    fn camera_is_512_square_8_bit() {
        let img = camera();
        assert_eq!((img.width, img.height, img.channels), (512, 512, 1));
        assert!(img.data.iter().all(|&v| (0.0..=255.0).contains(&v) && v.fract() == 0.0));
        let mean = img.data.iter().sum::<f64>() / img.data.len() as f64;
        assert!(mean > 50.0 && mean < 200.0);
        let png = encode_png(&img, Scale::Byte, BitDepth::Eight);
        assert_eq!(decode_png(&png, Path::new("m"), ReadOptions::default()).unwrap(), img);
    }

    fn ramp(w: usize, h: usize, c: usize) -> Image {
        Image::new(w, h, c, (0..w * h * c).map(|i| (i * 37 % 256) as f64).collect()).unwrap()
    }

    #[test]
    fn every_format_round_trips() {
        let p = Path::new("mem");
        for c in [1, 3] {
            let img = ramp(7, 5, c);
            for depth in [BitDepth::Eight, BitDepth::Sixteen] {
                let o = ReadOptions::default();
                assert_eq!(decode_png(&encode_png(&img, Scale::Byte, depth), p, o).unwrap(), img);
                assert_eq!(decode_pnm(&encode_pnm(&img, Scale::Byte, depth), p, o).unwrap(), img);
            }
            // 0..1 scale: 16-bit keeps 1/65535 steps.
            let unit = img.clone().scaled(1.0 / 255.0);
            let back =
                decode_png(&encode_png(&unit, Scale::Unit, BitDepth::Sixteen), p, ReadOptions { scale: Scale::Unit, ..Default::default() })
                    .unwrap();
            assert!(back.data.iter().zip(&unit.data).all(|(a, b)| (a - b).abs() < 1e-5));
        }
        // Gray conversion uses rgb2gray's weights.
        let rgb = Image::new(1, 1, 3, vec![100.0, 200.0, 50.0]).unwrap();
        assert!((rgb.to_gray().data[0] - (0.2125 * 100.0 + 0.7154 * 200.0 + 0.0721 * 50.0)).abs() < 1e-12);
        // ASCII PGM.
        let ascii = b"P2\n# comment\n2 2\n255\n0 10\n20 255\n";
        assert_eq!(decode_pnm(ascii, p, ReadOptions::default()).unwrap().data, vec![0.0, 10.0, 20.0, 255.0]);
    }

    #[test]
    fn files_round_trip_through_write_and_read() {
        let dir = std::env::temp_dir().join(format!("sc-patches-img-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let gray = Image::gray(5, 4, (0..20).map(|v| v as f64 * 0.37 - 2.0).collect()).unwrap();
        // .npy keeps floats exact, negative values included.
        write_image(&dir.join("g.npy"), &gray, Scale::Byte, BitDepth::Eight).unwrap();
        assert_eq!(read_image(&dir.join("g.npy"), ReadOptions::default()).unwrap(), gray);
        let rgb = ramp(6, 3, 3);
        for name in ["c.png", "c.ppm"] {
            write_image(&dir.join(name), &rgb, Scale::Byte, BitDepth::Sixteen).unwrap();
            assert_eq!(read_image(&dir.join(name), ReadOptions::default()).unwrap(), rgb);
            let g = read_image(&dir.join(name), ReadOptions { gray: true, ..Default::default() }).unwrap();
            assert_eq!(g.channels, 1);
        }
        // An RGB .npy is (h, w, 3), channels last, exact; read as gray on request.
        write_image(&dir.join("c.npy"), &rgb, Scale::Byte, BitDepth::Eight).unwrap();
        assert_eq!(read_image(&dir.join("c.npy"), ReadOptions::default()).unwrap(), rgb);
        assert_eq!(read_image(&dir.join("c.npy"), ReadOptions { gray: true, ..Default::default() }).unwrap(), rgb.to_gray());
        assert!(read_image(&dir.join("nothing.png"), ReadOptions::default()).is_err());
        assert!(read_image(&dir.join("x.gif"), ReadOptions::default()).is_err());
        std::fs::remove_dir_all(&dir).ok();
    }

    /// Found by fuzzing: a tiny PNG whose header announces 253 × 117,440,515
    /// pixels made the decoder allocate 30 GB (here with valid checksums).
    #[test]
    fn a_png_larger_than_its_file_can_hold_is_refused_before_allocating() {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut c = !0u32;
            for &b in bytes {
                c ^= b as u32;
                for _ in 0..8 {
                    c = if c & 1 != 0 { 0xEDB8_8320 ^ (c >> 1) } else { c >> 1 };
                }
            }
            !c
        }
        fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
            out.extend((data.len() as u32).to_be_bytes());
            let start = out.len();
            out.extend(kind);
            out.extend(data);
            let crc = crc32(&out[start..]);
            out.extend(crc.to_be_bytes());
        }
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        let mut ihdr = Vec::new();
        ihdr.extend(253u32.to_be_bytes());
        ihdr.extend(0x0700_0003u32.to_be_bytes());
        ihdr.extend([8, 0, 0, 0, 0]);
        chunk(&mut png, b"IHDR", &ihdr);
        chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x63, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01]);
        chunk(&mut png, b"IEND", &[]);
        let err = decode_png(&png, Path::new("crash.png"), ReadOptions::default()).unwrap_err().to_string();
        assert!(err.contains("253×117440515 pixels, more than a file of"), "{err}");
    }

    #[test]
    fn damaged_and_unexpected_files_are_errors() {
        let p = Path::new("x");
        let o = ReadOptions::default();
        let png = encode_png(&ramp(8, 8, 1), Scale::Byte, BitDepth::Eight);
        assert!(decode_png(&png[..png.len() / 2], p, o).is_err());
        assert!(decode_png(b"garbage", p, o).is_err());
        let png16 = encode_png(&ramp(4, 4, 1), Scale::Byte, BitDepth::Sixteen);
        let err = decode_png(&png16, p, ReadOptions { require_bit_depth: Some(8), ..o }).unwrap_err().to_string();
        assert!(err.contains("16-bit"), "{err}");
        let pgm = encode_pnm(&ramp(8, 8, 1), Scale::Byte, BitDepth::Eight);
        assert!(decode_pnm(&pgm[..pgm.len() - 5], p, o).unwrap_err().to_string().contains("truncated"));
        assert!(decode_pnm(b"P7\n1 1\n255\n", p, o).is_err());
        assert!(decode_pnm(b"P5\n99999999999 99999999999\n255\n", p, o).is_err());
    }
}
