//! The bundled demo data (`data/demo/`, see its README.md), embedded in the binary.

use crate::domain::snapshot_file::{SnapshotFileError, SnapshotLine};
use crate::import::parse_jsonl_bytes;

static WEIBO: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/weibo.jsonl.gz"
));
static TIEBA: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/tieba.jsonl.gz"
));

static DAY_2025_10_15: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/day-2025-10-15.jsonl.gz"
));

/// A day the demo can replay (`--demo-day`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DemoDay {
    /// 2026-08-15, the `--demo` default: Weibo of that day (with heat) and Tieba of 2025-10-15
    /// replayed on Weibo's clock ([`align_to`]).
    #[default]
    Day20260815,
    /// 2025-10-15: the 11 lists of one real day (TrendRadar archive), rank only.
    Day20251015,
}

impl DemoDay {
    pub const ALL: [DemoDay; 2] = [DemoDay::Day20260815, DemoDay::Day20251015];

    /// `YYYY-MM-DD`, as `--demo-day` takes it.
    pub fn date(self) -> &'static str {
        match self {
            DemoDay::Day20260815 => "2026-08-15",
            DemoDay::Day20251015 => "2025-10-15",
        }
    }

    pub fn parse(s: &str) -> Option<DemoDay> {
        DemoDay::ALL.into_iter().find(|d| d.date() == s.trim())
    }

    /// The lists the server replays for this day, in time order (platforms interleaved).
    pub fn lists(self) -> Result<Vec<SnapshotLine>, SnapshotFileError> {
        let mut lists = match self {
            DemoDay::Day20260815 => {
                let d = demo_data()?;
                // Tieba's day replays on Weibo's clock so the analysis compares them at one moment.
                let tieba = align_to(&d.weibo, &d.tieba);
                [d.weibo, tieba].concat()
            }
            // One real day: every list already has its own capture time on one clock.
            DemoDay::Day20251015 => {
                parse_jsonl_bytes(DAY_2025_10_15, "data/demo/day-2025-10-15.jsonl.gz")?
            }
        };
        lists.sort_by_key(|l| (l.captured_at, l.platform));
        Ok(lists)
    }
}

#[derive(Debug, Clone)]
pub struct DemoData {
    pub weibo: Vec<SnapshotLine>,
    pub tieba: Vec<SnapshotLine>,
}

pub fn demo_data() -> Result<DemoData, SnapshotFileError> {
    Ok(DemoData {
        weibo: parse_jsonl_bytes(WEIBO, "data/demo/weibo.jsonl.gz")?,
        tieba: parse_jsonl_bytes(TIEBA, "data/demo/tieba.jsonl.gz")?,
    })
}

/// Put `other`'s lists on `reference`'s timeline: for every reference list, the `other` list
/// whose time of day is the latest at or before it (the day's first list before that), stamped
/// with the reference list's `captured_at`.
///
/// The demo's platforms come from different days (Weibo 2026-08-15, Tieba 2025-10-15) and
/// their archives step at different rates; the analysis compares platforms at the same moment,
/// so the demo replays Tieba's day on Weibo's clock (said in the demo banner and README).
pub fn align_to(reference: &[SnapshotLine], other: &[SnapshotLine]) -> Vec<SnapshotLine> {
    let mut by_time: Vec<&SnapshotLine> = other.iter().collect();
    by_time.sort_by_key(|l| l.captured_at.time());
    if by_time.is_empty() {
        return Vec::new();
    }
    reference
        .iter()
        .map(|r| {
            let tod = r.captured_at.time();
            let i = by_time.partition_point(|l| l.captured_at.time() <= tod);
            let src = by_time[i.saturating_sub(1)];
            SnapshotLine {
                captured_at: r.captured_at,
                ..src.clone()
            }
        })
        .collect()
}

/// Accounts in the demo's sentinel set.
pub const DEMO_SENTINELS: usize = 12;

/// The demo's sentinel accounts (issue 20, point 2): the [`DEMO_SENTINELS`] accounts of the
/// bundled real posts (`data/demo/posts.json.gz`) that posted under the most distinct topics
/// of the day, with their real uids and screen names. The replay server answers their
/// timelines from those posts.
pub fn sentinels() -> Vec<crate::domain::watch::Sentinel> {
    super::posts::busiest_accounts(DEMO_SENTINELS)
        .into_iter()
        .map(|(uid, name)| crate::domain::watch::Sentinel::new(&uid, &name))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alignment_follows_the_reference_clock_by_time_of_day() {
        let d = demo_data().unwrap();
        let t = align_to(&d.weibo, &d.tieba);
        assert_eq!(t.len(), d.weibo.len());
        for (w, a) in d.weibo.iter().zip(&t) {
            assert_eq!(a.captured_at, w.captured_at);
            assert_eq!(a.platform, crate::domain::Platform::Tieba);
            // The list used is the latest Tieba list at or before that time of day (or the first).
            let expected = d
                .tieba
                .iter()
                .filter(|l| l.captured_at.time() <= w.captured_at.time())
                .max_by_key(|l| l.captured_at.time())
                .or_else(|| d.tieba.iter().min_by_key(|l| l.captured_at.time()))
                .unwrap();
            assert_eq!(a.items, expected.items, "at {}", w.captured_at);
        }
        assert!(align_to(&d.weibo, &[]).is_empty());
    }
    use crate::domain::Platform;

    #[test]
    fn demo_days_parse_from_their_dates_only() {
        for d in DemoDay::ALL {
            assert_eq!(DemoDay::parse(d.date()), Some(d));
        }
        assert_eq!(DemoDay::default(), DemoDay::Day20260815);
        assert_eq!(DemoDay::parse("2025-10-16"), None);
        assert_eq!(DemoDay::parse("20251015"), None);
    }

    #[test]
    fn demo_data_loads_with_enough_snapshots_and_rows() {
        let d = demo_data().unwrap();
        assert!(d.weibo.len() >= 60, "weibo snapshots: {}", d.weibo.len());
        assert!(d.tieba.len() >= 40, "tieba snapshots: {}", d.tieba.len());
        for (lines, platform) in [(&d.weibo, Platform::Weibo), (&d.tieba, Platform::Tieba)] {
            for l in lines {
                assert_eq!(l.platform, platform);
                let snap = l.to_snapshot();
                assert!(
                    snap.ranked.len() >= 20,
                    "{} at {}: {} ranked",
                    platform,
                    l.captured_at,
                    snap.ranked.len()
                );
            }
            assert!(
                lines
                    .windows(2)
                    .all(|w| w[0].captured_at <= w[1].captured_at)
            );
        }
        // The Weibo demo merges both archives: hourly lists with pinned rows and the
        // ~30-minute arandomguyhere versions (between the hours).
        assert!(d.weibo.iter().any(|l| l.items.iter().any(|i| i.pinned)));
        assert!(
            d.weibo
                .iter()
                .any(|l| l.captured_at.format("%M%S").to_string() != "0000")
        );
    }
}
