//! D3 sub-replies (楼中楼) of a floor: `GET /p/comment?tid=&pid=&fid=&pn=<n>` → an HTML fragment
//! of `li.lzl_single_post` (entity-escaped `data-field` JSON with `\uXXXX` strings: `spid`,
//! `showname`, `user_name`, `portrait`), `span.lzl_content_main`, `span.lzl_time`, and the pager
//! `li.lzl_li_pager[data-field]` `{total_num, total_page}` (MediaCrawler fixture, data-sources.md §5).

use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html};

use super::rich;
use super::{
    BASE, check_html_body, checked_id, data_field, id_field, no_content, selector, token_field,
};
use crate::domain::SafeText;
use crate::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind};
use crate::domain::time::parse_time;
use crate::sources::SourceError;
use crate::sources::wire;

/// `GET https://tieba.baidu.com/p/comment?tid=&pid=&fid=&pn=<page>` (`fid` may be unknown: empty).
pub fn sub_replies_url(tid: &str, pid: &str, fid: &str, page: u32) -> Result<String, SourceError> {
    let fid = if fid.is_empty() {
        fid
    } else {
        checked_id(fid)?
    };
    Ok(format!(
        "{BASE}/p/comment?tid={}&pid={}&fid={fid}&pn={}",
        checked_id(tid)?,
        checked_id(pid)?,
        page.max(1)
    ))
}

/// Parse one page of sub-replies of floor `pid` in thread `tid` of forum `fid` (carried to the
/// next page).
pub fn parse_sub_replies_html(
    body: &str,
    tid: &str,
    pid: &str,
    fid: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let (tid, pid) = (checked_id(tid)?, checked_id(pid)?);
    check_html_body(body)?;
    let doc = Html::parse_fragment(body);
    let replies: Vec<ElementRef<'_>> = doc.select(&selector("li.lzl_single_post")).collect();
    let pager = doc
        .select(&selector("li.lzl_li_pager[data-field]"))
        .find_map(data_field);
    if replies.is_empty() && pager.is_none() {
        return Err(no_content(body, "sub-replies"));
    }
    let mut items: Vec<Entry> = Vec::with_capacity(replies.len());
    for el in replies {
        if let Some(e) = sub_reply(el, tid, pid, now)
            && !items.iter().any(|x| x.id == e.id)
        {
            items.push(e);
        }
    }
    let page = page.max(1);
    let total = pager
        .as_ref()
        .and_then(|p| p.get("total_num"))
        .and_then(crate::domain::num::value_count);
    let total_page = pager
        .as_ref()
        .and_then(|p| wire::int(p.get("total_page")))
        .unwrap_or(0);
    let next = (i64::from(page) < total_page).then(|| DrillRequest::TiebaSubReplies {
        tid: tid.to_string(),
        pid: pid.to_string(),
        fid: fid.to_string(),
        page: page + 1,
    });
    Ok(DrillPage { items, next, total })
}

fn sub_reply(
    el: ElementRef<'_>,
    tid: &str,
    pid: &str,
    now: DateTime<FixedOffset>,
) -> Option<Entry> {
    let f = data_field(el)?;
    let spid = id_field(f.get("spid"))?;
    // `showname` is the nick shown on the page; `user_name` the account name.
    let name = ["showname", "user_name"]
        .iter()
        .find_map(|k| wire::text(f.get(*k)))
        .map(|n| SafeText::from_html_line(&n))
        .unwrap_or_default();
    let author = Author {
        name,
        id: token_field(f.get("portrait")).or_else(|| token_field(f.get("user_name"))),
        ..Author::default()
    };
    let body = el
        .select(&selector("span.lzl_content_main"))
        .next()
        .map(rich::body);
    let (text, pics, emoticons) = body
        .map(|b| (b.text, b.pics, b.emoticons))
        .unwrap_or_default();
    let mut e = Entry::new(EntryKind::TiebaSubReply, &spid, author, text);
    e.pics = pics;
    e.emoticons = emoticons;
    if let Some(t) = el.select(&selector("span.lzl_time")).next() {
        let raw: String = t.text().collect();
        e.created_at = parse_time(raw.trim(), now);
        if e.created_at.is_none() {
            e.created_raw = Some(SafeText::line(&raw)).filter(|t| !t.is_empty());
        }
    }
    e.url = Some(format!("{BASE}/p/{tid}?pid={pid}&cid={spid}#{spid}"));
    Some(e)
}
