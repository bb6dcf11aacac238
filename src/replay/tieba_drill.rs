//! Tieba drill-down wire formats (data-sources.md §5): D2 `/mo/q/hotMessage{,/main,/thread}` JSON,
//! D3 `/p/<tid>` thread pages and `/p/comment` sub-reply fragments, rendered from
//! `data/demo/tieba_threads.json.gz`.
//!
//! **Reconstructed** (see data/demo/README.md, "Tieba threads"): no real Tieba thread or floor is
//! archived. Topics are the real 2025-10-15 hot topics; thread titles and floor texts are real
//! same-day headlines associated with a topic by shared words; authors and the sub-replies of
//! floor 2 come from the one verbatim `/p/comment` fragment (served verbatim as page 1).
//! Ids are derived: tid = 9_200_000_000 + topic index × 100 + thread index, pid = tid × 100 + floor,
//! fid = the topic id. Counts are what this server serves (floors, 16 sub-replies), nothing else.
//!
//! The app API `POST /c/f/pb/page` serves the same floors in the app's JSON shape
//! (TiebaLite `ThreadContentBean.kt`) after checking the form's md5 `sign`, computed here from the
//! documented rule, not with the client's code. What no archive holds is derived and marked as
//! such: user ids, `level_id`, `is_bawu` and `ip_address` come from a hash of the portrait, and
//! the inline `sub_post_list` of floor 2 is the first three replies of the verbatim fragment.

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use chrono::{NaiveDate, NaiveTime, TimeZone};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::reply::{Reply, Route};
use super::wire::{encode, param, stable_hash};
use crate::domain::cst;
use crate::domain::normalize::normalize_title;

static THREADS_GZ: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/tieba_threads.json.gz"
));

/// Threads in `main`'s `best_info`; the rest are served by `hotMessage/thread` from page 2.
pub(crate) const BEST: usize = 5;
/// Floors per thread page (Tieba shows 30; the demo's threads are short, so 10 makes paging visible).
pub(crate) const FLOORS_PER_PAGE: usize = 10;
/// The fragment's pager (`total_num` 16, `total_page` 2): page 2 holds the other 6.
const SUB_TOTAL: usize = 16;
const SUB_PAGE: usize = 10;
const TID_BASE: u64 = 9_200_000_000;

#[derive(Debug, Deserialize)]
struct Bundle {
    day: String,
    authors: Vec<BAuthor>,
    /// `[text, "HH:MM" first seen]`
    texts: Vec<(String, Option<String>)>,
    topics: Vec<BTopic>,
    lzl_fragment: String,
}

#[derive(Debug, Deserialize)]
struct BAuthor {
    user_name: String,
    showname: String,
    portrait: String,
}

#[derive(Debug, Deserialize)]
struct BTopic {
    topic_id: String,
    topic_name: String,
    /// Per thread, its floors as indices into `texts` (floor 1 = the title).
    threads: Vec<Vec<usize>>,
}

pub(crate) struct Drill {
    b: Bundle,
    by_key: HashMap<String, usize>,
}

fn drill() -> &'static Drill {
    static D: OnceLock<Drill> = OnceLock::new();
    D.get_or_init(|| {
        let mut text = String::new();
        let b = flate2::read::GzDecoder::new(THREADS_GZ)
            .read_to_string(&mut text)
            .map_err(|e| e.to_string())
            .and_then(|_| serde_json::from_str::<Bundle>(&text).map_err(|e| e.to_string()))
            .unwrap_or_else(|e| {
                // A broken bundle (caught by the tests) serves every topic as unknown.
                tracing::warn!("tieba_threads.json.gz: {e}");
                Bundle {
                    day: "2025-10-15".into(),
                    authors: Vec::new(),
                    texts: Vec::new(),
                    topics: Vec::new(),
                    lzl_fragment: String::new(),
                }
            });
        let mut by_key = HashMap::new();
        for (i, t) in b.topics.iter().enumerate() {
            by_key.entry(t.topic_id.clone()).or_insert(i);
            by_key.entry(normalize_title(&t.topic_name)).or_insert(i);
        }
        Drill { b, by_key }
    })
}

struct Floor<'a> {
    no: usize,
    pid: u64,
    text: &'a str,
    author: Option<&'a BAuthor>,
    /// Unix seconds, never earlier than the floor above.
    time: i64,
}

impl Drill {
    fn topic(&self, query: &str) -> Option<(usize, &BTopic)> {
        let i = param(query, "topic_id")
            .and_then(|id| self.by_key.get(id.trim()))
            .or_else(|| {
                param(query, "topic_name").and_then(|n| self.by_key.get(&normalize_title(&n)))
            })?;
        Some((*i, self.b.topics.get(*i)?))
    }

    fn text(&self, i: usize) -> (&str, Option<&str>) {
        self.b
            .texts
            .get(i)
            .map(|(t, s)| (t.as_str(), s.as_deref()))
            .unwrap_or(("", None))
    }

    fn unix(&self, hhmm: Option<&str>) -> i64 {
        let day = NaiveDate::parse_from_str(&self.b.day, "%Y-%m-%d").unwrap_or_default();
        let t = hhmm
            .and_then(|s| NaiveTime::parse_from_str(s, "%H:%M").ok())
            .unwrap_or_default();
        cst()
            .from_local_datetime(&day.and_time(t))
            .single()
            .map(|d| d.timestamp())
            .unwrap_or(0)
    }

    fn author(&self, seed: u64) -> Option<&BAuthor> {
        let n = self.b.authors.len() as u64;
        (n > 0).then(|| &self.b.authors[(seed % n) as usize])
    }

    fn floors(&self, tid: u64, floors: &[usize]) -> Vec<Floor<'_>> {
        let mut last = i64::MIN;
        floors
            .iter()
            .enumerate()
            .map(|(i, &t)| {
                let (text, seen) = self.text(t);
                last = last.max(self.unix(seen));
                Floor {
                    no: i + 1,
                    pid: tid * 100 + i as u64 + 1,
                    text,
                    author: self.author(tid + i as u64),
                    time: last,
                }
            })
            .collect()
    }

    /// The thread with this tid: (topic, thread index, floors).
    fn thread(&self, tid: u64) -> Option<(&BTopic, usize, &[usize])> {
        let off = tid.checked_sub(TID_BASE)?;
        let topic = self.b.topics.get(usize::try_from(off / 100).ok()?)?;
        let k = usize::try_from(off % 100).ok()?;
        Some((topic, k, topic.threads.get(k)?))
    }
}

fn tid_of(topic: usize, k: usize) -> u64 {
    TID_BASE + topic as u64 * 100 + k as u64
}

/// Stable per-topic tokens the later requests must echo.
fn yuren_rand(topic_id: &str) -> u64 {
    stable_hash(topic_id) % 1_000_000
}
fn pmy_topic_ext(topic_id: &str) -> String {
    format!("{:016x}", stable_hash(&format!("pmy{topic_id}")))
}

fn envelope(data: Value) -> Reply {
    Reply::json(&json!({"no": 0, "error": "success", "data": data}))
}

pub(crate) fn render(route: Route, path: &str, query: &str, empty: bool) -> Reply {
    let d = drill();
    match route {
        Route::TiebaHotMessage => hot_message(d, query),
        Route::TiebaHotMessageMain | Route::TiebaHotMessageThread => {
            thread_listing(d, route, query, empty)
        }
        Route::TiebaThreadPage => thread_page(d, path, query, empty),
        _ => sub_replies(d, query, empty),
    }
}

fn hot_message(d: &Drill, query: &str) -> Reply {
    let topic_id = param(query, "topic_id").unwrap_or_default();
    let ret: Vec<Value> = d
        .topic(query)
        .map(|(i, t)| {
            let tids: Vec<String> = (0..t.threads.len())
                .map(|k| tid_of(i, k).to_string())
                .collect();
            let (_, seen) = t
                .threads
                .first()
                .and_then(|f| f.first())
                .map_or(("", None), |&x| d.text(x));
            json!({
                "topic_id": t.topic_id.parse::<u64>().unwrap_or(0),
                "topic_name": t.topic_name,
                "topic_desc": "",
                "create_time": d.unix(seen),
                "tids": tids.join(","),
            })
        })
        .into_iter()
        .collect();
    envelope(json!({
        "topic_info": {"ret": ret},
        "yuren_rand": yuren_rand(&topic_id),
        "pmy_topic_ext": pmy_topic_ext(&topic_id),
    }))
}

fn thread_json(d: &Drill, topic: &BTopic, tid: u64, floors: &[usize]) -> Value {
    let fl = d.floors(tid, floors);
    let first = fl.first();
    json!({
        "thread_id": tid,
        "title": first.map(|f| f.text).unwrap_or_default(),
        "abstract": first.map(|f| f.text).unwrap_or_default(),
        "forum_id": topic.topic_id.parse::<u64>().unwrap_or(0),
        "name_show": first.and_then(|f| f.author).map(|a| a.showname.as_str()).unwrap_or_default(),
        "post_num": fl.len(),
        "create_time": first.map(|f| f.time).unwrap_or(0),
        "media": [],
    })
}

fn thread_listing(d: &Drill, route: Route, query: &str, empty: bool) -> Reply {
    let topic_id = param(query, "topic_id").unwrap_or_default();
    let tokens_ok = param(query, "yuren_rand") == Some(yuren_rand(&topic_id).to_string())
        && param(query, "pmy_topic_ext") == Some(pmy_topic_ext(&topic_id));
    if !tokens_ok {
        // What the real API answers is not recorded; this server insists on the echo.
        return Reply::json(
            &json!({"no": 1, "error": "yuren_rand/pmy_topic_ext missing (replay server)", "data": {}}),
        );
    }
    let all: Vec<(u64, Value)> = match d.topic(query) {
        Some((i, t)) if !empty => t
            .threads
            .iter()
            .enumerate()
            .map(|(k, fl)| {
                let tid = tid_of(i, k);
                (tid, thread_json(d, t, tid, fl))
            })
            .collect(),
        _ => Vec::new(),
    };
    if route == Route::TiebaHotMessageMain {
        // `thread_list` is a map keyed by thread id, as in TiebaLite's `HotTopicMainBean`.
        let map: Map<String, Value> = all
            .iter()
            .take(BEST)
            .map(|(tid, v)| (tid.to_string(), v.clone()))
            .collect();
        let ret = if map.is_empty() {
            json!([])
        } else {
            json!([{"module_name": "热门讨论", "thread_list": map}])
        };
        return envelope(json!({"best_info": {"ret": ret}}));
    }
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let num = param(query, "num")
        .and_then(|n| n.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, 100);
    // Page 1 repeats `main`'s best threads; pages 2… list the others, `num` at a time.
    let list: Vec<Value> = if page == 1 {
        all.iter()
            .take(BEST.min(num))
            .map(|(_, v)| v.clone())
            .collect()
    } else {
        all.iter()
            .skip(BEST + (page - 2).saturating_mul(num))
            .take(num)
            .map(|(_, v)| v.clone())
            .collect()
    };
    envelope(json!({"thread_list": list}))
}

fn html_escape_text(s: &str) -> String {
    html_escape::encode_text(s).into_owned()
}

/// A `data-field` attribute as Tieba writes it: JSON with non-ASCII as `\uXXXX`, entity-escaped,
/// in single quotes.
fn data_field(v: &Value) -> String {
    let mut out = String::new();
    for c in v.to_string().chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for u in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out.replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// The salt of the Tieba clients' md5 sign.
const SIGN_SALT: &str = "tiebaclient!!!";
/// Replies served inline with a floor (the apps ask `floor_rn=3`).
const INLINE_SUB: usize = 3;
/// Regions for the derived `ip_address` (a plausible spread; no real user's).
const REGIONS: [&str; 8] = [
    "北京", "上海", "广东", "浙江", "四川", "江苏", "湖北", "山东",
];

fn app_error(code: &str, msg: &str) -> Reply {
    Reply::json(&json!({"error_code": code, "error_msg": msg}))
}

/// Does `form` carry the right `sign`: md5 hex of every other pair, sorted by key, written
/// `k=v` back to back, then the salt?
fn sign_ok(form: &[(String, String)]) -> bool {
    use md5::{Digest, Md5};
    let Some(sign) = form.iter().find(|(k, _)| k == "sign").map(|(_, v)| v) else {
        return false;
    };
    let mut pairs: Vec<String> = form
        .iter()
        .filter(|(k, _)| k != "sign")
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    pairs.sort();
    let digest = Md5::digest(format!("{}{SIGN_SALT}", pairs.concat()).as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    hex.eq_ignore_ascii_case(sign)
}

/// Derived user fields of an author: (id, level, moderator, region).
fn user_of(a: &BAuthor) -> (u64, u64, bool, &'static str) {
    let h = stable_hash(&a.portrait);
    (
        1_000_000_000 + h % 1_000_000_000,
        1 + (h >> 8) % 18,
        (h >> 16).is_multiple_of(5),
        REGIONS[((h >> 24) % REGIONS.len() as u64) as usize],
    )
}

/// The first replies of the verbatim fragment in the app's shape: text items (type 0), mentions
/// (type 4) and smileys (type 2); authors by `showname` (for `user_list`).
fn fragment_sub_posts(d: &Drill, floor_time: i64) -> Vec<(Value, Option<&BAuthor>)> {
    use scraper::{Html, Node, Selector};
    let (Ok(li), Ok(main), Ok(time)) = (
        Selector::parse("li.lzl_single_post"),
        Selector::parse(".lzl_content_main"),
        Selector::parse(".lzl_time"),
    ) else {
        return Vec::new();
    };
    let doc = Html::parse_fragment(&d.b.lzl_fragment);
    let mut out = Vec::new();
    for el in doc.select(&li).take(INLINE_SUB) {
        let field: Value = el
            .attr("data-field")
            .and_then(|f| serde_json::from_str(f).ok())
            .unwrap_or_default();
        let author =
            d.b.authors
                .iter()
                .find(|a| Some(a.portrait.as_str()) == field["portrait"].as_str());
        let mut content = Vec::new();
        if let Some(m) = el.select(&main).next() {
            for c in m.children() {
                match c.value() {
                    Node::Text(t) if !t.trim().is_empty() => {
                        content.push(json!({"type": 0, "text": t.trim()}))
                    }
                    Node::Element(e) if e.name() == "img" => {
                        content.push(json!({"type": 2, "text": "image_emoticon25", "c": "滑稽"}))
                    }
                    Node::Element(e) if e.name() == "a" => {
                        let name: String = scraper::ElementRef::wrap(c)
                            .map(|a| a.text().collect())
                            .unwrap_or_default();
                        content.push(json!({"type": 4, "text": name.trim(), "uid": 0}))
                    }
                    _ => {}
                }
            }
        }
        let t = el
            .select(&time)
            .next()
            .map(|t| t.text().collect::<String>())
            .and_then(|t| chrono::NaiveDateTime::parse_from_str(t.trim(), "%Y-%m-%d %H:%M").ok())
            .and_then(|t| cst().from_local_datetime(&t).single())
            .map_or(floor_time, |t| t.timestamp());
        out.push((
            json!({
                "id": field["spid"],
                "author_id": author.map(|a| user_of(a).0.to_string()),
                "time": t.to_string(),
                "content": content,
            }),
            author,
        ));
    }
    out
}

/// `POST /c/f/pb/page`: the floors of `/p/<kz>` page `pn`, paged as the PC page is (the demo's
/// threads are short, so the `rn` asked for is capped at the PC page's size and a page means
/// the same floors on both).
pub(crate) fn app_page(form: &[(String, String)], empty: bool) -> Reply {
    let get = |k: &str| {
        form.iter()
            .find(|(key, _)| key == k)
            .map(|(_, v)| v.as_str())
    };
    if !sign_ok(form) {
        return app_error("110000", "sign error");
    }
    let d = drill();
    let Some((tid, (topic, _, floors))) = get("kz")
        .and_then(|t| t.trim().parse::<u64>().ok())
        .and_then(|tid| Some((tid, d.thread(tid)?)))
    else {
        return app_error("4", "thread not found (replay server)");
    };
    let all = d.floors(tid, floors);
    let rn = get("rn")
        .and_then(|r| r.parse::<usize>().ok())
        .unwrap_or(30)
        .clamp(1, FLOORS_PER_PAGE);
    let total_page = all.len().div_ceil(rn).max(1);
    let pn = get("pn")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let mut users: Vec<Value> = Vec::new();
    let mut add_user = |a: Option<&BAuthor>| {
        let Some(a) = a else { return };
        let (id, level, bawu, region) = user_of(a);
        if !users.iter().any(|u| u["id"] == json!(id.to_string())) {
            users.push(json!({
                "id": id.to_string(), "name": a.user_name, "name_show": a.showname,
                "portrait": a.portrait, "level_id": level.to_string(),
                "is_bawu": if bawu { "1" } else { "0" }, "ip_address": region,
            }));
        }
    };
    let mut posts = Vec::new();
    let shown = all
        .iter()
        .skip((pn - 1).saturating_mul(rn))
        .take(if empty { 0 } else { rn });
    for f in shown {
        add_user(f.author);
        let has_sub = f.no == 2;
        let sub: Vec<Value> = if has_sub {
            fragment_sub_posts(d, f.time)
                .into_iter()
                .map(|(v, a)| {
                    add_user(a);
                    v
                })
                .collect()
        } else {
            Vec::new()
        };
        posts.push(json!({
            "id": f.pid.to_string(),
            "floor": f.no.to_string(),
            "time": f.time.to_string(),
            "title": "",
            "content": [{"type": "0", "text": f.text}],
            "author_id": f.author.map(|a| user_of(a).0.to_string()),
            "sub_post_number": if has_sub { SUB_TOTAL } else { 0 }.to_string(),
            "sub_post_list": if sub.is_empty() { json!([]) } else { json!({"pid": f.pid.to_string(), "sub_post_list": sub}) },
        }));
    }
    let title = all.first().map(|f| f.text).unwrap_or_default();
    Reply::json(&json!({
        "error_code": "0",
        "forum": {"id": topic.topic_id, "name": ""},
        "thread": {"id": tid.to_string(), "title": title, "reply_num": all.len().saturating_sub(1).to_string()},
        "page": {
            "offset": "0",
            "current_page": pn.to_string(),
            "total_page": total_page.to_string(),
            "has_more": if pn < total_page { "1" } else { "0" },
            "has_prev": if pn > 1 { "1" } else { "0" },
        },
        "post_list": posts,
        "user_list": users,
    }))
}

fn not_found() -> Reply {
    Reply::text(axum::http::StatusCode::NOT_FOUND, "404 Not Found\n")
}

fn thread_page(d: &Drill, path: &str, query: &str, empty: bool) -> Reply {
    let Some((topic, _, floors)) = path
        .strip_prefix("/p/")
        .and_then(|t| t.parse::<u64>().ok())
        .and_then(|tid| d.thread(tid).map(|x| (tid, x)))
        .map(|(tid, (t, k, f))| (t, k, (tid, f)))
    else {
        return not_found();
    };
    let (tid, floors) = floors;
    let fid = topic.topic_id.parse::<u64>().unwrap_or(0);
    let all = d.floors(tid, floors);
    let max_page = all.len().div_ceil(FLOORS_PER_PAGE).max(1);
    let pn = param(query, "pn")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let title = all.first().map(|f| f.text).unwrap_or_default();
    let mut posts = String::new();
    let shown = all
        .iter()
        .skip((pn - 1).saturating_mul(FLOORS_PER_PAGE))
        .take(if empty { 0 } else { FLOORS_PER_PAGE });
    for f in shown {
        let (user_name, showname, portrait) = f
            .author
            .map(|a| {
                (
                    a.user_name.as_str(),
                    a.showname.as_str(),
                    a.portrait.as_str(),
                )
            })
            .unwrap_or_default();
        let date = chrono::DateTime::from_timestamp(f.time, 0)
            .map(|t| t.with_timezone(&cst()).format("%Y-%m-%d %H:%M").to_string())
            .unwrap_or_default();
        let comments = if f.no == 2 { SUB_TOTAL } else { 0 };
        let field = json!({
            "author": {"user_name": user_name, "portrait": portrait},
            "content": {"post_id": f.pid, "post_no": f.no, "forum_id": fid, "thread_id": tid,
                        "date": date, "comment_num": comments},
        });
        posts.push_str(&format!(
            "<div class=\"l_post j_l_post l_post_bright\" data-field='{field}'>\n\
             <div class=\"d_author\"><ul class=\"p_author\"><li class=\"d_name\"><a class=\"p_author_name j_user_card\" href=\"/home/main?id={portrait}&fr=pb\">{name}</a></li></ul></div>\n\
             <div class=\"d_post_content_main\"><div class=\"p_content\"><cc><div id=\"post_content_{pid}\" class=\"d_post_content j_d_post_content\">            {text}</div></cc></div>\n\
             <div class=\"core_reply j_lzl_wrapper\"><div class=\"post-tail-wrap\"><span class=\"tail-info\">{no}楼</span><span class=\"tail-info\">{date}</span></div></div></div>\n\
             </div>\n",
            field = data_field(&field),
            portrait = html_escape::encode_double_quoted_attribute(portrait),
            name = html_escape_text(showname),
            pid = f.pid,
            text = html_escape_text(f.text),
            no = f.no,
        ));
    }
    let page = format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>{t}_百度贴吧</title>\n\
         <script>var PageData = {{}}; PageData.forum = {{\"forum_id\": {fid}, \"name\": \"\"}};</script></head>\n\
         <body><div class=\"left_section\"><div class=\"core_title_wrap_bright\"><h3 class=\"core_title_txt\" title=\"{ta}\">{t}</h3></div>\n\
         <div class=\"p_postlist\" id=\"j_p_postlist\">\n{posts}</div>\n\
         <div class=\"l_thread_info\"><ul class=\"l_posts_num\"><li class=\"l_pager pager_theme_4 pb_list_pager\" max-page=\"{max_page}\"></li>\n\
         <li class=\"l_reply_num\"><span class=\"red\">{n}</span>回复贴，共<span class=\"red\">{max_page}</span>页</li></ul></div>\n\
         </div></body></html>\n",
        t = html_escape_text(title),
        ta = html_escape::encode_double_quoted_attribute(title),
        n = all.len().saturating_sub(1),
    );
    Reply::html(page)
}

fn sub_replies(d: &Drill, query: &str, empty: bool) -> Reply {
    let num = |k: &str| param(query, k).and_then(|v| v.parse::<u64>().ok());
    let (Some(tid), Some(pid)) = (num("tid"), num("pid")) else {
        return not_found();
    };
    let Some((topic, _, floors)) = d.thread(tid) else {
        return not_found();
    };
    // Only floor 2 of each thread has sub-replies.
    if pid != tid * 100 + 2 || floors.len() < 2 {
        return not_found();
    }
    let pn = num("pn").unwrap_or(1).max(1);
    if pn == 1 && !empty {
        return Reply::html(d.b.lzl_fragment.clone());
    }
    let mut html = String::new();
    if pn == 2 && !empty {
        // Page 2 in the fragment's own markup: authors from the fragment, texts from the
        // topic's other real headlines (reconstructed), times after the fragment's last reply.
        let texts: Vec<&str> = topic
            .threads
            .iter()
            .flat_map(|t| t.iter().skip(1))
            .map(|&i| d.text(i).0)
            .collect();
        for k in 0..SUB_TOTAL - SUB_PAGE {
            let Some(a) = d.author(k as u64 + 3) else {
                break;
            };
            let spid = 150_726_540_000 + k as u64 * 1_111;
            let text = texts.get(k % texts.len().max(1)).copied().unwrap_or("");
            let field = json!({"spid": spid, "showname": a.showname, "user_name": a.user_name, "portrait": a.portrait});
            let user = json!({"un": a.user_name, "id": a.portrait});
            html.push_str(&format!(
                "<li class=\"lzl_single_post j_lzl_s_p \" data-field='{field}'>\n    <a rel=\"noopener\" name=\"{spid}\"></a>\n    \
                 <div class=\"lzl_cnt\">\n        <a rel=\"noopener\" class=\"at j_user_card \" data-field='{user}' href=\"/home/main?id={p}&ie=utf-8&fr=pb\" target=\"_blank\" username=\"{un}\">{sn}</a>\n        \
                 :<span class=\"lzl_content_main\" data-username=\"\">{text}        </span>\n        \
                 <div class=\"lzl_content_reply\"><span class=\"lzl_time\">2024-8-6 22:{m}</span></div>\n    </div>\n</li>\n",
                field = data_field(&field),
                user = data_field(&user),
                p = html_escape::encode_double_quoted_attribute(&a.portrait),
                un = html_escape::encode_double_quoted_attribute(&a.user_name),
                sn = html_escape_text(&a.showname),
                text = html_escape_text(text),
                m = 18 + k,
            ));
        }
    }
    let pager = json!({"total_num": if empty { 0 } else { SUB_TOTAL }, "total_page": if empty { 0 } else { SUB_TOTAL.div_ceil(SUB_PAGE) }});
    html.push_str(&format!(
        "<li class=\"lzl_li_pager j_lzl_l_p lzl_li_pager_s\" data-field='{}'>\n    <p class=\"j_pager l_pager pager_theme_2\"><a href=\"#1\">首页</a><a href=\"#1\">上一页</a><span class=\"tP\">{pn}</span></p>\n</li>\n",
        data_field(&pager)
    ));
    Reply::html(html)
}

/// Where a Tieba login wall redirects (`passport.baidu.com`, `u=` the page asked for).
pub(crate) fn passport_url(public_url: &str) -> String {
    format!(
        "https://passport.baidu.com/v2/?login&u={}",
        encode(public_url)
    )
}

/// Baidu's security-check page (RSSHub `checkSecurityVerification` looks for its title).
pub(crate) const SECURITY_PAGE: &str = r#"<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>百度安全验证</title></head>
<body><div class="timeout"><p class="timeout-title">网络不给力，请稍后重试</p>
<script src="https://wappass.baidu.com/static/machine/js/api/mkd.js"></script></div></body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_loads_with_the_demo_topics_and_the_fragment() {
        let d = drill();
        assert!(d.b.topics.len() >= 40, "{}", d.b.topics.len());
        assert_eq!(d.b.authors.len(), 10);
        assert!(d.b.lzl_fragment.contains("lzl_li_pager"));
        assert!(
            d.b.topics
                .iter()
                .all(|t| t.threads.len() <= 12 && !t.threads.is_empty())
        );
    }

    #[test]
    fn data_field_escapes_like_tieba() {
        let s = data_field(&json!({"showname": "可爱"}));
        assert_eq!(s, "{&quot;showname&quot;:&quot;\\u53ef\\u7231&quot;}");
    }
}
