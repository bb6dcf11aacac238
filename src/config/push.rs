//! `[push]`: team alert channels and the rules file, opened for the sender (`dispatch`) and
//! for `resou rules check` / `resou push test`. Problems name the file and line: the channel's
//! table in the config file, or the rules file's own line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::push::{Channel, ChannelConfig};
use crate::rules::RuleSet;

/// The rules file looked for in the config directory when `[push] rules` is not set.
pub const RULES_FILE: &str = "rules.toml";

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushSection {
    /// The rules file; a relative path is from the config file's directory. Default:
    /// `rules.toml` in the config directory, when it exists.
    pub rules: Option<PathBuf>,
    /// Send from the TUI (one user, no collector). A team's collector always sends when
    /// rules are configured; a viewer never does.
    pub tui_sends: bool,
    /// `[push.channels.NAME]`: one table per destination (`kind = "dingtalk"`, …).
    pub channels: BTreeMap<String, ChannelConfig>,
}

/// Rules and channels, ready to send.
pub struct PushSetup {
    pub rules: RuleSet,
    /// `None`: no rules file, the channels only carry scheduled reports.
    pub rules_path: Option<PathBuf>,
    pub channels: BTreeMap<String, Channel>,
}

/// Where `[push]` comes from: the section and the file it was read from (for relative
/// paths and line numbers).
pub struct PushConfig<'a> {
    pub section: &'a PushSection,
    pub file: Option<&'a Path>,
}

impl PushConfig<'_> {
    /// The rules file in use, if any: `[push] rules`, else `rules.toml` beside the config.
    pub fn rules_path(&self) -> Option<PathBuf> {
        let dir = self
            .file
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .or_else(crate::paths::config_dir);
        match &self.section.rules {
            Some(p) if p.is_absolute() => Some(p.clone()),
            Some(p) => Some(dir.unwrap_or_default().join(p)),
            None => dir.map(|d| d.join(RULES_FILE)).filter(|p| p.exists()),
        }
    }

    /// `file:line` of a channel's table, for messages about it.
    pub fn channel_place(&self, name: &str) -> String {
        let Some(file) = self.file else {
            return format!("[push.channels.{name}]");
        };
        let line = std::fs::read_to_string(file).ok().and_then(|src| {
            let header = format!("[push.channels.{name}]");
            let quoted = format!("[push.channels.\"{name}\"]");
            src.lines()
                .position(|l| {
                    let l = l.trim();
                    l.starts_with(&header) || l.starts_with(&quoted)
                })
                .map(|i| i + 1)
        });
        match line {
            Some(n) => format!("{}:{n}: [push.channels.{name}]", file.display()),
            None => format!("{}: [push.channels.{name}]", file.display()),
        }
    }

    /// Open one channel (its secrets from env or a 0600 file).
    pub fn open_channel(&self, name: &str) -> anyhow::Result<Channel> {
        let cfg = self.section.channels.get(name).ok_or_else(|| {
            let known: Vec<&str> = self.section.channels.keys().map(String::as_str).collect();
            anyhow::anyhow!(
                "no channel {name:?} in [push.channels] (configured: {})",
                if known.is_empty() {
                    "none".to_string()
                } else {
                    known.join(", ")
                }
            )
        })?;
        cfg.open(&|var| std::env::var(var).ok())
            .map_err(|e| anyhow::anyhow!("{}: {e}", self.channel_place(name)))
    }

    /// The rules and every channel, or `None` when no rules file is configured or found.
    /// `reports_only`: channels without a rules file are fine (they carry scheduled reports).
    pub fn open(&self, reports_only: bool) -> anyhow::Result<Option<PushSetup>> {
        let rules_path = self.rules_path();
        if rules_path.is_none() && reports_only {
            return Ok(Some(PushSetup {
                rules: RuleSet::default(),
                rules_path: None,
                channels: self.open_channels()?,
            }));
        }
        let Some(rules_path) = rules_path else {
            anyhow::ensure!(
                self.section.channels.is_empty(),
                "push channels are configured but there is no rules file: set [push] rules \
                 or create {}",
                crate::paths::config_dir()
                    .map(|d| d.join(RULES_FILE).display().to_string())
                    .unwrap_or_else(|| RULES_FILE.into())
            );
            return Ok(None);
        };
        let names: Vec<&str> = self.section.channels.keys().map(String::as_str).collect();
        let rules = RuleSet::load(&rules_path, &names).map_err(|e| anyhow::anyhow!("{e}"))?;
        Ok(Some(PushSetup {
            rules,
            rules_path: Some(rules_path),
            channels: self.open_channels()?,
        }))
    }

    fn open_channels(&self) -> anyhow::Result<BTreeMap<String, Channel>> {
        let mut channels = BTreeMap::new();
        for name in self.section.channels.keys() {
            channels.insert(name.clone(), self.open_channel(name)?);
        }
        Ok(channels)
    }
}
