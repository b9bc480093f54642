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
        assert!(json["seconds_fit"].as_f64().is_some_and(|t| t >= 0.0), "{method}: {json}");
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
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn the_demo_writes_its_three_pictures_and_denoises() {
    let dir = tmpdir("demo");
    let o = run(&["demo", "--out-dir", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8(o.stdout).unwrap();
    for picture in ["dictionary.png", "patch.png", "denoise.png"] {
        let bytes = std::fs::read(dir.join(picture)).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{picture}");
    }
    assert!(out.contains("Dictionary shape: (100, 64)"), "{out}");
    // "noisy A dB → B dB": the denoised PSNR is well above the noisy one.
    let line = out.lines().find(|l| l.starts_with("Denoising")).expect("a denoising line");
    let db: Vec<f64> = line.split_whitespace().filter_map(|w| w.parse().ok()).collect();
    let (noisy, clean) = (db[0], db[1]);
    assert!(clean > noisy + 6.0, "{line}");
    std::fs::remove_dir_all(&dir).ok();
}
