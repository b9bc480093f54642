//! Atomic file writes: a temporary file in the target's folder, then a
//! rename, so that a failure never leaves a half-written file behind.

use std::io::{BufWriter, Write};
use std::path::Path;

use crate::error::{Result, io_err};

/// Writes `path` atomically with the bytes `write` produces: into a
/// temporary file created exclusively, under an unpredictable name, in the
/// same folder (so a link planted there is never followed), flushed to disk,
/// then renamed over `path`. A failure leaves the old file (or none) and no
/// temporary file. An existing `path` that is not a regular file or a link
/// (a device such as `/dev/null`, a FIFO) is written directly instead of
/// being replaced; a folder is an error.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let fail = |e: std::io::Error| io_err(path, e);
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(fail(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder")));
        }
        if !kind.is_file() && !kind.is_symlink() {
            let mut w = BufWriter::new(std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?);
            write(&mut w).map_err(fail)?;
            return w.flush().map_err(fail);
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    // Dropped on any error: the temporary file is removed.
    let tmp = tempfile::Builder::new().prefix(&format!(".{name}.")).suffix(".tmp").tempfile_in(dir).map_err(fail)?;
    let mut w = BufWriter::new(tmp);
    write(&mut w).map_err(fail)?;
    let tmp = w.into_inner().map_err(|e| fail(e.into_error()))?;
    tmp.as_file().sync_all().map_err(fail)?;
    tmp.persist(path).map_err(|e| fail(e.error))?;
    Ok(())
}
