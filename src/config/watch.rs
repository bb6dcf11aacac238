//! `[watch]`: brand watch terms and their request budget (issue 20, point 1).
//!
//! ```toml
//! [watch]
//! every_minutes = 5      # one search per term this often
//! max_per_hour = 60      # every request of every term, in any 60 minutes
//! terms = [
//!   { name = "胖东来", aliases = ["胖东来超市"], exclude = ["招聘"] },
//!   { name = "旺旺" },
//! ]
//! ```
//! The triage watchlist's keywords (`w` in the TUI) are watched too, after the configured
//! terms, each once. `[watch.alerts]` tunes the brand alerts the collector sends
//! (`analysis::brand::BrandConfig`: `kol_min_followers`, `[watch.alerts.spike]` `min_count`,
//! `theta_on`, …, `[watch.alerts.negative]` `window_hours`, `min_negative`, …).

use std::time::Duration;

use serde::Deserialize;

use crate::domain::watch::{WatchTerm, is_sentinel_term};
use crate::sources::watch::{BudgetConfig, WatchConfig};

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchSection {
    pub terms: Vec<WatchTerm>,
    pub every_minutes: u64,
    pub max_per_hour: u32,
    /// Pages of one term asked for at most in one round.
    pub max_pages: u32,
    /// `[watch.alerts]`: mention spikes, negative turns, KOL authors.
    pub alerts: crate::analysis::brand::BrandConfig,
}

impl Default for WatchSection {
    fn default() -> Self {
        WatchSection {
            terms: Vec::new(),
            every_minutes: 5,
            max_per_hour: 60,
            max_pages: 5,
            alerts: Default::default(),
        }
    }
}

impl WatchSection {
    /// What is wrong with the section, and the key whose line says so.
    pub(super) fn problem(&self) -> Option<(&'static str, String)> {
        if self.every_minutes < 1 {
            return Some((
                "every_minutes",
                "[watch] every_minutes must be at least 1 (searching faster gets you blocked)"
                    .into(),
            ));
        }
        if self.max_per_hour < 1 {
            return Some((
                "max_per_hour",
                "[watch] max_per_hour must be at least 1".into(),
            ));
        }
        if self.max_pages < 1 {
            return Some(("max_pages", "[watch] max_pages must be at least 1".into()));
        }
        if self.terms.iter().any(|t| t.name.trim().is_empty()) {
            return Some(("terms", "[watch] a term has an empty name".into()));
        }
        // `@name` is how sentinel accounts' posts are stored ([sentinel]).
        if let Some(t) = self.terms.iter().find(|t| is_sentinel_term(t.name.trim())) {
            return Some((
                "terms",
                format!(
                    "[watch] term {:?} may not start with @ (follow an account with [sentinel] instead)",
                    t.name
                ),
            ));
        }
        None
    }

    /// The terms to watch: the configured ones, then the watchlist's keywords not already
    /// among them (compared in the matching form), each once; `@…` keywords are left out
    /// (that form is a sentinel account's).
    pub fn terms_with(&self, watchlist: impl IntoIterator<Item = String>) -> Vec<WatchTerm> {
        crate::domain::watch::merge_terms(&self.terms, watchlist)
    }

    /// The watch loop's settings for these terms.
    pub fn loop_config(&self, terms: Vec<WatchTerm>) -> WatchConfig {
        WatchConfig {
            terms,
            budget: BudgetConfig {
                every: Duration::from_secs(self.every_minutes.saturating_mul(60)),
                max_per_hour: self.max_per_hour,
                ..BudgetConfig::default()
            },
            max_pages: self.max_pages,
            ..WatchConfig::default()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Config;
    use super::*;

    #[test]
    fn terms_aliases_exclusions_and_the_watchlist() {
        let c = Config::parse(
            "[watch]\nevery_minutes = 10\nterms = [\n  { name = \"胖东来\", aliases = [\"胖东来超市\"], exclude = [\"招聘\"] },\n  { name = \"旺旺\" },\n]\n",
            "c.toml",
        )
        .unwrap();
        assert_eq!(c.watch.every_minutes, 10);
        assert_eq!(c.watch.max_per_hour, 60);
        let terms = c.watch.terms_with(["旺旺".to_string(), "茅台".to_string()]);
        let names: Vec<&str> = terms.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["胖东来", "旺旺", "茅台"]);
        assert_eq!(terms[0].queries(), ["胖东来", "胖东来超市"]);
        assert!(terms[0].excludes("胖东来 招聘 店员"));
        assert!(!terms[0].excludes("胖东来 刑释人员"));
        let l = c.watch.loop_config(terms);
        assert_eq!(l.budget.every, Duration::from_secs(600));
        assert_eq!(l.budget.max_per_hour, 60);
        assert_eq!(Config::default().watch, WatchSection::default());
    }

    #[test]
    fn brand_alert_settings() {
        let src = "[watch.alerts]\nkol_min_followers = 500000\n[watch.alerts.spike]\nmin_count = 8\ntheta_on = 4.0\n[watch.alerts.negative]\nmin_negative = 30\n";
        let c = Config::parse(src, "c.toml").unwrap();
        let a = &c.watch.alerts;
        assert_eq!(a.kol_min_followers, 500_000);
        assert_eq!((a.spike.min_count, a.spike.theta_on), (8, 4.0));
        assert_eq!(a.spike.detector().x_min, 8.0);
        // A table that sets some keys keeps the spike's defaults for the others.
        let d = crate::analysis::brand::BrandConfig::default();
        assert_eq!(a.spike.warmup_hours, d.spike.warmup_hours);
        assert_eq!(a.negative.min_negative, 30);
        assert_eq!(a.negative.window_hours, d.negative.window_hours);
        let e = Config::parse("[watch.alerts.spike]\nmin_cnt = 8\n", "c.toml")
            .unwrap_err()
            .to_string();
        assert!(e.starts_with("c.toml:2:") && e.contains("min_cnt"), "{e}");
    }

    #[test]
    fn errors_name_the_line() {
        for (src, line, word) in [
            ("[watch]\n\nevery_minutes = 0\n", 3, "at least 1"),
            ("[watch]\nmax_per_hour = 0\n", 2, "max_per_hour"),
            ("[watch]\nterms = [{ name = \" \" }]\n", 2, "empty name"),
            (
                "[watch]\nterms = [{ name = \"x\", alias = [] }]\n",
                2,
                "alias",
            ),
            ("[watch]\n\nterms = \"胖东来\"\n", 3, "invalid type"),
        ] {
            let e = Config::parse(src, "c.toml").unwrap_err().to_string();
            assert!(
                e.starts_with(&format!("c.toml:{line}:")) && e.contains(word),
                "{src:?}: {e}"
            );
        }
    }
}
