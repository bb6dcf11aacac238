//! `resou dynamics`: the list dynamics of snapshot files (withdrawn, anchored, label steps),
//! every candidate in time order and the counts per list.

use std::io::Write;
use std::path::PathBuf;

use super::common::read_snapshots;
use crate::analysis::dynamics::{DynamicsConfig, format_table, run_lines};
use crate::cli::DynamicsFormat;

pub fn main(files: &[PathBuf], format: DynamicsFormat) -> anyhow::Result<()> {
    let lines = read_snapshots(files)?;
    let report = run_lines(&lines, &DynamicsConfig::default());
    let mut out = std::io::stdout().lock();
    match format {
        DynamicsFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &report)?;
            writeln!(out)?;
        }
        DynamicsFormat::Table => out.write_all(format_table(&report).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}
