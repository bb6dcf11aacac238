//! Weibo drill-down (data-sources.md §4): C1 posts of a topic, C2 long text, C3 comments.
//! Request building and fetching here; one parser per endpoint in its own file, all pure
//! (`body → DrillPage`) so tests and the app can call them without a network.

mod comments;
mod longtext;
mod posts;
mod richtext;

use chrono::{DateTime, FixedOffset};

pub use comments::{comments_url, parse_comments};
pub use longtext::{detail_page_url, extend_url, parse_long_text};
pub(crate) use posts::{Cards, parse_cards};
pub use posts::{detail_url, parse_posts, posts_url};
pub use richtext::rich_text_from_html;

use crate::domain::num;
use crate::domain::post::{DrillPage, DrillRequest};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

/// Fetch and parse one page of `req` (a Weibo request; others are refused).
pub async fn fetch(
    client: &HttpClient,
    req: &DrillRequest,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    match req {
        DrillRequest::WeiboPosts { query, tab, page } => {
            let url = posts_url(query, tab.type_code(), *page);
            let resp = client.get(&url, Profile::WeiboMobile).await?;
            parse_posts(&resp.body, req, now)
        }
        DrillRequest::WeiboLongText { mid } => {
            let mid = checked_mid(mid)?;
            let page = client
                .get(&detail_page_url(mid), Profile::WeiboDetailPage)
                .await
                .and_then(|resp| parse_long_text(&resp.body, mid, now));
            match page {
                // The page was there but did not carry the post: ask the JSON endpoint.
                Err(
                    SourceError::WrongBody(_) | SourceError::Decode(_) | SourceError::Status(404),
                ) => {
                    let resp = client.get(&extend_url(mid), Profile::WeiboPostApi).await?;
                    parse_long_text(&resp.body, mid, now)
                }
                other => other,
            }
        }
        DrillRequest::WeiboComments {
            mid,
            max_id,
            max_id_type,
        } => {
            let mid = checked_mid(mid)?;
            let max_id = max_id
                .as_deref()
                .map(|m| {
                    if m.chars().all(|c| c.is_ascii_digit()) && !m.is_empty() {
                        Ok(m)
                    } else {
                        Err(SourceError::Other("bad comment cursor".into()))
                    }
                })
                .transpose()?;
            let url = comments_url(mid, max_id, *max_id_type);
            let resp = client.get(&url, Profile::WeiboPostApi).await?;
            parse_comments(&resp.body, req, now)
        }
        _ => Err(SourceError::Other("not a Weibo drill-down request".into())),
    }
}

/// A Weibo JSON body as an object. `ok:-100` means "log in" even when the body also carries a
/// `url` (which `wire::json_object` alone would read as a captcha): the explicit code wins.
pub(crate) fn weibo_object(
    body: &str,
) -> Result<serde_json::Map<String, serde_json::Value>, SourceError> {
    match wire::json_object(body, WEIBO_LOGIN_HINT) {
        Err(SourceError::Captcha) => {
            let v: serde_json::Value =
                serde_json::from_str(body.trim_start_matches('\u{feff}').trim())
                    .unwrap_or_default();
            match v.get("ok").and_then(num::value_i64) {
                Some(-100) => Err(SourceError::LoginRequired {
                    hint: format!("cookie expired; {WEIBO_LOGIN_HINT}"),
                }),
                _ => Err(SourceError::Captcha),
            }
        }
        other => other,
    }
}

/// A mid goes into paths and queries: digits or base62 letters only.
fn checked_mid(mid: &str) -> Result<&str, SourceError> {
    if !mid.is_empty() && mid.len() <= 32 && mid.chars().all(|c| c.is_ascii_alphanumeric()) {
        Ok(mid)
    } else {
        Err(SourceError::Other("bad post id".into()))
    }
}
