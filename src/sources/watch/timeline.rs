//! Sentinel timelines (issue 20, point 2): the newest posts of one Weibo account from the
//! m.weibo.cn user timeline, `getIndex?type=uid&value=<uid>&containerid=107603<uid>&page=<n>`
//! (data-sources.md §4 C1/C6: the card schema of search). Same host, headers and visitor
//! cookie as the C1 search (`Profile::WeiboMobile`), parsed by the one card/mblog parser
//! (`weibo::drill::parse_cards`). Paging ends with an empty page or when the count reaches
//! `cardlistInfo.total` (§8).

use chrono::{DateTime, FixedOffset};

use crate::domain::post::Entry;
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::weibo::drill::{Cards, parse_cards};

/// Posts on one timeline page (m.weibo.cn serves 10).
pub const PAGE_SIZE: u64 = 10;

/// One timeline page.
#[derive(Debug, Clone, PartialEq)]
pub struct TimelinePage {
    /// The account's posts, newest first; pinned posts left out (they head page 1 whatever
    /// their age, and would stop paging at once).
    pub items: Vec<Entry>,
    /// The listing goes on after this page.
    pub more: bool,
    /// `cardlistInfo.total`: the account's post count.
    pub total: Option<u64>,
}

/// A uid goes into the query: 1–20 ASCII digits.
pub fn checked_uid(uid: &str) -> Result<&str, SourceError> {
    let u = uid.trim();
    if !u.is_empty() && u.len() <= 20 && u.bytes().all(|b| b.is_ascii_digit()) {
        Ok(u)
    } else {
        Err(SourceError::Other(format!("bad Weibo uid {uid:?}")))
    }
}

/// The request URL of one page (the uid is checked by the caller).
pub fn timeline_url(uid: &str, page: u32) -> String {
    format!(
        "https://m.weibo.cn/api/container/getIndex?type=uid&value={uid}&containerid=107603{uid}&page={page}"
    )
}

/// Parse page `page` of a timeline.
pub fn parse_timeline(
    body: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<TimelinePage, SourceError> {
    let Cards {
        items,
        any,
        total,
        pinned,
    } = parse_cards(body, now)?;
    let through = u64::from(page.saturating_sub(1)) * PAGE_SIZE + items.len() as u64;
    let items: Vec<Entry> = items
        .into_iter()
        .filter(|e| !pinned.contains(&e.id))
        .collect();
    Ok(TimelinePage {
        more: any && !items.is_empty() && total.is_none_or(|t| through < t),
        items,
        total,
    })
}

/// Fetch and parse one page (no budget, no spacing: the watch loop adds both).
pub async fn fetch_timeline(
    client: &HttpClient,
    uid: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<TimelinePage, SourceError> {
    let uid = checked_uid(uid)?;
    let resp = client
        .get(&timeline_url(uid, page), Profile::WeiboMobile)
        .await?;
    parse_timeline(&resp.body, page, now)
}
