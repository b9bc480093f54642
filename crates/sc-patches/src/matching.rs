//! Block matching: the patches of an image most similar to a reference
//! patch, by a scan for one reference or by running sums over each shift of
//! the window for every reference of some rows at once (the same groups).

use crate::error::{Error, Result};
use crate::image::{Image, check_patch as check};

/// Block matching (the grouping step of non-local sparse models, LSSC, and
/// of BM3D): the patches of `img` (gray) whose top-left corner lies within
/// `radius` rows and columns of `reference`'s, and whose squared distance
/// to the reference patch, `Σ (p − q)²` over its `ph × pw` pixels, is at
/// most `threshold`; sorted by distance (ties by corner), the reference
/// itself first, at most `max_group` of them. Returns `(corner, distance)`
/// pairs.
pub fn similar_patches(
    img: &Image,
    ph: usize,
    pw: usize,
    reference: (usize, usize),
    radius: usize,
    threshold: f64,
    max_group: usize,
) -> Result<Vec<((usize, usize), f64)>> {
    let mut found = Vec::new();
    similar_patches_into(img, ph, pw, reference, radius, threshold, max_group, &mut found)?;
    Ok(found)
}

/// [`similar_patches`] into a buffer that is cleared first, so that a loop
/// over reference patches allocates nothing once the buffer has grown.
#[allow(clippy::too_many_arguments)]
pub fn similar_patches_into(
    img: &Image,
    ph: usize,
    pw: usize,
    reference: (usize, usize),
    radius: usize,
    threshold: f64,
    max_group: usize,
    found: &mut Vec<((usize, usize), f64)>,
) -> Result<()> {
    found.clear();
    let (rows, cols) = search_window(img, ph, pw, reference, radius)?;
    let (r0, c0) = reference;
    let w = img.width;
    for r in rows {
        for c in cols.clone() {
            let mut d = 0.0;
            for i in 0..ph {
                let a = &img.data[(r0 + i) * w + c0..(r0 + i) * w + c0 + pw];
                let b = &img.data[(r + i) * w + c..(r + i) * w + c + pw];
                d += a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>();
                if d > threshold {
                    break;
                }
            }
            if d <= threshold {
                found.push(((r, c), d));
            }
        }
    }
    keep_nearest(found, reference, max_group);
    Ok(())
}

/// The rows and columns of the candidates' top-left corners: within
/// `radius` of `reference`'s and inside the gray `img`; an error if the
/// image is not gray or the reference patch leaves it.
fn search_window(
    img: &Image,
    ph: usize,
    pw: usize,
    reference: (usize, usize),
    radius: usize,
) -> Result<(std::ops::RangeInclusive<usize>, std::ops::RangeInclusive<usize>)> {
    check(img, ph, pw, 1, 1)?;
    if img.channels != 1 {
        return Err(Error::Shape("block matching takes a gray image".into()));
    }
    let (r0, c0) = reference;
    if r0 + ph > img.height || c0 + pw > img.width {
        return Err(Error::Shape(format!("the reference patch at {reference:?} leaves the image")));
    }
    let rows = r0.saturating_sub(radius)..=(r0 + radius).min(img.height - ph);
    let cols = c0.saturating_sub(radius)..=(c0 + radius).min(img.width - pw);
    Ok((rows, cols))
}

/// Keeps the `max_group` best of `found` by (distance, corner), sorted, the
/// reference first (even when another patch ties with it at distance 0).
fn keep_nearest(found: &mut Vec<((usize, usize), f64)>, reference: (usize, usize), max_group: usize) {
    // (distance, corner) is a total order: the best `max_group` by a
    // selection, then only those sorted.
    let order = |a: &((usize, usize), f64), b: &((usize, usize), f64)| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0));
    if max_group > 0 && found.len() > max_group {
        found.select_nth_unstable_by(max_group - 1, order);
        // The reference (distance 0) is among them unless `max_group` others tie at 0.
        if !found[..max_group].iter().any(|p| p.0 == reference)
            && let Some(at) = found.iter().position(|p| p.0 == reference)
        {
            found.swap(max_group - 1, at);
        }
        found.truncate(max_group);
    }
    found.sort_unstable_by(order);
    // The reference (distance 0) first, even when another patch ties with it.
    if let Some(at) = found.iter().position(|p| p.0 == reference) {
        let me = found.remove(at);
        found.insert(0, me);
    }
    found.truncate(max_group);
}

/// The `k` patches of the gray `img` nearest the reference patch (top-left
/// corners within `radius` rows and columns of `reference`'s), by squared
/// distance over their `ph × pw` pixels, sorted (ties by corner), the
/// reference first: [`similar_patches`] without a threshold, computed a
/// row of candidates at a time — each reference pixel against the whole
/// row of candidates it meets, a loop the compiler vectorises over the
/// candidates — so that a distance costs a few vector operations. Sums are
/// taken in another order than [`similar_patches`]'s (last bits may differ
/// on non-integer images). `dist` is scratch space.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
pub fn nearest_patches_into(
    img: &Image,
    ph: usize,
    pw: usize,
    reference: (usize, usize),
    radius: usize,
    k: usize,
    dist: &mut Vec<f64>,
    found: &mut Vec<((usize, usize), f64)>,
) -> Result<()> {
    found.clear();
    let (rows, cols) = search_window(img, ph, pw, reference, radius)?;
    let (r0, c0) = reference;
    let w = img.width;
    let (ca, nc) = (*cols.start(), cols.count());
    dist.resize(nc, 0.0);
    let x = &img.data;
    for r in rows {
        dist.fill(0.0);
        for i in 0..ph {
            let refrow = &x[(r0 + i) * w + c0..(r0 + i) * w + c0 + pw];
            let src = &x[(r + i) * w + ca..];
            for (j, &v) in refrow.iter().enumerate() {
                for (a, &y) in dist.iter_mut().zip(&src[j..j + nc]) {
                    let d = v - y;
                    *a += d * d;
                }
            }
        }
        found.extend(dist.iter().enumerate().map(|(c, &d)| ((r, ca + c), d)));
    }
    keep_nearest(found, reference, k);
    Ok(())
}

/// [`similar_patches`] for every reference patch whose top-left corner is
/// in the rows `rows` (and any column), row by row: the same groups, found
/// at once for all of them by running sums over each shift of the search
/// window (the squared differences of the image and its shifted copy,
/// summed over `ph × pw` boxes), so that a distance costs a few operations
/// instead of `ph·pw`. Distances are summed in another order than
/// [`similar_patches`] does, so they may differ in the last bits (and tied
/// patches swap) on non-integer images. `found` receives the groups end to
/// end, `starts` where each begins.
#[allow(clippy::too_many_arguments)]
pub fn similar_patches_rows(
    img: &Image,
    ph: usize,
    pw: usize,
    rows: std::ops::Range<usize>,
    radius: usize,
    threshold: f64,
    max_group: usize,
    found: &mut Vec<((usize, usize), f64)>,
    starts: &mut Vec<usize>,
) -> Result<()> {
    found.clear();
    starts.clear();
    check(img, ph, pw, 1, 1)?;
    if img.channels != 1 {
        return Err(Error::Shape("block matching takes a gray image".into()));
    }
    let (h, w) = (img.height, img.width);
    if rows.end > h - ph + 1 || rows.start > rows.end {
        return Err(Error::Shape(format!("reference rows {rows:?} leave the image")));
    }
    let (nr, nc) = (rows.len(), w - pw + 1);
    let k = max_group.saturating_sub(1);
    // The best `k` others of each reference, by (distance, corner).
    let mut best: Vec<((usize, usize), f64)> = vec![((0, 0), 0.0); nr * nc * k];
    let mut count = vec![0usize; nr * nc];
    let x = &img.data;
    let mut col = vec![0.0; w];
    let r_radius = radius.min(h);
    let c_radius = radius.min(w);
    for dr in -(r_radius as isize)..=r_radius as isize {
        // References r with 0 ≤ r + dr ≤ h − ph.
        let r_lo = rows.start.max((-dr).max(0) as usize);
        let r_hi = rows.end.min(((h - ph) as isize - dr + 1).max(0) as usize);
        if r_lo >= r_hi {
            continue;
        }
        for dc in -(c_radius as isize)..=c_radius as isize {
            if (dr, dc) == (0, 0) || k == 0 {
                continue;
            }
            let c_lo = (-dc).max(0) as usize;
            let c_hi = (((w - pw) as isize - dc + 1).max(0) as usize).min(nc);
            if c_lo >= c_hi {
                continue;
            }
            let sq = |u: usize, v: usize| {
                let a = x[u * w + v];
                let b = x[(u as isize + dr) as usize * w + (v as isize + dc) as usize];
                (a - b) * (a - b)
            };
            for r in r_lo..r_hi {
                // col[v]: the squared differences summed over rows r..r + ph.
                for v in c_lo..c_hi + pw - 1 {
                    col[v] = if r == r_lo { (0..ph).map(|i| sq(r + i, v)).sum() } else { col[v] + sq(r + ph - 1, v) - sq(r - 1, v) };
                }
                let mut d: f64 = col[c_lo..c_lo + pw].iter().sum();
                for c in c_lo..c_hi {
                    if c > c_lo {
                        d += col[c + pw - 1] - col[c - 1];
                    }
                    if d <= threshold {
                        let at = (r - rows.start) * nc + c;
                        if count[at] == k && d > best[at * k + k - 1].1 {
                            continue;
                        }
                        let cand = (((r as isize + dr) as usize, (c as isize + dc) as usize), d.max(0.0));
                        insert_best(&mut best[at * k..(at + 1) * k], &mut count[at], cand);
                    }
                }
            }
        }
    }
    for r in rows.clone() {
        for c in 0..nc {
            let at = (r - rows.start) * nc + c;
            starts.push(found.len());
            if max_group > 0 {
                found.push(((r, c), 0.0));
            }
            found.extend_from_slice(&best[at * k..at * k + count[at]]);
        }
    }
    Ok(())
}

/// Inserts `cand` into the sorted list `list[..*len]` (capacity
/// `list.len()`), by (distance, corner), dropping the last when full.
fn insert_best(list: &mut [((usize, usize), f64)], len: &mut usize, cand: ((usize, usize), f64)) {
    let key = |p: &((usize, usize), f64)| (p.1, p.0);
    let less = |a: &((usize, usize), f64), b: &((usize, usize), f64)| key(a).0.total_cmp(&key(b).0).then(key(a).1.cmp(&key(b).1)).is_lt();
    if *len == list.len() && !less(&cand, &list[*len - 1]) {
        return;
    }
    let mut i = (*len).min(list.len() - 1);
    if *len < list.len() {
        *len += 1;
    }
    while i > 0 && less(&cand, &list[i - 1]) {
        list[i] = list[i - 1];
        i -= 1;
    }
    list[i] = cand;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patches::extract;

    /// Block matching against a scan of every patch of the image with
    /// distances from extracted patches.
    #[test]
    fn similar_patches_are_those_a_full_scan_finds() {
        let (w, h, p) = (23, 19, 4);
        // Stripes repeat every 6 columns: exact copies exist.
        let img =
            Image::gray(w, h, (0..w * h).map(|i| ((i % w) % 6) as f64 * 10.0 + if i % 37 == 0 { 3.0 } else { 0.0 }).collect()).unwrap();
        let all = extract(&img, p, p, 1, 1).unwrap();
        for (reference, radius, threshold, max_group) in
            [((5, 7), 4, 50.0, 100), ((0, 0), 6, 0.0, 100), ((10, 12), 3, 400.0, 5), ((15, 19), 10, 1e9, 1000)]
        {
            let got = similar_patches(&img, p, p, reference, radius, threshold, max_group).unwrap();
            let k = all.corners.iter().position(|&c| c == reference).unwrap();
            let rp = &all.data[k * p * p..(k + 1) * p * p];
            let mut want: Vec<((usize, usize), f64)> = all
                .corners
                .iter()
                .enumerate()
                .filter(|(_, c)| c.0.abs_diff(reference.0) <= radius && c.1.abs_diff(reference.1) <= radius)
                .map(|(j, &c)| (c, all.data[j * p * p..(j + 1) * p * p].iter().zip(rp).map(|(a, b)| (a - b) * (a - b)).sum::<f64>()))
                .filter(|x| x.1 <= threshold)
                .collect();
            want.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
            let at = want.iter().position(|x| x.0 == reference).unwrap();
            let me = want.remove(at);
            want.insert(0, me);
            want.truncate(max_group);
            assert_eq!(got, want, "reference {reference:?}");
            assert_eq!(got[0], (reference, 0.0));
        }
        // All references of some rows at once: the same groups.
        for (rows, radius, threshold, max_group) in [(0..16, 4, 50.0, 100), (3..9, 6, 400.0, 5), (10..11, 30, 1e9, 7), (0..16, 3, 0.0, 1)] {
            let (mut found, mut starts) = (Vec::new(), Vec::new());
            similar_patches_rows(&img, p, p, rows.clone(), radius, threshold, max_group, &mut found, &mut starts).unwrap();
            assert_eq!(starts.len(), rows.len() * (w - p + 1));
            for (i, (r, c)) in rows.clone().flat_map(|r| (0..=w - p).map(move |c| (r, c))).enumerate() {
                let end = starts.get(i + 1).copied().unwrap_or(found.len());
                let want = similar_patches(&img, p, p, (r, c), radius, threshold, max_group).unwrap();
                assert_eq!(&found[starts[i]..end], &want[..], "reference {:?}", (r, c));
            }
        }
        // The nearest k without a threshold, a row of candidates at a time:
        // the same groups (integer values: the sums are exact in any order),
        // exact ties among them included.
        let (mut dist, mut found) = (Vec::new(), Vec::new());
        for (reference, radius, k) in [((5, 7), 4, 20), ((0, 0), 6, 3), ((15, 19), 10, 1000), ((8, 3), 2, 1), ((2, 2), 0, 5)] {
            nearest_patches_into(&img, p, p, reference, radius, k, &mut dist, &mut found).unwrap();
            assert_eq!(found, similar_patches(&img, p, p, reference, radius, f64::INFINITY, k).unwrap(), "reference {reference:?}");
        }
        assert!(nearest_patches_into(&img, p, p, (17, 0), 2, 3, &mut dist, &mut found).is_err());
        assert!(similar_patches(&img, p, p, (17, 0), 2, 1.0, 3).is_err());
        assert!(similar_patches(&img, 30, 3, (0, 0), 2, 1.0, 3).is_err());
    }
}
