//! Criterion benches of issue 3: all 255,025 8×8 patches of camera
//! extracted and averaged back, against a memcpy of the same 130 MB.

#![forbid(unsafe_code)]

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use sc_patches::image::camera;
use sc_patches::patches::{extract, extract_into, reconstruct_average};

fn benches(c: &mut Criterion) {
    let img = camera();
    let p = extract(&img, 8, 8, 1, 1).unwrap();
    let mut g = c.benchmark_group("patches");
    g.sample_size(10).warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4));
    g.bench_function("memcpy_130MB", |b| {
        let mut dst = vec![0.0f64; p.data.len()];
        b.iter(|| dst.copy_from_slice(black_box(&p.data)))
    });
    g.bench_function("clone_130MB", |b| b.iter(|| black_box(&p.data).clone()));
    g.bench_function("extract_all", |b| b.iter(|| extract(black_box(&img), 8, 8, 1, 1).unwrap()));
    g.bench_function("extract_all_into_reused_buffer", |b| {
        let mut buf = Vec::new();
        b.iter(|| extract_into(black_box(&img), 8, 8, &p.corners, &mut buf).unwrap())
    });
    g.bench_function("average_all", |b| b.iter(|| reconstruct_average(black_box(&p), None, 512, 512).unwrap()));
    g.finish();
}

criterion_group!(patches, benches);
criterion_main!(patches);
