//! Weibo topic pages (C4 `m.s.weibo.com/ajax_topic/detail`): reads, mentions, the topic host,
//! media accounts and top contributors — the sources of auto-discovered KOLs.
//!
//! `detail` fetches and parses one page; `fetcher` runs a polite background task that
//! answers `request(hashtag)` with `SourceEvent::TopicDetail` events.

mod detail;
mod fetcher;

use chrono::{DateTime, FixedOffset};

use crate::domain::SafeText;

pub use detail::{detail_url, fetch_detail, hashtag, parse_detail};
pub use fetcher::{TopicFetcherConfig, TopicFetcherHandle, spawn_topic_fetcher};

/// Why an account appears on a topic page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AccountRole {
    /// The topic's claimed host (`baseClaimList.cur_claim_info`).
    Host,
    /// A media account that posted on the topic (`media_info.users[]`).
    Media,
    /// A top contributor (`baseInfo.lists` joined to `baseInfo.lists_users`).
    Contributor,
}

/// One account named on a topic page, sanitised.
#[derive(Debug, Clone, PartialEq)]
pub struct Account {
    /// Weibo uid (digits), when the page gives one.
    pub uid: Option<String>,
    pub name: SafeText,
    /// Weibo `verified_type` (−1 none, 0 personal, 3 media, 7 organisation, …); `None` when absent.
    pub verified_type: Option<i64>,
    pub role: AccountRole,
}

/// What one topic page says about a topic.
#[derive(Debug, Clone, PartialEq)]
pub struct TopicDetail {
    /// The hashtag asked for, in `#…#` form.
    pub hashtag: String,
    /// `display_name` without the `#` decoration.
    pub title: SafeText,
    /// The topic page id (`biz.containerid`, `231522…`).
    pub topic_id: Option<String>,
    pub summary: Option<SafeText>,
    /// `category_str` (社会, 电影, …).
    pub category: Option<SafeText>,
    /// When the topic page was created (`create_at`, unix seconds).
    pub created_at: Option<DateTime<FixedOffset>>,
    /// `baseData.sum_all`: reads (`r`), mentions (`m`), interactions, original posts (`ori_m`).
    pub reads: Option<u64>,
    pub mentions: Option<u64>,
    pub interactions: Option<u64>,
    pub originals: Option<u64>,
    pub host: Option<Account>,
    pub media: Vec<Account>,
    pub contributors: Vec<Account>,
}

impl TopicDetail {
    /// Every account on the page: host first, then media, then contributors.
    pub fn accounts(&self) -> impl Iterator<Item = &Account> {
        self.host
            .iter()
            .chain(self.media.iter())
            .chain(self.contributors.iter())
    }
}
