//! How much memory a request may take: sizes that come from a user are
//! checked here before anything is allocated, so that a request larger than
//! the machine gets an error, not an allocation failure (an abort) or the
//! kernel's out-of-memory killer.

/// The memory the machine can still give, in bytes: available RAM plus
/// free swap (Linux's `/proc/meminfo`, `MemTotal` where `MemAvailable` is
/// missing); `None` where it cannot be read.
pub fn machine_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = info.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse::<u64>().ok().map(|kb| kb * 1024)
    };
    Some(field("MemAvailable:").or_else(|| field("MemTotal:"))? + field("SwapFree:").unwrap_or(0))
}

/// The words every library error about memory ends with: a door maps such
/// an error to its own out-of-memory error (Python's `MemoryError`).
pub const TOO_LARGE: &str = "more than can be allocated";

/// Worker threads for a request of `n`: at most the machine's cores (as
/// joblib caps scikit-learn's `n_jobs`), at least 1. Results never depend on
/// the count, so the cap changes no answer.
pub fn thread_cap(n: usize) -> usize {
    n.clamp(1, std::thread::available_parallelism().map_or(1, |c| c.get()))
}

/// A request for more memory than can be allocated: what it was for and
/// how much it needs. Every library's error wraps this one, so a door maps
/// it to its own out-of-memory error (Python's `MemoryError`).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{what} would take {} GB, {TOO_LARGE}", gb_text(*.gb))]
pub struct TooLarge {
    /// What was asked for, in the caller's words ("the dense codes (…)").
    pub what: String,
    /// The gigabytes it needs (10⁹ bytes; infinite when the size overflows).
    pub gb: f64,
}

fn gb_text(gb: f64) -> String {
    if gb.is_finite() { format!("{gb:.1}") } else { "over 18 billion".into() }
}

/// The one checked path for memory whose size comes from an argument or
/// from the data's shape: `terms` are products of counts (each term's
/// counts multiplied, the terms added) of values of `T`, computed with
/// checked arithmetic; the total must be allocatable ([`can_allocate`]).
/// Returns the number of values; `what` names the request in the error.
pub fn request<T>(terms: &[&[usize]], what: impl FnOnce() -> String) -> Result<usize, TooLarge> {
    let values = terms.iter().try_fold(0usize, |sum, term| sum.checked_add(term.iter().try_fold(1usize, |p, &c| p.checked_mul(c))?));
    let bytes = values.and_then(|v| v.checked_mul(std::mem::size_of::<T>()));
    match (values, bytes) {
        (Some(v), Some(b)) if can_allocate(b) => Ok(v),
        _ => Err(TooLarge { what: what(), gb: bytes.map_or(f64::INFINITY, |b| b as f64 / 1e9) }),
    }
}

/// A copy of `s`, allocated as [`reserved`] allocates: an error, never an
/// abort, when memory runs out.
pub fn copied<T: Copy>(s: &[T], what: impl Fn() -> String) -> Result<Vec<T>, TooLarge> {
    let mut v = reserved(s.len(), what)?;
    v.extend_from_slice(s);
    Ok(v)
}

/// An empty vector with room for `len` values, checked by [`request`] and
/// reserved with `try_reserve_exact`.
pub fn reserved<T>(len: usize, what: impl Fn() -> String) -> Result<Vec<T>, TooLarge> {
    request::<T>(&[&[len]], &what)?;
    let mut v = Vec::new();
    // `request` checked that the byte count does not overflow.
    v.try_reserve_exact(len).map_err(|_| TooLarge { what: what(), gb: (len * std::mem::size_of::<T>()) as f64 / 1e9 })?;
    Ok(v)
}

/// Whether `bytes` may be allocated: no more than the machine has
/// ([`machine_bytes`]), and granted by the allocator (a reservation that is
/// released at once).
pub fn can_allocate(bytes: usize) -> bool {
    if machine_bytes().is_some_and(|m| bytes as u64 > m) {
        return false;
    }
    Vec::<u8>::new().try_reserve_exact(bytes).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_counts_its_terms_and_refuses_overflow() {
        assert_eq!(request::<f64>(&[&[3, 4], &[5]], || "x".into()), Ok(17));
        let e = request::<f64>(&[&[usize::MAX, 2]], || "the codes".into()).unwrap_err();
        assert!(e.gb.is_infinite());
        assert_eq!(e.to_string(), format!("the codes would take over 18 billion GB, {TOO_LARGE}"));
        assert!(request::<f64>(&[&[1 << 40, 1 << 20]], || "x".into()).is_err());
    }

    #[test]
    fn small_requests_pass_and_impossible_ones_do_not() {
        assert!(can_allocate(1 << 20));
        assert!(!can_allocate(usize::MAX / 2));
        if let Some(m) = machine_bytes() {
            assert!(m > 1 << 20);
            assert!(!can_allocate(m as usize + 1));
        }
    }
}
