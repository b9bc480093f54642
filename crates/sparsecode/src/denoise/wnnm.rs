//! Weighted nuclear norm minimisation (WNNM: Gu, Zhang, Zuo & Feng,
//! "Weighted nuclear norm minimization with application to image
//! denoising", CVPR 2014), implemented from the paper: every reference
//! patch on a grid is grouped with its most similar patches (block matching
//! on the current estimate), the group — a `n × m` matrix of `m` patches of
//! `n` pixels, its mean column removed — is shrunk in its own SVD basis, each
//! singular value by a weight inversely proportional to the clean signal's
//! (the closed form of [`shrink_singular_value`]), and the estimates of the
//! overlapping patches are averaged. Iterative regularisation: each
//! iteration starts from the last estimate with a fraction `δ` of the
//! residual `y − x` added back, and the noise left in it is estimated again
//! for each reference patch, `σᵣ = κ·√|σ² − mean((y − x)²)|`; the groups are
//! matched again every few iterations.
//!
//! The group's SVD comes from the eigendecomposition of its `n × n` Gram
//! matrix `Y Yᵀ` (singular values the square roots of its eigenvalues, the
//! left singular vectors its eigenvectors), and the estimate is
//! `U_r diag(f) U_rᵀ Y` over the `r` directions the shrinkage keeps, `fᵢ` the
//! ratio of shrunk to noisy singular value: no `m`-sided factor is formed.
//! Only the eigenpairs the shrinkage keeps are computed
//! ([`sc_linalg::eigen_above`]: 3× faster than faer's full eigensolver
//! here, where it was 40% of the run).
//!
//! Parameters ([`Wnnm::new`]): the paper's patch sides (6, 7, 8, 9 up to
//! σ = 20, 40, 60 and beyond), group sizes (70, 90, 120, 140, ten fewer at
//! each matching), noise factors (0.54–0.58) and `δ = 0.1`; the noise
//! re-estimate applies from the first iteration (where it gives `κσ`: the
//! first pass shrinks gently). Chosen on the six gray images of `cargo
//! xtask denoise-eval` (camera, coins, moon, chelsea, coffee, brick), within
//! BM3D's time on each: at σ = 25 (references every 5 pixels, 8
//! iterations) `c = 4` gave +0.12 dB over BM3D on average, no image below
//! it; `c = 4√2` −0.05 (brick +0.64 but camera −0.27); the noise at the
//! first iteration taken as σ itself instead of `κσ`, +0.07 (camera and
//! coins −0.1; with `c = 2√2` and `κ = 0.7`, the same). At σ = 15, `c = 3.5` and references
//! every 4 pixels (+0.08; every 5 pixels: +0.01 with `c = 3`, −0.02 with
//! 4, −0.15 with 5). At σ = 50 references every 7 pixels (+0.27 dB at 0.8
//! of BM3D's time; every 5: +0.35 at 1.5 of it, every 6: +0.32 at 1.1).
//! Against the paper, for time: references every 4–7 pixels (its 2 or 3),
//! a window of 41 × 41 (its 61), and 8 iterations at every σ (its 8, 12,
//! 14).

use faer::linalg::matmul::matmul;
use faer::{Accum, MatMut, MatRef, Par};
use rayon::prelude::*;
use sc_linalg::eigen_above::{EigenAbove, eigen_above};
use sc_linalg::kernels::widest_simd;
use sc_patches::image::Image;
use sc_patches::matching::nearest_patches_into;
use sc_patches::patches::Accumulator;

use super::nonlocal::reference_grid;
use super::{DenoiseError, DenoiseReport, at_least_one, check_patch_side};

/// WNNM's parameters (see the module's documentation).
#[derive(Debug, Clone, PartialEq)]
pub struct Wnnm {
    /// Square patch side.
    pub patch: usize,
    /// Patches per group at the first matching (the reference included).
    pub group: usize,
    /// Patches fewer at each later matching (the estimate is cleaner, fewer
    /// patches are similar enough).
    pub group_decrement: usize,
    /// Iterations of regularisation.
    pub iterations: usize,
    /// Groups matched again every this many iterations.
    pub rematch_every: usize,
    /// Reference patches every `step` pixels (the last row and column
    /// always included).
    pub step: usize,
    /// Half side of the search window, in pixels.
    pub radius: usize,
    /// The fraction `δ` of the residual added back at each iteration.
    pub delta: f64,
    /// The weights' constant: singular value `i` is shrunk by
    /// `c·√m·σ²/σᵢ(X)` for a group of `m` patches.
    pub c: f64,
    /// The factor `κ` of the noise re-estimate.
    pub noise_factor: f64,
}

impl Wnnm {
    /// The parameters for noise `sigma` (on 0..255): the paper's patch
    /// sides, group sizes and noise factors by σ; fewer references (every
    /// 5 pixels, the paper's 2 or 3), a smaller window (20, the paper's 30)
    /// and fewer iterations than the paper's, for time; the weights'
    /// constant `c` measured (see the module's documentation).
    pub fn new(sigma: f64) -> Self {
        // (patch side, group size, noise factor κ, reference step, c)
        let (patch, group, noise_factor, step, c) = if sigma <= 20.0 {
            (6, 70, 0.54, 4, 3.5)
        } else if sigma <= 40.0 {
            (7, 90, 0.56, 5, 4.0)
        } else if sigma <= 60.0 {
            (8, 120, 0.58, 7, 4.0)
        } else {
            (9, 140, 0.58, 7, 4.0)
        };
        Self { patch, group, group_decrement: 10, iterations: 8, rematch_every: 2, step, radius: 20, delta: 0.1, c, noise_factor }
    }

    /// Checks every parameter, before any pixel is read.
    pub fn check(&self) -> Result<(), DenoiseError> {
        at_least_one(&[
            ("wnnm.patch", self.patch),
            ("wnnm.group", self.group),
            ("wnnm.iterations", self.iterations),
            ("wnnm.rematch_every", self.rematch_every),
            ("wnnm.step", self.step),
        ])?;
        check_patch_side(self.patch)?;
        if !(0.0..=1.0).contains(&self.delta) {
            return Err(DenoiseError::Invalid("wnnm.delta", format!("must be in [0, 1], got {}", self.delta)));
        }
        for (name, v) in [("wnnm.c", self.c), ("wnnm.noise_factor", self.noise_factor)] {
            if !(v > 0.0 && v.is_finite()) {
                return Err(DenoiseError::Invalid(name, format!("must be finite and > 0, got {v}")));
            }
        }
        Ok(())
    }

    /// The memory of a run on an `h × w` plane: four planes (noisy,
    /// estimate, sums, weights) and the groups (32-bit corners).
    pub(super) fn check_memory(&self, h: usize, w: usize) -> Result<(), DenoiseError> {
        let refs = h.div_ceil(self.step) * w.div_ceil(self.step);
        sc_linalg::memory::request::<f64>(&[&[4, h, w], &[refs, self.group.div_ceil(2)]], || format!("WNNM on a {w}×{h} image"))?;
        Ok(())
    }
}

/// The weighted nuclear norm's shrinkage of one singular value `s` of a
/// noisy group, with weight `w = c/(x + ε)` on the clean value `x` it
/// estimates: the fixed point `x = max(s − c/x, 0)` in closed form,
/// `x = (s + √(s² − 4c))/2` where `s² ≥ 4c`, else 0 (`ε → 0`).
pub fn shrink_singular_value(s: f64, c: f64) -> f64 {
    let disc = s * s - 4.0 * c;
    if s > 0.0 && disc >= 0.0 { 0.5 * (s + disc.sqrt()) } else { 0.0 }
}

/// Denoises the gray image `y` (noise σ `sigma`) by WNNM. The report
/// counts the last iteration: every patch of every group (`n_patches`),
/// each one coded over its group's kept singular directions (`mean_nnz`,
/// the mean rank a group keeps).
pub(super) fn wnnm_gray(y: &Image, sigma: f64, w: &Wnnm) -> Result<(Image, DenoiseReport), DenoiseError> {
    let p = w.patch;
    let (h, wd) = (y.height, y.width);
    if h < p || wd < p {
        return Err(sc_patches::Error::PatchTooLarge { ph: p, pw: p, height: h, width: wd }.into());
    }
    let n = p * p;
    let cols = reference_grid(wd - p, w.step);
    let refs: Vec<(usize, usize)> = reference_grid(h - p, w.step).into_iter().flat_map(|r| cols.iter().map(move |&c| (r, c))).collect();
    // The estimate, regularised in place at each iteration's start.
    let mut cur = Image { data: y.data.clone(), ..y.clone() };
    let mut groups: Vec<u32> = Vec::new();
    let mut est = Vec::new();
    let mut kept = 0;
    for it in 0..w.iterations {
        for (c, &yv) in cur.data.iter_mut().zip(&y.data) {
            *c += w.delta * (yv - *c);
        }
        if it % w.rematch_every.max(1) == 0 {
            let k = w.group.saturating_sub(w.group_decrement * (it / w.rematch_every.max(1))).max(2);
            match_all(&cur, p, &refs, w.radius, k, &mut groups)?;
        }
        let m = groups.len() / refs.len();
        // The noise left in each reference patch.
        let sig2: Vec<f64> = refs
            .iter()
            .map(|&(r0, c0)| {
                let mut s = 0.0;
                for i in 0..p {
                    let at = (r0 + i) * wd + c0;
                    s += y.data[at..at + p].iter().zip(&cur.data[at..at + p]).map(|(a, b)| (a - b) * (a - b)).sum::<f64>();
                }
                let v = w.noise_factor * (sigma * sigma - s / n as f64).abs().sqrt();
                v * v
            })
            .collect();
        // The whole plane in the window: every placement fits.
        let mut acc = Accumulator::new(h, wd, 1, h);
        const CHUNK: usize = 256;
        kept = 0;
        for (ci, chunk) in groups.chunks(CHUNK * m).enumerate() {
            est.resize(chunk.len() * n, 0.0);
            kept += est
                .par_chunks_mut(m * n)
                .zip(chunk.par_chunks(m))
                .enumerate()
                .map_init(Scratch::default, |s, (g, (e, members))| {
                    gather(&cur, p, members, e);
                    widest_simd(
                        #[inline(always)]
                        || estimate_group(e, n, sig2[ci * CHUNK + g], w.c, s),
                    )
                })
                .sum::<usize>();
            for (&at, col) in chunk.iter().zip(est.chunks(n)) {
                acc.add(((at as usize) / wd, (at as usize) % wd), p, p, col)?;
            }
        }
        // Every pixel lies under a reference patch: each is a mean.
        acc.finish_rows(h, None, |r, row| cur.data[r * wd..(r + 1) * wd].copy_from_slice(row));
    }
    let n_patches = groups.len();
    Ok((cur, DenoiseReport { mean_nnz: kept as f64 / refs.len() as f64, n_patches }))
}

/// The patches at `members` (top-left corners as pixel indices) of the
/// gray `img`, `p × p` each, into `out` end to end.
fn gather(img: &Image, p: usize, members: &[u32], out: &mut [f64]) {
    let (n, wd) = (p * p, img.width);
    for (j, &at) in members.iter().enumerate() {
        let (r0, c0) = ((at as usize) / wd, (at as usize) % wd);
        for i in 0..p {
            let o = (r0 + i) * wd + c0;
            out[j * n + i * p..j * n + (i + 1) * p].copy_from_slice(&img.data[o..o + p]);
        }
    }
}

/// The `k` patches most similar to each reference (the reference first),
/// as pixel indices of their top-left corners, `k` per reference, into
/// `groups` (its memory reused from one matching to the next).
fn match_all(img: &Image, p: usize, refs: &[(usize, usize)], radius: usize, k: usize, groups: &mut Vec<u32>) -> Result<(), DenoiseError> {
    if img.width * img.height > u32::MAX as usize {
        return Err(DenoiseError::Invalid("image", format!("WNNM takes at most 2³² pixels, got {}×{}", img.width, img.height)));
    }
    groups.clear();
    groups.resize(refs.len() * k, 0);
    const BLOCK: usize = 256;
    groups.par_chunks_mut(BLOCK * k).zip(refs.par_chunks(BLOCK)).try_for_each(|(out, block)| {
        let (mut buf, mut dist) = (Vec::new(), Vec::new());
        for (g, &r) in out.chunks_mut(k).zip(block) {
            widest_simd(
                #[inline(always)]
                || nearest_patches_into(img, p, p, r, radius, k, &mut dist, &mut buf),
            )?;
            // Fewer candidates than k (a small image): the reference repeated.
            let me = (r.0 * img.width + r.1) as u32;
            for (j, slot) in g.iter_mut().enumerate() {
                *slot = buf.get(j).map_or(me, |c| (c.0.0 * img.width + c.0.1) as u32);
            }
        }
        Ok::<(), sc_patches::Error>(())
    })?;
    Ok(())
}

/// Per-thread scratch of [`estimate_group`].
#[derive(Default)]
struct Scratch {
    gram: Vec<f64>,
    mean: Vec<f64>,
    z: Vec<f64>,
    eig: EigenAbove,
}

/// One group's estimate, in place: `y` holds its patches (`n × m`,
/// column-major) and receives them shrunk in the group's SVD basis.
/// Returns the rank kept.
#[inline(always)]
fn estimate_group(y: &mut [f64], n: usize, sigma2: f64, c: f64, s: &mut Scratch) -> usize {
    let m = y.len() / n;
    s.mean.clear();
    s.mean.resize(n, 0.0);
    for col in y.chunks_exact(n) {
        s.mean.iter_mut().zip(col).for_each(|(a, b)| *a += b);
    }
    s.mean.iter_mut().for_each(|a| *a /= m as f64);
    for col in y.chunks_exact_mut(n) {
        col.iter_mut().zip(&s.mean).for_each(|(a, b)| *a -= b);
    }
    s.gram.resize(n * n, 0.0);
    let ym = MatRef::from_column_major_slice(y, n, m);
    matmul(MatMut::from_column_major_slice_mut(&mut s.gram, n, n), Accum::Replace, ym, ym.transpose(), 1.0, Par::Seq);
    // Singular value sᵢ survives the shrinkage where sᵢ² ≥ 4C.
    let cc = c * (m as f64).sqrt() * sigma2;
    eigen_above(&mut s.gram, n, 4.0 * cc, &mut s.eig);
    // X = M + U_r diag(f) U_rᵀ Y, fᵢ the shrunk over the noisy singular value.
    let kept = s.eig.values.len();
    s.z.resize(kept * m, 0.0);
    let ur = MatRef::from_column_major_slice(&s.eig.vectors, n, kept);
    let mut z = MatMut::from_column_major_slice_mut(&mut s.z[..kept * m], kept, m);
    matmul(z.as_mut(), Accum::Replace, ur.transpose(), MatRef::from_column_major_slice(y, n, m), 1.0, Par::Seq);
    for (k, &l) in s.eig.values.iter().enumerate() {
        let sv = l.max(0.0).sqrt();
        let f = if sv > 0.0 { shrink_singular_value(sv, cc) / sv } else { 0.0 };
        for j in 0..m {
            z[(k, j)] *= f;
        }
    }
    if kept == 0 {
        y.fill(0.0);
    } else {
        matmul(MatMut::from_column_major_slice_mut(y, n, m), Accum::Replace, ur, z.as_ref(), 1.0, Par::Seq);
    }
    for col in y.chunks_exact_mut(n) {
        col.iter_mut().zip(&s.mean).for_each(|(a, b)| *a += b);
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The closed form is the fixed point of the reweighted shrinkage
    /// `x ← max(s − c/x, 0)` started from `s` (it decreases to the larger
    /// root), and 0 where that iteration falls to 0 (`s² < 4c`).
    #[test]
    fn shrinkage_is_the_reweighting_fixed_point() {
        for &(s, c) in &[(10.0, 1.0), (10.0, 24.0), (10.0, 25.0), (10.0, 26.0), (3.0, 0.0), (0.5, 0.1), (100.0, 2000.0)] {
            let mut x: f64 = s;
            for _ in 0..100_000 {
                x = if x > 0.0 { (s - c / x).max(0.0) } else { 0.0 };
            }
            let closed = shrink_singular_value(s, c);
            assert!((closed - x).abs() <= 1e-3 * s, "s = {s}, c = {c}: closed form {closed}, iteration {x}");
            assert!(closed <= s && closed >= 0.0);
        }
        assert_eq!(shrink_singular_value(1.0, 0.26), 0.0);
        assert_eq!(shrink_singular_value(0.0, 0.0), 0.0);
    }

    /// A group of `m` columns of `n` values: a rank-`r` part, plus noise `σ`.
    fn planted(n: usize, m: usize, r: usize, sigma: f64, seed: u64) -> (Vec<f64>, Vec<f64>) {
        let mut rng = sc_linalg::rng::SplitMix(seed);
        let u: Vec<f64> = (0..n * r).map(|_| rng.normal()).collect();
        let v: Vec<f64> = (0..r * m).map(|_| 10.0 * rng.normal()).collect();
        let clean: Vec<f64> = (0..n * m).map(|k| (0..r).map(|q| u[q * n + k % n] * v[q * m + k / n]).sum::<f64>() + 3.0).collect();
        let noisy = clean.iter().map(|c| c + sigma * rng.normal()).collect();
        (clean, noisy)
    }

    /// The group's estimate equals the shrinkage written with faer's SVD of
    /// the centred group: `M + U diag(shrink(sᵢ)) Vᵀ`.
    #[test]
    fn group_estimate_is_the_shrunk_svd() {
        let (n, m, sigma, c) = (25, 40, 2.0, 2.0 * 2f64.sqrt());
        let (_, noisy) = planted(n, m, 3, sigma, 7);
        let mut got = noisy.clone();
        estimate_group(&mut got, n, sigma * sigma, c, &mut Scratch::default());
        let mean: Vec<f64> = (0..n).map(|i| (0..m).map(|j| noisy[j * n + i]).sum::<f64>() / m as f64).collect();
        let y = faer::Mat::<f64>::from_fn(n, m, |i, j| noisy[j * n + i] - mean[i]);
        let svd = y.thin_svd().unwrap();
        let cc = c * (m as f64).sqrt() * sigma * sigma;
        let s = faer::Mat::<f64>::from_fn(n, n, |i, j| if i == j { shrink_singular_value(svd.S()[i], cc) } else { 0.0 });
        let want = svd.U() * s * svd.V().transpose();
        let kept = (0..n).filter(|&i| shrink_singular_value(svd.S()[i], cc) > 0.0).count();
        assert!((1..n).contains(&kept), "the test should keep some directions and drop others: {kept}");
        for j in 0..m {
            for i in 0..n {
                let (g, w) = (got[j * n + i], want[(i, j)] + mean[i]);
                assert!((g - w).abs() <= 1e-8 * (1.0 + w.abs()), "({i}, {j}): {g} against {w}");
            }
        }
    }

    /// A planted low-rank group is recovered: with weights strong enough to
    /// remove the noise's singular values (`4c√m σ² > σ²(√m + √n)²`, the
    /// largest of pure noise), the error is a small part of the noise's
    /// (the `r(n + m)` degrees of freedom of a rank-`r` matrix against `nm`);
    /// without noise, the group itself.
    #[test]
    fn planted_low_rank_group_recovered() {
        let (n, m) = (36, 70);
        let (clean, noisy) = planted(n, m, 2, 5.0, 3);
        let mut est = noisy.clone();
        let kept = estimate_group(&mut est, n, 25.0, 8.0, &mut Scratch::default());
        assert_eq!(kept, 2, "the rank kept");
        let err = |a: &[f64]| a.iter().zip(&clean).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
        assert!(err(&est) < 0.12 * err(&noisy), "error {} against the noise's {}", err(&est), err(&noisy));
        let mut exact = clean.clone();
        estimate_group(&mut exact, n, 0.0, 2.0 * 2f64.sqrt(), &mut Scratch::default());
        assert!(err(&exact) <= 1e-16 * err(&noisy), "without noise: error {}", err(&exact));
    }
}
