//! `resou eval`: the rising-keyword detector on snapshot files, swept over θ_on with one
//! operating point marked; with `--cross-platform`, Weibo alone vs every list at that point
//! and who carries a story first.

use std::path::PathBuf;

use super::common::{headless_analysis_config, read_snapshots};
use crate::analysis::Operating;
use crate::analysis::eval::cross;
use crate::cli::{Cli, EvalArgs, EvalFormat};
use crate::domain::snapshot_file::SnapshotLine;

pub fn main(cli: &Cli, a: &EvalArgs) -> anyhow::Result<()> {
    let lines = read_inputs(&a.snapshots)?;
    let cfg = headless_analysis_config(cli)?;
    let operating = match a.theta {
        _ if a.tune => Operating::ChooseHere,
        Some(theta_on) => Operating::Fixed {
            theta_on,
            source: "given with --theta".into(),
        },
        None if cfg.detector.theta_on == crate::config::OPERATING_THETA_ON => Operating::Fixed {
            theta_on: cfg.detector.theta_on,
            source: crate::config::OPERATING_THETA_SOURCE.into(),
        },
        None => Operating::Fixed {
            theta_on: cfg.detector.theta_on,
            source: "from the config file".into(),
        },
    };
    if a.cross_platform {
        let Operating::Fixed { theta_on, source } = operating else {
            anyhow::bail!("--cross-platform evaluates at one θ_on: give --theta, not --tune");
        };
        let report = cross::evaluate_cross(&lines, &cfg, &a.thresholds, theta_on, &source);
        return print(a.format, &report, cross::format_cross_report);
    }
    let report = crate::analysis::evaluate_at(&lines, &cfg, &a.thresholds, operating);
    print(a.format, &report, crate::analysis::format_eval_report)
}

fn print<R: serde::Serialize>(
    format: EvalFormat,
    report: &R,
    table: fn(&R) -> String,
) -> anyhow::Result<()> {
    match format {
        EvalFormat::Table => print!("{}", table(report)),
        EvalFormat::Json => println!("{}", serde_json::to_string_pretty(report)?),
    }
    Ok(())
}

/// Snapshot files as `read_snapshots` reads them; directories (such as the TrendRadar
/// `txt/` directory of a day) through the importer.
fn read_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<SnapshotLine>> {
    let (dirs, files): (Vec<PathBuf>, Vec<PathBuf>) =
        paths.iter().cloned().partition(|p| p.is_dir());
    let mut lines = read_snapshots(&files)?;
    if !dirs.is_empty() {
        lines.extend(crate::import::import_paths(&dirs, None)?);
        lines.sort_by_key(|l| (l.captured_at, l.platform));
    }
    anyhow::ensure!(!lines.is_empty(), "no lists in {}", shown(paths));
    Ok(lines)
}

fn shown(paths: &[PathBuf]) -> String {
    let v: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    v.join(", ")
}
