//! `sparsecode learn`, `denoise` and `demo` end to end.

mod common;

use common::{sparsecode as run, tmpdir};

#[test]
fn learn_every_method_then_show_the_model() {
    let dir = tmpdir("learn");
    for method in ["online", "ksvd", "batch"] {
        let model = dir.join(format!("{method}.model"));
        let dict = dir.join(format!("{method}.npy"));
        let o = run(&[
            "learn",
            "--image",
            "camera",
            "--max-patches",
            "600",
            "--remove-mean",
            "--atoms",
            "36",
            "--method",
            method,
            "--epochs",
            "3",
            "--alpha",
            "20",
            "--n-nonzero",
            "3",
            "-o",
            model.to_str().unwrap(),
            "--dict-out",
            dict.to_str().unwrap(),
            "--json",
        ]);
        assert!(o.status.success(), "{method}: {}", String::from_utf8_lossy(&o.stderr));
        let json: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
        assert!(json["seconds_fit"].as_f64().is_some_and(|t| t > 0.0 && t.is_finite()), "{method}: {json}");
        assert!(json["objective"].as_f64().is_some_and(f64::is_finite), "{method}: {json}");
        assert!(json["iterations"].as_u64().is_some_and(|i| i >= 1), "{method}: {json}");
        let npy = npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(&dict).unwrap())).unwrap();
        assert_eq!(npy.shape(), &[36, 64]);
        let png = dir.join(format!("{method}.png"));
        let o = run(&["show", model.to_str().unwrap(), "-o", png.to_str().unwrap()]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    // A damaged model is refused with one line and status 2.
    let model = dir.join("online.model");
    let mut bytes = std::fs::read(&model).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 1;
    std::fs::write(&model, &bytes).unwrap();
    let o = run(&["show", model.to_str().unwrap(), "-o", dir.join("x.png").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("checksum"));
    let o = run(&["learn", "--image", "camera", "--atoms", "0", "-o", dir.join("m.model").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

/// `learn --method nmf` and `--positive-dict --positive-code` give
/// non-negative atoms; the flags are refused by K-SVD, and non-negative
/// codes with OMP's goal, with one line and status 2.
#[test]
fn non_negative_learning() {
    let dir = tmpdir("nmf");
    let read = |p: &std::path::Path| -> Vec<f64> {
        let npy = npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(p).unwrap())).unwrap();
        npy.into_vec::<f64>().unwrap()
    };
    let base = ["learn", "--image", "camera", "--max-patches", "600", "--atoms", "12", "--steps", "30", "--unit"];
    for extra in [&["--method", "nmf"][..], &["--positive-dict", "--positive-code", "--alpha", "0.1"][..]] {
        let (model, dict) = (dir.join("m.model"), dir.join("d.npy"));
        let args = [&base[..], extra, &["-o", model.to_str().unwrap(), "--dict-out", dict.to_str().unwrap()][..]].concat();
        let o = run(&args);
        assert!(o.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&o.stderr));
        let atoms = read(&dict);
        assert!(atoms.iter().all(|&v| v >= 0.0) && atoms.iter().any(|&v| v > 0.0), "{extra:?}");
    }
    let refused = dir.join("x.model");
    for extra in [&["--method", "ksvd", "--positive-dict"][..], &["--method", "nmf", "--tol", "0.1"][..]] {
        let args = [&base[..], extra, &["-o", refused.to_str().unwrap()][..]].concat();
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{extra:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).trim().lines().count(), 1, "{extra:?}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn denoise_errors_exit_2() {
    let dir = tmpdir("denoise");
    let out = dir.join("d.png");
    for sigma in ["0", "-3", "nan"] {
        let o = run(&["denoise", "--image", "camera", "--sigma", sigma, "-o", out.to_str().unwrap()]);
        assert_eq!(o.status.code(), Some(2), "sigma {sigma}");
    }
    let o = run(&["denoise", "--image", "camera", "--sigma", "20", "-o", "/nonexistent-dir/d.png"]);
    assert_eq!(o.status.code(), Some(2));
    // An unknown method, and WNNM with a joint colour mode (it goes channel by channel).
    for args in [&["--method", "bm3d"][..], &["--method", "wnnm", "--colour", "joint"]] {
        let o = run(&[&["denoise", "--image", "camera", "--sigma", "20", "-o", out.to_str().unwrap()][..], args].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", String::from_utf8_lossy(&o.stderr));
    }
    // The learned dictionary's flags with WNNM (the default): refused, not ignored.
    for (args, flag) in [
        (&["--patch", "8"][..], "--patch"),
        (&["--method", "wnnm", "--nl-step", "2"], "--nl-step"),
        (&["--uniform-weights"], "--uniform-weights"),
    ] {
        let o = run(&[&["denoise", "--image", "camera", "--sigma", "20", "-o", out.to_str().unwrap()][..], args].concat());
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(&format!("{flag} does not apply to --method wnnm")), "{err}");
    }
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_demo_writes_its_four_pictures_denoises_and_inpaints() {
    let dir = tmpdir("demo");
    let o = run(&["demo", "--out-dir", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for picture in ["dictionary.png", "patch.png", "denoise.png", "inpaint.png"] {
        let bytes = std::fs::read(dir.join(picture)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{picture}");
    }
    assert!(out.contains("Dictionary shape: (100, 64)"), "{out}");
    // "noisy A dB → B dB": the denoised PSNR is well above the noisy one.
    let line = out.lines().find(|l| l.starts_with("Denoising")).expect("a denoising line");
    let db: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (noisy, clean) = (db[0], db[1]);
    assert!(clean > noisy + 6.0, "{line}");
    // "Inpainting, …: A dB → B dB", twice.
    let lines: Vec<&str> = out.lines().filter(|l| l.starts_with("Inpainting")).collect();
    assert_eq!(lines.len(), 2, "{out}");
    for line in lines {
        let db: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
        assert!(db[db.len() - 1] > db[db.len() - 2] + 10.0, "{line}");
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// A 2-D float64 `.npy` file of `rows × cols` values.
fn write_npy(path: &std::path::Path, rows: usize, cols: usize, values: &[f64]) {
    write_npy_shape(path, &format!("({rows}, {cols})"), values)
}

/// A float64 `.npy` file of the given shape (written as Python does).
fn write_npy_shape(path: &std::path::Path, shape: &str, values: &[f64]) {
    let mut header = format!("{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}");
    header.push_str(&" ".repeat(63 - (10 + header.len()) % 64));
    header.push('\n');
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for v in values {
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn inpaint_fills_missing_pixels_and_keeps_known_ones() {
    let dir = tmpdir("inpaint");
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    // A smooth 48×48 image with half of its pixels (a fixed pattern) lost as NaN.
    let clean: Vec<f64> = (0..48 * 48).map(|i| (i % 48) as f64 * 3.0 + 40.0 * ((i / 48) as f64 / 7.0).sin() + 100.0).collect();
    let lost = |i: usize| (i * 2654435761) % 97 < 50;
    let damaged: Vec<f64> = clean.iter().enumerate().map(|(i, &v)| if lost(i) { f64::NAN } else { v }).collect();
    write_npy(&dir.join("damaged.npy"), 48, 48, &damaged);
    write_npy(&dir.join("clean.npy"), 48, 48, &clean);
    let o = run(&[
        "inpaint",
        "--image",
        &f("damaged.npy"),
        "--missing-value",
        "nan",
        "--steps",
        "20",
        "--max-training",
        "2000",
        "-o",
        &f("out.npy"),
        "--clean",
        &f("clean.npy"),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (shape, out) = common::load(&dir.join("out.npy"));
    assert_eq!(shape, vec![48, 48]);
    let mut err = 0.0;
    for i in 0..48 * 48 {
        if lost(i) {
            err += (out[i] - clean[i]).powi(2);
        } else {
            assert_eq!(out[i], clean[i], "known pixel {i} changed");
        }
    }
    let mean =
        clean.iter().enumerate().filter(|p| !lost(p.0)).map(|p| p.1).sum::<f64>() / (0..48 * 48).filter(|&i| !lost(i)).count() as f64;
    let err_mean: f64 = (0..48 * 48).filter(|&i| lost(i)).map(|i| (mean - clean[i]).powi(2)).sum();
    assert!(err < 0.05 * err_mean, "inpainted error {err} vs mean fill {err_mean}");
    let j = String::from_utf8(o.stdout).unwrap();
    assert!(j.contains("\"psnr_missing\""), "{j}");
    // No way to tell which pixels are missing, a NaN left unmarked, a mask of another size: one line, exit 2.
    for args in [
        vec!["inpaint", "--image", &f("damaged.npy"), "-o", &f("o2.npy")],
        vec!["inpaint", "--image", &f("damaged.npy"), "--missing-value", "7", "-o", &f("o2.npy")],
        vec!["inpaint", "--image", &f("damaged.npy"), "--mask", "camera", "-o", &f("o2.npy")],
    ] {
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1);
    }
    assert!(!dir.join("o2.npy").exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn denoise_sigma_auto_reports_its_estimate() {
    let dir = tmpdir("sigma-auto");
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let mut g = sparsecode::dict::rng::SplitMix(11);
    let img = sparsecode::patches::camera();
    let noisy: Vec<f64> = img.data.iter().map(|v| v + 25.0 * g.normal()).collect();
    write_npy(&dir.join("noisy.npy"), img.height, img.width, &noisy);
    let o = run(&[
        "denoise",
        "--method",
        "dictionary",
        "--image",
        &f("noisy.npy"),
        "--sigma",
        "auto",
        "--steps",
        "5",
        "--max-training",
        "2000",
        "-o",
        &f("d.npy"),
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let j: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    let sigma = j["sigma"].as_f64().unwrap();
    assert!((sigma / 25.0 - 1.0).abs() < 0.05, "{j}");
    assert_eq!(j["sigma_estimated"], serde_json::json!(true));
    let o = run(&["denoise", "--image", &f("noisy.npy"), "--sigma", "guess", "-o", &f("d.npy")]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn an_rgb_npy_image_is_denoised_in_colour() {
    let dir = tmpdir("rgb");
    let f = |n: &str| dir.join(n).to_str().unwrap().to_string();
    let (h, w) = (40, 48);
    let mut g = sparsecode::dict::rng::SplitMix(3);
    let clean: Vec<f64> = (0..h * w * 3).map(|i| [80.0, 120.0, 160.0][i % 3] + ((i / 3) % w) as f64).collect();
    let noisy: Vec<f64> = clean.iter().map(|v| v + 10.0 * g.normal()).collect();
    write_npy_shape(&dir.join("rgb.npy"), &format!("({h}, {w}, 3)"), &noisy);
    let o = run(&["denoise", "--image", &f("rgb.npy"), "--sigma", "10", "-o", &f("out.npy")]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (shape, out) = common::load(&dir.join("out.npy"));
    assert_eq!(shape, vec![h as u64, w as u64, 3]);
    let err = |a: &[f64]| a.iter().zip(&clean).map(|(x, y)| (x - y).powi(2)).sum::<f64>();
    assert!(err(&out) < 0.5 * err(&noisy));
    std::fs::remove_dir_all(&dir).ok();
}
