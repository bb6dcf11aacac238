//! Shared helpers for the analysis tests.

use std::io::BufReader;

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
