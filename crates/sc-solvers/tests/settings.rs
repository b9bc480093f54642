//! The names, defaults and applicability rules that every door reads from
//! the library: one table of settings, one spelling per algorithm, and the
//! encoder built from a door's settings.

use faer::Mat;
use sc_solvers::{
    AlgorithmName, DEFAULT_ALPHA, Dictionary, Encoder, LASSO_CD_TOL, LassoParams, Setting, Settings, default_n_nonzero, omp_gram,
};

fn problem() -> (Mat<f64>, Mat<f64>) {
    let d = Mat::<f64>::from_fn(30, 40, |i, j| (((i * 40 + j) * 7919 % 101) as f64 / 101.0 - 0.5).sin());
    let x = Mat::<f64>::from_fn(30, 12, |i, s| ((i + 3 * s) as f64 * 0.37).cos());
    (d, x)
}

/// Each setting given alone, with nothing else: the encoder codes when
/// the table says the setting applies, and refuses it by name otherwise,
/// both through `from_settings` and through the builder methods.
#[test]
fn the_table_of_settings_is_what_the_encoder_enforces() {
    let (d, x) = problem();
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let goal = Settings { tol: Some(1.0), ..Settings::default() };
    for name in AlgorithmName::NAMES.iter().map(|n| n.parse::<AlgorithmName>().unwrap()) {
        // lasso_goal needs its goal and lasso_budget its budget; every other
        // algorithm codes with none.
        let base = match name {
            AlgorithmName::LassoGoal => goal,
            AlgorithmName::LassoBudget => Settings { alpha: Some(0.5), ..Settings::default() },
            _ => Settings::default(),
        };
        Encoder::from_settings(name, &base).unwrap().encode(&dict, x.as_ref()).unwrap();
        let cases = [
            (Setting::Alpha, Settings { alpha: Some(0.1), ..base }),
            (Setting::NNonzero, Settings { n_nonzero: Some(3), ..base }),
            (Setting::Tol, Settings { tol: Some(1e-6), ..base }),
            (Setting::MaxIter, Settings { max_iter: Some(5), ..base }),
            (Setting::Positive, Settings { positive: true, ..base }),
            (Setting::L2, Settings { l2: Some(0.1), ..base }),
            (Setting::L0, Settings { l0: Some(0.01), ..base }),
        ];
        for (setting, s) in cases {
            let coded = Encoder::from_settings(name, &s).and_then(|e| e.encode(&dict, x.as_ref()));
            assert_eq!(coded.is_ok(), name.accepts(setting), "{name} with {setting}: {coded:?}");
            if let Err(e) = coded {
                assert!(e.to_string().contains(setting.name()), "{name} with {setting}: {e}");
            }
            // The builder methods refuse what the table refuses.
            let e = Encoder::from_settings(name, &base).unwrap();
            let built = match setting {
                Setting::Tol if name != AlgorithmName::Omp && name != AlgorithmName::LassoGoal => Some(e.tol(1e-6)),
                Setting::MaxIter => Some(e.max_iter(5)),
                Setting::Positive => Some(e.positive(true)),
                Setting::L2 => Some(e.l2(0.1)),
                _ => None,
            };
            if let Some(b) = built {
                assert_eq!(b.encode(&dict, x.as_ref()).is_ok(), name.accepts(setting), "{name}: builder with {setting}");
            }
        }
    }
}

/// One spelling per name: snake_case is canonical, kebab-case and upper
/// case are read as it, anything else is refused with the list.
#[test]
fn names_read_in_either_case_and_print_in_one() {
    for &n in AlgorithmName::NAMES {
        let a: AlgorithmName = n.parse().unwrap();
        assert_eq!(a.to_string(), n);
        assert_eq!(n.replace('_', "-").to_uppercase().parse::<AlgorithmName>().unwrap(), a);
        let with_tol = Encoder::from_settings(a, &Settings { tol: Some(1.0), ..Settings::default() });
        assert_eq!(with_tol.map(|e| e.algorithm().kind()).ok(), a.accepts(Setting::Tol).then_some(a));
    }
    let err = "lasso".parse::<AlgorithmName>().unwrap_err().to_string();
    assert!(err.contains("lasso_lars") && err.contains("\"lasso\""), "{err}");
}

/// The defaults a door leaves to the library: scikit-learn's `alpha=None`
/// (1) and OMP sparsity (`n_features / 10` within `1..=n_atoms`), and
/// coordinate descent's tolerance.
#[test]
fn defaults_are_scikit_learns() {
    assert_eq!(AlgorithmName::default(), AlgorithmName::LassoLars);
    assert_eq!((default_n_nonzero(64, 100), default_n_nonzero(5, 100), default_n_nonzero(640, 20)), (6, 1, 20));
    let (d, x) = problem();
    let dict = Dictionary::new(d.as_ref()).unwrap();
    // OMP with no sparsity given: 3 atoms for 30 features, as with 3 given.
    let none = Encoder::from_settings(AlgorithmName::Omp, &Settings::default()).unwrap().encode(&dict, x.as_ref()).unwrap();
    assert_eq!(none, Encoder::omp(3).encode(&dict, x.as_ref()).unwrap());
    // Lasso with no penalty given: the penalty DEFAULT_ALPHA.
    let lasso = Encoder::from_settings(AlgorithmName::LassoLars, &Settings::default()).unwrap();
    assert_eq!(lasso.encode(&dict, x.as_ref()).unwrap(), Encoder::lasso_lars(DEFAULT_ALPHA).encode(&dict, x.as_ref()).unwrap());
    match Encoder::lasso_cd(1.0).algorithm() {
        sc_solvers::Algorithm::LassoCd(p) => assert_eq!((p.tol, p.max_iter), (LASSO_CD_TOL, LassoParams::MAX_ITER)),
        other => panic!("{other:?}"),
    }
}

/// OMP from the Gram matrix and `Dᵀx` alone gives the codes OMP gives from
/// the dictionary, with a number of atoms and with a residual goal.
#[test]
fn omp_from_the_gram_matrix_is_omp() {
    let (d, x) = problem();
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let gram = d.transpose() * &d;
    let xy = d.transpose() * &x;
    let norms: Vec<f64> = (0..x.ncols()).map(|s| (0..x.nrows()).map(|i| x[(i, s)] * x[(i, s)]).sum()).collect();
    let by_count = omp_gram(gram.as_ref(), xy.as_ref(), None, Some(4), None).unwrap();
    let want = Encoder::omp(4).encode(&dict, x.as_ref()).unwrap();
    let close = |a: &sc_solvers::SparseCodes<f64>, b: &sc_solvers::SparseCodes<f64>| {
        let (a, b) = (a.to_dense_column_major(), b.to_dense_column_major());
        a.len() == b.len() && a.iter().zip(&b).all(|(u, v)| (u - v).abs() <= 1e-9 * (1.0 + v.abs()))
    };
    assert!(close(&by_count, &want));
    let goal = 0.5 * norms.iter().sum::<f64>() / norms.len() as f64;
    let by_goal = omp_gram(gram.as_ref(), xy.as_ref(), Some(&norms), None, Some(goal)).unwrap();
    assert!(close(&by_goal, &Encoder::omp_tol(goal).encode(&dict, x.as_ref()).unwrap()));
    // A goal needs the norms; a count past the atoms is refused.
    assert!(omp_gram(gram.as_ref(), xy.as_ref(), None, None, Some(goal)).is_err());
    assert!(omp_gram(gram.as_ref(), xy.as_ref(), None, Some(41), None).is_err());
}
