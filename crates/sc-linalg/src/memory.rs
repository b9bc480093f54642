//! How much memory a request may take: sizes that come from a user are
//! checked here before anything is allocated, so that a request larger than
//! the machine gets an error, not an allocation failure (an abort) or the
//! kernel's out-of-memory killer.

/// The machine's memory in bytes: RAM plus swap (Linux's `/proc/meminfo`);
/// `None` where it cannot be read.
pub fn machine_bytes() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = info.lines().find(|l| l.starts_with(name))?;
        line[name.len()..].trim().trim_end_matches("kB").trim().parse::<u64>().ok().map(|kb| kb * 1024)
    };
    Some(field("MemTotal:")? + field("SwapTotal:").unwrap_or(0))
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
    fn small_requests_pass_and_impossible_ones_do_not() {
        assert!(can_allocate(1 << 20));
        assert!(!can_allocate(usize::MAX / 2));
        if let Some(m) = machine_bytes() {
            assert!(m > 1 << 20);
            assert!(!can_allocate(m as usize + 1));
        }
    }
}
