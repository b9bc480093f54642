//! Helpers shared by the command's end-to-end tests.

#![allow(dead_code)] // each test file uses its own subset

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A fresh folder for one test of this process.
pub fn tmpdir(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("sparsecode-cli-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Runs the `sparsecode` binary built for these tests.
pub fn sparsecode(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sparsecode")).args(args).output().unwrap()
}

/// A float64 `.npy` file: (shape, data).
pub fn load(path: &Path) -> (Vec<u64>, Vec<f64>) {
    let npy = npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap();
    let shape = npy.shape().to_vec();
    (shape, npy.into_vec::<f64>().unwrap())
}

/// The shape of an `.npy` file.
pub fn shape(path: &Path) -> Vec<u64> {
    npyz::NpyFile::new(std::io::BufReader::new(std::fs::File::open(path).unwrap())).unwrap().shape().to_vec()
}
