//! Baidu 热搜 (more-sources.md §2): BD1 the board page with its `<!--s-data:{…}-->` comment,
//! BD2′ `api/board?platform=pc` and BD2 `api/board?platform=wise` (JSON). All three carry the
//! same item objects inside `cards`; they differ in envelope, nesting and which fields remain.

use chrono::{DateTime, FixedOffset};
use serde_json::{Map, Value};

use super::{Endpoint, SourceError, wire};
use crate::domain::{Label, Platform, SafeText, Snapshot, Topic, num};

/// Hint shown when Baidu serves its security check instead of the list.
const LOGIN_HINT: &str = "Baidu security check (百度安全验证); try again later";

const S_DATA_OPEN: &str = "<!--s-data:";
const S_DATA_CLOSE: &str = "-->";

/// The one place `hotTag` is mapped: 1 新, 3 热 (vikiboss/60s `hotTagMap`). Clients disagree —
/// HummerBor/hotNews reads 1 热 and 3 新 — so if live data shows the reverse, change it here only.
pub fn hot_tag_label(tag: i64) -> Label {
    match tag {
        1 => Label::New,
        3 => Label::Hot,
        _ => Label::None,
    }
}

/// Parse a body fetched from one of Baidu's list endpoints.
pub fn parse(
    e: Endpoint,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let root = match e {
        Endpoint::BaiduBoardHtml => s_data(body)?,
        _ => {
            let obj = wire::json_object(body, LOGIN_HINT)?;
            check_success(&obj)?;
            obj
        }
    };
    let board = board(&root)?;
    let mut snap = Snapshot::new(Platform::Baidu, captured_at);
    for (i, item) in board.items.iter().enumerate() {
        let Some(item) = item.as_object() else {
            continue;
        };
        let Some(mut t) = topic(item) else { continue };
        // BD1 marks its pinned row in the list itself; it is never ranked (§9 pinned rows).
        if wire::int(item.get("isTop")).unwrap_or(0) != 0 {
            snap.pinned.push(t);
            continue;
        }
        // `index` is 0-based; `finish` renumbers densely whatever it says.
        let rank = wire::int(item.get("index"))
            .and_then(|x| u32::try_from(x).ok())
            .and_then(|x| x.checked_add(1))
            .unwrap_or(i as u32 + 1);
        t.rank = Some(rank);
        snap.ranked.push(t);
    }
    // BD2′ keeps its pinned row apart, in `topContent`.
    snap.pinned.extend(
        board
            .top
            .iter()
            .filter_map(Value::as_object)
            .filter_map(topic),
    );
    wire::finish(snap)
}

/// The JSON inside BD1's `<!--s-data:…-->` comment. The page has carried `\-`, which JSON does
/// not allow; it is read as `-`, as vikiboss/60s does.
fn s_data(body: &str) -> Result<Map<String, Value>, SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        return Err(SourceError::WrongBody(
            "JSON instead of the HTML page".into(),
        ));
    }
    let Some(open) = body.find(S_DATA_OPEN) else {
        return Err(if wire::looks_like_login_wall(body) {
            SourceError::LoginRequired {
                hint: LOGIN_HINT.into(),
            }
        } else {
            SourceError::WrongBody("page without the s-data comment".into())
        });
    };
    let start = open + S_DATA_OPEN.len();
    let Some(len) = body[start..].find(S_DATA_CLOSE) else {
        return Err(SourceError::Decode(
            "truncated page (the s-data comment does not end)".into(),
        ));
    };
    let (json, unescaped) = unescape_dashes(&body[start..start + len]);
    // Each `\-` read as `-` shifts the rest of the text by one byte.
    wire::embedded_json(&json, "s-data JSON", |i| {
        start + i + unescaped.partition_point(|&k| k <= i)
    })
}

/// `text` with every `\-` read as `-` (an escaped backslash `\\` stays as it is), and the
/// offsets in the result where that happened.
fn unescape_dashes(text: &str) -> (String, Vec<usize>) {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut at = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 1 < b.len() {
            if b[i + 1] == b'-' {
                at.push(out.len());
            } else {
                out.push(b'\\');
            }
            out.push(b[i + 1]);
            i += 2;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    // Only ASCII bytes were dropped, so the text is still UTF-8.
    (String::from_utf8_lossy(&out).into_owned(), at)
}

/// BD2's envelope: `success` must be `true`; the reason is in `error{code, message}`.
fn check_success(obj: &Map<String, Value>) -> Result<(), SourceError> {
    if obj.get("success") == Some(&Value::Bool(true)) {
        return Ok(());
    }
    let err = obj.get("error").and_then(Value::as_object);
    Err(SourceError::Envelope {
        code: err.and_then(|e| wire::int(e.get("code"))).unwrap_or(-1),
        msg: err
            .map(|e| wire::message(e, &["message", "msg"]))
            .unwrap_or_default(),
    })
}

/// The rows of the hot-list card and its pinned `topContent`.
struct Board<'a> {
    items: &'a [Value],
    top: &'a [Value],
}

/// Find the hot-list card. Three envelopes are seen (§2): `data.cards[0].content` (BD1, BD2′),
/// a top-level `cards`, and the rows one level deeper, `cards[0].content[0].content` (BD2
/// since 2026-01). The first card holding rows wins: other cards may come first.
fn board(root: &Map<String, Value>) -> Result<Board<'_>, SourceError> {
    let cards = wire::path(root, &["data", "cards"]).or_else(|_| wire::path(root, &["cards"]))?;
    let cards = wire::array(cards, "cards")?;
    let mut malformed = false;
    for card in cards.iter().filter_map(Value::as_object) {
        let Some(content) = card.get("content") else {
            continue;
        };
        let Some(content) = content.as_array() else {
            malformed = true;
            continue;
        };
        let items = match content.first().and_then(Value::as_object) {
            Some(group) if !is_row(group) => match group.get("content").and_then(Value::as_array) {
                Some(inner) => inner.as_slice(),
                None => continue,
            },
            _ => content.as_slice(),
        };
        if items.iter().filter_map(Value::as_object).any(is_row) {
            let top = card
                .get("topContent")
                .and_then(Value::as_array)
                .map_or(&[][..], Vec::as_slice);
            return Ok(Board { items, top });
        }
    }
    if malformed {
        return Err(SourceError::Decode("cards[].content is not a list".into()));
    }
    // A card list without rows: `finish` reports the empty list.
    Ok(Board {
        items: &[],
        top: &[],
    })
}

fn is_row(item: &Map<String, Value>) -> bool {
    wire::text(item.get("word")).is_some() || wire::text(item.get("query")).is_some()
}

fn topic(item: &Map<String, Value>) -> Option<Topic> {
    let word = wire::text(item.get("word")).or_else(|| wire::text(item.get("query")))?;
    let mut t = wire::topic(Platform::Baidu, None, SafeText::line(&word))?;
    let query = wire::text(item.get("query"))
        .map(|q| SafeText::line(&q))
        .filter(|q| !q.is_empty())
        .unwrap_or_else(|| t.title.clone());
    // A string of digits on BD1/BD2′; gone from BD2 since 2026-01.
    t.heat = item.get("hotScore").and_then(num::value_count);
    t.label = label(item);
    t.url = url(item, query.as_str());
    t.query = Some(query);
    Some(t)
}

/// `hotTag` on BD1/BD2′; BD2 gives the label as text, `newHotName` (flat or inside `newHotTag`).
fn label(item: &Map<String, Value>) -> Label {
    let tag = wire::int(item.get("hotTag"))
        .map(hot_tag_label)
        .unwrap_or_default();
    if !tag.is_none() {
        return tag;
    }
    item.get("newHotName")
        .or_else(|| item.get("newHotTag")?.get("newHotName"))
        .and_then(Value::as_str)
        .map(Label::from_text)
        .unwrap_or_default()
}

/// `rawUrl` (the plain search, what newsnow links), else `url` made absolute (it may be
/// relative, §2), else a search for the query.
fn url(item: &Map<String, Value>, query: &str) -> Option<String> {
    let absolute = |u: String| {
        let u = u.trim();
        if let Some(rest) = u.strip_prefix("//") {
            format!("https://{rest}")
        } else if u.starts_with('/') {
            format!("https://www.baidu.com{u}")
        } else {
            u.to_string()
        }
    };
    wire::text(item.get("rawUrl"))
        .and_then(|u| wire::safe_url(&u))
        .or_else(|| wire::safe_url(&absolute(wire::text(item.get("url"))?)))
        .or_else(|| {
            let mut u = url::Url::parse("https://www.baidu.com/s").ok()?;
            u.query_pairs_mut().append_pair("wd", query);
            Some(u.to_string())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_mapping() {
        assert_eq!(hot_tag_label(1), Label::New);
        assert_eq!(hot_tag_label(3), Label::Hot);
        assert_eq!(hot_tag_label(0), Label::None);
        assert_eq!(hot_tag_label(2), Label::None);
    }

    #[test]
    fn dashes_unescaped_but_escaped_backslashes_kept() {
        let (s, at) = unescape_dashes(r#"{"a":"x\-y","b":"c\\-d","e":"\"\n"}"#);
        assert_eq!(s, r#"{"a":"x-y","b":"c\\-d","e":"\"\n"}"#);
        assert_eq!(at, vec![7], "where the `-` of `x\\-y` landed");
    }
}
