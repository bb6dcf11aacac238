//! `resou eval`: the rising-keyword detector on snapshot files, swept over θ_on with one
//! operating point marked.

use std::path::PathBuf;

use super::common::{headless_analysis_config, read_snapshots};
use crate::analysis::Operating;
use crate::cli::Cli;

pub fn main(
    cli: &Cli,
    files: &[PathBuf],
    thresholds: &[f64],
    theta: Option<f64>,
    tune: bool,
) -> anyhow::Result<()> {
    let lines = read_snapshots(files)?;
    let cfg = headless_analysis_config(cli)?;
    let operating = match theta {
        _ if tune => Operating::ChooseHere,
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
    let report = crate::analysis::evaluate_at(&lines, &cfg, thresholds, operating);
    print!("{}", crate::analysis::format_eval_report(&report));
    Ok(())
}
