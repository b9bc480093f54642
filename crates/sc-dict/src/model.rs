//! Model files: a learned dictionary and how it was learned.
//!
//! Layout: 8 magic bytes `SPCDMODL`, the format version (u32 LE), the
//! payload length (u64 LE), the CRC-32 of the payload (u32 LE), then the
//! payload: the [`Model`] in bincode (standard configuration). Loading
//! checks all of these, bounds the payload by the file size and by
//! [`MAX_PAYLOAD`] before anything is allocated, and checks the shapes
//! inside. This module reads files but never writes one: callers write
//! [`Model::to_bytes`] through their one atomic writer
//! (`sc_patches::write_atomic`).

use std::path::Path;

use sc_linalg::Real;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::learner::Fit;

/// The first bytes of every model file.
pub const MAGIC: &[u8; 8] = b"SPCDMODL";
/// The format version this build writes and reads.
pub const VERSION: u32 = 1;
/// Largest payload accepted (1 GiB).
pub const MAX_PAYLOAD: u64 = 1 << 30;
const HEADER: usize = 8 + 4 + 8 + 4;

/// A learned dictionary with its provenance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Model {
    /// `"online"`, `"ksvd"`, `"batch"` …
    pub method: String,
    /// The parameters, as `name=value` pairs (for people and reports).
    pub params: Vec<(String, String)>,
    /// Patch shape `(height, width, channels)`, if learned from patches.
    pub patch: Option<(usize, usize, usize)>,
    /// Signal length.
    pub n_features: usize,
    /// Number of atoms.
    pub n_atoms: usize,
    /// The dictionary, column-major (n_features × n_atoms): the bytes of
    /// scikit-learn's `components_` `(n_atoms, n_features)`.
    pub atoms: Vec<f64>,
    /// Iterations (or mini-batch steps) run.
    pub iterations: usize,
    /// The final objective, as the method defines it.
    pub objective: f64,
}

impl Model {
    /// The model of a fit: `method` names the learner, `params` its
    /// settings for people; the atoms are stored in f64.
    pub fn from_fit<T: Real>(method: &str, params: Vec<(String, String)>, patch: Option<(usize, usize, usize)>, fit: &Fit<T>) -> Model {
        Model {
            method: method.into(),
            params,
            patch,
            n_features: fit.n_features,
            n_atoms: fit.n_atoms,
            atoms: fit.dict.iter().map(|v| v.to_f64()).collect(),
            iterations: fit.iterations(),
            objective: fit.objective,
        }
    }

    /// The file bytes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let payload = bincode::serde::encode_to_vec(self, bincode::config::standard()).expect("a model always encodes");
        let mut out = Vec::with_capacity(HEADER + payload.len());
        out.extend_from_slice(MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
        out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        out.extend_from_slice(&payload);
        out
    }

    /// Reads a model from file bytes, checking everything.
    pub fn from_bytes(bytes: &[u8]) -> Result<Model> {
        let bad = |why: String| Error::Model(why);
        if bytes.len() < HEADER || &bytes[..8] != MAGIC {
            return Err(bad("not a sparsecode model file (bad magic bytes)".into()));
        }
        let version = u32::from_le_bytes(bytes[8..12].try_into().unwrap());
        if version != VERSION {
            return Err(bad(format!("model format version {version}; this build reads version {VERSION}")));
        }
        let len = u64::from_le_bytes(bytes[12..20].try_into().unwrap());
        if len > MAX_PAYLOAD || len != (bytes.len() - HEADER) as u64 {
            return Err(bad(format!("damaged model file: the header announces {len} bytes, the file holds {}", bytes.len() - HEADER)));
        }
        let payload = &bytes[HEADER..];
        let crc = u32::from_le_bytes(bytes[20..24].try_into().unwrap());
        if crc32fast::hash(payload) != crc {
            return Err(bad("damaged model file: checksum mismatch".into()));
        }
        let config = bincode::config::standard().with_limit::<{ MAX_PAYLOAD as usize }>();
        let (model, used): (Model, usize) =
            bincode::serde::decode_from_slice(payload, config).map_err(|e| bad(format!("damaged model file ({e})")))?;
        if used != payload.len() || model.n_features.checked_mul(model.n_atoms) != Some(model.atoms.len()) {
            return Err(bad("damaged model file: shapes disagree".into()));
        }
        if model.patch.is_some_and(|(h, w, c)| h * w * c != model.n_features) {
            return Err(bad("damaged model file: patch shape disagrees with the signal length".into()));
        }
        Ok(model)
    }

    /// Reads a model file.
    pub fn load(path: &Path) -> Result<Model> {
        let bytes = std::fs::read(path).map_err(|e| Error::Io { path: path.to_path_buf(), source: e })?;
        Model::from_bytes(&bytes).map_err(|e| match e {
            Error::Model(m) => Error::Model(format!("{}: {m}", path.display())),
            other => other,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        Model {
            method: "ksvd".into(),
            params: vec![("n_nonzero".into(), "3".into())],
            patch: Some((2, 2, 1)),
            n_features: 4,
            n_atoms: 3,
            atoms: (0..12).map(|v| v as f64 * 0.25).collect(),
            iterations: 7,
            objective: 1.5,
        }
    }

    #[test]
    fn round_trip() {
        let m = model();
        assert_eq!(Model::from_bytes(&m.to_bytes()).unwrap(), m);
    }

    #[test]
    fn damaged_files_are_rejected() {
        let good = model().to_bytes();
        let err = |b: &[u8]| Model::from_bytes(b).unwrap_err().to_string();
        // Every single flipped byte is caught.
        for i in 0..good.len() {
            let mut b = good.clone();
            b[i] ^= 0x40;
            assert!(Model::from_bytes(&b).is_err(), "byte {i}");
        }
        assert!(err(&good[..good.len() - 1]).contains("damaged"));
        assert!(err(b"PNG....").contains("magic"));
        let mut v2 = good.clone();
        v2[8..12].copy_from_slice(&2u32.to_le_bytes());
        assert!(err(&v2).contains("version 2"));
        // A huge announced length is refused before any allocation.
        let mut huge = good.clone();
        huge[12..20].copy_from_slice(&u64::MAX.to_le_bytes());
        assert!(err(&huge).contains("announces"));
        // Shapes that disagree, with a valid checksum.
        let mut m = model();
        m.n_atoms = 4;
        assert!(err(&m.to_bytes()).contains("shapes"));
    }
}
