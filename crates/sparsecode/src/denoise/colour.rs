//! Colour: the orthonormal opponent colour space, the channels' means
//! removed and restored apart, and the joint-colour starting dictionary.

use sc_dict::init::Init;

/// Removes from each patch (`n` values, channels innermost) each of its
/// `ch` channels' mean; returns the means, patch by patch.
pub(super) fn remove_channel_means(data: &mut [f64], n: usize, ch: usize) -> Vec<f64> {
    if ch == 1 {
        return sc_patches::patches::remove_means(data, n);
    }
    let mut means = Vec::with_capacity(data.len() / n * ch);
    for patch in data.chunks_exact_mut(n) {
        for k in 0..ch {
            let m = patch.iter().skip(k).step_by(ch).sum::<f64>() / (n / ch) as f64;
            patch.iter_mut().skip(k).step_by(ch).for_each(|v| *v -= m);
            means.push(m);
        }
    }
    means
}

/// Sets each value of `patch` (channels innermost) to its channel's mean.
pub(super) fn fill_channel_means(patch: &mut [f64], means: &[f64]) {
    for (v, m) in patch.iter_mut().zip(means.iter().cycle()) {
        *v = *m;
    }
}

/// The start of a joint colour dictionary (`p × p × ch` values, channels
/// innermost): the overcomplete 2-D DCT within each channel apart, `l²`
/// atoms a channel with `l` the largest side that fits `n_atoms`; the atoms
/// left over start from the data. Falls back to the data alone when that
/// DCT would be undercomplete (`l < p`).
pub(super) fn channel_dct(p: usize, ch: usize, n_atoms: usize) -> Init {
    let l = ((n_atoms / ch) as f64).sqrt().floor() as usize;
    if l < p {
        return Init::Data;
    }
    let dct = sc_dict::init::overcomplete_dct_2d::<f64>(p, l);
    let n = p * p * ch;
    let mut atoms = vec![0.0; n * n_atoms];
    for k in 0..ch {
        for a in 0..l * l {
            let atom = &mut atoms[(k * l * l + a) * n..(k * l * l + a + 1) * n];
            for f in 0..p * p {
                atom[f * ch + k] = dct[(f, a)];
            }
        }
    }
    Init::Given(atoms)
}

/// RGB to the orthonormal opponent colour space: `(R + G + B)/√3`,
/// `(R − B)/√2`, `(R − 2G + B)/√6`.
pub(super) fn opponent_forward([r, g, b]: [f64; 3]) -> [f64; 3] {
    [(r + g + b) / 3f64.sqrt(), (r - b) / 2f64.sqrt(), (r - 2.0 * g + b) / 6f64.sqrt()]
}

/// The inverse (the transpose) of [`opponent_forward`].
pub(super) fn opponent_inverse([y, u, v]: [f64; 3]) -> [f64; 3] {
    let (a, b, c) = (y / 3f64.sqrt(), u / 2f64.sqrt(), v / 6f64.sqrt());
    [a + b + c, a - 2.0 * c, a - b + c]
}
