//! Atomic file writes: a temporary file in the target's folder, then a
//! rename, so that a failure never leaves a half-written file behind.
//!
//! A command with several outputs writes them with [`write_all_atomic`]:
//! every output is staged in its temporary file first, and only when all of
//! them are whole are they renamed into place, so an error leaves none of
//! them written. The temporary files alive at any moment are recorded, and
//! [`remove_temporaries`] deletes them: a program's signal handler calls it
//! so that an interrupted run leaves no stray file.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use tempfile::NamedTempFile;

use crate::error::{Result, io_err};

/// The temporary files staged and not yet renamed or dropped.
static TEMPORARIES: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn temporaries() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPORARIES.lock().unwrap_or_else(|p| p.into_inner())
}

/// Deletes every temporary file this process has staged and not yet renamed
/// into place, and returns how many were deleted. Meant for a signal
/// handler (SIGINT, SIGTERM) that then exits: the lock it takes is held until
/// the process ends, so no new temporary file appears after the sweep.
pub fn remove_temporaries() -> usize {
    let mut live = temporaries();
    let n = live.iter().filter(|p| std::fs::remove_file(p).is_ok()).count();
    live.clear();
    // Keep the registry locked: the caller is about to exit.
    std::mem::forget(live);
    n
}

/// A temporary file recorded in [`TEMPORARIES`] for as long as it lives.
struct Registered {
    /// `None` once renamed into place.
    tmp: Option<NamedTempFile>,
    /// Its path, as recorded.
    at: PathBuf,
}

impl Drop for Registered {
    fn drop(&mut self) {
        // Deletes the file if it was not renamed, then forgets it.
        drop(self.tmp.take());
        temporaries().retain(|p| *p != self.at);
    }
}

/// One output, written but not yet in place.
enum Staged<'a> {
    /// A temporary file beside the target, renamed over it on commit.
    Temp { tmp: Registered, path: &'a Path },
    /// A device or FIFO: written directly on commit, never replaced.
    Direct { path: &'a Path, bytes: &'a [u8] },
}

/// Checks `path` and writes `bytes` to a fresh temporary file beside it.
fn stage<'a>(path: &'a Path, bytes: &'a [u8]) -> Result<Staged<'a>> {
    let fail = |e: std::io::Error| io_err(path, e);
    if let Ok(meta) = std::fs::symlink_metadata(path) {
        let kind = meta.file_type();
        if kind.is_dir() {
            return Err(fail(std::io::Error::new(std::io::ErrorKind::IsADirectory, "is a folder")));
        }
        if !kind.is_file() && !kind.is_symlink() {
            return Ok(Staged::Direct { path, bytes });
        }
    }
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
    let tmp = {
        // Created and recorded under the lock, so a signal's sweep sees it.
        let mut live = temporaries();
        let prefix = format!(".{name}.");
        let mut builder = tempfile::Builder::new();
        builder.prefix(&prefix).suffix(".tmp");
        // As any new file: read-write for all, less the umask (tempfile's
        // default, 0600, would make every output private).
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let tmp = builder.tempfile_in(dir).map_err(fail)?;
        live.push(tmp.path().to_path_buf());
        Registered { at: tmp.path().to_path_buf(), tmp: Some(tmp) }
    };
    // On any error below, dropping `tmp` deletes the temporary file.
    let mut file = tmp.tmp.as_ref().map(NamedTempFile::as_file).expect("just created");
    file.write_all(bytes).map_err(fail)?;
    file.sync_all().map_err(fail)?;
    Ok(Staged::Temp { tmp, path })
}

/// Puts a staged output in place.
fn commit(staged: Staged) -> Result<()> {
    match staged {
        Staged::Direct { path, bytes } => {
            let fail = |e: std::io::Error| io_err(path, e);
            let mut f = std::fs::OpenOptions::new().write(true).open(path).map_err(fail)?;
            f.write_all(bytes).map_err(fail)?;
            f.flush().map_err(fail)
        }
        Staged::Temp { mut tmp, path } => {
            let file = tmp.tmp.take().expect("renamed once");
            file.persist(path).map(drop).map_err(|e| io_err(path, e.error))
        }
    }
}

/// Writes `path` atomically with the bytes `write` produces: into a
/// temporary file created exclusively, under an unpredictable name, in the
/// same folder (so a link planted there is never followed), flushed to disk,
/// then renamed over `path`. A failure leaves the old file (or none) and no
/// temporary file. An existing `path` that is not a regular file or a link
/// (a device such as `/dev/null`, a FIFO) is written directly instead of
/// being replaced; a folder is an error.
pub fn write_atomic(path: &Path, write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> Result<()> {
    let mut bytes = Vec::new();
    write(&mut bytes).map_err(|e| io_err(path, e))?;
    write_all_atomic(&[(path, &bytes)])
}

/// Writes several files all or none: each is staged as [`write_atomic`]
/// does, and they are renamed into place only once every one of them is
/// whole on disk. An error while staging leaves every target as it was.
pub fn write_all_atomic(files: &[(&Path, &[u8])]) -> Result<()> {
    let mut staged = files.iter().map(|&(path, bytes)| stage(path, bytes)).collect::<Result<Vec<_>>>()?;
    // Devices first: a write to one can still fail (`/dev/full`), a rename
    // in the same folder hardly can; no file is replaced before they are done.
    staged.sort_by_key(|s| matches!(s, Staged::Temp { .. }));
    staged.into_iter().try_for_each(commit)
}
