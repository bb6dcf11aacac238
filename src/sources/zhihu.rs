//! Zhihu 热榜 (more-sources.md §4): ZH1 `www.zhihu.com/api/v3/feed/topstory/hot-list-web`
//! (`data[].target.{title_area, metrics_area, link}`), ZH2 `api.zhihu.com/topstory/hot-lists/total`
//! (`data[].target.{id, title, url}`, `detail_text`, `card_id`) and ZH4 `www.zhihu.com/billboard`
//! (`<script id="js-initialData">` → `initialState.topstory.hotList[]`, camelCase).
//!
//! Question ids pass 2^53 (809 of 920 archived rows have 19 digits): they are read as `u64` or
//! from their string forms, never through `f64`, and kept as strings.

use std::sync::LazyLock;

use chrono::{DateTime, FixedOffset};
use scraper::{Html, Selector};
use serde_json::{Map, Value};

use super::{Endpoint, SourceError, wire};
use crate::domain::{Platform, SafeText, Snapshot, num};

/// Hint shown when Zhihu wants a logged-in cookie (its old web API has since 2025-05).
pub const ZHIHU_LOGIN_HINT: &str =
    "Zhihu asks for a login: set RESOU_ZHIHU_COOKIE (z_c0=…; d_c0=…) from a logged-in browser";

static INITIAL_DATA: LazyLock<Selector> = LazyLock::new(|| {
    // ok: a literal selector, covered by the ZH4 parser tests.
    Selector::parse("script#js-initialData").unwrap_or_else(|_| unreachable!("literal selector"))
});

/// One list row before it becomes a topic.
struct Row {
    title: String,
    /// The question id (digits).
    qid: Option<String>,
    heat: Option<u64>,
}

/// Parse a body fetched from one of Zhihu's list endpoints.
pub fn parse(
    e: Endpoint,
    body: &str,
    captured_at: DateTime<FixedOffset>,
) -> Result<Snapshot, SourceError> {
    let rows: Vec<Row> = match e {
        Endpoint::ZhihuHotListWeb => {
            let obj = json(body)?;
            items(&obj, &["data"])?
                .into_iter()
                .filter_map(web_row)
                .collect()
        }
        Endpoint::ZhihuHotListApp => {
            let obj = json(body)?;
            items(&obj, &["data"])?
                .into_iter()
                .filter_map(app_row)
                .collect()
        }
        Endpoint::ZhihuBillboard => {
            let obj = billboard_data(body)?;
            items(&obj, &["initialState", "topstory", "hotList"])?
                .into_iter()
                .filter_map(billboard_row)
                .collect()
        }
        other => {
            return Err(SourceError::Other(format!(
                "{} is not a Zhihu endpoint",
                other.label()
            )));
        }
    };
    let mut snap = Snapshot::new(Platform::Zhihu, captured_at);
    // Zhihu sends no rank field: the list order is the rank.
    snap.ranked = rows
        .into_iter()
        .enumerate()
        .filter_map(|(i, r)| topic(r, i as u32 + 1))
        .collect();
    wire::finish(snap)
}

/// A JSON body, with Zhihu's `{"error":{code,name,message}}` recognised first.
fn json(body: &str) -> Result<Map<String, Value>, SourceError> {
    let obj = wire::json_object(body, ZHIHU_LOGIN_HINT)?;
    check_error(&obj)?;
    Ok(obj)
}

/// Zhihu's error object: `AuthenticationError` (101, the 401 of ZH3 without a cookie) and
/// `AuthenticationInvalidRequest` (100, a refused cookie) ask for a login; anything else is an
/// envelope error with Zhihu's own message.
fn check_error(obj: &Map<String, Value>) -> Result<(), SourceError> {
    let Some(err) = obj.get("error").filter(|e| !e.is_null()) else {
        return Ok(());
    };
    let field = |k: &str| {
        wire::text(err.get(k))
            .map(|s| {
                SafeText::line(&s)
                    .into_string()
                    .chars()
                    .take(80)
                    .collect::<String>()
            })
            .unwrap_or_default()
    };
    let code = wire::int(err.get("code"));
    let (name, message) = (field("name"), field("message"));
    if name.starts_with("Authentication") || (name.is_empty() && matches!(code, Some(100 | 101))) {
        let what = [name.as_str(), message.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        return Err(SourceError::LoginRequired {
            hint: format!(
                "Zhihu refused the request ({what}, code {}); set or renew RESOU_ZHIHU_COOKIE from a logged-in browser",
                code.unwrap_or(-1)
            ),
        });
    }
    Err(SourceError::Envelope {
        code: code.unwrap_or(-1),
        msg: if message.is_empty() { name } else { message },
    })
}

/// The objects of the list at `path`.
fn items<'a>(
    obj: &'a Map<String, Value>,
    path: &[&str],
) -> Result<Vec<&'a Map<String, Value>>, SourceError> {
    let list = wire::array(wire::path(obj, path)?, &path.join("."))?;
    Ok(list.iter().filter_map(Value::as_object).collect())
}

/// `obj.a.b…` as an object.
fn object<'a>(obj: &'a Map<String, Value>, keys: &[&str]) -> Option<&'a Map<String, Value>> {
    keys.iter()
        .try_fold(obj, |o, k| o.get(*k).and_then(Value::as_object))
}

/// `obj.a.….text`, the shape of every ZH1/ZH4 display field.
fn area_text(target: &Map<String, Value>, area: &str) -> Option<String> {
    wire::text(object(target, &[area])?.get("text"))
}

/// ZH1: `target.title_area.text`, `target.metrics_area.text`, `target.link.url`.
fn web_row(item: &Map<String, Value>) -> Option<Row> {
    let target = object(item, &["target"])?;
    Some(Row {
        title: area_text(target, "title_area")?,
        qid: wire::text(object(target, &["link"])?.get("url"))
            .and_then(|u| question_id(&u, "/question/")),
        heat: area_text(target, "metrics_area").and_then(|t| heat(&t)),
    })
}

/// ZH2: `target.{id, title, url}`, `detail_text`, `card_id`.
fn app_row(item: &Map<String, Value>) -> Option<Row> {
    let target = object(item, &["target"])?;
    let from_number = wire::numeric_id(target.get("id"));
    // The string forms cannot have lost precision on the way (JS clients' bug, §4).
    let from_text = wire::text(item.get("card_id"))
        .and_then(|c| {
            c.strip_prefix("Q_")
                .and_then(wire::digits)
                .map(str::to_string)
        })
        .or_else(|| {
            let url = wire::text(target.get("url"))?;
            question_id(&url, "/questions/").or_else(|| question_id(&url, "/question/"))
        });
    let qid = match (from_number, from_text) {
        (Some(n), Some(t)) if n != t => {
            tracing::debug!(target_id = %n, card_id = %t, "zhihu ids disagree; card_id wins");
            Some(t)
        }
        (n, t) => n.or(t),
    };
    Some(Row {
        title: wire::text(target.get("title"))?,
        qid,
        heat: wire::text(item.get("detail_text")).and_then(|t| heat(&t)),
    })
}

/// ZH4: camelCase twin of ZH1 (`target.titleArea.text`, `metricsArea`, `link.url`, `cardId`).
fn billboard_row(item: &Map<String, Value>) -> Option<Row> {
    let target = object(item, &["target"])?;
    let qid = object(target, &["link"])
        .and_then(|l| wire::text(l.get("url")))
        .and_then(|u| question_id(&u, "/question/"))
        .or_else(|| {
            wire::text(item.get("cardId")).and_then(|c| {
                c.strip_prefix("Q_")
                    .and_then(wire::digits)
                    .map(str::to_string)
            })
        });
    Some(Row {
        title: area_text(target, "titleArea")?,
        qid,
        heat: area_text(target, "metricsArea").and_then(|t| heat(&t)),
    })
}

/// The JSON of ZH4's `<script id="js-initialData">`.
fn billboard_data(body: &str) -> Result<Map<String, Value>, SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim_start();
    if t.starts_with('{') || t.starts_with('[') {
        // An API error body where the page was expected says more than "JSON".
        json(t)?;
        return Err(SourceError::WrongBody("JSON instead of the page".into()));
    }
    let doc = Html::parse_document(body);
    let Some(script) = doc.select(&INITIAL_DATA).next() else {
        return Err(wire::html_failure(body, ZHIHU_LOGIN_HINT));
    };
    // The parser ends a cut-off script at the end of the body: a page cut inside the state is
    // a truncated page, whatever the JSON left in it says.
    let script_at = body.find("js-initialData").unwrap_or(0);
    if !body[script_at..].contains("</script") {
        return Err(SourceError::Decode(
            "truncated page (the js-initialData script does not end)".into(),
        ));
    }
    let data: String = script.text().collect();
    json(&data)
}

/// The digits after `marker` in a question URL (`…/question/<id>`, `…/questions/<id>`), up to
/// the end of the path; `None` unless it is a zhihu.com URL.
fn question_id(url: &str, marker: &str) -> Option<String> {
    let u = url::Url::parse(url.trim()).ok()?;
    let host = u.host_str()?;
    if host != "zhihu.com" && !host.ends_with(".zhihu.com") {
        return None;
    }
    let id = u.path().split_once(marker)?.1.trim_end_matches('/');
    wire::digits(id).map(str::to_string)
}

/// Zhihu's heat text, `^\s*([\d.]+)\s*(万|亿)?\s*热度` → an integer: `"617 万热度"` → 6,170,000.
pub fn heat(text: &str) -> Option<u64> {
    let s = text.trim_start();
    let end = s
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(s.len());
    let (number, rest) = s.split_at(end);
    let rest = rest.trim_start();
    let (unit, rest) = match rest.chars().next() {
        Some(c @ ('万' | '亿')) => (c.to_string(), &rest[c.len_utf8()..]),
        _ => (String::new(), rest),
    };
    if number.is_empty() || !rest.trim_start().starts_with("热度") {
        return None;
    }
    num::parse_count(&format!("{number}{unit}"))
}

fn topic(row: Row, rank: u32) -> Option<crate::domain::Topic> {
    let mut t = wire::topic(Platform::Zhihu, Some(rank), SafeText::line(&row.title))?;
    t.heat = row.heat;
    t.url = row
        .qid
        .as_deref()
        .map(|id| format!("https://www.zhihu.com/question/{id}"));
    t.platform_id = row.qid;
    t.query = Some(t.title.clone());
    Some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn heat_texts() {
        assert_eq!(heat("617 万热度"), Some(6_170_000));
        assert_eq!(heat("  1163万 热度"), Some(11_630_000));
        assert_eq!(heat("1.5 亿热度"), Some(150_000_000));
        assert_eq!(heat("8237 热度"), Some(8237));
        assert_eq!(heat("617 万"), None, "no 热度");
        assert_eq!(heat("热度 617"), None);
        assert_eq!(heat("1.2.3 万热度"), None);
        assert_eq!(heat(""), None);
    }

    #[test]
    fn question_ids_from_urls() {
        assert_eq!(
            question_id(
                "https://api.zhihu.com/questions/1961547025481950918",
                "/questions/"
            )
            .as_deref(),
            Some("1961547025481950918")
        );
        assert_eq!(
            question_id("https://www.zhihu.com/question/56111050/", "/question/").as_deref(),
            Some("56111050")
        );
        assert_eq!(
            question_id("https://evil.example/question/56111050", "/question/"),
            None
        );
        assert_eq!(
            question_id("https://www.zhihu.com/question/5611x", "/question/"),
            None
        );
    }
}
