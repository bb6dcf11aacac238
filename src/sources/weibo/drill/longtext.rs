//! C2 full text of a long post. Primary: the post page `m.weibo.cn/detail/<mid>`, whose
//! `var $render_data = [...][0]` holds the full `mblog` as `[0].status` (§4 C2; nateafish
//! `fetch_full_mblog`, MediaCrawler, dataabc). Fallback: `m.weibo.cn/statuses/extend?id=<mid>`
//! → `{ok:1, data:{longTextContent:"<html>"}}`, not in the reference but called that way by many
//! clients found with the code search (`get('https://m.weibo.cn/statuses/extend?id=' + mid)`,
//! `json['data']['longTextContent']`), always with the post's id and the mobile headers.

use chrono::{DateTime, FixedOffset};
use serde_json::Value;

use super::posts::entry_from_mblog;
use super::richtext::rich_text_from_html;
use crate::domain::post::{Author, DrillPage, Entry, EntryKind};
use crate::sources::SourceError;
use crate::sources::wire::{self, WEIBO_LOGIN_HINT};

/// The post page (primary source).
pub fn detail_page_url(mid: &str) -> String {
    super::posts::detail_url(mid)
}

/// The JSON long-text endpoint (fallback).
pub fn extend_url(mid: &str) -> String {
    format!("https://m.weibo.cn/statuses/extend?id={mid}")
}

const RENDER_DATA: &str = "$render_data";

fn one(e: Entry) -> DrillPage {
    DrillPage {
        items: vec![e],
        next: None,
        total: None,
    }
}

/// The full post from a detail page: the first JSON value after `var $render_data =`.
fn from_detail_page(
    body: &str,
    mid: &str,
    now: DateTime<FixedOffset>,
) -> Result<Entry, SourceError> {
    let Some(at) = body.find(RENDER_DATA) else {
        return Err(wire::html_failure(body, WEIBO_LOGIN_HINT));
    };
    let rest = &body[at + RENDER_DATA.len()..];
    let rest = rest
        .trim_start()
        .strip_prefix('=')
        .ok_or_else(|| SourceError::Decode("$render_data is not assigned".into()))?;
    // The stream reader stops after one value, so `[0] || {};` and the rest of the page stay unread.
    let value = serde_json::Deserializer::from_str(rest.trim_start())
        .into_iter::<Value>()
        .next()
        .ok_or_else(|| SourceError::Decode("$render_data is empty".into()))?
        .map_err(|e| {
            SourceError::Decode(if e.is_eof() {
                "truncated $render_data".into()
            } else {
                "invalid $render_data".into()
            })
        })?;
    let status = value
        .get(0)
        .or(Some(&value).filter(|v| v.is_object()))
        .and_then(|v| v.get("status"))
        .and_then(Value::as_object)
        .ok_or_else(|| SourceError::Decode("no $render_data[0].status".into()))?;
    let mut e = entry_from_mblog(status, now, 1)
        .ok_or_else(|| SourceError::Decode("status without an id".into()))?;
    if e.id != mid {
        return Err(SourceError::Decode("detail page of another post".into()));
    }
    // The page carries the whole text even when `isLongText` is set.
    e.truncated = false;
    Ok(e)
}

/// The long text from `statuses/extend`: only the text is sent, so the entry has no author.
fn from_extend(body: &str, mid: &str) -> Result<Entry, SourceError> {
    let obj = super::weibo_object(body)?;
    wire::check_weibo_ok(&obj)?;
    let html = wire::path(&obj, &["data", "longTextContent"])?
        .as_str()
        .ok_or_else(|| SourceError::Decode("longTextContent is not text".into()))?;
    Ok(Entry::new(
        EntryKind::WeiboPost,
        mid,
        Author::default(),
        rich_text_from_html(html),
    ))
}

/// Parse either long-text answer for `mid`: JSON bodies as `statuses/extend`, anything else
/// as the detail page. One entry with id `mid` and the full text.
pub fn parse_long_text(
    body: &str,
    mid: &str,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    let e = if t.starts_with('{') {
        from_extend(t, mid)?
    } else {
        from_detail_page(t, mid, now)?
    };
    let mut e = e;
    e.url = Some(detail_page_url(mid));
    Ok(one(e))
}
