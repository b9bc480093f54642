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
        let json = String::from_utf8(o.stdout).unwrap();
        for key in ["\"seconds_fit\"", "\"objective\"", "\"iterations\""] {
            assert!(json.contains(key), "{method}: {json}");
        }
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
