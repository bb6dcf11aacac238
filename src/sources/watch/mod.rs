//! Brand watch streams (issue 20, point 1): Weibo real-time search (data-sources.md §4 C1,
//! `containerid=100103type=61&q=<term>`) for each watched term, on a [`budget::Budget`].
//!
//! Nothing new on the wire side: a search page is a [`DrillRequest::WeiboPosts`] on the 实时
//! tab, fetched by the drill-down fetcher (the polite fetcher's per-host spacing and jitter)
//! and parsed by the one mblog parser (`weibo::drill::parse_posts`). This module decides which
//! pages to ask for (`harvest`: page 2… only while a page is all newer than the newest post
//! stored for the term), applies the term's exclusions and turns entries into
//! [`WatchPost`]s; `service` runs the loop.
//!
//! Sentinel accounts (point 2) are followed through their timelines (`timeline`, §4 C6) by
//! the same loop under the same budget, harvested the same way under the stored term `@name`.
//!
//! Tieba search is not watched: data-sources.md documents no Tieba search endpoint at all,
//! and says Tieba's PC pages and app APIs need cookies and signatures since 2026 (§5, §9.14).

pub mod budget;
pub mod service;
pub mod timeline;

use chrono::{DateTime, FixedOffset};

use crate::domain::Platform;
use crate::domain::post::{DrillPage, DrillRequest, Entry, PostTab};
use crate::domain::watch::{WatchPost, WatchTerm};
use crate::sources::SourceError;
use crate::sources::http::HttpClient;

pub use budget::{Budget, BudgetConfig, Permit, is_refusal};
pub use service::{BudgetStatus, WatchConfig, WatchEvent, WatchHandle, spawn_watch};
pub use timeline::{TimelinePage, fetch_timeline, parse_timeline, timeline_url};

/// The C1 real-time search request for one page of `query`.
pub fn search_request(query: &str, page: u32) -> DrillRequest {
    DrillRequest::WeiboPosts {
        query: query.to_string(),
        tab: PostTab::Realtime,
        page,
    }
}

/// The request URL (`https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D61%26q%3D…&page_type=searchall&page=<n>`).
pub fn search_url(query: &str, page: u32) -> String {
    crate::sources::weibo::drill::posts_url(query, PostTab::Realtime.type_code(), page)
}

/// Fetch and parse one search page (no budget, no spacing: the service adds both).
pub async fn fetch_page(
    client: &HttpClient,
    query: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    super::drill::fetch(client, &search_request(query, page), now).await
}

/// What one search page gave for a term.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Harvest {
    /// The page's posts but the excluded ones (page order: newest first), to be stored.
    pub posts: Vec<WatchPost>,
    /// Of those, newer than the newest stored before (all of them when none was).
    pub new: usize,
    /// Dropped by the term's exclusions.
    pub excluded: usize,
    /// Ask for the next page: the listing goes on and this page did not reach the newest
    /// stored post.
    pub more: bool,
}

/// Sort one page for `term`. `newest`: the creation time of the newest post stored for the
/// term (`None`: nothing stored yet). A post without a readable time counts as new.
pub fn harvest(
    term: &WatchTerm,
    page: &DrillPage,
    newest: Option<DateTime<FixedOffset>>,
    seen_at: DateTime<FixedOffset>,
) -> Harvest {
    harvest_items(term, &page.items, page.next.is_some(), newest, seen_at)
}

/// [`harvest`] of any listing page (a search page or a sentinel's timeline page): `goes_on`
/// when the listing has a next page.
pub fn harvest_items(
    term: &WatchTerm,
    items: &[Entry],
    goes_on: bool,
    newest: Option<DateTime<FixedOffset>>,
    seen_at: DateTime<FixedOffset>,
) -> Harvest {
    let is_new = |t: Option<DateTime<FixedOffset>>| match (t, newest) {
        (Some(t), Some(n)) => t > n,
        _ => true,
    };
    let reached = items.iter().any(|e| !is_new(e.created_at));
    let mut posts = Vec::new();
    let mut excluded = 0;
    for e in items {
        let text = e.text.to_plain();
        if term.excludes(&text) || term.excludes(e.author.name.as_str()) {
            excluded += 1;
            continue;
        }
        posts.push(WatchPost::from_entry(
            Platform::Weibo,
            &term.name,
            e,
            seen_at,
        ));
    }
    let new = posts.iter().filter(|p| is_new(p.created_at)).count();
    Harvest {
        posts,
        new,
        excluded,
        more: goes_on && !items.is_empty() && !reached,
    }
}
