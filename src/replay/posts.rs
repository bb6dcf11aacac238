//! Weibo drill-down wire formats (data-sources.md §4 C1–C3) rendered from the bundled real posts
//! (`data/demo/posts.json.gz`: the nateafish post records of the demo day's 81 topics, see
//! data/demo/README.md): C1 search cards, the C2 post page with `$render_data` and
//! `statuses/extend`, and C3 `comments/hotflow`. Written from the spec, independently of
//! `crate::sources`.
//!
//! Reconstructed, not archived: the HTML of the text (hashtags and mentions re-wrapped as the
//! site wraps them), the 140-character cut of long posts, and the comments (no real comment is
//! archived: a post's comments are the topic's other real posts).

use std::collections::HashMap;
use std::io::Read;
use std::sync::OnceLock;

use serde::Deserialize;
use serde_json::{Value, json};

use super::reply::{Reply, Route};
use super::topic;
use super::wire::{encode, param};

static POSTS_GZ: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/data/demo/posts.json.gz"
));

/// Posts per C1 page.
pub(crate) const PAGE_SIZE: usize = 10;
/// Longer bodies are cut on the list page (`isLongText`), as Weibo cuts at 140 characters.
pub(crate) const LONG_TEXT_CHARS: usize = 140;
/// Comments served per post, and per hotflow page.
pub(crate) const MAX_COMMENTS: usize = 8;
pub(crate) const COMMENTS_PER_PAGE: usize = 5;
/// Posts shown in the `card_type` 11 group at the top of page 1 (searchall groups cards).
const GROUPED_ON_PAGE_ONE: usize = 3;

#[derive(Debug, Deserialize)]
struct Post {
    mid: String,
    #[serde(default)]
    uid: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    created_at_text: Option<String>,
    #[serde(default)]
    body: Option<String>,
}

impl Post {
    fn body(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Deserialize)]
struct TopicPosts {
    topic_id: String,
    /// Media accounts of the topic page: screen name → real `verified_type`.
    #[serde(default)]
    accounts: HashMap<String, i64>,
    /// Newest first.
    posts: Vec<Post>,
}

pub(crate) struct Bundle {
    topics: Vec<TopicPosts>,
    by_topic: HashMap<String, usize>,
    /// mid → (topic, post); a post under two topics belongs to the first.
    by_mid: HashMap<String, (usize, usize)>,
}

impl Bundle {
    fn parse(gz: &[u8]) -> Result<Bundle, String> {
        let mut text = String::new();
        flate2::read::GzDecoder::new(gz)
            .read_to_string(&mut text)
            .map_err(|e| format!("gzip: {e}"))?;
        let topics: Vec<TopicPosts> =
            serde_json::from_str(&text).map_err(|e| format!("json: {e}"))?;
        let mut by_topic = HashMap::new();
        let mut by_mid = HashMap::new();
        for (ti, t) in topics.iter().enumerate() {
            by_topic.insert(t.topic_id.clone(), ti);
            for (pi, p) in t.posts.iter().enumerate() {
                by_mid.entry(p.mid.clone()).or_insert((ti, pi));
            }
        }
        Ok(Bundle {
            topics,
            by_topic,
            by_mid,
        })
    }

    fn topic(&self, q: &str) -> Option<&TopicPosts> {
        let id = topic::topic_id(q)?;
        self.by_topic.get(id).and_then(|&i| self.topics.get(i))
    }

    fn post(&self, mid: &str) -> Option<(&TopicPosts, usize)> {
        let &(ti, pi) = self.by_mid.get(mid)?;
        Some((self.topics.get(ti)?, pi))
    }
}

/// The bundle, decoded once per process; a broken bundle serves every topic as empty.
pub(crate) fn bundle() -> &'static Bundle {
    static B: OnceLock<Bundle> = OnceLock::new();
    B.get_or_init(|| {
        Bundle::parse(POSTS_GZ).unwrap_or_else(|e| {
            tracing::warn!("bundled posts unreadable: {e}");
            Bundle {
                topics: Vec::new(),
                by_topic: HashMap::new(),
                by_mid: HashMap::new(),
            }
        })
    })
}

// ---- text HTML ----------------------------------------------------------------

fn escape_into(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\n' => out.push_str("<br />"),
        c => out.push(c),
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    s.chars().for_each(|c| escape_into(&mut out, c));
    out
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_' || c == '-'
}

/// Plain post text → m.weibo.cn text HTML: `#…#` as `surl-text` topic links, `@名字` as
/// `/n/` links, newlines as `<br />`, the rest escaped (§4 C1 "Text").
pub(crate) fn text_html(plain: &str) -> String {
    let chars: Vec<char> = plain.chars().collect();
    let mut out = String::with_capacity(plain.len() * 2);
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '#' {
            let close = chars[i + 1..]
                .iter()
                .take(64)
                .take_while(|&&x| x != '\n')
                .position(|&x| x == '#');
            if let Some(len) = close.filter(|&l| l > 0) {
                let inner: String = chars[i + 1..i + 1 + len].iter().collect();
                let e = encode(&inner);
                out.push_str(&format!(
                    "<a  href=\"https://m.weibo.cn/search?containerid=231522type%3D1%26t%3D10%26q%3D%23{e}%23&extparam=%23{e}%23&luicode=10000011&lfid=100103type%3D1%26q%3D{e}\" data-hide=\"\"><span class=\"surl-text\">#{}#</span></a>",
                    escape(&inner)
                ));
                i += len + 2;
                continue;
            }
        }
        if c == '@' {
            let name: String = chars[i + 1..]
                .iter()
                .take(30)
                .take_while(|&&x| is_name_char(x))
                .collect();
            if !name.is_empty() {
                let n = escape(&name);
                out.push_str(&format!("<a href='/n/{n}'>@{n}</a>"));
                i += 1 + name.chars().count();
                continue;
            }
        }
        escape_into(&mut out, c);
        i += 1;
    }
    out
}

fn cut(s: &str, n: usize) -> &str {
    match s.char_indices().nth(n) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

fn is_long(p: &Post) -> bool {
    p.body().chars().count() > LONG_TEXT_CHARS
}

// ---- objects --------------------------------------------------------------------

fn user(t: &TopicPosts, p: &Post) -> Value {
    let uid = p.uid.as_deref().unwrap_or("");
    let id = uid
        .parse::<u64>()
        .map(Value::from)
        .unwrap_or_else(|_| Value::from(uid));
    let mut u = json!({
        "id": id,
        "screen_name": p.username,
        "profile_url": format!("https://m.weibo.cn/u/{uid}"),
    });
    // Only real values: a media account of the topic page with its recorded verified_type.
    if let Some(vt) = p.username.as_ref().and_then(|n| t.accounts.get(n))
        && let Some(o) = u.as_object_mut()
    {
        o.insert("verified".into(), Value::from(*vt >= 0));
        o.insert("verified_type".into(), Value::from(*vt));
    }
    u
}

fn comment_posts(t: &TopicPosts, pi: usize) -> Vec<&Post> {
    t.posts
        .iter()
        .enumerate()
        .filter(|&(i, _)| i != pi)
        .map(|(_, p)| p)
        .take(MAX_COMMENTS)
        .collect()
}

/// An `mblog`; `full` gives the whole text (post page), else the list page's cut.
fn mblog(t: &TopicPosts, pi: usize, full: bool) -> Value {
    let p = &t.posts[pi];
    let long = is_long(p);
    let text = if long && !full {
        format!(
            "{}...<a href=\"/status/{}\">全文</a>",
            text_html(cut(p.body(), LONG_TEXT_CHARS)),
            p.mid
        )
    } else {
        text_html(p.body())
    };
    json!({
        "created_at": p.created_at_text,
        "id": p.mid,
        "idstr": p.mid,
        "mid": p.mid,
        "text": text,
        "textLength": p.body().chars().count(),
        "source": "",
        "isLongText": long,
        "user": user(t, p),
        "comments_count": comment_posts(t, pi).len(),
    })
}

fn no_content() -> Reply {
    Reply::json(&json!({"ok": 0, "msg": "这里还没有内容", "data": {"cards": []}}))
}

/// C1: `containerid=100103type=<T>&q=<q>`, `page`. 61 newest first; 60 the longest bodies first.
fn search(query: &str, empty: bool) -> Reply {
    let cid = param(query, "containerid").unwrap_or_default();
    // `100103type=61&q=…`: the prefix is part of the first key.
    let inner = |k: &str| param(cid.strip_prefix("100103").unwrap_or(&cid), k);
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let Some(t) = inner("q")
        .filter(|_| !empty)
        .and_then(|q| bundle().topic(&q))
    else {
        return no_content();
    };
    let mut order: Vec<usize> = (0..t.posts.len()).collect();
    if inner("type").as_deref() == Some("60") {
        order.sort_by_key(|&i| std::cmp::Reverse(t.posts[i].body().chars().count()));
    }
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let slice: Vec<usize> = order.iter().copied().skip(start).take(PAGE_SIZE).collect();
    if slice.is_empty() {
        return no_content();
    }
    let card = |i: usize| {
        let p = &t.posts[i];
        json!({
            "card_type": 9,
            "itemid": format!("seqid:0|type:61|t:|pos:1|mid:{}", p.mid),
            "scheme": format!("https://m.weibo.cn/status/{}?mblogid={}", p.mid, p.mid),
            "mblog": mblog(t, i, false),
        })
    };
    let mut cards = Vec::new();
    let mut rest = slice.as_slice();
    if page == 1 && slice.len() > GROUPED_ON_PAGE_ONE {
        let (group, tail) = slice.split_at(GROUPED_ON_PAGE_ONE);
        cards.push(json!({
            "card_type": 11,
            "card_group": group.iter().map(|&i| card(i)).collect::<Vec<_>>(),
        }));
        rest = tail;
    }
    cards.extend(rest.iter().map(|&i| card(i)));
    let more = start + PAGE_SIZE < t.posts.len();
    Reply::json(&json!({
        "ok": 1,
        "data": {
            "cardlistInfo": {
                "containerid": cid,
                "v_p": 42,
                "show_style": 1,
                "total": t.posts.len(),
                "page": if more { Value::from(page + 1) } else { Value::Null },
            },
            "cards": cards,
        },
    }))
}

// ---- brand watch: keyword search (issue 20) ---------------------------------------

/// One bundled post in the keyword index: its real time, where it lives, its matching form.
struct Indexed {
    at: chrono::DateTime<chrono::FixedOffset>,
    topic: usize,
    post: usize,
    norm: String,
}

/// Every bundled post with an absolute `created_at` (RFC 2822, as m.weibo.cn sends it), once
/// per mid, newest first. Posts archived with a relative time ("5分钟前", relative to a capture
/// time the archive does not keep) cannot be placed on the demo clock and are left out.
fn keyword_index() -> &'static [Indexed] {
    static I: OnceLock<Vec<Indexed>> = OnceLock::new();
    I.get_or_init(|| {
        let b = bundle();
        let mut out: Vec<Indexed> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for (ti, t) in b.topics.iter().enumerate() {
            for (pi, p) in t.posts.iter().enumerate() {
                let at = p.created_at_text.as_deref().and_then(|s| {
                    chrono::DateTime::parse_from_str(s, "%a %b %d %H:%M:%S %z %Y").ok()
                });
                if let Some(at) = at
                    && seen.insert(p.mid.as_str())
                {
                    out.push(Indexed {
                        at,
                        topic: ti,
                        post: pi,
                        norm: crate::domain::normalize::normalize_text(p.body()),
                    });
                }
            }
        }
        out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| b.topic.cmp(&a.topic)));
        out
    })
}

/// `q` and `type` of a C1 containerid (`100103type=61&q=…`).
fn containerid_params(cid: &str) -> (Option<String>, Option<String>) {
    let inner = cid.strip_prefix("100103").unwrap_or(cid);
    (param(inner, "type"), param(inner, "q"))
}

/// Is this C1 containerid a real-time keyword search (a watched term) rather than a topic's
/// posts? `type=61` and a `q` that is neither `#…#` nor a bundled topic's title.
pub(crate) fn is_keyword_search(cid: &str) -> bool {
    let (ty, q) = containerid_params(cid);
    let Some(q) = q else { return false };
    let q = q.trim();
    ty.as_deref() == Some("61")
        && !q.is_empty()
        && !q.starts_with('#')
        && bundle().topic(q).is_none()
}

/// C1 real-time search for a word: the bundled real posts whose text contains it (NFKC,
/// case-folded), created by `now` (the demo clock; `None`: all), newest first, `PAGE_SIZE` a
/// page, page 1 opening with a `card_type` 11 group as `searchall` does.
pub(crate) fn keyword_search(
    query: &str,
    now: Option<chrono::DateTime<chrono::FixedOffset>>,
    empty: bool,
) -> Reply {
    let cid = param(query, "containerid").unwrap_or_default();
    let (_, q) = containerid_params(&cid);
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    let word = crate::domain::normalize::normalize_text(q.as_deref().unwrap_or("").trim());
    if empty || word.is_empty() {
        return no_content();
    }
    let b = bundle();
    let hits: Vec<&Indexed> = keyword_index()
        .iter()
        .filter(|i| now.is_none_or(|n| i.at <= n) && i.norm.contains(&word))
        .collect();
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let slice: Vec<&Indexed> = hits.iter().copied().skip(start).take(PAGE_SIZE).collect();
    if slice.is_empty() {
        return no_content();
    }
    let card = |i: &Indexed| {
        let t = &b.topics[i.topic];
        let p = &t.posts[i.post];
        json!({
            "card_type": 9,
            "itemid": format!("seqid:0|type:61|t:|pos:1|mid:{}", p.mid),
            "scheme": format!("https://m.weibo.cn/status/{}?mblogid={}", p.mid, p.mid),
            "mblog": mblog(t, i.post, false),
        })
    };
    let mut cards = Vec::new();
    let mut rest = slice.as_slice();
    if page == 1 && slice.len() > GROUPED_ON_PAGE_ONE {
        let (group, tail) = slice.split_at(GROUPED_ON_PAGE_ONE);
        cards.push(json!({
            "card_type": 11,
            "card_group": group.iter().map(|i| card(i)).collect::<Vec<_>>(),
        }));
        rest = tail;
    }
    cards.extend(rest.iter().map(|i| card(i)));
    card_list(&cid, cards, hits.len(), start, page)
}

/// The C1 card-list envelope of one page (`start`: the index of its first item of `total`):
/// `cardlistInfo.page` names the next page while there is one.
fn card_list(cid: &str, cards: Vec<Value>, total: usize, start: usize, page: usize) -> Reply {
    let more = start + PAGE_SIZE < total;
    Reply::json(&json!({
        "ok": 1,
        "data": {
            "cardlistInfo": {
                "containerid": cid,
                "v_p": 42,
                "show_style": 1,
                "total": total,
                "page": if more { Value::from(page + 1) } else { Value::Null },
            },
            "cards": cards,
        },
    }))
}

// ---- sentinel accounts: user timelines (issue 20, point 2) --------------------------

/// The user timeline `getIndex?type=uid&value=<uid>&containerid=107603<uid>&page=<n>`: the
/// account's bundled posts with a real time created by `now` (the demo clock; `None`: all),
/// newest first, `PAGE_SIZE` a page, `total` the account's count as the real listing sends.
/// An account without posts gets Weibo's "nothing here".
pub(crate) fn user_timeline(
    query: &str,
    now: Option<chrono::DateTime<chrono::FixedOffset>>,
    empty: bool,
) -> Reply {
    let cid = param(query, "containerid").unwrap_or_default();
    let uid = cid.strip_prefix("107603").unwrap_or("");
    let page = param(query, "page")
        .and_then(|p| p.parse::<usize>().ok())
        .unwrap_or(1)
        .max(1);
    if empty || uid.is_empty() {
        return no_content();
    }
    let b = bundle();
    let posts: Vec<&Indexed> = keyword_index()
        .iter()
        .filter(|i| {
            now.is_none_or(|n| i.at <= n)
                && b.topics[i.topic].posts[i.post].uid.as_deref() == Some(uid)
        })
        .collect();
    let start = (page - 1).saturating_mul(PAGE_SIZE);
    let slice: Vec<&Indexed> = posts.iter().copied().skip(start).take(PAGE_SIZE).collect();
    if slice.is_empty() {
        return no_content();
    }
    let cards: Vec<Value> = slice
        .iter()
        .map(|i| {
            let t = &b.topics[i.topic];
            let p = &t.posts[i.post];
            json!({
                "card_type": 9,
                "itemid": format!("{cid}_-_{}", p.mid),
                "scheme": format!("https://m.weibo.cn/status/{}?mblogid={}&luicode=10000011&lfid={cid}", p.mid, p.mid),
                "mblog": mblog(t, i.post, false),
            })
        })
        .collect();
    card_list(&cid, cards, posts.len(), start, page)
}

/// The bundle's `n` accounts that posted under the most distinct topics (ties: more posts,
/// then the uid in text order), with real uids and screen names: the demo's sentinel set.
pub(crate) fn busiest_accounts(n: usize) -> Vec<(String, String)> {
    let mut by_uid: HashMap<&str, (std::collections::HashSet<usize>, usize, &str)> = HashMap::new();
    for (ti, t) in bundle().topics.iter().enumerate() {
        for p in &t.posts {
            if let (Some(uid), Some(name)) = (p.uid.as_deref(), p.username.as_deref()) {
                let e = by_uid
                    .entry(uid)
                    .or_insert_with(|| (Default::default(), 0, name));
                e.0.insert(ti);
                e.1 += 1;
            }
        }
    }
    let mut all: Vec<(&str, usize, usize, &str)> = by_uid
        .into_iter()
        .map(|(uid, (topics, posts, name))| (uid, topics.len(), posts, name))
        .collect();
    all.sort_by(|a, b| (b.1, b.2, a.0).cmp(&(a.1, a.2, b.0)));
    all.into_iter()
        .take(n)
        .map(|(uid, _, _, name)| (uid.to_string(), name.to_string()))
        .collect()
}

/// C2 post page: the full `mblog` as `$render_data[0].status`, as the real page embeds it.
fn detail_page(path: &str) -> Reply {
    let mid = path.trim_start_matches("/detail/").trim_end_matches('/');
    let Some((t, pi)) = bundle().post(mid) else {
        return Reply::html(MISSING_PAGE.to_string());
    };
    let data = json!([{"status": mblog(t, pi, true), "call": 1}]);
    // `</` inside a script would end it early; `<\/` is the same JSON string.
    let data = data.to_string().replace("</", "<\\/");
    Reply::html(format!(
        "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>微博正文 - 微博HTML5版</title></head>\n<body><div id=\"app\"></div>\n<script>\nvar $render_data = {data}[0] || {{}};\nvar __wb_performance_data = {{v: \"3.0\", m: \"mainsite\", pwa: 1, sw: 0}};\n</script>\n</body></html>\n"
    ))
}

/// C2 fallback `statuses/extend?id=<mid>`.
fn extend(query: &str) -> Reply {
    let hit = param(query, "id").and_then(|id| bundle().post(&id));
    let Some((t, pi)) = hit else {
        return Reply::json(&json!({"ok": 0}));
    };
    Reply::json(&json!({
        "ok": 1,
        "data": {"ok": 1, "longTextContent": text_html(t.posts[pi].body())},
    }))
}

/// C3 hotflow: the topic's other posts as comments, `COMMENTS_PER_PAGE` a page; `max_id` is
/// the id of the next comment, `0` on the last page.
fn hotflow(query: &str, empty: bool) -> Reply {
    let hit = param(query, "id")
        .or_else(|| param(query, "mid"))
        .and_then(|id| bundle().post(&id));
    let Some((t, pi)) = hit else {
        return Reply::json(&json!({"ok": 0}));
    };
    let all = if empty {
        Vec::new()
    } else {
        comment_posts(t, pi)
    };
    if all.is_empty() && !empty {
        return Reply::json(&json!({"ok": 0}));
    }
    let start = match param(query, "max_id").filter(|m| m != "0") {
        None => 0,
        Some(m) => all.iter().position(|p| p.mid == m).unwrap_or(all.len()),
    };
    let page: Vec<Value> = all
        .iter()
        .enumerate()
        .skip(start)
        .take(COMMENTS_PER_PAGE)
        .map(|(n, p)| {
            let id = p
                .mid
                .parse::<u64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::from(p.mid.as_str()));
            json!({
                "id": id,
                "rootid": p.mid,
                "floor_number": n + 1,
                "created_at": p.created_at_text,
                "text": text_html(cut(p.body(), LONG_TEXT_CHARS)),
                "user": user(t, p),
                "comments": false,
                "isLikedByMblogAuthor": false,
            })
        })
        .collect();
    let max_id = all
        .get(start + COMMENTS_PER_PAGE)
        .and_then(|p| p.mid.parse::<u64>().ok())
        .unwrap_or(0);
    Reply::json(&json!({
        "ok": 1,
        "data": {
            "data": page,
            "total_number": all.len(),
            "max_id": max_id,
            "max_id_type": 0,
        },
    }))
}

/// The answer on a drill-down route; `empty` (the EmptyList fault) lists nothing.
pub(crate) fn render(route: Route, path: &str, query: &str, empty: bool) -> Reply {
    match route {
        Route::WeiboPosts => search(query, empty),
        Route::WeiboDetail => detail_page(path),
        Route::WeiboLongText => extend(query),
        Route::WeiboComments => hotflow(query, empty),
        _ => Reply::json(&json!({"ok": 0})),
    }
}

/// A post page without the post (deleted, or not in the bundle): no `$render_data`.
const MISSING_PAGE: &str = "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>微博HTML5版</title></head>\n<body><div class=\"h5-4box\"><p class=\"h5-4con\">微博不存在或暂无查看权限!</p></div></body></html>\n";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundle_has_every_demo_topic_with_real_posts() {
        let b = Bundle::parse(POSTS_GZ).unwrap();
        assert_eq!(b.topics.len(), 81);
        assert!(b.topics.iter().all(|t| t.posts.len() >= 10));
        assert!(b.topic("#原来活体器官运输不是专门的飞机#").is_some());
    }

    #[test]
    fn keyword_search_is_told_from_topic_posts() {
        assert!(is_keyword_search("100103type=61&q=胖东来"));
        assert!(!is_keyword_search("100103type=61&q=#胖东来 刑释人员#"));
        assert!(!is_keyword_search("100103type=60&q=胖东来"));
        // A bundled topic's bare title stays a topic.
        assert!(!is_keyword_search("100103type=61&q=旺旺 配料表"));
        assert!(!is_keyword_search("100103type=61&q="));
        // Real posts mention the demo brands with real times.
        let n = |w: &str| {
            keyword_index()
                .iter()
                .filter(|i| i.norm.contains(w))
                .count()
        };
        assert!(n("胖东来") >= 100, "{}", n("胖东来"));
        assert!(n("旺旺") >= 200, "{}", n("旺旺"));
    }

    #[test]
    fn text_is_wrapped_like_the_site() {
        let h = text_html("看 #台风#\n@新华社 说<b>&");
        assert!(
            h.contains("<span class=\"surl-text\">#台风#</span></a>"),
            "{h}"
        );
        assert!(h.contains("<a href='/n/新华社'>@新华社</a>"), "{h}");
        assert!(h.contains("<br />"));
        assert!(h.ends_with("说&lt;b&gt;&amp;"), "{h}");
        // an unpaired '#' stays text
        assert_eq!(text_html("第#1"), "第#1");
    }
}
