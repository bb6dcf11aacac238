//! D3 floors of a thread: `GET /p/<tid>?pn=<page>&ajax=1` (HTML). Posts are
//! `.p_postlist > [data-field]` (ad nodes skipped); each `data-field` is JSON with `author` and
//! `content{post_id, post_no, date, comment_num, forum_id}`; the body is `.d_post_content`; the
//! last page is `[max-page]` (DIYgod/RSSHub `baidu/tieba/post.tsx`, data-sources.md §5).

use chrono::{DateTime, FixedOffset};
use scraper::{ElementRef, Html};
use serde_json::{Map, Value};

use super::rich::{self, Body};
use super::{
    BASE, check_html_body, checked_id, data_field, id_field, no_content, selector, token_field,
};
use crate::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind};
use crate::domain::time::parse_time;
use crate::domain::{SafeText, num};
use crate::sources::SourceError;
use crate::sources::wire;

/// `GET https://tieba.baidu.com/p/<tid>?pn=<page>&ajax=1`.
pub fn floors_url(tid: &str, page: u32) -> Result<String, SourceError> {
    Ok(format!(
        "{BASE}/p/{}?pn={}&ajax=1",
        checked_id(tid)?,
        page.max(1)
    ))
}

/// Parse one page of floors of thread `tid`.
pub fn parse_floors_html(
    body: &str,
    tid: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let tid = checked_id(tid)?;
    check_html_body(body)?;
    let doc = Html::parse_document(body);
    let posts: Vec<(ElementRef<'_>, Map<String, Value>)> = doc
        .select(&selector(".p_postlist > [data-field], .l_post[data-field]"))
        .filter(|el| !is_ad(*el))
        .filter_map(|el| Some((el, data_field(el)?)))
        .filter(|(_, f)| id_field(f.get("content").and_then(|c| c.get("post_id"))).is_some())
        .collect();
    if posts.is_empty() {
        return Err(no_content(body, "thread floors"));
    }
    let fid = posts
        .iter()
        .find_map(|(_, f)| id_field(f.get("content").and_then(|c| c.get("forum_id"))))
        .or_else(|| forum_id_in_page(body));
    let mut items: Vec<Entry> = Vec::with_capacity(posts.len());
    for (el, f) in &posts {
        if let Some(e) = floor(*el, f, tid, fid.as_deref(), now)
            && !items.iter().any(|x| x.id == e.id)
        {
            items.push(e);
        }
    }
    let page = page.max(1);
    let max_page = doc
        .select(&selector("[max-page]"))
        .find_map(|el| el.attr("max-page")?.trim().parse::<u32>().ok());
    let more = max_page.is_some_and(|m| page < m);
    Ok(floors_page(tid, page, items, more))
}

/// A page of floors of `tid`, naming page + 1 next when there is `more` (both the PC page and
/// the app API end this way).
pub(super) fn floors_page(tid: &str, page: u32, items: Vec<Entry>, more: bool) -> DrillPage {
    let next = more.then(|| DrillRequest::TiebaFloors {
        tid: tid.to_string(),
        page: page + 1,
    });
    DrillPage {
        items,
        next,
        total: None,
    }
}

/// Advert posts carry `data-field` too; they hold an `.ad_bottom_view`.
fn is_ad(el: ElementRef<'_>) -> bool {
    let ci = scraper::CaseSensitivity::AsciiCaseInsensitive;
    el.value().has_class("ad_bottom_view", ci)
        || el.select(&selector(".ad_bottom_view")).next().is_some()
}

/// `forum_id` from the page's scripts (`PageData.forum`), when no post names it.
fn forum_id_in_page(body: &str) -> Option<String> {
    ["\"forum_id\":", "forum_id:", "\"fid\":", "fid:"]
        .iter()
        .find_map(|marker| {
            let rest = &body[body.find(marker)? + marker.len()..];
            let digits: String = rest
                .trim_start_matches([' ', '"', '\''])
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            super::checked_id(&digits).ok().map(str::to_string)
        })
}

fn floor(
    el: ElementRef<'_>,
    f: &Map<String, Value>,
    tid: &str,
    fid: Option<&str>,
    now: DateTime<FixedOffset>,
) -> Option<Entry> {
    let content = f.get("content").and_then(Value::as_object);
    let get = |k: &str| content.and_then(|c| c.get(k));
    let pid = id_field(get("post_id"))?;
    let body = match el.select(&selector(".d_post_content")).next() {
        Some(b) => rich::body(b),
        // Older pages carry the body only inside `data-field`.
        None => {
            let html = wire::text(get("content")).unwrap_or_default();
            let frag = Html::parse_fragment(&html);
            rich::body(frag.root_element())
        }
    };
    let Body {
        text,
        pics,
        emoticons,
    } = body;
    let mut e = Entry::new(EntryKind::TiebaFloor, &pid, author(el, f), text);
    e.pics = pics;
    e.emoticons = emoticons;
    e.floor = wire::int(get("post_no")).and_then(|n| u32::try_from(n).ok());
    e.replies = get("comment_num").and_then(num::value_count);
    let date = wire::text(get("date")).or_else(|| tail_date(el, now));
    if let Some(d) = date {
        e.created_at = parse_time(&d, now);
        if e.created_at.is_none() {
            e.created_raw = Some(SafeText::line(&d)).filter(|t| !t.is_empty());
        }
    }
    e.url = Some(format!("{BASE}/p/{tid}?pid={pid}#{pid}"));
    if e.replies.is_some_and(|n| n > 0) {
        e.open = Some(DrillRequest::TiebaSubReplies {
            tid: tid.to_string(),
            pid,
            fid: fid.unwrap_or_default().to_string(),
            page: 1,
        });
    }
    Some(e)
}

/// The post date from the tail line (`<span class="tail-info">2025-10-15 13:05</span>`).
fn tail_date(el: ElementRef<'_>, now: DateTime<FixedOffset>) -> Option<String> {
    el.select(&selector(".tail-info"))
        .map(|s| s.text().collect::<String>())
        .find(|s| parse_time(s.trim(), now).is_some())
}

/// The display name: `name_show`/`user_nickname`, else the name on the page, else `user_name`.
fn author(el: ElementRef<'_>, f: &Map<String, Value>) -> Author {
    let a = f.get("author").and_then(Value::as_object);
    let get = |k: &str| a.and_then(|a| a.get(k));
    let on_page = el
        .select(&selector(".p_author_name"))
        .next()
        .map(|n| n.text().collect::<String>());
    let name = ["name_show", "user_nickname"]
        .iter()
        .find_map(|k| wire::text(get(k)))
        .or(on_page)
        .or_else(|| wire::text(get("user_name")))
        .map(|n| SafeText::from_html_line(&n))
        .unwrap_or_default();
    Author {
        name,
        id: id_field(get("user_id")).or_else(|| token_field(get("portrait"))),
        moderator: ["is_bawu", "bawu"]
            .iter()
            .any(|k| wire::int(get(k)).is_some_and(|v| v != 0)),
        level: wire::int(get("level_id")).and_then(|l| u32::try_from(l).ok()),
        ..Author::default()
    }
}
