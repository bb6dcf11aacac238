//! `resou export`: triaged topics from the triage file, as Markdown, CSV or JSON, with each
//! topic's story across lists from the history store.

use std::io::Write;
use std::path::Path;

use anyhow::Context;

/// To `out`, else standard output; the count on stderr when written to a file (or none).
pub fn main(
    cli: &crate::cli::Cli,
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
    let mut rows = crate::export::rows_from_triage(&state, flagged);
    add_stories(cli, &mut rows);
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

/// Each row's story as the history store has it. Without a store (none configured, the file
/// not there, a read failing) the rows go out without, and stderr says why.
fn add_stories(cli: &crate::cli::Cli, rows: &mut [crate::export::ExportRow]) {
    let opened = (|| -> anyhow::Result<Option<Box<dyn crate::store::HistoryStore>>> {
        let (cfg, _) = crate::config::Config::load(cli.config.as_deref())?;
        let Some(spec) = super::common::store_spec(cli, &cfg, cli.demo)? else {
            return Ok(None);
        };
        let spec = crate::store::StoreSpec::parse(&spec);
        if let crate::store::StoreSpec::Sqlite(path) = &spec
            && !path.exists()
        {
            return Ok(None);
        }
        Ok(Some(crate::store::open(&spec)?))
    })();
    let store = match opened {
        Ok(Some(s)) => s,
        Ok(None) => return,
        Err(e) => return eprintln!("resou: no stories in the export: {e:#}"),
    };
    let far = crate::history::far_future();
    let none = std::collections::BTreeMap::new();
    for r in rows.iter_mut() {
        let key = crate::domain::TopicKey::new(r.platform, &r.title);
        match store.story_of(&key, far) {
            Ok(titles) => {
                let events = crate::app::history::stored_events(far, &titles, &none);
                r.story = crate::export::story_of(events.of(&key));
            }
            Err(e) => return eprintln!("resou: no stories in the export: {e}"),
        }
    }
}
