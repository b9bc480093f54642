//! Hostile input (issue 13's table): every case ends with exit status 2 and
//! one line naming the problem, or with scikit-learn's answer; never a panic
//! or an abort, and never a file written where it must not be.

mod common;

use std::path::Path;
use std::process::Output;

use common::{sparsecode, tmpdir};

fn p(d: &Path, name: &str) -> String {
    d.join(name).to_str().unwrap().to_string()
}

/// `denoise --method dictionary` on the embedded camera at σ 20 with one
/// more flag, output to `out` (the flags below are the dictionary's).
fn denoise_dictionary(flag: &str, value: &str, out: &str) -> Output {
    sparsecode(&["denoise", "--method", "dictionary", "--image", "camera", "--sigma", "20", flag, value, "-o", out])
}

/// Exit status 2, one line on stderr that contains `needle`.
fn refused(out: Output, needle: &str) {
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {err}");
    assert_eq!(err.lines().count(), 1, "one line expected, got: {err}");
    assert!(err.contains(needle), "{needle:?} not in {err:?}");
}

/// A dictionary of 16 atoms of 8×8 learned from the camera, for `show`.
fn dictionary(d: &Path) -> String {
    let out = sparsecode(&["patches", "--image", "camera", "--max-patches", "500", "-o", &p(d, "P.npy")]);
    assert!(out.status.success());
    let out = sparsecode(&[
        "learn",
        "--input",
        &p(d, "P.npy"),
        "--atoms",
        "16",
        "--steps",
        "2",
        "-o",
        &p(d, "d.model"),
        "--dict-out",
        &p(d, "D.npy"),
    ]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    p(d, "D.npy")
}

#[test]
fn a_pgm_header_larger_than_the_address_space_is_refused() {
    let d = tmpdir("hostile-pgm");
    let mut bytes = b"P5\n18446744073709551615 1\n255\n".to_vec();
    bytes.extend([0u8; 64]);
    std::fs::write(d.join("w.pgm"), bytes).unwrap();
    refused(sparsecode(&["patches", "--image", &p(&d, "w.pgm"), "-o", &p(&d, "p.npy")]), "truncated");
    assert!(!d.join("p.npy").exists());
}

#[test]
fn a_patch_shape_whose_product_overflows_is_refused() {
    let d = tmpdir("hostile-patch");
    let dict = dictionary(&d);
    refused(sparsecode(&["show", &dict, "-o", &p(&d, "s.png"), "--patch", "2x9223372036854775816"]), "does not hold 64 features");
}

#[test]
fn more_patches_than_exist_gives_those_that_exist_as_scikit_learn_does() {
    let d = tmpdir("hostile-maxp");
    // scikit-learn's extract_patches_2d: a count beyond the patches that exist gives them all.
    let out = sparsecode(&["patches", "--image", "camera", "--patch", "500", "--max-patches", "300000", "-o", &p(&d, "y.npy")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(common::shape(&d.join("y.npy")), vec![13 * 13, 500 * 500]);
    let out = sparsecode(&["patches", "--image", "camera", "--max-patches", "100000000000", "-o", &p(&d, "x.npy")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(common::shape(&d.join("x.npy")), vec![505 * 505, 64]);
}

#[test]
fn a_dictionary_too_large_for_memory_is_refused_before_allocating() {
    let d = tmpdir("hostile-atoms");
    dictionary(&d);
    for atoms in ["1000000000000", "1000000"] {
        refused(
            sparsecode(&["learn", "--input", &p(&d, "P.npy"), "--atoms", atoms, "-o", &p(&d, "a.model")]),
            "more than can be allocated",
        );
        refused(denoise_dictionary("--atoms", atoms, &p(&d, "dn.png")), "more than can be allocated");
    }
    assert!(!d.join("a.model").exists() && !d.join("dn.png").exists());
}

#[test]
fn one_output_never_clobbers_another() {
    let d = tmpdir("hostile-clobber");
    dictionary(&d);
    refused(
        sparsecode(&["patches", "--image", "camera", "--remove-mean", "-o", &p(&d, "pp.npy"), "--means-out", &p(&d, "pp.npy")]),
        "same file",
    );
    refused(sparsecode(&["patches", "--image", "camera", "-o", &p(&d, "pp.npy"), "--means-out", &p(&d, "m.npy")]), "--remove-mean");
    // Two spellings of one file.
    let other = format!("{}/../{}/s.npy", d.display(), d.file_name().unwrap().to_str().unwrap());
    refused(
        sparsecode(&["learn", "--input", &p(&d, "P.npy"), "--atoms", "4", "--steps", "1", "-o", &p(&d, "s.npy"), "--dict-out", &other]),
        "same file",
    );
    assert!(!d.join("pp.npy").exists() && !d.join("m.npy").exists() && !d.join("s.npy").exists());
}

#[test]
fn a_folder_as_an_output_is_refused_and_nothing_is_written() {
    let d = tmpdir("hostile-dir");
    dictionary(&d);
    std::fs::create_dir_all(d.join("DIR.npy")).unwrap();
    refused(
        sparsecode(&[
            "learn",
            "--input",
            &p(&d, "P.npy"),
            "--atoms",
            "4",
            "--steps",
            "1",
            "-o",
            &p(&d, "lm.model"),
            "--dict-out",
            &p(&d, "DIR.npy"),
        ]),
        "is a folder",
    );
    assert!(!d.join("lm.model").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn an_error_that_cannot_be_printed_still_exits_2() {
    let full = std::fs::OpenOptions::new().write(true).open("/dev/full").unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sparsecode"))
        .args(["encode", "--dict", "nope-d.npy", "--input", "nope.npy", "-o", "c.npy"])
        .stderr(full)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[cfg(unix)]
#[test]
fn a_device_is_written_to_not_replaced() {
    use std::os::unix::fs::FileTypeExt;
    let d = tmpdir("hostile-device");
    dictionary(&d);
    let out = sparsecode(&["learn", "--input", &p(&d, "P.npy"), "--atoms", "4", "--steps", "1", "-o", "/dev/null"]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(std::fs::symlink_metadata("/dev/null").unwrap().file_type().is_char_device());
}

#[cfg(unix)]
#[test]
fn an_output_that_is_a_link_is_replaced_and_its_target_left_alone() {
    let d = tmpdir("hostile-link");
    dictionary(&d);
    std::fs::write(d.join("target.txt"), b"keep me").unwrap();
    let _ = std::fs::remove_file(d.join("o.npy"));
    std::os::unix::fs::symlink(d.join("target.txt"), d.join("o.npy")).unwrap();
    let out = sparsecode(&["patches", "--image", "camera", "--max-patches", "5", "-o", &p(&d, "o.npy")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(std::fs::read(d.join("target.txt")).unwrap(), b"keep me");
    assert!(std::fs::symlink_metadata(d.join("o.npy")).unwrap().file_type().is_file());
    // No temporary file is left behind.
    let stray: Vec<_> =
        std::fs::read_dir(&d).unwrap().filter_map(|e| e.ok()).filter(|e| e.file_name().to_string_lossy().ends_with(".tmp")).collect();
    assert!(stray.is_empty());
}

#[test]
fn messages_name_the_flags_a_user_typed() {
    let d = tmpdir("hostile-messages");
    dictionary(&d);
    // Missing required arguments are named.
    refused(sparsecode(&["encode"]), "--dict <DICT>, --input <INPUT>, --output <OUTPUT>");
    // A negative number is a value, not a flag.
    refused(
        sparsecode(&[
            "encode",
            "--dict",
            &p(&d, "D.npy"),
            "--input",
            &p(&d, "P.npy"),
            "--algorithm",
            "omp",
            "--tol",
            "-1",
            "-o",
            &p(&d, "c.npy"),
        ]),
        "invalid --tol",
    );
    // The library's parameter names come out as the command's flags.
    refused(denoise_dictionary("--max-training", "0", &p(&d, "x.png")), "invalid --max-training");
    refused(denoise_dictionary("--gain", "0", &p(&d, "x.png")), "invalid --gain");
    refused(denoise_dictionary("--lambda-factor", "nan", &p(&d, "x.png")), "invalid --lambda-factor");
    refused(sparsecode(&["learn", "--input", &p(&d, "P.npy"), "--atoms", "4", "--rho", "-1", "-o", &p(&d, "q.model")]), "invalid --rho");
    refused(
        sparsecode(&["learn", "--input", &p(&d, "P.npy"), "--atoms", "4", "--batch-size", "0", "-o", &p(&d, "q.model")]),
        "invalid --batch-size",
    );
}

/// A version-1.0 `.npy` file of `descr` and `shape` (2-D) with `data`.
fn npy(descr: &str, rows: usize, cols: usize, data: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': ({rows}, {cols}), }}");
    while (10 + header.len() + 1) % 64 != 0 {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.as_bytes());
    out.extend(data);
    out
}

#[test]
fn arrays_of_other_dtypes_are_refused_with_what_to_do() {
    let d = tmpdir("hostile-dtypes");
    let dict = dictionary(&d);
    let ints: Vec<u8> = (0..64i32).flat_map(|v| v.to_le_bytes()).collect();
    std::fs::write(d.join("i4.npy"), npy("<i4", 1, 64, &ints)).unwrap();
    refused(sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "i4.npy"), "-o", &p(&d, "c.npy")]), "X.astype(np.float64)");
    std::fs::write(d.join("f2.npy"), npy("<f2", 1, 64, &[0u8; 128])).unwrap();
    refused(sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "f2.npy"), "-o", &p(&d, "c.npy")]), "X.astype(np.float64)");
    std::fs::write(d.join("o.npy"), npy("|O", 1, 1, b"\x80\x04N.")).unwrap();
    refused(sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "o.npy"), "-o", &p(&d, "c.npy")]), "pickled");
    assert!(!d.join("c.npy").exists());
}

/// The temporary files (`.NAME.XXXXXX.tmp`) left in `d`.
fn temporaries(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.') && n.ends_with(".tmp"))
        .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn outputs_are_written_all_or_none() {
    let d = tmpdir("hostile-all-or-none");
    dictionary(&d);
    // The model cannot be written (a full device): the dictionary file,
    // staged beside it, is not put in place either.
    let _ = std::fs::remove_file(d.join("dn.npy"));
    refused(
        sparsecode(&[
            "learn",
            "--input",
            &p(&d, "P.npy"),
            "--atoms",
            "4",
            "--steps",
            "1",
            "-o",
            "/dev/full",
            "--dict-out",
            &p(&d, "dn.npy"),
        ]),
        "/dev/full",
    );
    assert!(!d.join("dn.npy").exists());
    assert!(temporaries(&d).is_empty(), "{:?}", temporaries(&d));
    // One of the demo's three pictures blocked by a folder: refused before
    // any work, and neither of the other two written.
    let demo = d.join("demo");
    std::fs::create_dir_all(demo.join("patch.png")).unwrap();
    refused(sparsecode(&["demo", "--out-dir", demo.to_str().unwrap()]), "is a folder");
    assert!(!demo.join("dictionary.png").exists() && !demo.join("denoise.png").exists());
}

#[cfg(target_os = "linux")]
#[test]
fn a_run_stopped_by_a_signal_leaves_the_old_file_and_no_temporary() {
    use std::time::{Duration, Instant};
    for signal in ["TERM", "INT"] {
        // A run that ends before the signal reaches it tests nothing: it is
        // tried again, three times at most, and then the test fails.
        let mut stopped = false;
        for attempt in 0..3 {
            let d = tmpdir(&format!("hostile-signal-{signal}-{attempt}"));
            std::fs::write(d.join("all.npy"), b"the old file").unwrap();
            // Every 8x8 patch of the camera: a 130 MB output.
            let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_sparsecode"))
                .args(["patches", "--image", "camera", "-o", &p(&d, "all.npy")])
                .stderr(std::process::Stdio::null())
                .spawn()
                .unwrap();
            // Stop it while its output is being written: as soon as the
            // temporary file appears.
            let t0 = Instant::now();
            while temporaries(&d).is_empty() && t0.elapsed() < Duration::from_secs(60) {
                if child.try_wait().unwrap().is_some() {
                    break;
                }
                std::thread::sleep(Duration::from_micros(200));
            }
            let seen = !temporaries(&d).is_empty();
            let kill = std::process::Command::new("kill").args([&format!("-{signal}"), &child.id().to_string()]).status().unwrap();
            let status = child.wait().unwrap();
            assert!(temporaries(&d).is_empty(), "{signal}: stray {:?}", temporaries(&d));
            let now = std::fs::read(d.join("all.npy")).unwrap();
            match status.code() {
                // Stopped: the old file, untouched.
                Some(143) | Some(130) => {
                    assert_eq!(now, b"the old file", "{signal}");
                    stopped = true;
                    break;
                }
                // Finished before the signal arrived: the new file, whole; try again.
                Some(0) => assert_eq!(now.len(), 255_025 * 64 * 8 + 128, "{signal}"),
                other => panic!("{signal}: exit {other:?} (temporary seen: {seen}, kill: {kill})"),
            }
        }
        assert!(stopped, "{signal}: every run ended before the signal reached it");
    }
}

#[test]
fn patches_too_many_for_memory_are_refused_before_allocating() {
    let d = tmpdir("hostile-patch-memory");
    // Every 200×200 patch of the camera: 97,969 patches, 31.4 GB.
    for cmd in [
        vec!["patches", "--image", "camera", "--patch", "200", "-o", "x.npy"],
        vec!["learn", "--image", "camera", "--patch", "200", "--atoms", "4", "-o", "x.model"],
    ] {
        let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
        let out = args.last_mut().unwrap();
        *out = p(&d, out);
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(sparsecode(&args), "97969 patches of 200×200×1 would take 31.4 GB");
    }
}

#[test]
fn empty_arrays_give_empty_codes_or_one_line() {
    let d = tmpdir("hostile-empty");
    let dict = dictionary(&d);
    std::fs::write(d.join("rows0.npy"), npy("<f8", 0, 64, &[])).unwrap();
    std::fs::write(d.join("cols0.npy"), npy("<f8", 10, 0, &[])).unwrap();
    // No signals: no codes, a (0, n_atoms) array.
    let out = sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "rows0.npy"), "-o", &p(&d, "c0.npy")]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(common::shape(&d.join("c0.npy")), vec![0, 16]);
    refused(sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "cols0.npy"), "-o", &p(&d, "c1.npy")]), "features");
    refused(sparsecode(&["learn", "--input", &p(&d, "rows0.npy"), "--atoms", "4", "-o", &p(&d, "m.model")]), "zero-row");
    refused(sparsecode(&["learn", "--input", &p(&d, "cols0.npy"), "--atoms", "4", "-o", &p(&d, "m.model")]), "no features");
    refused(sparsecode(&["show", &p(&d, "cols0.npy"), "-o", &p(&d, "s.png")]), "atoms");
}

#[cfg(unix)]
#[test]
fn outputs_get_the_permissions_of_any_new_file() {
    use std::os::unix::fs::PermissionsExt;
    let d = tmpdir("hostile-mode");
    // What the umask makes of a new file here.
    std::fs::write(d.join("plain"), b"x").unwrap();
    let expected = std::fs::metadata(d.join("plain")).unwrap().permissions().mode() & 0o777;
    let _ = std::fs::remove_file(d.join("o.npy"));
    let out = sparsecode(&["patches", "--image", "camera", "--max-patches", "5", "-o", &p(&d, "o.npy")]);
    assert!(out.status.success());
    assert_eq!(std::fs::metadata(d.join("o.npy")).unwrap().permissions().mode() & 0o777, expected);
}

// -- Issue 26: the kinds of the second round --------------------------------

#[test]
fn a_value_past_the_range_its_file_declares_is_refused() {
    let d = tmpdir("hostile-maxval");
    let mut ascii = String::from("P2\n16 16\n255\n");
    ascii.push_str(&(0..256).map(|i| if i == 255 { "300".to_string() } else { (i % 256).to_string() }).collect::<Vec<_>>().join(" "));
    std::fs::write(d.join("a.pgm"), ascii).unwrap();
    let mut binary = b"P5\n16 16\n1000\n".to_vec();
    binary.extend((0..256).flat_map(|i| if i == 0 { 2000u16 } else { 500 }.to_be_bytes()));
    std::fs::write(d.join("b.pgm"), binary).unwrap();
    for (name, needle) in
        [("a.pgm", "value 300 at pixel 255 is above the maxval 255"), ("b.pgm", "value 2000 at pixel 0 is above the maxval 1000")]
    {
        refused(sparsecode(&["denoise", "--image", &p(&d, name), "--sigma", "5", "-o", &p(&d, "o.png")]), needle);
    }
    assert!(!d.join("o.png").exists());
}

#[test]
fn finite_signals_whose_squares_overflow_are_refused() {
    let d = tmpdir("hostile-overflow");
    let dict = dictionary(&d);
    let big: Vec<u8> = (0..64).flat_map(|i| (1e200 * (1.0 + i as f64)).to_le_bytes()).collect();
    std::fs::write(d.join("x.npy"), npy("<f8", 1, 64, &big)).unwrap();
    for algorithm in ["omp", "lasso_lars", "lasso_cd", "threshold"] {
        let out = sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "x.npy"), "--algorithm", algorithm, "-o", &p(&d, "c.npy")]);
        refused(out, "signal 0 is too large: its squared norm overflows");
    }
    assert!(!d.join("c.npy").exists());
}

#[test]
fn a_thread_count_past_the_cores_runs_on_the_cores_and_says_so() {
    let d = tmpdir("hostile-threads");
    let dict = dictionary(&d);
    let x: Vec<u8> = (0..640).flat_map(|i| ((i as f64) * 0.37).sin().to_le_bytes()).collect();
    std::fs::write(d.join("x.npy"), npy("<f8", 10, 64, &x)).unwrap();
    let run = |threads: &str, out: &str| {
        let o = sparsecode(&["encode", "--dict", &dict, "--input", &p(&d, "x.npy"), "--threads", threads, "-o", &p(&d, out)]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8_lossy(&o.stderr).to_string()
    };
    let err = run("100000", "a.npy");
    assert!(err.contains("--threads 100000 runs on the machine's"), "{err}");
    assert!(run("1", "b.npy").is_empty());
    assert_eq!(std::fs::read(d.join("a.npy")).unwrap(), std::fs::read(d.join("b.npy")).unwrap());
}
