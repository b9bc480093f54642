//! The blend that denoising and inpainting share: each coded patch rebuilt
//! as its mean plus `D c` and added, with its weight, to the image under
//! way.

use sc_patches::patches::Accumulator;
use sc_solvers::{Dictionary, SparseCodes};

/// The weight of a patch coded with `atoms` atoms: `1/(1 + atoms)`, the
/// inverse of its estimate's noise variance, which grows with the
/// dimension of the subspace the patch is projected on.
pub(crate) fn sparsity_weight(atoms: usize) -> f64 {
    1.0 / (1.0 + atoms as f64)
}

/// Adds every signal `s` of `codes` to `acc` as a `p × p` patch: its
/// values (`patches[s]`, `n_features` of the dictionary) are set by
/// `fill(s, patch)` (the means removed before coding), `D c_s` is added,
/// and `place(s, atoms, patch)` may finish the patch and says where it
/// goes (its top-left corner) and with what weight.
pub(crate) fn blend_codes(
    acc: &mut Accumulator,
    dict: &Dictionary<f64>,
    codes: &SparseCodes<f64>,
    patches: &mut [f64],
    p: usize,
    mut fill: impl FnMut(usize, &mut [f64]),
    mut place: impl FnMut(usize, usize, &mut [f64]) -> ((usize, usize), f64),
) -> Result<(), sc_patches::Error> {
    let n = dict.n_features();
    for s in 0..codes.n_samples() {
        let (idx, val) = codes.code(s);
        let patch = &mut patches[s * n..(s + 1) * n];
        fill(s, patch);
        dict.accumulate(1.0, idx, val, patch);
        let (corner, weight) = place(s, idx.len(), patch);
        acc.add_weighted(corner, p, p, patch, weight)?;
    }
    Ok(())
}
