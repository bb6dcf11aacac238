//! Team alert rules (issue 19): which alert candidates go to which channels, at what tier,
//! when — keyword groups (inline or a TrendRadar `frequency_words.txt`), KOLs, platforms,
//! kinds and a minimum tier select; quiet hours, dedup windows and digests shape delivery.
//!
//! Pure logic: nothing here reads the clock or talks to the network. The caller turns
//! analysis output into [`Candidate`]s, passes `now` to [`Router::route`] and
//! [`Router::due`], and sends the [`Delivery`]s it gets back. The router's state is serde,
//! so held and digested alerts survive a restart once the caller persists it.

mod file;
mod quiet;
mod router;
pub mod subjects;
mod tier;
pub mod words;

use serde::{Deserialize, Serialize};

use crate::domain::Platform;

pub use file::{DeliveryMode, Rule, RuleSet};
pub use quiet::QuietHours;
pub use router::{Decision, Delivery, DeliveryKind, Outcome, Routed, Router, RouterState};
pub use tier::{Assessment, Signals, Thresholds, Tier, TierConfig};
pub use words::FrequencyWords;

/// What a candidate is about; `kinds = [...]` in a rule selects on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A keyword the detector flags as rising (`AnalysisUpdate::onsets` / `rising`).
    RisingKeyword,
    /// A topic on a list.
    Topic,
    /// One story across lists (`analysis::events`); pair with `min_platforms`.
    Event,
    /// List-dynamics candidates (`analysis::dynamics`).
    Withdrawn,
    Anchored,
    LabelStep,
    /// A topic on the team's watchlist (watched keywords / KOLs).
    Watched,
    /// A tag several sentinel accounts started using (`analysis::sentinel`).
    SentinelTag,
    /// Brand watch (issue 20): a watched term's mentions per hour jump (`analysis::brand`).
    MentionSpike,
    /// Brand watch: a watched term's negative share turns up against its own baseline.
    NegativeTurn,
    /// Brand watch: a KOL or a big verified account posts about a watched term.
    KolAuthor,
}

impl From<crate::analysis::dynamics::Kind> for Kind {
    fn from(k: crate::analysis::dynamics::Kind) -> Kind {
        use crate::analysis::dynamics::Kind as D;
        match k {
            D::Withdrawn => Kind::Withdrawn,
            D::Anchored => Kind::Anchored,
            D::LabelStep => Kind::LabelStep,
        }
    }
}

/// One thing that may be worth telling the team about.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Candidate {
    /// Identity for dedup: the same key within a rule's `dedup_minutes` is not sent again
    /// (e.g. `kw:高考`, `topic:weibo:<norm title>`, `event:<run>-<id>`).
    pub key: String,
    pub kind: Kind,
    /// The headline (matched against keyword rules).
    pub title: String,
    /// More titles matched against keyword rules (a keyword's or an event's titles).
    #[serde(default)]
    pub texts: Vec<String>,
    pub platforms: Vec<Platform>,
    /// KOL names involved.
    #[serde(default)]
    pub kols: Vec<String>,
    /// Its `platforms` and `kols` counts are raised to the lengths of the lists above.
    #[serde(default)]
    pub signals: Signals,
}

/// A problem in a rules or keywords file. `line` 0: the file as a whole (unreadable).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    pub path: String,
    pub line: usize,
    pub problem: String,
}

impl std::fmt::Display for RulesError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", self.path, self.problem),
            n => write!(f, "{}:{n}: {}", self.path, self.problem),
        }
    }
}

impl std::error::Error for RulesError {}

/// `t + minutes`, saturating at chrono's range (never panics on a far-off `now`).
fn after(
    t: chrono::DateTime<chrono::FixedOffset>,
    minutes: u32,
) -> chrono::DateTime<chrono::FixedOffset> {
    t.checked_add_signed(chrono::Duration::minutes(i64::from(minutes)))
        .unwrap_or(t)
}

#[cfg(test)]
pub(crate) mod tests {
    use chrono::{DateTime, FixedOffset};
    use proptest::prelude::*;
    use proptest::test_runner::{Config, FileFailurePersistence};

    use super::*;

    pub(crate) fn at(s: &str) -> DateTime<FixedOffset> {
        DateTime::parse_from_rfc3339(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    fn config() -> Config {
        Config {
            cases: 400,
            failure_persistence: Some(Box::new(FileFailurePersistence::Off)),
            ..Config::default()
        }
    }

    /// Text made of the syntax's own characters, where parser edge cases live.
    const SYNTAX: &str = "[\\[\\]/!+@=>#a高考 \r\n\t().*?|\\\\{}0-9:\"=,-]{0,120}";

    proptest! {
        #![proptest_config(config())]

        /// No input makes the keyword parser, matcher, rules parser or router panic.
        #[test]
        fn nothing_panics(text in SYNTAX, title in "[a高考/ ()!+]{0,12}", hour in 0u32..48) {
            let (words, _) = FrequencyWords::parse(&text);
            let _ = words.hit(&title);
            let _ = words.assign([title.as_str(), text.as_str()], 1);
            let _ = QuietHours::parse(&text, &[]);
            let read = |_: &std::path::Path| Ok(text.clone());
            // The text as a rules file, and as the keywords file of a rule that parses.
            let wrapped = "[[rule]]\nname = \"r\"\nchannels = [\"c\"]\nkeywords_file = \"k\"\nlenient_regex = true\n";
            for src in [text.as_str(), wrapped] {
                if let Ok(set) = RuleSet::parse(src, "r.toml", &["c"], &read) {
                    let mut router = Router::new(set);
                    let now = at("2026-12-07T00:00:00+08:00")
                        + chrono::Duration::minutes(i64::from(hour) * 37);
                    let c = Candidate {
                        key: title.clone(),
                        kind: Kind::Topic,
                        title: title.clone(),
                        texts: vec![text.clone()],
                        platforms: Vec::new(),
                        kols: Vec::new(),
                        signals: Signals::default(),
                    };
                    let _ = router.route(c, now);
                    let _ = router.due(now + chrono::Duration::days(1));
                }
            }
        }
    }
}
