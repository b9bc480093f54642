//! The measurement pages of `docs/` and the checks of what the docs claim:
//! `publish` rewrites a page's generated part, `audit` checks the claims a
//! machine can check.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Today's date and time, `YYYY-MM-DD HH:MM`.
pub(crate) fn now() -> String {
    Command::new("date").arg("+%Y-%m-%d %H:%M").output().map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()).unwrap_or_default()
}

/// This machine in one line: its processor, cores and memory.
pub(crate) fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("model name")).map(|l| l.split(':').nth(1).unwrap_or("").trim().to_string()))
        .unwrap_or_else(|| "?".into());
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|t| t.lines().find(|l| l.starts_with("MemTotal")).and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok()))
        .map_or("?".into(), |kb| format!("{:.1} GiB", kb / 1024.0 / 1024.0));
    format!("{cpu}, {cores} cores, {mem}")
}

/// Rewrites the part of `docs/PAGE` between the markers of `block`
/// (`<!-- xtask:BLOCK begin … -->` and `<!-- xtask:BLOCK end -->`) with
/// `body`, under a line with the date and the machine: how each
/// measurement page stays the output of the command that measures it.
pub(crate) fn publish(page: &str, block: &str, body: &str) -> Result<(), String> {
    let path = root().join("docs").join(page);
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let begin = format!("<!-- xtask:{block} begin");
    let end = format!("<!-- xtask:{block} end -->");
    let (Some(a), Some(b)) = (text.find(&begin), text.find(&end)) else {
        return Err(format!("{}: no xtask:{block} markers", path.display()));
    };
    let a = a + text[a..].find("-->").ok_or("unclosed marker")? + 3;
    let new = format!("{}\nRun of {} on {}.\n\n{}\n{}", &text[..a], now(), machine(), body.trim(), &text[b..]);
    std::fs::write(&path, new).map_err(|e| e.to_string())?;
    println!("published {} ({block})", path.display());
    Ok(())
}

/// The Rust sources under `dir`, recursively.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            if !matches!(p.file_name().and_then(|n| n.to_str()), Some("target" | "fuzz")) {
                rust_files(&p, out);
            }
        } else if p.extension().is_some_and(|x| x == "rs") {
            out.push(p);
        }
    }
}

/// `audit`: the checks of the docs' claims that a machine can make.
pub(crate) fn audit() -> Result<(), String> {
    let mut problems = Vec::new();
    let rel = |p: &Path| p.strip_prefix(root()).unwrap_or(p).display().to_string();
    // Crate roots: forbid, or deny with every unsafe block allowed and explained.
    let mut roots: Vec<PathBuf> = ["xtask/src/main.rs", "benches/src/lib.rs"].iter().map(|p| root().join(p)).collect();
    for e in std::fs::read_dir(root().join("crates")).map_err(|e| e.to_string())?.flatten() {
        for f in ["src/lib.rs", "src/main.rs"] {
            if e.path().join(f).exists() {
                roots.push(e.path().join(f));
            }
        }
    }
    for e in std::fs::read_dir(root().join("benches/benches")).map_err(|e| e.to_string())?.flatten() {
        roots.push(e.path());
    }
    for r in &roots {
        let text = std::fs::read_to_string(r).map_err(|e| e.to_string())?;
        let forbid = text.contains("#![forbid(unsafe_code)]");
        if !forbid && !text.contains("#![deny(unsafe_code)]") {
            problems.push(format!("{}: neither forbids nor denies unsafe_code", rel(r)));
        }
        if forbid || r.parent().and_then(|p| p.file_name()).is_some_and(|n| n == "benches") {
            continue;
        }
        let mut files = Vec::new();
        rust_files(r.parent().unwrap_or(Path::new(".")), &mut files);
        for f in files {
            let src = std::fs::read_to_string(&f).map_err(|e| e.to_string())?;
            let lines: Vec<&str> = src.lines().collect();
            for (i, l) in lines.iter().enumerate() {
                let code = l.split("//").next().unwrap_or("");
                if code.contains("unsafe {") || code.contains("unsafe fn") || code.contains("unsafe impl") {
                    let before = &lines[i.saturating_sub(14)..i];
                    if !before.iter().any(|b| b.contains("SAFETY:")) || !before.iter().any(|b| b.contains("#[allow(unsafe_code)]")) {
                        problems.push(format!("{}:{}: unsafe without an allow and a SAFETY comment", rel(&f), i + 1));
                    }
                }
            }
        }
    }
    // Source files stay under 600 lines.
    let mut files = Vec::new();
    for d in ["crates", "xtask", "benches"] {
        rust_files(&root().join(d), &mut files);
    }
    for f in &files {
        let n = std::fs::read_to_string(f).map_err(|e| e.to_string())?.lines().count();
        if n > 600 {
            problems.push(format!("{}: {n} lines (600 at most)", rel(f)));
        }
    }
    // The README is a front page; its links to docs/ resolve; markers pair.
    let readme = std::fs::read_to_string(root().join("README.md")).map_err(|e| e.to_string())?;
    if readme.lines().count() > 200 {
        problems.push(format!("README.md: {} lines (200 at most)", readme.lines().count()));
    }
    for part in readme.split("](").skip(1) {
        let target = part.split(')').next().unwrap_or("");
        if !target.contains("://") && !target.is_empty() && !root().join(target).exists() {
            problems.push(format!("README.md links {target}, which does not exist"));
        }
    }
    for e in std::fs::read_dir(root().join("docs")).map_err(|e| e.to_string())?.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "md") {
            let text = std::fs::read_to_string(&p).map_err(|e| e.to_string())?;
            if text.matches("<!-- xtask:").count() != 2 * text.matches(" end -->").count() {
                problems.push(format!("{}: unpaired xtask: markers", rel(&p)));
            }
        }
    }
    if problems.is_empty() {
        println!("audit: {} crate roots, {} source files, README.md and docs/ as the docs say", roots.len(), files.len());
        Ok(())
    } else {
        Err(format!("audit:\n  {}", problems.join("\n  ")))
    }
}
