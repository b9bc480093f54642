//! Patch extraction: patches as the columns of a signal matrix.
//!
//! The order is scikit-learn's `extract_patches_2d(img, (ph, pw))` followed
//! by `.reshape(n, -1)`: patches row-major by their top-left corner, and
//! pixels row-major inside a patch. The buffer is column-major with
//! `ph·pw` rows: exactly the bytes of that NumPy array.

use crate::image::GrayImage;

/// A matrix of patches, one per column (column-major, `n_features` rows).
#[derive(Debug, Clone, PartialEq)]
pub struct Patches {
    /// Patch height.
    pub patch_height: usize,
    /// Patch width.
    pub patch_width: usize,
    /// Top-left corner `(row, col)` of each patch.
    pub corners: Vec<(usize, usize)>,
    /// Pixels, patch after patch.
    pub data: Vec<f64>,
}

impl Patches {
    /// `patch_height × patch_width`.
    pub fn n_features(&self) -> usize {
        self.patch_height * self.patch_width
    }
    /// Number of patches.
    pub fn n_patches(&self) -> usize {
        self.corners.len()
    }
    /// Subtracts each patch's mean and returns the means.
    pub fn remove_mean(&mut self) -> Vec<f64> {
        let n = self.n_features();
        self.data
            .chunks_exact_mut(n)
            .map(|p| {
                let m = p.iter().sum::<f64>() / n as f64;
                p.iter_mut().for_each(|v| *v -= m);
                m
            })
            .collect()
    }
}

/// Every `ph × pw` patch whose corner lies on the grid of the strides
/// (stride 1: all of them, as scikit-learn). `None` if the patch is larger
/// than the image or a stride is 0.
pub fn extract(img: &GrayImage, ph: usize, pw: usize, stride_r: usize, stride_c: usize) -> Option<Patches> {
    if ph == 0 || pw == 0 || ph > img.height || pw > img.width || stride_r == 0 || stride_c == 0 {
        return None;
    }
    let corners: Vec<(usize, usize)> =
        (0..=img.height - ph).step_by(stride_r).flat_map(|r| (0..=img.width - pw).step_by(stride_c).map(move |c| (r, c))).collect();
    let mut data = Vec::with_capacity(corners.len() * ph * pw);
    for &(r, c) in &corners {
        for i in 0..ph {
            let row = (r + i) * img.width + c;
            data.extend_from_slice(&img.data[row..row + pw]);
        }
    }
    Some(Patches { patch_height: ph, patch_width: pw, corners, data })
}

/// Averages overlapping patches back into a `height × width` image, as
/// scikit-learn's `reconstruct_from_patches_2d`: each pixel is the mean of
/// the patch pixels that cover it (0 where none does). `means`, if given,
/// are added back to each patch first (see [`Patches::remove_mean`]).
pub fn reconstruct_average(p: &Patches, means: Option<&[f64]>, height: usize, width: usize) -> Option<GrayImage> {
    let (ph, pw) = (p.patch_height, p.patch_width);
    if p.corners.iter().any(|&(r, c)| r + ph > height || c + pw > width) || means.is_some_and(|m| m.len() != p.n_patches()) {
        return None;
    }
    let mut sum = vec![0.0; height * width];
    let mut count = vec![0u32; height * width];
    for (k, &(r, c)) in p.corners.iter().enumerate() {
        let m = means.map_or(0.0, |m| m[k]);
        let patch = &p.data[k * ph * pw..(k + 1) * ph * pw];
        for i in 0..ph {
            let row = (r + i) * width + c;
            for j in 0..pw {
                sum[row + j] += patch[i * pw + j] + m;
                count[row + j] += 1;
            }
        }
    }
    let data = sum.iter().zip(&count).map(|(&s, &n)| if n > 0 { s / n as f64 } else { 0.0 }).collect();
    GrayImage::new(width, height, data)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn patches_are_in_scikit_learn_order() {
        let img = GrayImage::new(4, 3, (0..12).map(|v| v as f64).collect()).unwrap();
        let p = extract(&img, 2, 2, 1, 1).unwrap();
        assert_eq!(p.n_patches(), 6);
        assert_eq!(&p.data[..4], &[0.0, 1.0, 4.0, 5.0]);
        assert_eq!(&p.data[4..8], &[1.0, 2.0, 5.0, 6.0]);
        assert_eq!(p.corners[3], (1, 0));
        assert!(extract(&img, 4, 2, 1, 1).is_none());
        assert!(extract(&img, 2, 2, 0, 1).is_none());
        let back = reconstruct_average(&p, None, 3, 4).unwrap();
        assert_eq!(back, img);
        let s = extract(&img, 2, 2, 1, 2).unwrap();
        assert_eq!(s.corners, vec![(0, 0), (0, 2), (1, 0), (1, 2)]);
    }
}
