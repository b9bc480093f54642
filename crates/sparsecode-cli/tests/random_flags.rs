//! A property of the whole command (issue 13, item 4): whatever values are
//! given to its numeric flags, `sparsecode` ends with status 0 or 2 (one
//! line on stderr), never a panic (101) or an abort (134). Values are drawn
//! from those that break programs: NaN, infinities, zero, negatives, the
//! limits of the integer types, huge sizes, malformed pairs.

mod common;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{sparsecode, tmpdir};
use proptest::prelude::*;

const VALUES: &[&str] = &[
    "nan",
    "inf",
    "-inf",
    "-1",
    "0",
    "-0",
    "1",
    "2",
    "3",
    "0.5",
    "1e-320",
    "1e300",
    "4294967296",
    "18446744073709551615",
    "18446744073709551616",
    "-9223372036854775808",
    "abc",
    "7",
    "64",
    "1e-12",
    "1e6",
    "4x4",
    "8x8",
    "0x3",
    "3x0",
    "100000x100000",
    "2x9223372036854775816",
    "1.5x2",
];

/// The numeric flags of each subcommand, and the arguments that make an
/// otherwise valid call.
fn commands(d: &Path) -> Vec<(Vec<String>, &'static [&'static str])> {
    let f = |n: &str| d.join(n).to_str().unwrap().to_string();
    let base = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();
    vec![
        (
            base(&["encode", "--dict", &f("D.npy"), "--input", &f("P.npy"), "-o", &f("c.npy")]),
            &["--alpha", "--n-nonzero", "--tol", "--l2", "--max-iter", "--threads"],
        ),
        (
            base(&["encode", "--algorithm", "lasso-cd", "--dict", &f("D.npy"), "--input", &f("P.npy"), "-o", &f("c.npz")]),
            &["--alpha", "--tol", "--l2", "--max-iter", "--threads"],
        ),
        (base(&["patches", "--image", &f("small.npy"), "-o", &f("p.npy")]), &["--patch", "--stride", "--max-patches", "--seed"]),
        (base(&["show", &f("D.npy"), "-o", &f("s.png")]), &["--grid", "--patch", "--zoom"]),
        (
            base(&["learn", "--input", &f("P.npy"), "--atoms", "4", "--steps", "2", "-o", &f("m.model")]),
            &["--atoms", "--alpha", "--epochs", "--steps", "--rho", "--batch-size", "--seed", "--tol"],
        ),
        (
            base(&["learn", "--method", "ksvd", "--image", &f("small.npy"), "--atoms", "4", "--epochs", "1", "-o", &f("k.model")]),
            &["--atoms", "--patch", "--max-patches", "--n-nonzero", "--tol", "--epochs", "--seed"],
        ),
        (
            base(&[
                "denoise",
                "--method",
                "dictionary",
                "--image",
                &f("small.npy"),
                "--sigma",
                "20",
                "--atoms",
                "16",
                "--iterations",
                "1",
                "-o",
                &f("o.npy"),
            ]),
            &[
                "--sigma",
                "--patch",
                "--atoms",
                "--iterations",
                "--max-training",
                "--gain",
                "--lambda-factor",
                "--seed",
                "--steps",
                "--chroma-weight",
                "--nl-lasso-factor",
                "--nl-detail",
            ],
        ),
        (
            base(&[
                "inpaint",
                "--image",
                &f("small.npy"),
                "--missing-value",
                "0",
                "--atoms",
                "16",
                "--steps",
                "2",
                "--refine",
                "1",
                "-o",
                &f("i.npy"),
            ]),
            &[
                "--missing-value",
                "--sigma",
                "--patch",
                "--atoms",
                "--max-atoms",
                "--steps",
                "--refine",
                "--refine-sigma",
                "--max-training",
                "--seed",
                "--stride",
                "--fine-stride",
                "--fine-passes",
            ],
        ),
    ]
}

/// Values that ask for a long run when they are valid: huge counts, tiny
/// tolerances.
const LONG: &[&str] = &["1e6", "1e300", "1e-320", "1e-12", "4294967296", "18446744073709551615", "100000x100000"];

/// Whether `args` asks for a long run (a value of [`LONG`]): only such a
/// call may still be working at the deadline; any other is a hang.
fn asks_for_long_work(args: &[String]) -> bool {
    args.iter().any(|a| LONG.contains(&a.as_str()))
}

/// Runs one call; a call still working after the deadline is stopped
/// (`None`).
fn run(args: &[String]) -> Option<(i32, String)> {
    let mut child = Command::new(env!("CARGO_BIN_EXE_sparsecode")).args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            let out = child.wait_with_output().unwrap();
            // A signal (an abort) has no code: -1 fails below.
            return Some((out.status.code().unwrap_or(-1), String::from_utf8_lossy(&out.stderr).into_owned()));
        }
        if t0.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
}

fn setup() -> std::path::PathBuf {
    let d = tmpdir("random-flags");
    let f = |n: &str| d.join(n).to_str().unwrap().to_string();
    assert!(sparsecode(&["patches", "--image", "camera", "--max-patches", "300", "-o", &f("P.npy")]).status.success());
    let out =
        sparsecode(&["learn", "--input", &f("P.npy"), "--atoms", "16", "--steps", "2", "-o", &f("d.model"), "--dict-out", &f("D.npy")]);
    assert!(out.status.success());
    // A 40×40 image as a 2-D float64 .npy.
    let mut bytes = b"\x93NUMPY\x01\x00".to_vec();
    let mut header = "{'descr': '<f8', 'fortran_order': False, 'shape': (40, 40), }".to_string();
    header.push_str(&" ".repeat(63 - (10 + header.len()) % 64));
    header.push('\n');
    bytes.extend_from_slice(&(header.len() as u16).to_le_bytes());
    bytes.extend_from_slice(header.as_bytes());
    for i in 0..1600u32 {
        let v = ((i % 40) * 5 + (i / 40) * 3 + (i * 7919) % 23) as f64;
        bytes.extend_from_slice(&v.to_le_bytes());
    }
    std::fs::write(d.join("small.npy"), bytes).unwrap();
    d
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn any_flag_values_end_in_0_or_2(
        which in 0usize..8,
        picks in prop::collection::vec((0usize..16, 0..VALUES.len()), 1..4),
    ) {
        static DIR: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();
        let d = DIR.get_or_init(setup);
        let (mut args, flags) = commands(d).swap_remove(which);
        for (flag, value) in picks {
            let (flag, value) = (flags[flag % flags.len()], VALUES[value].to_string());
            // A flag of the valid call gets the new value; others are added.
            match args.iter().position(|a| a == flag) {
                Some(i) => args[i + 1] = value,
                None => args.extend([flag.to_string(), value]),
            }
        }
        match run(&args) {
            Some((code, err)) => {
                prop_assert!(code == 0 || code == 2, "exit {code} for {args:?}: {err}");
                prop_assert!(!err.contains("panicked"), "{args:?}: {err}");
                if code == 2 {
                    prop_assert_eq!(err.lines().count(), 1, "{:?}: {}", args, err);
                }
            }
            // Still working after a minute: a valid request for a long run
            // may be, any other call has hung.
            None => prop_assert!(asks_for_long_work(&args), "no answer within 60 s for {args:?}"),
        }
    }
}
