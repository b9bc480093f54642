//! Image quality measures: the peak signal-to-noise ratio, over the whole
//! image or over some of its pixels.

use sc_patches::image::Image;

/// Peak signal-to-noise ratio in dB for values of range `peak` (255 for
/// 8-bit scale).
pub fn psnr(reference: &Image, test: &Image, peak: f64) -> f64 {
    psnr_known(reference, test, peak, None)
}

/// [`psnr`] over the pixels whose flag in `pixels.0` (one per pixel, row by
/// row) equals `pixels.1` (every channel of them), or over all pixels.
pub fn psnr_known(reference: &Image, test: &Image, peak: f64, pixels: Option<(&[bool], bool)>) -> f64 {
    let ch = reference.channels.max(1);
    let (mut sum, mut count) = (0.0, 0usize);
    for (i, (a, b)) in reference.data.iter().zip(&test.data).enumerate() {
        if pixels.is_none_or(|(flags, want)| flags.get(i / ch) == Some(&want)) {
            sum += (a - b) * (a - b);
            count += 1;
        }
    }
    10.0 * (peak * peak / (sum / count.max(1) as f64)).log10()
}
