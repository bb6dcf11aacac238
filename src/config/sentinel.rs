//! `[sentinel]`: sentinel accounts (issue 20, point 2), off by default.
//!
//! ```toml
//! [sentinel]
//! enabled = true
//! every_minutes = 60     # one timeline request per account this often
//! accounts = "kols"      # the KOLs in kols.toml that have a weibo_uid
//! discovered = false     # also topic hosts / media accounts discovered from topic pages
//! max_accounts = 20
//! ```
//! Sentinel timelines share `[watch]`'s budget: their requests count against its
//! `max_per_hour`, and refusals back both off.

use std::collections::HashSet;
use std::time::Duration;

use serde::Deserialize;

use crate::analysis::Kol;
use crate::domain::watch::Sentinel;
use crate::sources::watch::WatchConfig;
use crate::sources::watch::timeline::checked_uid;

/// Where the accounts come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum AccountSource {
    /// The KOL watchlist (`kols.toml`): the entries with a `weibo_uid`.
    #[default]
    Kols,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SentinelSection {
    pub enabled: bool,
    pub every_minutes: u64,
    pub accounts: AccountSource,
    /// Also the accounts discovered on topic pages (hosts, verified media) that carry a uid.
    pub discovered: bool,
    pub max_accounts: usize,
}

impl Default for SentinelSection {
    fn default() -> Self {
        SentinelSection {
            enabled: false,
            every_minutes: 60,
            accounts: AccountSource::Kols,
            discovered: false,
            max_accounts: 20,
        }
    }
}

impl SentinelSection {
    /// What is wrong with the section, and the key whose line says so. `cap`: `[watch]
    /// max_per_hour`, which the sentinels' own rounds must leave room under.
    pub(super) fn problem(&self, cap: u32) -> Option<(&'static str, String)> {
        if self.every_minutes < 10 {
            return Some((
                "every_minutes",
                "[sentinel] every_minutes must be at least 10 (a timeline changes slowly; asking faster gets you blocked)".into(),
            ));
        }
        if self.max_accounts < 1 {
            return Some((
                "max_accounts",
                "[sentinel] max_accounts must be at least 1".into(),
            ));
        }
        let need = (self.max_accounts as u64 * 60).div_ceil(self.every_minutes);
        if self.enabled && need > u64::from(cap) {
            return Some((
                "max_accounts",
                format!(
                    "[sentinel] {} accounts every {} minutes need {need} requests an hour, more than [watch] max_per_hour = {cap}",
                    self.max_accounts, self.every_minutes
                ),
            ));
        }
        None
    }

    /// The accounts to follow: the KOLs with a usable `weibo_uid`, then (with `discovered`)
    /// the discovered ones; see [`SentinelSection::pick`].
    pub fn accounts_from(&self, kols: &[Kol], discovered: &[Kol]) -> Vec<Sentinel> {
        let extra = if self.discovered { discovered } else { &[] };
        self.pick(
            kols.iter()
                .chain(extra)
                .filter_map(|k| Some(Sentinel::new(k.weibo_uid.as_deref()?, &k.name))),
        )
    }

    /// Of `accounts`, those with a usable uid, each uid once, at most `max_accounts`.
    /// Nothing when disabled.
    pub fn pick(&self, accounts: impl IntoIterator<Item = Sentinel>) -> Vec<Sentinel> {
        if !self.enabled {
            return Vec::new();
        }
        let mut seen = HashSet::new();
        accounts
            .into_iter()
            .filter(|s| checked_uid(&s.uid).is_ok() && seen.insert(s.uid.clone()))
            .take(self.max_accounts)
            .collect()
    }

    /// Add `sentinels` to the watch loop's settings.
    pub fn apply(&self, cfg: &mut WatchConfig, sentinels: Vec<Sentinel>) {
        cfg.sentinels = sentinels;
        cfg.sentinel_every = Duration::from_secs(self.every_minutes.saturating_mul(60));
    }
}

/// The line of `key` inside the `[sentinel]` table of `src` (1 when not found): `[watch]`
/// has keys of the same names.
pub(super) fn line_of(src: &str, key: &str) -> usize {
    let mut inside = false;
    for (i, l) in src.lines().enumerate() {
        let t = l.trim_start();
        if t.starts_with('[') {
            inside = t.starts_with("[sentinel]");
        } else if inside && t.starts_with(key) {
            return i + 1;
        }
    }
    src.lines()
        .position(|l| l.trim_start().starts_with("[sentinel]"))
        .map_or(1, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    fn kol(name: &str, uid: Option<&str>) -> Kol {
        Kol {
            weibo_uid: uid.map(str::to_string),
            ..Kol::new(name)
        }
    }

    #[test]
    fn off_by_default_and_kols_with_uids() {
        assert_eq!(Config::default().sentinel, SentinelSection::default());
        assert!(!SentinelSection::default().enabled);
        let kols = [
            kol("新华社", Some("1699432410")),
            kol("无号", None),
            kol("坏号", Some("12ab")),
            kol("人民日报", Some("2803301701")),
            kol("新华社重复", Some("1699432410")),
        ];
        let found = [kol("头条新闻", Some("1618051664"))];
        assert!(
            SentinelSection::default()
                .accounts_from(&kols, &found)
                .is_empty()
        );
        let c = Config::parse(
            "[watch]\nevery_minutes = 5\n[sentinel]\nenabled = true\nevery_minutes = 30\n",
            "c.toml",
        )
        .unwrap();
        let s = c.sentinel.accounts_from(&kols, &found);
        assert_eq!(
            s,
            [
                Sentinel::new("1699432410", "新华社"),
                Sentinel::new("2803301701", "人民日报")
            ]
        );
        let on = SentinelSection {
            discovered: true,
            max_accounts: 2,
            ..c.sentinel.clone()
        };
        assert_eq!(on.accounts_from(&kols, &found).len(), 2);
        let on = SentinelSection {
            max_accounts: 5,
            ..on
        };
        assert_eq!(on.accounts_from(&kols, &found)[2].name, "头条新闻");
        let mut w = WatchConfig::default();
        c.sentinel.apply(&mut w, s);
        assert_eq!(w.sentinel_every, Duration::from_secs(1800));
        assert_eq!(w.sentinels.len(), 2);
    }

    #[test]
    fn errors_name_the_line() {
        for (src, line, word) in [
            (
                "[watch]\nevery_minutes = 5\n[sentinel]\nenabled = true\nevery_minutes = 1\n",
                5,
                "at least 10",
            ),
            ("[sentinel]\n\nmax_accounts = 0\n", 3, "at least 1"),
            (
                "[watch]\nmax_per_hour = 10\n[sentinel]\nenabled = true\nmax_accounts = 30\n",
                5,
                "30 requests an hour",
            ),
            ("[sentinel]\naccounts = \"everyone\"\n", 2, "kols"),
            ("[sentinel]\nenable = true\n", 2, "enable"),
            ("[watch]\nterms = [{ name = \"@新华社\" }]\n", 2, "@"),
        ] {
            let e = Config::parse(src, "c.toml").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("c.toml:{line}:")) && e.contains(word),
                "{src:?}: {e}"
            );
        }
    }
}
