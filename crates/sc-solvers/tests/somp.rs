//! Simultaneous OMP against a brute-force reference: at every step, every
//! atom not yet chosen is tried, the whole group is refitted by least
//! squares on the enlarged support, and the atom leaving the smallest total
//! squared residual is taken (SPAMS's order-recursive rule, computed the
//! slow way).

use faer::{Mat, MatRef};
use sc_linalg::rng::SplitMix;
use sc_solvers::{Dictionary, Somp};

/// Least squares of every column of `x` on the atoms `support` of `d`
/// (column-major n_features × n_atoms): (coefficients per signal, total
/// squared residual), by the normal equations and Gaussian elimination.
fn fit(d: &Mat<f64>, x: &Mat<f64>, support: &[usize]) -> (Vec<Vec<f64>>, f64) {
    let k = support.len();
    let mut coefs = Vec::new();
    let mut total = 0.0;
    for s in 0..x.ncols() {
        let mut a = vec![vec![0.0; k + 1]; k];
        for (r, &i) in support.iter().enumerate() {
            for (c, &j) in support.iter().enumerate() {
                a[r][c] = (0..d.nrows()).map(|f| d[(f, i)] * d[(f, j)]).sum();
            }
            a[r][k] = (0..d.nrows()).map(|f| d[(f, i)] * x[(f, s)]).sum();
        }
        for col in 0..k {
            let piv = (col..k).max_by(|&p, &q| a[p][col].abs().total_cmp(&a[q][col].abs())).unwrap();
            a.swap(col, piv);
            for r in 0..k {
                if r != col {
                    let f = a[r][col] / a[col][col];
                    for c in col..=k {
                        a[r][c] -= f * a[col][c];
                    }
                }
            }
        }
        let g: Vec<f64> = (0..k).map(|r| a[r][k] / a[r][r]).collect();
        for f in 0..d.nrows() {
            let r = x[(f, s)] - support.iter().zip(&g).map(|(&i, c)| d[(f, i)] * c).sum::<f64>();
            total += r * r;
        }
        coefs.push(g);
    }
    (coefs, total)
}

fn brute_force(d: &Mat<f64>, x: &Mat<f64>, max_atoms: usize, tol: Option<f64>) -> (Vec<usize>, Vec<Vec<f64>>) {
    let m = x.ncols() as f64;
    let mut support = Vec::new();
    let energy: f64 = (0..x.ncols()).flat_map(|s| (0..x.nrows()).map(move |f| (f, s))).map(|(f, s)| x[(f, s)] * x[(f, s)]).sum();
    if tol.is_some_and(|t| energy <= m * t) {
        return (support, vec![vec![]; x.ncols()]);
    }
    while support.len() < max_atoms {
        let (best, (_, res)) = (0..d.ncols())
            .filter(|j| !support.contains(j))
            .map(|j| {
                let mut s = support.clone();
                s.push(j);
                (j, fit(d, x, &s))
            })
            .min_by(|a, b| a.1.1.total_cmp(&b.1.1))
            .unwrap();
        support.push(best);
        if tol.is_some_and(|t| res <= m * t) {
            break;
        }
    }
    let (coefs, _) = fit(d, x, &support);
    (support, coefs)
}

#[test]
fn somp_takes_the_atoms_brute_force_takes() {
    let mut rng = SplitMix(2026);
    for trial in 0..30 {
        let (nf, k, m) = (8 + trial % 5, 14 + trial % 7, 1 + trial % 4);
        let mut d = Mat::<f64>::from_fn(nf, k, |_, _| rng.normal());
        for j in 0..k {
            let norm = (0..nf).map(|i| d[(i, j)] * d[(i, j)]).sum::<f64>().sqrt();
            for i in 0..nf {
                d[(i, j)] /= norm;
            }
        }
        // A group sharing three atoms, plus noise.
        let atoms = [rng.below(k), rng.below(k), rng.below(k)];
        let x = Mat::<f64>::from_fn(nf, m, |i, s| {
            atoms.iter().enumerate().map(|(t, &a)| d[(i, a)] * (1.0 + t as f64 + s as f64 * 0.3)).sum::<f64>()
                + 0.05 * ((i * 7 + s * 3) as f64).sin()
        });
        let dict = Dictionary::new(d.as_ref()).unwrap();
        for (max_atoms, tol) in [(3, None), (5, Some(0.01)), (nf.min(k), Some(0.2))] {
            let codes = Somp { max_atoms, tol }.encode(&dict, x.as_ref(), &[0]).unwrap();
            let (support, coefs) = brute_force(&d, &x, max_atoms, tol);
            let mut sorted = support.clone();
            sorted.sort();
            for s in 0..m {
                let (idx, val) = codes.code(s);
                let idx: Vec<usize> = idx.iter().map(|&i| i as usize).collect();
                assert_eq!(idx, sorted, "trial {trial}, max_atoms {max_atoms}, tol {tol:?}, signal {s}");
                for (t, &a) in support.iter().enumerate() {
                    let ours = val[idx.iter().position(|&i| i == a).unwrap()];
                    assert!((ours - coefs[s][t]).abs() < 1e-8, "trial {trial}: coefficient {ours} vs {}", coefs[s][t]);
                }
            }
        }
    }
}

#[test]
fn groups_are_coded_apart_and_threads_do_not_matter() {
    let mut rng = SplitMix(5);
    let d = Mat::<f64>::from_fn(10, 20, |_, _| rng.normal());
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let x = Mat::<f64>::from_fn(10, 9, |_, _| rng.normal());
    let starts = [0, 2, 3, 7];
    let somp = Somp { max_atoms: 4, tol: None };
    let all = somp.encode(&dict, x.as_ref(), &starts).unwrap();
    let bounds = [(0, 2), (2, 3), (3, 7), (7, 9)];
    for (a, b) in bounds {
        let alone = somp.encode(&dict, x.as_ref().subcols(a, b - a), &[0]).unwrap();
        for s in a..b {
            // The same code (to rounding: the product DᵀX is made for a
            // chunk of signals, whose width picks the product's kernel).
            let ((ia, va), (ib, vb)) = (all.code(s), alone.code(s - a));
            assert_eq!(ia, ib);
            assert!(va.iter().zip(vb).all(|(p, q)| (p - q).abs() <= 1e-12 * q.abs().max(1.0)), "{va:?} vs {vb:?}");
            assert_eq!(all.code(s).0, all.code(a).0, "one support per group");
        }
    }
    let one = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap().install(|| somp.encode(&dict, x.as_ref(), &starts).unwrap());
    assert_eq!(one, all);
    for bad in [&[1usize, 3][..], &[0, 3, 3], &[0, 9]] {
        assert!(somp.encode(&dict, x.as_ref(), bad).is_err(), "{bad:?}");
    }
    assert!(Somp { max_atoms: 0, tol: None }.encode(&dict, x.as_ref(), &[0]).is_err());
    assert!(Somp { max_atoms: 2, tol: Some(f64::NAN) }.encode(&dict, x.as_ref(), &[0]).is_err());
    let empty = MatRef::<f64>::from_column_major_slice(&[], 10, 0);
    assert_eq!(somp.encode(&dict, empty, &[]).unwrap().n_samples(), 0);
}
