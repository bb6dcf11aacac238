//! Keeping resident memory close to what the process uses, for sessions that run for weeks
//! (issue #7, bounded resources). With glibc's malloc a long session's RSS creeps up while
//! its live data stays flat: freed memory stays with the allocator — one arena per thread
//! that ever allocated (up to 8 per core), a dynamic mmap threshold that moves big transient
//! buffers (response bodies, JSON writes) into the heap after the first one is freed, and
//! free pages in the middle of a heap that are never returned. The 30-day soak measured the
//! gap (RSS minus live heap) growing from 6 MB to 18 MB in six days; see BENCHMARKS.md.
//!
//! The binary allocates with jemalloc instead ([`jemalloc_config!`]): glibc's arenas still
//! fragmented over weeks with every list on. The glibc settings below remain for the C code
//! that calls `malloc` itself (SQLite). Elsewhere (musl, macOS) these are no-ops.

use chrono::{DateTime, FixedOffset};

/// Arenas glibc may create: the app has a handful of busy threads (UI, analysis, history,
/// two runtime workers); two arenas keep lock contention negligible at this allocation rate.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const ARENA_MAX: i32 = 2;
/// Blocks at least this big get their own mapping, returned to the OS when freed. Setting it
/// also turns off glibc's dynamic threshold (which rises to 32 MB after a big free).
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const MMAP_THRESHOLD: i32 = 128 * 1024;

/// jemalloc's options, compiled in (`_rjem_malloc_conf`, read at its first allocation): one
/// arena (a handful of threads allocate, at a low rate; more arenas only spread long-lived
/// blocks over more pages), and freed pages handed back after a second instead of ten.
/// A macro because the symbol must be defined in each executable that uses jemalloc (the
/// binary, and the soak harness that wraps it to count).
#[macro_export]
macro_rules! jemalloc_config {
    () => {
        #[cfg(not(target_env = "msvc"))]
        #[unsafe(export_name = "_rjem_malloc_conf")]
        static JEMALLOC_CONF: &[u8; 47] = b"narenas:1,dirty_decay_ms:1000,muzzy_decay_ms:0\0";
    };
}

/// How often, by the data's clock, freed memory is handed back.
pub const RELEASE_EVERY_SECS: i64 = 3_600;

/// Tune the allocator; call first thing in `main`, before any thread starts (arenas are
/// made per thread on first use).
pub fn tune_allocator() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets allocator parameters; both values are in range.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENA_MAX);
        libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD);
    }
}

/// Return the allocator's free pages (of every arena) to the OS. Takes a few milliseconds on
/// a 60 MB heap: call it off the UI thread. Returns whether anything was released.
pub fn release_free() -> bool {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: malloc_trim only walks the allocator's own free lists.
        unsafe { libc::malloc_trim(0) == 1 }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    {
        false
    }
}

/// When the next release is due, by the data's clock (poll capture times), so a replay at
/// any speed releases as often per simulated hour as a live session does per hour.
#[derive(Debug, Default)]
pub struct ReleaseClock {
    last: Option<DateTime<FixedOffset>>,
}

impl ReleaseClock {
    /// Whether a release is due at `at`; if so, counts it as done.
    pub fn due(&mut self, at: DateTime<FixedOffset>) -> bool {
        let due = self
            .last
            .is_none_or(|l| (at - l).num_seconds() >= RELEASE_EVERY_SECS);
        if due {
            self.last = Some(at);
        }
        due
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_is_due_hourly_by_the_data_clock() {
        let t = |m: i64| {
            DateTime::parse_from_rfc3339("2026-08-15T00:00:00+08:00").unwrap()
                + chrono::Duration::minutes(m)
        };
        let mut c = ReleaseClock::default();
        assert!(
            c.due(t(0)),
            "the first poll releases (after the dictionary load)"
        );
        assert!(!c.due(t(1)));
        assert!(!c.due(t(59)));
        assert!(c.due(t(60)));
        assert!(!c.due(t(61)));
        // A clock that goes back (a replay restarting) waits for an hour past the last.
        assert!(!c.due(t(10)));
        assert!(c.due(t(125)));
    }

    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    #[test]
    fn freed_pages_go_back_to_the_os() {
        fn rss_kb() -> u64 {
            std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|s| s.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map_or(0, |pages| pages * 4)
        }
        // Many small blocks (below the mmap threshold, so they live in the heap), touched,
        // then every other one freed: the pages stay with the allocator until released.
        let mut blocks: Vec<Vec<u8>> = (0..40_000).map(|i| vec![i as u8; 4000]).collect();
        let mut keep = Vec::new();
        for (i, b) in blocks.drain(..).enumerate() {
            if i % 8 == 0 {
                keep.push(b);
            }
        }
        let before = rss_kb();
        release_free();
        let after = rss_kb();
        assert!(
            after + 50_000 < before,
            "RSS {before} kB before the release, {after} kB after"
        );
        assert_eq!(keep.len(), 5_000);
    }
}
