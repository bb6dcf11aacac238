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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Platform;

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
