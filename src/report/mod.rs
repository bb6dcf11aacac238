//! Reports (issue 19): what the history store holds about one period, in the shape reputation
//! teams hand over a shift or a day (team-alerts.md §12) — overview per platform, top topics,
//! new entries, rising keywords with their lead, cross-platform events with the order they
//! spread in, flagged topics with who flagged them and their notes, list-dynamics candidates,
//! and what to watch next.
//!
//! [`build`] reads the store only (no clock, no network): the same period of the same store
//! gives the same [`Report`], which is serde data (the feed serves it as JSON).
//! [`render_markdown`] and [`render_html`] (one self-contained file, readable on a phone) show
//! it whole; [`summary`] makes the short push message with the HTML attached for email. Every
//! text in a `Report` is sanitised remote text ([`crate::domain::SafeText`]); each renderer
//! escapes it for its format. [`Schedule`] gives the collector its report times.

mod build;
mod html;
mod markdown;
mod period;

use chrono::{DateTime, FixedOffset};
use serde::Serialize;

use crate::analysis::dynamics::{Candidate, DynamicsConfig};
use crate::domain::{Label, Platform, Tier};
use crate::rules::TierConfig;

pub use build::build;
pub use html::render_html;
pub use markdown::{SUMMARY_BYTES, render_markdown, summary};
pub use period::{DEFAULT_SHIFT_HOURS, MAX_SPAN_DAYS, Period, PeriodSpec, Schedule};

type At = DateTime<FixedOffset>;

/// What a report includes and how it judges; the defaults are what `resou report` uses.
#[derive(Debug, Clone)]
pub struct Options {
    /// Topics per platform in 热点 TOP. Default 5.
    pub top_per_platform: usize,
    /// Rows of the longer sections (new entries, keywords, events, candidates). Default 20.
    pub max_rows: usize,
    /// A rising keyword's lead runs to the first title with it at rank ≤ this. Default 10
    /// (trend-detection.md §7).
    pub top_n: u32,
    /// Polls read before the period so list dynamics start warm (an anchored hold needs
    /// several polls). Default 120 minutes.
    pub warmup_minutes: i64,
    /// "Still climbing" compares the last list with the list this long before it. Default 60.
    pub climb_minutes: i64,
    pub dynamics: DynamicsConfig,
    /// Tiers of flagged topics, which set the report's tier.
    pub tiers: TierConfig,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            top_per_platform: 5,
            max_rows: 20,
            top_n: 10,
            warmup_minutes: 120,
            climb_minutes: 60,
            dynamics: DynamicsConfig::default(),
            tiers: TierConfig::default(),
        }
    }
}

/// One report. Times are China time.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    /// `热搜交班报告 2026-08-15 09:00 – 18:00`.
    pub title: String,
    pub period: Period,
    /// Where the history came from (a path, or a URL without its password).
    pub source: String,
    /// The newest poll in the store, inside the period or not (what an empty report points
    /// to).
    pub latest_poll: Option<At>,
    /// Blue unless a flagged topic of the period reaches a higher tier ([`FlaggedTopic::tier`]).
    pub tier: Tier,
    /// Why the tier is above blue.
    pub tier_because: Vec<String>,
    /// 概览: one row per platform with polls in the period.
    pub overview: Vec<PlatformOverview>,
    /// 热点 TOP: per platform, by best rank, then time on the list.
    pub top: Vec<TopicRow>,
    /// 新上榜: first seen ever inside the period, by best rank.
    pub new_entries: Vec<TopicRow>,
    /// New entries in all (`new_entries` holds the first [`Options::max_rows`]).
    pub new_total: usize,
    /// 上升关键词, by peak score.
    pub rising: Vec<RisingKeyword>,
    /// 跨平台事件: stories on two or more platforms with a title first seen in the period.
    pub events: Vec<CrossEvent>,
    /// 标记话题: topics flagged or noted by anyone, on a list in the period.
    pub flagged: Vec<FlaggedTopic>,
    /// 榜单异动: list-dynamics candidates of the period, in time order (the first
    /// [`Options::max_rows`])...
    pub dynamics: Vec<Candidate>,
    /// ...of this many, and this many of them withdrawals.
    pub dynamics_total: usize,
    pub withdrawn_total: usize,
    /// 下期关注.
    pub watch: Vec<WatchItem>,
    /// How the sections were chosen and what they cannot show; problems met while reading.
    pub notes: Vec<String>,
}

impl Report {
    /// No poll of any platform in the period.
    pub fn is_empty(&self) -> bool {
        self.overview.is_empty()
    }

    /// The sentence an empty report shows: nothing, and where the data is.
    pub fn empty_message(&self) -> String {
        let latest = match self.latest_poll {
            Some(t) => format!(
                "the latest stored poll is at {} (e.g. --until '{}')",
                t.format("%Y-%m-%d %H:%M"),
                t.format("%Y-%m-%d %H:%M")
            ),
            None => "the store holds no polls".to_string(),
        };
        format!(
            "nothing to report: no polls stored between {} and {} in {}; {latest}",
            self.period.from.format("%Y-%m-%d %H:%M"),
            self.period.to.format("%Y-%m-%d %H:%M"),
            self.source
        )
    }
}

/// 概览: one platform over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlatformOverview {
    pub platform: Platform,
    pub polls: u32,
    pub first_poll: At,
    pub last_poll: At,
    /// The usual gap between its polls (median), when it had two or more.
    pub spacing_min: Option<u32>,
    /// Distinct topics on its list.
    pub topics: u32,
    pub new_topics: u32,
    /// The title at rank 1 in the most polls, and in how many.
    pub leader: Option<(String, u32)>,
}

/// A topic over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopicRow {
    pub platform: Platform,
    pub title: String,
    /// Best rank in the period; `None` when only pinned.
    pub peak_rank: Option<u32>,
    pub peak_heat: Option<u64>,
    /// Strongest of 新/热/沸/爆 in the period.
    #[serde(skip_serializing_if = "Label::is_none")]
    pub label: Label,
    pub first_at: At,
    pub last_at: At,
    pub polls: u32,
    /// Time on the list: polls × the platform's usual spacing (capped at the period);
    /// `None` when the platform polled once.
    pub minutes_on_list: Option<u32>,
    /// First seen ever.
    pub first_seen: At,
    pub new: bool,
    /// Rank on the platform's last list of the period (`None`: not on it).
    pub rank_at_end: Option<u32>,
}

/// A keyword the detector flagged rising in the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RisingKeyword {
    pub keyword: String,
    /// First rising point in the period (it may have risen before the period began).
    pub onset: At,
    pub last_rising: At,
    pub rising_points: u32,
    pub peak_score: f64,
    pub peak_share: f64,
    /// Rising at the last analysed poll of the period.
    pub still_rising: bool,
    /// Topics of the period whose title holds it.
    pub titles: u32,
    /// The first title with it to reach rank ≤ `top_n` at or after the onset.
    pub reached_top: Option<TopArrival>,
    /// Minutes from the onset to `reached_top` (trend-detection.md §7's lead).
    pub lead_min: Option<i64>,
    /// A title with it was already at rank ≤ `top_n` before the onset (no lead to give).
    pub top_before_onset: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TopArrival {
    pub platform: Platform,
    pub title: String,
    pub at: At,
}

/// A story on two or more platforms.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CrossEvent {
    /// A representative title.
    pub label: String,
    pub first_seen: At,
    pub last_seen: At,
    /// The platforms in the order the story reached them.
    pub spread: Vec<Spread>,
    /// Its titles, first seen first (at most eight).
    pub titles: Vec<EventTitle>,
    /// One of its titles is on a platform's last list of the period.
    pub on_lists: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Spread {
    pub platform: Platform,
    pub first_seen: At,
    /// Minutes after the first platform.
    pub after_min: i64,
    /// `None` when the stored polls no longer say.
    pub best_rank: Option<u32>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventTitle {
    pub platform: Platform,
    pub title: String,
    pub first_seen: At,
}

/// A topic someone flagged or noted.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FlaggedTopic {
    pub platform: Platform,
    pub title: String,
    /// Users who flagged it.
    pub flagged_by: Vec<String>,
    pub notes: Vec<UserNote>,
    pub peak_rank: Option<u32>,
    pub rank_at_end: Option<u32>,
    /// Its tier from the period's signals ([`Options::tiers`]).
    pub tier: Tier,
    pub because: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct UserNote {
    pub user: String,
    pub note: String,
}

/// What to watch in the next period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchItem {
    pub kind: WatchKind,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    pub text: String,
    /// Why it is here, in words.
    pub why: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum WatchKind {
    /// A keyword rising at the last analysed poll.
    Keyword,
    /// A topic still climbing on the last list.
    Topic,
    /// A flagged topic still on a list.
    Flagged,
}

impl WatchKind {
    pub fn zh(self) -> &'static str {
        match self {
            WatchKind::Keyword => "关键词",
            WatchKind::Topic => "话题",
            WatchKind::Flagged => "标记",
        }
    }
}

/// The report's kind in words: 日报, 交班报告, 时段报告.
fn kind_zh(spec: PeriodSpec) -> &'static str {
    match spec {
        PeriodSpec::Day => "日报",
        PeriodSpec::Shift => "交班报告",
        PeriodSpec::Span { .. } => "时段报告",
    }
}

/// Section headings, in order: (anchor id, Chinese, English).
pub const SECTIONS: [(&str, &str, &str); 9] = [
    ("overview", "概览", "Overview"),
    ("top", "热点 TOP", "Top topics"),
    ("new", "新上榜", "New entries"),
    ("rising", "上升关键词", "Rising keywords"),
    ("events", "跨平台事件", "Cross-platform events"),
    ("flagged", "标记话题", "Flagged topics"),
    ("dynamics", "榜单异动", "List dynamics"),
    ("watch", "下期关注", "What to watch next"),
    ("notes", "说明", "Notes"),
];
