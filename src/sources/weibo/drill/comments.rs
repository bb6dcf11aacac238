//! C3 comments: `m.weibo.cn/comments/hotflow?id=<mid>&mid=<mid>&max_id_type=<t>[&max_id=<id>]`
//! → `{ok, data:{data:[comment], max_id, max_id_type, total_number}}`; stop at `max_id == 0` (§4 C3, §8).

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::posts::{author, detail_url, first_id, set_time};
use super::richtext::rich_text_from_html;
use crate::domain::SafeText;
use crate::domain::num;
use crate::domain::post::{DrillPage, DrillRequest, Entry, EntryKind};
use crate::sources::SourceError;
use crate::sources::wire;

/// The C3 request URL.
pub fn comments_url(mid: &str, max_id: Option<&str>, max_id_type: i64) -> String {
    let mut u =
        format!("https://m.weibo.cn/comments/hotflow?id={mid}&mid={mid}&max_id_type={max_id_type}");
    if let Some(m) = max_id {
        u.push_str("&max_id=");
        u.push_str(m);
    }
    u
}

/// `"来自北京"` (comment `source`) → `北京`.
fn comment_region(v: Option<&Value>) -> Option<SafeText> {
    let raw = wire::text(v)?;
    let t = raw.trim().strip_prefix("来自")?;
    Some(SafeText::line(t)).filter(|s| !s.is_empty())
}

/// One comment; inline replies only one level down (`comments` is an array, `false` or `null`).
fn comment(
    c: &Map<String, Value>,
    post_url: &str,
    now: DateTime<FixedOffset>,
    inline: bool,
) -> Option<Entry> {
    let id = first_id(c, &["idstr", "id", "mid"])?;
    let text = wire::text(c.get("text"))
        .map(|h| rich_text_from_html(&h))
        .unwrap_or_default();
    let mut e = Entry::new(EntryKind::WeiboComment, &id, author(c.get("user")), text);
    e.author.region = comment_region(c.get("source"));
    e.url = Some(post_url.to_string());
    set_time(&mut e, c.get("created_at"), now);
    e.likes = c
        .get("like_count")
        .or_else(|| c.get("like_counts"))
        .and_then(num::value_count);
    e.replies = c.get("total_number").and_then(num::value_count);
    e.pics = u32::from(c.get("pic").is_some_and(Value::is_object));
    if inline && let Some(Value::Array(subs)) = c.get("comments") {
        e.inline_replies = subs
            .iter()
            .filter_map(Value::as_object)
            .filter_map(|s| comment(s, post_url, now, false))
            .collect();
    }
    Some(e)
}

/// Parse one C3 page of the comments of `req` (`WeiboComments`).
pub fn parse_comments(
    body: &str,
    req: &DrillRequest,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let DrillRequest::WeiboComments {
        mid,
        max_id: cur_max_id,
        ..
    } = req
    else {
        return Err(SourceError::Other("not a comments request".into()));
    };
    let obj = super::weibo_object(body)?;
    let ok = obj.get("ok").and_then(num::value_i64);
    let has_data = obj.get("data").is_some_and(|d| !d.is_null());
    // No comments: the first page answers `ok:0` without data (a later one doing so is an error).
    if ok == Some(0) && !has_data && cur_max_id.is_none() {
        return Ok(DrillPage {
            items: Vec::new(),
            next: None,
            total: Some(0),
        });
    }
    wire::check_weibo_ok(&obj)?;
    let data = wire::path(&obj, &["data"])?;
    let list = match data.get("data") {
        None | Some(Value::Null) => &[][..],
        Some(l) => wire::array(l, "data.data")?.as_slice(),
    };
    let post_url = detail_url(mid);
    let mut items: Vec<Entry> = Vec::new();
    for c in list.iter().filter_map(Value::as_object) {
        if let Some(e) = comment(c, &post_url, now, true)
            && !items.iter().any(|x| x.id == e.id)
        {
            items.push(e);
        }
    }
    let max_id = wire::text(data.get("max_id"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_digit()));
    let next = match max_id {
        // `0` ends the listing; a cursor that does not move (or an empty page) would loop.
        Some(m) if m.trim_start_matches('0').is_empty() => None,
        Some(m) if cur_max_id.as_deref() == Some(m.as_str()) || list.is_empty() => None,
        Some(m) => Some(DrillRequest::WeiboComments {
            mid: mid.clone(),
            max_id: Some(m),
            max_id_type: wire::int(data.get("max_id_type")).unwrap_or(0),
        }),
        None => None,
    };
    let total = data.get("total_number").and_then(num::value_count);
    Ok(DrillPage { items, next, total })
}
