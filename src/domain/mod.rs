//! Normalised domain types shared by sources, analysis, app and UI.
//! Nothing here knows about the network, the terminal or async runtimes.

pub mod normalize;
pub mod num;
pub mod post;
pub mod snapshot_file;
pub mod text;
pub mod tier;
pub mod time;
pub mod watch;

use std::fmt;

use chrono::{DateTime, FixedOffset, TimeZone};
use serde::{Deserialize, Serialize};

pub use normalize::normalize_title;
pub use text::{SafeText, line_of};
pub use tier::Tier;

/// China Standard Time: every platform timestamp is read in this zone (no DST).
pub fn cst() -> FixedOffset {
    FixedOffset::east_opt(8 * 3600)
        .unwrap_or_else(|| FixedOffset::east_opt(0).unwrap_or_else(|| unreachable!()))
}

/// The wall clock in CST.
pub fn now_cst() -> DateTime<FixedOffset> {
    chrono::Utc::now().with_timezone(&cst())
}

/// Convert unix seconds to a CST timestamp; `None` for out-of-range values.
pub fn from_unix(secs: i64) -> Option<DateTime<FixedOffset>> {
    cst().timestamp_opt(secs, 0).single()
}

/// A hot list `resou` reads. The first eight are platforms with their own clients; the last
/// four are news lists read through the newsnow aggregator (the source of the 2025-10-15
/// archive), off by default. Order here is the board's tab order and the storage order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    Weibo,
    Tieba,
    Baidu,
    Douyin,
    Zhihu,
    Toutiao,
    Bilibili,
    Kuaishou,
    ThePaper,
    Cls,
    Ifeng,
    WallStreetCn,
}

impl Platform {
    pub const COUNT: usize = 12;
    pub const ALL: [Platform; Platform::COUNT] = [
        Platform::Weibo,
        Platform::Tieba,
        Platform::Baidu,
        Platform::Douyin,
        Platform::Zhihu,
        Platform::Toutiao,
        Platform::Bilibili,
        Platform::Kuaishou,
        Platform::ThePaper,
        Platform::Cls,
        Platform::Ifeng,
        Platform::WallStreetCn,
    ];

    /// Position in [`Platform::ALL`] (for per-platform arrays and bit sets).
    pub fn index(self) -> usize {
        self as usize
    }

    /// The lowercase id used in files, the store, config and `--platform` (serde's spelling).
    pub fn id(self) -> &'static str {
        match self {
            Platform::Weibo => "weibo",
            Platform::Tieba => "tieba",
            Platform::Baidu => "baidu",
            Platform::Douyin => "douyin",
            Platform::Zhihu => "zhihu",
            Platform::Toutiao => "toutiao",
            Platform::Bilibili => "bilibili",
            Platform::Kuaishou => "kuaishou",
            Platform::ThePaper => "thepaper",
            Platform::Cls => "cls",
            Platform::Ifeng => "ifeng",
            Platform::WallStreetCn => "wallstreetcn",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Platform::Weibo => "Weibo",
            Platform::Tieba => "Tieba",
            Platform::Baidu => "Baidu",
            Platform::Douyin => "Douyin",
            Platform::Zhihu => "Zhihu",
            Platform::Toutiao => "Toutiao",
            Platform::Bilibili => "Bilibili",
            Platform::Kuaishou => "Kuaishou",
            Platform::ThePaper => "The Paper",
            Platform::Cls => "CLS",
            Platform::Ifeng => "Ifeng",
            Platform::WallStreetCn => "Wallstreetcn",
        }
    }

    /// Short tag for the board's platform column and the tab bar (two columns wide at most
    /// four: every tag is two CJK characters or fits in four cells).
    pub fn tag(self) -> &'static str {
        match self {
            Platform::Weibo => "微博",
            Platform::Tieba => "贴吧",
            Platform::Baidu => "百度",
            Platform::Douyin => "抖音",
            Platform::Zhihu => "知乎",
            Platform::Toutiao => "头条",
            Platform::Bilibili => "B站",
            Platform::Kuaishou => "快手",
            Platform::ThePaper => "澎湃",
            Platform::Cls => "财联",
            Platform::Ifeng => "凤凰",
            Platform::WallStreetCn => "华见",
        }
    }

    /// The platforms with their own client (the rest come through newsnow).
    pub fn has_own_client(self) -> bool {
        !matches!(
            self,
            Platform::ThePaper | Platform::Cls | Platform::Ifeng | Platform::WallStreetCn
        )
    }

    /// The newsnow source id of a list (what the 2025-10-15 archive's sections are named).
    pub fn newsnow_id(self) -> &'static str {
        match self {
            Platform::Bilibili => "bilibili-hot-search",
            Platform::Cls => "cls-hot",
            Platform::WallStreetCn => "wallstreetcn-hot",
            p => p.id(),
        }
    }

    pub fn parse(s: &str) -> Option<Platform> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        let alias = match lower.as_str() {
            "wb" => Some(Platform::Weibo),
            "tb" => Some(Platform::Tieba),
            "bd" => Some(Platform::Baidu),
            "dy" => Some(Platform::Douyin),
            "zh" => Some(Platform::Zhihu),
            "tt" => Some(Platform::Toutiao),
            "bili" | "bl" | "b站" => Some(Platform::Bilibili),
            "ks" => Some(Platform::Kuaishou),
            "paper" | "澎湃新闻" => Some(Platform::ThePaper),
            "财联社" => Some(Platform::Cls),
            "凤凰网" => Some(Platform::Ifeng),
            "华尔街见闻" | "wscn" => Some(Platform::WallStreetCn),
            _ => None,
        };
        alias.or_else(|| {
            Platform::ALL.into_iter().find(|p| {
                p.id() == lower || p.newsnow_id() == lower || p.tag() == t || p.tag() == lower
            })
        })
    }
}

impl fmt::Display for Platform {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The badge a platform puts on a hot-list row. Unknown codes map to `None`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Label {
    #[default]
    #[serde(rename = "")]
    None,
    #[serde(rename = "新")]
    New,
    #[serde(rename = "热")]
    Hot,
    #[serde(rename = "沸")]
    Boiling,
    #[serde(rename = "爆")]
    Explosive,
    /// 商: commercial topic (not an ad row, which is dropped).
    #[serde(rename = "商")]
    Commercial,
}

impl Label {
    /// Parse the label text a platform shows (`新`, `热`, …). Anything unknown is `None`.
    pub fn from_text(s: &str) -> Label {
        match s.trim() {
            "新" => Label::New,
            "热" => Label::Hot,
            "沸" => Label::Boiling,
            "爆" => Label::Explosive,
            "商" => Label::Commercial,
            _ => Label::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Label::None => "",
            Label::New => "新",
            Label::Hot => "热",
            Label::Boiling => "沸",
            Label::Explosive => "爆",
            Label::Commercial => "商",
        }
    }

    pub fn is_none(&self) -> bool {
        *self == Label::None
    }
}

/// Stable identity of a topic across polls: platform plus the normalised title
/// (`#x#` and `x` are the same topic, §9.10 of data-sources.md).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TopicKey {
    pub platform: Platform,
    pub norm: String,
}

impl TopicKey {
    pub fn new(platform: Platform, title: &str) -> TopicKey {
        TopicKey {
            platform,
            norm: normalize_title(title),
        }
    }
}

/// One row of a hot list, already sanitised.
#[derive(Debug, Clone, PartialEq)]
pub struct Topic {
    pub platform: Platform,
    /// 1-based position among ranked rows; `None` for pinned rows.
    pub rank: Option<u32>,
    /// Display title, without `#` decoration.
    pub title: SafeText,
    /// Search query as the platform gives it (`#…#` or space-separated keywords).
    pub query: Option<SafeText>,
    /// Heat (Weibo 热度 / Tieba discuss_num); `None` when the platform shows none.
    pub heat: Option<u64>,
    pub label: Label,
    pub url: Option<String>,
    pub pinned: bool,
    /// When the platform says the topic entered the list (A1 `onboard_time`, Tieba `create_time`).
    pub onboard: Option<DateTime<FixedOffset>>,
    /// Platform-side id when there is one (Tieba `topic_id`, Weibo `mid`).
    pub platform_id: Option<String>,
    /// Category text (电影/社会/…) when given.
    pub category: Option<SafeText>,
}

impl Topic {
    pub fn new(platform: Platform, rank: Option<u32>, title: &str) -> Topic {
        Topic {
            platform,
            rank,
            title: SafeText::line(title.trim().trim_matches('#')),
            query: None,
            heat: None,
            label: Label::None,
            url: None,
            pinned: false,
            onboard: None,
            platform_id: None,
            category: None,
        }
    }

    pub fn key(&self) -> TopicKey {
        TopicKey::new(self.platform, self.title.as_str())
    }

    /// The topic as a Weibo hashtag, `#title#` (what the topic APIs take as `q`).
    pub fn hashtag(&self) -> String {
        format!("#{}#", self.title.as_str())
    }
}

/// One successful poll of one platform: ranked rows in order plus pinned rows kept apart.
#[derive(Debug, Clone, PartialEq)]
pub struct Snapshot {
    pub platform: Platform,
    pub captured_at: DateTime<FixedOffset>,
    pub ranked: Vec<Topic>,
    pub pinned: Vec<Topic>,
}

impl Snapshot {
    pub fn new(platform: Platform, captured_at: DateTime<FixedOffset>) -> Snapshot {
        Snapshot {
            platform,
            captured_at,
            ranked: Vec::new(),
            pinned: Vec::new(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.ranked.is_empty()
    }

    /// Sort ranked rows by rank, renumber 1..n, and drop repeated titles (first wins),
    /// so ranks stay dense whatever the wire gave us.
    pub fn finish(mut self) -> Snapshot {
        self.ranked.sort_by_key(|t| t.rank.unwrap_or(u32::MAX));
        let mut seen = std::collections::HashSet::new();
        self.ranked.retain(|t| seen.insert(t.key()));
        for (i, t) in self.ranked.iter_mut().enumerate() {
            t.rank = Some(i as u32 + 1);
            t.pinned = false;
        }
        for t in &mut self.pinned {
            t.rank = None;
            t.pinned = true;
        }
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finish_renumbers_and_dedups() {
        let mut s = Snapshot::new(Platform::Weibo, from_unix(0).unwrap());
        s.ranked.push(Topic::new(Platform::Weibo, Some(5), "b"));
        s.ranked.push(Topic::new(Platform::Weibo, Some(2), "a"));
        s.ranked.push(Topic::new(Platform::Weibo, Some(9), "#a#"));
        let s = s.finish();
        let titles: Vec<_> = s
            .ranked
            .iter()
            .map(|t| (t.rank, t.title.as_str().to_string()))
            .collect();
        assert_eq!(
            titles,
            vec![(Some(1), "a".to_string()), (Some(2), "b".to_string())]
        );
    }

    #[test]
    fn labels_round_trip_text() {
        for l in [
            Label::New,
            Label::Hot,
            Label::Boiling,
            Label::Explosive,
            Label::Commercial,
        ] {
            assert_eq!(Label::from_text(l.as_str()), l);
        }
        assert_eq!(Label::from_text("荐"), Label::None);
    }
}
