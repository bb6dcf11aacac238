//! `resou export`: triaged topics from the triage file, as Markdown, CSV or JSON.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// To `out`, else standard output; the count on stderr when written to a file (or none).
pub fn main(
    flagged: bool,
    format: crate::export::Format,
    out: Option<&Path>,
    triage: Option<&Path>,
) -> anyhow::Result<()> {
    let path = match triage {
        Some(p) => p.to_path_buf(),
        None => crate::triage::default_path()
            .context("no data directory: give the triage file with --triage")?,
    };
    let state = crate::triage::Triage::load(&path)?;
    let rows = crate::export::rows_from_triage(&state, flagged);
    let text = crate::export::export(&rows, format);
    match out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if out.is_some() || rows.is_empty() {
        eprintln!("resou: {} topics exported", rows.len());
    }
    Ok(())
}
