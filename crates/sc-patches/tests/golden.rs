//! Extraction and reconstruction against scikit-learn's
//! `extract_patches_2d` / `reconstruct_from_patches_2d` (files made by
//! `xtask/python/golden_patches.py`), and the exact round trip as a property.

use std::path::Path;

use proptest::prelude::*;
use sc_patches::image::Image;
use sc_patches::npy::{Array2, read_npy};
use sc_patches::patches::{Patches, extract, reconstruct_average};

fn load(name: &str) -> Array2<f64> {
    read_npy(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(name)).unwrap().to_f64()
}

fn check(prefix: &str, h: usize, w: usize, c: usize, ph: usize, pw: usize) {
    let img = load(&format!("{prefix}.npy"));
    let img = Image::new(w, h, c, img.data).unwrap();
    let ours = extract(&img, ph, pw, 1, 1).unwrap();
    let theirs = load(&format!("{prefix}_patches.npy"));
    assert_eq!((ours.n_patches(), ours.n_features()), (theirs.rows, theirs.cols));
    assert_eq!(ours.data, theirs.data, "{prefix}: extraction differs");

    let q = load(&format!("{prefix}_perturbed.npy"));
    let perturbed = Patches { data: q.data, ..ours };
    let rebuilt = reconstruct_average(&perturbed, None, h, w).unwrap();
    let expected = load(&format!("{prefix}_rebuilt.npy"));
    assert_eq!(rebuilt.data.len(), expected.data.len(), "{prefix}: rebuilt image size");
    for (a, b) in rebuilt.data.iter().zip(&expected.data) {
        assert!((a - b).abs() <= 1e-12 * (1.0 + b.abs()), "{prefix}: {a} vs {b}");
    }
}

#[test]
fn gray_matches_scikit_learn() {
    check("gray", 11, 9, 1, 4, 3);
}

#[test]
fn colour_matches_scikit_learn() {
    check("rgb", 7, 8, 3, 3, 2);
}

proptest! {
    #[test]
    fn extracting_every_patch_and_averaging_gives_the_image_back(
        h in 1usize..20, w in 1usize..20, c in prop::sample::select(vec![1usize, 3]),
        ph in 1usize..6, pw in 1usize..6, seed in any::<u64>()
    ) {
        prop_assume!(ph <= h && pw <= w);
        let mut s = seed;
        let data: Vec<f64> = (0..h * w * c).map(|_| { s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407); (s >> 40) as f64 }).collect();
        let img = Image::new(w, h, c, data).unwrap();
        let p = extract(&img, ph, pw, 1, 1).unwrap();
        // Integer-valued pixels below 2^24: every average is exact.
        prop_assert_eq!(reconstruct_average(&p, None, h, w).unwrap(), img);
    }
}
