//! Criterion benches of every encoder on the camera workload (issue 2).
//! Run with `cargo xtask bench` (or `cargo bench -p sc-benches`).

#![forbid(unsafe_code)]

use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sc_benches::{LASSO_ALPHA, OMP_TOL, camera_workload};
use sc_linalg::Real;
use sc_linalg::faer::MatRef;
use sc_solvers::{Dictionary, Encoder};

fn bench_precision<T: Real>(c: &mut Criterion, name: &str) {
    let (d, x, n) = camera_workload::<T>();
    let dict = Dictionary::new(d.as_ref()).unwrap();
    let xm = MatRef::from_column_major_slice(&x, 64, n);
    // The iterative Lasso solvers run on the first 1/16 of the patches.
    let sub = n / 16;
    let xs = MatRef::from_column_major_slice(&x[..64 * sub], 64, sub);
    let mut g = c.benchmark_group(format!("encode_{name}"));
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5));
    let full: [(&str, Encoder); 6] = [
        ("omp8_all", Encoder::omp(8)),
        ("omp_tol_all", Encoder::omp_tol(OMP_TOL)),
        ("lasso_lars_all", Encoder::lasso_lars(LASSO_ALPHA)),
        ("lasso_goal_all", Encoder::lasso_goal(OMP_TOL)),
        ("lars8_all", Encoder::lars(8)),
        ("threshold_all", Encoder::soft_threshold(LASSO_ALPHA)),
    ];
    for (label, enc) in full {
        g.bench_function(label, |b| b.iter(|| enc.encode(&dict, xm).unwrap()));
    }
    let part: [(&str, Encoder); 3] = [
        ("lasso_cd_sixteenth", Encoder::lasso_cd(LASSO_ALPHA).tol(1e-8)),
        ("fista_sixteenth", Encoder::fista(LASSO_ALPHA).tol(1e-8)),
        ("ista_sixteenth", Encoder::ista(LASSO_ALPHA).tol(1e-8)),
    ];
    for (label, enc) in part {
        g.bench_function(label, |b| b.iter(|| enc.encode(&dict, xs).unwrap()));
    }
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_precision::<f64>(c, "f64");
    bench_precision::<f32>(c, "f32");
}

criterion_group!(encode, benches);
criterion_main!(encode);
