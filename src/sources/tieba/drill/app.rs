//! D3 floors through the Tieba app API, used when the PC page `/p/<tid>` is walled:
//! `POST http://c.tieba.baidu.com/c/f/pb/page`, an urlencoded form signed with
//! `sign = md5_hex(k1=v1k2=v2… sorted by key + "tiebaclient!!!")` (TiebaLite
//! `OfficialTiebaApi.kt`, iikira/baidu-tools `client_signature.go`; data-sources.md §5).
//! The JSON answer: `error_code` (0 or "0" on success), `post_list[]{id, floor, time, content[],
//! author_id, sub_post_number, sub_post_list}`, `user_list[]{id, name, name_show, level_id,
//! is_bawu, ip_address}` joined by `author_id`, `forum{id}`, `page{total_page, has_more}`
//! (TiebaLite `ThreadContentBean.kt`).

use chrono::{DateTime, FixedOffset};
use md5::{Digest, Md5};
use serde_json::{Map, Value};

use super::rich::SMILEY_FALLBACK;
use super::{BASE, checked_id, id_field};
use crate::domain::post::{Author, DrillPage, DrillRequest, Entry, EntryKind, RichText, Run};
use crate::domain::time::parse_time;
use crate::domain::{SafeText, from_unix, num};
use crate::sources::SourceError;
use crate::sources::http::{HttpClient, Profile};
use crate::sources::wire;

/// The floors endpoint of the app API.
pub const APP_PAGE_URL: &str = "http://c.tieba.baidu.com/c/f/pb/page";
/// The salt every Tieba client appends before hashing.
const SIGN_SALT: &str = "tiebaclient!!!";
/// The client version TiebaLite announces (also in its UA).
const CLIENT_VERSION: &str = "11.10.8.6";
/// Floors per page, as the apps ask.
const RN: u32 = 30;
/// Sub-replies delivered inline with each floor.
const FLOOR_RN: u32 = 3;

/// Hint for any refusal of the app API: without a login it may answer nothing useful.
pub const APP_LOGIN_HINT: &str =
    "Tieba's page is walled and its app API refused too; set RESOU_TIEBA_COOKIE=\"BDUSS=…\"";

/// `md5_hex` of the params sorted by key, each written `k=v` with no separator, plus the salt.
/// A `sign` param already present is left out.
pub fn app_sign(params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().filter(|(k, _)| k != "sign").collect();
    sorted.sort_by(|a, b| a.0.cmp(&b.0));
    let mut h = Md5::new();
    for (k, v) in sorted {
        h.update(k.as_bytes());
        h.update(b"=");
        h.update(v.as_bytes());
    }
    h.update(SIGN_SALT.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// The signed form for page `page` of thread `tid` (the fields real clients send; `BDUSS` only
/// when the user gave a Tieba cookie).
pub fn app_form(
    tid: &str,
    page: u32,
    bduss: Option<&str>,
) -> Result<Vec<(String, String)>, SourceError> {
    let tid = checked_id(tid)?;
    let mut form: Vec<(String, String)> = [
        ("_client_type", "2"),
        ("_client_version", CLIENT_VERSION),
        ("back", "0"),
        ("floor_rn", &FLOOR_RN.to_string()),
        ("kz", tid),
        ("lz", "0"),
        ("mark", "0"),
        ("pn", &page.max(1).to_string()),
        ("rn", &RN.to_string()),
        ("with_floor", "1"),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.to_string()))
    .collect();
    if let Some(b) = bduss.filter(|b| !b.is_empty()) {
        form.push(("BDUSS".into(), b.to_string()));
    }
    let sign = app_sign(&form);
    form.push(("sign".into(), sign));
    Ok(form)
}

/// Fetch one page of floors through the app API.
pub async fn fetch(
    client: &HttpClient,
    tid: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let bduss = client.tieba_bduss();
    let form = app_form(tid, page, bduss.as_ref().map(|b| b.expose()))?;
    let resp = client
        .post_form(APP_PAGE_URL, &form, Profile::TiebaClient)
        .await?;
    parse_app_floors(&resp.body, tid, page, now)
}

/// Parse the app API's answer for page `page` of thread `tid`.
pub fn parse_app_floors(
    body: &str,
    tid: &str,
    page: u32,
    now: DateTime<FixedOffset>,
) -> Result<DrillPage, SourceError> {
    let tid = checked_id(tid)?;
    let obj = wire::json_object(body, APP_LOGIN_HINT)?;
    if let Err(SourceError::Envelope { code, msg }) = wire::check_errno(&obj) {
        let why = if msg.is_empty() {
            format!("error {code}")
        } else {
            format!("error {code}: {msg}")
        };
        return Err(SourceError::LoginRequired {
            hint: format!("{APP_LOGIN_HINT} ({why})"),
        });
    }
    let posts = wire::array(wire::path(&obj, &["post_list"])?, "post_list")?;
    let users: Vec<&Map<String, Value>> = obj
        .get("user_list")
        .and_then(Value::as_array)
        .map(|l| l.iter().filter_map(Value::as_object).collect())
        .unwrap_or_default();
    let fid = id_field(obj.get("forum").and_then(|f| f.get("id"))).unwrap_or_default();
    let ctx = Ctx {
        tid,
        fid: &fid,
        users: &users,
        now,
    };
    let mut items: Vec<Entry> = Vec::with_capacity(posts.len());
    for p in posts.iter().filter_map(Value::as_object) {
        if let Some(e) = ctx.floor(p)
            && !items.iter().any(|x| x.id == e.id)
        {
            items.push(e);
        }
    }
    if items.is_empty() && !posts.is_empty() {
        return Err(SourceError::Decode(
            "post_list without usable floors".into(),
        ));
    }
    let page = page.max(1);
    let pager = obj.get("page").and_then(Value::as_object);
    let pager_int = |k: &str| wire::int(pager.and_then(|p| p.get(k)));
    let more = match pager_int("has_more") {
        Some(m) => m != 0,
        None => pager_int("total_page").is_some_and(|t| i64::from(page) < t),
    };
    let more = more && !items.is_empty();
    Ok(super::floors::floors_page(tid, page, items, more))
}

struct Ctx<'a> {
    tid: &'a str,
    fid: &'a str,
    users: &'a [&'a Map<String, Value>],
    now: DateTime<FixedOffset>,
}

impl Ctx<'_> {
    fn floor(&self, p: &Map<String, Value>) -> Option<Entry> {
        let pid = id_field(p.get("id"))?;
        let (text, pics) = content(p.get("content"));
        let mut e = Entry::new(EntryKind::TiebaFloor, &pid, self.author(p), text);
        e.pics = pics;
        e.floor = wire::int(p.get("floor")).and_then(|n| u32::try_from(n).ok());
        self.stamp(&mut e, p.get("time"));
        e.url = Some(format!("{BASE}/p/{}?pid={pid}#{pid}", self.tid));
        e.replies = p.get("sub_post_number").and_then(num::value_count);
        e.inline_replies = self.sub_posts(&pid, p.get("sub_post_list"));
        if e.replies.is_some_and(|n| n > 0) {
            e.open = Some(DrillRequest::TiebaSubReplies {
                tid: self.tid.to_string(),
                pid,
                fid: self.fid.to_string(),
                page: 1,
            });
        }
        Some(e)
    }

    /// `sub_post_list` is `{pid, sub_post_list: [...]}`, or the bare list (TiebaLite's
    /// `SubPostListAdapter` accepts both).
    fn sub_posts(&self, pid: &str, v: Option<&Value>) -> Vec<Entry> {
        let list = match v {
            Some(Value::Object(o)) => o.get("sub_post_list").and_then(Value::as_array),
            Some(Value::Array(a)) => Some(a),
            _ => None,
        };
        let mut out: Vec<Entry> = Vec::new();
        for s in list.into_iter().flatten().filter_map(Value::as_object) {
            let Some(spid) = id_field(s.get("id")) else {
                continue;
            };
            if out.iter().any(|x| x.id == spid) {
                continue;
            }
            let (text, pics) = content(s.get("content"));
            let mut e = Entry::new(EntryKind::TiebaSubReply, &spid, self.author(s), text);
            e.pics = pics;
            self.stamp(&mut e, s.get("time"));
            e.url = Some(format!("{BASE}/p/{}?pid={pid}&cid={spid}#{spid}", self.tid));
            out.push(e);
        }
        out
    }

    /// `time` is unix seconds; anything else goes through the general reader.
    fn stamp(&self, e: &mut Entry, v: Option<&Value>) {
        let Some(raw) = wire::text(v) else {
            return;
        };
        let raw = raw.trim();
        e.created_at = match raw.parse::<i64>() {
            Ok(secs) if secs > 0 => from_unix(secs),
            _ => parse_time(raw, self.now),
        };
        if e.created_at.is_none() {
            e.created_raw = Some(SafeText::line(raw)).filter(|t| !t.is_empty());
        }
    }

    /// The user of `author_id` from `user_list`, else the post's own `author` object.
    fn author(&self, p: &Map<String, Value>) -> Author {
        let author_id = id_field(p.get("author_id"));
        let joined = author_id.as_deref().and_then(|id| {
            self.users
                .iter()
                .find(|u| id_field(u.get("id")).as_deref() == Some(id))
                .copied()
        });
        let u = joined.or_else(|| p.get("author").and_then(Value::as_object));
        let get = |k: &str| u.and_then(|u| u.get(k));
        let name = ["name_show", "name"]
            .iter()
            .find_map(|k| wire::text(get(k)))
            .map(|n| SafeText::line(&n))
            .unwrap_or_default();
        Author {
            name,
            id: author_id.or_else(|| id_field(get("id"))),
            moderator: wire::int(get("is_bawu")).is_some_and(|v| v != 0),
            level: wire::int(get("level_id")).and_then(|l| u32::try_from(l).ok()),
            region: wire::text(get("ip_address"))
                .map(|r| SafeText::line(&r))
                .filter(|r| !r.is_empty()),
            ..Author::default()
        }
    }
}

/// `content[]` items as runs: 0 text, 1 link, 2 emoji (`c` its name), 3 picture, 4 @mention,
/// 5 video, 9 phone number, 10 voice, 18 `#topic#`; unknown types keep their `text`.
fn content(v: Option<&Value>) -> (RichText, u32) {
    let mut b = Runs::default();
    let items = match v {
        Some(Value::Array(a)) => a.as_slice(),
        // Some payloads send a bare string body.
        Some(Value::String(s)) => {
            b.push_text(s);
            &[]
        }
        _ => &[],
    };
    for it in items.iter().filter_map(Value::as_object) {
        let text = wire::text(it.get("text")).unwrap_or_default();
        match wire::int(it.get("type")).unwrap_or(0) {
            1 => match it
                .get("link")
                .and_then(Value::as_str)
                .and_then(wire::safe_url)
            {
                Some(url) => {
                    let shown = if text.trim().is_empty() { &url } else { &text };
                    b.run(Run::Link {
                        text: SafeText::line(shown),
                        url,
                    });
                }
                None => b.push_text(&text),
            },
            2 => {
                let name = wire::text(it.get("c")).map(|c| SafeText::line(&c));
                let shown = match name.filter(|c| !c.is_empty()) {
                    Some(c) => SafeText::line(&format!("[{}]", c.as_str())),
                    None => SafeText::line(SMILEY_FALLBACK),
                };
                b.run(Run::Emoji(shown));
            }
            3 | 5 => b.pics = b.pics.saturating_add(1),
            4 => b.run(Run::Mention(SafeText::line(&text))),
            10 => b.push_text("[语音]"),
            18 => b.run(Run::Hashtag(SafeText::line(&text))),
            _ => b.push_text(&text),
        }
    }
    b.flush();
    (RichText(b.runs), b.pics)
}

/// Adjacent text items are merged into one run before sanitising.
#[derive(Default)]
struct Runs {
    runs: Vec<Run>,
    buf: String,
    pics: u32,
}

impl Runs {
    fn push_text(&mut self, s: &str) {
        self.buf.push_str(s);
    }

    fn flush(&mut self) {
        let t = SafeText::multiline(&self.buf);
        self.buf.clear();
        if !t.is_empty() {
            self.runs.push(Run::Text(t));
        }
    }

    fn run(&mut self, r: Run) {
        self.flush();
        if !r.text().is_empty() {
            self.runs.push(r);
        }
    }
}
