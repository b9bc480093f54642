//! `sparsecode patches` and `sparsecode show` end to end.

mod common;

use std::path::Path;

use common::{shape, sparsecode as run, tmpdir};

#[test]
fn patches_of_the_embedded_camera() {
    let dir = tmpdir("patches");
    let out = dir.join("p.npy");
    let o = run(&["patches", "--image", "camera", "--stride", "8", "-o", out.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(shape(&out), vec![64 * 64, 64]);
    let o = run(&[
        "patches",
        "--image",
        "camera",
        "--patch",
        "6x5",
        "--max-patches",
        "2000",
        "--seed",
        "42",
        "--remove-mean",
        "-o",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success());
    assert_eq!(shape(&out), vec![2000, 30]);
    let npy = npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(&out).unwrap())).unwrap();
    let v = npy.into_vec::<f64>().unwrap();
    for row in v.chunks(30) {
        assert!(row.iter().sum::<f64>().abs() < 1e-9);
    }
    for bad in
        [vec!["--patch", "600x8"], vec!["--stride", "0"], vec!["--max-patches", "0"], vec!["--max-patches", "1.5"], vec!["--patch", "8y"]]
    {
        let mut args = vec!["patches", "--image", "camera", "-o", out.to_str().unwrap()];
        args.extend(bad.iter().copied());
        let o = run(&args);
        assert_eq!(o.status.code(), Some(2), "{bad:?}");
        assert_eq!(String::from_utf8_lossy(&o.stderr).lines().count(), 1, "{bad:?}");
    }
    let o = run(&["patches", "--image", dir.join("missing.png").to_str().unwrap(), "-o", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn show_draws_a_grid_of_the_right_size() {
    let dir = tmpdir("show");
    let dict = Path::new(env!("CARGO_MANIFEST_DIR")).join("../sc-solvers/tests/golden/patch/dict.npy");
    let png = dir.join("atoms.png");
    // 128 atoms of 8×8: 12 columns, 11 rows, zoom 4, 1-pixel borders.
    let o = run(&["show", dict.to_str().unwrap(), "-o", png.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let bytes = std::fs::read(&png).unwrap();
    let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
    let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
    assert_eq!((w, h), (12 * 32 + 13, 11 * 32 + 12));
    let o = run(&["show", dict.to_str().unwrap(), "-o", png.to_str().unwrap(), "--grid", "4x32", "--zoom", "1"]);
    assert!(o.status.success());
    let bytes = std::fs::read(&png).unwrap();
    assert_eq!(u32::from_be_bytes(bytes[16..20].try_into().unwrap()), 32 * 8 + 33);
    let o = run(&["show", dict.to_str().unwrap(), "-o", png.to_str().unwrap(), "--grid", "2x2"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["show", dict.to_str().unwrap(), "-o", png.to_str().unwrap(), "--patch", "7x7"]);
    assert_eq!(o.status.code(), Some(2));
    std::fs::remove_dir_all(&dir).ok();
}
