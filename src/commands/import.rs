//! `resou import`: archived hot lists into snapshot JSONL, or (`--to-history`) into the
//! history store.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;

use super::common::{open_store, shown_spec, store_spec};
use crate::cli::Cli;
use crate::config::Config;
use crate::domain::Platform;

/// To `out` (`.gz` compresses), else standard output; the count on stderr.
pub fn main(
    inputs: &[PathBuf],
    out: Option<&Path>,
    platforms: Option<&[Platform]>,
) -> anyhow::Result<()> {
    let lines = crate::import::import_paths(inputs, platforms)?;
    match out {
        Some(p) => crate::import::write_jsonl(&lines, p)
            .with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            for l in &lines {
                crate::domain::snapshot_file::write_line(&mut stdout, l)?;
            }
            stdout.flush()?;
        }
    }
    eprintln!("resou: {} lists converted", lines.len());
    Ok(())
}

/// `--to-history`: one transaction per list; a line on stdout after each commit.
pub fn to_history(
    cli: &Cli,
    inputs: &[PathBuf],
    platforms: Option<&[Platform]>,
) -> anyhow::Result<()> {
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let spec = store_spec(cli, &cfg, false)?.context("--to-history with --no-history")?;
    let lines = crate::import::import_paths(inputs, platforms)?;
    let mut store =
        open_store(spec.clone())().with_context(|| format!("opening {}", shown_spec(&spec)))?;
    let mut out = std::io::stdout().lock();
    for l in &lines {
        let snap = l.to_snapshot();
        let id = store.insert_poll(&snap, "import")?;
        writeln!(
            out,
            "stored {} {} poll {id}",
            snap.platform,
            snap.captured_at.to_rfc3339()
        )?;
        out.flush()?;
    }
    eprintln!(
        "resou: {} lists stored in {}",
        lines.len(),
        shown_spec(&spec)
    );
    Ok(())
}
