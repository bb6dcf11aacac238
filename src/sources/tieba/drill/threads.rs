//! D2 threads of a hot topic (TiebaLite `WebTiebaApi.kt`; envelope `{no, error, data}`):
//! `hotMessage` → `yuren_rand` + `pmy_topic_ext`; `hotMessage/main` → `best_info.ret[].thread_list`
//! (a map keyed by thread id) for page 1; `hotMessage/thread?page=<n>&num=30` for later pages,
//! ended by an empty `thread_list` (data-sources.md §8).

use serde_json::{Map, Value};

use super::{BASE, checked_id, id_field, token_field};
use crate::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind, RichText};
use crate::domain::text::{decode_entities, strip_tags};
use crate::domain::{SafeText, from_unix, num};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::wire::{self, TIEBA_LOGIN_HINT};

/// Threads asked for per later page (TiebaLite's value).
const PAGE_SIZE: u32 = 30;

/// What `hotMessage` gives the later requests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HotMessage {
    pub yuren_rand: String,
    pub pmy_topic_ext: String,
}

fn url_with(path: &str, pairs: &[(&str, &str)]) -> Result<String, SourceError> {
    let mut u = url::Url::parse(&format!("{BASE}{path}"))
        .map_err(|_| SourceError::Other("bad Tieba URL".into()))?;
    u.query_pairs_mut().extend_pairs(pairs);
    Ok(u.to_string())
}

/// `GET /mo/q/hotMessage?topic_id=&topic_name=&fr=newwise`.
pub fn hot_message_url(topic_id: &str, topic_name: &str) -> Result<String, SourceError> {
    let id = checked_id(topic_id)?;
    url_with(
        "/mo/q/hotMessage",
        &[
            ("topic_id", id),
            ("topic_name", topic_name),
            ("fr", "newwise"),
        ],
    )
}

/// `GET /mo/q/hotMessage/main?topic_id=&yuren_rand=&topic_name=&pmy_topic_ext=`.
pub fn main_url(topic_id: &str, topic_name: &str, hm: &HotMessage) -> Result<String, SourceError> {
    let id = checked_id(topic_id)?;
    url_with(
        "/mo/q/hotMessage/main",
        &[
            ("topic_id", id),
            ("yuren_rand", &hm.yuren_rand),
            ("topic_name", topic_name),
            ("pmy_topic_ext", &hm.pmy_topic_ext),
        ],
    )
}

/// `GET /mo/q/hotMessage/thread?topic_id=&topic_name=&yuren_rand=&pmy_topic_ext=&page=<n>&num=30`.
pub fn thread_list_url(
    topic_id: &str,
    topic_name: &str,
    hm: &HotMessage,
    page: u32,
) -> Result<String, SourceError> {
    let id = checked_id(topic_id)?;
    url_with(
        "/mo/q/hotMessage/thread",
        &[
            ("topic_id", id),
            ("topic_name", topic_name),
            ("yuren_rand", &hm.yuren_rand),
            ("pmy_topic_ext", &hm.pmy_topic_ext),
            ("page", &page.to_string()),
            ("num", &PAGE_SIZE.to_string()),
        ],
    )
}

/// The D2 envelope: `no` (number or string) must be present and 0.
fn envelope(body: &str) -> Result<Map<String, Value>, SourceError> {
    let obj = wire::json_object(body, TIEBA_LOGIN_HINT)?;
    wire::check_errno(&obj)?;
    if !["no", "errno", "error_code"]
        .iter()
        .any(|k| obj.contains_key(*k))
    {
        return Err(SourceError::Decode("no `no` in the envelope".into()));
    }
    Ok(obj)
}

/// Parse a `hotMessage` body.
pub fn parse_hot_message(body: &str) -> Result<HotMessage, SourceError> {
    let obj = envelope(body)?;
    let data = wire::path(&obj, &["data"])?;
    let yuren_rand = token_field(data.get("yuren_rand"))
        .ok_or_else(|| SourceError::Decode("no data.yuren_rand".into()))?;
    Ok(HotMessage {
        yuren_rand,
        pmy_topic_ext: token_field(data.get("pmy_topic_ext")).unwrap_or_default(),
    })
}

/// Parse a `hotMessage/main` body: the threads of every `best_info` module, each once.
pub fn parse_main(body: &str) -> Result<Vec<Entry>, SourceError> {
    let obj = envelope(body)?;
    let modules = wire::array(
        wire::path(&obj, &["data", "best_info", "ret"])?,
        "data.best_info.ret",
    )?;
    let mut out: Vec<Entry> = Vec::new();
    for m in modules {
        for t in threads_of(m.get("thread_list")) {
            if !out.iter().any(|e| e.id == t.id) {
                out.push(t);
            }
        }
    }
    Ok(out)
}

/// Parse a `hotMessage/thread` body; an empty list ends the listing.
pub fn parse_thread_list(body: &str) -> Result<Vec<Entry>, SourceError> {
    let obj = envelope(body)?;
    let list = wire::path(&obj, &["data", "thread_list"])?;
    if !(list.is_array() || list.is_object() || list.is_null()) {
        return Err(SourceError::Decode("data.thread_list is not a list".into()));
    }
    Ok(threads_of(Some(list)))
}

/// Threads from a list or from a map keyed by thread id. A JSON object's order is not
/// something the client can rely on, so map entries are listed by thread id, lowest first.
fn threads_of(v: Option<&Value>) -> Vec<Entry> {
    match v {
        Some(Value::Array(a)) => a.iter().filter_map(thread).collect(),
        Some(Value::Object(m)) => {
            let mut items: Vec<(&String, &Value)> = m.iter().collect();
            items.sort_by(|a, b| (a.0.len(), a.0).cmp(&(b.0.len(), b.0)));
            items.into_iter().filter_map(|(_, t)| thread(t)).collect()
        }
        _ => Vec::new(),
    }
}

/// One D2 thread; `None` without a usable id.
fn thread(v: &Value) -> Option<Entry> {
    let t = v.as_object()?;
    let tid = id_field(t.get("thread_id")).or_else(|| id_field(t.get("tid")))?;
    let author = Author {
        name: SafeText::from_html_line(&wire::text(t.get("name_show")).unwrap_or_default()),
        id: id_field(t.get("user_id")),
        ..Author::default()
    };
    let mut e = Entry::new(
        EntryKind::TiebaThread,
        &tid,
        author,
        abstract_text(t.get("abstract")),
    );
    e.title = wire::text(t.get("title"))
        .map(|s| SafeText::from_html_line(&s))
        .filter(|s| !s.is_empty());
    e.replies = t.get("post_num").and_then(num::value_count);
    e.likes = t.get("agree_num").and_then(num::value_count);
    e.created_at = wire::int(t.get("create_time")).and_then(from_unix);
    e.pics = match t.get("media") {
        Some(Value::Array(a)) => a.len(),
        Some(Value::Object(o)) => o.len(),
        _ => 0,
    }
    .try_into()
    .unwrap_or(u32::MAX);
    e.url = Some(format!("{BASE}/p/{tid}"));
    e.open = Some(DrillRequest::TiebaFloors { tid, page: 1 });
    Some(e)
}

/// `abstract`: a string (HTML possible) or, in app payloads, a list of `{type, text}` parts.
fn abstract_text(v: Option<&Value>) -> RichText {
    let raw = match v {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect(),
        _ => String::new(),
    };
    RichText::plain(&strip_tags(&decode_entities(&raw)))
}

/// Page 1 asks `hotMessage` then `main`; later pages reuse the tokens carried in the request
/// (or ask `hotMessage` again when they are missing).
pub(super) async fn fetch(
    client: &HttpClient,
    topic_id: &str,
    topic_name: &str,
    page: u32,
    tokens: Option<(&str, &str)>,
) -> Result<DrillPage, SourceError> {
    let page = page.max(1);
    let hm = match tokens {
        Some((y, p)) if page > 1 => HotMessage {
            yuren_rand: y.to_string(),
            pmy_topic_ext: p.to_string(),
        },
        _ => {
            let url = hot_message_url(topic_id, topic_name)?;
            parse_hot_message(&client.get(&url, Profile::TiebaApp).await?.body)?
        }
    };
    let items = if page == 1 {
        let url = main_url(topic_id, topic_name, &hm)?;
        parse_main(&client.get(&url, Profile::TiebaApp).await?.body)?
    } else {
        let url = thread_list_url(topic_id, topic_name, &hm, page)?;
        parse_thread_list(&client.get(&url, Profile::TiebaApp).await?.body)?
    };
    // Page 1 is the curated `best_info`; the thread list decides where the listing ends.
    let next = (page == 1 || !items.is_empty()).then(|| DrillRequest::TiebaThreads {
        topic_id: topic_id.to_string(),
        topic_name: topic_name.to_string(),
        page: page + 1,
        yuren_rand: Some(hm.yuren_rand.clone()),
        pmy_topic_ext: Some(hm.pmy_topic_ext.clone()),
    });
    Ok(DrillPage {
        items,
        next,
        total: None,
    })
}
