//! The non-local pass: block matching on the first estimate, each group of
//! similar noisy patches coded as [`GroupCoding`] says, and the coded patches
//! blended with the noisy image.

use faer::MatRef;
use rayon::prelude::*;
use sc_dict::init::Init;
use sc_dict::progress::Observer;
use sc_patches::image::Image;
use sc_patches::matching::{similar_patches_into, similar_patches_rows};
use sc_patches::patches::Accumulator;
use sc_solvers::{Dictionary, Encoder, GroupLasso, Somp};

use super::colour::{fill_channel_means, remove_channel_means};
use super::{DenoiseError, DenoiseReport, Denoiser, GroupCoding, Learner, NonLocal};
use crate::blend::blend_codes;

impl Denoiser {
    /// The non-local pass: each reference patch's group of similar patches
    /// (matched on `first`) is coded as [`NonLocal::coding`] says, and the
    /// coded patches are blended with `y`.
    pub(super) fn group_code_and_blend(
        &self,
        y: &Image,
        first: &Image,
        dict: &Dictionary<f64>,
        nl: &NonLocal,
        observer: &mut dyn Observer,
    ) -> Result<(Image, DenoiseReport), DenoiseError> {
        let p = self.patch;
        let ch = y.channels;
        let n = p * p * ch;
        let (eps, cap) = self.goal(n);
        // Colour patches are matched on the first estimate's first channel
        // (the luminance in the opponent space), as BM3D's colour version.
        let pilot = first;
        let luminance;
        let first = if ch == 1 {
            first
        } else {
            luminance = first.channel(0)?;
            &luminance
        };
        let threshold = nl.threshold * (p * p) as f64 * self.sigma * self.sigma;
        let (rows, cols) = (reference_grid(y.height - p, nl.step), reference_grid(y.width - p, nl.step));
        // The dictionary learned again, on the (scaled) means of the groups of
        // a random sample of references: cleaner training signals.
        let relearned;
        let dict = if nl.relearn_steps > 0 {
            let groups = match_groups(first, p, &self.training_corners(y)?, nl, threshold)?;
            let mut train = Vec::new();
            scaled_means(y, p, &groups, &mut train);
            remove_channel_means(&mut train, n, ch);
            let d = dict.matrix();
            let start = Init::Given((0..d.ncols()).flat_map(|j| (0..d.nrows()).map(move |i| d[(i, j)])).collect());
            let online = Denoiser { learner: Learner::online(nl.relearn_steps), ..self.clone() };
            relearned = online.learn(MatRef::from_column_major_slice(&train, n, groups.len()), start, observer)?;
            &relearned
        } else {
            dict
        };
        // A band of reference rows spans at most `band_rows + step` rows; its
        // placements reach `radius` rows above and `radius + p` below it.
        let mut acc = Accumulator::new(y.height, y.width, ch, self.band_rows + nl.step + 2 * nl.radius + p);
        let (mut nnz, mut coded) = (0usize, 0usize);
        let (mut signals, mut placed) = (Vec::new(), Vec::new());
        let mut detail = vec![0.0; n];
        let lambda = self.lambda_factor / self.sigma;
        let mut out = vec![0.0; y.data.len()];
        let w = y.width * ch;
        let bands: Vec<&[usize]> = rows.chunks(self.band_rows.div_ceil(nl.step).max(1)).collect();
        for (b, band) in bands.iter().enumerate() {
            let groups = if nl.step == 1 {
                // Every patch a reference: all of a few rows' groups at once.
                let chunks: Vec<std::ops::Range<usize>> = band.chunks(4).map(|c| c[0]..c[c.len() - 1] + 1).collect();
                let parts: Vec<Groups> = chunks
                    .par_iter()
                    .map(|rows| {
                        let (mut found, mut begins) = (Vec::new(), Vec::new());
                        similar_patches_rows(first, p, p, rows.clone(), nl.radius, threshold, nl.max_group, &mut found, &mut begins)?;
                        Ok(Groups::from_found(&found, &begins))
                    })
                    .collect::<Result<_, sc_patches::Error>>()?;
                Groups::concat(parts)
            } else {
                let refs: Vec<(usize, usize)> = band.iter().flat_map(|&r| cols.iter().map(move |&c| (r, c))).collect();
                match_groups(first, p, &refs, nl, threshold)?
            };
            // `signals` (n × count) are coded; signal s is placed at
            // `placed[s].0` and its reconstruction scaled by `placed[s].1`.
            placed.clear();
            let codes = match nl.coding {
                GroupCoding::Average => {
                    // The mean of m patches has noise σ/√m: scaled by √m, its
                    // noise has σ again, and the goal ε holds.
                    scaled_means(y, p, &groups, &mut signals);
                    placed.extend(groups.iter().map(|g| (g[0], 1.0 / (g.len() as f64).sqrt())));
                    let means = remove_channel_means(&mut signals, n, ch);
                    (Encoder::omp_tol(eps).max_iter(cap).encode(dict, MatRef::from_column_major_slice(&signals, n, groups.len()))?, means)
                }
                GroupCoding::Simultaneous => {
                    // The groups end to end, every member placed.
                    let members = &groups.members;
                    placed.extend(members.iter().map(|&c| (c, 1.0)));
                    sc_patches::patches::extract_into(y, p, p, members, &mut signals)?;
                    let means = remove_channel_means(&mut signals, n, ch);
                    let codes = Somp { max_atoms: cap, tol: Some(eps) }.encode(
                        dict,
                        MatRef::from_column_major_slice(&signals, n, members.len()),
                        &groups.starts[..groups.len()],
                    )?;
                    (codes, means)
                }
                GroupCoding::GroupLasso => {
                    // Each group scaled by 1/√m: one λ = lasso_factor·σ for
                    // every group is then λ·√m on the patches as they are.
                    let members = &groups.members;
                    sc_patches::patches::extract_into(y, p, p, members, &mut signals)?;
                    for g in 0..groups.len() {
                        let (a, b) = (groups.starts[g], groups.starts[g + 1]);
                        let root = ((b - a) as f64).sqrt();
                        signals[a * n..b * n].iter_mut().for_each(|v| *v /= root);
                        placed.extend(members[a..b].iter().map(|&c| (c, root)));
                    }
                    let means = remove_channel_means(&mut signals, n, ch);
                    // A looser tolerance than the solver's own: coefficients
                    // to 0.1%, far below the noise.
                    let lasso = GroupLasso { lambda: nl.lasso_factor * self.sigma, max_iter: 100, tol: 1e-3 };
                    let codes =
                        lasso.encode(dict, MatRef::from_column_major_slice(&signals, n, members.len()), &groups.starts[..groups.len()])?;
                    (codes, means)
                }
            };
            let (codes, means) = codes;
            nnz += codes.nnz();
            coded += codes.n_samples();
            blend_codes(
                &mut acc,
                dict,
                &codes,
                &mut signals,
                p,
                |s, patch| fill_channel_means(patch, &means[s * ch..(s + 1) * ch]),
                |s, atoms, patch| {
                    let (corner, scale) = placed[s];
                    patch.iter_mut().for_each(|v| *v *= scale);
                    if let (Some(k), GroupCoding::Average) = (nl.detail, nl.coding) {
                        let group = &groups.members[groups.starts[s]..groups.starts[s + 1]];
                        add_detail(pilot, p, group, k * self.sigma, &mut detail, patch);
                    }
                    (corner, self.weight(atoms))
                },
            )?;
            // Rows above every later placement are final: the next band's
            // first reference row (less the search radius where every member
            // of a group is placed).
            let next = bands.get(b + 1).map_or(y.height, |nb| match nl.coding {
                GroupCoding::Average => nb[0],
                GroupCoding::Simultaneous | GroupCoding::GroupLasso => nb[0].saturating_sub(nl.radius),
            });
            acc.finish_rows(next, Some((y, lambda)), |r, row| out[r * w..(r + 1) * w].copy_from_slice(row));
        }
        let img = Image { width: y.width, height: y.height, channels: ch, data: out };
        Ok((img, DenoiseReport { mean_nnz: nnz as f64 / coded.max(1) as f64, n_patches: coded }))
    }
}

/// The reference rows (or columns) `0, step, 2·step, …` up to `last`, and
/// `last` itself: every pixel is then under some reference patch.
pub(super) fn reference_grid(last: usize, step: usize) -> Vec<usize> {
    let mut v: Vec<usize> = (0..=last).step_by(step).collect();
    if v.last() != Some(&last) {
        v.push(last);
    }
    v
}

/// Block matching for each reference corner of `refs` on `first` (in
/// parallel; the groups in reference order), as [`NonLocal`] says.
fn match_groups(first: &Image, p: usize, refs: &[(usize, usize)], nl: &NonLocal, threshold: f64) -> Result<Groups, DenoiseError> {
    let parts: Vec<Groups> = refs
        .par_chunks(256)
        .map(|block| {
            let (mut part, mut buf) = (Groups::default(), Vec::new());
            for &r in block {
                similar_patches_into(first, p, p, r, nl.radius, threshold, nl.max_group, &mut buf)?;
                part.push(buf.iter().map(|g| g.0));
            }
            Ok(part)
        })
        .collect::<Result<_, sc_patches::Error>>()?;
    Ok(Groups::concat(parts))
}

/// Groups of patch corners laid end to end, each reference first: group `g`
/// is `members[starts[g]..starts[g + 1]]`.
#[derive(Debug, Default)]
struct Groups {
    members: Vec<(usize, usize)>,
    /// Where each group begins, and the end of the last.
    starts: Vec<usize>,
}

impl Groups {
    fn len(&self) -> usize {
        self.starts.len().saturating_sub(1)
    }

    fn iter(&self) -> impl Iterator<Item = &[(usize, usize)]> {
        self.starts.windows(2).map(|w| &self.members[w[0]..w[1]])
    }

    /// Appends a group.
    fn push(&mut self, group: impl Iterator<Item = (usize, usize)>) {
        if self.starts.is_empty() {
            self.starts.push(0);
        }
        self.members.extend(group);
        self.starts.push(self.members.len());
    }

    /// The groups of block matching's `found` (corner, distance) pairs,
    /// group `g` beginning at `begins[g]`.
    fn from_found(found: &[((usize, usize), f64)], begins: &[usize]) -> Self {
        let mut out = Groups::default();
        for (g, &b) in begins.iter().enumerate() {
            let e = begins.get(g + 1).copied().unwrap_or(found.len());
            out.push(found[b..e].iter().map(|f| f.0));
        }
        out
    }

    /// The groups of `parts`, in order.
    fn concat(parts: Vec<Groups>) -> Self {
        let mut out = Groups::default();
        for part in parts {
            for g in part.iter() {
                out.push(g.iter().copied());
            }
        }
        out
    }
}

/// Column `g` of `out` (n × groups): the sum of group `g`'s patches of `y`
/// (`p × p`, read in place) over `√m`. The mean of `m` patches has noise
/// `σ/√m`; scaled by `√m`, its noise has `σ` again, and the per-patch goal
/// holds.
fn scaled_means(y: &Image, p: usize, groups: &Groups, out: &mut Vec<f64>) {
    let n = p * p * y.channels;
    out.clear();
    out.resize(n * groups.len(), 0.0);
    for (g, group) in groups.iter().enumerate() {
        let o = &mut out[g * n..(g + 1) * n];
        for &corner in group {
            add_patch(y, p, corner, o, |v| v);
        }
        let root = (group.len() as f64).sqrt();
        o.iter_mut().for_each(|o| *o /= root);
    }
}

/// Adds `f(v)` for each value `v` of the `p × p` patch of `img` at `corner`
/// (channels innermost, as [`extract_at`] lays it out) to `out`.
fn add_patch(img: &Image, p: usize, (r, c): (usize, usize), out: &mut [f64], f: impl Fn(f64) -> f64) {
    let (ch, pw) = (img.channels, p * img.channels);
    for i in 0..p {
        let at = ((r + i) * img.width + c) * ch;
        out[i * pw..(i + 1) * pw].iter_mut().zip(&img.data[at..at + pw]).for_each(|(o, &v)| *o += f(v));
    }
}

/// Adds to `patch` (the coded mean of `group`, whose first member is the
/// reference) the reference's own detail on the first estimate `pilot`:
/// `d = f_ref − mean(f_members)`, shrunk by `max(0, 1 − n·floor²·(1 −
/// 1/m)/‖d‖²)`. `d` is a buffer of the patch's size.
fn add_detail(pilot: &Image, p: usize, group: &[(usize, usize)], floor: f64, d: &mut [f64], patch: &mut [f64]) {
    let m = group.len() as f64;
    d.fill(0.0);
    for &corner in group {
        add_patch(pilot, p, corner, d, |v| -(v / m));
    }
    add_patch(pilot, p, group[0], d, |v| v);
    let energy: f64 = d.iter().map(|v| v * v).sum();
    let noise = d.len() as f64 * floor * floor * (1.0 - 1.0 / m);
    if energy > noise {
        let k = (energy - noise) / energy;
        patch.iter_mut().zip(d.iter()).for_each(|(v, d)| *v += k * d);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::denoise::colour::channel_dct;
    use sc_linalg::rng::SplitMix;

    fn random_image(width: usize, height: usize, channels: usize, seed: u64) -> Image {
        let mut g = SplitMix(seed);
        Image::new(width, height, channels, (0..width * height * channels).map(|_| g.normal()).collect()).unwrap()
    }

    /// A colour group's scaled mean is the sum of its patches (as
    /// `extract_into` lays them out, channels innermost) over `√m`.
    #[test]
    fn scaled_means_follow_the_patch_layout_in_colour() {
        for ch in [1, 3] {
            let img = random_image(13, 11, ch, 5 + ch as u64);
            let mut groups = Groups::default();
            groups.push([(0, 0), (3, 5), (6, 8)].into_iter());
            groups.push([(2, 1)].into_iter());
            let mut got = Vec::new();
            scaled_means(&img, 4, &groups, &mut got);
            let n = 16 * ch;
            for (g, group) in groups.iter().enumerate() {
                let mut patches = Vec::new();
                sc_patches::patches::extract_into(&img, 4, 4, group, &mut patches).unwrap();
                let root = (group.len() as f64).sqrt();
                for i in 0..n {
                    let want = patches.chunks_exact(n).map(|p| p[i]).sum::<f64>() / root;
                    assert!((got[g * n + i] - want).abs() < 1e-12, "channels {ch}, group {g}, value {i}");
                }
            }
        }
    }

    /// Each channel of each patch loses its own mean, and filling gives the
    /// means back; one channel is `remove_means`.
    #[test]
    fn channel_means_are_removed_and_restored_apart() {
        let img = random_image(9, 9, 3, 1);
        let mut data = Vec::new();
        sc_patches::patches::extract_into(&img, 3, 3, &[(0, 0), (4, 2)], &mut data).unwrap();
        let original = data.clone();
        let means = remove_channel_means(&mut data, 27, 3);
        assert_eq!(means.len(), 6);
        for (s, patch) in data.chunks_exact(27).enumerate() {
            for k in 0..3 {
                let sum: f64 = patch.iter().skip(k).step_by(3).sum();
                assert!(sum.abs() < 1e-12);
                let want = original[s * 27..(s + 1) * 27].iter().skip(k).step_by(3).sum::<f64>() / 9.0;
                assert!((means[s * 3 + k] - want).abs() < 1e-12);
            }
            let mut filled = vec![0.0; 27];
            fill_channel_means(&mut filled, &means[s * 3..(s + 1) * 3]);
            assert!(filled.iter().enumerate().all(|(i, v)| *v == means[s * 3 + i % 3]));
        }
        let mut gray = original.clone();
        let mut again = original;
        assert_eq!(remove_channel_means(&mut gray, 9, 1), sc_patches::patches::remove_means(&mut again, 9));
    }

    /// The detail added to a coded group mean: with no floor, exactly the
    /// reference's difference from its group's mean on the first estimate
    /// (per channel); nothing for a group of one or under a high floor; in
    /// between, that difference scaled by `1 − floor-energy/‖d‖²`.
    #[test]
    fn the_detail_is_the_reference_minus_the_group_mean_on_the_first_estimate() {
        for ch in [1, 3] {
            let pilot = random_image(12, 10, ch, 3);
            let group = [(1, 2), (5, 7), (0, 0), (6, 3)];
            let n = 9 * ch;
            let mut want = vec![0.0; n];
            let mut members = Vec::new();
            sc_patches::patches::extract_into(&pilot, 3, 3, &group, &mut members).unwrap();
            for (i, w) in want.iter_mut().enumerate() {
                *w = members[i] - members.chunks_exact(n).map(|m| m[i]).sum::<f64>() / 4.0;
            }
            let (mut d, mut patch) = (vec![0.0; n], vec![1.0; n]);
            add_detail(&pilot, 3, &group, 0.0, &mut d, &mut patch);
            assert!(patch.iter().zip(&want).all(|(v, w)| (v - 1.0 - w).abs() < 1e-12), "channels {ch}");
            let energy: f64 = want.iter().map(|v| v * v).sum();
            // A floor that takes half the energy away: half the detail.
            let floor = (energy / 2.0 / (n as f64 * 0.75)).sqrt();
            patch.fill(1.0);
            add_detail(&pilot, 3, &group, floor, &mut d, &mut patch);
            assert!(patch.iter().zip(&want).all(|(v, w)| (v - 1.0 - w / 2.0).abs() < 1e-12));
            patch.fill(1.0);
            add_detail(&pilot, 3, &group, 10.0 * floor, &mut d, &mut patch);
            assert!(patch.iter().all(|&v| v == 1.0));
            add_detail(&pilot, 3, &group[..1], 0.0, &mut d, &mut patch);
            assert!(patch.iter().all(|&v| v == 1.0), "a group of one has no detail of its own");
        }
    }

    /// The colour start: the 2-D DCT within each channel apart (unit atoms
    /// that touch one channel only), zeros for the atoms left over (they
    /// start from the data), the data alone when the DCT would not span.
    #[test]
    fn the_colour_start_is_the_dct_within_each_channel() {
        let Init::Given(atoms) = channel_dct(4, 3, 80) else { panic!("expected a given start") };
        let (n, l) = (48, 5);
        let dct = sc_dict::init::overcomplete_dct_2d::<f64>(4, l);
        for (j, atom) in atoms.chunks_exact(n).enumerate() {
            if j >= 3 * l * l {
                assert!(atom.iter().all(|&v| v == 0.0), "atom {j} is left to the data");
                continue;
            }
            let (k, a) = (j / (l * l), j % (l * l));
            for (i, v) in atom.iter().enumerate() {
                let want = if i % 3 == k { dct[(i / 3, a)] } else { 0.0 };
                assert_eq!(*v, want, "atom {j}, value {i}");
            }
            assert!((atom.iter().map(|v| v * v).sum::<f64>() - 1.0).abs() < 1e-12);
        }
        assert_eq!(channel_dct(4, 3, 47), Init::Data);
    }
}
