//! C1 posts behind a topic (`m.weibo.cn/api/container/getIndex?containerid=100103type=<T>&q=…`)
//! and the `mblog`/`user` objects shared with the long-text and comment parsers (§4 C1, C6).

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::richtext::rich_text_from_html;
use crate::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind};
use crate::domain::time::parse_time;
use crate::domain::{SafeText, num};
use crate::sources::SourceError;
use crate::sources::wire;

/// The C1 "no results" message (`{"ok":0,"msg":"这里还没有内容","data":{"cards":[]}}`).
const NO_CONTENT: &str = "这里还没有内容";

/// Pages asked for at most: search listings end with empty cards, this guards against a
/// server that never sends them.
const MAX_PAGES: u32 = 100;

/// The C1 request URL for one page.
pub fn posts_url(query: &str, type_code: u32, page: u32) -> String {
    let cid = format!("100103type={type_code}&q={query}");
    let enc = |s: &str| {
        percent_encoding::utf8_percent_encode(s, percent_encoding::NON_ALPHANUMERIC).to_string()
    };
    format!(
        "https://m.weibo.cn/api/container/getIndex?containerid={}&page_type=searchall&page={page}",
        enc(&cid)
    )
}

/// A platform id fit for URLs and requests: 1–32 ASCII letters or digits (a number or a string).
pub(crate) fn clean_id(v: Option<&Value>) -> Option<String> {
    let s = wire::text(v)?;
    let s = s.trim();
    (!s.is_empty() && s.len() <= 32 && s.chars().all(|c| c.is_ascii_alphanumeric()))
        .then(|| s.to_string())
}

/// The first usable id among `keys` (`idstr`, `mid`, `id`: strings or numbers).
pub(crate) fn first_id(obj: &Map<String, Value>, keys: &[&str]) -> Option<String> {
    keys.iter().find_map(|k| clean_id(obj.get(*k)))
}

/// The post's page on m.weibo.cn.
pub fn detail_url(mid: &str) -> String {
    format!("https://m.weibo.cn/detail/{mid}")
}

fn count(obj: &Map<String, Value>, key: &str) -> Option<u64> {
    obj.get(key).and_then(num::value_count)
}

/// `created_at` read relative to `now`; unreadable text kept as sent.
pub(crate) fn set_time(e: &mut Entry, raw: Option<&Value>, now: DateTime<FixedOffset>) {
    let Some(raw) = wire::text(raw) else { return };
    match parse_time(&raw, now) {
        Some(t) => e.created_at = Some(t),
        None => e.created_raw = Some(SafeText::line(&raw)).filter(|t| !t.is_empty()),
    }
}

/// A C6 `user` object (`null` or a non-object gives an unnamed author).
pub(crate) fn author(user: Option<&Value>) -> Author {
    let Some(u) = user.and_then(Value::as_object) else {
        return Author::default();
    };
    Author {
        name: wire::text(u.get("screen_name"))
            .map(|s| SafeText::line(&s))
            .unwrap_or_default(),
        id: first_id(u, &["idstr", "id"]),
        verified_type: wire::int(u.get("verified_type")),
        // Trailing U+3000 is trimmed by the sanitiser.
        verified_reason: wire::text(u.get("verified_reason"))
            .map(|s| SafeText::line(&s))
            .filter(|s| !s.is_empty()),
        followers: count(u, "followers_count").or_else(|| count(u, "followers_count_str")),
        ..Author::default()
    }
}

/// `"发布于 北京"` → `北京`.
fn region(v: Option<&Value>) -> Option<SafeText> {
    let raw = wire::text(v)?;
    let t = raw.trim();
    let t = t.strip_prefix("发布于").unwrap_or(t);
    Some(SafeText::line(t)).filter(|s| !s.is_empty())
}

/// Pictures: an array, or an object keyed "0", "1", … (both seen; RSSHub).
fn pic_count(v: Option<&Value>) -> u32 {
    let n = match v {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(o)) => o.len(),
        _ => 0,
    };
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// An `mblog` → post entry; `None` without a usable id. `quote_depth` bounds nested reposts.
pub(crate) fn entry_from_mblog(
    m: &Map<String, Value>,
    now: DateTime<FixedOffset>,
    quote_depth: u8,
) -> Option<Entry> {
    let mid = first_id(m, &["idstr", "mid", "id"])?;
    let text = wire::text(m.get("text"))
        .map(|h| rich_text_from_html(&h))
        .unwrap_or_default();
    let mut e = Entry::new(EntryKind::WeiboPost, &mid, author(m.get("user")), text);
    e.author.region = region(m.get("region_name"));
    e.url = Some(detail_url(&mid));
    set_time(&mut e, m.get("created_at"), now);
    e.truncated = wire::int(m.get("isLongText")).is_some_and(|v| v != 0);
    e.reposts = count(m, "reposts_count");
    e.replies = count(m, "comments_count");
    e.likes = count(m, "attitudes_count");
    e.pics = pic_count(m.get("pics"));
    if quote_depth > 0
        && let Some(rt) = m.get("retweeted_status").and_then(Value::as_object)
    {
        e.quoted = entry_from_mblog(rt, now, quote_depth - 1).map(Box::new);
    }
    e.open = Some(DrillRequest::WeiboComments {
        mid,
        max_id: None,
        max_id_type: 0,
    });
    Some(e)
}

/// Is this `card_type` a post card (9)? Absent counts as yes when an `mblog` is present.
fn is_post_card(card: &Map<String, Value>) -> bool {
    card.get("card_type")
        .map(|t| num::value_i64(t) == Some(9))
        .unwrap_or(true)
}

/// Every `mblog` of the cards, `card_group`s (card_type 11) searched too, in page order.
fn mblogs(cards: &[Value]) -> Vec<&Map<String, Value>> {
    let mut out = Vec::new();
    for card in cards.iter().filter_map(Value::as_object) {
        if let Some(m) = card.get("mblog").and_then(Value::as_object)
            && is_post_card(card)
        {
            out.push(m);
        }
        if let Some(group) = card.get("card_group").and_then(Value::as_array) {
            for inner in group.iter().filter_map(Value::as_object) {
                if let Some(m) = inner.get("mblog").and_then(Value::as_object)
                    && is_post_card(inner)
                {
                    out.push(m);
                }
            }
        }
    }
    out
}

/// Weibo's "nothing here" answer: `ok:0` with the no-content message or without one, and no cards.
fn is_no_content(obj: &Map<String, Value>) -> bool {
    let ok = obj.get("ok").and_then(num::value_i64);
    let msg = wire::text(obj.get("msg")).unwrap_or_default();
    let cards_empty = obj
        .get("data")
        .and_then(|d| d.get("cards"))
        .and_then(Value::as_array)
        .is_none_or(Vec::is_empty);
    ok == Some(0) && cards_empty && (msg.is_empty() || msg.contains(NO_CONTENT))
}

/// One card listing as parsed (C1 search and the user timeline share the schema).
pub(crate) struct Cards {
    /// Posts in page order, each id once.
    pub items: Vec<Entry>,
    /// The page held cards at all (listings end with none, data-sources.md §8).
    pub any: bool,
    /// `cardlistInfo.total`.
    pub total: Option<u64>,
    /// Ids of pinned posts (`isTop: 1`): a timeline shows them first whatever their age.
    pub pinned: Vec<String>,
}

/// Parse one card page; Weibo's "nothing here" is an empty listing.
pub(crate) fn parse_cards(body: &str, now: DateTime<FixedOffset>) -> Result<Cards, SourceError> {
    let obj = super::weibo_object(body)?;
    if is_no_content(&obj) {
        return Ok(Cards {
            items: Vec::new(),
            any: false,
            total: None,
            pinned: Vec::new(),
        });
    }
    wire::check_weibo_ok(&obj)?;
    let data = wire::path(&obj, &["data"])?;
    if !data.is_object() {
        return Err(SourceError::Decode("data is not an object".into()));
    }
    let cards = match data.get("cards") {
        None | Some(Value::Null) => &[][..],
        Some(c) => wire::array(c, "data.cards")?.as_slice(),
    };
    let mut items: Vec<Entry> = Vec::new();
    let mut pinned = Vec::new();
    for m in mblogs(cards) {
        if let Some(e) = entry_from_mblog(m, now, 1)
            && !items.iter().any(|x| x.id == e.id)
        {
            if wire::int(m.get("isTop")).is_some_and(|v| v == 1) {
                pinned.push(e.id.clone());
            }
            items.push(e);
        }
    }
    let total = data
        .get("cardlistInfo")
        .and_then(|i| i.get("total"))
        .and_then(num::value_count);
    Ok(Cards {
        items,
        any: !cards.is_empty(),
        total,
        pinned,
    })
}

/// Parse one C1 page. `req` supplies the page number for the successor (`WeiboPosts`).
pub fn parse_posts(
    body: &str,
    req: &DrillRequest,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let Cards {
        items, any, total, ..
    } = parse_cards(body, now)?;
    let next = match req {
        DrillRequest::WeiboPosts { query, tab, page } if any && *page < MAX_PAGES => {
            Some(DrillRequest::WeiboPosts {
                query: query.clone(),
                tab: *tab,
                page: page + 1,
            })
        }
        _ => None,
    };
    Ok(DrillPage { items, next, total })
}
