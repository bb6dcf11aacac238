//! `resou keys`: the resolved keymap with each binding's source.

use std::io::Write;

use crate::cli::Cli;
use crate::config::Config;

/// Exit code 2 on any layer error (the first is the error, the rest go to stderr).
pub fn main(cli: &Cli) -> anyhow::Result<()> {
    let (cfg, cfg_path) = Config::load(cli.config.as_deref())?;
    let loaded = super::common::keymap(
        cli,
        cfg.general.keymap_preset.as_deref(),
        cfg_path.as_deref(),
    )?;
    if let Some(first) = loaded.warnings.first() {
        for w in &loaded.warnings[1..] {
            eprintln!("resou: {w}");
        }
        anyhow::bail!("{first}");
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "layers: {}\n", loaded.layers.join(" → "))?;
    out.write_all(loaded.keymap.format_table().as_bytes())?;
    out.flush()?;
    Ok(())
}
