//! `resou report`: one period of the history store as markdown, HTML or JSON.

use std::io::Write;

use anyhow::{Context, anyhow};

use crate::cli::{Cli, ReportArgs, ReportFormat};
use crate::config::Config;
use crate::report::{self, Options, Schedule};
use crate::store::StoreSpec;

/// To `--out`, else standard output. An empty period still writes its (empty) report, and
/// stderr says there was nothing and where the stored polls end.
pub fn main(cli: &Cli, args: &ReportArgs) -> anyhow::Result<()> {
    let (cfg, _) = Config::load(cli.config.as_deref())?;
    let spec = args.period.unwrap_or(cfg.report.period);
    let schedule = match &args.at {
        Some(times) => Schedule::parse(times).map_err(|e| anyhow!("--at: {e}"))?,
        None => cfg.report.at.clone(),
    };
    let until = args.until.unwrap_or_else(crate::domain::now_cst);
    let period = spec.ending_at(until, &schedule);

    let store_spec = super::common::store_spec(cli, &cfg, cli.demo)?
        .context("a report needs the history store: history is off (--no-history or [history] enabled = false)")?;
    let store_spec = StoreSpec::parse(&store_spec);
    if let StoreSpec::Sqlite(path) = &store_spec {
        anyhow::ensure!(
            path.exists(),
            "no history store at {}: run `resou` or `resou collect` first, or give --store",
            path.display()
        );
    }
    let store = crate::store::open(&store_spec)?;
    let built = report::build(&*store, &period, &Options::default())
        .with_context(|| format!("building the report for {}", period.label()))?;
    let text = match args.format {
        ReportFormat::Md => report::render_markdown(&built),
        ReportFormat::Html => report::render_html(&built),
        ReportFormat::Json => serde_json::to_string_pretty(&built)? + "\n",
    };
    match &args.out {
        Some(p) => std::fs::write(p, text).with_context(|| format!("writing {}", p.display()))?,
        None => {
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(text.as_bytes())?;
            stdout.flush()?;
        }
    }
    if built.is_empty() {
        eprintln!("resou: {}", built.empty_message());
    } else if let Some(p) = &args.out {
        eprintln!(
            "resou: report {} written to {}",
            period.label(),
            p.display()
        );
    }
    Ok(())
}
