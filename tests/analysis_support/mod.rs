//! Shared helpers for the analysis tests.

use std::io::BufReader;

use resou::analysis::{AnalysisConfig, Kol};
use resou::domain::snapshot_file::{SnapshotLine, read_lines};

/// A snapshot file from tests/fixtures/analysis.
pub fn fixture(name: &str) -> Vec<SnapshotLine> {
    let path = format!(
        "{}/tests/fixtures/analysis/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    let f = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    read_lines(BufReader::new(f), &path).unwrap_or_else(|e| panic!("{e}"))
}

/// The KOL set the regression digests and the benchmark were recorded with.
#[allow(dead_code)] // not every test binary that includes this module uses it
pub fn kol_cfg() -> AnalysisConfig {
    AnalysisConfig {
        kols: ["新华社", "人民日报", "央视新闻", "石平", "汪苏泷", "胖东来"]
            .into_iter()
            .map(Kol::new)
            .collect(),
        ..AnalysisConfig::default()
    }
}
