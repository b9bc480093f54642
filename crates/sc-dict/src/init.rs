//! Dictionary initialisations.

use faer::{Mat, MatRef};
use sc_linalg::Real;

use crate::atoms::unit_atom_from;
use crate::error::{Error, Result, invalid};
use crate::rng::Draw;
use crate::signals::Signals;
use crate::stats::OnlineState;

/// How a learner's dictionary starts.
#[derive(Debug, Clone, PartialEq)]
pub enum Init {
    /// Distinct random signals of the data, normalised (SPAMS's default).
    Data,
    /// The overcomplete 2-D DCT (square patches; `n_atoms` a square).
    Dct,
    /// The leading singular vectors of the data (scaled by their singular
    /// values, as scikit-learn; signs fixed so that each vector's largest
    /// entry is positive), padded with random signals past the rank.
    Svd,
    /// A given dictionary (column-major, n_features × n_atoms); an atom
    /// that is all zeros starts as a random signal of the data, normalised
    /// (scikit-learn accepts such a `dict_init` and replaces the atom from
    /// the data once it goes unused).
    Given(Vec<f64>),
}

impl Init {
    /// The starts a door names (`Given` is a dictionary, not a name).
    pub const NAMES: &'static [&'static str] = &["data", "dct", "svd"];
}

impl std::str::FromStr for Init {
    type Err = sc_linalg::names::UnknownName;

    /// `"data"`, `"dct"` or `"svd"` (any case, `-` or `_`).
    fn from_str(s: &str) -> std::result::Result<Self, Self::Err> {
        match sc_linalg::names::canonical(s).as_str() {
            "data" => Ok(Init::Data),
            "dct" => Ok(Init::Dct),
            "svd" => Ok(Init::Svd),
            _ => Err(sc_linalg::names::UnknownName { what: "init", got: s.to_string(), expected: Self::NAMES.to_vec() }),
        }
    }
}

impl std::fmt::Display for Init {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Init::Data => "data",
            Init::Dct => "dct",
            Init::Svd => "svd",
            Init::Given(_) => "given",
        })
    }
}

/// Refuses, with a typed error rather than an abort, a dictionary whose
/// values and statistics (`D`, `B`: n_features × n_atoms; `A`, the Gram
/// matrix: n_atoms²) need more than the machine has or the allocator grants
/// ([`sc_linalg::memory::request`]: checked arithmetic, and the allocation
/// asked for, not made).
fn check_memory<T: Real>(n_atoms: usize, n_features: usize) -> Result<()> {
    sc_linalg::memory::request::<T>(&[&[n_atoms, n_atoms], &[n_atoms, n_features, 2]], || {
        format!("{n_atoms} atoms of {n_features} features (the dictionary and its statistics)")
    })?;
    Ok(())
}

impl Init {
    /// The initial dictionary (column-major, n_features × n_atoms) for the
    /// columns of `x`. The SVD is computed in f64 whatever `T`.
    pub fn build<T: Real>(&self, x: MatRef<'_, T>, n_atoms: usize, rng: &mut impl Draw) -> Result<Vec<T>> {
        self.build_from(&Signals::new(x)?, n_atoms, rng)
    }

    pub(crate) fn build_from<T: Real, R: Draw>(&self, data: &Signals<'_, T>, n_atoms: usize, rng: &mut R) -> Result<Vec<T>> {
        let (nf, n) = (data.nf(), data.len());
        check_memory::<T>(n_atoms, nf)?;
        let random_signals = |count: usize, rng: &mut R| -> Vec<T> {
            let mut order: Vec<usize> = (0..n).collect();
            rng.shuffle(&mut order);
            let mut out = Vec::with_capacity(count * nf);
            for t in 0..count {
                let s = order[t % n];
                let start = out.len();
                out.resize(start + nf, T::ZERO);
                unit_atom_from(data.col(s), &mut out[start..], rng);
            }
            out
        };
        match self {
            Init::Data => Ok(random_signals(n_atoms, rng)),
            Init::Dct => {
                let p = (nf as f64).sqrt().round() as usize;
                let l = (n_atoms as f64).sqrt().round() as usize;
                if p * p != nf || l * l != n_atoms || l < p {
                    return Err(invalid(
                        "init",
                        format!(
                            "the DCT needs square patches and a square number of atoms ≥ n_features, got {nf} features and {n_atoms} atoms"
                        ),
                    ));
                }
                let d = overcomplete_dct_2d::<T>(p, l);
                Ok((0..n_atoms).flat_map(|j| (0..nf).map(move |i| (i, j))).map(|(i, j)| d[(i, j)]).collect())
            }
            Init::Svd => {
                let x = Mat::<f64>::from_fn(nf, n, |i, s| data.col(s)[i].to_f64());
                let svd = x.thin_svd().map_err(|_| Error::Svd)?;
                let (u, sv) = (svd.U(), svd.S());
                let rank = nf.min(n);
                let mut out = Vec::with_capacity(nf * n_atoms);
                for j in 0..n_atoms.min(rank) {
                    let col: Vec<f64> = (0..nf).map(|i| u[(i, j)]).collect();
                    let big = col.iter().cloned().fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
                    let sign = if big < 0.0 { -1.0 } else { 1.0 };
                    let s = sv[j];
                    out.extend(col.iter().map(|v| T::from_f64(sign * v * if s > 0.0 { s } else { 1.0 })));
                }
                if n_atoms > rank {
                    out.extend(random_signals(n_atoms - rank, rng));
                }
                Ok(out)
            }
            Init::Given(d) => {
                let mut out = given(d, nf, n_atoms)?;
                // A zero atom cannot be coded with: it starts as a random
                // signal, as scikit-learn replaces an unused atom by one.
                for atom in out.chunks_exact_mut(nf) {
                    if atom.iter().all(|&v| v == T::ZERO) {
                        unit_atom_from(data.col(rng.below(n)), atom, rng);
                    }
                }
                Ok(out)
            }
        }
    }
}

/// The overcomplete 1-D DCT of KSVD-Box's `odctdict(n, l)`: `n × l`, atom 0
/// constant, atom `k` the cosine `cos(π·i·k/l)` with its mean removed, all of
/// unit norm.
pub fn overcomplete_dct_1d(n: usize, l: usize) -> Mat<f64> {
    let mut d = Mat::<f64>::zeros(n, l);
    for k in 0..l {
        let mut v: Vec<f64> = (0..n).map(|i| (std::f64::consts::PI * i as f64 * k as f64 / l as f64).cos()).collect();
        if k > 0 {
            let m = v.iter().sum::<f64>() / n as f64;
            v.iter_mut().for_each(|x| *x -= m);
        }
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        for i in 0..n {
            d[(i, k)] = v[i] / norm;
        }
    }
    d
}

/// The overcomplete 2-D DCT for `p × p` patches with `l × l` atoms: the
/// Kronecker product of [`overcomplete_dct_1d`]`(p, l)` with itself
/// (KSVD-Box's `odctndict`), atoms of unit norm, features row-major inside
/// the patch (scikit-learn's patch layout). `p²` rows, `l²` columns.
pub fn overcomplete_dct_2d<T: Real>(p: usize, l: usize) -> Mat<T> {
    let d1 = overcomplete_dct_1d(p, l);
    Mat::<T>::from_fn(p * p, l * l, |f, a| {
        let (r, c) = (f / p, f % p);
        let (kr, kc) = (a / l, a % l);
        T::from_f64(d1[(r, kr)] * d1[(c, kc)])
    })
}

/// A given dictionary's values (column-major, n_features × n_atoms),
/// checked: its size, and finite values. Zero atoms are kept.
pub(crate) fn given<T: Real>(d: &[f64], nf: usize, n_atoms: usize) -> Result<Vec<T>> {
    if d.len() != nf * n_atoms {
        return Err(Error::Dimension(format!("initial dictionary of {} values for {nf}×{n_atoms}", d.len())));
    }
    if !d.iter().all(|v| v.is_finite()) {
        return Err(invalid("init", "the initial dictionary holds a non-finite value"));
    }
    Ok(d.iter().map(|&v| T::from_f64(v)).collect())
}

/// The checked signals, the generator `rng` (after the draws of the
/// initial dictionary), and a state at the initial dictionary: how online
/// and batch learning begin.
pub(crate) fn start<'a, T: Real, R: Draw>(
    x: MatRef<'a, T>,
    init: &Init,
    n_atoms: usize,
    mut rng: R,
) -> Result<(Signals<'a, T>, R, OnlineState<T>)> {
    let data = Signals::new(x)?;
    let dict0 = init.build_from(&data, n_atoms, &mut rng)?;
    let state = OnlineState::new(data.nf(), n_atoms, dict0)?;
    Ok((data, rng, state))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::SplitMix;

    #[test]
    fn dct_atoms_have_unit_norm_and_the_first_is_constant() {
        let d = overcomplete_dct_2d::<f64>(8, 16);
        assert_eq!((d.nrows(), d.ncols()), (64, 256));
        for a in 0..256 {
            let n: f64 = (0..64).map(|i| d[(i, a)] * d[(i, a)]).sum();
            assert!((n - 1.0).abs() < 1e-12);
        }
        assert!((0..64).all(|i| (d[(i, 0)] - 0.125).abs() < 1e-12));
        let d1 = overcomplete_dct_1d(8, 16);
        for k in 1..16 {
            assert!((0..8).map(|i| d1[(i, k)]).sum::<f64>().abs() < 1e-12);
        }
    }

    #[test]
    fn svd_init_is_reproducible_and_sign_fixed() {
        let data: Vec<f64> = (0..6 * 20).map(|v| ((v * 7919) % 97) as f64 / 97.0 - 0.5).collect();
        let x = MatRef::from_column_major_slice(&data, 6, 20);
        let a = Init::Svd.build(x, 9, &mut SplitMix(1)).unwrap();
        let b = Init::Svd.build(x, 9, &mut SplitMix(1)).unwrap();
        assert_eq!(a, b);
        for j in 0..6 {
            let col = &a[j * 6..(j + 1) * 6];
            let big = col.iter().cloned().fold(0.0f64, |m, v| if v.abs() > m.abs() { v } else { m });
            assert!(big > 0.0);
        }
    }
}
