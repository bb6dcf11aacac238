//! `resou analyze`: snapshot files through the analysis, rising keywords and KOLs per poll.

use std::io::Write;
use std::path::PathBuf;

use super::common::{headless_analysis_config, read_snapshots};
use crate::cli::{Cli, Format};

pub fn main(cli: &Cli, files: &[PathBuf], format: Format) -> anyhow::Result<()> {
    let lines = read_snapshots(files)?;
    let polls = crate::analysis::analyze_snapshots(&lines, &headless_analysis_config(cli)?);
    let mut out = std::io::stdout().lock();
    match format {
        Format::Jsonl => {
            for p in &polls {
                writeln!(out, "{}", p.to_json_line())?;
            }
        }
        Format::Table => out.write_all(crate::analysis::format_table(&polls).as_bytes())?,
    }
    out.flush()?;
    Ok(())
}
