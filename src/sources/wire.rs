//! Shared failure classification and lenient field access for platform bodies.
//! Every parser funnels its body through here, so "HTML instead of JSON", captcha JSON,
//! envelopes and truncation are recognised the same way for every endpoint (§9 of data-sources.md).

use serde_json::{Map, Value};

use super::SourceError;
use crate::domain::{Platform, SafeText, Snapshot, Topic, num};

/// How far into a body we look for login/verification markers (pages put them near the top).
const SNIFF_BYTES: usize = 16 * 1024;

/// Hint shown when Weibo wants a cookie.
pub const WEIBO_LOGIN_HINT: &str = "set RESOU_WEIBO_COOKIE";
/// Hint shown for a login or verification wall of a site where no user cookie can help
/// (Douyin, Bilibili, …).
pub const SITE_LOGIN_HINT: &str = "the site asks for a login or verification; try again later";
/// Hint shown when Tieba serves its security check.
pub const TIEBA_LOGIN_HINT: &str = "Tieba security check (百度安全验证); try again later";
/// Hint shown when Tieba wants a logged-in browser (its thread pages increasingly do).
pub const TIEBA_AUTH_HINT: &str = "Tieba asks for a login: set RESOU_TIEBA_COOKIE=\"BDUSS=…\" from a logged-in browser, or open the link in a browser";

/// The first bytes of a body, cut on a char boundary.
fn head(body: &str) -> &str {
    if body.len() <= SNIFF_BYTES {
        return body;
    }
    let mut end = SNIFF_BYTES;
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    &body[..end]
}

/// Does this page look like a login, visitor or security-check wall?
pub fn looks_like_login_wall(body: &str) -> bool {
    let h = head(body).to_ascii_lowercase();
    const MARKERS: [&str; 10] = [
        "passport.weibo.com",
        "visitor.passport.weibo.cn",
        "sina visitor system",
        "/visitor/",
        "/sso/signin",
        "安全验证",
        "请登录",
        "登录后",
        "wappass.baidu.com",
        "passport.baidu.com",
    ];
    MARKERS.iter().any(|m| h.contains(m))
}

/// Classify an HTML body that arrived where data was expected.
pub fn html_failure(body: &str, login_hint: &str) -> SourceError {
    if looks_like_login_wall(body) {
        SourceError::LoginRequired {
            hint: login_hint.to_string(),
        }
    } else {
        SourceError::WrongBody("HTML page".into())
    }
}

/// Parse a body that must be a JSON object, classifying everything else.
pub fn json_object(body: &str, login_hint: &str) -> Result<Map<String, Value>, SourceError> {
    let t = body.trim_start_matches('\u{feff}').trim();
    if t.is_empty() {
        return Err(SourceError::WrongBody("empty body".into()));
    }
    if t.starts_with('<') {
        return Err(html_failure(t, login_hint));
    }
    if !t.starts_with('{') && !t.starts_with('[') {
        // e.g. Tieba answers a bare `blocked`
        return Err(SourceError::WrongBody("text instead of JSON".into()));
    }
    let v: Value = serde_json::from_str(t).map_err(|e| {
        if e.is_eof() {
            SourceError::Decode("truncated JSON".into())
        } else {
            SourceError::Decode(format!(
                "invalid JSON at line {} column {}",
                e.line(),
                e.column()
            ))
        }
    })?;
    let Value::Object(obj) = v else {
        return Err(SourceError::WrongBody("JSON that is not an object".into()));
    };
    let has_data = obj.get("data").is_some_and(|d| !d.is_null());
    if obj.get("url").is_some_and(Value::is_string) && !has_data {
        return Err(SourceError::Captcha);
    }
    Ok(obj)
}

/// Weibo envelope: `ok` must be 1; `-100` means the cookie expired.
pub fn check_weibo_ok(obj: &Map<String, Value>) -> Result<(), SourceError> {
    let code = obj.get("ok").and_then(num::value_i64);
    match code {
        Some(1) => Ok(()),
        Some(-100) => Err(SourceError::LoginRequired {
            hint: format!("cookie expired; {WEIBO_LOGIN_HINT}"),
        }),
        _ => Err(SourceError::Envelope {
            code: code.unwrap_or(0),
            msg: message(obj, &["msg", "message"]),
        }),
    }
}

/// Success code of the Weibo topic API (C4).
pub const TOPIC_API_OK: i64 = 100_000;

/// Weibo topic-API envelope (C4): `code` must be 100000, as a string or a number
/// (nateafish compares `str(code)`); anything else, or no code, is an envelope error.
pub fn check_topic_code(obj: &Map<String, Value>) -> Result<(), SourceError> {
    let code = obj.get("code").and_then(num::value_i64);
    match code {
        Some(TOPIC_API_OK) => Ok(()),
        _ => Err(SourceError::Envelope {
            code: code.unwrap_or(-1),
            msg: message(obj, &["msg", "message"]),
        }),
    }
}

/// Baidu envelope: any of `errno`, `no`, `error_code` present and non-zero is an error.
pub fn check_errno(obj: &Map<String, Value>) -> Result<(), SourceError> {
    for key in ["errno", "no", "error_code"] {
        if let Some(v) = obj.get(key) {
            match num::value_i64(v) {
                Some(0) => {}
                code => {
                    return Err(SourceError::Envelope {
                        code: code.unwrap_or(-1),
                        msg: message(obj, &["errmsg", "error", "error_msg", "msg"]),
                    });
                }
            }
        }
    }
    Ok(())
}

/// An envelope whose `code_key` must be 0 (Douyin `status_code`, Bilibili `code`): anything else,
/// missing included, is an error with the message under `msg_key`.
pub fn check_zero(
    obj: &Map<String, Value>,
    code_key: &str,
    msg_key: &str,
) -> Result<(), SourceError> {
    match int(obj.get(code_key)) {
        Some(0) => Ok(()),
        code => Err(SourceError::Envelope {
            code: code.unwrap_or(-1),
            msg: message(obj, &[msg_key]),
        }),
    }
}

/// A short, sanitised envelope message: the first of `keys` holding a string.
pub fn message(obj: &Map<String, Value>, keys: &[&str]) -> String {
    keys.iter()
        .find_map(|k| obj.get(*k).and_then(Value::as_str))
        .map(|s| {
            let s = crate::domain::SafeText::line(s).into_string();
            s.chars().take(80).collect()
        })
        .unwrap_or_default()
}

/// Parse JSON embedded in a page (Baidu's `s-data` comment, Kuaishou's Apollo state) as an
/// object. `page_offset` maps a byte offset in `text` to one in the page, so a failure names
/// where in the body parsing stopped.
pub fn embedded_json(
    text: &str,
    what: &str,
    page_offset: impl Fn(usize) -> usize,
) -> Result<Map<String, Value>, SourceError> {
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(obj)) => Ok(obj),
        Ok(_) => Err(SourceError::Decode(format!("{what} is not a JSON object"))),
        Err(e) => {
            // serde_json counts lines and, within a line, bytes up to and including the bad one.
            let line_start = text
                .match_indices('\n')
                .nth(e.line().saturating_sub(2))
                .filter(|_| e.line() > 1)
                .map_or(0, |(i, _)| i + 1);
            let at = page_offset((line_start + e.column().saturating_sub(1)).min(text.len()));
            Err(SourceError::Decode(if e.is_eof() {
                format!("truncated {what} at byte {at}")
            } else {
                format!("invalid {what} at byte {at}")
            }))
        }
    }
}

/// Follow a path of object keys; `what` names it in the error.
pub fn path<'a>(v: &'a Map<String, Value>, keys: &[&str]) -> Result<&'a Value, SourceError> {
    let mut cur: Option<&Value> = None;
    for (i, k) in keys.iter().enumerate() {
        let next = match (i, cur) {
            (0, _) => v.get(*k),
            (_, Some(Value::Object(o))) => o.get(*k),
            _ => None,
        };
        match next {
            Some(n) => cur = Some(n),
            None => return Err(SourceError::Decode(format!("no {}", keys[..=i].join(".")))),
        }
    }
    cur.ok_or_else(|| SourceError::Decode("empty path".into()))
}

/// A value that must be an array.
pub fn array<'a>(v: &'a Value, what: &str) -> Result<&'a Vec<Value>, SourceError> {
    v.as_array()
        .ok_or_else(|| SourceError::Decode(format!("{what} is not a list")))
}

/// A text field: strings as given, numbers as their decimal form, anything else absent.
pub fn text(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// An integer field (`1`, `"1"`, `true`).
pub fn int(v: Option<&Value>) -> Option<i64> {
    v.and_then(num::value_i64)
}

/// A 1-based rank field (`position`, `pos`: a number or a numeric string), else the row's place
/// in the list.
pub fn rank(v: Option<&Value>, index: usize) -> u32 {
    int(v)
        .and_then(|r| u32::try_from(r).ok())
        .filter(|r| *r > 0)
        .unwrap_or(index as u32 + 1)
}

/// A numeric platform id, exactly: a JSON integer (read as `u64`, never through `f64`, since
/// ids pass 2^53) or a string of ASCII digits. Floats, signs and anything else are no id.
pub fn numeric_id(v: Option<&Value>) -> Option<String> {
    match v? {
        Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        Value::String(s) => digits(s.trim()).map(str::to_string),
        _ => None,
    }
}

/// `s` when it is 1–20 ASCII digits (a `u64` at most).
pub fn digits(s: &str) -> Option<&str> {
    (!s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())).then_some(s)
}

/// An http(s) URL fit to keep: parsed and re-serialised (control characters end up percent-encoded).
pub fn safe_url(raw: &str) -> Option<String> {
    crate::domain::text::safe_url(raw)
}

/// The Weibo search page for a query, the drill-down key shared by all Weibo endpoints.
pub fn weibo_search_url(query: &str) -> String {
    let enc = percent_encoding::utf8_percent_encode(query, percent_encoding::NON_ALPHANUMERIC);
    format!("https://s.weibo.com/weibo?q={enc}")
}

/// A topic from a sanitised title; `None` when nothing printable is left.
pub fn topic(platform: Platform, rank: Option<u32>, title: SafeText) -> Option<Topic> {
    let t = Topic::new(platform, rank, title.as_str());
    (!t.title.is_empty()).then_some(t)
}

/// Renumber and dedup; a list without ranked rows is a failure of that step (§9.1).
pub fn finish(s: Snapshot) -> Result<Snapshot, SourceError> {
    let s = s.finish();
    if s.is_empty() {
        Err(SourceError::Empty)
    } else {
        Ok(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_bodies() {
        assert_eq!(
            json_object("<html><body>hi</body></html>", "h"),
            Err(SourceError::WrongBody("HTML page".into()))
        );
        assert!(matches!(
            json_object("<html><title>百度安全验证</title></html>", "h"),
            Err(SourceError::LoginRequired { .. })
        ));
        assert_eq!(
            json_object(r#"{"ok":1,"data":{"#, "h"),
            Err(SourceError::Decode("truncated JSON".into()))
        );
        assert_eq!(
            json_object(r#"{"url":"https://weibo.cn/captcha"}"#, "h"),
            Err(SourceError::Captcha)
        );
        assert_eq!(
            json_object("blocked", "h"),
            Err(SourceError::WrongBody("text instead of JSON".into()))
        );
    }

    #[test]
    fn envelopes() {
        let o = json_object(r#"{"ok":0,"msg":"这里还没有内容"}"#, "h").unwrap();
        assert_eq!(
            check_weibo_ok(&o),
            Err(SourceError::Envelope {
                code: 0,
                msg: "这里还没有内容".into()
            })
        );
        let o = json_object(r#"{"errno":"110","errmsg":"x"}"#, "h").unwrap();
        assert_eq!(
            check_errno(&o),
            Err(SourceError::Envelope {
                code: 110,
                msg: "x".into()
            })
        );
        let o = json_object(r#"{"errno":0,"no":0}"#, "h").unwrap();
        assert_eq!(check_errno(&o), Ok(()));
        for ok in [r#"{"code":"100000"}"#, r#"{"code":100000}"#] {
            let o = json_object(ok, "h").unwrap();
            assert_eq!(check_topic_code(&o), Ok(()));
        }
        let o = json_object(r#"{"code":"100001","msg":"参数错误"}"#, "h").unwrap();
        assert_eq!(
            check_topic_code(&o),
            Err(SourceError::Envelope {
                code: 100_001,
                msg: "参数错误".into()
            })
        );
        let o = json_object(r#"{"data":{}}"#, "h").unwrap();
        assert!(matches!(
            check_topic_code(&o),
            Err(SourceError::Envelope { code: -1, .. })
        ));
    }

    #[test]
    fn urls() {
        assert_eq!(safe_url("javascript:void(0);"), None);
        assert_eq!(
            weibo_search_url("#a b#"),
            "https://s.weibo.com/weibo?q=%23a%20b%23"
        );
    }
}
